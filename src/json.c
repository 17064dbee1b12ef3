/*
 * json.c: strict RFC 8259 JSON on top of the jsmn tokenizer.
 *
 * jsmn, even in strict mode, accepts much that is not JSON ({"a":1,},
 * [1,], {"a" "b"}, 01, tru, raw control characters, bad escapes, lone
 * surrogates, invalid UTF-8, text after a NUL, two top-level values).
 * So jsmn only finds the tokens; a second walk then checks every token
 * and every gap between two tokens against the grammar, and refuses
 * duplicate keys.  Everything is linear in the input: a pre-scan
 * bounds the nesting depth before jsmn runs (jsmn's closing-bracket
 * search with parent links walks up the open containers, which would
 * be quadratic in the depth), and duplicate keys are found by sorting
 * each object's keys.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct walk {
	const struct json *j;
	int		 ti;		/* next token to check */
	size_t		 pos;		/* next byte to check */
};

static int	check_value(struct walk *, int);

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
skip_ws(const char *s, size_t len, size_t pos)
{
	while (pos < len && is_ws(s[pos]))
		pos++;
	return pos;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The \uXXXX code unit at p (which holds at least 6 bytes), or -1. */
static long
u_escape(const char *p)
{
	long v = 0;
	int i, h;

	if (p[0] != '\\' || p[1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		if ((h = hexval(p[i])) < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* Check the contents of a string token (between the quotes). */
static int
check_string(const char *s, size_t start, size_t end)
{
	size_t i = start, k;
	long u, lo;

	while (i < end) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20) {
			bus_seterr("raw control character 0x%02x in a string "
			    "at offset %zu", c, i);
			return -1;
		}
		if (c >= 0x80) {
			if ((k = utf8_len(s + i, end - i)) == 0) {
				bus_seterr("invalid UTF-8 at offset %zu", i);
				return -1;
			}
			i += k;
			continue;
		}
		if (c != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= end || strchr("\"\\/bfnrtu", s[i + 1]) == NULL) {
			bus_seterr("bad escape in a string at offset %zu", i);
			return -1;
		}
		if (s[i + 1] != 'u') {
			i += 2;
			continue;
		}
		if (end - i < 6 || (u = u_escape(s + i)) < 0) {
			bus_seterr("bad \\u escape at offset %zu", i);
			return -1;
		}
		if (u >= 0xdc00 && u <= 0xdfff) {
			bus_seterr("lone low surrogate at offset %zu", i);
			return -1;
		}
		if (u >= 0xd800 && u <= 0xdbff) {
			if (end - i < 12 || (lo = u_escape(s + i + 6)) < 0xdc00 ||
			    lo > 0xdfff) {
				bus_seterr("lone high surrogate at offset %zu", i);
				return -1;
			}
			i += 12;
		} else
			i += 6;
	}
	return 0;
}

/* Check a primitive token: a literal or a number, exactly. */
static int
check_primitive(const char *s, size_t start, size_t end)
{
	const char *p = s + start, *e = s + end;
	size_t n = end - start;

	if ((n == 4 && memcmp(p, "true", 4) == 0) ||
	    (n == 5 && memcmp(p, "false", 5) == 0) ||
	    (n == 4 && memcmp(p, "null", 4) == 0))
		return 0;
	if (p < e && *p == '-')
		p++;
	if (p == e || *p < '0' || *p > '9')
		goto bad;
	if (*p == '0' && p + 1 < e && p[1] >= '0' && p[1] <= '9') {
		bus_seterr("number with a leading zero at offset %zu", start);
		return -1;
	}
	while (p < e && *p >= '0' && *p <= '9')
		p++;
	if (p < e && *p == '.') {
		if (++p == e || *p < '0' || *p > '9')
			goto bad;
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p == e || *p < '0' || *p > '9')
			goto bad;
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p == e)
		return 0;
bad:
	bus_seterr("bad literal or number \"%.*s\" at offset %zu",
	    n > 20 ? 20 : (int)n, s + start, start);
	return -1;
}

/* The token the walk expects next, or NULL with an error set. */
static const jsmntok_t *
next_tok(struct walk *w)
{
	const jsmntok_t *t;

	if (w->ti >= w->j->ntok) {
		if (w->pos < w->j->len)
			bus_seterr("unexpected '%c' at offset %zu",
			    w->j->s[w->pos], w->pos);
		else
			bus_seterr("unexpected end of input");
		return NULL;
	}
	t = &w->j->tok[w->ti];
	if (t->start < 0 || t->end < t->start || (size_t)t->end > w->j->len) {
		bus_seterr("unexpected token structure at offset %zu", w->pos);
		return NULL;
	}
	return t;
}

/* After a ',': refuse "[1,]" and "{"a":1,}" with a clear reason. */
static int
no_trailing_comma(struct walk *w)
{
	size_t p = skip_ws(w->j->s, w->j->len, w->pos);

	if (p < w->j->len && (w->j->s[p] == '}' || w->j->s[p] == ']')) {
		bus_seterr("trailing comma at offset %zu", p);
		return -1;
	}
	return 0;
}

static int
expect(struct walk *w, char c, const char *what)
{
	w->pos = skip_ws(w->j->s, w->j->len, w->pos);
	if (w->pos >= w->j->len) {
		bus_seterr("unexpected end of input: expected %s", what);
		return -1;
	}
	if (w->j->s[w->pos] != c) {
		if (w->j->s[w->pos] == ',') {
			w->pos++;
			if (no_trailing_comma(w) == -1)
				return -1;
			w->pos--;
		}
		bus_seterr("expected %s at offset %zu", what, w->pos);
		return -1;
	}
	w->pos++;
	return 0;
}

/* A string token at the current position: "...". */
static int
check_string_tok(struct walk *w, const char *what)
{
	const jsmntok_t *t;

	w->pos = skip_ws(w->j->s, w->j->len, w->pos);
	if ((t = next_tok(w)) == NULL)
		return -1;
	if (w->pos >= w->j->len || t->type != JSMN_STRING ||
	    (size_t)t->start != w->pos + 1) {
		bus_seterr("expected %s at offset %zu", what, w->pos);
		return -1;
	}
	if (check_string(w->j->s, (size_t)t->start, (size_t)t->end) == -1)
		return -1;
	w->pos = (size_t)t->end + 1;
	w->ti++;
	return 0;
}

struct key {
	const char	*s;
	size_t		 len;
};

static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->s, y->s, x->len);
}

