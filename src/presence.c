/*
 * presence.c: an agent's presence (SPEC section 2, Presence): its last
 * heartbeat and its state, which supersede the ones before.  Not a file
 * on the bus branch but one ref per agent on the hub,
 * refs/bus/presence/<agent>, naming a commit with no parent whose tree
 * holds one file, presence.json:
 *
 *	{"agent":"a","ts":"2026-12-01T03:00:00Z","state":"reviewing"}
 *
 * Each beat replaces the commit, so neither the bus branch's tree nor
 * its history grows with them (bus(7), Presence, says why not a file).
 *
 * Here: the document, a presence commit read with limits (the hub's
 * hook and the stations read them alike), the station's own beat, and
 * the others' presence for bus-status.  A station's one fetch brings
 * the hub's presence refs under PRESENCE_HUB (sync.c); heartbeat.c
 * says when to beat.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "station.h"

/* The members of a presence document, in the order they are written. */
static const char *const members[] = { "agent", "ts", "state" };

static void
why_set(struct presence *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The reason p is not taken, the first one only. */
static void
why_set(struct presence *p, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (p->why != NULL)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	p->why = buf_detach(&b);
}

/* Is s (n bytes) text a terminal shows as it is: no control character? */
static int
plain_text(const char *s, size_t n)
{
	struct buf safe = BUF_INIT;
	int plain;

	text_safe(&safe, s, n);
	plain = safe.len == n && (n == 0 || memcmp(safe.s, s, n) == 0);
	buf_free(&safe);
	return plain;
}

/* One member of the document, at token k, its value unescaped in v. */
static void
take_member(struct presence *p, const struct json *j, int k, struct buf *v)
{
	size_t m;

	for (m = 0; m < sizeof(members) / sizeof(members[0]); m++)
		if (json_key_is(j, k, members[m]))
			break;
	if (m == sizeof(members) / sizeof(members[0])) {
		why_set(p, PRESENCE_FILE ": a member other than agent, ts "
		    "and state");
		return;
	}
	buf_reset(v);
	if (j->tok[k + 1].type != JSMN_STRING ||
	    json_unescape(j, k + 1, v) == -1) {
		why_set(p, PRESENCE_FILE ": %s: not a JSON string",
		    members[m]);
		return;
	}
	if (m == 0 && valid_agent(v->s, v->len))
		strlcpy(p->agent, v->s, sizeof(p->agent));
	else if (m == 1 && valid_ts(v->s, v->len) && v->len < sizeof(p->ts))
		strlcpy(p->ts, v->s, sizeof(p->ts));
	else if (m == 2 && v->len <= PRESENCE_STATE_MAX &&
	    plain_text(v->s, v->len)) {
		free(p->state);
		p->state = xstrndup(v->s != NULL ? v->s : "", v->len);
	} else
		why_set(p, PRESENCE_FILE ": %s: not %s", members[m],
		    m == 0 ? "an agent name" : m == 1 ? "a time "
		    "YYYY-MM-DDTHH:MM:SS[.fraction]Z" : "text of at most "
		    "1024 bytes without control characters");
}

/*
 * Parse a presence document, s (len bytes), into p: a strict JSON
 * object whose members are agent and ts and, optionally, state, each a
 * string, and no others.  Returns 0, or -1 with p->why set.
 */
int
presence_parse(struct presence *p, const char *s, size_t len)
{
	struct json j;
	struct buf v = BUF_INIT;
	int k, member;

	memset(p, 0, sizeof(*p));
	if (len > PRESENCE_MAX) {
		why_set(p, PRESENCE_FILE ": %zu bytes, more than %d", len,
		    PRESENCE_MAX);
		return -1;
	}
	if (json_parse(&j, s, len) == -1) {
		why_set(p, PRESENCE_FILE ": invalid JSON: %s", bus_error());
		return -1;
	}
	if (j.tok[0].type != JSMN_OBJECT)
		why_set(p, PRESENCE_FILE ": not a JSON object");
	for (k = 1, member = 0; p->why == NULL && member < j.tok[0].size;
	    member++, k = json_next(&j, k + 1))
		take_member(p, &j, k, &v);
	if (*p->agent == '\0' || *p->ts == '\0')
		why_set(p, PRESENCE_FILE ": agent and ts are required");
	json_free(&j);
	buf_free(&v);
	if (p->why != NULL) {
		free(p->state);
		p->state = NULL;
		return -1;
	}
	return 0;
}

/* The document of p, compact, with one trailing newline. */
void
presence_write(const struct presence *p, struct buf *out)
{
	buf_adds(out, "{\"agent\":");
	json_put_string(out, p->agent, strlen(p->agent));
	buf_adds(out, ",\"ts\":");
	json_put_string(out, p->ts, strlen(p->ts));
	if (p->state != NULL) {
		buf_adds(out, ",\"state\":");
		json_put_string(out, p->state, strlen(p->state));
	}
	buf_adds(out, "}\n");
}

void
presence_free(struct presence *p)
{
	free(p->state);
	free(p->why);
	memset(p, 0, sizeof(*p));
}

/*
 * What the sizes and types say of commit i (names from 4i on: the
 * commit, its first parent, its tree, its presence.json), before any
 * of it is read: a commit with no parent, a tree of one entry's size,
 * a file within bounds.
 */
static void
check_shape(struct presence *p, const struct cat_obj *o, size_t hexlen)
{
	if (o[0].missing || strcmp(o[0].data, "commit") != 0)
		why_set(p, "not a commit");
	else if (!o[1].missing)
		why_set(p, "a commit with a parent: presence has no history");
	else if (o[2].missing || o[2].size != sizeof(PRESENCE_ENTRY) +
	    hexlen / 2)
		why_set(p, "its tree must hold " PRESENCE_FILE " alone, a "
		    "regular file");
	else if (o[3].missing || strcmp(o[3].data, "blob") != 0)
		why_set(p, "its tree holds no file " PRESENCE_FILE);
	else if (o[3].size > PRESENCE_MAX)
		why_set(p, PRESENCE_FILE ": %zu bytes, more than %d",
		    o[3].size, PRESENCE_MAX);
}

/*
 * Read the presence commits commits[0..n) (full object ids) into
 * ps[0..n), with limits, as nothing that arrives is trusted: each is a
 * commit with no parent whose tree holds exactly one entry, the regular
 * file presence.json, of at most PRESENCE_MAX bytes, a presence
 * document.  One that is not has ps[i].why set.  Two git processes,
 * however many: sizes and types first, then the few small objects.
 */
int
presence_load(const struct git *g, const char *const *commits, size_t n,
    struct presence *ps)
{
	struct strvec names = STRVEC_INIT, reads = STRVEC_INIT;
	struct buf out = BUF_INIT;
	struct cat_obj *o = NULL;
	size_t i, k, hexlen;
	int rv = -1;

	memset(ps, 0, n * sizeof(*ps));
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		strvec_push(&names, commits[i]);
		strvec_pushf(&names, "%s^1", commits[i]);
		strvec_pushf(&names, "%s^{tree}", commits[i]);
		strvec_pushf(&names, "%s:" PRESENCE_FILE, commits[i]);
	}
	o = xreallocarray(NULL, names.n, sizeof(*o));
	if (git_cat_check(g, names.v, names.n, &out, o) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		check_shape(&ps[i], o + 4 * i, strlen(commits[i]));
		if (ps[i].why != NULL)
			continue;
		strvec_push(&reads, names.v[4 * i + 2]);
		strvec_push(&reads, names.v[4 * i + 3]);
	}
	if (git_cat_batch(g, reads.v, reads.n, &out, o) == -1)
		goto out;
	for (i = 0, k = 0; i < n; i++) {
		if (ps[i].why != NULL)
			continue;
		hexlen = strlen(commits[i]);
		/* "100644 presence.json\0" and the blob's id: nothing else */
		if (o[k].missing || o[k].size != sizeof(PRESENCE_ENTRY) +
		    hexlen / 2 || memcmp(o[k].data, PRESENCE_ENTRY,
		    sizeof(PRESENCE_ENTRY)) != 0)
			why_set(&ps[i], "its tree must hold " PRESENCE_FILE
			    " alone, a regular file");
		else if (o[k + 1].missing)
			why_set(&ps[i], "its tree holds no file "
			    PRESENCE_FILE);
		else
			(void)presence_parse(&ps[i], o[k + 1].data,
			    o[k + 1].size);
		k += 2;
	}
	rv = 0;
out:
	free(o);
	strvec_clear(&names);
	strvec_clear(&reads);
	buf_free(&out);
	return rv;
}

