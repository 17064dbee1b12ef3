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
	ok(msg_check_file(path, NULL, MSG_MAX_SIZE, &m, &why) == 0 &&
	    strcmp(m.from, "a") == 0, "a good file checks");
	msg_free(&m);
	buf_reset(&why);
	ok(msg_check_file(path, NULL, 50, &m, &why) == -1 &&
	    why_has("larger than 50 bytes"), "a file over the size is invalid");
	unlink(path);
	buf_reset(&why);
	ok(msg_check_file(path, NULL, MSG_MAX_SIZE, &m, &why) == -2 &&
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

/* A name check on the whole of a C string. */
#define WHOLE(fn, s)	fn((s), strlen(s))

#define A32	"abcdefghijklmnopqrstuvwxyz012345"
#define A33	A32 "6"

static void
test_names(void)
{
	char id128[129], id129[130];

	/* agent: [a-z0-9][a-z0-9-]{0,31} */
	ok(WHOLE(valid_agent, "a") && WHOLE(valid_agent, "0") &&
	    WHOLE(valid_agent, "agent-1") && WHOLE(valid_agent, "a-") &&
	    WHOLE(valid_agent, "9-9"), "agents: a, 0, agent-1, a-, 9-9");
	ok(WHOLE(valid_agent, A32) && !WHOLE(valid_agent, A33),
	    "an agent of 32 bytes is one, of 33 is not");
	ok(!WHOLE(valid_agent, "") && !WHOLE(valid_agent, "-a") &&
	    !WHOLE(valid_agent, "Agent") && !WHOLE(valid_agent, "a_b") &&
	    !WHOLE(valid_agent, "a.b") && !WHOLE(valid_agent, "a b") &&
	    !WHOLE(valid_agent, "\xc3\xa9"),
	    "not agents: empty, -a, Agent, a_b, a.b, a b, UTF-8");
	ok(valid_agent("ab/c", 2) && !valid_agent("ab/c", 3) &&
	    !valid_agent("a\0b", 3), "an agent is its n bytes: a NUL or "
	    "a slash inside is refused, what follows is not looked at");

	/* id: [A-Za-z0-9][A-Za-z0-9._-]{0,127} */
	memset(id128, 'x', 128);
	id128[128] = '\0';
	memset(id129, 'x', 129);
	id129[129] = '\0';
	ok(WHOLE(valid_id, "a") && WHOLE(valid_id, "Z") &&
	    WHOLE(valid_id, "7") && WHOLE(valid_id, "A.b_c-9") &&
	    WHOLE(valid_id, "a..b") && WHOLE(valid_id, GOOD_ID),
	    "ids: a, Z, 7, A.b_c-9, a..b, a generated one");
	ok(WHOLE(valid_id, id128) && !WHOLE(valid_id, id129),
	    "an id of 128 bytes is one, of 129 is not");
	ok(!WHOLE(valid_id, "") && !WHOLE(valid_id, ".a") &&
	    !WHOLE(valid_id, "-a") && !WHOLE(valid_id, "_a") &&
	    !WHOLE(valid_id, "a/b") && !WHOLE(valid_id, "..") &&
	    !WHOLE(valid_id, "a:b") && !WHOLE(valid_id, "caf\xc3\xa9"),
	    "not ids: empty, .a, -a, _a, a/b, .., a:b, UTF-8");
	ok(!valid_id("a\0b", 3) && valid_id("a\0b", 1),
	    "an id is its n bytes: a NUL inside is refused");

	/* type: [a-z][a-z0-9._-]{0,31} */
	ok(WHOLE(valid_type, "note") && WHOLE(valid_type, "ack") &&
	    WHOLE(valid_type, "heartbeat") && WHOLE(valid_type, "x") &&
	    WHOLE(valid_type, "x.y_z-9") && WHOLE(valid_type, "a-"),
	    "types: note, ack, heartbeat, x, x.y_z-9, a-");
	ok(WHOLE(valid_type, A32) && !WHOLE(valid_type, A33),
	    "a type of 32 bytes is one, of 33 is not");
	ok(!WHOLE(valid_type, "") && !WHOLE(valid_type, "9note") &&
	    !WHOLE(valid_type, "Note") && !WHOLE(valid_type, ".x") &&
	    !WHOLE(valid_type, "-x") && !WHOLE(valid_type, "noTe") &&
	    !WHOLE(valid_type, "a b"),
	    "not types: empty, 9note, Note, .x, -x, noTe, a b");
}

static void
test_days(void)
{
	ok(WHOLE(valid_day, "2026-11-28") && WHOLE(valid_day, "2026-01-31") &&
	    WHOLE(valid_day, "2026-12-31") && WHOLE(valid_day, "2026-04-30"),
	    "days: 2026-11-28, 2026-01-31, 2026-12-31, 2026-04-30");
	ok(WHOLE(valid_day, "2024-02-29") && WHOLE(valid_day, "2000-02-29") &&
	    !WHOLE(valid_day, "2026-02-29") && !WHOLE(valid_day, "1900-02-29") &&
	    !WHOLE(valid_day, "2100-02-29") && WHOLE(valid_day, "2026-02-28"),
	    "February 29th only in leap years (2024, 2000; not 2026, 1900, "
	    "2100)");
	ok(!WHOLE(valid_day, "2026-04-31") && !WHOLE(valid_day, "2026-06-31") &&
	    !WHOLE(valid_day, "2026-01-32") && !WHOLE(valid_day, "2026-01-00") &&
	    !WHOLE(valid_day, "2026-00-10") && !WHOLE(valid_day, "2026-13-10"),
	    "not days: April 31st, June 31st, January 32nd, day 0, month 0 "
	    "and 13");
	ok(!WHOLE(valid_day, "2026-1-01") && !WHOLE(valid_day, "2026-01-1") &&
	    !WHOLE(valid_day, "2026/01/01") && !WHOLE(valid_day, "20260101") &&
	    !WHOLE(valid_day, "2026-0a-01") && !WHOLE(valid_day, "+026-01-01") &&
	    !WHOLE(valid_day, "2026-01-01 ") && !WHOLE(valid_day, ""),
	    "not days: short fields, slashes, no dashes, letters, a sign, "
	    "a trailing space, empty");
	ok(valid_day("2026-01-01T10:00:00Z", 10) &&
	    !valid_day("2026-01-01", 9), "a day is its n bytes");
}

static void
test_ts(void)
{
	ok(WHOLE(valid_ts, "2026-11-28T10:15:00Z") &&
	    WHOLE(valid_ts, "1970-01-01T00:00:00Z") &&
	    WHOLE(valid_ts, "2026-11-28T23:59:59Z") &&
	    WHOLE(valid_ts, "2026-11-28T00:00:00Z"),
	    "ts: whole seconds, midnight, the last second of a day");
	ok(WHOLE(valid_ts, "2026-11-28T10:15:00.5Z") &&
	    WHOLE(valid_ts, "2026-11-28T10:15:00.000Z") &&
	    WHOLE(valid_ts, "2026-11-28T10:15:00.123456789Z") &&
	    !WHOLE(valid_ts, "2026-11-28T10:15:00.1234567890Z") &&
	    !WHOLE(valid_ts, "2026-11-28T10:15:00.Z"),
	    "a fraction has 1 to 9 digits");
	ok(!WHOLE(valid_ts, "2026-11-28T10:15:00.5aZ") &&
	    !WHOLE(valid_ts, "2026-11-28T10:15:00,5Z") &&
	    !WHOLE(valid_ts, "2026-11-28T10:15:00.-5Z"),
	    "not ts: a fraction with a letter, a comma, a sign");
	ok(WHOLE(valid_ts, "2016-12-31T23:59:60Z") &&
	    WHOLE(valid_ts, "2016-12-31T23:59:60.5Z") &&
	    !WHOLE(valid_ts, "2016-12-31T23:58:60Z") &&
	    !WHOLE(valid_ts, "2016-12-31T22:59:60Z") &&
	    !WHOLE(valid_ts, "2016-12-31T23:59:61Z"),
	    "second 60 only as 23:59:60, a leap second");
	ok(!WHOLE(valid_ts, "2026-11-28T24:00:00Z") &&
	    !WHOLE(valid_ts, "2026-11-28T10:60:00Z") &&
	    !WHOLE(valid_ts, "2026-11-28T1a:15:00Z") &&
	    !WHOLE(valid_ts, "2026-02-29T10:15:00Z") &&
	    !WHOLE(valid_ts, "2026-11-28T10:15:00z") &&
	    !WHOLE(valid_ts, "2026-11-28t10:15:00Z") &&
	    !WHOLE(valid_ts, "2026-11-28T10:15:00") &&
	    !WHOLE(valid_ts, "2026-11-28T10:15Z") &&
	    !WHOLE(valid_ts, "2026-11-28T10:15:00+00:00") &&
	    !WHOLE(valid_ts, "2026-11-28 10:15:00Z") &&
	    !WHOLE(valid_ts, "2026-11-28T10-15-00Z") &&
	    !WHOLE(valid_ts, ""),
	    "not ts: hour 24, minute 60, a letter, no such day, z, t, no Z, "
	    "no seconds, an offset, a space, dashes, empty");
	ok(valid_ts("2026-11-28T10:15:00Zjunk", 20) &&
	    !valid_ts("2026-11-28T10:15:00Z", 19) &&
	    !valid_ts("2026-11-28T10:15:00.5Z", 21),
	    "a ts is its n bytes");
}

static void
test_id_parse(void)
{
	char ts[21], from[33];

	memset(ts, 0, sizeof(ts));
	memset(from, 0, sizeof(from));
	ok(msg_id_parse(GOOD_ID, ts, from) == 1 &&
	    strcmp(ts, GOOD_TS) == 0 && strcmp(from, "a") == 0,
	    "a generated id gives its ts and sender: %s, %s", ts, from);
	ok(msg_id_parse("20261128T101500Z-agent-1-0123456789ab", ts, from) ==
	    1 && strcmp(from, "agent-1") == 0, "a sender with a dash: %s",
	    from);
	ok(msg_id_parse("20261128T101500Z-" A32 "-0123456789ab", ts,
	    from) == 1 && strcmp(from, A32) == 0,
	    "a sender of 32 bytes");
	ok(msg_id_parse("20261128T101500Z-" A33 "-0123456789ab", ts,
	    from) == 0, "a sender of 33 bytes: not a generated id");
	ok(msg_id_parse("20161231T235960Z-b-abcdef012345", ts, from) == 1 &&
	    strcmp(ts, "2016-12-31T23:59:60Z") == 0 && strcmp(from, "b") == 0,
	    "a leap second in the stamp: %s", ts);
	ok(msg_id_parse("20240229T120000Z-b-abcdef012345", ts, from) == 1 &&
	    strcmp(ts, "2024-02-29T12:00:00Z") == 0,
	    "February 29th of a leap year: %s", ts);
	ok(msg_id_parse("20260229T120000Z-b-abcdef012345", ts, from) == 0 &&
	    msg_id_parse("20261128T241500Z-b-abcdef012345", ts, from) == 0 &&
	    msg_id_parse("20261328T101500Z-b-abcdef012345", ts, from) == 0,
	    "no such day, hour 24, month 13: not generated ids");
	ok(msg_id_parse("20261128T101500Z-a-0123456789AB", ts, from) == 0 &&
	    msg_id_parse("20261128T101500Z-a-0123456789ag", ts, from) == 0 &&
	    msg_id_parse("20261128T101500Z-a-0123456789a", ts, from) == 0 &&
	    msg_id_parse("20261128T101500Z-a-0123456789abc", ts, from) == 0,
	    "the random part: 12 lower-case hex, no more, no fewer");
	ok(msg_id_parse("20261128T101500Z-A-0123456789ab", ts, from) == 0 &&
	    msg_id_parse("20261128T101500Z-a_b-0123456789ab", ts, from) == 0 &&
	    msg_id_parse("20261128T101500Z--0123456789ab", ts, from) == 0 &&
	    msg_id_parse("20261128T101500Z---0123456789ab", ts, from) == 0,
	    "a sender that is no agent name, or none: not generated ids");
	ok(msg_id_parse("20261128t101500Z-a-0123456789ab", ts, from) == 0 &&
	    msg_id_parse("20261128T101500z-a-0123456789ab", ts, from) == 0 &&
	    msg_id_parse("20261128T101500Z_a-0123456789ab", ts, from) == 0 &&
	    msg_id_parse("2026112T8101500Z-a-0123456789ab", ts, from) == 0,
	    "the stamp's T, Z and dash are where they must be");
	ok(msg_id_parse("hello", ts, from) == 0 &&
	    msg_id_parse("", ts, from) == 0 &&
	    msg_id_parse("a", ts, from) == 0,
	    "ids that are not generated: hello, empty, a");
}

static void
test_new_id(void)
{
	char id[160], ts[32], from[33], pts[21];
	size_t i, bad = 0;

	ok(msg_new_id(id, sizeof(id), "a", 0) == 0 &&
	    strncmp(id, "19700101T000000Z-a-", 19) == 0 && strlen(id) == 31,
	    "an id at the epoch: %s", id);
	ok(msg_new_id(id, 31, "a", 0) == -1 && msg_new_id(id, 32, "a", 0) == 0,
	    "room for 31 bytes and the NUL is enough, 31 in all is not");
	ok(msg_new_id(id, sizeof(id), A32, 1795860900) == 0 &&
	    strlen(id) == 62 && valid_id(id, strlen(id)) &&
	    msg_id_parse(id, pts, from) == 1 && strcmp(pts, GOOD_TS) == 0 &&
	    strcmp(from, A32) == 0,
	    "an id for a sender of 32 bytes: 62 bytes, a valid id, parsed "
	    "back");
	for (i = 0; i < 200; i++) {
		msg_new_id(id, sizeof(id), "agent-1", 1795860900);
		if (msg_id_parse(id, pts, from) != 1 ||
		    strcmp(pts, GOOD_TS) != 0 || strcmp(from, "agent-1") != 0)
			bad++;
	}
	ok(bad == 0, "200 ids parse back to their ts and sender");

	ok(msg_ts(ts, sizeof(ts), 0) == 0 &&
	    strcmp(ts, "1970-01-01T00:00:00Z") == 0, "ts of 0: %s", ts);
	ok(msg_ts(ts, sizeof(ts), 951825600) == 0 &&
	    strcmp(ts, "2000-02-29T12:00:00Z") == 0, "ts of 951825600: %s",
	    ts);
	ok(msg_ts(ts, sizeof(ts), 2147483648LL) == 0 &&
	    strcmp(ts, "2038-01-19T03:14:08Z") == 0, "ts past 2^31: %s", ts);
	ok(msg_ts(ts, 20, 0) == -1 && msg_ts(ts, 21, 0) == 0,
	    "ts needs 21 bytes");
}

static void
test_ts_order(void)
{
	/* "<" means a is earlier than b */
	static const struct {
		const char	*a, *b;
		int		 want;	/* -1, 0, 1: the sign */
	} cases[] = {
		{ "2026-11-28T10:15:00Z", "2026-11-28T10:15:00Z", 0 },
		{ "2026-11-28T10:15:00Z", "2026-11-28T10:15:00.0Z", 0 },
		{ "2026-11-28T10:15:00.000000000Z", "2026-11-28T10:15:00Z", 0 },
		{ "2026-11-28T10:15:00.5Z", "2026-11-28T10:15:00.50Z", 0 },
		{ "2026-11-28T10:15:00.5Z", "2026-11-28T10:15:00.49Z", 1 },
		{ "2026-11-28T10:15:00.123Z", "2026-11-28T10:15:00.1231Z", -1 },
		{ "2026-11-28T10:15:00Z", "2026-11-28T10:15:00.000000001Z", -1 },
		{ "2026-11-28T10:15:00.999999999Z", "2026-11-28T10:15:01Z", -1 },
		{ "2026-11-28T10:15:01Z", "2026-11-28T10:15:00.9Z", 1 },
		{ "2026-11-28T10:15:00Z", "2026-11-28T10:16:00Z", -1 },
		{ "2026-11-28T23:59:59Z", "2026-11-29T00:00:00Z", -1 },
		{ "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z", -1 },
		{ "2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999Z", 1 },
		{ "2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z", -1 },
		{ "1999-12-31T23:59:59Z", "2000-01-01T00:00:00Z", -1 },
	};
	size_t i;
	int c;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = ts_cmp(cases[i].a, cases[i].b);
		c = c < 0 ? -1 : c > 0;
		ok(c == cases[i].want, "ts_cmp %s %s %s", cases[i].a,
		    cases[i].want < 0 ? "<" : cases[i].want > 0 ? ">" : "=",
		    cases[i].b);
		c = ts_cmp(cases[i].b, cases[i].a);
		c = c < 0 ? -1 : c > 0;
		ok(c == -cases[i].want, "and the other way round");
	}
}

