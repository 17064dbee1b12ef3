/*
 * t-msg: the message model of SPEC section 3: every field rule, every
 * path rule, the canonical form and generated ids.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "msg.h"
#include "tap.h"

#define GOOD_ID		"20261128T101500Z-a-0123456789ab"
#define GOOD_TS		"2026-11-28T10:15:00Z"

static struct buf why = BUF_INIT;

/* A message with one field replaced (or dropped when value is NULL). */
static void
make(struct buf *b, const char *field, const char *value)
{
	static const char *const keys[] = { "id", "ts", "from", "to", "type",
	    "body" };
	static const char *const vals[] = { "\"" GOOD_ID "\"",
	    "\"" GOOD_TS "\"", "\"a\"", "\"b\"", "\"note\"", "\"hello\"" };
	size_t i;
	int first = 1;

	buf_reset(b);
	buf_addc(b, '{');
	for (i = 0; i < 6; i++) {
		const char *v = vals[i];

		if (field != NULL && strcmp(field, keys[i]) == 0) {
			if ((v = value) == NULL)
				continue;
		}
		buf_addf(b, "%s\"%s\":%s", first ? "" : ",", keys[i], v);
		first = 0;
	}
	if (field != NULL && strcmp(field, "re") == 0 && value != NULL)
		buf_addf(b, ",\"re\":%s", value);
	buf_addc(b, '}');
}

/* Parse text as a message; keep the reasons in why. */
static int
parse(const char *text, size_t len)
{
	struct msg m;
	int rv;

	buf_reset(&why);
	rv = msg_parse(&m, text, len, MSG_MAX_SIZE, &why);
	if (rv == 0)
		msg_free(&m);
	return rv;
}

static int
field_ok(const char *field, const char *value)
{
	struct buf b = BUF_INIT;
	int rv;

	make(&b, field, value);
	rv = parse(b.s, b.len);
	buf_free(&b);
	return rv == 0;
}

static int
why_has(const char *s)
{
	return why.s != NULL && strstr(why.s, s) != NULL;
}

