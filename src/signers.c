/*
 * signers.c: .bus/allowed_signers in the strict grammar of SPEC
 * section 7, and the file rebuilt from what was parsed.
 *
 * ssh-keygen(1) reads much more in an allowed signers line than an
 * agent's name and key: quoted principals (it unquotes "bob" to bob),
 * comma lists, patterns, negations, certificate authorities.  Each is
 * a way for a line to speak for another agent than the one it seems
 * to name.  So a line here is one bare agent name, at most three
 * options, a key of a known type and a comment, and whoever verifies
 * hands ssh-keygen a file rebuilt from those fields alone: whatever
 * the hub's file holds beyond them never reaches ssh-keygen.
 *
 *	file	= *(line LF) [line]
 *	line	= *blank [entry / "#" *char] *blank
 *	entry	= agent 1*blank [options 1*blank] keytype 1*blank key
 *		  [1*blank comment]
 *	options	= option *("," option), each option at most once
 *	option	= "namespaces=" DQUOTE ns *("," ns) DQUOTE
 *		/ "valid-after=" DQUOTE time DQUOTE
 *		/ "valid-before=" DQUOTE time DQUOTE
 *	agent	= [a-z0-9][a-z0-9-]{0,31}
 *	ns	= [a-z0-9][a-z0-9._@-]{0,63}
 *	time	= YYYYMMDD[HHMM[SS]]"Z", a real UTC time from 2000 on
 *	blank	= SP / HTAB; char = blank / %x21-7E
 *
 * The whole file is printable ASCII, tabs and line feeds; a line is at
 * most LINE_MAX_BYTES long.  The key is canonical base64 of an ssh
 * public key of the type the line names, whole and nothing after it;
 * no key appears twice.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signers.h"
#include "msg.h"
#include "util.h"

#define LINE_MAX_BYTES	8192	/* a 16384-bit RSA key's line fits */
#define NS_MAX		64
#define AGENT_RULE	"[a-z0-9][a-z0-9-]{0,31}"
#define SHOW		48	/* of a field quoted in a reason */

/* The key types of ssh-keygen's .pub files that can sign commits. */
static const struct keytype {
	const char	*name;
	const char	*curve;		/* ECDSA: the curve it names */
	size_t		 point;		/* its length; 0: RSA */
	int		 sk;		/* an application follows */
} keytypes[] = {
	{ "ssh-ed25519", NULL, 32, 0 },
	{ "ecdsa-sha2-nistp256", "nistp256", 65, 0 },
	{ "ecdsa-sha2-nistp384", "nistp384", 97, 0 },
	{ "ecdsa-sha2-nistp521", "nistp521", 133, 0 },
	{ "ssh-rsa", NULL, 0, 0 },
	{ "sk-ssh-ed25519@openssh.com", NULL, 32, 1 },
	{ "sk-ecdsa-sha2-nistp256@openssh.com", "nistp256", 65, 1 }
};

#define NKEYTYPES	(sizeof(keytypes) / sizeof(keytypes[0]))

static int
refuse(struct buf *why, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Append "line N: reason" to why; returns -1 for the caller to return. */
static int
refuse(struct buf *why, size_t line, const char *fmt, ...)
{
	va_list ap;

	buf_addf(why, "line %zu: ", line);
	va_start(ap, fmt);
	buf_vaddf(why, fmt, ap);
	va_end(ap);
	buf_addc(why, '\n');
	return -1;
}

/* A field for a reason: the bytes are printable ASCII by then. */
static int
shown(size_t n)
{
	return n > SHOW ? SHOW : (int)n;
}

/*
 * Only printable ASCII and tabs: a CR would end a line for some
 * readers and not for others, and a NUL would end it for C.
 */
static int
check_bytes(struct buf *why, size_t line, const char *s, size_t n)
{
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\t' || (c >= 0x20 && c < 0x7f))
			continue;
		if (c == '\0')
			return refuse(why, line, "a NUL byte (column %zu)",
			    i + 1);
		if (c == '\r')
			return refuse(why, line, "a carriage return (column "
			    "%zu); lines end with a line feed alone", i + 1);
		if (c < 0x20 || c == 0x7f)
			return refuse(why, line, "a control character \\x%02x "
			    "(column %zu)", c, i + 1);
		return refuse(why, line, "a byte that is not ASCII, \\x%02x "
		    "(column %zu); the file is ASCII throughout", c, i + 1);
	}
	return 0;
}