/*
 * Refuse an object with two equal keys, compared after unescaping
 * ("a" and "\u0061" are the same key).  Sorting keeps the cost at
 * k log k for an object of k keys, whatever the keys look like.
 */
static int
check_dup_keys(const struct json *j, const int *keys, size_t n)
{
	struct buf arena = BUF_INIT, safe = BUF_INIT;
	struct key *k = NULL;
	size_t *off = NULL, i;
	int rv = -1;

	if (n < 2)
		return 0;
	if ((k = reallocarray(NULL, n, sizeof(*k))) == NULL ||
	    (off = reallocarray(NULL, n, sizeof(*off))) == NULL) {
		bus_seterrno("duplicate key check");
		goto out;
	}
	buf_grow(&arena, 0);	/* empty keys still need a base pointer */
	for (i = 0; i < n; i++) {
		off[i] = arena.len;
		json_unescape(j, keys[i], &arena);
		k[i].len = arena.len - off[i];
	}
	for (i = 0; i < n; i++)
		k[i].s = arena.s + off[i];
	qsort(k, n, sizeof(*k), key_cmp);
	for (i = 1; i < n; i++) {
		if (key_cmp(&k[i - 1], &k[i]) == 0) {
			buf_reset(&safe);
			text_safe(&safe, k[i].s, k[i].len > 40 ? 40 : k[i].len);
			bus_seterr("duplicate key \"%s%s\"", safe.s,
			    k[i].len > 40 ? "..." : "");
			goto out;
		}
	}
	rv = 0;
out:
	buf_free(&arena);
	buf_free(&safe);
	free(k);
	free(off);
	return rv;
}

static int
check_object(struct walk *w, const jsmntok_t *t, int depth)
{
	int *keys = NULL, i, rv = -1;

	if (t->size > 0 &&
	    (keys = reallocarray(NULL, (size_t)t->size, sizeof(*keys))) == NULL) {
		bus_seterrno("object");
		return -1;
	}
	for (i = 0; i < t->size; i++) {
		if (i > 0 && (expect(w, ',', "',' or '}'") == -1 ||
		    no_trailing_comma(w) == -1))
			goto out;
		keys[i] = w->ti;
		if (check_string_tok(w, "a string key") == -1 ||
		    expect(w, ':', "':'") == -1 ||
		    check_value(w, depth + 1) == -1)
			goto out;
	}
	if (expect(w, '}', t->size > 0 ? "',' or '}'" : "a string key or '}'")
	    == -1)
		goto out;
	if ((size_t)t->end != w->pos) {
		bus_seterr("unexpected token structure at offset %zu", w->pos);
		goto out;
	}
	rv = check_dup_keys(w->j, keys, (size_t)t->size);
out:
	free(keys);
	return rv;
}

