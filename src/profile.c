/*
 * profile.c: the shared profile (user-sync/USER.md) as sections of
 * facts, the unit profile-merge works on (SPEC section 6).
 *
 * Headings start sections; the text before the first heading is a
 * section of its own.  In a section, a fact is a list item (with its
 * continuation lines and nested items) or a paragraph; front matter
 * and fenced code blocks are kept whole as single facts.  Runs of
 * blank lines are kept as blocks of their own, so that writing the
 * blocks back in order gives the input byte for byte, CRLF and a
 * missing final newline included.
 *
 * What a fact says, for comparing facts: its normalised text, its
 * words and, for a "Key: value" fact, its key.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

/* The line at p: its length with the terminator, and without. */
static size_t
line_len(const char *p, const char *end, size_t *content)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);

	*content = n;
	if (*content > 0 && p[*content - 1] == '\n')
		(*content)--;
	if (*content > 0 && p[*content - 1] == '\r')
		(*content)--;
	return n;
}

static int
blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

/* Leading spaces (a tab counts as reaching the next multiple of 4). */
static size_t
indent(const char *p, size_t n)
{
	size_t i, col = 0;

	for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
		col = p[i] == '\t' ? col + 4 - col % 4 : col + 1;
	return col;
}

static const char *
skip_ws(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return p + i;
}

/* An ATX heading: up to three spaces, 1 to 6 '#', then space or end. */
static int
is_heading(const char *p, size_t n)
{
	const char *s = skip_ws(p, n), *e = p + n;
	size_t k = 0;

	if (indent(p, n) > 3)
		return 0;
	while (s + k < e && s[k] == '#')
		k++;
	return k >= 1 && k <= 6 && (s + k == e || s[k] == ' ' ||
	    s[k] == '\t');
}

/* The fence character and length of a fence line, or 0. */
static size_t
fence(const char *p, size_t n, char *c)
{
	const char *s = skip_ws(p, n), *e = p + n;
	size_t k = 0;

	if (indent(p, n) > 3 || s == e || (*s != '`' && *s != '~'))
		return 0;
	while (s + k < e && s[k] == *s)
		k++;
	if (k < 3)
		return 0;
	*c = *s;
	return k;
}

/* Does the line close a fence of k or more fc characters? */
static int
closes_fence(const char *p, size_t n, char fc, size_t k)
{
	const char *s = skip_ws(p, n), *e = p + n;
	size_t run = 0;

	if (indent(p, n) > 3)
		return 0;
	while (s + run < e && s[run] == fc)
		run++;
	return run >= k && blank(s + run, (size_t)(e - s - run));
}

/* A list item marker: "-", "*", "+" or "1." "1)", then space or end. */
static int
is_item(const char *p, size_t n)
{
	const char *s = skip_ws(p, n), *e = p + n;
	size_t k = 0;

	if (indent(p, n) > 3 || s == e)
		return 0;
	if (*s == '-' || *s == '*' || *s == '+')
		k = 1;
	else {
		while (s + k < e && k < 9 && s[k] >= '0' && s[k] <= '9')
			k++;
		if (k == 0 || s + k == e || (s[k] != '.' && s[k] != ')'))
			return 0;
		k++;
	}
	return s + k == e || s[k] == ' ' || s[k] == '\t';
}

/* Does the line start a block of its own (ends a paragraph)? */
static int
starts_block(const char *p, size_t n)
{
	char c;

	return blank(p, n) || is_heading(p, n) || is_item(p, n) ||
	    fence(p, n, &c) > 0;
}

static void
add_fact(struct section *sec, enum fact_kind kind, const char *text,
    size_t len)
{
	struct fact *f;

	f = xreallocarray(sec->facts, sec->n + 1, sizeof(*f));
	sec->facts = f;
	f += sec->n++;
	f->kind = kind;
	f->text = text;
	f->len = len;
}

static struct section *
add_section(struct profile *pr, const char *head, size_t len)
{
	struct section *s;

	s = xreallocarray(pr->sections, pr->n + 1, sizeof(*s));
	pr->sections = s;
	s += pr->n++;
	memset(s, 0, sizeof(*s));
	s->head = head;
	s->headlen = len;
	return s;
}