/* The next field of [*p, end), blank-separated; 0 when none is left. */
static int
next_field(const char **p, const char *end, const char **f, size_t *n)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	*f = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*n = (size_t)(s - *f);
	*p = s;
	return *n > 0;
}

static int
has_any(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '\0' && strchr(set, s[i]) != NULL)
			return 1;
	return 0;
}

/*
 * The principal: one agent name, as the bus spells it.  Each way
 * ssh-keygen could read more into the field gets its own reason.
 */
static int
parse_agent(struct buf *why, size_t line, const char *f, size_t n,
    struct signers_entry *e)
{
	static const struct {
		const char	*chars;
		const char	*why;
	} bad[] = {
		{ "\"'\\", "a quoted principal; ssh-keygen would read another "
		    "name than the bus does: write the agent name bare" },
		{ ",", "a list of principals; one agent a line" },
		{ "*?", "a pattern (* or ?) as principal; name one agent" },
		{ "!", "a negated principal; name one agent" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "upper case in an agent name; "
		    "agent names are lower case" }
	};
	int k = shown(n);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (has_any(f, n, bad[i].chars))
			return refuse(why, line, "%.*s: %s", k, f, bad[i].why);
	if (!valid_agent(f, n))
		return refuse(why, line, "%.*s: not an agent name "
		    AGENT_RULE, k, f);
	memcpy(e->agent, f, n);
	e->agent[n] = '\0';
	return 0;
}

static const struct keytype *
find_keytype(const char *f, size_t n)
{
	size_t i;

	for (i = 0; i < NKEYTYPES; i++)
		if (strlen(keytypes[i].name) == n &&
		    memcmp(keytypes[i].name, f, n) == 0)
			return &keytypes[i];
	return NULL;
}

/*
 * The value of an option, in double quotes as ssh-keygen wants it;
 * no escapes, and no blank (it would end the field here anyway).
 */
static int
quoted(struct buf *why, size_t line, const char *name, const char **p,
    const char *end, const char **v, size_t *n)
{
	const char *q;

	if (*p >= end || **p != '"')
		return refuse(why, line, "%s: the value goes in double quotes",
		    name);
	for (q = *p + 1; q < end && *q != '"'; q++)
		if (*q == '\\')
			return refuse(why, line, "%s: a backslash in the value",
			    name);
	if (q >= end)
		return refuse(why, line, "%s: the value has no closing double "
		    "quote (or a blank in it)", name);
	*v = *p + 1;
	*n = (size_t)(q - *v);
	*p = q + 1;
	return 0;
}

/* namespaces="a,b": plain names, no patterns, no negations. */
static int
parse_namespaces(struct buf *why, size_t line, const char *v, size_t n,
    struct signers_entry *e)
{
	const char *p = v, *end = v + n, *c;
	size_t k, i;

	for (;; p = c + 1) {
		c = memchr(p, ',', (size_t)(end - p));
		if (c == NULL)
			c = end;
		k = (size_t)(c - p);
		if (k == 0)
			return refuse(why, line, "namespaces: an empty name");
		if (has_any(p, k, "*?"))
			return refuse(why, line, "namespaces: %.*s is a "
			    "pattern; name each namespace", shown(k), p);
		if (has_any(p, k, "!"))
			return refuse(why, line, "namespaces: %.*s is a "
			    "negation; name each namespace", shown(k), p);
		for (i = 0; i < k; i++)
			if (!((p[i] >= 'a' && p[i] <= 'z') ||
			    (p[i] >= '0' && p[i] <= '9') || (i > 0 &&
			    strchr("._@-", p[i]) != NULL)))
				break;
		if (i < k || k > NS_MAX)
			return refuse(why, line, "namespaces: %.*s is not a "
			    "name [a-z0-9][a-z0-9._@-]{0,63}", shown(k), p);
		if (c == end)
			break;
	}
	e->namespaces = xstrndup(v, n);
	return 0;
}

