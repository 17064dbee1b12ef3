/*
 * t-json: the strict JSON layer that SPEC section 3 asks for.  jsmn
 * alone accepts much that is not JSON, so json.c checks its tokens
 * again; this test feeds it a corpus of documents that RFC 8259
 * accepts or refuses (with explicit lengths, since some hold NUL
 * bytes), a few large generated ones, and then checks the helpers that
 * read and write JSON strings.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "tap.h"

struct tcase {
	const char	*name;
	const char	*in;
	size_t		 len;
	int		 accept;
	const char	*why;		/* a word of the reason, or NULL */
};

/* sizeof, not strlen: some inputs hold NUL bytes. */
#define ACC(name, s)		{ name, s, sizeof(s) - 1, 1, NULL }
#define REF(name, s, why)	{ name, s, sizeof(s) - 1, 0, why }

/*
 * Nesting is built from pieces so the depth is exact and visible:
 * L64 opens 64 arrays, K63 opens 63 objects (each with a key waiting
 * for its value), M31 opens 62 containers alternating [ and {.
 */
#define L8	"[[[[[[[["
#define R8	"]]]]]]]]"
#define L64	L8 L8 L8 L8 L8 L8 L8 L8
#define R64	R8 R8 R8 R8 R8 R8 R8 R8
#define K1	"{\"a\":"
#define K7	K1 K1 K1 K1 K1 K1 K1
#define K63	K7 K7 K7 K7 K7 K7 K7 K7 K7
#define E7	"}}}}}}}"
#define E63	E7 E7 E7 E7 E7 E7 E7 E7 E7
#define M1	"[{\"a\":"
#define M31	M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 \
		M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1 M1
#define N1	"}]"
#define N31	N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 \
		N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1 N1

/*
 * The reason words below are the ones json.c uses.  Where jsmn itself
 * refuses (stray bytes outside strings, non-string keys) only a reason
 * is asserted, not its wording.
 */