/*
 * The station's own presence ref (PRESENCE_REF<agent>: its last beat)
 * and the hub's as last fetched or pushed (PRESENCE_HUB<agent>), into
 * mine and hub: empty when there is none.  One git process.
 */
static int
own_refs(struct station *st, struct buf *mine, struct buf *hub)
{
	struct buf out = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	char *line, *nl, *sp;
	int rv = -1;

	buf_reset(mine);
	buf_reset(hub);
	buf_addf(&a, PRESENCE_REF "%s", st->agent);
	buf_addf(&b, PRESENCE_HUB "%s", st->agent);
	if (git(&st->g, &out, "for-each-ref", "--format=%(objectname) "
	    "%(refname)", a.s, b.s, NULL) != 0)
		goto out;
	for (line = out.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		if (strcmp(sp, a.s) == 0)
			buf_adds(mine, line);
		else if (strcmp(sp, b.s) == 0)
			buf_adds(hub, line);
	}
	rv = 0;
out:
	buf_free(&out);
	buf_free(&a);
	buf_free(&b);
	return rv;
}

/*
 * The state the agent's last beat gave, to carry on: its own presence
 * commit, or else the hub's; NULL when neither holds one it can read.
 */
static char *
last_state(struct station *st, const struct buf *mine, const struct buf *hub)
{
	struct presence p;
	const char *c[1];
	char *state = NULL;

	c[0] = mine->len > 0 ? mine->s : hub->len > 0 ? hub->s : "";
	if (*c[0] == '\0' || presence_load(&st->g, c, 1, &p) == -1)
		return NULL;
	if (p.why == NULL && strcmp(p.agent, st->agent) == 0) {
		state = p.state;
		p.state = NULL;
	}
	presence_free(&p);
	return state;
}