/* The end of the block of kind that starts at p. */
static const char *
block_end(enum fact_kind kind, const char *p, const char *end)
{
	size_t n, c, first, k;
	const char *q = p, *r;
	char fc = 0;

	n = line_len(q, end, &c);
	first = c;
	switch (kind) {
	case FACT_FRONT:
		/* "---" then lines until "---" or "..." */
		for (q += n; q < end; q += n) {
			n = line_len(q, end, &c);
			if ((c == 3 && (memcmp(q, "---", 3) == 0 ||
			    memcmp(q, "...", 3) == 0)))
				return q + n;
		}
		return end;
	case FACT_FENCE:
		k = fence(p, first, &fc);
		for (q += n; q < end; q += n) {
			n = line_len(q, end, &c);
			if (closes_fence(q, c, fc, k))
				return q + n;
		}
		return end;
	case FACT_BLANK:
		for (; q < end; q += n) {
			n = line_len(q, end, &c);
			if (!blank(q, c))
				break;
		}
		return q;
	case FACT_ITEM:
		k = indent(p, first);
		for (q += n; q < end; q += n) {
			n = line_len(q, end, &c);
			if (blank(q, c)) {
				/* blank lines stay when the item goes on */
				for (r = q; r < end; r += n) {
					n = line_len(r, end, &c);
					if (!blank(r, c))
						break;
				}
				if (r == end || indent(r, c) <= k)
					return q;
				q = r;
				n = line_len(q, end, &c);
				continue;
			}
			if (indent(q, c) > k && !fence(q, c, &fc))
				continue;	/* nested or continued */
			if (starts_block(q, c))
				return q;
			/* a lazy continuation line of its text */
		}
		return end;
	default:	/* FACT_PARA */
		for (q += n; q < end; q += n) {
			n = line_len(q, end, &c);
			if (starts_block(q, c))
				return q;
		}
		return end;
	}
}

/*
 * Parse len bytes of Markdown into pr.  The profile keeps its own copy
 * of the text, which every heading and fact points into.
 */
void
profile_parse(struct profile *pr, const char *s, size_t len)
{
	struct section *sec;
	const char *p, *end, *e;
	enum fact_kind kind;
	size_t n, c;
	char fc;

	memset(pr, 0, sizeof(*pr));
	pr->text = xmalloc(len + 1);
	if (len > 0)
		memcpy(pr->text, s, len);
	pr->text[len] = '\0';
	pr->len = len;
	end = pr->text + len;
	sec = add_section(pr, NULL, 0);
	for (p = pr->text; p < end; p = e) {
		n = line_len(p, end, &c);
		if (p == pr->text && c == 3 && memcmp(p, "---", 3) == 0)
			kind = FACT_FRONT;
		else if (blank(p, c))
			kind = FACT_BLANK;
		else if (is_heading(p, c)) {
			sec = add_section(pr, p, n);
			e = p + n;
			continue;
		} else if (fence(p, c, &fc) > 0)
			kind = FACT_FENCE;
		else if (is_item(p, c))
			kind = FACT_ITEM;
		else
			kind = FACT_PARA;
		e = block_end(kind, p, end);
		add_fact(sec, kind, p, (size_t)(e - p));
	}
}

/* Write the profile back: the same bytes when nothing was changed. */
void
profile_write(const struct profile *pr, struct buf *out)
{
	size_t i, k;

	for (i = 0; i < pr->n; i++) {
		const struct section *sec = &pr->sections[i];

		if (sec->head != NULL)
			buf_add(out, sec->head, sec->headlen);
		for (k = 0; k < sec->n; k++)
			buf_add(out, sec->facts[k].text, sec->facts[k].len);
	}
}

/* What a section's heading reads as: its key ("" before any heading). */
char *
profile_section_key(const struct section *sec)
{
	return sec->head != NULL ? profile_norm(sec->head, sec->headlen) :
	    xstrdup("");
}