static int
check_array(struct walk *w, const jsmntok_t *t, int depth)
{
	int i;

	for (i = 0; i < t->size; i++) {
		if (i > 0 && (expect(w, ',', "',' or ']'") == -1 ||
		    no_trailing_comma(w) == -1))
			return -1;
		if (check_value(w, depth + 1) == -1)
			return -1;
	}
	if (expect(w, ']', t->size > 0 ? "',' or ']'" : "a value or ']'") == -1)
		return -1;
	if ((size_t)t->end != w->pos) {
		bus_seterr("unexpected token structure at offset %zu", w->pos);
		return -1;
	}
	return 0;
}

/*
 * Check the value that starts at the next token, and move past it.
 * depth is the nesting level a container here would have (the top
 * level is 1).
 */
static int
check_value(struct walk *w, int depth)
{
	const jsmntok_t *t;
	const char *s = w->j->s;

	w->pos = skip_ws(s, w->j->len, w->pos);
	if ((t = next_tok(w)) == NULL)
		return -1;
	if (t->type == JSMN_STRING)
		return check_string_tok(w, "a value");
	if ((size_t)t->start != w->pos) {
		bus_seterr("expected a value at offset %zu", w->pos);
		return -1;
	}
	switch (t->type) {
	case JSMN_PRIMITIVE:
		if (check_primitive(s, (size_t)t->start, (size_t)t->end) == -1)
			return -1;
		w->pos = (size_t)t->end;
		w->ti++;
		return 0;
	case JSMN_OBJECT:
	case JSMN_ARRAY:
		if (depth > JSON_MAX_DEPTH) {
			bus_seterr("nesting deeper than %d levels",
			    JSON_MAX_DEPTH);
			return -1;
		}
		if (s[w->pos] != (t->type == JSMN_OBJECT ? '{' : '[')) {
			bus_seterr("unexpected token structure at offset %zu",
			    w->pos);
			return -1;
		}
		w->pos++;
		w->ti++;
		return t->type == JSMN_OBJECT ? check_object(w, t, depth) :
		    check_array(w, t, depth);
	default:
		bus_seterr("unexpected token at offset %zu", w->pos);
		return -1;
	}
}

/*
 * Before jsmn runs: refuse NUL bytes (jsmn stops at the first NUL and
 * would accept whatever came before), a byte-order mark, and nesting
 * beyond JSON_MAX_DEPTH, in one linear pass.  Also note where the
 * first top-level container ends, for a clear error when text follows
 * it that jsmn cannot finish ("{} 1").
 */
static int
prescan(const char *s, size_t len, size_t *first_end)
{
	const char *nul;
	size_t i;
	int depth = 0, instr = 0;

	*first_end = 0;

	if ((nul = memchr(s, '\0', len)) != NULL) {
		bus_seterr("NUL byte at offset %zu", (size_t)(nul - s));
		return -1;
	}
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		bus_seterr("byte-order mark at the start");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (instr) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				instr = 0;
		} else if (s[i] == '"')
			instr = 1;
		else if (s[i] == '{' || s[i] == '[') {
			if (++depth > JSON_MAX_DEPTH) {
				bus_seterr("nesting deeper than %d levels",
				    JSON_MAX_DEPTH);
				return -1;
			}
		} else if ((s[i] == '}' || s[i] == ']') && depth > 0) {
			if (--depth == 0 && *first_end == 0)
				*first_end = i + 1;
		}
	}
	return 0;
}

/*
 * jsmn in strict mode wants a delimiter after a primitive, so a bare
 * top-level number or literal at the very end ("1", "true") gets
 * JSMN_ERROR_PART.  RFC 8259 allows it: make the one token by hand
 * and let the walk judge it.
 */
