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

#include <err.h>
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

	/*
	 * A user who checks fetched objects (transfer.fsckObjects) must
	 * not have the station refuse a hub whose history merely holds a
	 * hostile path: the station's own path check (layout.c) keeps
	 * such entries out of its work tree, and refusing the fetch would
	 * jam it even after the hub is cleaned by a commit on top.
	 */
	static const char *const fsck_paths[] = { "hasDot", "hasDotdot",
	    "hasDotgit", "emptyName", "fullPathname", "zeroPaddedFilemode",
	    "badFilemode", "nullSha1", "duplicateEntries", "treeNotSorted",
	    "gitmodulesSymlink", "gitmodulesName", "gitmodulesPath",
	    "gitmodulesUrl", "gitmodulesUpdate", "gitmodulesBlob",
	    "gitmodulesLarge", "gitmodulesMissing", "gitmodulesParse",
	    "gitattributesSymlink", "gitignoreSymlink", "mailmapSymlink" };
	enum { NFSCK = sizeof(fsck_paths) / sizeof(fsck_paths[0]) };
	struct buf opts = BUF_INIT, err = BUF_INIT;
	const char *args[2 * NFSCK + 8];
	size_t i, n = 0;
	char *p;

	for (i = 0; i < NFSCK; i++) {
		buf_addf(&opts, "fetch.fsck.%s=warn", fsck_paths[i]);
		buf_addc(&opts, '\0');
	}
	for (i = 0, p = opts.s; i < NFSCK; i++, p += strlen(p) + 1) {
		args[n++] = "-c";
		args[n++] = p;
	}
	buf_addf(&spec, "+%s:%s", st->ref, st->tracking);
	args[n++] = "fetch";
	args[n++] = "-q";
	args[n++] = "--no-tags";
	args[n++] = "--no-write-fetch-head";
	args[n++] = st->remote;
	args[n++] = spec.s;
	args[n] = NULL;
	rv = git_run(&st->g, NULL, NULL, &err, args);
	buf_free(&opts);
	buf_free(&err);
	buf_free(&spec);
	st->tips_known = 0;	/* the tracking ref may have moved */
	if (rv != 0) {
		if (rv > 0)
			bus_seterr("cannot fetch from %s: %s", st->remote,
			    bus_error());
		bus_setclass(FAIL_TEMP);
		return -1;
	}
	return 0;
}

/*
 * After a failed fetch, why: 0 the hub is empty (no ref at all, as a
 * git host makes a new repository), 1 it has refs but not the bus
 * branch, -1 anything else (it cannot be reached, say), the fetch's
 * error kept.
 */
int
sync_hub_refs(struct station *st)
{
	struct buf out = BUF_INIT, line = BUF_INIT;
	char why[1024];
	int r;

	strlcpy(why, bus_error(), sizeof(why));
	buf_addf(&line, "\t%s\n", st->ref);
	if ((r = git(&st->g, &out, "ls-remote", st->remote, NULL)) == 0)
		r = out.len == 0 ? 0 : strstr(out.s, line.s) == NULL ? 1 : -1;
	else
		r = -1;
	if (r == -1) {
		bus_seterr("%s", why);
		bus_setclass(FAIL_TEMP);
	}
	buf_free(&out);
	buf_free(&line);
	return r;
}

/* The value of a header line of a raw commit ("author ..."), copied. */
static char *
header(const char *raw, const char *name)
{
	size_t n = strlen(name);
	const char *p, *eol;

	for (p = raw; *p != '\0' && *p != '\n'; p = eol + 1) {
		if ((eol = strchr(p, '\n')) == NULL)
			break;
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return strndup(p + n + 1, (size_t)(eol - p - n - 1));
	}
	return NULL;
}

/*
 * Before replaying: every path the commits change must still hold, on
 * the hub's tip, what the first of them found there (nothing, for a new
 * file).  Otherwise another station changed it meanwhile, and a replay
 * would silently overwrite that change.
 */