static const struct tcase corpus[] = {
	/* every value kind at the top level */
	ACC("empty object", "{}"),
	ACC("empty array", "[]"),
	ACC("object of every kind",
	    "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"},\"f\":-2.5}"),
	ACC("array of every kind",
	    "[1,-2.5e3,\"s\",true,false,null,{},[],{\"k\":[{}]}]"),
	ACC("bare string", "\"abc\""),
	ACC("bare empty string", "\"\""),
	ACC("bare number", "42"),
	ACC("bare zero", "0"),
	ACC("bare negative", "-1"),
	ACC("bare fraction", "3.25"),
	ACC("bare exponent", "1E5"),
	ACC("bare true", "true"),
	ACC("bare false", "false"),
	ACC("bare null", "null"),
	ACC("bare number then white space", "42 \n"),
	ACC("bare true then tab", "true\t"),
	ACC("bare null then newline", "null\n"),
	ACC("bare string then crlf", "\"a\"\r\n"),
	ACC("white space then bare number", " \t\r\n7"),
	ACC("bare false inside white space", "\nfalse\n"),

	/* white space: exactly four kinds */
	ACC("all four white space kinds everywhere",
	    " \t\n\r{ \t\n\r\"a\" \t\n\r: \t\n\r[ \t\n\r1 \t\n\r, \t\n\r2"
	    " \t\n\r] \t\n\r} \t\n\r"),
	ACC("newline after object", "{}\n"),
	ACC("crlf lines", "{\r\n\"a\":1\r\n}\r\n"),
	ACC("nbsp inside a string", "\"\xc2\xa0\""),
	REF("vertical tab inside object", "{\v}", NULL),
	REF("vertical tab after number", "[1\v]", NULL),
	REF("form feed before value", "\f{}", NULL),
	REF("form feed after value", "{}\f", NULL),
	REF("nbsp inside object", "{\xc2\xa0}", NULL),
	REF("nbsp before bare number", "\xc2\xa0" "1", NULL),
	REF("ideographic space in array", "[\xe3\x80\x80" "1]", NULL),
	REF("line separator after number", "[1\xe2\x80\xa8]", NULL),

	/* separators */
	REF("missing comma in array", "[1 2]", "expected ','"),
	REF("missing comma in object", "{\"a\":1 \"b\":2}", "expected ','"),
	REF("missing comma between strings", "[\"a\" \"b\"]", "expected ','"),
	REF("missing colon before number", "{\"a\" 1}", NULL),
	REF("string pair without colon", "{\"a\" \"b\"}", "expected ':'"),
	REF("key without value", "{\"a\"}", "expected ':'"),
	REF("colon without value", "{\"a\":}", "unexpected"),
	REF("double colon", "{\"a\"::1}", "expected a value"),
	REF("trailing comma in object", "{\"a\":1,}", "trailing comma"),
	REF("trailing comma in array", "[1,]", "trailing comma"),
	REF("trailing comma in nested array", "[[1],]", "trailing comma"),
	REF("trailing comma after white space", "[1 , ]", "trailing comma"),
	REF("trailing comma in inner object", "[{\"a\":{},}]",
	    "trailing comma"),
	REF("only a comma in array", "[,]", NULL),
	REF("only a comma in object", "{,}", NULL),
	REF("leading comma in array", "[,1]", "expected a value"),
	REF("leading comma in object", "{,\"a\":1}", "string key"),
	REF("double comma in array", "[1,,2]", "expected a value"),
	REF("double comma in object", "{\"a\":1,,\"b\":2}", "string key"),
	REF("colon in array", "[1:2]", NULL),
	REF("string and colon in array", "[\"a\":1]", "expected ','"),
	REF("comma instead of colon", "{\"a\",1}", NULL),
	REF("second colon after value", "{\"a\":\"b\":\"c\"}", NULL),
	REF("number key", "{1:2}", NULL),
	REF("null key", "{null:1}", NULL),
	REF("true key", "{true:1}", NULL),
	REF("object key", "{{}:1}", NULL),
	REF("array key", "{[]:1}", NULL),
	REF("single quoted key", "{'a':1}", NULL),
	REF("unquoted key", "{a:1}", NULL),
	REF("array where a pair belongs", "{\"a\":1,[2]}", NULL),
	REF("unclosed object", "{", "end of input"),
	REF("unclosed array", "[", "end of input"),
	REF("unclosed nested array", "[[]", "end of input"),
	REF("unclosed object after value", "{\"a\":1", "end of input"),
	REF("unclosed array after comma", "[1,", "end of input"),
	REF("mismatched [}", "[}", NULL),
	REF("mismatched {]", "{]", NULL),
	REF("mismatched nesting", "[{]}", NULL),
	REF("stray ]", "]", NULL),
	REF("stray }", "}", NULL),
	REF("extra ] after array", "[]]", NULL),
	REF("extra } after object", "{}}", NULL),
	REF("lone comma", ",", NULL),
	REF("lone colon", ":", NULL),
	REF("bare number then comma", "1,", "text after"),
	REF("object then comma", "{},", "text after"),

	/* literals */
	ACC("literals in array", "[true,false,null]"),
	REF("tru", "tru", "bad literal"),
	REF("nul", "nul", "bad literal"),
	REF("True", "True", NULL),
	REF("NULL", "NULL", NULL),
	REF("truex", "truex", "bad literal"),
	REF("t", "t", "bad literal"),
	REF("falsey", "falsey", "bad literal"),
	REF("fals in array", "[fals]", "bad literal"),
	REF("nulll in array", "[nulll]", "bad literal"),
	REF("True in array", "[True]", NULL),
	REF("literals run together", "[truefalse]", "bad literal"),
	REF("literal then string", "[true\"a\"]", "bad literal"),
	REF("undefined", "undefined", NULL),

	/* the number grammar */
	ACC("0", "[0]"),
	ACC("-0", "[-0]"),
	ACC("-0.0", "[-0.0]"),
	ACC("0.5", "[0.5]"),
	ACC("1E5", "[1E5]"),
	ACC("1e-5", "[1e-5]"),
	ACC("0.0e0", "[0.0e0]"),
	ACC("-0.5E+10", "[-0.5E+10]"),
	ACC("exponent with leading zeros", "[1e007]"),
	ACC("big integer", "[123456789012345678901234567890123456789]"),
	ACC("big exponent", "[1e400]"),
	ACC("tiny exponent", "[-1e-400]"),
	ACC("long fraction", "[3.14159265358979323846264338327950288]"),
	REF("01", "[01]", "leading zero"),
	REF("-01", "[-01]", "leading zero"),
	REF("00", "[00]", "leading zero"),
	REF("bare 01", "01", "leading zero"),
	REF("thousands separator", "[1,000]", "leading zero"),
	REF("1.", "[1.]", "bad literal"),
	REF("bare 1.", "1.", "bad literal"),
	REF(".5", "[.5]", NULL),
	REF("-.5", "[-.5]", "bad literal"),
	REF("-", "[-]", "bad literal"),
	REF("bare -", "-", "bad literal"),
	REF("+1", "[+1]", NULL),
	REF("--1", "[--1]", "bad literal"),
	REF("1e", "[1e]", "bad literal"),
	REF("1e+", "[1e+]", "bad literal"),
	REF("1e+-5", "[1e+-5]", "bad literal"),
	REF("0.e1", "[0.e1]", "bad literal"),
	REF("1.5.5", "[1.5.5]", "bad literal"),
	REF("1e5.5", "[1e5.5]", "bad literal"),
	REF("1-2", "[1-2]", "bad literal"),
	REF("0x10", "[0x10]", "bad literal"),
	REF("Infinity", "[Infinity]", NULL),
	REF("-Infinity", "[-Infinity]", "bad literal"),
	REF("NaN", "[NaN]", NULL),

	/* strings and escapes */
	ACC("every short escape",
	    "[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"]"),
	ACC("\\u in lower case hex", "[\"\\u00e9\\uabcd\"]"),
	ACC("\\u in upper case hex", "[\"\\u00E9\\uABCD\"]"),
	ACC("\\u in mixed case hex", "[\"\\uAbCd\"]"),
	ACC("\\u0000", "[\"\\u0000\"]"),
	ACC("DEL 0x7f raw in a string", "[\"\x7f\"]"),
	ACC("brackets inside a string", "[\"[{]}\\\"\"]"),
	ACC("solidus plain and escaped", "[\"/\\/\"]"),
	ACC("empty key", "{\"\":1}"),
	REF("\\a", "[\"\\a\"]", "bad escape"),
	REF("\\x", "[\"\\x41\"]", "bad escape"),
	REF("\\'", "[\"\\'\"]", "bad escape"),
	REF("\\U", "[\"\\U00e9\"]", "bad escape"),
	REF("\\0", "[\"\\0\"]", "bad escape"),
	REF("backslash space", "[\"\\ \"]", "bad escape"),
	REF("\\u with 3 hex digits", "[\"\\u00e\"]", "bad \\u escape"),
	REF("\\u with 2 hex digits", "[\"\\u12\"]", "bad \\u escape"),
	REF("\\u with no hex digits", "[\"\\u\"]", "bad \\u escape"),
	REF("\\u with a non-hex digit", "[\"\\u00g0\"]", "bad \\u escape"),
	REF("\\u cut by end of input", "\"\\u12", "end of input"),
	REF("raw 0x01", "[\"\x01\"]", "control"),
	REF("raw 0x1f", "[\"\x1f\"]", "control"),
	REF("raw tab", "[\"a\tb\"]", "control"),
	REF("raw newline", "[\"a\nb\"]", "control"),
	REF("raw carriage return", "[\"\r\"]", "control"),
	REF("raw escape 0x1b", "[\"\x1b[0m\"]", "control"),
	REF("raw control in a key", "{\"a\x01\":1}", "control"),
	REF("unterminated string", "[\"abc]", "end of input"),
	REF("unterminated bare string", "\"abc", "end of input"),
	REF("escaped quote leaves string open", "[\"abc\\\"]", "end of input"),
	REF("single quoted string", "['a']", NULL),

	/* surrogates */
	ACC("surrogate pair", "[\"\\ud83d\\ude00\"]"),
	ACC("surrogate pair in upper case", "[\"\\uD83D\\uDE00\"]"),
	ACC("first surrogate pair", "[\"\\ud800\\udc00\"]"),
	ACC("last surrogate pair", "[\"\\udbff\\udfff\"]"),
	ACC("neighbours of the surrogates", "[\"\\ud7ff\\ue000\"]"),
	REF("lone high surrogate", "[\"\\ud83d\"]", "surrogate"),
	REF("lone low surrogate", "[\"\\ude00\"]", "surrogate"),
	REF("high then a non-surrogate escape", "[\"\\ud83d\\u0041\"]",
	    "surrogate"),
	REF("high then a letter", "[\"\\ud83dx\"]", "surrogate"),
	REF("high then a short escape", "[\"\\ud83d\\n\"]", "surrogate"),
	REF("reversed pair", "[\"\\ude00\\ud83d\"]", "surrogate"),
	REF("two highs", "[\"\\ud800\\ud800\"]", "surrogate"),
	REF("high at end of string", "[\"abc\\ud800\"]", "surrogate"),
	REF("high then a raw encoded low", "[\"\\ud83d\xed\xb8\x80\"]",
	    "surrogate"),
	REF("lone low in a key", "{\"\\udc00\":1}", "surrogate"),

	/* UTF-8 */
	ACC("2-byte UTF-8", "[\"\xc3\xa9\"]"),
	ACC("3-byte UTF-8", "[\"\xe2\x82\xac\"]"),
	ACC("4-byte UTF-8", "[\"\xf0\x9f\x98\x80\"]"),
	ACC("smallest 2-byte U+0080", "[\"\xc2\x80\"]"),
	ACC("smallest 3-byte U+0800", "[\"\xe0\xa0\x80\"]"),
	ACC("smallest 4-byte U+10000", "[\"\xf0\x90\x80\x80\"]"),
	ACC("largest U+10FFFF", "[\"\xf4\x8f\xbf\xbf\"]"),
	ACC("U+D7FF before the surrogates", "[\"\xed\x9f\xbf\"]"),
	ACC("U+E000 after the surrogates", "[\"\xee\x80\x80\"]"),
	ACC("UTF-8 key", "{\"\xc3\xa9\":1}"),
	REF("stray continuation byte", "[\"\x80\"]", "UTF-8"),
	REF("stray continuation after ASCII", "[\"a\xbf\"]", "UTF-8"),
	REF("extra continuation byte", "[\"\xc3\xa9\xa9\"]", "UTF-8"),
	REF("truncated 2-byte", "[\"\xc3\"]", "UTF-8"),
	REF("truncated 3-byte", "[\"\xe2\x82\"]", "UTF-8"),
	REF("truncated 4-byte", "[\"\xf0\x9f\x98\"]", "UTF-8"),
	REF("truncated then ASCII", "[\"\xe2" "a\"]", "UTF-8"),
	REF("overlong C0 80", "[\"\xc0\x80\"]", "UTF-8"),
	REF("overlong C1 BF", "[\"\xc1\xbf\"]", "UTF-8"),
	REF("overlong E0 80 80", "[\"\xe0\x80\x80\"]", "UTF-8"),
	REF("overlong E0 9F BF", "[\"\xe0\x9f\xbf\"]", "UTF-8"),
	REF("overlong F0 80 80 80", "[\"\xf0\x80\x80\x80\"]", "UTF-8"),
	REF("overlong F0 8F BF BF", "[\"\xf0\x8f\xbf\xbf\"]", "UTF-8"),
	REF("encoded surrogate ED A0 80", "[\"\xed\xa0\x80\"]", "UTF-8"),
	REF("encoded surrogate ED BF BF", "[\"\xed\xbf\xbf\"]", "UTF-8"),
	REF("above U+10FFFF F4 90 80 80", "[\"\xf4\x90\x80\x80\"]", "UTF-8"),
	REF("F5 lead byte", "[\"\xf5\x80\x80\x80\"]", "UTF-8"),
	REF("F8 lead byte", "[\"\xf8\x88\x80\x80\x80\"]", "UTF-8"),
	REF("FC lead byte", "[\"\xfc\x84\x80\x80\x80\x80\"]", "UTF-8"),
	REF("FE byte", "[\"\xfe\"]", "UTF-8"),
	REF("FF byte", "[\"\xff\"]", "UTF-8"),
	REF("Latin-1 e acute", "[\"caf\xe9\"]", "UTF-8"),
	REF("invalid UTF-8 in a key", "{\"\xff\":1}", "UTF-8"),
	REF("invalid byte outside strings", "[1,\xff]", NULL),
	REF("UTF-8 letter outside strings", "[\xc3\xa9]", NULL),
	REF("continuation byte after value", "{}\x80", NULL),

	/* NUL bytes */
	REF("NUL inside a string", "[\"a\0b\"]", "NUL"),
	REF("NUL inside a key", "{\"a\0\":1}", "NUL"),
	REF("NUL between tokens", "[1,\0 2]", "NUL"),
	REF("NUL after the value", "{}\0garbage", "NUL"),
	REF("NUL after a bare number", "1\0", "NUL"),
	REF("NUL before the value", "\0{}", "NUL"),
	REF("NUL alone", "\0", "NUL"),

	/* byte-order marks */
	REF("byte-order mark before object", "\xef\xbb\xbf{}", "byte-order"),
	REF("byte-order mark alone", "\xef\xbb\xbf", "byte-order"),
	REF("byte-order mark after white space", " \xef\xbb\xbf{}", NULL),
	REF("byte-order mark after value", "{}\xef\xbb\xbf", NULL),
	REF("UTF-16 byte-order mark", "\xfe\xff{}", NULL),
	ACC("U+FEFF inside a string", "[\"\xef\xbb\xbf\"]"),

	/* anything after the top-level value */
	REF("two objects", "{}{}", "text after"),
	REF("two objects and a space", "{} {}", "text after"),
	REF("object then x", "{} x", NULL),
	REF("1 2", "1 2", "text after"),
	REF("[] []", "[] []", "text after"),
	REF("two strings", "\"a\" \"b\"", "text after"),
	REF("two literals", "true false", "text after"),
	REF("object then bare number", "{} 1", NULL),
	REF("array then bare literal", "[]true", NULL),
	REF("object then comment", "{}//c", NULL),
	REF("comment before object", "/* */{}", NULL),

	/* empty documents */
	REF("empty input", "", "empty"),
	REF("only a space", " ", "empty"),
	REF("only a newline", "\n", "empty"),
	REF("only the four white spaces", " \t\r\n", "empty"),

	/* duplicate keys */
	REF("duplicate key", "{\"a\":1,\"a\":2}", "duplicate key"),
	REF("duplicate key and value", "{\"a\":1,\"a\":1}", "duplicate key"),
	REF("duplicate key not adjacent", "{\"a\":1,\"b\":2,\"a\":3}",
	    "duplicate key"),
	REF("duplicate key at depth", "[{\"x\":{\"a\":1,\"a\":2}}]",
	    "duplicate key"),
	REF("duplicate a and \\u0061", "{\"a\":1,\"\\u0061\":2}",
	    "duplicate key"),
	REF("duplicate \\u00e9 and raw UTF-8", "{\"\\u00e9\":1,\"\xc3\xa9\":2}",
	    "duplicate key"),
	REF("duplicate / and \\/", "{\"/\":1,\"\\/\":2}", "duplicate key"),
	REF("duplicate empty key", "{\"\":1,\"\":2}", "duplicate key"),
	REF("duplicate pair and raw UTF-8",
	    "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", "duplicate key"),
	REF("duplicate key holding \\u0000", "{\"a\\u0000\":1,\"a\\u0000\":2}",
	    "duplicate key"),
	ACC("same key in sibling objects", "[{\"a\":1},{\"a\":2}]"),
	ACC("same key in parent and child", "{\"a\":{\"a\":1}}"),
	ACC("a and A", "{\"a\":1,\"A\":2}"),
	ACC("a and a-space", "{\"a\":1,\"a \":2}"),
	ACC("a and a\\u0000", "{\"a\":1,\"a\\u0000\":2}"),
	ACC("keys that are prefixes", "{\"ab\":1,\"a\":2,\"abc\":3}"),
	ACC("key equal to another's value", "{\"a\":\"b\",\"b\":\"a\"}"),

	/* nesting depth */
	ACC("64 nested arrays", L64 R64),
	REF("65 nested arrays", "[" L64 R64 "]", "nesting"),
	REF("65 unclosed arrays", "[" L64, "nesting"),
	ACC("64 nested objects", K63 "{}" E63),
	REF("65 nested objects", K1 K63 "{}" E63 "}", "nesting"),
	ACC("64 nested, arrays and objects", M31 "[{}]" N31),
	REF("65 nested, arrays and objects", M31 "[{\"a\":[]}]" N31,
	    "nesting"),
	/* the limit is on containers: a scalar is no level of its own */
	ACC("number inside 64 arrays", L64 "1" R64),
	ACC("string inside 64 objects", K63 "{\"a\":\"x\"}" E63),
	ACC("brackets in a string do not nest", "[\"" L64 L64 "\"]"),
	ACC("brackets after an escaped quote do not nest",
	    "[\"\\\"" L64 L64 "\\\\\"]"),
};