static int
bare_primitive(struct json *j)
{
	size_t start = skip_ws(j->s, j->len, 0), end = start;

	while (end < j->len && !is_ws(j->s[end]))
		end++;
	if (start == end || strchr("-0123456789tfn", j->s[start]) == NULL)
		return 0;
	if ((j->tok = calloc(1, sizeof(*j->tok))) == NULL)
		return -1;
	j->tok[0].type = JSMN_PRIMITIVE;
	j->tok[0].start = (int)start;
	j->tok[0].end = (int)end;
	j->tok[0].parent = -1;
	j->ntok = 1;
	return 1;
}

/*
 * jsmn refused the document at pos.  Where that is a string, the
 * string's own check names the fault (a bad escape, say) and its
 * offset; otherwise say which character was not expected.
 */
static void
diagnose(const char *s, size_t len, size_t pos)
{
	size_t end;

	if (pos < len && s[pos] == '"') {
		for (end = pos + 1; end < len && s[end] != '"'; end++)
			if (s[end] == '\\')
				end++;
		if (end > len)
			end = len;
		if (check_string(s, pos + 1, end) == -1)
			return;
	}
	if (pos < len && s[pos] > 0x20 && s[pos] < 0x7f)
		bus_seterr("unexpected '%c' at offset %zu", s[pos], pos);
	else if (pos < len)
		bus_seterr("unexpected byte 0x%02x at offset %zu",
		    (unsigned char)s[pos], pos);
	else
		bus_seterr("invalid JSON at offset %zu", pos);
}

/*
 * Parse and check the document s of len bytes.  On success j->tok
 * holds its tokens, in document order; json_free() releases them.
 */
int
json_parse(struct json *j, const char *s, size_t len)
{
	struct walk w;
	jsmn_parser p;
	size_t first_end;
	int n, r;

	memset(j, 0, sizeof(*j));
	j->s = s;
	j->len = len;
	if (len > JSON_MAX_SIZE) {
		bus_seterr("larger than %d bytes", JSON_MAX_SIZE);
		return -1;
	}
	if (prescan(s, len, &first_end) == -1)
		return -1;

	jsmn_init(&p);
	n = jsmn_parse(&p, s, len, NULL, 0);
	if (n == 0 && skip_ws(s, len, 0) == len) {
		bus_seterr("empty document");
		return -1;
	}
	if (n > 0) {
		if ((j->tok = reallocarray(NULL, (size_t)n,
		    sizeof(*j->tok))) == NULL) {
			bus_seterrno("json");
			return -1;
		}
		jsmn_init(&p);
		r = jsmn_parse(&p, s, len, j->tok, (unsigned int)n);
	} else
		r = n;
	if (r == JSMN_ERROR_PART && first_end > 0 &&
	    skip_ws(s, len, first_end) < len) {
		bus_seterr("text after the JSON value at offset %zu",
		    skip_ws(s, len, first_end));
		json_free(j);
		return -1;
	}
	if (r == JSMN_ERROR_PART) {
		free(j->tok);
		j->tok = NULL;
		if ((r = bare_primitive(j)) == -1) {
			bus_seterrno("json");
			return -1;
		}
		if (r == 0) {
			bus_seterr("unexpected end of input");
			return -1;
		}
	} else if (r < 0) {
		diagnose(s, len, p.pos);
		json_free(j);
		return -1;
	} else
		j->ntok = r;

	w.j = j;
	w.ti = 0;
	w.pos = 0;
	if (check_value(&w, 1) == -1)
		goto bad;
	w.pos = skip_ws(s, len, w.pos);
	if (w.pos != len || w.ti != j->ntok) {
		bus_seterr("text after the JSON value at offset %zu", w.pos);
		goto bad;
	}
	return 0;
bad:
	json_free(j);
	return -1;
}

void
json_free(struct json *j)
{
	free(j->tok);
	j->tok = NULL;
	j->ntok = 0;
}

/* The index of the token after the value at token i. */
int
json_next(const struct json *j, int i)
{
	int n = i + 1;

	if (j->tok[i].type == JSMN_OBJECT || j->tok[i].type == JSMN_ARRAY)
		while (n < j->ntok && j->tok[n].start < j->tok[i].end)
			n++;
	return n;
}

