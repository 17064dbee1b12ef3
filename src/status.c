/*
 * status.c: what happened to messages an agent sent, and how the other
 * agents are doing, read from the trees (SPEC section 5, bus-status).
 *
 * Nothing here walks the whole archive or the whole log.  A message is
 * found by its paths: the recipient and day come from the record of
 * sent messages (sent.c) or from the time in a generated id.  An
 * answer is looked for only among messages to the sender since the
 * message's day, and the commit that moved it only among commits
 * since then.  A message found nowhere else is looked for only in the
 * commits the hub refused that the station's record names.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station.h"

#define DAY	(24 * 60 * 60)

static void
set(char **field, const char *value)
{
	free(*field);
	*field = value != NULL ? xstrdup(value) : NULL;
}

/* The UTC day of t, YYYY-MM-DD, into day[11]. */
static void
day_of(time_t t, char *day)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(day, 11, "%Y-%m-%d", &tm) == 0)
		strlcpy(day, "0000-00-00", 11);
}

/*
 * ls-tree of the given directories of tree, full paths, NUL-separated
 * into out.  A directory that does not exist lists nothing.
 */
static int
list_dirs(struct station *st, const char *tree, const struct strvec *dirs,
    struct buf *out)
{
	struct strvec argv = STRVEC_INIT;
	int rv;

	buf_reset(out);
	if (dirs->n == 0)
		return 0;
	strvec_pushv(&argv, (const char *const []){ "ls-tree", "-z",
	    "--name-only", "--full-tree", tree, "--", NULL });
	strvec_pushv(&argv, dirs->v);
	rv = git_run(&st->g, NULL, out, NULL, argv.v);
	strvec_clear(&argv);
	return rv == 0 ? 0 : -1;
}

/*
 * Read the blobs, parsed, into a new array *msp, one for each; a blob
 * that is not a valid message is zeroed.
 */
static int
read_msgs(struct station *st, const struct strvec *blobs, struct msg **msp)
{
	struct buf out = BUF_INIT, why = BUF_INIT;
	struct cat_obj *objs;
	struct msg *ms;
	size_t i;
	int rv = -1;

	*msp = ms = xcalloc(blobs->n + 1, sizeof(*ms));
	if (blobs->n == 0)
		return 0;
	objs = xreallocarray(NULL, blobs->n, sizeof(*objs));
	if (git_cat_batch(&st->g, blobs->v, blobs->n, &out, objs) == -1)
		goto out;
	for (i = 0; i < blobs->n; i++) {
		buf_reset(&why);
		if (objs[i].missing || msg_parse(&ms[i], objs[i].data,
		    objs[i].size, st->maxsize, &why) == -1)
			memset(&ms[i], 0, sizeof(ms[i]));
	}
	rv = 0;
out:
	free(objs);
	buf_free(&out);
	buf_free(&why);
	return rv;
}

/* The tree holding what the station knows: its branch, else the hub's. */
static const char *
station_view(const struct station *st)
{
	return st->tip_local.len > 0 ? st->tip_local.s : st->tip_remote.s;
}

/* Does any message wait to be placed? */
static int
unplaced(const struct status *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].state == STATE_NONE)
			return 1;
	return 0;
}

/* The agent after a (NULL: the first) that x may have gone to, or NULL. */
static const char *
next_to(const struct status *x, const struct buf *agents, const char *a)
{
	while ((a = strvec_next(agents, a)) != NULL)
		if (x->to == NULL || strcmp(x->to, a) == 0)
			return a;
	return NULL;
}

/* Names to look up in one batch, each for a message and an agent. */
struct probe {
	size_t		 i;		/* which status */
	const char	*to;		/* into the agents list */
	size_t		 what;		/* an enum where, or which refusal */
};

struct probes {
	struct strvec	 names;		/* "tree:path" */
	struct probe	*v;
	const char	**oids;		/* probes_look(): "" for none */
	struct buf	 out;
};

#define PROBES_INIT	{ STRVEC_INIT, NULL, NULL, BUF_INIT }

