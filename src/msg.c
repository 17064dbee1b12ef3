/*
 * msg.c: the message model (SPEC section 3).
 *
 * A message is one strict JSON object in inbox-<to>/<id>.json or
 * archive-<to>/<day>/<id>.json.  Validation collects every broken rule
 * it can find, one reason a line, so that a user fixes a file in one
 * go; only a JSON syntax error stops it early.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "msg.h"

#define ID_RULE		"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
#define AGENT_RULE	"[a-z0-9][a-z0-9-]{0,31}"
#define TYPE_RULE	"[a-z][a-z0-9._-]{0,31}"
#define NREQUIRED	6	/* id ts from to type body */
#define TS_RULE		"YYYY-MM-DDTHH:MM:SS[.fraction]Z, a real UTC time"

/* the table of SPEC section 3: required fields first */
static const char *const known[] = { "id", "ts", "from", "to", "type",
    "body", "re" };

#define NKNOWN		(sizeof(known) / sizeof(known[0]))

static int
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(int c)
{
	return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z');
}

/* [first][rest]{0,max-1}: the shape of every name in the protocol. */
static int
valid_name(const char *s, size_t n, size_t max, int (*first)(int),
    int (*rest)(int))
{
	size_t i;

	if (n == 0 || n > max || !first((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!rest((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
agent_first(int c)
{
	return is_lower(c) || is_digit(c);
}

static int
agent_rest(int c)
{
	return agent_first(c) || c == '-';
}

static int
id_rest(int c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

static int
field_first(int c)
{
	return is_alnum(c) && !is_digit(c);
}

static int
type_rest(int c)
{
	return is_lower(c) || is_digit(c) || c == '.' || c == '_' || c == '-';
}

int
valid_agent(const char *s, size_t n)
{
	return valid_name(s, n, 32, agent_first, agent_rest);
}

int
valid_id(const char *s, size_t n)
{
	return valid_name(s, n, 128, is_alnum, id_rest);
}

int
valid_type(const char *s, size_t n)
{
	return valid_name(s, n, 32, is_lower, type_rest);
}

/* The number held by n digits at s, or -1 when they are not all digits. */
static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* YYYY-MM-DD, a real date of the Gregorian calendar. */
int
valid_day(const char *s, size_t n)
{
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	if ((y = digits(s, 4)) < 0 || (m = digits(s + 5, 2)) < 1 || m > 12 ||
	    (d = digits(s + 8, 2)) < 1 || d > days_in_month(y, m))
		return 0;
	return 1;
}

/*
 * Is id a generated one, <YYYYMMDDTHHMMSSZ>-<from>-<12 hex>?  Then ts
 * (21 bytes) gets its time as RFC 3339 and from (33 bytes) its sender.
 */
int
msg_id_parse(const char *id, char *ts, char *from)
{
	size_t n = strlen(id), i;

	if (n < 16 + 1 + 1 + 13 || id[8] != 'T' || id[15] != 'Z' ||
	    id[16] != '-' || id[n - 13] != '-' || n - 13 - 17 > 32)
		return 0;
	for (i = n - 12; i < n; i++)
		if (!isxdigit((unsigned char)id[i]) ||
		    isupper((unsigned char)id[i]))
			return 0;
	snprintf(ts, 21, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", id, id + 4,
	    id + 6, id + 9, id + 11, id + 13);
	memcpy(from, id + 17, n - 13 - 17);
	from[n - 13 - 17] = '\0';
	return valid_ts(ts, 20) && valid_agent(from, strlen(from));
}

/*
 * YYYY-MM-DDTHH:MM:SS[.fraction]Z in UTC.  The fraction has 1 to 9
 * digits; a 60th second exists only as 23:59:60, a leap second.
 */
int
valid_ts(const char *s, size_t n)
{
	int h, mi, sec;
	size_t i;

	if (n < 20 || !valid_day(s, 10) || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[n - 1] != 'Z')
		return 0;
	if ((h = digits(s + 11, 2)) < 0 || h > 23 ||
	    (mi = digits(s + 14, 2)) < 0 || mi > 59 ||
	    (sec = digits(s + 17, 2)) < 0 || sec > 60 ||
	    (sec == 60 && (h != 23 || mi != 59)))
		return 0;
	if (n == 20)
		return 1;
	if (s[19] != '.' || n < 22 || n > 30)
		return 0;
	for (i = 20; i < n - 1; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

static void
why_add(struct buf *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append one reason, one line, to why. */
static void
why_add(struct buf *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(why, fmt, ap);
	va_end(ap);
	buf_addc(why, '\n');
}

/* Append s as a quoted, terminal-safe, shortened value for a reason. */
static const char *
quoted(struct buf *tmp, const char *s, size_t n)
{
	buf_reset(tmp);
	buf_addc(tmp, '"');
	text_safe(tmp, s, n > 60 ? 60 : n);
	if (n > 60)
		buf_adds(tmp, "...");
	buf_addc(tmp, '"');
	return tmp->s;
}

/* Where each known field is kept in a struct msg. */
static char **
field_slot(struct msg *m, const char *key)
{
	const struct {
		const char	*key;
		char		**slot;
	} slots[] = { { "id", &m->id }, { "ts", &m->ts },
	    { "from", &m->from }, { "to", &m->to }, { "type", &m->type },
	    { "re", &m->re } };
	size_t i;

	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (strcmp(key, slots[i].key) == 0)
			return slots[i].slot;
	return NULL;
}

/* Keep a member that is none of the known fields, compacted. */
static void
keep_other(struct msg *m, const struct json *j, int k)
{
	struct msg_field *f;
	struct buf key = BUF_INIT;

	f = xreallocarray(m->others, m->nothers + 1, sizeof(*f));
	m->others = f;
	f += m->nothers++;
	json_unescape(j, k, &key);
	f->key = buf_detach(&key);
	memset(&f->value, 0, sizeof(f->value));
	json_put_compact(&f->value, j, k + 1);
}

/*
 * One string-valued field: checked against rule when given, stored
 * unescaped.  A NUL inside (from \u0000) fails every rule by itself.
 */
static void
take_field(struct msg *m, const struct json *j, int k, const char *key,
    struct buf *why, struct buf *tmp)
{
	struct buf v = BUF_INIT;
	char **slot = field_slot(m, key);
	int ok;

	if (j->tok[k + 1].type != JSMN_STRING) {
		why_add(why, "%s: not a JSON string", key);
		return;
	}
	json_unescape(j, k + 1, &v);
	if (slot == NULL) {		/* body: any string */
		buf_free(&m->body);
		m->body = v;
		buf_grow(&m->body, 0);
		return;
	}
	if (strcmp(key, "ts") == 0)
		ok = valid_ts(v.s, v.len);
	else if (strcmp(key, "from") == 0 || strcmp(key, "to") == 0)
		ok = valid_agent(v.s, v.len);
	else if (strcmp(key, "type") == 0)
		ok = valid_type(v.s, v.len);
	else
		ok = valid_id(v.s, v.len);
	if (!ok) {
		why_add(why, "%s: %s is not %s", key, quoted(tmp, v.s, v.len),
		    strcmp(key, "ts") == 0 ? TS_RULE :
		    strcmp(key, "type") == 0 ? "a type " TYPE_RULE :
		    strcmp(key, "from") == 0 || strcmp(key, "to") == 0 ?
		    "an agent name " AGENT_RULE : "an id " ID_RULE);
		buf_free(&v);
		return;
	}
	free(*slot);
	*slot = buf_detach(&v);
}

/*
 * Parse the message in s (len bytes; at most max bytes allowed) into m.
 * Returns 0, or -1 with one reason a line appended to why.
 */
int
msg_parse(struct msg *m, const char *s, size_t len, size_t max,
    struct buf *why)
{
	struct json j;
	struct buf tmp = BUF_INIT;
	int seen[NKNOWN] = { 0 };
	size_t before = why->len, f;
	int k, member;

	memset(m, 0, sizeof(*m));
	if (len > max) {
		why_add(why, "%zu bytes, larger than %zu bytes (bus.maxSize)",
		    len, max);
		return -1;
	}
	if (json_parse(&j, s, len) == -1) {
		why_add(why, "invalid JSON: %s", bus_error());
		return -1;
	}
	if (j.tok[0].type != JSMN_OBJECT) {
		why_add(why, "not a JSON object");
		json_free(&j);
		return -1;
	}
	for (k = 1, member = 0; member < j.tok[0].size; member++) {
		for (f = 0; f < NKNOWN; f++)
			if (json_key_is(&j, k, known[f]))
				break;
		if (f < NKNOWN) {
			seen[f] = 1;
			take_field(m, &j, k, known[f], why, &tmp);
		} else
			keep_other(m, &j, k);
		k = json_next(&j, k + 1);
	}
	for (f = 0; f < NREQUIRED; f++)
		if (!seen[f])
			why_add(why, "%s: missing", known[f]);
	json_free(&j);
	buf_free(&tmp);
	if (why->len > before) {
		msg_free(m);
		return -1;
	}
	return 0;
}

/*
 * Add a member besides the protocol's fields: key (any string) with
 * value, one JSON value as text.  A protocol field's name, or a key
 * that m has already, fails with EX_DATAERR.
 */
int
msg_field_add(struct msg *m, const char *key, const char *value, size_t len)
{
	struct msg_field *f;
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(key, known[i]) == 0) {
			bus_seterr("%s: a field of the protocol, set by "
			    "bus-send", key);
			bus_setclass(EX_DATAERR);
			return -1;
		}
	if (msg_field(m, key) != NULL) {
		bus_seterr("%s: given twice", key);
		bus_setclass(EX_DATAERR);
		return -1;
	}
	f = xreallocarray(m->others, m->nothers + 1, sizeof(*f));
	m->others = f;
	f += m->nothers++;
	f->key = xstrdup(key);
	memset(&f->value, 0, sizeof(f->value));
	buf_add(&f->value, value, len);
	return 0;
}

/*
 * KEY=VALUE from a command line (bus-send -F): a string member whose
 * name is a letter, then letters, digits, '.', '_' or '-' (64 at
 * most), and whose value is UTF-8 text.  Fails with EX_USAGE.
 */
int
msg_field_arg(struct msg *m, const char *arg)
{
	struct buf value = BUF_INIT;
	const char *eq = strchr(arg, '=');
	char *key;
	size_t n = eq != NULL ? (size_t)(eq - arg) : 0;
	int rv = -1;

	key = xstrndup(arg, n);
	/* a letter, then the characters of an id */
	if (eq == NULL || !valid_name(arg, n, 64, field_first, id_rest))
		bus_seterr("-F %s: not NAME=VALUE, where NAME is a letter, "
		    "then letters, digits, '.', '_' or '-' (64 at most)", arg);
	else if (!utf8_valid(eq + 1, strlen(eq + 1)))
		bus_seterr("-F %s: the value is not UTF-8 text", key);
	else {
		json_put_string(&value, eq + 1, strlen(eq + 1));
		if ((rv = msg_field_add(m, key, value.s, value.len)) == -1)
			bus_seterr("-F %s", bus_error());
	}
	if (rv == -1)
		bus_setclass(EX_USAGE);
	free(key);
	buf_free(&value);
	return rv;
}

/* The member key besides the protocol's fields, as JSON text; NULL if none. */
const struct buf *
msg_field(const struct msg *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->nothers; i++)
		if (strcmp(m->others[i].key, key) == 0)
			return &m->others[i].value;
	return NULL;
}

void
msg_free(struct msg *m)
{
	size_t i;

	free(m->id);
	free(m->ts);
	free(m->from);
	free(m->to);
	free(m->type);
	free(m->re);
	buf_free(&m->body);
	for (i = 0; i < m->nothers; i++) {
		free(m->others[i].key);
		buf_free(&m->others[i].value);
	}
	free(m->others);
	memset(m, 0, sizeof(*m));
}

/*
 * Where a message file sits, from its path: inbox-<agent>/<id>.json,
 * archive-<agent>/<day>/<id>.json, or the older archive-<agent>/<id>.json.
 */
int
msg_path_parse(struct msg_path *mp, const char *path, struct buf *why)
{
	const char *comp[3] = { NULL, NULL, NULL }, *end, *p;
	size_t len[3] = { 0, 0, 0 }, idlen;
	struct buf tmp = BUF_INIT;
	int n = 0, rv = -1;

	memset(mp, 0, sizeof(*mp));
	/* the last three components, right to left, skipping "." */
	end = path + strlen(path);
	while (n < 3 && end > path) {
		for (p = end; p > path && p[-1] != '/'; p--)
			;
		if (end - p != 1 || *p != '.') {
			comp[n] = p;
			len[n++] = (size_t)(end - p);
		}
		end = p;
		while (end > path && end[-1] == '/')
			end--;
	}
	if (n == 0 || len[0] < 6 ||
	    memcmp(comp[0] + len[0] - 5, ".json", 5) != 0 ||
	    !valid_id(comp[0], idlen = len[0] - 5)) {
		why_add(why, "file name is not <id>.json with an id %s",
		    ID_RULE);
		goto out;
	}
	memcpy(mp->id, comp[0], idlen);
	if (n >= 2 && len[1] > 6 && memcmp(comp[1], "inbox-", 6) == 0) {
		mp->place = PLACE_INBOX;
		p = comp[1] + 6;
		idlen = len[1] - 6;
	} else if (n >= 2 && len[1] > 8 && memcmp(comp[1], "archive-", 8) == 0) {
		mp->place = PLACE_ARCHIVE_FLAT;
		p = comp[1] + 8;
		idlen = len[1] - 8;
	} else if (n == 3 && valid_day(comp[1], len[1]) && len[2] > 8 &&
	    memcmp(comp[2], "archive-", 8) == 0) {
		mp->place = PLACE_ARCHIVE;
		memcpy(mp->day, comp[1], 10);
		p = comp[2] + 8;
		idlen = len[2] - 8;
	} else {
		why_add(why, "not in an inbox-<agent>/ or "
		    "archive-<agent>/[<YYYY-MM-DD>/] directory");
		goto out;
	}
	if (!valid_agent(p, idlen)) {
		why_add(why, "%s is not an agent name " AGENT_RULE,
		    quoted(&tmp, p, idlen));
		goto out;
	}
	memcpy(mp->owner, p, idlen);
	rv = 0;
out:
	buf_free(&tmp);
	return rv;
}

/*
 * Is path a .keep file, the empty file that holds an inbox or archive
 * directory in git (which keeps no empty directories)?
 */
int
msg_is_keep(const char *path)
{
	const char *base = path_base(path), *dir;
	size_t len;

	if (strcmp(base, ".keep") != 0)
		return 0;
	for (len = (size_t)(base - path); len > 0 && path[len - 1] == '/'; )
		len--;
	for (dir = path + len; dir > path && dir[-1] != '/'; dir--)
		;
	len = (size_t)(path + len - dir);
	if (len > 6 && strncmp(dir, "inbox-", 6) == 0)
		return valid_agent(dir + 6, len - 6);
	if (len > 8 && strncmp(dir, "archive-", 8) == 0)
		return valid_agent(dir + 8, len - 8);
	return 0;
}

/* The path rules: id is the file name, to the owner, day the ts's. */
int
msg_check_place(const struct msg *m, const struct msg_path *mp,
    struct buf *why)
{
	size_t before = why->len;

	if (strcmp(m->id, mp->id) != 0)
		why_add(why, "id: \"%s\" does not match the file name "
		    "\"%s.json\"", m->id, mp->id);
	if (strcmp(m->to, mp->owner) != 0)
		why_add(why, "to: \"%s\" but the file is in %s-%s/", m->to,
		    mp->place == PLACE_INBOX ? "inbox" : "archive", mp->owner);
	if (mp->place == PLACE_ARCHIVE && memcmp(m->ts, mp->day, 10) != 0)
		why_add(why, "ts: \"%s\" is not on the archive day %s", m->ts,
		    mp->day);
	return why->len > before ? -1 : 0;
}

/*
 * Read and check the message file at path, the path rules included:
 * those of place, the path it is checked as having (NULL: path itself;
 * a directory with its "/": a draft, checked as the file its id names
 * there).  Returns 0 when valid (m filled), -1 when invalid, -2 when
 * the file could not be read; reasons go to why, one a line.
 */
int
msg_check_file(const char *path, const char *place, size_t max,
    struct msg *m, struct buf *why)
{
	struct buf data = BUF_INIT, where = BUF_INIT;
	struct msg_path mp;
	struct stat sb;
	int draft, rv = -1;

	memset(m, 0, sizeof(*m));
	if (file_read(path, &data, max) == -1) {
		if (errno == EFBIG && stat(path, &sb) == 0)
			why_add(why, "%lld bytes, larger than %zu bytes "
			    "(bus.maxSize)", (long long)sb.st_size, max);
		else {
			why_add(why, "%s", bus_error());
			rv = -2;
		}
		goto out;
	}
	draft = place != NULL && *place != '\0' &&
	    place[strlen(place) - 1] == '/';
	if (!draft && msg_path_parse(&mp, place != NULL ? place : path,
	    why) == -1)
		goto out;
	if (msg_parse(m, data.s, data.len, max, why) == -1)
		goto out;
	if (draft)
		buf_addf(&where, "%s%s.json", place, m->id);
	if ((draft && msg_path_parse(&mp, where.s, why) == -1) ||
	    msg_check_place(m, &mp, why) == -1) {
		msg_free(m);
		goto out;
	}
	rv = 0;
out:
	buf_free(&data);
	buf_free(&where);
	return rv;
}

/*
 * The canonical form: compact, the known keys in the order of the
 * table, then the others in the order they came, one trailing newline.
 */
void
msg_write(const struct msg *m, struct buf *b)
{
	size_t i;

	buf_adds(b, "{\"id\":");
	json_put_string(b, m->id, strlen(m->id));
	buf_adds(b, ",\"ts\":");
	json_put_string(b, m->ts, strlen(m->ts));
	buf_adds(b, ",\"from\":");
	json_put_string(b, m->from, strlen(m->from));
	buf_adds(b, ",\"to\":");
	json_put_string(b, m->to, strlen(m->to));
	buf_adds(b, ",\"type\":");
	json_put_string(b, m->type, strlen(m->type));
	buf_adds(b, ",\"body\":");
	json_put_string(b, m->body.s != NULL ? m->body.s : "", m->body.len);
	if (m->re != NULL) {
		buf_adds(b, ",\"re\":");
		json_put_string(b, m->re, strlen(m->re));
	}
	for (i = 0; i < m->nothers; i++) {
		buf_addc(b, ',');
		json_put_string(b, m->others[i].key, strlen(m->others[i].key));
		buf_addc(b, ':');
		buf_add(b, m->others[i].value.s, m->others[i].value.len);
	}
	buf_adds(b, "}\n");
}

/* ts for time t: YYYY-MM-DDTHH:MM:SSZ. */
int
msg_ts(char *out, size_t size, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		bus_seterr("cannot format the time");
		return -1;
	}
	return 0;
}

/*
 * A new id: <YYYYMMDDTHHMMSSZ>-<from>-<12 hex random>, so that ids
 * sort by time and do not collide in practice (48 random bits).
 */
int
msg_new_id(char *out, size_t size, const char *from, time_t t)
{
	unsigned char r[6];
	struct tm tm;
	char stamp[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0) {
		bus_seterr("cannot format the time");
		return -1;
	}
	arc4random_buf(r, sizeof(r));
	if ((size_t)snprintf(out, size, "%s-%s-%02x%02x%02x%02x%02x%02x",
	    stamp, from, r[0], r[1], r[2], r[3], r[4], r[5]) >= size) {
		bus_seterr("id too long");
		return -1;
	}
	return 0;
}

/*
 * Fill m with a new message from from to to, stamped now; id NULL
 * makes one.  The strings are copied.  Refuses what the protocol
 * would refuse, saying why in the error.
 */
int
msg_new(struct msg *m, const char *from, const char *to, const char *type,
    const char *body, size_t bodylen, const char *re, const char *id,
    time_t now)
{
	char gen[160], ts[32];

	memset(m, 0, sizeof(*m));
	if (id == NULL) {
		if (msg_new_id(gen, sizeof(gen), from, now) == -1)
			return -1;
		id = gen;
	}
	if (!valid_id(id, strlen(id))) {
		bus_seterr("%s: not an id " ID_RULE, id);
		bus_setclass(EX_DATAERR);
		return -1;
	}
	if (!valid_type(type, strlen(type))) {
		bus_seterr("%s: not a type " TYPE_RULE, type);
		bus_setclass(EX_DATAERR);
		return -1;
	}
	if (re != NULL && !valid_id(re, strlen(re))) {
		bus_seterr("%s: not an id " ID_RULE, re);
		bus_setclass(EX_DATAERR);
		return -1;
	}
	if (!utf8_valid(body, bodylen)) {
		bus_seterr("the body is not UTF-8 text");
		bus_setclass(EX_DATAERR);
		return -1;
	}
	if (msg_ts(ts, sizeof(ts), now) == -1)
		return -1;
	m->id = xstrdup(id);
	m->ts = xstrdup(ts);
	m->from = xstrdup(from);
	m->to = xstrdup(to);
	m->type = xstrdup(type);
	if (re != NULL)
		m->re = xstrdup(re);
	buf_add(&m->body, body, bodylen);
	return 0;
}

/* Order two valid ts values in time: the fraction counts digit by digit. */
int
ts_cmp(const char *a, const char *b)
{
	int c = strncmp(a, b, 19);	/* YYYY-MM-DDTHH:MM:SS */

	a += 19;
	b += 19;
	if (c != 0)
		return c;
	if (*a == '.')
		a++;
	if (*b == '.')
		b++;
	for (; *a != 'Z' || *b != 'Z'; a += *a != 'Z', b += *b != 'Z') {
		int x = *a == 'Z' ? '0' : *a, y = *b == 'Z' ? '0' : *b;

		if (x != y)
			return x - y;
	}
	return 0;
}

/* The time of a valid ts, seconds since the epoch. */
time_t
ts_time(const char *ts)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}
