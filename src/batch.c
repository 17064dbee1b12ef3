/*
 * batch.c: one line of bus-send --batch: an NDJSON object whose string
 * members say what to send (SPEC section 5); any other member but the
 * protocol's is kept, as bus-send -F keeps its own.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "msg.h"

static const char *const members[] = { "to", "type", "body", "re", "id" };

#define NMEMBERS	(sizeof(members) / sizeof(*members))

/* Keep the member at token i, one of no protocol field, in b->extra. */
static int
keep(struct batch_msg *b, const struct json *j, int i)
{
	struct buf key = BUF_INIT, value = BUF_INIT;
	int rv;

	json_unescape(j, i, &key);
	buf_grow(&key, 0);		/* "" is a name too */
	json_put_compact(&value, j, i + 1);
	if (strlen(key.s) != key.len) {
		bus_seterr("a member's name holds a NUL");
		rv = -1;
	} else
		rv = msg_field_add(&b->extra, key.s, value.s, value.len);
	buf_free(&key);
	buf_free(&value);
	return rv;
}

/* Is the key at token i one of members[]? */
static int
known_member(const struct json *j, int i)
{
	size_t a;

	for (a = 0; a < NMEMBERS; a++)
		if (json_key_is(j, i, members[a]))
			return 1;
	return 0;
}

/*
 * The string member key into *out (its length in *len), left NULL
 * when absent.
 */
static int
member(const struct json *j, const char *key, char **out, size_t *len)
{
	struct buf v = BUF_INIT;
	int i, k;

	for (i = 1, k = 0; k < j->tok[0].size; k++, i = json_next(j, i + 1)) {
		if (!json_key_is(j, i, key))
			continue;
		if (j->tok[i + 1].type != JSMN_STRING) {
			bus_seterr("%s: not a string", key);
			bus_setclass(EX_DATAERR);
			return -1;
		}
		if (json_unescape(j, i + 1, &v) == -1) {
			buf_free(&v);
			return -1;
		}
		if (len != NULL)
			*len = v.len;
		*out = buf_detach(&v);
		return 0;
	}
	return 0;
}

/*
 * Parse one line (NUL-terminated, len bytes) into b; blank lines give
 * an empty b (b->to NULL) and are no error.  Fails with EX_DATAERR.
 */
int
batch_parse(struct batch_msg *b, const char *line, size_t len)
{
	struct json j;
	int i, k, rv = -1;

	memset(b, 0, sizeof(*b));
	if (line[strspn(line, " \t\r")] == '\0')
		return 0;
	if (json_parse(&j, line, len) == -1) {
		bus_setclass(EX_DATAERR);
		return -1;
	}
	if (j.tok[0].type != JSMN_OBJECT) {
		bus_seterr("not a JSON object");
		goto out;
	}
	for (i = 1, k = 0; k < j.tok[0].size; k++, i = json_next(&j, i + 1))
		if (!known_member(&j, i) && keep(b, &j, i) == -1)
			goto out;
	if (member(&j, "to", &b->to, NULL) == -1 ||
	    member(&j, "body", &b->body, &b->bodylen) == -1 ||
	    member(&j, "type", &b->type, NULL) == -1 ||
	    member(&j, "re", &b->re, NULL) == -1 ||
	    member(&j, "id", &b->id, NULL) == -1)
		goto out;
	if (b->to == NULL || b->body == NULL) {
		bus_seterr("to and body are required");
		goto out;
	}
	rv = 0;
out:
	if (rv == -1) {
		bus_setclass(EX_DATAERR);
		batch_free(b);
	}
	json_free(&j);
	return rv;
}

void
batch_free(struct batch_msg *b)
{
	free(b->to);
	free(b->type);
	free(b->body);
	free(b->re);
	free(b->id);
	msg_free(&b->extra);
	memset(b, 0, sizeof(*b));
}