static int
reason_set(void)
{
	const char *e = bus_error();

	return e[0] != '\0' && strcmp(e, "unknown error") != 0;
}

static int
reason_has(const char *word)
{
	return strstr(bus_error(), word) != NULL;
}

/*
 * Parse a document; clear the last error first so a refusal that
 * forgets to give its reason shows up.
 */
static int
parse(struct json *j, const char *s, size_t len)
{
	bus_seterr("%s", "");
	return json_parse(j, s, len);
}

static void
check_case(const struct tcase *c)
{
	struct json j;
	int rv;

	rv = parse(&j, c->in, c->len);
	if (c->accept) {
		ok(rv == 0, "accepted: %s%s%s", c->name, rv == 0 ? "" : ": ",
		    rv == 0 ? "" : bus_error());
		/* The walk must have checked every token jsmn found. */
		ok(rv == 0 && j.ntok > 0 && json_next(&j, 0) == j.ntok,
		    "one top-level value spans every token: %s", c->name);
		if (rv == 0)
			json_free(&j);
		return;
	}
	ok(rv == -1, "refused: %s", c->name);
	if (rv == 0) {
		json_free(&j);
		bus_seterr("%s", "");
	}
	ok(reason_set(), "refused with a reason: %s: %s", c->name,
	    bus_error());
	if (c->why != NULL)
		ok(reason_has(c->why), "the reason for %s says \"%s\"",
		    c->name, c->why);
}

