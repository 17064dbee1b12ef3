/*
 * format.c: a message written for its reader: JSON for programs (the
 * file's members, compact), its id or its path for pipelines, or text
 * for people, with nothing from the message printed raw.
 */
#include "config.h"

#include <regex.h>
#include <string.h>

#include "json.h"
#include "msg.h"

static const char *const names[] = { "json", "id", "path", "text" };

/* -f name: the format it names; -1 (EX_USAGE) for another. */
int
format_parse(const char *name, enum msg_format *f)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strcmp(name, names[i]) == 0) {
			*f = (enum msg_format)i;
			return 0;
		}
	bus_seterr("-f %s: not json, id, path or text", name);
	bus_setclass(EX_USAGE);
	return -1;
}

/* The body for people: every line indented, nothing raw. */
static void
put_text_body(struct buf *out, const struct buf *body)
{
	const char *p = body->s, *end = body->s + body->len, *nl;

	while (p != NULL && p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		buf_adds(out, "    ");
		text_safe(out, p, (size_t)(nl - p));
		buf_addc(out, '\n');
		p = nl + 1;
	}
}

/* The subject member, when it is a string, unescaped onto out: 1, or 0. */
static int
subject(const struct msg *m, struct buf *out)
{
	const struct buf *v = msg_field(m, "subject");
	struct json j;

	if (v == NULL || v->len == 0 || v->s[0] != '"' ||
	    json_parse(&j, v->s, v->len) == -1)
		return 0;
	json_unescape(&j, 0, out);
	json_free(&j);
	return 1;
}

/* A subject member, when it is a string: "  subject: ..." */
static void
put_text_subject(struct buf *out, const struct msg *m)
{
	struct buf s = BUF_INIT;

	if (subject(m, &s)) {
		buf_adds(out, "  subject: ");
		text_safe(out, s.s, s.len);
		buf_addc(out, '\n');
	}
	buf_free(&s);
}

/* Does re match text[0..len), NUL bytes and all where regexec can? */
static int
matches(const regex_t *re, const char *text, size_t len)
{
	regmatch_t all[1];
	int flags = 0;

#ifdef REG_STARTEND
	all[0].rm_so = 0;
	all[0].rm_eo = (regoff_t)len;
	flags = REG_STARTEND;
#else
	(void)len;
#endif
	return regexec(re, text != NULL ? text : "", 1, all, flags) == 0;
}

/*
 * Does the regular expression re match m's body or its subject (the
 * text, unescaped, as -f text shows them)?
 */
int
msg_grep(const struct msg *m, const regex_t *re)
{
	struct buf s = BUF_INIT;
	int hit;

	hit = matches(re, m->body.s, m->body.len) ||
	    (subject(m, &s) && matches(re, s.s, s.len));
	buf_free(&s);
	return hit;
}

/*
 * Add m to out in format f: path is where its file is, for
 * FORMAT_PATH; sep ends a record ('\n', or '\0' for -z) in the formats
 * for programs; text is a block of lines ending in an empty one.
 */
void
format_put(struct buf *out, enum msg_format f, const struct msg *m,
    const char *path, int sep)
{
	switch (f) {
	case FORMAT_JSON:
		msg_write(m, out);
		out->len--;		/* the newline: the separator follows */
		break;
	case FORMAT_ID:
		buf_adds(out, m->id);
		break;
	case FORMAT_PATH:
		buf_adds(out, path);
		break;
	case FORMAT_TEXT:
		/* ids, names, types and times are of a safe alphabet */
		buf_addf(out, "%s  %s  %s  %s", m->ts, m->from, m->type,
		    m->id);
		if (m->re != NULL)
			buf_addf(out, "  re %s", m->re);
		buf_addc(out, '\n');
		put_text_subject(out, m);
		put_text_body(out, &m->body);
		buf_addc(out, '\n');
		return;
	}
	buf_addc(out, sep);
}