static void
test_fields(void)
{
	static const struct {
		const char	*field;
		const char	*value;
		int		 good;
	} cases[] = {
		{ NULL, NULL, 1 },
		/* id */
		{ "id", "\"a\"", 1 },
		{ "id", "\"A.b_c-9\"", 1 },
		{ "id", "\"\\u0061bc\"", 1 },
		{ "id", "\"\"", 0 },
		{ "id", "\".hidden\"", 0 },
		{ "id", "\"-x\"", 0 },
		{ "id", "\"a/b\"", 0 },
		{ "id", "\"a b\"", 0 },
		{ "id", "\"a\\u0000\"", 0 },
		{ "id", "\"caf\\u00e9\"", 0 },
		{ "id", "17", 0 },
		{ "id", "null", 0 },
		/* ts */
		{ "ts", "\"2026-11-28T10:15:00.5Z\"", 1 },
		{ "ts", "\"2026-11-28T10:15:00.123456789Z\"", 1 },
		{ "ts", "\"2026-11-28T10:15:00.1234567890Z\"", 0 },
		{ "ts", "\"2026-11-28T10:15:00.Z\"", 0 },
		{ "ts", "\"2026-11-28T10:15:00\"", 0 },
		{ "ts", "\"2026-11-28t10:15:00Z\"", 0 },
		{ "ts", "\"2026-11-28T10:15:00z\"", 0 },
		{ "ts", "\"2026-11-28 10:15:00Z\"", 0 },
		{ "ts", "\"2026-11-28T10:15:00+00:00\"", 0 },
		{ "ts", "\"2026-11-28T10:15Z\"", 0 },
		{ "ts", "\"2024-02-29T00:00:00Z\"", 1 },
		{ "ts", "\"2023-02-29T00:00:00Z\"", 0 },
		{ "ts", "\"2000-02-29T00:00:00Z\"", 1 },
		{ "ts", "\"2100-02-29T00:00:00Z\"", 0 },
		{ "ts", "\"2026-04-31T00:00:00Z\"", 0 },
		{ "ts", "\"2026-13-01T00:00:00Z\"", 0 },
		{ "ts", "\"2026-00-01T00:00:00Z\"", 0 },
		{ "ts", "\"2026-01-00T00:00:00Z\"", 0 },
		{ "ts", "\"2026-12-31T23:59:60Z\"", 1 },
		{ "ts", "\"2026-12-31T12:00:60Z\"", 0 },
		{ "ts", "\"2026-12-31T24:00:00Z\"", 0 },
		{ "ts", "\"2026-12-31T23:60:00Z\"", 0 },
		{ "ts", "\"+2026-12-31T23:00:00Z\"", 0 },
		{ "ts", "1795860900", 0 },
		/* from and to */
		{ "from", "\"agent-1\"", 1 },
		{ "from", "\"0\"", 1 },
		{ "from", "\"abcdefghijklmnopqrstuvwxyz012345\"", 1 },
		{ "from", "\"abcdefghijklmnopqrstuvwxyz0123456\"", 0 },
		{ "from", "\"Agent\"", 0 },
		{ "from", "\"-a\"", 0 },
		{ "from", "\"a_b\"", 0 },
		{ "from", "\"a.b\"", 0 },
		{ "from", "\"\"", 0 },
		{ "to", "\"B\"", 0 },
		{ "to", "[\"b\"]", 0 },
		/* type */
		{ "type", "\"ack\"", 1 },
		{ "type", "\"x.y_z-9\"", 1 },
		{ "type", "\"9note\"", 0 },
		{ "type", "\"Note\"", 0 },
		{ "type", "\"abcdefghijklmnopqrstuvwxyz0123456\"", 0 },
		{ "type", "\"abcdefghijklmnopqrstuvwxyz012345\"", 1 },
		{ "type", "\"\"", 0 },
		/* body */
		{ "body", "\"\"", 1 },
		{ "body", "\"nul \\u0000 inside, \\ud83d\\ude00\"", 1 },
		{ "body", "null", 0 },
		{ "body", "{\"text\":\"x\"}", 0 },
		/* re */
		{ "re", "\"" GOOD_ID "\"", 1 },
		{ "re", "\"../x\"", 0 },
		{ "re", "null", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(field_ok(cases[i].field, cases[i].value) == cases[i].good,
		    "%s %s %s", cases[i].field ? cases[i].field : "message",
		    cases[i].value ? cases[i].value : "", cases[i].good ?
		    "accepted" : "refused");

	static const char *const required[] = { "id", "ts", "from", "to",
	    "type", "body" };
	for (i = 0; i < 6; i++) {
		char want[32];

		snprintf(want, sizeof(want), "%s: missing", required[i]);
		ok(!field_ok(required[i], NULL) && why_has(want),
		    "a message without %s is refused: %s", required[i], want);
	}
}

static void
test_reasons(void)
{
	const char *two = "{\"id\":\"a\",\"ts\":\"x\",\"from\":\"A\",\"to\":"
	    "\"b\",\"type\":\"note\",\"body\":\"\"}";
	const char *esc = "{\"id\":\"a\",\"ts\":\"" GOOD_TS "\",\"from\":"
	    "\"\\u001b[31m\",\"to\":\"b\",\"type\":\"note\",\"body\":\"\"}";
	char *big;

	ok(parse(two, strlen(two)) == -1 && why_has("ts: \"x\" is not") &&
	    why_has("from: \"A\" is not an agent name"),
	    "every broken rule is reported, one a line");
	ok(parse(esc, strlen(esc)) == -1 && why_has("\\x1b[31m") &&
	    strchr(why.s, 0x1b) == NULL,
	    "a bad value is quoted terminal-safe in the reason");
	ok(parse("[1]", 3) == -1 && why_has("not a JSON object"),
	    "a JSON array is not a message");
	ok(parse("{\"id\":1,}", 9) == -1 && why_has("invalid JSON: trailing"),
	    "a syntax error is reported as invalid JSON with its reason");
	ok(parse("{\"id\":\"a\",\"id\":\"a\"}", 19) == -1 &&
	    why_has("duplicate key \"id\""), "a duplicate field is refused");
	if ((big = malloc(MSG_MAX_SIZE + 2)) == NULL)
		abort();
	memset(big, ' ', MSG_MAX_SIZE + 1);
	ok(parse(big, MSG_MAX_SIZE + 1) == -1 && why_has("larger than 65536"),
	    "a message over bus.maxSize is refused before parsing");
	free(big);
}

static void
test_canonical(void)
{
	const char *in = "{ \"x-later\" : [1, {\"k\" : \"v w\"}],\n"
	    "  \"body\": \"line\\none \\u00e9\\/\", \"type\":\"note\",\n"
	    "  \"re\":\"r1\", \"to\":\"b\", \"from\":\"a\", \"ts\":\"" GOOD_TS
	    "\",\n  \"id\":\"m1\", \"x-first\": null }\n";
	const char *want = "{\"id\":\"m1\",\"ts\":\"" GOOD_TS "\",\"from\":"
	    "\"a\",\"to\":\"b\",\"type\":\"note\",\"body\":\"line\\none \xc3"
	    "\xa9/\",\"re\":\"r1\",\"x-later\":[1,{\"k\":\"v w\"}],"
	    "\"x-first\":null}\n";
	struct buf out = BUF_INIT, again = BUF_INIT;
	struct msg m, m2;
	int rv;

	buf_reset(&why);
	rv = msg_parse(&m, in, strlen(in), MSG_MAX_SIZE, &why);
	ok(rv == 0, "a message with others and white space parses");
	if (rv != 0)
		return;
	ok(strcmp(m.id, "m1") == 0 && strcmp(m.re, "r1") == 0 &&
	    m.body.len == 12 && m.nothers == 2, "its fields are read");
	msg_write(&m, &out);
	ok(strcmp(out.s, want) == 0, "the canonical form: compact, table "
	    "order, others after in file order, one newline");
	ok(msg_parse(&m2, out.s, out.len, MSG_MAX_SIZE, &why) == 0,
	    "the canonical form parses");
	msg_write(&m2, &again);
	ok(out.len == again.len && memcmp(out.s, again.s, out.len) == 0,
	    "and writes itself again byte for byte");
	msg_free(&m);
	msg_free(&m2);
	buf_free(&out);
	buf_free(&again);
}

static int
path_ok(const char *path, enum msg_place place, const char *owner,
    const char *day, const char *id)
{
	struct msg_path mp;

	buf_reset(&why);
	if (msg_path_parse(&mp, path, &why) == -1)
		return place == 0;
	return mp.place == place && strcmp(mp.owner, owner) == 0 &&
	    strcmp(mp.day, day) == 0 && strcmp(mp.id, id) == 0;
}

static void
test_paths(void)
{
	ok(path_ok("inbox-b/m1.json", PLACE_INBOX, "b", "", "m1"), "inbox");
	ok(path_ok("/x/y/bus/inbox-b/m1.json", PLACE_INBOX, "b", "", "m1"),
	    "inbox under an absolute path");
	ok(path_ok("./inbox-b/./m1.json", PLACE_INBOX, "b", "", "m1"),
	    "inbox with ./ components");
	ok(path_ok("archive-b/2026-11-28/m1.json", PLACE_ARCHIVE, "b",
	    "2026-11-28", "m1"), "archive by day");
	ok(path_ok("archive-b//2026-11-28//m1.json", PLACE_ARCHIVE, "b",
	    "2026-11-28", "m1"), "archive by day with doubled slashes");
	ok(path_ok("archive-b/m1.json", PLACE_ARCHIVE_FLAT, "b", "", "m1"),
	    "archive, the older flat layout");
	ok(path_ok("archive-b/2026-02-30/m1.json", 0, "", "", ""),
	    "an archive day that is no date is refused");
	ok(path_ok("archive-b/2026-11-28/x/m1.json", 0, "", "", ""),
	    "a deeper archive path is refused");
	ok(path_ok("inbox-B/m1.json", 0, "", "", "") &&
	    why_has("not an agent name"), "an upper-case owner is refused");
	ok(path_ok("inbox-/m1.json", 0, "", "", ""), "an empty owner");
	ok(path_ok("inbox-b/m1.txt", 0, "", "", "") &&
	    why_has("<id>.json"), "a file not named .json");
	ok(path_ok("inbox-b/.json", 0, "", "", ""), "a file named .json");
	ok(path_ok("inbox-b/.m1.json", 0, "", "", ""), "a hidden file");
	ok(path_ok("m1.json", 0, "", "", "") && why_has("not in an inbox"),
	    "a file outside the bus directories");
	ok(path_ok("outbox-b/m1.json", 0, "", "", ""), "outbox-b is no inbox");
	ok(path_ok("inbox-b/2026-11-28/m1.json", 0, "", "", ""),
	    "an inbox has no day directories");
}

static int
place_ok(const char *path, const char *id, const char *to, const char *ts)
{
	struct msg_path mp;
	struct msg m;
	int rv;

	memset(&m, 0, sizeof(m));
	m.id = (char *)id;
	m.to = (char *)to;
	m.ts = (char *)ts;
	buf_reset(&why);
	if (msg_path_parse(&mp, path, &why) == -1)
		return 0;
	rv = msg_check_place(&m, &mp, &why);
	return rv == 0;
}

static void
test_place(void)
{
	ok(place_ok("inbox-b/m1.json", "m1", "b", GOOD_TS), "in its inbox");
	ok(!place_ok("inbox-b/m2.json", "m1", "b", GOOD_TS) &&
	    why_has("does not match the file name \"m2.json\""),
	    "id must be the file name");
	ok(!place_ok("inbox-c/m1.json", "m1", "b", GOOD_TS) &&
	    why_has("in inbox-c/"), "to must be the inbox owner");
	ok(!place_ok("archive-c/2026-11-28/m1.json", "m1", "b", GOOD_TS) &&
	    why_has("in archive-c/"), "to must be the archive owner");
	ok(place_ok("archive-b/2026-11-28/m1.json", "m1", "b", GOOD_TS),
	    "archived on the day of its ts");
	ok(!place_ok("archive-b/2026-11-27/m1.json", "m1", "b", GOOD_TS) &&
	    why_has("not on the archive day 2026-11-27"),
	    "archived on another day is refused");
	ok(place_ok("archive-b/m1.json", "m1", "b", GOOD_TS),
	    "the flat archive has no day to match");
	ok(!place_ok("inbox-c/m2.json", "m1", "b", GOOD_TS) &&
	    why_has("file name") && why_has("inbox-c"),
	    "both broken path rules are reported");
}

static void
test_files(void)
{
	char dir[] = "/tmp/t-msg.XXXXXX", path[256];
	struct buf b = BUF_INIT;
	struct msg m;
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/inbox-b", dir);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/inbox-b/%s.json", dir, GOOD_ID);
	make(&b, NULL, NULL);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fputs(b.s, fp);
	fclose(fp);
	buf_reset(&why);
	ok(msg_check_file(path, MSG_MAX_SIZE, &m, &why) == 0 &&
	    strcmp(m.from, "a") == 0, "a good file checks");
	msg_free(&m);
	buf_reset(&why);
	ok(msg_check_file(path, 50, &m, &why) == -1 &&
	    why_has("larger than 50 bytes"), "a file over the size is invalid");
	unlink(path);
	buf_reset(&why);
	ok(msg_check_file(path, MSG_MAX_SIZE, &m, &why) == -2 &&
	    why_has("No such file"), "a missing file is unreadable, not invalid");
	snprintf(path, sizeof(path), "%s/inbox-b", dir);
	rmdir(path);
	rmdir(dir);
	buf_free(&b);
}

static void
test_ids(void)
{
	char id[160], ts[32];
	time_t t = 1795860900;	/* 2026-11-28T10:15:00Z */
	char other[160];

	ok(msg_new_id(id, sizeof(id), "agent-1", t) == 0 &&
	    strncmp(id, "20261128T101500Z-agent-1-", 25) == 0 &&
	    strlen(id) == 37 && valid_id(id, strlen(id)),
	    "a generated id: time, sender, 12 hex (%s)", id);
	ok(strspn(id + 25, "0123456789abcdef") == 12, "the random part is hex");
	msg_new_id(other, sizeof(other), "agent-1", t);
	ok(strcmp(id, other) != 0, "two ids of the same second differ");
	ok(msg_new_id(id, 20, "agent-1", t) == -1, "a short buffer is refused");
	ok(msg_ts(ts, sizeof(ts), t) == 0 &&
	    strcmp(ts, "2026-11-28T10:15:00Z") == 0 && valid_ts(ts, strlen(ts)),
	    "a generated ts is valid RFC 3339 UTC");
}

int
main(void)
{
	test_fields();
	test_reasons();
	test_canonical();
	test_paths();
	test_place();
	test_files();
	test_ids();
	buf_free(&why);
	return done_testing();
}
