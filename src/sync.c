/*
 * sync.c: a station and its hub.  Fetch; fast-forward, or replay the
 * station's unpushed commits on the hub's new tip; push, retrying a
 * push that lost a race with jittered backoff, within bounds.
 *
 * Bus commits from different stations touch different paths (a new
 * file in an inbox, a move from one's own inbox to one's own archive),
 * so replaying one on another tip is mechanical: apply the same path
 * changes to the new tree.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus.h"

#define PUSH_TRIES	10
#define PUSH_SECONDS	60

/* Is commit a an ancestor of (or equal to) commit b? */
static int
is_ancestor(struct station *st, const char *a, const char *b)
{
	int rv = git(&st->g, NULL, "merge-base", "--is-ancestor", a, b, NULL);

	return rv == 0 ? 1 : rv == 1 ? 0 : -1;
}

/* Fetch the hub's branch into the remote-tracking ref. */
int
sync_fetch(struct station *st)
{
	struct buf spec = BUF_INIT;
	int rv;

	buf_addf(&spec, "+%s:%s", st->ref, st->tracking);
	rv = git(&st->g, NULL, "fetch", "-q", "--no-tags",
	    "--no-write-fetch-head", st->remote, spec.s, NULL);
	buf_free(&spec);
	if (rv != 0) {
		if (rv > 0)
			bus_seterr("cannot fetch from %s: %s", st->remote,
			    bus_error());
		bus_setclass(FAIL_TEMP);
		return -1;
	}
	return 0;
}

/* The header line of a raw commit ("author ..."), without its name. */
static const char *
header(const char *raw, const char *name, size_t *len)
{
	size_t n = strlen(name);
	const char *p = raw;

	while (*p != '\0' && *p != '\n') {
		const char *eol = strchr(p, '\n');

		if (eol == NULL)
			break;
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			*len = (size_t)(eol - p - n - 1);
			return p + n + 1;
		}
		p = eol + 1;
	}
	return NULL;
}

/*
 * Environment that makes commit-tree keep the author (or committer)
 * of a raw commit, whose header reads "Name <email> time zone".
 */
static void
ident_env(const char *raw, const char *who, const char *WHO, struct buf *e)
{
	const char *h, *lt, *gt, *end;
	size_t len;

	if ((h = header(raw, who, &len)) == NULL)
		return;
	end = h + len;
	if ((lt = memchr(h, '<', len)) == NULL ||
	    (gt = memchr(lt, '>', (size_t)(end - lt))) == NULL || gt + 2 > end)
		return;
	buf_addf(e, "GIT_%s_NAME=%.*s", WHO,
	    (int)(lt > h && lt[-1] == ' ' ? lt - h - 1 : lt - h), h);
	buf_addc(e, '\0');
	buf_addf(e, "GIT_%s_EMAIL=%.*s", WHO, (int)(gt - lt - 1), lt + 1);
	buf_addc(e, '\0');
	buf_addf(e, "GIT_%s_DATE=%.*s", WHO, (int)(end - gt - 2), gt + 2);
	buf_addc(e, '\0');
}

/*
 * Copy commit c onto parent: the same path changes, message, author
 * and committer.  The new commit's id goes to out (or parent's, when
 * the changes are already there and the copy would be empty).
 */
static int
replay_one(struct station *st, const char *c, const char *parent,
    struct buf *out)
{
	struct changes ch = CHANGES_INIT;
	struct buf raw = BUF_INIT, tree = BUF_INIT, ptree = BUF_INIT;
	struct buf env = BUF_INIT, spec = BUF_INIT, msg = BUF_INIT;
	const char *envv[8], *args[8], *p;
	struct git g = st->g;
	int n = 0, rv = -1;

	buf_addf(&spec, "%s^", c);
	if (station_diff(st, spec.s, c, &ch) == -1)
		goto out;
	if (tree_edit(&st->g, parent, ch.c, ch.n, &tree) == -1)
		goto out;
	buf_reset(&spec);
	buf_addf(&spec, "%s^{tree}", parent);
	if (git(&st->g, &ptree, "rev-parse", spec.s, NULL) != 0)
		goto out;
	buf_rtrim(&ptree);
	if (strcmp(ptree.s, tree.s) == 0) {
		buf_reset(out);
		buf_adds(out, parent);
		rv = 0;
		goto out;
	}
	if (git(&st->g, &raw, "cat-file", "commit", c, NULL) != 0)
		goto out;
	if ((p = strstr(raw.s, "\n\n")) != NULL)
		buf_adds(&msg, p + 2);
	ident_env(raw.s, "author", "AUTHOR", &env);
	ident_env(raw.s, "committer", "COMMITTER", &env);
	for (p = env.s; p != NULL && p < env.s + env.len && n < 6;
	    p += strlen(p) + 1)
		envv[n++] = p;
	envv[n] = NULL;
	g.env = envv;
	n = 0;
	args[n++] = "commit-tree";
	args[n++] = tree.s;
	args[n++] = "-p";
	args[n++] = parent;
	args[n++] = "-F";
	args[n++] = "-";
	args[n] = NULL;
	buf_reset(out);
	if (git_run(&g, &msg, out, NULL, args) != 0)
		goto out;
	buf_rtrim(out);
	rv = 0;
out:
	changes_free(&ch);
	buf_free(&raw);
	buf_free(&tree);
	buf_free(&ptree);
	buf_free(&env);
	buf_free(&spec);
	buf_free(&msg);
	return rv;
}