static void
test_corpus(void)
{
	size_t i;

	for (i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++)
		check_case(&corpus[i]);
}

static double
seconds_since(clock_t start)
{
	return (double)(clock() - start) / CLOCKS_PER_SEC;
}

static void
test_big_string(void)
{
	/* 16 bytes, two of them one UTF-8 character. */
	static const char unit[] = "0123456789abc\xc3\xa9z";
	const size_t size = 1024 * 1024;
	struct buf doc = BUF_INIT, val = BUF_INIT;
	struct json j;
	size_t i;
	int rv;

	buf_adds(&doc, "{\"big\":\"");
	for (i = 0; i < size / (sizeof(unit) - 1); i++)
		buf_add(&doc, unit, sizeof(unit) - 1);
	buf_adds(&doc, "\"}");
	rv = parse(&j, doc.s, doc.len);
	ok(rv == 0 && j.ntok == 3, "a 1 MiB string is accepted");
	if (rv == 0) {
		json_unescape(&j, 2, &val);
		json_free(&j);
	}
	ok(val.len == size && memcmp(val.s, doc.s + 8, size) == 0,
	    "the 1 MiB string comes back whole");
	buf_free(&doc);
	buf_free(&val);
}

static void
test_many_keys(void)
{
	const int nkeys = 20000;
	struct buf doc = BUF_INIT;
	struct json j;
	int i, rv;

	buf_addc(&doc, '{');
	for (i = 0; i < nkeys; i++)
		buf_addf(&doc, "%s\"k%d\":%d", i > 0 ? "," : "", i, i);
	buf_addc(&doc, '}');
	rv = parse(&j, doc.s, doc.len);
	ok(rv == 0 && j.ntok == 1 + 2 * nkeys && j.tok[0].size == nkeys,
	    "an object of %d distinct keys is accepted", nkeys);
	if (rv == 0)
		json_free(&j);

	doc.len--;			/* drop the '}' */
	buf_adds(&doc, ",\"k12345\":0}");
	rv = parse(&j, doc.s, doc.len);
	ok(rv == -1 && reason_has("duplicate key \"k12345\""),
	    "one duplicate key at the end of %d is refused: %s", nkeys,
	    bus_error());
	if (rv == 0)
		json_free(&j);
	buf_free(&doc);
}