static int
digits(const char *s, size_t n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/*
 * YYYYMMDD[HHMM[SS]]Z, a real time.  The Z is required: ssh-keygen
 * reads a time without it in the local time zone of whoever verifies,
 * and the hub and the stations need not share one.
 */
static int
parse_time(struct buf *why, size_t line, const char *name, const char *v,
    size_t n, char *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, leap;
	size_t i;

	if ((n != 9 && n != 13 && n != 15) || v[n - 1] != 'Z')
		goto bad;
	for (i = 0; i < n - 1; i++)
		if (v[i] < '0' || v[i] > '9')
			goto bad;
	y = digits(v, 4);
	m = digits(v + 4, 2);
	d = digits(v + 6, 2);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 2000 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap))
		goto bad;
	if (n >= 13 && (digits(v + 8, 2) > 23 || digits(v + 10, 2) > 59))
		goto bad;
	if (n == 15 && digits(v + 12, 2) > 59)
		goto bad;
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
bad:
	return refuse(why, line, "%s: \"%.*s\" is not a UTC time "
	    "YYYYMMDD[HHMM[SS]]Z from the year 2000", name, shown(n), v);
}

/* A time as 14 digits, to compare valid-after with valid-before. */
static void
time14(const char *t, char out[15])
{
	size_t n = strlen(t) - 1;

	memset(out, '0', 14);
	memcpy(out, t, n);
	out[14] = '\0';
}

/*
 * Options, comma-separated, as ssh-keygen(1) ALLOWED SIGNERS has them,
 * but only three, each once, with lower-case keywords.
 */
static int
parse_options(struct buf *why, size_t line, const char *f, size_t n,
    struct signers_entry *e)
{
	const char *p = f, *end = f + n, *v;
	char a[15], b[15];
	size_t k, vn;

	for (;;) {
		for (k = 0; p + k < end && p[k] != ',' && p[k] != '='; k++)
			;
		if (k == 14 && strncasecmp(p, "cert-authority", 14) == 0)
			return refuse(why, line, "cert-authority: a "
			    "certificate authority would let any certificate "
			    "it signs speak for an agent; list each agent's "
			    "own key");
		if (p + k >= end || p[k] != '=')
			return refuse(why, line, "%.*s: not an option the bus "
			    "takes (namespaces=, valid-after=, valid-before=)",
			    shown(k), p);
		if (k == 10 && strncmp(p, "namespaces", 10) == 0) {
			if (e->namespaces != NULL)
				return refuse(why, line, "namespaces: given "
				    "twice");
			p += k + 1;
			if (quoted(why, line, "namespaces", &p, end, &v,
			    &vn) == -1 || parse_namespaces(why, line, v, vn,
			    e) == -1)
				return -1;
		} else if ((k == 11 && strncmp(p, "valid-after", 11) == 0) ||
		    (k == 12 && strncmp(p, "valid-before", 12) == 0)) {
			char *t = k == 11 ? e->valid_after : e->valid_before;
			const char *name = k == 11 ? "valid-after" :
			    "valid-before";

			if (*t != '\0')
				return refuse(why, line, "%s: given twice",
				    name);
			p += k + 1;
			if (quoted(why, line, name, &p, end, &v, &vn) == -1 ||
			    parse_time(why, line, name, v, vn, t) == -1)
				return -1;
		} else
			return refuse(why, line, "%.*s: not an option the bus "
			    "takes (namespaces=, valid-after=, valid-before=, "
			    "in lower case)", shown(k), p);
		if (p == end)
			break;
		if (*p != ',')
			return refuse(why, line, "%.*s: options are separated "
			    "by commas", shown((size_t)(end - p)), p);
		if (++p == end)
			return refuse(why, line, "the options end with a "
			    "comma");
	}
	if (e->valid_after[0] != '\0' && e->valid_before[0] != '\0') {
		time14(e->valid_after, a);
		time14(e->valid_before, b);
		/* ssh-keygen refuses the line then, as the bus does */
		if (strcmp(a, b) >= 0)
			return refuse(why, line, "valid-before is not later "
			    "than valid-after");
	}
	return 0;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Canonical base64: whole groups of four, padding only at the end and
 * unused bits zero, so that one key has one spelling and two lines
 * hold the same key exactly when their key fields are equal.
 */
static int
base64_decode(const char *s, size_t n, struct buf *out)
{
	unsigned long acc;
	size_t i, k, pad = 0;
	int v;

	if (n == 0 || n % 4 != 0)
		return -1;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n; i += 4) {
		acc = 0;
		for (k = 0; k < 4; k++) {
			if (i + 4 == n && k >= 4 - pad)
				v = 0;
			else if ((v = b64val((unsigned char)s[i + k])) == -1)
				return -1;
			acc = acc << 6 | (unsigned long)v;
		}
		if (i + 4 == n && (acc & (pad == 2 ? 0xffff : pad == 1 ?
		    0xff : 0)) != 0)
			return -1;
		buf_addc(out, (int)(acc >> 16 & 0xff));
		if (i + 4 < n || pad < 2)
			buf_addc(out, (int)(acc >> 8 & 0xff));
		if (i + 4 < n || pad < 1)
			buf_addc(out, (int)(acc & 0xff));
	}
	return 0;
}