/* Replay the commits of local not in remote onto remote. */
static int
replay(struct station *st, const char *local, const char *remote)
{
	struct buf list = BUF_INIT, range = BUF_INIT, tip = BUF_INIT;
	struct buf next = BUF_INIT;
	char *p, *nl;
	int rv = -1;

	buf_addf(&range, "%s..%s", remote, local);
	if (git(&st->g, &list, "rev-list", "--reverse", "--topo-order",
	    range.s, NULL) != 0)
		goto out;
	buf_adds(&tip, remote);
	for (p = list.s; p != NULL && (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1) {
		*nl = '\0';
		if (replay_one(st, p, tip.s, &next) == -1)
			goto out;
		buf_reset(&tip);
		buf_adds(&tip, next.s);
	}
	rv = station_advance(st, tip.s, local, NULL,
	    "bus: replay on the hub's tip");
out:
	buf_free(&list);
	buf_free(&range);
	buf_free(&tip);
	buf_free(&next);
	return rv;
}

/*
 * Bring the branch up to the remote-tracking ref: nothing when it is
 * already there or ahead (unpushed work), a fast-forward when it is
 * behind, a replay of the unpushed commits when both moved.
 */
int
sync_integrate(struct station *st)
{
	struct buf local = BUF_INIT, remote = BUF_INIT;
	int rv = -1, r;

	if (station_resolve(st, st->tracking, &remote) == -1 ||
	    station_resolve(st, st->ref, &local) == -1)
		goto out;
	if (remote.len == 0 || strcmp(local.s, remote.s) == 0) {
		rv = 0;
		goto out;
	}
	if (local.len == 0) {
		rv = station_advance(st, remote.s, "", NULL, "bus: start");
		goto out;
	}
	if ((r = is_ancestor(st, remote.s, local.s)) != 0) {
		rv = r == 1 ? 0 : -1;
		goto out;
	}
	if ((r = is_ancestor(st, local.s, remote.s)) == 1)
		rv = station_advance(st, remote.s, local.s, NULL,
		    "bus: fast-forward");
	else if (r == 0)
		rv = replay(st, local.s, remote.s);
out:
	buf_free(&local);
	buf_free(&remote);
	return rv;
}

/* Commits on the branch that the hub does not have yet? */
int
sync_queued(struct station *st)
{
	struct buf local = BUF_INIT, remote = BUF_INIT;
	int rv;

	if (station_resolve(st, st->ref, &local) == -1 ||
	    station_resolve(st, st->tracking, &remote) == -1)
		rv = -1;
	else
		rv = local.len > 0 && strcmp(local.s, remote.s) != 0;
	buf_free(&local);
	buf_free(&remote);
	return rv;
}

static void
backoff(int try)
{
	unsigned int cap = 50u << (try < 6 ? try : 6);	/* 50 ms .. 3.2 s */
	unsigned int ms = arc4random_uniform(cap) + 10;
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * Push the branch.  A push that lost the race (the hub moved) fetches,
 * replays our commits on the new tip and tries again: at most
 * PUSH_TRIES times within PUSH_SECONDS.  Fails with FAIL_TEMP, the
 * work still committed in the station, when the hub cannot be reached
 * or keeps refusing.
 */
int
sync_push(struct station *st)
{
	struct buf local = BUF_INIT, remote = BUF_INIT, spec = BUF_INIT;
	struct buf err = BUF_INIT;
	const char *args[8];
	time_t start = time(NULL);
	int try, rv = -1, r, moved = 0;

	for (try = 0; try < PUSH_TRIES; try++) {
		if ((r = sync_queued(st)) <= 0) {
			rv = r;
			goto out;
		}
		if (station_resolve(st, st->ref, &local) == -1)
			goto out;
		buf_reset(&spec);
		buf_addf(&spec, "%s:%s", local.s, st->ref);
		args[0] = "push";
		args[1] = "--porcelain";
		args[2] = "-q";
		args[3] = st->remote;
		args[4] = spec.s;
		args[5] = NULL;
		buf_reset(&err);
		r = git_run(&st->g, NULL, NULL, &err, args);
		if (r == 0) {
			rv = git(&st->g, NULL, "update-ref", st->tracking,
			    local.s, NULL) == 0 ? 0 : -1;
			goto out;
		}
		if (r == -1)
			goto out;
		/*
		 * Refused, or the hub could not be reached.  If the hub
		 * moved, replay on its new tip; if it did not, the push
		 * failed for another reason (another push held the hub's
		 * ref lock, say), which may pass too.  Either way, try
		 * again after a while, within the bounds.
		 */
		if (sync_fetch(st) == -1)
			goto out;
		if (station_resolve(st, st->tracking, &remote) == -1)
			goto out;
		if ((moved = is_ancestor(st, remote.s, local.s) == 0) &&
		    sync_integrate(st) == -1)
			goto out;
		if (time(NULL) - start >= PUSH_SECONDS)
			break;
		backoff(try);
	}
	buf_rtrim(&err);
	if (moved)
		bus_seterr("the push lost the race to other stations %d "
		    "times; the work is committed here and the next command "
		    "pushes it", try);
	else
		bus_seterr("the hub refused the push: %s", err.len > 0 ?
		    err.s : "no reason given");
	bus_setclass(FAIL_TEMP);
out:
	buf_free(&local);
	buf_free(&remote);
	buf_free(&spec);
	buf_free(&err);
	return rv;
}

/*
 * The sync every reading command does first: fetch, integrate, push
 * what is queued.  On failure the station still holds a consistent
 * branch to answer from.
 */
int
sync_all(struct station *st)
{
	if (sync_fetch(st) == -1 || sync_integrate(st) == -1)
		return -1;
	return sync_push(st);
}