static void
test_many_numbers(void)
{
	const int n = 100000;
	struct buf doc = BUF_INIT;
	struct json j;
	int i, rv;

	buf_addc(&doc, '[');
	for (i = 0; i < n; i++)
		buf_addf(&doc, "%s%d", i > 0 ? "," : "", i - n / 2);
	buf_addc(&doc, ']');
	rv = parse(&j, doc.s, doc.len);
	ok(rv == 0 && j.ntok == n + 1 && j.tok[0].size == n &&
	    json_next(&j, 0) == n + 1,
	    "an array of %d numbers is accepted", n);
	if (rv == 0)
		json_free(&j);
	buf_free(&doc);
}

static void
test_deep(void)
{
	const size_t n = 100000;
	struct buf doc = BUF_INIT;
	struct json j;
	clock_t start;
	double secs;
	size_t i;
	int rv;

	for (i = 0; i < n; i++)
		buf_addc(&doc, '[');
	start = clock();
	rv = parse(&j, doc.s, doc.len);
	secs = seconds_since(start);
	ok(rv == -1 && reason_has("nesting"),
	    "%zu '[' are refused for nesting: %s", n, bus_error());
	/* A generous bound: quadratic work here would take minutes. */
	ok(secs < 1.0, "%zu '[' are refused quickly (%.3f s)", n, secs);
	if (rv == 0)
		json_free(&j);

	for (i = 0; i < n; i++)
		buf_addc(&doc, ']');
	start = clock();
	rv = parse(&j, doc.s, doc.len);
	secs = seconds_since(start);
	ok(rv == -1 && reason_has("nesting") && secs < 1.0,
	    "%zu balanced levels are refused quickly (%.3f s)", n, secs);
	if (rv == 0)
		json_free(&j);

	/* Wide but shallow is fine and linear. */
	buf_reset(&doc);
	buf_addc(&doc, '[');
	for (i = 0; i < n; i++)
		buf_adds(&doc, i > 0 ? ",[[]]" : "[[]]");
	buf_addc(&doc, ']');
	start = clock();
	rv = parse(&j, doc.s, doc.len);
	secs = seconds_since(start);
	ok(rv == 0 && j.ntok == 1 + 2 * (int)n && secs < 2.0,
	    "%zu shallow arrays are accepted quickly (%.3f s)", n, secs);
	if (rv == 0)
		json_free(&j);
	buf_free(&doc);
}