/* An ssh wire string: a 32-bit big-endian length, then the bytes. */
static int
wire_string(const unsigned char **p, const unsigned char *end,
    const unsigned char **s, size_t *n)
{
	size_t len;

	if (end - *p < 4)
		return -1;
	len = (size_t)(*p)[0] << 24 | (size_t)(*p)[1] << 16 |
	    (size_t)(*p)[2] << 8 | (size_t)(*p)[3];
	*p += 4;
	if ((size_t)(end - *p) < len)
		return -1;
	*s = *p;
	*n = len;
	*p += len;
	return 0;
}

/* The bits of a positive mpint in its shortest form, or 0 if it is not. */
static size_t
mpint_bits(const unsigned char *s, size_t n)
{
	size_t bits;
	unsigned char c;

	if (n == 0 || s[0] >= 0x80 || (s[0] == 0 && (n == 1 ||
	    s[1] < 0x80)))
		return 0;
	if (s[0] == 0) {
		s++;
		n--;
	}
	for (bits = (n - 1) * 8, c = s[0]; c != 0; c >>= 1)
		bits++;
	return bits;
}

/*
 * Is the decoded key a whole public key of type kt?  What ssh-keygen
 * would refuse to read is refused here, as far as it can be told
 * without the curve arithmetic: a line it cannot read is one the bus
 * cannot reason about.
 */
static const char *
bad_key(const struct keytype *kt, const struct buf *blob)
{
	const unsigned char *p = (const unsigned char *)blob->s, *end, *s;
	size_t n, bits;

	end = p + blob->len;
	if (wire_string(&p, end, &s, &n) == -1)
		return "the key is cut short";
	if (n != strlen(kt->name) || memcmp(s, kt->name, n) != 0)
		return "the key is of another type than the line says";
	if (kt->point == 0) {
		if (wire_string(&p, end, &s, &n) == -1 ||
		    mpint_bits(s, n) == 0 ||
		    wire_string(&p, end, &s, &n) == -1)
			return "the RSA key is malformed";
		bits = mpint_bits(s, n);
		if (bits < 1024 || bits > 16384)
			return "an RSA key not of 1024 to 16384 bits";
	} else {
		if (kt->curve != NULL && (wire_string(&p, end, &s, &n) == -1 ||
		    n != strlen(kt->curve) || memcmp(s, kt->curve, n) != 0))
			return "the key names another curve than its type";
		if (wire_string(&p, end, &s, &n) == -1 || n != kt->point ||
		    (kt->curve != NULL && s[0] != 0x04))
			return "the public key has the wrong length or form";
		if (kt->sk && wire_string(&p, end, &s, &n) == -1)
			return "the security key has no application";
	}
	if (p != end)
		return "the key has bytes after its end";
	return NULL;
}

