/*
 * show.c: messages found by their ids anywhere on the station's branch,
 * in any agent's inbox or archive (SPEC section 5, bus-show), without
 * reading a mailbox whole.
 *
 * An id can be in three places per agent: its inbox, the archive day of
 * its time (a generated id starts with it) and the flat archive of the
 * older layout.  Those names are asked for in one cat-file
 * --batch-check, the entries found checked in one ls-tree and read in
 * one cat-file --batch.  Only an id not found so costs a listing of the
 * archives' days and a second such round; only an id still not found a
 * walk of the history since its day, for a day bus-gc collected.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "station.h"

/* Names to look up: "rev:path", each for the ids[asked[i]]. */
struct probes {
	struct strvec	 names;
	size_t		*asked;
};

static void
probe_add(struct probes *ps, size_t asked, const char *rev, const char *dir,
    const char *id)
{
	ps->asked = xreallocarray(ps->asked, ps->names.n + 1,
	    sizeof(*ps->asked));
	ps->asked[ps->names.n] = asked;
	strvec_pushf(&ps->names, "%s:%s/%s.json", rev, dir, id);
}

static void
probes_free(struct probes *ps)
{
	strvec_clear(&ps->names);
	free(ps->asked);
	ps->asked = NULL;
}

static int
shown_order(const void *x, const void *y)
{
	const struct shown *a = x, *b = y;
	int c = strcmp(a->im.m.id, b->im.m.id);

	return c != 0 ? c : strcmp(a->im.path, b->im.path);
}

/*
 * The entries of rev at paths (as ls-tree prints them, "mode type
 * oid\tpath"), a thousand paths a process so that no argument list
 * overflows, into out (NUL-separated).
 */
static int
list_paths(struct station *st, const char *rev, const struct strvec *paths,
    struct buf *out)
{
	struct strvec args = STRVEC_INIT;
	size_t i, j;
	int rv = 0;

	for (i = 0; i < paths->n && rv == 0; i = j) {
		strvec_clear(&args);
		strvec_pushv(&args, (const char *const []){ "ls-tree", "-z",
		    "--full-tree", rev, "--", NULL });
		for (j = i; j < paths->n && j - i < 1000; j++)
			strvec_push(&args, paths->v[j]);
		if (git_run(&st->g, NULL, out, NULL, args.v) != 0)
			rv = -1;
	}
	strvec_clear(&args);
	return rv;
}

/*
 * Look the names of ps up in rev: each found marks its id in hit[], and
 * each entry that is a valid message where it sits joins sh; one that
 * is not is said in sh->bad.  Three git processes, however many names.
 */
static int
probe(struct station *st, const char *rev, struct probes *ps, char *hit,
    struct show *sh, const char *gone)
{
	struct buf oidbuf = BUF_INIT, list = BUF_INIT, data = BUF_INIT;
	struct strvec paths = STRVEC_INIT, found = STRVEC_INIT;
	struct strvec oids = STRVEC_INIT;
	struct cat_obj *obj = NULL;
	const char **oid;
	struct shown *s;
	char *p, *tab;
	size_t i;
	int rv = -1;

	oid = xreallocarray(NULL, ps->names.n + 1, sizeof(*oid));
	if (git_oids(&st->g, (const char *const *)ps->names.v, ps->names.n,
	    &oidbuf, oid) == -1)
		goto out;
	for (i = 0; i < ps->names.n; i++)
		if (*oid[i] != '\0') {
			hit[ps->asked[i]] = 1;
			strvec_push(&paths, strchr(ps->names.v[i], ':') + 1);
		}
	if (list_paths(st, rev, &paths, &list) == -1)
		goto out;
	for (p = NULL; (p = strvec_next(&list, p)) != NULL; ) {
		if ((tab = strchr(p, '\t')) == NULL ||
		    station_msg_admit(st, p, tab + 1, &sh->bad) == -1)
			continue;
		strvec_push(&found, tab + 1);
		strvec_pushf(&oids, "%.*s", (int)(tab - p - 12), p + 12);
	}
	obj = xreallocarray(NULL, oids.n + 1, sizeof(*obj));
	if (git_cat_batch(&st->g, (const char *const *)oids.v, oids.n, &data,
	    obj) == -1)
		goto out;
	for (i = 0; i < found.n; i++) {
		sh->msgs = xreallocarray(sh->msgs, sh->n + 1,
		    sizeof(*sh->msgs));
		s = &sh->msgs[sh->n];
		if (station_msg_take(st, found.v[i], oids.v[i], &obj[i],
		    &s->im, &sh->bad) == -1)
			continue;
		s->gone = gone != NULL ? xstrdup(gone) : NULL;
		sh->n++;
	}
	rv = 0;
out:
	free(oid);
	free(obj);
	strvec_clear(&paths);
	strvec_clear(&found);
	strvec_clear(&oids);
	buf_free(&oidbuf);
	buf_free(&list);
	buf_free(&data);
	return rv;
}

/* The archive day a generated id names, into day[11]; 0 if none. */
static int
id_day(const char *id, char *day)
{
	char ts[32], from[40];

	if (!msg_id_parse(id, ts, from))
		return 0;
	strlcpy(day, ts, 11);
	return 1;
}

/*
 * The ids not hit yet, in every day directory of every archive but the
 * one their time names (tried first): a listing of days, not of
 * messages.
 */