struct bytes {
	const char	*s;
	size_t		 len;
};

#define BYTES(s)	{ s, sizeof(s) - 1 }

static int
same(const struct buf *b, const struct bytes *want)
{
	return b->len == want->len && (want->len == 0 ||
	    memcmp(b->s, want->s, want->len) == 0);
}

static void
test_unescape(void)
{
	static const struct {
		const char	*json;
		struct bytes	 want;
	} cases[] = {
		{ "\"\\\"\"", BYTES("\"") },
		{ "\"\\\\\"", BYTES("\\") },
		{ "\"\\/\"", BYTES("/") },
		{ "\"\\b\"", BYTES("\b") },
		{ "\"\\f\"", BYTES("\f") },
		{ "\"\\n\"", BYTES("\n") },
		{ "\"\\r\"", BYTES("\r") },
		{ "\"\\t\"", BYTES("\t") },
		{ "\"\\u0041\"", BYTES("A") },
		{ "\"\\u007f\"", BYTES("\x7f") },
		{ "\"\\u0080\"", BYTES("\xc2\x80") },
		{ "\"\\u00e9\"", BYTES("\xc3\xa9") },
		{ "\"\\u00E9\"", BYTES("\xc3\xa9") },
		{ "\"\\u07ff\"", BYTES("\xdf\xbf") },
		{ "\"\\u0800\"", BYTES("\xe0\xa0\x80") },
		{ "\"\\u20ac\"", BYTES("\xe2\x82\xac") },
		{ "\"\\u20AC\"", BYTES("\xe2\x82\xac") },
		{ "\"\\uffff\"", BYTES("\xef\xbf\xbf") },
		{ "\"\\ud83d\\ude00\"", BYTES("\xf0\x9f\x98\x80") },
		{ "\"\\uD83D\\uDE00\"", BYTES("\xf0\x9f\x98\x80") },
		{ "\"\\ud800\\udc00\"", BYTES("\xf0\x90\x80\x80") },
		{ "\"\\udbff\\udfff\"", BYTES("\xf4\x8f\xbf\xbf") },
		{ "\"\\u0000\"", BYTES("\0") },
		{ "\"a\\u0000b\"", BYTES("a\0b") },
		{ "\"\"", BYTES("") },
		{ "\"plain \xc3\xa9\"", BYTES("plain \xc3\xa9") },
		{ "\"x\\ny\\tz\\\\\\\"\"", BYTES("x\ny\tz\\\"") },
		{ "\"\\\\u0041\"", BYTES("\\u0041") },
		{ "\"\\u0022\\u005c\\u002f\"", BYTES("\"\\/") },
		{ "\"<\\ud83d\\ude00\\u20ac\\u00e9A>\"",
		    BYTES("<\xf0\x9f\x98\x80\xe2\x82\xac\xc3\xa9" "A>") },
	};
	struct buf b = BUF_INIT;
	struct json j;
	size_t i;
	int rv;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		rv = parse(&j, cases[i].json, strlen(cases[i].json));
		if (rv == 0) {
			rv = json_unescape(&j, 0, &b);
			json_free(&j);
		}
		ok(rv == 0 && same(&b, &cases[i].want),
		    "json_unescape %s gives %zu bytes", cases[i].json,
		    cases[i].want.len);
	}

	/* It appends, and refuses what is not a string. */
	buf_reset(&b);
	buf_adds(&b, "pre:");
	rv = parse(&j, "[\"\\u00e9\",1]", 12);
	ok(rv == 0 && json_unescape(&j, 1, &b) == 0 &&
	    strcmp(b.s, "pre:\xc3\xa9") == 0, "json_unescape appends");
	ok(rv == 0 && json_unescape(&j, 2, &b) == -1 &&
	    strcmp(b.s, "pre:\xc3\xa9") == 0,
	    "json_unescape refuses a number and adds nothing");
	ok(rv == 0 && json_unescape(&j, 0, &b) == -1,
	    "json_unescape refuses an array");
	if (rv == 0)
		json_free(&j);
	buf_free(&b);
}