/* The key type and the key, checked as bad_key() does. */
static int
parse_key(struct buf *why, size_t line, const char *t, size_t tn,
    const char *k, size_t kn, struct signers_entry *e)
{
	struct buf blob = BUF_INIT;
	const struct keytype *kt;
	const char *bad;
	int rv = -1;

	if ((kt = find_keytype(t, tn)) == NULL) {
		refuse(why, line, "%.*s: not a key type the bus takes "
		    "(ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa, "
		    "sk-ssh-ed25519@openssh.com, "
		    "sk-ecdsa-sha2-nistp256@openssh.com)", shown(tn), t);
		goto out;
	}
	if (kn == 0) {
		refuse(why, line, "no key after %s", kt->name);
		goto out;
	}
	if (base64_decode(k, kn, &blob) == -1) {
		refuse(why, line, "%.*s: the key is not canonical base64",
		    shown(kn), k);
		goto out;
	}
	if ((bad = bad_key(kt, &blob)) != NULL) {
		refuse(why, line, "%s", bad);
		goto out;
	}
	e->keytype = kt->name;
	e->key = xstrndup(k, kn);
	rv = 0;
out:
	buf_free(&blob);
	return rv;
}

static void
entry_free(struct signers_entry *e)
{
	free(e->namespaces);
	free(e->key);
	memset(e, 0, sizeof(*e));
}

/*
 * One line: a blank line or a comment, or an entry added to ss.  The
 * first thing wrong with it is its reason, appended to why.
 */
static int
parse_line(struct signers *ss, const char *s, size_t n, size_t line,
    struct buf *why)
{
	struct signers_entry e, *v;
	const char *p = s, *end = s + n, *f[4];
	size_t len[4], i;
	int dup;

	memset(&e, 0, sizeof(e));
	if (n > LINE_MAX_BYTES)
		return refuse(why, line, "longer than %d bytes",
		    LINE_MAX_BYTES);
	if (check_bytes(why, line, s, n) == -1)
		return -1;
	/* a blank line, or a comment */
	if (!next_field(&p, end, &f[0], &len[0]) || f[0][0] == '#')
		return 0;
	if (parse_agent(why, line, f[0], len[0], &e) == -1)
		return -1;
	for (i = 1; i < 4; i++)
		(void)next_field(&p, end, &f[i], &len[i]);
	/*
	 * Options come before the key type.  A second field that is no
	 * key type is taken for options when a key type follows it, or
	 * when it has the look of options (=, a comma, a quote,
	 * cert-authority); else it is reported as the unknown key type it
	 * seems to be.
	 */
	if (len[1] == 0)
		return refuse(why, line, "%s: no key", e.agent);
	if (find_keytype(f[1], len[1]) == NULL &&
	    (find_keytype(f[2], len[2]) != NULL || has_any(f[1], len[1],
	    "=,\"") || (len[1] == 14 && strncasecmp(f[1], "cert-authority",
	    14) == 0))) {
		if (parse_options(why, line, f[1], len[1], &e) == -1)
			goto bad;
		f[1] = f[2];
		len[1] = len[2];
		f[2] = f[3];
		len[2] = len[3];
	}
	if (len[1] == 0) {
		refuse(why, line, "%s: no key type and key after the options",
		    e.agent);
		goto bad;
	}
	if (parse_key(why, line, f[1], len[1], f[2], len[2], &e) == -1)
		goto bad;
	/*
	 * One key, one agent: else whom it signs for is ssh-keygen's
	 * pick, and the order of the lines would decide.  The line is
	 * kept all the same, so that a caller can tell whose it is.
	 */
	for (i = 0; i < ss->n; i++)
		if (strcmp(ss->v[i].keytype, e.keytype) == 0 &&
		    strcmp(ss->v[i].key, e.key) == 0)
			break;
	if ((dup = i < ss->n))
		refuse(why, line, "the key of line %zu again; a key is "
		    "listed once, for one agent", ss->v[i].line);
	e.line = line;
	v = xreallocarray(ss->v, ss->n + 1, sizeof(*v));
	ss->v = v;
	ss->v[ss->n++] = e;
	return dup ? -1 : 0;
bad:
	entry_free(&e);
	return -1;
}

