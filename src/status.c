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

/* Object names for one git batch, kept in one buffer. */
struct names {
	struct buf	 b;		/* NUL-separated */
	size_t		*off;
	size_t		 n;
	const char	**v;		/* names_vec() */
};

static void
names_add(struct names *nm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
names_add(struct names *nm, const char *fmt, ...)
{
	va_list ap;

	nm->off = xreallocarray(nm->off, nm->n + 1, sizeof(*nm->off));
	nm->off[nm->n++] = nm->b.len;
	va_start(ap, fmt);
	buf_vaddf(&nm->b, fmt, ap);
	va_end(ap);
	buf_addc(&nm->b, '\0');
}

static const char *const *
names_vec(struct names *nm)
{
	size_t i;

	free(nm->v);
	nm->v = xreallocarray(NULL, nm->n + 1, sizeof(*nm->v));
	for (i = 0; i < nm->n; i++)
		nm->v[i] = nm->b.s + nm->off[i];
	nm->v[nm->n] = NULL;
	return nm->v;
}

static void
names_free(struct names *nm)
{
	buf_free(&nm->b);
	free(nm->off);
	free(nm->v);
	memset(nm, 0, sizeof(*nm));
}

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
list_dirs(struct station *st, const char *tree, struct names *dirs,
    struct buf *out)
{
	const char **argv;
	size_t i, k = 0;
	int rv;

	buf_reset(out);
	if (dirs->n == 0)
		return 0;
	argv = xreallocarray(NULL, dirs->n + 8, sizeof(*argv));
	argv[k++] = "ls-tree";
	argv[k++] = "-z";
	argv[k++] = "--name-only";
	argv[k++] = "--full-tree";
	argv[k++] = tree;
	argv[k++] = "--";
	names_vec(dirs);
	for (i = 0; i < dirs->n; i++)
		argv[k++] = dirs->v[i];
	argv[k] = NULL;
	rv = git_run(&st->g, NULL, out, NULL, argv);
	free(argv);
	return rv == 0 ? 0 : -1;
}

/* Read the blobs, parsed; a blob that is not a valid message is zeroed. */
static int
read_msgs(struct station *st, struct names *blobs, struct msg *ms)
{
	struct buf out = BUF_INIT, why = BUF_INIT;
	struct cat_obj *objs;
	size_t i;
	int rv = -1;

	if (blobs->n == 0)
		return 0;
	objs = xreallocarray(NULL, blobs->n, sizeof(*objs));
	if (git_cat_batch(&st->g, names_vec(blobs), blobs->n, &out,
	    objs) == -1)
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

enum where {
	IN_HUB_ARCHIVE,			/* read */
	IN_HUB_INBOX,			/* delivered */
	IN_STATION_INBOX		/* queued */
};

struct probe {
	size_t		 i;		/* which status */
	const char	*to;		/* into the agents list */
	enum where	 where;
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
	struct names nm = { BUF_INIT, NULL, 0, NULL };
	struct probe *pr = NULL;
	struct buf out = BUF_INIT;
	const char **oids = NULL, *hub = st->tip_remote.s;
	const char *mine = st->tip_local.s, *a, *d;
	size_t i, k, np = 0;
	int rv = -1;

#define PROBE(w, ...) do {						\
	pr = xreallocarray(pr, np + 1, sizeof(*pr));			\
	pr[np].i = i;							\
	pr[np].to = a;							\
	pr[np++].where = (w);						\
	names_add(&nm, __VA_ARGS__);					\
} while (0)

	for (i = 0; i < n; i++) {
		if (s[i].state != STATE_NONE)
			continue;
		for (a = agents->s; a != NULL && a < agents->s + agents->len;
		    a += strlen(a) + 1) {
			if (s[i].to != NULL && strcmp(s[i].to, a) != 0)
				continue;
			if (with_days) {
				for (d = days->s; d != NULL &&
				    d < days->s + days->len;
				    d += strlen(d) + 1)
					if (strncmp(d + 8, a, strlen(a)) == 0 &&
					    d[8 + strlen(a)] == '/')
						PROBE(IN_HUB_ARCHIVE,
						    "%s:%s/%s.json", hub, d,
						    s[i].id);
				continue;
			}
			if (st->tip_remote.len > 0) {
				if (s[i].ts != NULL)
					PROBE(IN_HUB_ARCHIVE,
					    "%s:archive-%s/%.10s/%s.json",
					    hub, a, s[i].ts, s[i].id);
				PROBE(IN_HUB_ARCHIVE, "%s:archive-%s/%s.json",
				    hub, a, s[i].id);
				PROBE(IN_HUB_INBOX, "%s:inbox-%s/%s.json", hub,
				    a, s[i].id);
			}
			if (st->tip_local.len > 0)
				PROBE(IN_STATION_INBOX, "%s:inbox-%s/%s.json",
				    mine, a, s[i].id);
		}
	}
#undef PROBE
	if (np == 0) {
		rv = 0;
		goto out;
	}
	oids = xreallocarray(NULL, np, sizeof(*oids));
	if (git_oids(&st->g, names_vec(&nm), np, &out, oids) == -1)
		goto out;
	for (k = 0; k < np; k++) {
		struct status *x = &s[pr[k].i];

		if (*oids[k] == '\0' || (x->state != STATE_NONE &&
		    x->state >= state_of[pr[k].where]))
			continue;
		/* evidence from a commit this station could not verify */
		if (verify_path_untrusted(st, strchr(nm.v[k], ':') + 1) !=
		    NULL)
			continue;
		x->state = state_of[pr[k].where];
		x->archived = x->state == STATE_READ;
		set(&x->to, pr[k].to);
		set(&x->blob, oids[k]);
		set(&x->path, strchr(nm.v[k], ':') + 1);
	}
	rv = 0;
out:
	free(pr);
	free(oids);
	names_free(&nm);
	buf_free(&out);
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
	struct names dirs = { BUF_INIT, NULL, 0, NULL };
	struct buf list = BUF_INIT, days = BUF_INIT;
	const char *a, *p;
	size_t i;
	int rv = -1, want = 0;

	for (i = 0; i < n; i++)
		want |= s[i].state == STATE_NONE;
	if (!want || st->tip_remote.len == 0)
		return 0;
	for (a = agents->s; a != NULL && a < agents->s + agents->len;
	    a += strlen(a) + 1)
		names_add(&dirs, "archive-%s/", a);
	if (list_dirs(st, st->tip_remote.s, &dirs, &list) == -1)
		goto out;
	for (p = list.s; p != NULL && p < list.s + list.len;
	    p += strlen(p) + 1) {
		const char *slash = strchr(p, '/');

		if (slash != NULL && valid_day(slash + 1, strlen(slash + 1)))
			buf_add(&days, p, strlen(p) + 1);
	}
	rv = days.len > 0 ? place(st, s, n, agents, 1, &days) : 0;
out:
	names_free(&dirs);
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

struct refused_probe {
	size_t		 i;		/* which status */
	const char	*to;		/* into the agents list */
	size_t		 rec;		/* which refusal */
};

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
	struct names nm = { BUF_INIT, NULL, 0, NULL };
	struct buf rec = BUF_INIT, out = BUF_INIT;
	struct refusal *rf = NULL;
	struct refused_probe *pr = NULL;
	const char **oids = NULL, *a;
	char *line, *nl, *t1, *t2;
	size_t i, k, nrf = 0, np = 0;
	int rv = -1, want = 0;

	for (i = 0; i < n; i++)
		want |= s[i].state == STATE_NONE;
	if (!want)
		return 0;
	if (sent_refusals(st, &rec) == -1)
		goto out;
	for (line = rec.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		if ((t1 = strchr(line, '\t')) == NULL ||
		    (t2 = strchr(t1 + 1, '\t')) == NULL)
			continue;
		*t1 = *t2 = '\0';
		if (strspn(line, "0123456789abcdef") != strlen(line) ||
		    strlen(line) < 40 || !valid_ts(t1 + 1, strlen(t1 + 1)))
			continue;
		rf = xreallocarray(rf, nrf + 1, sizeof(*rf));
		rf[nrf].commit = line;
		rf[nrf].ts = t1 + 1;
		rf[nrf++].reason = t2 + 1;
	}
	/* in the order of the record, so the first hit is the oldest */
	for (i = 0; i < n; i++) {
		if (s[i].state != STATE_NONE)
			continue;
		for (k = 0; k < nrf; k++)
			for (a = agents->s; a != NULL &&
			    a < agents->s + agents->len; a += strlen(a) + 1) {
				if (s[i].to != NULL && strcmp(s[i].to, a) != 0)
					continue;
				pr = xreallocarray(pr, np + 1, sizeof(*pr));
				pr[np].i = i;
				pr[np].to = a;
				pr[np++].rec = k;
				names_add(&nm, SYNC_REFUSED
				    "%s:inbox-%s/%s.json", rf[k].commit, a,
				    s[i].id);
			}
	}
	if (np == 0) {
		rv = 0;
		goto out;
	}
	oids = xreallocarray(NULL, np, sizeof(*oids));
	if (git_oids(&st->g, names_vec(&nm), np, &out, oids) == -1)
		goto out;
	for (k = 0; k < np; k++) {
		struct status *x = &s[pr[k].i];
		const struct refusal *r = &rf[pr[k].rec];

		if (*oids[k] == '\0' || x->state != STATE_NONE)
			continue;
		x->state = STATE_REFUSED;
		set(&x->to, pr[k].to);
		set(&x->blob, oids[k]);
		set(&x->path, strchr(nm.v[k], ':') + 1);
		set(&x->refused_commit, r->commit);
		set(&x->refused_time, r->ts);
		set(&x->refused_reason, r->reason);
	}
	rv = 0;
out:
	free(rf);
	free(pr);
	free(oids);
	names_free(&nm);
	buf_free(&rec);
	buf_free(&out);
	return rv;
}

/* Fill id, ts, from, to and type from the message files found. */
static int
describe(struct station *st, struct status *s, size_t n)
{
	struct names blobs = { BUF_INIT, NULL, 0, NULL };
	struct msg *ms = NULL;
	size_t *which = NULL, i, k = 0;
	int rv = -1;

	for (i = 0; i < n; i++)
		if (s[i].blob != NULL) {
			which = xreallocarray(which, k + 1, sizeof(*which));
			which[k++] = i;
			names_add(&blobs, "%s", s[i].blob);
		}
	if (k == 0)
		return 0;
	ms = xcalloc(k, sizeof(*ms));
	if (read_msgs(st, &blobs, ms) == -1)
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
	names_free(&blobs);
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
	struct names args = { BUF_INIT, NULL, 0, NULL };
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
	names_add(&args, "log");
	names_add(&args, "--format=%%H%%x09%%at");
	names_add(&args, "--name-only");
	names_add(&args, "--diff-filter=A");
	names_add(&args, "--since=%s", since);
	names_add(&args, "%s", st->tip_remote.s);
	names_add(&args, "--");
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
			names_add(&args, "%.*s/", (int)(slash - s[i].path),
			    s[i].path);
	}
	if (git_run(&st->g, NULL, &out, NULL, names_vec(&args)) != 0)
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
	names_free(&args);
	buf_free(&out);
	return rv;
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
	struct names dirs = { BUF_INIT, NULL, 0, NULL };
	struct names blobs = { BUF_INIT, NULL, 0, NULL };
	struct buf list = BUF_INIT, flat = BUF_INIT;
	struct msg *ms = NULL;
	const char *view = station_view(st), *p, *base;
	char first[11] = "", day[11], idts[21], idfrom[33], id[129];
	size_t i, k, len;
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
	names_add(&dirs, "archive-%s/", sender);
	if (list_dirs(st, view, &dirs, &list) == -1)
		goto out;
	names_free(&dirs);
	names_add(&dirs, "inbox-%s/", sender);
	for (p = list.s; p != NULL && p < list.s + list.len;
	    p += strlen(p) + 1) {
		base = path_base(p);
		if (valid_day(base, strlen(base)) && strcmp(base, first) >= 0)
			names_add(&dirs, "%s/", p);
		else if (strlen(base) > 5 &&
		    strcmp(base + strlen(base) - 5, ".json") == 0)
			buf_add(&flat, p, strlen(p) + 1);
	}
	if (list_dirs(st, view, &dirs, &list) == -1)
		goto out;
	buf_add(&list, flat.s, flat.len);

	for (p = list.s; p != NULL && p < list.s + list.len;
	    p += strlen(p) + 1) {
		base = path_base(p);
		len = strlen(base);
		if (len <= 5 || len - 5 >= sizeof(id) ||
		    strcmp(base + len - 5, ".json") != 0)
			continue;
		memcpy(id, base, len - 5);
		id[len - 5] = '\0';
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
		names_add(&blobs, "%s:%s", view, p);
	}
	if (blobs.n == 0) {
		rv = 0;
		goto out;
	}
	ms = xcalloc(blobs.n, sizeof(*ms));
	if (read_msgs(st, &blobs, ms) == -1)
		goto out;
	for (k = 0; k < blobs.n; k++) {
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
	rv = 0;
out:
	free(ms);
	names_free(&dirs);
	names_free(&blobs);
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
	for (p = senders.s; p != NULL && p < senders.s + senders.len;
	    p += strlen(p) + 1)
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
 * Every agent's unread count, and the last time it was seen: its
 * newest message in any inbox, or in any archive since the day of
 * since, and its newest heartbeat among those.
 */
int
status_agents(struct station *st, const char *since, struct agent_status **out,
    size_t *nout)
{
	struct names dirs = { BUF_INIT, NULL, 0, NULL };
	struct names blobs = { BUF_INIT, NULL, 0, NULL };
	struct buf agents = BUF_INIT, list = BUF_INIT;
	struct agent_status *as = NULL;
	struct msg *ms = NULL;
	const char *view, *a, *p, *base;
	char day[11], last[11], idts[21], idfrom[33], id[129];
	time_t t, now = time(NULL);
	size_t i, n = 0, len;
	int rv = -1;

	*out = NULL;
	*nout = 0;
	if (station_tips(st) == -1 || station_agents(st, &agents) == -1)
		goto out;
	view = station_view(st);
	for (a = agents.s; a != NULL && a < agents.s + agents.len;
	    a += strlen(a) + 1) {
		as = xreallocarray(as, n + 1, sizeof(*as));
		memset(&as[n], 0, sizeof(as[n]));
		strlcpy(as[n++].agent, a, sizeof(as->agent));
		names_add(&dirs, "inbox-%s/", a);
		day_of(now, last);
		for (t = ts_time(since); ; t += DAY) {
			day_of(t, day);
			names_add(&dirs, "archive-%s/%s/", a, day);
			if (strcmp(day, last) >= 0)
				break;
		}
	}
	if (*view == '\0')
		goto done;
	if (list_dirs(st, view, &dirs, &list) == -1)
		goto out;

	for (p = list.s; p != NULL && p < list.s + list.len;
	    p += strlen(p) + 1) {
		base = path_base(p);
		len = strlen(base);
		if (msg_is_keep(p) || len <= 5 || len - 5 >= sizeof(id) ||
		    strcmp(base + len - 5, ".json") != 0)
			continue;
		if (strncmp(p, "inbox-", 6) == 0)
			for (i = 0; i < n; i++)
				if (strncmp(p + 6, as[i].agent,
				    strlen(as[i].agent)) == 0 &&
				    p[6 + strlen(as[i].agent)] == '/')
					as[i].unread++;
		memcpy(id, base, len - 5);
		id[len - 5] = '\0';
		/* an old unread message is not read again */
		if (msg_id_parse(id, idts, idfrom) && ts_cmp(idts, since) < 0)
			continue;
		names_add(&blobs, "%s:%s", view, p);
	}

	/* the types, and the senders of custom ids, are in the files */
	if (blobs.n > 0)
		ms = xcalloc(blobs.n, sizeof(*ms));
	if (read_msgs(st, &blobs, ms) == -1)
		goto out;
	for (i = 0; i < blobs.n; i++) {
		size_t j;

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
done:
	*out = as;
	*nout = n;
	as = NULL;
	rv = 0;
out:
	free(as);
	free(ms);
	names_free(&dirs);
	names_free(&blobs);
	buf_free(&agents);
	buf_free(&list);
	return rv;
}