static void
test_put_string(void)
{
	static const struct {
		struct bytes	 in;
		const char	*want;
	} cases[] = {
		{ BYTES(""), "\"\"" },
		{ BYTES("plain text"), "\"plain text\"" },
		{ BYTES("a\"b"), "\"a\\\"b\"" },
		{ BYTES("a\\b"), "\"a\\\\b\"" },
		{ BYTES("\n"), "\"\\n\"" },
		{ BYTES("\r\t\b\f"), "\"\\r\\t\\b\\f\"" },
		{ BYTES("\x01"), "\"\\u0001\"" },
		{ BYTES("\x0b"), "\"\\u000b\"" },
		{ BYTES("\x1f"), "\"\\u001f\"" },
		{ BYTES("\x7f"), "\"\\u007f\"" },
		{ BYTES("\0"), "\"\\u0000\"" },
		{ BYTES("a\0b"), "\"a\\u0000b\"" },
		{ BYTES("line one\nline two\n"),
		    "\"line one\\nline two\\n\"" },
		{ BYTES("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
		    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"" },
		{ BYTES("\xef\xbb\xbf"), "\"\xef\xbb\xbf\"" },
		{ BYTES("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"" },
	};
	static const struct bytes bad[] = {
		BYTES("\xff"),
		BYTES("\x80"),
		BYTES("\xc0\x80"),
		BYTES("\xc3"),
		BYTES("ok\xe2\x82"),
		BYTES("\xed\xa0\x80"),
		BYTES("\xf4\x90\x80\x80"),
		BYTES("\xf8\x88\x80\x80\x80"),
		BYTES("caf\xe9"),
	};
	struct buf b = BUF_INIT;
	size_t i;
	int rv;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		rv = json_put_string(&b, cases[i].in.s, cases[i].in.len);
		ok(rv == 0 && strlen(cases[i].want) == b.len &&
		    memcmp(b.s, cases[i].want, b.len) == 0,
		    "json_put_string writes %s", cases[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&b);
		buf_adds(&b, "pre");
		bus_seterr("%s", "");
		rv = json_put_string(&b, bad[i].s, bad[i].len);
		/* Nothing half-written: the caller's buffer is as it was. */
		ok(rv == -1 && reason_has("UTF-8") && b.len == 3 &&
		    strcmp(b.s, "pre") == 0,
		    "json_put_string refuses invalid UTF-8 (case %zu)", i);
	}
	buf_reset(&b);
	buf_adds(&b, "x:");
	ok(json_put_string(&b, "y", 1) == 0 && strcmp(b.s, "x:\"y\"") == 0,
	    "json_put_string appends");
	buf_free(&b);
}

/* put_string, parse, unescape: the original bytes come back. */
static void
test_round_trip(void)
{
	static const struct bytes cases[] = {
		BYTES(""),
		BYTES("\""),
		BYTES("\\"),
		BYTES("\\\""),
		BYTES("\"\\"),
		BYTES("/"),
		BYTES("\\u0041"),
		BYTES("\\ud83d"),
		BYTES("\x01\x1f\x7f"),
		BYTES("a\0b"),
		BYTES("\0\0\0"),
		BYTES("tab\there\r\nnew line\b\f"),
		BYTES("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"),
		BYTES("\xef\xbb\xbf" "bom"),
		BYTES("}],\":{["),
		BYTES("\xc2\xa0\xe2\x80\xa8\xe2\x80\xa9"),
		BYTES("  spaces  "),
	};
	char all[128];
	struct bytes every = { all, sizeof(all) };
	size_t i;

	/* Every ASCII byte, NUL included, in one string. */
	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)i;
	for (i = 0; i <= sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bytes *c = i < sizeof(cases) / sizeof(cases[0]) ?
		    &cases[i] : &every;
		struct buf enc = BUF_INIT, dec = BUF_INIT;
		struct json j;
		int rv, oneline;

		rv = json_put_string(&enc, c->s, c->len);
		oneline = rv == 0 && memchr(enc.s, '\n', enc.len) == NULL;
		if (rv == 0)
			rv = parse(&j, enc.s, enc.len);
		if (rv == 0) {
			if (j.ntok != 1 || j.tok[0].type != JSMN_STRING)
				rv = -1;
			else
				rv = json_unescape(&j, 0, &dec);
			json_free(&j);
		}
		ok(rv == 0 && oneline && same(&dec, c),
		    "round trip of string %zu (%zu bytes) via %s", i, c->len,
		    enc.len < 60 ? enc.s : "...");
		buf_free(&enc);
		buf_free(&dec);
	}
}

static void
test_next(void)
{
	static const char doc[] = "{\"a\":[1,{\"b\":2},3],\"c\":{},"
	    "\"d\":\"e\",\"f\":[[],[[]]]}";
	/* Token i, and the token after the value that starts there. */
	static const int next[][2] = {
		{ 0, 17 }, { 2, 8 }, { 3, 4 }, { 4, 7 }, { 6, 7 }, { 7, 8 },
		{ 9, 10 }, { 11, 12 }, { 13, 17 }, { 14, 15 }, { 15, 17 },
		{ 16, 17 },
	};
	static const char *const keys[] = { "a", "c", "d", "f" };
	struct json j;
	size_t i, nk;
	int rv, t;

	rv = parse(&j, doc, sizeof(doc) - 1);
	ok(rv == 0 && j.ntok == 17, "json_next test document: %d tokens",
	    rv == 0 ? j.ntok : -1);
	if (rv != 0)
		return;
	for (i = 0; i < sizeof(next) / sizeof(next[0]); i++)
		ok(json_next(&j, next[i][0]) == next[i][1],
		    "json_next(%d) is %d", next[i][0], next[i][1]);

	/* Walk the top-level pairs as the tools do; land exactly at the end. */
	nk = 0;
	for (t = 1; t < j.ntok && nk < 4; t = json_next(&j, t + 1)) {
		if (!json_key_is(&j, t, keys[nk]))
			break;
		nk++;
	}
	ok(nk == 4 && t == j.ntok, "a walk with json_next visits the %zu "
	    "keys and ends at the last token", nk);
	json_free(&j);
}

static void
test_key_is(void)
{
	static const char doc[] = "{\"\\u0061b\":1,\"t\\u00e9\":2,"
	    "\"x\\/y\":3,\"plain\":4,\"\\ud83d\\ude00\":5,\"\":6,"
	    "\"q\\\"\":7}";
	struct json j;
	int rv;

	rv = parse(&j, doc, sizeof(doc) - 1);
	ok(rv == 0 && j.ntok == 15, "json_key_is test document");
	if (rv != 0)
		return;
	ok(json_key_is(&j, 1, "ab"), "json_key_is: \\u0061b is ab");
	ok(json_key_is(&j, 3, "t\xc3\xa9"), "json_key_is: t\\u00e9 is UTF-8");
	ok(json_key_is(&j, 5, "x/y"), "json_key_is: x\\/y is x/y");
	ok(json_key_is(&j, 7, "plain"), "json_key_is: plain");
	ok(json_key_is(&j, 9, "\xf0\x9f\x98\x80"),
	    "json_key_is: a surrogate pair is 4-byte UTF-8");
	ok(json_key_is(&j, 11, ""), "json_key_is: the empty key");
	ok(json_key_is(&j, 13, "q\""), "json_key_is: an escaped quote");
	ok(!json_key_is(&j, 1, "a") && !json_key_is(&j, 1, "abc") &&
	    !json_key_is(&j, 1, "\\u0061b"),
	    "json_key_is compares the whole unescaped key");
	ok(!json_key_is(&j, 7, "plai") && !json_key_is(&j, 7, "plainx") &&
	    !json_key_is(&j, 7, "Plain") && !json_key_is(&j, 11, "x"),
	    "json_key_is compares length and bytes");
	ok(!json_key_is(&j, 2, "1") && !json_key_is(&j, 0, ""),
	    "json_key_is is false for a number and an object");
	json_free(&j);
}

static void
test_compact(void)
{
	static const char doc[] = " { \"a b\" : [ 1 , \"c\\t d \\\" e\" ,"
	    " { } , -2.5e3 ] ,\n\t\"k\\\\\" :\r\n true , \"\\u0020 \" : "
	    "\"v  w\" } \n";
	static const char want[] = "{\"a b\":[1,\"c\\t d \\\" e\",{},-2.5e3],"
	    "\"k\\\\\":true,\"\\u0020 \":\"v  w\"}";
	struct buf b = BUF_INIT;
	struct json j, j2;
	int rv;

	rv = parse(&j, doc, sizeof(doc) - 1);
	ok(rv == 0, "json_put_compact test document");
	if (rv != 0)
		return;
	json_put_compact(&b, &j, 0);
	ok(strcmp(b.s, want) == 0, "json_put_compact drops white space "
	    "outside strings only: %s", b.s);
	rv = parse(&j2, b.s, b.len);
	ok(rv == 0 && j2.ntok == j.ntok,
	    "the compact form parses to as many tokens");
	if (rv == 0)
		json_free(&j2);

	buf_reset(&b);
	json_put_compact(&b, &j, 2);
	ok(strcmp(b.s, "[1,\"c\\t d \\\" e\",{},-2.5e3]") == 0,
	    "json_put_compact of an inner array: %s", b.s);
	buf_reset(&b);
	json_put_compact(&b, &j, 4);
	ok(strcmp(b.s, "\"c\\t d \\\" e\"") == 0,
	    "json_put_compact of a string keeps quotes and escapes: %s", b.s);
	buf_reset(&b);
	json_put_compact(&b, &j, 6);
	ok(strcmp(b.s, "-2.5e3") == 0, "json_put_compact of a number: %s",
	    b.s);
	buf_reset(&b);
	json_put_compact(&b, &j, 5);
	ok(strcmp(b.s, "{}") == 0, "json_put_compact of an empty object: %s",
	    b.s);
	json_free(&j);
	buf_free(&b);
}

static void
test_utf8(void)
{
	ok(utf8_len("a", 1) == 1 && utf8_len("\xc3\xa9", 2) == 2 &&
	    utf8_len("\xe2\x82\xac", 3) == 3 &&
	    utf8_len("\xf0\x9f\x98\x80", 4) == 4,
	    "utf8_len of 1, 2, 3 and 4-byte sequences");
	ok(utf8_len("\xe2\x82\xac", 2) == 0 && utf8_len("\xc0\x80", 2) == 0 &&
	    utf8_len("\xed\xa0\x80", 3) == 0 && utf8_len("\x80", 1) == 0,
	    "utf8_len refuses a cut, overlong, surrogate or stray sequence");
	ok(utf8_valid("", 0) && utf8_valid("a\0b", 3) &&
	    !utf8_valid("a\xff", 2), "utf8_valid");
}

int
main(void)
{
	test_corpus();
	test_big_string();
	test_many_keys();
	test_many_numbers();
	test_deep();
	test_unescape();
	test_put_string();
	test_round_trip();
	test_next();
	test_key_is();
	test_compact();
	test_utf8();
	printf("# %zu corpus cases\n", sizeof(corpus) / sizeof(corpus[0]));
	return done_testing();
}