/*
 * Parse an allowed_signers file into ss (which need not be
 * initialised): 0, or -1 with one "line N: reason" a line appended to
 * why for every line that breaks the grammar.  Either way ss holds
 * every entry that parses on its own, a repeated key's included;
 * signers_free() it.  Only a file that parses whole is fit to verify
 * with.
 */
int
signers_parse(struct signers *ss, const char *data, size_t len,
    struct buf *why)
{
	const char *nl;
	size_t at = 0, n, line = 0, before = why->len;

	memset(ss, 0, sizeof(*ss));
	while (at < len) {
		nl = memchr(data + at, '\n', len - at);
		n = nl != NULL ? (size_t)(nl - (data + at)) : len - at;
		(void)parse_line(ss, data + at, n, ++line, why);
		at += n + 1;
	}
	return why->len > before ? -1 : 0;
}

/*
 * An allowed_signers file made from the parsed fields alone, for
 * ssh-keygen: no comment, no byte of the original line.
 */
static void
signers_write(const struct signers *ss, struct buf *out)
{
	const struct signers_entry *e;
	size_t i;
	int sep;

	for (i = 0; i < ss->n; i++) {
		e = &ss->v[i];
		buf_adds(out, e->agent);
		sep = ' ';
		if (e->namespaces != NULL) {
			buf_addf(out, "%cnamespaces=\"%s\"", sep,
			    e->namespaces);
			sep = ',';
		}
		if (e->valid_after[0] != '\0') {
			buf_addf(out, "%cvalid-after=\"%s\"", sep,
			    e->valid_after);
			sep = ',';
		}
		if (e->valid_before[0] != '\0')
			buf_addf(out, "%cvalid-before=\"%s\"", sep,
			    e->valid_before);
		buf_addf(out, " %s %s\n", e->keytype, e->key);
	}
}

/*
 * Write the rebuilt file to a new temporary file in dir, whose name
 * path receives, for the caller to unlink.
 */
int
signers_write_temp(const struct signers *ss, const char *dir,
    struct buf *path)
{
	struct buf b = BUF_INIT;
	int rv;

	buf_reset(path);
	buf_addf(path, "%s/bus-signers.XXXXXX", dir);
	signers_write(ss, &b);
	if ((rv = file_write_temp(path->s, b.s != NULL ? b.s : "",
	    b.len)) == -1)
		buf_reset(path);
	buf_free(&b);
	return rv;
}

/* Does ss list a key for the agent [agent, agent + n)? */
int
signers_has(const struct signers *ss, const char *agent, size_t n)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (strlen(ss->v[i].agent) == n &&
		    memcmp(ss->v[i].agent, agent, n) == 0)
			return 1;
	return 0;
}

static int
str_eq(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Does ss hold an entry that means what e means (comments aside)? */
int
signers_holds(const struct signers *ss, const struct signers_entry *e)
{
	const struct signers_entry *o;
	size_t i;

	for (i = 0; i < ss->n; i++) {
		o = &ss->v[i];
		if (strcmp(o->agent, e->agent) == 0 &&
		    str_eq(o->namespaces, e->namespaces) &&
		    strcmp(o->valid_after, e->valid_after) == 0 &&
		    strcmp(o->valid_before, e->valid_before) == 0 &&
		    strcmp(o->keytype, e->keytype) == 0 &&
		    strcmp(o->key, e->key) == 0)
			return 1;
	}
	return 0;
}

void
signers_free(struct signers *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		entry_free(&ss->v[i]);
	free(ss->v);
	ss->v = NULL;
	ss->n = 0;
}
