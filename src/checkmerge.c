/*
 * checkmerge.c: the hub's sequencer's merges (sequence.c), as a station
 * in signed mode (verify.c) and bus-check --range accept them.  The
 * sequencer holds no key, so its merge M is not signed; it is checked
 * by doing it again.  M passes when, and only when:
 *
 * 1. it has two parents, P1 (the branch's tip it folded onto) and P2
 *    (a queue's tip);
 * 2. the queue's commits that P1 lacks (git_own_range(P2, P1): P2's own
 *    line since its fork) are each in the range checked, no merge, with
 *    no problem found by check.c's rules against its first parent, and,
 *    in signed mode, all signed by one agent: a queue is one agent's;
 * 3. every path that differs between P1's tree and M's is changed by
 *    one of those commits, and M holds the value the last of them gave
 *    it (mode and blob); no other path differs.  A change the sequencer
 *    left out (it no longer applied) is simply not in P1..M.  A queue
 *    that P1 holds already brings nothing, and M may change nothing
 *    (a sequencer of 2026-12-01's branch `queue` made such a merge when
 *    a wrong clock misled its for-each-ref --no-merged).
 *
 * check_commits() has read the changes of every commit of the range,
 * M's against P1 among them, with one diff-tree: here one merge-base
 * and one rev-list per merge, no tree read whole.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* The deltas of one commit: they are contiguous in what diff-tree gave. */
struct group {
	const char	*commit;
	size_t		 from, to;
};

/* A path as a queue leaves it: the latest change of it, by order. */
struct last {
	const char	*path;
	size_t		 order;
	const struct check_delta *d;
};

struct merges {
	struct check	*ck;
	const struct check_delta *d;
	struct group	*groups;	/* sorted by commit */
	size_t		 ngroups;
	const char	**listed;	/* the commits of the range, sorted */
	size_t		 nlisted;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->commit,
	    ((const struct group *)b)->commit);
}

static int
cmp_last(const void *a, const void *b)
{
	const struct last *x = a, *y = b;
	int c;

	if ((c = strcmp(x->path, y->path)) != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(((const struct last *)a)->path,
	    ((const struct last *)b)->path);
}

/* "merge: commit M: why", and M is bad. */
static void
refuse(struct check *ck, const char *merge, const char *fmt, ...)
{
	struct buf why = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&why, fmt, ap);
	va_end(ap);
	check_problem(ck, NULL, "merge", "commit %.12s: %s", merge, why.s);
	buf_add(&ck->bad, merge, strlen(merge) + 1);
	buf_free(&why);
}

static const struct group *
group_of(const struct merges *ms, const char *commit)
{
	struct group key;

	key.commit = commit;
	return bsearch(&key, ms->groups, ms->ngroups, sizeof(key), cmp_group);
}

/*
 * Rule 2: the queue's commits, "commit parent..." lines of list, each
 * in the range, no merge, good, and one agent's; their ids into q.
 * Returns the number of problems found.
 */
static size_t
check_queue(struct merges *ms, const char *merge, char *list,
    struct strvec *q)
{
	struct check *ck = ms->ck;
	const char *who, *agent = NULL;
	char *c, *nl, *sp;
	size_t before = ck->problems;

	for (c = list; c != NULL && (nl = strchr(c, '\n')) != NULL;
	    c = nl + 1) {
		*nl = '\0';
		if ((sp = strchr(c, ' ')) != NULL)
			*sp++ = '\0';
		strvec_push(q, c);
		if (sp != NULL && strchr(sp, ' ') != NULL)
			refuse(ck, merge, "its queue holds a merge, commit "
			    "%.12s", c);
		else if (bsearch(&c, ms->listed, ms->nlisted,
		    sizeof(*ms->listed), cmp_str) == NULL)
			refuse(ck, merge, "its queue's commit %.12s is not in "
			    "the range checked", c);
		else if (check_commit_bad(ck, c))
			refuse(ck, merge, "its queue's commit %.12s breaks "
			    "the rules", c);
		else if (!ck->require_signed)
			continue;
		else if ((who = check_signer(ck, c)) == NULL)
			refuse(ck, merge, "its queue's commit %.12s is not "
			    "signed by an agent's key", c);
		else if (agent == NULL)
			agent = who;
		else if (strcmp(agent, who) != 0)
			refuse(ck, merge, "its queue holds commits signed by "
			    "%s and by %s; a queue is one agent's", agent,
			    who);
	}
	return ck->problems - before;
}

/*
 * Rule 3: what M changes against P1 is what the queue q (ids, oldest
 * first) last made of each path.
 */