/* Append the UTF-8 of a code point below U+110000. */
static void
put_utf8(struct buf *b, uint32_t cp)
{
	if (cp < 0x80)
		buf_addc(b, (int)cp);
	else if (cp < 0x800) {
		buf_addc(b, (int)(0xc0 | cp >> 6));
		buf_addc(b, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (int)(0xe0 | cp >> 12));
		buf_addc(b, (int)(0x80 | (cp >> 6 & 0x3f)));
		buf_addc(b, (int)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (int)(0xf0 | cp >> 18));
		buf_addc(b, (int)(0x80 | (cp >> 12 & 0x3f)));
		buf_addc(b, (int)(0x80 | (cp >> 6 & 0x3f)));
		buf_addc(b, (int)(0x80 | (cp & 0x3f)));
	}
}

/*
 * Append the value of string token i, unescaped, to b.  The document
 * has been checked, so every escape here is well formed.
 */
int
json_unescape(const struct json *j, int i, struct buf *b)
{
	const char *s = j->s;
	size_t p = (size_t)j->tok[i].start, end = (size_t)j->tok[i].end, run;
	uint32_t cp;

	if (j->tok[i].type != JSMN_STRING) {
		bus_seterr("not a string");
		return -1;
	}
	while (p < end) {
		for (run = p; run < end && s[run] != '\\'; run++)
			;
		buf_add(b, s + p, run - p);
		if ((p = run) == end)
			break;
		switch (s[p + 1]) {
		case 'b': buf_addc(b, '\b'); break;
		case 'f': buf_addc(b, '\f'); break;
		case 'n': buf_addc(b, '\n'); break;
		case 'r': buf_addc(b, '\r'); break;
		case 't': buf_addc(b, '\t'); break;
		case 'u':
			cp = (uint32_t)u_escape(s + p);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    ((uint32_t)u_escape(s + p + 6) - 0xdc00);
				p += 6;
			}
			put_utf8(b, cp);
			p += 4;
			break;
		default:
			buf_addc(b, s[p + 1]);
			break;
		}
		p += 2;
	}
	return 0;
}

/* Is token i a string equal to key (compared after unescaping)? */
int
json_key_is(const struct json *j, int i, const char *key)
{
	const jsmntok_t *t = &j->tok[i];
	size_t n = strlen(key);
	struct buf b = BUF_INIT;
	int eq;

	if (t->type != JSMN_STRING)
		return 0;
	if (memchr(j->s + t->start, '\\', (size_t)(t->end - t->start)) == NULL)
		return (size_t)(t->end - t->start) == n &&
		    memcmp(j->s + t->start, key, n) == 0;
	json_unescape(j, i, &b);
	eq = b.len == n && memcmp(b.s, key, n) == 0;
	buf_free(&b);
	return eq;
}

/*
 * Append s (n bytes of UTF-8) to b as a JSON string.  Control
 * characters are escaped, so the output is one line; fails on
 * invalid UTF-8.
 */
int
json_put_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run;

	if (!utf8_valid(s, n)) {
		bus_seterr("invalid UTF-8");
		return -1;
	}
	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		for (run = i; run < n && (unsigned char)s[run] >= 0x20 &&
		    s[run] != '"' && s[run] != '\\' && s[run] != 0x7f; run++)
			;
		if (run > i) {
			buf_add(b, s + i, run - i);
			if ((i = run) == n)
				break;
			c = (unsigned char)s[i];
		}
		switch (c) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\b': buf_adds(b, "\\b"); break;
		case '\f': buf_adds(b, "\\f"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		default:
			buf_adds(b, "\\u00");
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 0xf]);
			break;
		}
	}
	buf_addc(b, '"');
	return 0;
}

/*
 * Append the checked value at token i to b without the white space
 * between its tokens: the compact form tools write.
 */
int
json_put_compact(struct buf *b, const struct json *j, int i)
{
	const jsmntok_t *t = &j->tok[i];
	size_t p, start, end;
	int instr = 0;

	start = (size_t)t->start;
	end = (size_t)t->end;
	if (t->type == JSMN_STRING) {
		buf_add(b, j->s + start - 1, end - start + 2);
		return 0;
	}
	for (p = start; p < end; p++) {
		char c = j->s[p];

		if (instr) {
			if (c == '\\') {
				buf_add(b, j->s + p, 2);
				p++;
				continue;
			}
			if (c == '"')
				instr = 0;
		} else if (c == '"')
			instr = 1;
		else if (is_ws(c))
			continue;
		buf_addc(b, c);
	}
	return 0;
}