static int
probe_days(struct station *st, const struct buf *agents,
    const char *const *ids, size_t n, char *hit, struct show *sh)
{
	struct strvec args = STRVEC_INIT;
	struct buf days = BUF_INIT;
	struct probes ps = { STRVEC_INIT, NULL };
	const char *a, *d;
	char day[11];
	size_t i;
	int rv = -1;

	strvec_pushv(&args, (const char *const []){ "ls-tree", "-z", "-d",
	    "--name-only", st->ref, "--", NULL });
	for (a = NULL; (a = strvec_next(agents, a)) != NULL; )
		strvec_pushf(&args, "archive-%s/", a);
	if (git_run(&st->g, NULL, &days, NULL, args.v) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (hit[i])
			continue;
		if (!id_day(ids[i], day))
			*day = '\0';
		for (d = NULL; (d = strvec_next(&days, d)) != NULL; )
			if (strcmp(path_base(d), day) != 0)
				probe_add(&ps, i, st->ref, d, ids[i]);
	}
	rv = ps.names.n > 0 ? probe(st, st->ref, &ps, hit, sh, NULL) : 0;
out:
	strvec_clear(&args);
	buf_free(&days);
	probes_free(&ps);
	return rv;
}

/*
 * An id found nowhere on the branch may be in a day that bus-gc
 * collected: the commit that removed it is looked for among those since
 * the day before its own (clocks disagree), and the message read from
 * that commit's parent, noted as gone ("commit ts").
 */
static int
probe_history(struct station *st, const char *id, size_t asked, char *hit,
    struct show *sh)
{
	struct buf out = BUF_INIT, since = BUF_INIT, spec = BUF_INIT;
	struct buf rev = BUF_INIT, gone = BUF_INIT;
	struct probes ps = { STRVEC_INIT, NULL };
	char day[11], ts[32], *sp, *path, *slash;
	int rv = 0;

	if (!id_day(id, day))
		return 0;
	buf_addf(&since, "--since=@%lld",
	    (long long)ts_time(day) - 86400);
	buf_addf(&spec, ":(glob)archive-*/%s/%s.json", day, id);
	if (git(&st->g, &out, "log", "-1", "-z", "--no-renames",
	    "--diff-filter=D", "--format=%H %ct", "--name-only", since.s,
	    st->ref, "--", spec.s, NULL) != 0)
		return -1;
	/* "commit time\0\npath\0" */
	if (out.len == 0 || (sp = strchr(out.s, ' ')) == NULL ||
	    (path = strchr(sp, '\0') + 2) >= out.s + out.len)
		goto out;
	*sp = '\0';
	if (msg_ts(ts, sizeof(ts), (time_t)atoll(sp + 1)) == -1)
		goto out;
	buf_addf(&rev, "%s^", out.s);
	buf_addf(&gone, "%s %s", out.s, ts);
	if ((slash = strrchr(path, '/')) == NULL)
		goto out;
	*slash = '\0';
	probe_add(&ps, asked, rev.s, path, id);
	rv = probe(st, rev.s, &ps, hit, sh, gone.s);
out:
	buf_free(&out);
	buf_free(&since);
	buf_free(&spec);
	buf_free(&rev);
	buf_free(&gone);
	probes_free(&ps);
	return rv;
}

/*
 * Find the messages with the n ids (valid ids, each once) on the
 * station's branch, into sh, sorted by id: found[i] says whether ids[i]
 * was found at all (a file that is not a valid message counts: it is
 * said in sh->bad).
 */
int
show_lookup(struct station *st, const char *const *ids, size_t n,
    char *found, struct show *sh)
{
	struct buf agents = BUF_INIT, dir = BUF_INIT;
	struct probes ps = { STRVEC_INIT, NULL };
	const char *a;
	char day[11];
	size_t i;
	int rv = -1, missing = 0;

	memset(found, 0, n);
	if (station_agents(st, &agents) == -1)
		goto out;
	for (i = 0; i < n; i++)
		for (a = NULL; (a = strvec_next(&agents, a)) != NULL; ) {
			buf_reset(&dir);
			buf_addf(&dir, "inbox-%s", a);
			probe_add(&ps, i, st->ref, dir.s, ids[i]);
			buf_reset(&dir);
			buf_addf(&dir, "archive-%s", a);
			probe_add(&ps, i, st->ref, dir.s, ids[i]);
			if (id_day(ids[i], day)) {
				buf_addf(&dir, "/%s", day);
				probe_add(&ps, i, st->ref, dir.s, ids[i]);
			}
		}
	if (probe(st, st->ref, &ps, found, sh, NULL) == -1)
		goto out;
	for (i = 0; i < n; i++)
		missing += !found[i];
	if (missing > 0 && probe_days(st, &agents, ids, n, found, sh) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (!found[i] && probe_history(st, ids[i], i, found, sh) == -1)
			goto out;
	if (sh->n > 1)
		qsort(sh->msgs, sh->n, sizeof(*sh->msgs), shown_order);
	rv = 0;
out:
	buf_free(&agents);
	buf_free(&dir);
	probes_free(&ps);
	return rv;
}

/* The messages of sh with id: *first of them, and how many. */
size_t
show_find(const struct show *sh, const char *id, size_t *first)
{
	size_t lo = 0, hi = sh->n, mid, n;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(sh->msgs[mid].im.m.id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (n = 0; lo + n < sh->n && strcmp(sh->msgs[lo + n].im.m.id, id) ==
	    0; n++)
		;
	return n;
}

void
show_free(struct show *sh)
{
	size_t i;

	for (i = 0; i < sh->n; i++) {
		inbox_msg_free(&sh->msgs[i].im);
		free(sh->msgs[i].gone);
	}
	free(sh->msgs);
	buf_free(&sh->bad);
	memset(sh, 0, sizeof(*sh));
}