/* Could state be a presence's?  Fails with EX_USAGE. */
int
presence_check_state(const char *state)
{
	if (strlen(state) <= PRESENCE_STATE_MAX &&
	    plain_text(state, strlen(state)))
		return 0;
	bus_seterr("not UTF-8 text of at most %d bytes without control "
	    "characters", PRESENCE_STATE_MAX);
	bus_setclass(EX_USAGE);
	return -1;
}

/*
 * A beat: a new presence commit for the agent, now, with state (NULL:
 * the state of the last beat; "": none), signed as the station's other
 * commits are; the station's own PRESENCE_REF<agent> names it, and
 * presence_pending() gets it pushed.  Fails with EX_USAGE on a state
 * that no station would take.
 */
int
presence_beat(struct station *st, const char *state)
{
	struct presence p;
	struct changes c = CHANGES_INIT;
	struct commit_spec spec;
	struct buf mine = BUF_INIT, hub = BUF_INIT, doc = BUF_INIT;
	struct buf who = BUF_INIT, tip = BUF_INIT, ref = BUF_INIT;
	int rv = -1;

	memset(&p, 0, sizeof(p));
	if (state != NULL && presence_check_state(state) == -1)
		return -1;
	if (own_refs(st, &mine, &hub) == -1 ||
	    msg_ts(p.ts, sizeof(p.ts), time(NULL)) == -1)
		goto out;
	strlcpy(p.agent, st->agent, sizeof(p.agent));
	p.state = state == NULL ? last_state(st, &mine, &hub) :
	    *state != '\0' ? xstrdup(state) : NULL;
	presence_write(&p, &doc);
	changes_add_data(&c, PRESENCE_FILE, doc.s, doc.len);
	station_ident(st, &who);
	memset(&spec, 0, sizeof(spec));
	spec.committer = who.s;
	spec.message = "bus-sync: presence\n";
	spec.changes = &c;
	buf_addf(&ref, PRESENCE_REF "%s", st->agent);
	if (station_make_commits(st, &spec, 1, &tip) == -1 ||
	    git(&st->g, NULL, "update-ref", "-m", "bus-sync: presence",
	    ref.s, tip.s, NULL) != 0)
		goto out;
	rv = 0;
out:
	presence_free(&p);
	changes_free(&c);
	buf_free(&mine);
	buf_free(&hub);
	buf_free(&doc);
	buf_free(&who);
	buf_free(&tip);
	buf_free(&ref);
	return rv;
}

/*
 * Is there a beat the hub does not have (made now, or by a run that
 * could not push it)?  Then st->beat names it, and the next push takes
 * it along (sync.c).  Returns 1 then, 0 when there is none, or -1.
 */
