/*
 * sequence.c: the hub's sequencer (issue 17, doc/write-path.md).  In
 * queue mode each station pushes its bus commits to the branch and to
 * refs/bus/queue/<agent> at once (sync.c), which the pre-receive hook
 * checks (checkref.c); when the branch moved meanwhile, only the queue
 * takes them, and the post-receive hook folds every queue whose tip
 * the bus branch lacks into the branch: under a lock in the hub's git
 * directory, the changes of each pending commit (from its first
 * parent) are applied to the branch's tip, one merge commit per queue
 * (first parent the tip, second the queue's tip), all made by one
 * fast-import (a queue that builds on the tip itself is taken as it
 * is: a fast-forward), and the branch moves with one update-ref that
 * names its old value.  Killed at any instant, it leaves the branch
 * either as it was or with the whole batch; the queues still hold what
 * is not folded, and the next run folds it.
 */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "station.h"

#define SEQUENCE_LOCK	"bus-sequence.lock"	/* in the hub's git dir */
#define SEQUENCE_SCRATCH "refs/bus/sequencer"	/* fast-import's ref */
#define SEQUENCE_ROUNDS	100	/* batches at most, each lost to a direct
				   push of the branch */

/* One queue to fold: its ref, its tip, its pending commits' changes. */
struct fold {
	char		*ref;
	char		*tip;
	struct own_commit *oc;		/* its pending commits, oldest
					   first, with their changes unless
					   it is taken as it is */
	size_t		 n;
	struct changes	 merged;	/* those that apply */
	struct buf	 message;
};

static void
fold_free(struct fold *f)
{
	free(f->ref);
	free(f->tip);
	own_commits_free(f->oc, f->n);
	changes_free(&f->merged);
	buf_free(&f->message);
}

static void
folds_free(struct fold *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fold_free(&f[i]);
	free(f);
}

/* The branch's tip into tip (empty when there is none). */
static int
branch_tip(const struct git *g, const char *ref, struct buf *tip)
{
	int r;

	buf_reset(tip);
	if ((r = git(g, tip, "rev-parse", "-q", "--verify", ref, NULL)) != 0 &&
	    r != 1)
		return -1;
	buf_rtrim(tip);
	return 0;
}

/*
 * The queues whose tips tip lacks (one for-each-ref), each with the
 * changes of its pending commits (own_commits_read(): one merge-base,
 * one rev-list and one diff-tree each).
 */
static int
read_folds(const struct git *g, const char *tip, struct fold **out,
    size_t *nout)
{
	struct buf refs = BUF_INIT, nm = BUF_INIT;
	struct fold *f = NULL, *q;
	struct own_commit *oc = NULL;
	int ff_seen = 0, ff;
	char *line, *nl, *sp;
	size_t n = 0, m = 0;
	int rv = -1;

	buf_addf(&nm, "--no-merged=%s", tip);
	if (git(g, &refs, "for-each-ref", "--format=%(objectname) "
	    "%(refname)", nm.s, QUEUE_REF, NULL) != 0)
		goto out;
	for (line = refs.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';
		/*
		 * --no-merged walks by commit dates, and a wrong clock
		 * makes it list a queue that the tip holds; the fork
		 * point (exact) says: nothing of it is pending.  The
		 * first queue on the tip itself is taken as it is
		 * (fold_once()): its changes are not needed.
		 */
		if (own_commits_read(g, line, tip, &oc, &m) == -1)
			goto out;
		ff = m > 0 && !ff_seen && strcmp(oc[0].parent, tip) == 0;
		if (m > 0 && !ff && own_commits_diff(g, oc, m) == -1)
			goto out;
		if (m == 0) {
			own_commits_free(oc, m);
			oc = NULL;
			continue;
		}
		ff_seen |= ff;
		f = xreallocarray(f, n + 1, sizeof(*f));
		q = &f[n++];
		memset(q, 0, sizeof(*q));
		q->tip = xstrdup(line);
		q->ref = xstrdup(sp + 1);
		q->oc = oc;
		q->n = m;
		oc = NULL;
		m = 0;
	}
	rv = 0;
out:
	if (rv == 0) {
		*out = f;
		*nout = n;
	} else
		folds_free(f, n);
	own_commits_free(oc, m);
	buf_free(&refs);
	buf_free(&nm);
	return rv;
}

/*
 * Where a read message of agent's lies, from its inbox path p
 * ("inbox-<agent>/<id>.json", a generated id, which starts with its
 * day): into day (its archive day) and flat (the older layout).  0 when
 * p is no such path.
 */