static void
probe(struct probes *ps, size_t i, const char *to, size_t what,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
probe(struct probes *ps, size_t i, const char *to, size_t what,
    const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	ps->v = xreallocarray(ps->v, ps->names.n + 1, sizeof(*ps->v));
	ps->v[ps->names.n] = (struct probe){ i, to, what };
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	strvec_push(&ps->names, b.s);
	buf_free(&b);
}

/* Look every name up, in one git process. */
static int
probes_look(struct station *st, struct probes *ps)
{
	ps->oids = xreallocarray(NULL, ps->names.n + 1, sizeof(*ps->oids));
	return git_oids(&st->g, ps->names.v, ps->names.n, &ps->out, ps->oids);
}

static void
probes_free(struct probes *ps)
{
	strvec_clear(&ps->names);
	free(ps->v);
	free(ps->oids);
	buf_free(&ps->out);
}

enum where {
	IN_HUB_ARCHIVE,			/* read */
	IN_HUB_INBOX,			/* delivered */
	IN_STATION_INBOX		/* queued */
};

/*
 * Look every unplaced message up by its paths: in the recipient's
 * archive on the hub (its day, or the flat layout), in its inbox on the
 * hub, in its inbox in the station.  The best place found wins.
 */
static int
place(struct station *st, struct status *s, size_t n, const struct buf *agents,
    int with_days, const struct buf *days)
{
	static const enum msg_state state_of[] = {
		STATE_READ, STATE_DELIVERED, STATE_QUEUED
	};
	struct probes ps = PROBES_INIT;
	const char *hub = st->tip_remote.s, *mine = st->tip_local.s, *a, *d;
	size_t i, k;
	int rv = -1;

	for (i = 0; i < n; i++) {
		if (s[i].state != STATE_NONE)
			continue;
		for (a = NULL; (a = next_to(&s[i], agents, a)) != NULL; ) {
			if (with_days) {
				for (d = NULL; (d = strvec_next(days, d)) !=
				    NULL; )
					if (strncmp(d + 8, a, strlen(a)) == 0 &&
					    d[8 + strlen(a)] == '/')
						probe(&ps, i, a, IN_HUB_ARCHIVE,
						    "%s:%s/%s.json", hub, d,
						    s[i].id);
				continue;
			}
			if (st->tip_remote.len > 0) {
				if (s[i].ts != NULL)
					probe(&ps, i, a, IN_HUB_ARCHIVE,
					    "%s:archive-%s/%.10s/%s.json",
					    hub, a, s[i].ts, s[i].id);
				probe(&ps, i, a, IN_HUB_ARCHIVE,
				    "%s:archive-%s/%s.json", hub, a, s[i].id);
				probe(&ps, i, a, IN_HUB_INBOX,
				    "%s:inbox-%s/%s.json", hub, a, s[i].id);
			}
			if (st->tip_local.len > 0)
				probe(&ps, i, a, IN_STATION_INBOX,
				    "%s:inbox-%s/%s.json", mine, a, s[i].id);
		}
	}
	if (probes_look(st, &ps) == -1)
		goto out;
	for (k = 0; k < ps.names.n; k++) {
		struct status *x = &s[ps.v[k].i];
		enum msg_state found = state_of[ps.v[k].what];
		const char *path = strchr(ps.names.v[k], ':') + 1;

		if (*ps.oids[k] == '\0' ||
		    (x->state != STATE_NONE && x->state >= found))
			continue;
		/* evidence from a commit this station could not verify */
		if (verify_path_untrusted(st, path) != NULL)
			continue;
		x->state = found;
		x->archived = x->state == STATE_READ;
		set(&x->to, ps.v[k].to);
		set(&x->blob, ps.oids[k]);
		set(&x->path, path);
	}
	rv = 0;
out:
	probes_free(&ps);
	return rv;
}

/*
 * For messages given by a custom id that the record does not know, the
 * archive day is unknown: try each day directory of the recipients'
 * archives on the hub (a listing of days, not of messages).
 */
static int
place_by_days(struct station *st, struct status *s, size_t n,
    const struct buf *agents)
{
	struct strvec dirs = STRVEC_INIT;
	struct buf list = BUF_INIT, days = BUF_INIT;
	const char *a, *p, *slash;
	int rv = -1;

	if (!unplaced(s, n) || st->tip_remote.len == 0)
		return 0;
	for (a = NULL; (a = strvec_next(agents, a)) != NULL; )
		strvec_pushf(&dirs, "archive-%s/", a);
	if (list_dirs(st, st->tip_remote.s, &dirs, &list) == -1)
		goto out;
	for (p = NULL; (p = strvec_next(&list, p)) != NULL; )
		if ((slash = strchr(p, '/')) != NULL &&
		    valid_day(slash + 1, strlen(slash + 1)))
			buf_add(&days, p, strlen(p) + 1);
	rv = days.len > 0 ? place(st, s, n, agents, 1, &days) : 0;
out:
	strvec_clear(&dirs);
	buf_free(&list);
	buf_free(&days);
	return rv;
}

/* One line of the record of refusals (sent.c), split in place. */
struct refusal {
	const char	*commit;
	const char	*ts;
	const char	*reason;
};

/*
 * The station's record of refusals, read into rec: its lines, split in
 * place, into *rf; a line that does not parse is passed over.
 */
static int
read_refusals(struct station *st, struct buf *rec, struct refusal **rf,
    size_t *nrf)
{
	char *line, *nl, *t1, *t2;

	if (sent_refusals(st, rec) == -1)
		return -1;
	for (line = rec->s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		if ((t1 = strchr(line, '\t')) == NULL ||
		    (t2 = strchr(t1 + 1, '\t')) == NULL)
			continue;
		*t1 = *t2 = '\0';
		if (strspn(line, "0123456789abcdef") != strlen(line) ||
		    strlen(line) < 40 || !valid_ts(t1 + 1, strlen(t1 + 1)))
			continue;
		*rf = xreallocarray(*rf, *nrf + 1, sizeof(**rf));
		(*rf)[*nrf].commit = line;
		(*rf)[*nrf].ts = t1 + 1;
		(*rf)[(*nrf)++].reason = t2 + 1;
	}
	return 0;
}

/*
 * A message found nowhere else may be in a commit the hub refused,
 * which refused.c set aside under SYNC_REFUSED.  Only the commits in the
 * station's record of refusals are looked at, each by the message's
 * paths, all in one batch; so nothing is read when the record is empty.
 * The oldest commit that holds the message is taken: those set aside
 * after it in the same push descend from it, and hold it too.  A
 * commit whose ref is gone (dropped, or sent again) holds nothing.
 */
static int
place_refused(struct station *st, struct status *s, size_t n,
    const struct buf *agents)
{
	struct probes ps = PROBES_INIT;
	struct buf rec = BUF_INIT;
	struct refusal *rf = NULL;
	const char *a;
	size_t i, k, nrf = 0;
	int rv = -1;

	if (!unplaced(s, n))
		return 0;
	if (read_refusals(st, &rec, &rf, &nrf) == -1)
		goto out;
	/* in the order of the record, so the first hit is the oldest */
	for (i = 0; i < n; i++) {
		if (s[i].state != STATE_NONE)
			continue;
		for (k = 0; k < nrf; k++)
			for (a = NULL; (a = next_to(&s[i], agents, a)) !=
			    NULL; )
				probe(&ps, i, a, k, SYNC_REFUSED
				    "%s:inbox-%s/%s.json", rf[k].commit, a,
				    s[i].id);
	}
	if (probes_look(st, &ps) == -1)
		goto out;
	for (k = 0; k < ps.names.n; k++) {
		struct status *x = &s[ps.v[k].i];
		const struct refusal *r = &rf[ps.v[k].what];

		if (*ps.oids[k] == '\0' || x->state != STATE_NONE)
			continue;
		x->state = STATE_REFUSED;
		set(&x->to, ps.v[k].to);
		set(&x->blob, ps.oids[k]);
		set(&x->path, strchr(ps.names.v[k], ':') + 1);
		set(&x->refused_commit, r->commit);
		set(&x->refused_time, r->ts);
		set(&x->refused_reason, r->reason);
	}
	rv = 0;
out:
	free(rf);
	probes_free(&ps);
	buf_free(&rec);
	return rv;
}

/* Fill id, ts, from, to and type from the message files found. */
static int
describe(struct station *st, struct status *s, size_t n)
{
	struct strvec blobs = STRVEC_INIT;
	struct msg *ms = NULL;
	size_t *which = NULL, i, k = 0;
	int rv = -1;

	for (i = 0; i < n; i++)
		if (s[i].blob != NULL) {
			which = xreallocarray(which, k + 1, sizeof(*which));
			which[k++] = i;
			strvec_push(&blobs, s[i].blob);
		}
	if (k == 0)
		return 0;
	if (read_msgs(st, &blobs, &ms) == -1)
		goto out;
	for (i = 0; i < k; i++) {
		struct status *x = &s[which[i]];

		if (ms[i].id == NULL)
			continue;
		set(&x->ts, ms[i].ts);
		set(&x->from, ms[i].from);
		set(&x->type, ms[i].type);
		msg_free(&ms[i]);
	}
	rv = 0;
out:
	free(ms);
	free(which);
	strvec_clear(&blobs);
	return rv;
}

/*
 * The commits that moved the read messages into the archives: one log
 * walk over the commits since the oldest of them was sent (a day early,
 * for clocks that disagree), limited to their archive days.
 */
static int
moves(struct station *st, struct status *s, size_t n)
{
	struct strvec args = STRVEC_INIT;
	struct buf out = BUF_INIT;
	char since[32], when[32], *line, *nl, *commit = NULL, *tab;
	time_t oldest = 0, t;
	size_t i, k;
	int rv = -1;

	for (i = 0, k = 0; i < n; i++) {
		if (!s[i].archived || s[i].ts == NULL)
			continue;
		t = ts_time(s[i].ts);
		if (k++ == 0 || t < oldest)
			oldest = t;
	}
	if (k == 0)
		return 0;
	if (msg_ts(since, sizeof(since), oldest - DAY) == -1)
		return -1;
	strvec_pushv(&args, (const char *const []){ "log",
	    "--format=%H%x09%at", "--name-only", "--diff-filter=A", NULL });
	strvec_pushf(&args, "--since=%s", since);
	strvec_push(&args, st->tip_remote.s);
	strvec_push(&args, "--");
	/* their day directories, each once: few pathspecs, one walk */
	for (i = 0; i < n; i++) {
		const char *slash;
		size_t j;

		if (!s[i].archived || s[i].ts == NULL ||
		    (slash = strrchr(s[i].path, '/')) == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (s[j].archived && s[j].ts != NULL &&
			    strrchr(s[j].path, '/') - s[j].path ==
			    slash - s[i].path && strncmp(s[j].path,
			    s[i].path, (size_t)(slash - s[i].path)) == 0)
				break;
		if (j == i)
			strvec_pushf(&args, "%.*s/", (int)(slash - s[i].path),
			    s[i].path);
	}
	if (git_run(&st->g, NULL, &out, NULL, args.v) != 0)
		goto out;
	for (line = out.s; line != NULL && *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		if ((tab = strchr(line, '\t')) != NULL) {
			*tab = '\0';
			commit = line;
			if (msg_ts(when, sizeof(when),
			    (time_t)atoll(tab + 1)) == -1)
				goto out;
			continue;
		}
		for (i = 0; commit != NULL && *line != '\0' && i < n; i++)
			if (s[i].archived && s[i].path != NULL &&
			    strcmp(s[i].path, line) == 0) {
				set(&s[i].read_commit, commit);
				set(&s[i].read_time, when);
			}
	}
	rv = 0;
out:
	strvec_clear(&args);
	buf_free(&out);
	return rv;
}

/* The id in path's file name, ID.json, into id[size]; 0 if none fits. */
static int
json_id(const char *path, char *id, size_t size)
{
	const char *base = path_base(path);
	size_t len = strlen(base);

	if (len <= 5 || len - 5 >= size || strcmp(base + len - 5, ".json") != 0)
		return 0;
	memcpy(id, base, len - 5);
	id[len - 5] = '\0';
	return 1;
}

/*
 * The acks among the messages ms[0..nms) that answer sender's messages
 * in s[0..n), each from the message's recipient: the first of each
 * counts.  Frees them.
 */
static void
take_acks(struct status *s, size_t n, const char *sender, struct msg *ms,
    size_t nms)
{
	size_t i, k;

	for (k = 0; k < nms; k++) {
		if (ms[k].id == NULL)
			continue;
		for (i = 0; ms[k].re != NULL && i < n; i++) {
			struct status *x = &s[i];

			if (strcmp(ms[k].type, "ack") != 0 ||
			    x->state == STATE_REFUSED ||
			    strcmp(x->id, ms[k].re) != 0 ||
			    x->from == NULL || strcmp(x->from, sender) != 0 ||
			    x->to == NULL || strcmp(x->to, ms[k].from) != 0 ||
			    (x->ack_ts != NULL &&
			    ts_cmp(x->ack_ts, ms[k].ts) <= 0))
				continue;
			x->state = STATE_ACKED;
			set(&x->ack_id, ms[k].id);
			set(&x->ack_ts, ms[k].ts);
			set(&x->ack_from, ms[k].from);
		}
		msg_free(&ms[k]);
	}
}

/*
 * Answers to the messages from sender: an ack with re=ID sits in the
 * sender's inbox or in its archive, on a day no earlier than the day
 * before the message was sent (or flat, in the older layout).  Only
 * those days are listed, and only files that may be from a recipient
 * are read.  An ack counts when it comes from the message's recipient:
 * anyone else's says nothing about what the recipient saw.
 */
static int
acks_to(struct station *st, struct status *s, size_t n, const char *sender)
{
	struct strvec dirs = STRVEC_INIT, blobs = STRVEC_INIT;
	struct buf list = BUF_INIT, flat = BUF_INIT;
	struct msg *ms = NULL;
	const char *view = station_view(st), *p, *base;
	char first[11] = "", day[11], idts[21], idfrom[33], id[129];
	size_t i;
	int rv = -1, ok;

	for (i = 0; i < n; i++) {
		if (s[i].state < STATE_QUEUED || s[i].state == STATE_REFUSED ||
		    s[i].from == NULL || s[i].ts == NULL ||
		    strcmp(s[i].from, sender) != 0)
			continue;
		day_of(ts_time(s[i].ts) - DAY, day);
		if (*first == '\0' || strcmp(day, first) < 0)
			strlcpy(first, day, sizeof(first));
	}
	if (*first == '\0' || *view == '\0')
		return 0;

	/* the day directories since first */
	strvec_pushf(&dirs, "archive-%s/", sender);
	if (list_dirs(st, view, &dirs, &list) == -1)
		goto out;
	strvec_clear(&dirs);
	strvec_pushf(&dirs, "inbox-%s/", sender);
	for (p = NULL; (p = strvec_next(&list, p)) != NULL; ) {
		base = path_base(p);
		if (valid_day(base, strlen(base)) && strcmp(base, first) >= 0)
			strvec_pushf(&dirs, "%s/", p);
		else if (json_id(p, id, sizeof(id)))	/* the flat layout */
			buf_add(&flat, p, strlen(p) + 1);
	}
	if (list_dirs(st, view, &dirs, &list) == -1)
		goto out;
	buf_add(&list, flat.s, flat.len);

	for (p = NULL; (p = strvec_next(&list, p)) != NULL; ) {
		if (!json_id(p, id, sizeof(id)))
			continue;
		/* a generated id names its sender: skip the others */
		if (msg_id_parse(id, idts, idfrom)) {
			for (i = 0, ok = 0; i < n && !ok; i++)
				ok = s[i].to != NULL &&
				    strcmp(s[i].to, idfrom) == 0;
			if (!ok || strncmp(idts, first, 10) < 0)
				continue;
		}
		/* an ack from a commit this station could not verify */
		if (verify_path_untrusted(st, p) != NULL)
			continue;
		strvec_pushf(&blobs, "%s:%s", view, p);
	}
	if (read_msgs(st, &blobs, &ms) == -1)
		goto out;
	take_acks(s, n, sender, ms, blobs.n);
	rv = 0;
out:
	free(ms);
	strvec_clear(&dirs);
	strvec_clear(&blobs);
	buf_free(&list);
	buf_free(&flat);
	return rv;
}

/*
 * Fill in s[0..n), whose ids are set and whose to and ts may be (from
 * the record of sent messages).  A message found nowhere keeps
 * STATE_NONE.  The caller has synced, or chosen not to.
 */
int
status_lookup(struct station *st, struct status *s, size_t n)
{
	struct buf agents = BUF_INIT, senders = BUF_INIT, none = BUF_INIT;
	char ts[21], from[33];
	const char *p;
	size_t i;
	int rv = -1;

	if (station_tips(st) == -1 || station_agents(st, &agents) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (s[i].ts == NULL && msg_id_parse(s[i].id, ts, from))
			set(&s[i].ts, ts);
	if (place(st, s, n, &agents, 0, &none) == -1 ||
	    place_by_days(st, s, n, &agents) == -1 ||
	    place_refused(st, s, n, &agents) == -1 ||
	    describe(st, s, n) == -1 || moves(st, s, n) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (s[i].from != NULL &&
		    !agent_listed(&senders, s[i].from))
			buf_add(&senders, s[i].from, strlen(s[i].from) + 1);
	for (p = NULL; (p = strvec_next(&senders, p)) != NULL; )
		if (acks_to(st, s, n, p) == -1)
			goto out;
	rv = 0;
out:
	buf_free(&agents);
	buf_free(&senders);
	buf_free(&none);
	return rv;
}

/* Free what one status holds. */
void
status_free_one(struct status *s)
{
	free(s->id);
	free(s->to);
	free(s->ts);
	free(s->from);
	free(s->type);
	free(s->path);
	free(s->blob);
	free(s->read_commit);
	free(s->read_time);
	free(s->ack_id);
	free(s->ack_ts);
	free(s->ack_from);
	free(s->refused_commit);
	free(s->refused_time);
	free(s->refused_reason);
}

void
status_free(struct status *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		status_free_one(&s[i]);
	free(s);
}

/*
 * What the messages ms[0..nms) say of the agents as[0..n): when each
 * was last seen, since since, and its newest heartbeat.  Frees them.
 */
static void
take_seen(struct agent_status *as, size_t n, struct msg *ms, size_t nms,
    const char *since)
{
	size_t i, j;

	for (i = 0; i < nms; i++) {
		for (j = 0; ms[i].id != NULL && j < n; j++) {
			if (strcmp(as[j].agent, ms[i].from) != 0 ||
			    ts_cmp(ms[i].ts, since) < 0)
				continue;
			if (*as[j].seen == '\0' ||
			    ts_cmp(ms[i].ts, as[j].seen) > 0)
				strlcpy(as[j].seen, ms[i].ts,
				    sizeof(as[j].seen));
			if (strcmp(ms[i].type, "heartbeat") == 0 &&
			    (*as[j].heartbeat == '\0' ||
			    ts_cmp(ms[i].ts, as[j].heartbeat) > 0))
				strlcpy(as[j].heartbeat, ms[i].ts,
				    sizeof(as[j].heartbeat));
		}
		msg_free(&ms[i]);
	}
}

/*
 * Every agent's unread count, and the last time it was seen: its
 * newest message in any inbox, or in any archive since the day of
 * since, and its newest heartbeat among those.
 */
int
status_agents(struct station *st, const char *since, struct agent_status **out,
    size_t *nout)
{
	struct strvec dirs = STRVEC_INIT, blobs = STRVEC_INIT;
	struct buf agents = BUF_INIT, list = BUF_INIT;
	struct agent_status *as = NULL;
	struct msg *ms = NULL;
	const char *view, *a, *p;
	char day[11], last[11], idts[21], idfrom[33], id[129];
	time_t t, now = time(NULL);
	size_t i, n = 0;
	int rv = -1;

	*out = NULL;
	*nout = 0;
	if (station_tips(st) == -1 || station_agents(st, &agents) == -1)
		goto out;
	view = station_view(st);
	for (a = NULL; (a = strvec_next(&agents, a)) != NULL; ) {
		as = xreallocarray(as, n + 1, sizeof(*as));
		memset(&as[n], 0, sizeof(as[n]));
		strlcpy(as[n++].agent, a, sizeof(as->agent));
		strvec_pushf(&dirs, "inbox-%s/", a);
		day_of(now, last);
		for (t = ts_time(since); ; t += DAY) {
			day_of(t, day);
			strvec_pushf(&dirs, "archive-%s/%s/", a, day);
			if (strcmp(day, last) >= 0)
				break;
		}
	}
	if (*view == '\0')
		goto done;
	if (list_dirs(st, view, &dirs, &list) == -1)
		goto out;

	for (p = NULL; (p = strvec_next(&list, p)) != NULL; ) {
		if (msg_is_keep(p) || !json_id(p, id, sizeof(id)))
			continue;
		if (strncmp(p, "inbox-", 6) == 0)
			for (i = 0; i < n; i++)
				if (strncmp(p + 6, as[i].agent,
				    strlen(as[i].agent)) == 0 &&
				    p[6 + strlen(as[i].agent)] == '/')
					as[i].unread++;
		/* an old unread message is not read again */
		if (msg_id_parse(id, idts, idfrom) && ts_cmp(idts, since) < 0)
			continue;
		strvec_pushf(&blobs, "%s:%s", view, p);
	}

	/* the types, and the senders of custom ids, are in the files */
	if (read_msgs(st, &blobs, &ms) == -1)
		goto out;
	take_seen(as, n, ms, blobs.n, since);
done:
	*out = as;
	*nout = n;
	as = NULL;
	rv = 0;
out:
	free(as);
	free(ms);
	strvec_clear(&dirs);
	strvec_clear(&blobs);
	buf_free(&agents);
	buf_free(&list);
	return rv;
}