static void
test_ts_time(void)
{
	char ts[32];
	time_t t;
	size_t bad = 0;

	ok(ts_time("1970-01-01T00:00:00Z") == 0, "ts_time of the epoch: 0");
	ok(ts_time(GOOD_TS) == 1795860900, "ts_time %s: 1795860900",
	    GOOD_TS);
	ok(ts_time("2026-11-28T10:15:00.999999999Z") == 1795860900,
	    "the fraction is dropped, not rounded");
	ok(ts_time("2000-02-29T12:00:00Z") == 951825600,
	    "ts_time of a leap day: 951825600");
	ok(ts_time("1999-12-31T23:59:59Z") == 946684799,
	    "ts_time of the last second of 1999: 946684799");
	ok(ts_time("2038-01-19T03:14:08Z") == (time_t)2147483648LL,
	    "ts_time past 2^31: 2147483648");
	ok(ts_time("2016-12-31T23:59:60Z") == 1483228800,
	    "a leap second is the next second: 1483228800");
	ok(ts_time("not a ts") == 0 && ts_time("") == 0,
	    "what is no ts at all: 0");
	for (t = 0; t < 4102444800LL; t += 86400 * 97 + 3601) {
		if (msg_ts(ts, sizeof(ts), t) != 0 || ts_time(ts) != t ||
		    !valid_ts(ts, strlen(ts)))
			bad++;
	}
	ok(bad == 0, "msg_ts and ts_time agree from 1970 to 2100");
}