static int
check_preimages(struct station *st, const char *remote,
    struct changes *cs, size_t n)
{
	struct buf names = BUF_INIT, out = BUF_INIT;
	const char **v = NULL, **cur = NULL;
	char *p;
	size_t i, k, np = 0, at;
	int rv = -1;

	for (i = 0; i < n; i++)
		for (k = 0; k < cs[i].n; k++) {
			buf_addf(&names, "%s:%s", remote, cs[i].c[k].path);
			buf_addc(&names, '\0');
			np++;
		}
	if (np == 0)
		return 0;
	if ((v = reallocarray(NULL, np, sizeof(*v))) == NULL ||
	    (cur = reallocarray(NULL, np, sizeof(*cur))) == NULL)
		err(70, "reallocarray");
	for (i = 0, p = names.s; i < np; i++, p += strlen(p) + 1)
		v[i] = p;
	if (git_oids(&st->g, v, np, &out, cur) == -1)
		goto out;
	/* walk the changes in order; cur[] follows each path's content */
	for (i = 0, at = 0; i < n; i++)
		for (k = 0; k < cs[i].n; k++, at++) {
			const struct change *c = &cs[i].c[k];
			const char *now = cur[at], *was = c->old != NULL ?
			    c->old : "";
			size_t j;

			/* an earlier commit of ours may have changed it */
			for (j = 0; j < at; j++)
				if (strcmp(v[j] + strlen(remote) + 1,
				    c->path) == 0)
					now = cur[j];
			if (strcmp(now, was) != 0 && (c->oid == NULL ||
			    strcmp(now, c->oid) != 0)) {
				bus_seterr("%s changed on the hub since this "
				    "station's commit; not replayed, the "
				    "commit stays here", c->path);
				bus_setclass(FAIL_DATA);
				goto out;
			}
			for (j = 0; j <= at; j++)
				if (strcmp(v[j] + strlen(remote) + 1,
				    c->path) == 0)
					cur[j] = c->mode != NULL && c->oid !=
					    NULL ? c->oid : "";
		}
	rv = 0;
out:
	free(v);
	free(cur);
	buf_free(&names);
	buf_free(&out);
	return rv;
}

struct replayed {
	struct changes	 changes;
	struct buf	 raw;		/* the commit object */
	char		*author;
	char		*committer;
};

/*
 * Replay the commits of local that the hub does not have onto the
 * hub's tip: the same path changes, messages, authors and committers,
 * all made by one git fast-import.
 */