static int
archived_paths(const char *p, struct buf *day, struct buf *flat)
{
	const char *slash = strchr(p, '/'), *id;
	size_t alen, idlen;

	if (strncmp(p, "inbox-", 6) != 0 || slash == NULL)
		return 0;
	alen = slash - (p + 6);
	id = slash + 1;
	idlen = strlen(id);
	if (idlen < 5 + 16 || strcmp(id + idlen - 5, ".json") != 0 ||
	    id[8] != 'T' || strchr(id, '/') != NULL)
		return 0;
	buf_reset(day);
	buf_reset(flat);
	buf_addf(day, "archive-%.*s/%.4s-%.2s-%.2s/%s", (int)alen, p + 6, id,
	    id + 4, id + 6, id);
	buf_addf(flat, "archive-%.*s/%s", (int)alen, p + 6, id);
	return 1;
}

/* Does a change of all taken before all[i].c[j] add path a or b? */
static int
added_before(const struct changes *all, const char *ok, size_t i, size_t j,
    const char *a, const char *b)
{
	size_t x, y, at = 0;

	for (x = 0; x <= i; x++)
		for (y = 0; y < (x == i ? j : all[x].n); y++, at++)
			if (ok[at] && all[x].c[y].mode != NULL &&
			    (strcmp(all[x].c[y].path, a) == 0 ||
			    strcmp(all[x].c[y].path, b) == 0))
				return 1;
	return 0;
}

/*
 * A message must not come back to an inbox once read: a queue folded
 * late (its sequencer was killed) may hold a send that its station
 * replayed meanwhile, which landed and was read since.  Such an added
 * inbox file whose id is in its agent's archive, on tip or by an
 * earlier change of this batch, is left out (ok[at] = 0); one
 * cat-file --batch-check for the whole batch.
 */
static int
keep_read_out(const struct git *g, const char *tip, const struct changes *all,
    size_t nall, char *ok)
{
	struct buf day = BUF_INIT, flat = BUF_INIT, names = BUF_INIT;
	struct buf out = BUF_INIT;
	struct strvec v = STRVEC_INIT;
	const char **oid = NULL;
	size_t i, j, at, m, nn = 0;
	int rv = -1, hit;

	for (i = 0; i < nall; i++)
		for (j = 0; j < all[i].n; j++)
			if (all[i].c[j].mode != NULL && archived_paths(
			    all[i].c[j].path, &day, &flat))
				buf_addf(&names, "%s:%s%c%s:%s%c", tip, day.s,
				    '\0', tip, flat.s, '\0');
	if (names.len == 0) {
		rv = 0;
		goto out;
	}
	nn = strvec_split(&v, &names);
	oid = xreallocarray(NULL, nn, sizeof(*oid));
	if (git_oids(g, v.v, nn, &out, oid) == -1)
		goto out;
	for (i = 0, at = 0, m = 0; i < nall; i++)
		for (j = 0; j < all[i].n; j++, at++) {
			if (all[i].c[j].mode == NULL || !archived_paths(
			    all[i].c[j].path, &day, &flat))
				continue;
			hit = *oid[m] != '\0' || *oid[m + 1] != '\0' ||
			    added_before(all, ok, i, j, day.s, flat.s);
			m += 2;
			if (hit)
				ok[at] = 0;
		}
	rv = 0;
out:
	strvec_clear(&v);
	free(oid);
	buf_free(&day);
	buf_free(&flat);
	buf_free(&names);
	buf_free(&out);
	return rv;
}

/*
 * Which changes of the folds apply on tip, in order (sync.c's preimage
 * rule): those go to each fold's merged list; the others are left out,
 * and named in its merge's message.
 */
static int
select_changes(const struct git *g, const char *tip, struct fold *f,
    size_t n)
{
	struct changes *all = NULL;
	char *ok = NULL;
	size_t i, k, j, total = 0, nall = 0, at = 0, left;
	int rv = -1;

	for (i = 0; i < n; i++)
		for (k = 0; k < f[i].n; k++) {
			all = xreallocarray(all, nall + 1, sizeof(*all));
			all[nall++] = f[i].oc[k].changes;	/* a view */
			total += f[i].oc[k].changes.n;
		}
	ok = xcalloc(total + 1, 1);
	if (sync_check_preimages(g, tip, all, nall, ok) == -1 ||
	    keep_read_out(g, tip, all, nall, ok) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		buf_addf(&f[i].message, "bus: fold %s\n", f[i].ref);
		for (k = 0, left = 0; k < f[i].n; k++)
			for (j = 0; j < f[i].oc[k].changes.n; j++, at++) {
				if (ok[at]) {
					changes_copy(&f[i].merged,
					    &f[i].oc[k].changes.c[j]);
					continue;
				}
				/* done meanwhile, or not doable: named */
				buf_addf(&f[i].message, "%sleft out: %s\n",
				    left++ == 0 ? "\n" : "",
				    f[i].oc[k].changes.c[j].path);
			}
	}
	rv = 0;
out:
	free(all);
	free(ok);
	return rv;
}

/*
 * One batch: every pending queue folded onto the branch's tip, and the
 * branch moved from that tip.  0 when it moved or nothing was pending,
 * 1 when a direct push moved the branch meanwhile (try again), -1 on
 * error.
 */