static void
check_result(struct merges *ms, const char *merge, const struct strvec *q)
{
	struct buf safe = BUF_INIT;
	struct last *last = NULL, key, *hit;
	const struct check_delta *d;
	const struct group *g;
	size_t i, k, n = 0, u = 0;

	for (i = 0; i < q->n; i++) {
		if ((g = group_of(ms, q->v[i])) == NULL)
			continue;
		for (k = g->from; k < g->to; k++) {
			last = xreallocarray(last, n + 1, sizeof(*last));
			last[n].path = ms->d[k].path;
			last[n].order = n;
			last[n++].d = &ms->d[k];
		}
	}
	if (n > 0)
		qsort(last, n, sizeof(*last), cmp_last);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(last[i].path, last[i + 1].path) == 0)
			continue;	/* a later change of it follows */
		last[u++] = last[i];
	}
	if ((g = group_of(ms, merge)) == NULL)
		goto out;
	for (k = g->from; k < g->to; k++) {
		d = &ms->d[k];
		key.path = d->path;
		key.order = 0;
		buf_reset(&safe);
		text_safe(&safe, d->path, strlen(d->path));
		if ((hit = bsearch(&key, last, u, sizeof(key),
		    cmp_path)) == NULL)
			refuse(ms->ck, merge, "changes %s, which its queue "
			    "does not", safe.s);
		else if (strcmp(hit->d->mode, d->mode) != 0 ||
		    strcmp(hit->d->newoid, d->newoid) != 0)
			refuse(ms->ck, merge, "%s is not what its queue last "
			    "made it", safe.s);
	}
out:
	free(last);
	buf_free(&safe);
}

/*
 * Is the merge one that the range's old end holds, listed again only
 * because rev-list goes by commit dates and a clock was wrong?  Asked
 * (one merge-base --is-ancestor) only when a commit of its queue, list,
 * is not in the range, which never happens to a merge that is new: its
 * queue is new too.  1 yes, 0 no, -1 on error.
 */
static int
held_before(const struct merges *ms, const char *merge, const char *list)
{
	const char *p, *nl, *key;
	char id[128];
	size_t n;

	if (ms->ck->known == NULL || *ms->ck->known == '\0')
		return 0;
	for (p = list; p != NULL && (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1) {
		if ((n = strcspn(p, " \n")) >= sizeof(id))
			return 0;
		memcpy(id, p, n);
		id[n] = '\0';
		key = id;
		if (bsearch(&key, ms->listed, ms->nlisted,
		    sizeof(*ms->listed), cmp_str) == NULL)
			return git_is_ancestor(ms->ck->g, merge,
			    ms->ck->known);
	}
	return 0;
}

/*
 * One merge, its line "M P1 P2" as rev-list --parents gives it: the
 * three rules, each problem named.
 */
static int
check_one(struct merges *ms, char *line)
{
	struct strvec args = STRVEC_INIT, q = STRVEC_INIT;
	struct buf list = BUF_INIT;
	char *merge = line, *p1, *p2;
	int rv = -1, held;

	if ((p1 = strchr(merge, ' ')) == NULL ||
	    (p2 = strchr(p1 + 1, ' ')) == NULL) {
		rv = 0;		/* no merge: check_commits() sent none */
		goto out;
	}
	*p1++ = '\0';
	*p2++ = '\0';
	if (strchr(p2, ' ') != NULL) {
		refuse(ms->ck, merge, "it has more than two parents; a "
		    "sequencer's merge has two, the branch and one queue");
		rv = 0;
		goto out;
	}
	strvec_pushv(&args, (const char *const []){ "rev-list", "--reverse",
	    "--topo-order", "--parents", NULL });
	if (git_own_range(ms->ck->g, p2, p1, &args) == -1 ||
	    git_run(ms->ck->g, NULL, &list, NULL, args.v) != 0)
		goto out;
	if ((held = held_before(ms, merge, list.s)) == -1)
		goto out;
	if (!held && check_queue(ms, merge, list.s, &q) == 0)
		check_result(ms, merge, &q);
	rv = 0;
out:
	strvec_clear(&args);
	strvec_clear(&q);
	buf_free(&list);
	return rv;
}

/*
 * Check the merges of a range (their "commit parent..." lines) by doing
 * them again: listed holds the ids of every commit of the range, and d
 * the changes of each against its first parent, the merges' too, whose
 * changes check_commits() kept from the other rules.  Problems go to
 * the report, and each merge that fails to ck->bad.
 */
int
check_merges(struct check *ck, const struct strvec *merges,
    const struct strvec *listed, const struct check_delta *d, size_t nd)
{
	struct merges ms;
	char *line;
	size_t i;
	int rv = 0;

	memset(&ms, 0, sizeof(ms));
	ms.ck = ck;
	ms.d = d;
	ms.listed = xreallocarray(NULL, listed->n + 1, sizeof(*ms.listed));
	for (i = 0; i < listed->n; i++)
		ms.listed[i] = listed->v[i];
	ms.nlisted = listed->n;
	qsort(ms.listed, ms.nlisted, sizeof(*ms.listed), cmp_str);
	for (i = 0; i < nd; i++) {
		if (ms.ngroups > 0 &&
		    ms.groups[ms.ngroups - 1].commit == d[i].commit) {
			ms.groups[ms.ngroups - 1].to = i + 1;
			continue;
		}
		ms.groups = xreallocarray(ms.groups, ms.ngroups + 1,
		    sizeof(*ms.groups));
		ms.groups[ms.ngroups].commit = d[i].commit;
		ms.groups[ms.ngroups].from = i;
		ms.groups[ms.ngroups++].to = i + 1;
	}
	if (ms.ngroups > 1)
		qsort(ms.groups, ms.ngroups, sizeof(*ms.groups), cmp_group);
	for (i = 0; i < merges->n && rv == 0; i++) {
		line = xstrdup(merges->v[i]);
		rv = check_one(&ms, line);
		free(line);
	}
	free(ms.groups);
	free(ms.listed);
	return rv;
}