int
presence_pending(struct station *st)
{
	struct buf mine = BUF_INIT, hub = BUF_INIT;
	int rv = -1;

	if (own_refs(st, &mine, &hub) == -1)
		goto out;
	buf_reset(&st->beat);
	st->beat_sent = 0;
	if ((rv = mine.len > 0 && strcmp(mine.s, hub.len > 0 ? hub.s :
	    "") != 0))
		buf_adds(&st->beat, mine.s);
out:
	buf_free(&mine);
	buf_free(&hub);
	return rv;
}

/* Is name one of the agents as[0..n)? */
static int
listed(const struct agent_status *as, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(as[i].agent, name) == 0)
			return 1;
	return 0;
}

/*
 * The hub's presence refs as fetched, of the agents as[0..n): their
 * commits and names; each other ref is an entry of bad.
 */
static int
hub_refs(struct station *st, const struct agent_status *as, size_t n,
    struct strvec *commits, struct strvec *names, struct buf *bad)
{
	struct buf out = BUF_INIT;
	char *line, *nl, *sp;
	const char *name;

	if (git(&st->g, &out, "for-each-ref", "--format=%(objectname) "
	    "%(refname)", PRESENCE_HUB, NULL) != 0) {
		buf_free(&out);
		return -1;
	}
	for (line = out.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		name = sp + strlen(PRESENCE_HUB);
		if (listed(as, n, name)) {
			strvec_push(commits, line);
			strvec_push(names, name);
			continue;
		}
		buf_adds(bad, PRESENCE_REF);
		text_safe(bad, name, strlen(name));
		buf_adds(bad, valid_agent(name, strlen(name)) ? ": no such "
		    "agent on the bus" : ": not an agent name");
		buf_addc(bad, '\0');
	}
	buf_free(&out);
	return 0;
}

/* Take presence p of as[] (n of them), unless an older one is known. */
static void
take_presence(struct agent_status *as, size_t n, struct presence *p)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(as[i].agent, p->agent) != 0)
			continue;
		if (*as[i].heartbeat == '\0' ||
		    ts_cmp(p->ts, as[i].heartbeat) > 0)
			strlcpy(as[i].heartbeat, p->ts,
			    sizeof(as[i].heartbeat));
		free(as[i].state);
		as[i].state = p->state;
		p->state = NULL;
	}
}

/*
 * The hub's presence, as the last fetch brought it, into as[0..n): each
 * agent's last heartbeat (the newer of its presence and of any old
 * heartbeat message status.c found) and its state.  What cannot be
 * taken (a ref that names no agent, a commit or document out of shape,
 * in signed mode a commit that the agent's key did not sign) is an
 * entry of bad, "ref: why" and a NUL, and left out.
 */
int
presence_gather(struct station *st, struct agent_status *as, size_t n,
    struct buf *bad)
{
	struct strvec commits = STRVEC_INIT, names = STRVEC_INIT;
	struct presence *ps = NULL;
	char **who = NULL;
	size_t i;
	int rv = -1;

	if (hub_refs(st, as, n, &commits, &names, bad) == -1)
		goto out;
	ps = xcalloc(commits.n + 1, sizeof(*ps));
	who = xcalloc(commits.n + 1, sizeof(*who));
	if (presence_load(&st->g, commits.v, commits.n, ps) == -1 ||
	    (st->require_signed && commits.n > 0 && verify_signed_by(st,
	    commits.v, commits.n, who) == -1))
		goto out;
	for (i = 0; i < commits.n; i++) {
		if (ps[i].why == NULL && strcmp(ps[i].agent, names.v[i]) != 0)
			why_set(&ps[i], "its agent is %s", ps[i].agent);
		if (ps[i].why == NULL && st->require_signed &&
		    (who[i] == NULL || strcmp(who[i], names.v[i]) != 0))
			why_set(&ps[i], "not signed by %s's key in "
			    ".bus/allowed_signers (bus.requireSigned)",
			    names.v[i]);
		if (ps[i].why == NULL) {
			take_presence(as, n, &ps[i]);
			continue;
		}
		buf_addf(bad, PRESENCE_REF "%s: ", names.v[i]);
		text_safe(bad, ps[i].why, strlen(ps[i].why));
		buf_addc(bad, '\0');
	}
	rv = 0;
out:
	for (i = 0; ps != NULL && i < commits.n; i++) {
		presence_free(&ps[i]);
		free(who[i]);
	}
	free(ps);
	free(who);
	strvec_clear(&commits);
	strvec_clear(&names);
	return rv;
}