static int
fold_once(const struct git *g, const char *branch)
{
	struct buf tip = BUF_INIT, made = BUF_INIT, who = BUF_INIT;
	struct commit_spec *spec = NULL;
	struct fold *f = NULL, one;
	const char *base;
	size_t n = 0, i;
	int rv = -1, ff;

	if (branch_tip(g, branch, &tip) == -1)
		goto out;
	if (tip.len == 0) {
		bus_seterr("%s: no such branch on the hub", branch);
		bus_setclass(EX_UNAVAILABLE);
		goto out;
	}
	if (read_folds(g, tip.s, &f, &n) == -1)
		goto out;
	if (n == 0) {
		rv = 0;
		goto out;
	}
	/*
	 * A queue that builds on the tip itself (its station was current)
	 * needs no merge: the branch fast-forwards to it, as a direct push
	 * would have moved it, and the station's tip is the hub's.
	 */
	for (i = 0; i < n; i++)
		if (strcmp(f[i].oc[0].parent, tip.s) == 0) {
			one = f[0];
			f[0] = f[i];
			f[i] = one;
			break;
		}
	ff = strcmp(f[0].oc[0].parent, tip.s) == 0;
	base = ff ? f[0].tip : tip.s;
	if (select_changes(g, base, f + ff, n - ff) == -1)
		goto out;
	buf_addf(&who, "git-bus sequencer <bus@hub> %lld +0000",
	    (long long)time(NULL));
	spec = xcalloc(n, sizeof(*spec));
	for (i = ff; i < n; i++) {
		spec[i - ff].parent = i == (size_t)ff ? base : NULL;
		spec[i - ff].committer = who.s;
		spec[i - ff].message = f[i].message.s;
		spec[i - ff].changes = &f[i].merged;
		spec[i - ff].merge = f[i].tip;
	}
	if (n - ff > 0 && commits_import(g, SEQUENCE_SCRATCH, 1, spec,
	    n - ff, &made) == -1)
		goto out;
	if (n - ff == 0)
		buf_adds(&made, base);
	/* a direct push may have moved it meanwhile: then, again */
	rv = git(g, NULL, "update-ref", "-m", "bus: fold the queues", branch,
	    made.s, tip.s, NULL);
	rv = rv == -1 ? -1 : rv != 0;
out:
	folds_free(f, n);
	free(spec);
	buf_free(&tip);
	buf_free(&made);
	buf_free(&who);
	return rv;
}

/*
 * Did the push (input: its "old new ref" lines) move the branch to
 * every queue it updated?  Then the queues are folded already, as a
 * current station pushes (sync.c), and there is nothing to do: a queue
 * pushed by another meanwhile has a post-receive of its own.
 */
int
sequence_folded(const char *input, const char *branch)
{
	struct ref_update u;
	char tip[sizeof(u.new)] = "";
	const char *pos;
	int queues = 0, r;

	for (pos = input; (r = ref_update_next(&pos, &u)) != -1; )
		if (r == 1 && strcmp(u.ref, branch) == 0)
			memcpy(tip, u.new, sizeof(tip));
	if (*tip == '\0')
		return 0;
	for (pos = input; (r = ref_update_next(&pos, &u)) != -1; )
		if (r == 1 && strncmp(u.ref, QUEUE_REF,
		    strlen(QUEUE_REF)) == 0) {
			if (strcmp(u.new, tip) != 0)
				return 0;
			queues++;
		}
	return queues > 0;
}

/*
 * The post-receive hook's work (input: its "old new ref" lines): fold
 * the queues into the bus branch (branch_ref), under the hub's
 * sequencer lock, so that a push of a queue returns once its commits
 * are on the branch.  One batch, once the lock is ours: a queue pushed
 * meanwhile has a post-receive of its own waiting for the lock, which
 * folds it.  The lock is flock()ed: a
 * sequencer killed holding it frees it.
 */
int
sequence_run(const struct git *g, const char *branch_ref, const char *input)
{
	struct buf path = BUF_INIT;
	const char *dir = getenv("GIT_DIR");
	int fd = -1, r = 1, rounds, rv = -1;

	if (sequence_folded(input, branch_ref))
		return 0;
	/* a hook runs with GIT_DIR set; bus-init --hub --direct, without */
	if (dir != NULL && *dir != '\0' && g->dir == NULL)
		buf_adds(&path, dir);
	else if (git(g, &path, "rev-parse", "--git-dir", NULL) != 0)
		goto out;
	buf_rtrim(&path);
	buf_addf(&path, "/%s", SEQUENCE_LOCK);
	if ((fd = open(path.s, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) == -1) {
		bus_seterrno("%s", path.s);
		goto out;
	}
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			bus_seterrno("%s", path.s);
			goto out;
		}
	for (rounds = 0; rounds < SEQUENCE_ROUNDS && r == 1; rounds++)
		if ((r = fold_once(g, branch_ref)) == -1)
			goto out;
	rv = 0;
out:
	if (fd != -1)
		close(fd);
	buf_free(&path);
	return rv;
}