/* format.c: the four ways a message is written for its reader. */
static void
test_format(void)
{
	static const char *const names[] = { "json", "id", "path", "text" };
	static const char body[] = "line one\n\033[2Jtwo";
	struct msg m;
	struct buf out = BUF_INIT;
	enum msg_format f;
	size_t i;

	for (i = 0; i < 4; i++)
		ok(format_parse(names[i], &f) == 0 && (size_t)f == i,
		    "format_parse: %s", names[i]);
	ok(format_parse("JSON", &f) == -1 && bus_errclass() == EX_USAGE &&
	    strstr(bus_error(), "-f JSON") != NULL,
	    "format_parse: an unknown name is a usage error naming it");
	ok(format_parse("", &f) == -1, "format_parse: empty");

	if (msg_new(&m, "a", "b", "note", body, strlen(body),
	    "20261130T120000Z-a-0123456789ab",
	    "20261130T120001Z-a-ba9876543210", 1796040001) == -1) {
		ok(0, "msg_new for the format tests: %s", bus_error());
		return;
	}
	format_put(&out, FORMAT_ID, &m, NULL, '\0');
	ok(out.len == strlen(m.id) + 1 && memcmp(out.s, m.id, out.len) == 0,
	    "id, NUL-terminated with -z");
	buf_reset(&out);
	format_put(&out, FORMAT_PATH, &m, "/st/inbox-b/x.json", '\n');
	ok(strcmp(out.s, "/st/inbox-b/x.json\n") == 0, "path as given");
	buf_reset(&out);
	format_put(&out, FORMAT_JSON, &m, NULL, '\n');
	ok(out.len > 2 && out.s[0] == '{' && out.s[out.len - 2] == '}' &&
	    out.s[out.len - 1] == '\n' && memchr(out.s, '\n', out.len - 1) ==
	    NULL, "json: one line, one separator");
	buf_reset(&out);
	format_put(&out, FORMAT_TEXT, &m, NULL, '\0');
	ok(strcmp(out.s, "2026-11-30T12:00:01Z  a  note  "
	    "20261130T120001Z-a-ba9876543210  re "
	    "20261130T120000Z-a-0123456789ab\n"
	    "    line one\n    \\x1b[2Jtwo\n\n") == 0,
	    "text: a header line, the body indented and made safe, a blank "
	    "line; no separator");
	msg_free(&m);
	buf_free(&out);
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
	test_names();
	test_days();
	test_ts();
	test_id_parse();
	test_new_id();
	test_ts_order();
	test_ts_time();
	buf_free(&why);
	test_format();
	return done_testing();
}