static int
replay(struct station *st, const char *local, const char *remote)
{
	struct buf list = BUF_INIT, range = BUF_INIT, tip = BUF_INIT;
	struct buf parent = BUF_INIT;
	struct replayed *r = NULL;
	struct commit_spec *spec = NULL;
	struct changes *all = NULL;
	const char *msg;
	char *p, *nl, *sp;
	size_t n = 0, i;
	int rv = -1;

	buf_addf(&range, "%s..%s", remote, local);
	if (git(&st->g, &list, "rev-list", "--reverse", "--topo-order",
	    "--parents", range.s, NULL) != 0)
		goto out;
	/* "commit parents": a root commit (it began an empty hub) has none */
	for (p = list.s; p != NULL && (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1) {
		*nl = '\0';
		if ((r = reallocarray(r, n + 1, sizeof(*r))) == NULL ||
		    (spec = reallocarray(spec, n + 1, sizeof(*spec))) == NULL)
			err(70, "reallocarray");
		memset(&r[n], 0, sizeof(r[n]));
		n++;
		buf_reset(&parent);
		if ((sp = strchr(p, ' ')) != NULL) {
			*sp++ = '\0';
			buf_add(&parent, sp, strcspn(sp, " "));
		}
		if (station_diff(st, parent.len > 0 ? parent.s : "", p,
		    &r[n - 1].changes) == -1 ||
		    git(&st->g, &r[n - 1].raw, "cat-file", "commit", p,
		    NULL) != 0)
			goto out;
	}
	for (i = 0; i < n; i++) {
		r[i].author = header(r[i].raw.s, "author");
		r[i].committer = header(r[i].raw.s, "committer");
		msg = strstr(r[i].raw.s, "\n\n");
		if (r[i].author == NULL || r[i].committer == NULL) {
			bus_seterr("cannot read commit %zu of %s", i, range.s);
			goto out;
		}
		spec[i].parent = i == 0 ? remote : NULL;
		spec[i].author = r[i].author;
		spec[i].committer = r[i].committer;
		spec[i].message = msg != NULL ? msg + 2 : "";
		spec[i].changes = &r[i].changes;
	}
	if (n == 0) {
		rv = 0;
		goto out;
	}
	if ((all = reallocarray(NULL, n, sizeof(*all))) == NULL)
		err(70, "reallocarray");
	for (i = 0; i < n; i++)
		all[i] = r[i].changes;	/* a view: r[] keeps ownership */
	if (check_preimages(st, remote, all, n) == -1)
		goto out;
	if (station_make_commits(st, spec, n, &tip) == -1)
		goto out;
	rv = station_advance(st, tip.s, local, NULL,
	    "bus: replay on the hub's tip");
out:
	for (i = 0; i < n; i++) {
		changes_free(&r[i].changes);
		buf_free(&r[i].raw);
		free(r[i].author);
		free(r[i].committer);
	}
	free(r);
	free(spec);
	free(all);
	buf_free(&list);
	buf_free(&range);
	buf_free(&tip);
	buf_free(&parent);
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

	if (station_tips(st) == -1)
		goto out;
	tip_copy(&local, &st->tip_local);
	tip_copy(&remote, &st->tip_remote);
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
	if (station_tips(st) == -1)
		return -1;
	return st->tip_local.len > 0 && (st->tip_remote.len == 0 ||
	    strcmp(st->tip_local.s, st->tip_remote.s) != 0);
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
	struct buf err = BUF_INIT, out = BUF_INIT;
	const char *args[8];
	time_t start = time(NULL);
	int try, rv = -1, r, moved = 0;

	for (try = 0; try < PUSH_TRIES; try++) {
		if ((r = sync_queued(st)) <= 0) {
			rv = r;
			goto out;
		}
		tip_copy(&local, &st->tip_local);
		buf_reset(&spec);
		buf_addf(&spec, "%s:%s", local.s, st->ref);
		args[0] = "push";
		args[1] = "--porcelain";
		args[2] = "-q";
		args[3] = st->remote;
		args[4] = spec.s;
		args[5] = NULL;
		buf_reset(&err);
		buf_reset(&out);
		r = git_run(&st->g, NULL, &out, &err, args);
		if (r > 0 && strstr(out.s != NULL ? out.s : "",
		    "(pre-receive hook declined)") != NULL) {
			/* the hub's hook said no: trying again cannot help */
			buf_rtrim(&err);
			bus_seterr("the hub refused the push; the commit stays "
			    "in the station: %s", err.len > 0 ? err.s :
			    "no reason given");
			bus_setclass(FAIL_DATA);
			goto out;
		}
		if (r == 0) {
			/* git push moved the tracking ref too */
			tip_copy(&st->tip_remote, &local);
			rv = 0;
			goto out;
		}
		if (r == -1)
			goto out;
		if (time(NULL) - start >= PUSH_SECONDS)
			break;
		/*
		 * Refused, or the hub could not be reached.  Wait a
		 * random while first, so that the stations that won go
		 * quiet, then fetch and, if the hub moved, replay on its
		 * new tip: the push follows at once, while that tip is
		 * fresh.  If the hub did not move, the push failed for
		 * another reason (another push held the hub's ref lock,
		 * say), which may pass too.
		 */
		backoff(try);
		if (sync_fetch(st) == -1)
			goto out;
		if (station_tips(st) == -1)
			goto out;
		tip_copy(&remote, &st->tip_remote);
		if ((moved = is_ancestor(st, remote.s, local.s) == 0) &&
		    sync_integrate(st) == -1)
			goto out;
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
	buf_free(&out);
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