/* The section of pr (may be NULL) whose key is key, or NULL. */
const struct section *
profile_section(const struct profile *pr, const char *key)
{
	size_t i;
	char *k;
	int eq;

	for (i = 0; pr != NULL && i < pr->n; i++) {
		k = profile_section_key(&pr->sections[i]);
		eq = strcmp(k, key) == 0;
		free(k);
		if (eq)
			return &pr->sections[i];
	}
	return NULL;
}

void
profile_free(struct profile *pr)
{
	size_t i;

	for (i = 0; i < pr->n; i++)
		free(pr->sections[i].facts);
	free(pr->sections);
	free(pr->text);
	memset(pr, 0, sizeof(*pr));
}

static int
is_word(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* Where a fact's text starts: after white space and a list marker. */
static size_t
text_start(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	/* a list marker: "-", "*", "+" or "12." "12)" */
	if (i < n && strchr("-*+", s[i]) != NULL && i + 1 < n &&
	    isspace((unsigned char)s[i + 1]))
		return i + 2;
	for (k = i; k < n && isdigit((unsigned char)s[k]); k++)
		;
	return k > i && k < n && (s[k] == '.' || s[k] == ')') ? k + 1 : i;
}

/*
 * The text of a fact for comparing: without its list marker, emphasis
 * marks, case and runs of white space, and trailing punctuation.
 */
char *
profile_norm(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;
	int space = 0;

	/* never longer than s: a space stands for one at least */
	buf_grow(&b, n);
	for (i = text_start(s, n); i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* a NUL byte too, as strchr("*_`~", c) would have it */
		if (c == '*' || c == '_' || c == '`' || c == '~' || c == '\0')
			continue;
		if (isspace(c)) {
			space = b.len > 0;
			continue;
		}
		if (space)
			b.s[b.len++] = ' ';
		space = 0;
		b.s[b.len++] = (char)(c < 0x80 ? tolower(c) : c);
	}
	while (b.len > 0 && strchr(".,;:!?", b.s[b.len - 1]) != NULL)
		b.len--;
	b.s[b.len] = '\0';
	return buf_detach(&b);
}

/*
 * A fact as its author wrote it, on one line, for a message: without
 * its list marker and line ends, each run of white space one space.
 */
void
profile_shown(const char *s, size_t n, struct buf *out)
{
	size_t i, start = out->len;
	int space = 0;

	for (i = text_start(s, n); i < n; i++) {
		if (isspace((unsigned char)s[i]))
			space = 1;
		else {
			if (space && out->len > start)
				buf_addc(out, ' ');
			buf_addc(out, s[i]);
			space = 0;
		}
	}
}

/* "Key: value": the key, normalised, when the fact has that shape. */
char *
profile_key(const char *norm)
{
	const char *colon = strstr(norm, ": ");
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - norm)) == 0 || n > 40 ||
	    memchr(norm, ' ', n) != NULL)
		return NULL;
	return strndup(norm, n);
}

static int
cmp_word(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The words of a normalised text, sorted, each once: runs of word
 * characters cut out of one copy of it, *copy, that *words points
 * into.  Both are the caller's to free.  How many words.
 */
size_t
profile_words(const char *norm, char **copy, char ***words)
{
	char *p, *q, **w = NULL;
	size_t i, n = 0, u = 0;
	int pass;

	*copy = xstrdup(norm);
	/* count, then cut */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			w = xreallocarray(NULL, n + 1, sizeof(*w));
			n = 0;
		}
		for (p = *copy; *p != '\0'; p = q) {
			while (*p != '\0' && !is_word((unsigned char)*p))
				p++;
			for (q = p; *q != '\0' && is_word((unsigned char)*q);
			    q++)
				;
			if (q == p)
				break;
			if (pass == 1) {
				w[n] = p;
				if (*q != '\0')
					*q++ = '\0';
			}
			n++;
		}
	}
	if (n > 1)
		qsort(w, n, sizeof(*w), cmp_word);
	for (i = 0; i < n; i++)
		if (u == 0 || strcmp(w[u - 1], w[i]) != 0)
			w[u++] = w[i];
	*words = w;
	return u;
}
