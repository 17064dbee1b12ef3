/*
 * station.c: an agent's clone of the bus: finding it, its settings,
 * refusing unsafe states, the one-command-at-a-time lock, and keeping
 * a work tree in step with the branch for the paths a command changed.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "layout.h"
#include "station.h"

#define LOCK_TIMEOUT	120	/* seconds; bus.lockTimeout */

/*
 * Read the bus.* settings, the user's identity and the names of the
 * remotes that have a URL (NUL-separated, into remotes) in one git
 * call; *hub says bus.hub is set.
 */
static int
read_config(struct station *st, char **agent, struct buf *remotes, int *hub)
{
	struct buf out = BUF_INIT;
	char *p, *end, *nl;
	size_t n;
	int rv;

	rv = git(&st->g, &out, "config", "-z", "--get-regexp",
	    "^(bus|user)\\.|^remote\\..*\\.url$", NULL);
	if (rv != 0 && rv != 1) {	/* 1: no such setting at all */
		buf_free(&out);
		return -1;
	}
	for (p = out.s; p != NULL && p < out.s + out.len; p = end + 1) {
		end = p + strlen(p);
		if ((nl = strchr(p, '\n')) == NULL)
			continue;
		*nl = '\0';
		n = strlen(p);
		if (strncmp(p, "remote.", 7) == 0 && n > 11 &&
		    strcmp(p + n - 4, ".url") == 0) {
			buf_add(remotes, p + 7, n - 11);
			buf_addc(remotes, '\0');
		} else if (strcmp(p, "bus.hub") == 0)
			*hub = strcasecmp(nl + 1, "true") == 0 ||
			    strcmp(nl + 1, "1") == 0 ||
			    strcasecmp(nl + 1, "yes") == 0 ||
			    strcasecmp(nl + 1, "on") == 0;
		else if (strcmp(p, "bus.requiresigned") == 0)
			st->require_signed = strcasecmp(nl + 1, "true") == 0 ||
			    strcmp(nl + 1, "1") == 0 ||
			    strcasecmp(nl + 1, "yes") == 0 ||
			    strcasecmp(nl + 1, "on") == 0;
		else if (strcmp(p, "bus.agent") == 0 && *agent == NULL)
			*agent = xstrdup(nl + 1);
		else if (strcmp(p, "bus.remote") == 0) {
			free(st->remote);
			st->remote = xstrdup(nl + 1);
		} else if (strcmp(p, "bus.branch") == 0) {
			free(st->branch);
			st->branch = xstrdup(nl + 1);
		} else if (strcmp(p, "bus.maxsize") == 0) {
			if (parse_size(nl + 1, &st->maxsize) == -1) {
				bus_seterr("bus.maxSize: \"%s\" is not a size "
				    "in bytes", nl + 1);
				bus_setclass(FAIL_USAGE);
				buf_free(&out);
				return -1;
			}
		} else if (strcmp(p, "bus.locktimeout") == 0)
			st->lock_timeout = atoi(nl + 1);
		else if (strcmp(p, "bus.heartbeat") == 0) {
			free(st->heartbeat);
			st->heartbeat = xstrdup(nl + 1);
		} else if (strcmp(p, "bus.profilemerger") == 0) {
			free(st->merger);
			st->merger = xstrdup(nl + 1);
		} else if (strcmp(p, "bus.profile") == 0) {
			free(st->profile);
			st->profile = xstrdup(nl + 1);
		} else if (strcmp(p, "bus.signingkey") == 0) {
			free(st->signing_key);
			st->signing_key = xstrdup(nl + 1);
		} else if (strcmp(p, "user.name") == 0) {
			free(st->user_name);
			st->user_name = xstrdup(nl + 1);
		} else if (strcmp(p, "user.email") == 0) {
			free(st->user_email);
			st->user_email = xstrdup(nl + 1);
		}
	}
	buf_free(&out);
	return 0;
}

/* Refuse a station that a command must not touch now. */
static int
check_state(struct station *st)
{
	static const char *const busy[] = { "rebase-merge", "rebase-apply",
	    "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD" };
	struct buf path = BUF_INIT;
	struct stat sb;
	size_t i;

	for (i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		buf_reset(&path);
		buf_addf(&path, "%s/%s", st->gitdir, busy[i]);
		if (lstat(path.s, &sb) == 0) {
			bus_seterr("%s: a %s is in progress; finish or abort "
			    "it first", st->worktree ? st->worktree :
			    st->gitdir, i < 2 ? "rebase" : i == 2 ? "merge" :
			    i == 3 ? "cherry-pick" : "revert");
			bus_setclass(FAIL_USAGE);
			buf_free(&path);
			return -1;
		}
	}
	buf_free(&path);
	return 0;
}

/* Split the lines of out in place: up to max of them into lines. */
static int
split_lines(struct buf *out, char **lines, int max)
{
	char *p = out->s;
	int n = 0;

	while (n < max && p != NULL && *p != '\0') {
		lines[n++] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	return n;
}

/*
 * Where the repository is, whether it may be used, and what HEAD is
 * (its ref, "HEAD" when detached, empty when unborn).  A station with
 * a work tree and a branch checked out, the usual case, costs one git
 * call; a bare one or an unborn branch a few more.
 */
static int
find_repo(struct station *st, struct buf *head)
{
	struct buf out = BUF_INIT;
	char *l[5];
	int shallow, bare, rv = -1;

	if (git(&st->g, &out, "rev-parse", "--absolute-git-dir",
	    "--is-bare-repository", "--is-shallow-repository",
	    "--show-toplevel", "--symbolic-full-name", "HEAD", NULL) == 0 &&
	    split_lines(&out, l, 5) == 5) {
		st->gitdir = xstrdup(l[0]);
		st->worktree = xstrdup(l[3]);
		shallow = strcmp(l[2], "true") == 0;
		buf_adds(head, l[4]);
	} else {
		buf_reset(&out);
		if (git(&st->g, &out, "rev-parse", "--absolute-git-dir",
		    "--is-bare-repository", "--is-shallow-repository",
		    NULL) != 0 || split_lines(&out, l, 3) != 3) {
			bus_seterr("%s: not a git repository", st->dir);
			bus_setclass(FAIL_USAGE);
			goto out;
		}
		st->gitdir = xstrdup(l[0]);
		bare = strcmp(l[1], "true") == 0;
		shallow = strcmp(l[2], "true") == 0;
		if (!bare) {
			buf_reset(&out);
			if (git(&st->g, &out, "rev-parse", "--show-toplevel",
			    NULL) != 0)
				goto out;
			buf_rtrim(&out);
			st->worktree = xstrdup(out.s);
		}
		if (git(&st->g, head, "symbolic-ref", "-q", "HEAD", NULL) != 0) {
			buf_reset(head);
			/* a branch that names no commit: say so, not "detached" */
			if (git(&st->g, head, "symbolic-ref", "-q",
			    "--no-recurse", "HEAD", NULL) == 0) {
				buf_rtrim(head);
				bus_seterr("%s: %s is damaged: it names no "
				    "commit; repair it (git update-ref %s "
				    "<commit>) or delete it", st->dir, head->s,
				    head->s);
				bus_setclass(FAIL_USAGE);
				goto out;
			}
			buf_reset(head);
		}
		buf_rtrim(head);
	}
	if (shallow) {
		bus_seterr("%s: a shallow clone cannot be a station; run "
		    "git fetch --unshallow", st->dir);
		bus_setclass(FAIL_USAGE);
		goto out;
	}
	/* from now on run git at the top of the work tree */
	if (st->worktree != NULL)
		st->g.dir = st->worktree;
	rv = 0;
out:
	buf_free(&out);
	return rv;
}

/*
 * Is this repository a station, a clone of the hub, or the hub itself?
 * A command run in the hub would commit straight onto the bus branch,
 * under any name, past every hook: bus-init --hub marks a hub with
 * bus.hub, and a repository without a URL for its bus.remote is no
 * station either.
 */
static int
check_not_hub(struct station *st, const struct buf *remotes, int hub)
{
	if (hub) {
		bus_seterr("%s: this is the hub (bus.hub is set); bus "
		    "commands run in a station, a clone made by bus-init -a",
		    st->dir);
		bus_setclass(FAIL_USAGE);
		return -1;
	}
	if (!agent_listed(remotes, st->remote)) {
		bus_seterr("%s: no remote %s with a URL, so not a station "
		    "(is it the hub itself?); make one with bus-init -a",
		    st->dir, st->remote);
		bus_setclass(FAIL_USAGE);
		return -1;
	}
	return 0;
}

/*
 * Open the station at dir (NULL: $BUS_DIR, else the current
 * directory) for agent (NULL: $BUS_AGENT, else bus.agent).  With
 * need_agent (a bus station, not a skills clone), a station without
 * an agent is refused, and so is the hub itself.
 */
int
station_open(struct station *st, const char *dir, const char *agent,
    int need_agent, FILE *trace)
{
	struct buf out = BUF_INIT, remotes = BUF_INIT;
	struct buf head = BUF_INIT;
	char *cfg_agent = NULL;
	int rv = -1, hub = 0;

	memset(st, 0, sizeof(*st));
	st->lockfd = -1;
	st->maxsize = MSG_MAX_SIZE;
	st->lock_timeout = LOCK_TIMEOUT;
	if (dir == NULL && (dir = getenv("BUS_DIR")) != NULL && *dir == '\0')
		dir = NULL;
	st->dir = xstrdup(dir != NULL ? dir : ".");
	st->g.dir = st->dir;
	st->g.trace = trace;
	st->remote = xstrdup("origin");
	st->branch = xstrdup("main");

	if (find_repo(st, &head) == -1)
		goto out;

	if (agent == NULL && (agent = getenv("BUS_AGENT")) != NULL &&
	    *agent == '\0')
		agent = NULL;
	if (read_config(st, &cfg_agent, &remotes, &hub) == -1)
		goto out;
	if (need_agent && check_not_hub(st, &remotes, hub) == -1)
		goto out;
	if (agent != NULL)
		st->agent = xstrdup(agent);
	else if (cfg_agent != NULL)
		st->agent = xstrdup(cfg_agent);
	if (st->agent == NULL && need_agent) {
		bus_seterr("no agent: use -a NAME, $BUS_AGENT or "
		    "git config bus.agent");
		bus_setclass(FAIL_USAGE);
		goto out;
	}
	if (st->agent != NULL && !valid_agent(st->agent, strlen(st->agent))) {
		bus_seterr("%s: not an agent name", st->agent);
		bus_setclass(FAIL_USAGE);
		goto out;
	}
	buf_reset(&out);
	buf_addf(&out, "refs/heads/%s", st->branch);
	st->ref = buf_detach(&out);
	buf_addf(&out, "refs/remotes/%s/%s", st->remote, st->branch);
	st->tracking = buf_detach(&out);

	if (check_state(st) == -1)
		goto out;
	if (head.len == 0 || strcmp(head.s, "HEAD") == 0) {
		if (st->worktree != NULL) {
			bus_seterr("%s: HEAD is detached; check out %s first",
			    st->worktree, st->branch);
			bus_setclass(FAIL_USAGE);
			goto out;
		}
	} else
		st->checked_out = st->worktree != NULL &&
		    strcmp(head.s, st->ref) == 0;
	rv = 0;
out:
	free(cfg_agent);
	buf_free(&out);
	buf_free(&remotes);
	buf_free(&head);
	return rv;
}

void
station_close(struct station *st)
{
	if (st->lockfd != -1)
		station_flush(st);
	station_unlock(st);
	free(st->dir);
	free(st->gitdir);
	free(st->worktree);
	free(st->agent);
	free(st->remote);
	free(st->branch);
	free(st->ref);
	free(st->tracking);
	free(st->user_name);
	free(st->user_email);
	free(st->signing_key);
	free(st->profile);
	free(st->merger);
	free(st->heartbeat);
	buf_free(&st->tip_local);
	buf_free(&st->tip_remote);
	buf_free(&st->refused);
	buf_free(&st->skipped);
	buf_free(&st->unverified);
	buf_free(&st->stale);
	buf_free(&st->untrusted);
	changes_free(&st->pending);
	memset(st, 0, sizeof(*st));
	st->lockfd = -1;
}

/*
 * Take the station's lock: flock(2) on $GIT_DIR/bus.lock.  The kernel
 * drops it when the holder dies, however it dies, so no crash leaves
 * it stuck.  Waits up to bus.lockTimeout seconds for another command.
 */
int
station_lock(struct station *st)
{
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	struct buf path = BUF_INIT;
	time_t start = time(NULL);

	buf_addf(&path, "%s/bus.lock", st->gitdir);
	st->lockfd = open(path.s, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (st->lockfd == -1) {
		bus_seterrno("%s", path.s);
		buf_free(&path);
		return -1;
	}
	buf_free(&path);
	while (flock(st->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			bus_seterrno("flock");
			goto fail;
		}
		if (time(NULL) - start >= st->lock_timeout) {
			bus_seterr("another bus command has held the station "
			    "for %d seconds", st->lock_timeout);
			bus_setclass(FAIL_TEMP);
			goto fail;
		}
		nanosleep(&tick, NULL);
	}
	st->tips_known = 0;	/* others may have moved them meanwhile */
	st->g.lockfd = st->lockfd;
	return station_recover(st);
fail:
	close(st->lockfd);
	st->lockfd = -1;
	return -1;
}

void
station_unlock(struct station *st)
{
	if (st->lockfd != -1) {
		close(st->lockfd);
		st->lockfd = -1;
		st->g.lockfd = 0;
	}
}

/*
 * The tips of the branch and of the remote-tracking ref, in st->tip_local
 * and st->remote (empty when a ref does not exist), read once with one
 * git call and then kept up to date by the commands that move them.
 */
int
station_tips(struct station *st)
{
	struct buf out = BUF_INIT;
	char *line, *nl, *sp;

	if (st->tips_known)
		return 0;
	if (git(&st->g, &out, "for-each-ref", "--format=%(objectname) "
	    "%(refname)", st->ref, st->tracking, NULL) != 0) {
		buf_free(&out);
		return -1;
	}
	buf_reset(&st->tip_local);
	buf_reset(&st->tip_remote);
	for (line = out.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';
		if (strcmp(sp + 1, st->ref) == 0)
			buf_adds(&st->tip_local, line);
		else if (strcmp(sp + 1, st->tracking) == 0)
			buf_adds(&st->tip_remote, line);
	}
	buf_free(&out);
	st->tips_known = 1;
	return 0;
}

/* Copy a tip, so that it stays as it was when the station's moves on. */
void
tip_copy(struct buf *to, const struct buf *tip)
{
	buf_reset(to);
	buf_add(to, tip->s != NULL ? tip->s : "", tip->len);
}

/*
 * Move st->ref from old (empty: must not exist) to new, atomically:
 * fails if another process moved it meanwhile.
 */
int
station_update_ref(struct station *st, const char *new, const char *old,
    const char *why)
{
	if (git(&st->g, NULL, "update-ref", "-m", why, st->ref, new, old,
	    NULL) != 0)
		return -1;
	buf_reset(&st->tip_local);
	buf_adds(&st->tip_local, new);
	return 0;
}

/* The file name of the station's git directory, into path. */
void
station_path(const struct station *st, const char *name, struct buf *path)
{
	buf_reset(path);
	buf_addf(path, "%s/%s", st->gitdir, name);
}

static void
journal_path(const struct station *st, struct buf *path)
{
	station_path(st, "bus-checkout", path);
}

/* Note an entry of commit's tree that the work tree does not get. */
static void
refuse(struct buf *to, const char *path, const char *why, const char *commit)
{
	text_safe(to, path, strlen(path));
	buf_addf(to, ": %s (in the tree of %.12s)\n", why,
	    commit != NULL && *commit != '\0' ? commit : "the branch");
}

/*
 * Is every directory above path in the work tree a real directory (or
 * not there yet)?  A write must never follow a symlink out of it, nor
 * through a file standing where a directory goes.
 */
static const char *
worktree_parents(const struct station *st, const char *path)
{
	struct buf dir = BUF_INIT;
	const char *slash, *why = NULL;
	struct stat sb;

	for (slash = strchr(path, '/'); slash != NULL && why == NULL;
	    slash = strchr(slash + 1, '/')) {
		buf_reset(&dir);
		buf_addf(&dir, "%s/%.*s", st->worktree, (int)(slash - path),
		    path);
		if (lstat(dir.s, &sb) == -1)
			break;		/* made as needed, a real directory */
		if (S_ISLNK(sb.st_mode))
			why = "a symlink in the work tree is in the way";
		else if (!S_ISDIR(sb.st_mode))
			why = "a file in the work tree is in the way";
	}
	buf_free(&dir);
	return why;
}

/*
 * May change c touch the work tree?  Every path from a tree is judged
 * first (layout.c): only layout files are written; an unknown path is
 * skipped; a dangerous one is never touched, except that a layout file
 * which became a symlink, a submodule or an executable is removed, so
 * that the work tree shows no stale copy (*remove).  0 means leave the
 * path alone.
 */
static int
checkout_ok(struct station *st, const struct change *c, const char *commit,
    int *remove)
{
	const char *why, *local;
	enum layout_kind k = layout_classify(c->path, c->mode, &why);

	*remove = c->mode == NULL;
	if (k == LAYOUT_DANGEROUS && c->mode != NULL &&
	    layout_classify(c->path, NULL, &local) == LAYOUT_OK) {
		refuse(&st->refused, c->path, why, commit);
		*remove = 1;	/* a safe name with a bad mode */
	} else if (k == LAYOUT_DANGEROUS) {
		/* its removal is the hub's cleanup: nothing was written */
		if (!*remove)
			refuse(&st->refused, c->path, why, commit);
		return 0;
	} else if (k == LAYOUT_UNKNOWN) {
		/* never written, so never removed: it may be the user's */
		if (!*remove)
			refuse(&st->skipped, c->path, why, commit);
		return 0;
	}
	if ((local = worktree_parents(st, c->path)) != NULL) {
		refuse(&st->refused, c->path, local, commit);
		return 0;
	}
	return 1;
}

/*
 * Remove path from the work tree, and the directories it empties; 1
 * when a directory stands there, which is not ours to remove.
 */
static int
checkout_remove(const struct station *st, struct buf *path)
{
	struct stat sb;
	char *slash;

	if (lstat(path->s, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 1;
	if (unlink(path->s) == -1 && errno != ENOENT) {
		bus_seterrno("%s", path->s);
		return -1;
	}
	/* drop directories the removal emptied, as git does */
	while ((slash = strrchr(path->s, '/')) != NULL &&
	    (size_t)(slash - path->s) > strlen(st->worktree)) {
		*slash = '\0';
		if (rmdir(path->s) == -1)
			break;
	}
	return 0;
}

/*
 * Write a file of the work tree: a symlink standing there is replaced,
 * never followed; a directory is left alone and noted.
 */
static int
checkout_write(struct station *st, const struct change *c, const char *path,
    const char *data, size_t len, const char *commit)
{
	struct stat sb;

	if (lstat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			refuse(&st->refused, c->path, "a directory in the work "
			    "tree is in the way", commit);
			return 1;
		}
		if (S_ISLNK(sb.st_mode) && unlink(path) == -1) {
			bus_seterrno("%s", path);
			return -1;
		}
	}
	return file_write(path, data != NULL ? data : "", len);
}

/*
 * Make the index and work tree show commit for the n changed paths,
 * and nothing else: a user's edits elsewhere stay as they are.  Files
 * are written here (their bytes are known, or read in one git
 * cat-file), then one git update-index records them.  What may not
 * be written is noted in st->refused and st->skipped for main().
 */
static int
checkout(struct station *st, const struct change *c, size_t n,
    const char *commit)
{
	const char *upd[] = { "update-index", "--add", "--remove", "-z",
	    "--stdin", NULL };
	struct buf paths = BUF_INIT, path = BUF_INIT, blobs = BUF_INIT;
	const char **want = NULL;
	struct cat_obj *obj = NULL;
	size_t i, k, nwant = 0;
	const char *why;
	int rv = -1, r, *remove = NULL, *touch = NULL;

	if (!st->checked_out || n == 0)
		return 0;
	remove = xcalloc(n, sizeof(*remove));
	touch = xcalloc(n, sizeof(*touch));
	for (i = 0; i < n; i++) {
		touch[i] = checkout_ok(st, &c[i], commit, &remove[i]);
		if (touch[i] && !remove[i] && !c[i].has_data) {
			want = xreallocarray(want, nwant + 1, sizeof(*want));
			want[nwant++] = c[i].oid;
		}
	}
	if (nwant > 0) {
		obj = xreallocarray(NULL, nwant, sizeof(*obj));
		if (git_cat_batch(&st->g, want, nwant, &blobs, obj) == -1)
			goto out;
	}
	for (i = 0, k = 0; i < n; i++) {
		if (!touch[i])
			continue;
		buf_reset(&path);
		buf_addf(&path, "%s/%s", st->worktree, c[i].path);
		if (remove[i]) {
			if ((r = checkout_remove(st, &path)) == -1)
				goto out;
			if (r == 1)
				continue;
		} else {
			const char *data = c[i].has_data ? c[i].data.s :
			    obj[k].data;
			size_t len = c[i].has_data ? c[i].data.len :
			    obj[k].size;

			if (!c[i].has_data && obj[k++].missing) {
				bus_seterr("%s: blob %s is missing", c[i].path,
				    c[i].oid);
				goto out;
			}
			if ((why = layout_bad_content(c[i].path, data != NULL ?
			    data : "", len)) != NULL) {
				refuse(&st->refused, c[i].path, why, commit);
				continue;	/* the old one stays */
			}
			if ((r = checkout_write(st, &c[i], path.s, data, len,
			    commit)) == -1)
				goto out;
			if (r == 1)
				continue;	/* left alone: not indexed */
		}
		buf_add(&paths, c[i].path, strlen(c[i].path) + 1);
	}
	if (paths.len > 0 && git_run(&st->g, &paths, NULL, NULL, upd) != 0)
		goto out;
	rv = 0;
out:
	free(want);
	free(obj);
	free(remove);
	free(touch);
	buf_free(&paths);
	buf_free(&path);
	buf_free(&blobs);
	return rv;
}

/*
 * The changes from commit old (empty: none, so every file of new) to
 * commit new, as diff-tree sees them.
 */
int
station_diff(struct station *st, const char *old, const char *new,
    struct changes *out)
{
	struct buf raw = BUF_INIT, none = BUF_INIT;
	char *p, *end, *meta;
	char oldmode[8], mode[8], was[128], oid[128];
	int rv = -1;

	if (*old == '\0') {
		if (git_empty_tree(&st->g, &none) == -1)
			goto out;
		old = none.s;
	}
	if (git(&st->g, &raw, "diff-tree", "-r", "-z", "--no-renames",
	    "--no-commit-id", old, new, NULL) != 0)
		goto out;
	/* ":oldmode newmode oldoid newoid status\0path\0" */
	for (p = raw.s; p != NULL && p < raw.s + raw.len; p = end + 1) {
		meta = p;
		p += strlen(p) + 1;
		if (p >= raw.s + raw.len || meta[0] != ':') {
			bus_seterr("git diff-tree: unexpected output");
			goto out;
		}
		end = p + strlen(p);
		if (sscanf(meta, ":%7s %7s %127s %127s", oldmode, mode, was,
		    oid) != 4) {
			bus_seterr("git diff-tree: unexpected output");
			goto out;
		}
		changes_add(out, p, strcmp(mode, "000000") == 0 ? NULL : mode,
		    oid);
		/* the blob it replaced, or none: replays check it is there */
		if (strcmp(oldmode, "000000") != 0)
			out->c[out->n - 1].old = xstrdup(was);
	}
	rv = 0;
out:
	buf_free(&raw);
	buf_free(&none);
	return rv;
}

/*
 * After a failure: bring the work tree along for what did happen (the
 * branch may have moved), keeping the failure's own error for main().
 */
void
station_abort(struct station *st)
{
	char msg[1024];
	enum bus_fail class = bus_errclass();

	strlcpy(msg, bus_error(), sizeof(msg));
	station_flush(st);
	bus_seterr("%s", msg);
	bus_setclass(class);
}

/*
 * Before the branch moves from old: the journal.  If we die between
 * moving the ref and updating the work tree, the next command
 * (station_recover) finishes the job from it.  Written once, at the
 * first move of a command; station_flush() removes it.
 */
static int
journal(struct station *st, const char *old)
{
	struct buf path = BUF_INIT;
	int rv = 0;

	if (!st->checked_out || st->journaled || *old == '\0')
		return 0;
	journal_path(st, &path);
	if (file_write_atomic(path.s, old, strlen(old), 0666) == -1)
		rv = -1;
	else
		st->journaled = 1;
	buf_free(&path);
	return rv;
}

/* Remember changed paths for the work tree, for station_flush(). */
static void
defer(struct station *st, const struct changes *c)
{
	size_t i;

	for (i = 0; st->checked_out && i < c->n; i++)
		changes_copy(&st->pending, &c->c[i]);
}

/*
 * Bring the work tree and index to the branch for every path the
 * command changed so far, in one go, and drop the journal.  Several
 * moves of one command (a fast-forward, then a commit) cost one index
 * update, which matters when the index holds 100,000 entries.
 */
int
station_flush(struct station *st)
{
	struct buf path = BUF_INIT;
	int rv = 0;

	/* a recovery that failed: the whole way from the journal's commit */
	if (st->stale.len > 0) {
		changes_free(&st->pending);
		if (station_tips(st) == -1 || station_diff(st, st->stale.s,
		    st->tip_local.s, &st->pending) == -1) {
			changes_free(&st->pending);
			return -1;
		}
	}
	if (st->pending.n > 0 && checkout(st, st->pending.c,
	    st->pending.n, st->tip_local.s) == -1) {
		/* the journal stays, for station_recover() to finish */
		st->journaled = 0;
		rv = -1;
	} else if (st->journaled) {
		journal_path(st, &path);
		unlink(path.s);
		st->journaled = 0;
		buf_reset(&st->stale);
	}
	changes_free(&st->pending);
	buf_free(&path);
	return rv;
}

/*
 * Move the branch from old (empty: it must not exist yet) to new; the
 * changed paths (c, or computed when NULL) reach the work tree at the
 * next station_flush().
 */
int
station_advance(struct station *st, const char *new, const char *old,
    const struct changes *c, const char *why)
{
	struct changes diff = CHANGES_INIT;
	int rv = -1;

	if (journal(st, old) == -1 ||
	    station_update_ref(st, new, old, why) == -1)
		goto out;
	if (st->checked_out && c == NULL) {
		if (station_diff(st, old, new, &diff) == -1)
			goto out;
		c = &diff;
	}
	if (c != NULL)
		defer(st, c);
	rv = 0;
out:
	changes_free(&diff);
	return rv;
}

/*
 * A station cloned without a checkout (bus-init -a): bring every file
 * of the branch into the work tree at the next station_flush(), under
 * the same judgement as any update.  git's own checkout would write
 * symlinks, executables and files outside the layout.  The journal
 * names the empty tree, so a crash midway is finished by the next
 * command.
 */
int
station_populate(struct station *st)
{
	struct changes diff = CHANGES_INIT;
	struct buf empty = BUF_INIT;
	int rv = -1;

	if (!st->checked_out)
		return 0;
	if (station_tips(st) == -1)
		return -1;
	if (st->tip_local.len == 0)
		return 0;
	if (git_empty_tree(&st->g, &empty) == -1 ||
	    journal(st, empty.s) == -1 ||
	    station_diff(st, "", st->tip_local.s, &diff) == -1)
		goto out;
	defer(st, &diff);
	rv = 0;
out:
	changes_free(&diff);
	buf_free(&empty);
	return rv;
}

/* Finish a work tree update that a dead command left half done. */
int
station_recover(struct station *st)
{
	struct buf path = BUF_INIT, old = BUF_INIT, tip = BUF_INIT;
	struct changes diff = CHANGES_INIT;
	int rv = -1;

	journal_path(st, &path);
	if (file_read(path.s, &old, 1024) == -1) {
		rv = errno == ENOENT ? 0 : -1;
		goto out;
	}
	buf_rtrim(&old);
	if (station_tips(st) == -1)
		goto out;
	tip_copy(&tip, &st->tip_local);
	if (st->checked_out && tip.len > 0 && strcmp(tip.s, old.s) != 0) {
		if (station_diff(st, old.s, tip.s, &diff) == -1)
			goto out;
		if (checkout(st, diff.c, diff.n, tip.s) == -1) {
			/*
			 * Not fatal: a failure that comes from the hub's
			 * tree must not keep the fetch that brings its
			 * cleanup from running.  The journal stays, and
			 * station_flush() tries the whole way again.
			 */
			buf_addf(&st->refused, "the work tree: %s; the next "
			    "command tries again\n", bus_error());
			tip_copy(&st->stale, &old);
			st->journaled = 1;
			rv = 0;
			goto out;
		}
	}
	unlink(path.s);
	rv = 0;
out:
	changes_free(&diff);
	buf_free(&path);
	buf_free(&old);
	buf_free(&tip);
	return rv;
}

/*
 * Commit the changes on top of the branch (on the hub's tip when the
 * branch does not exist yet), move the branch there and bring the work
 * tree along.  The new commit's id goes to tip.
 */
int
station_commit(struct station *st, struct changes *c, const char *message,
    struct buf *tip)
{
	struct buf local = BUF_INIT, base = BUF_INIT, path = BUF_INIT;
	struct buf who = BUF_INIT;
	struct commit_spec spec;
	int rv = -1;

	if (station_tips(st) == -1)
		goto out;
	tip_copy(&local, &st->tip_local);
	tip_copy(&base, local.len > 0 ? &st->tip_local : &st->tip_remote);
	station_ident(st, &who);
	memset(&spec, 0, sizeof(spec));
	spec.parent = base.len > 0 ? base.s : NULL;
	spec.committer = who.s;
	spec.message = message;
	spec.changes = c;

	/*
	 * The journal first: a crash after the ref moves is finished
	 * later.  Unsigned, fast-import moves the branch itself (only as a
	 * fast-forward); signed, the signed commit is put there with the
	 * expected old value.
	 */
	if (journal(st, local.s) == -1)
		goto out;
	if (st->signing_key == NULL) {
		if (commits_import(&st->g, st->ref, 0, &spec, 1, tip) == -1)
			goto out;
	} else if (station_make_commits(st, &spec, 1, tip) == -1 ||
	    station_update_ref(st, tip->s, local.s, message) == -1)
		goto out;
	tip_copy(&st->tip_local, tip);
	defer(st, c);
	/*
	 * The record is a hint: without its line, bus-status finds the
	 * message by the time in its id, so a failure here is not one of
	 * the commit.
	 */
	(void)sent_append(st, &c->sent);
	buf_reset(&c->sent);
	rv = 0;
out:
	buf_free(&local);
	buf_free(&base);
	buf_free(&path);
	buf_free(&who);
	return rv;
}

/* Environment for git to use ident ("Name <email> time zone") as WHO. */
static void
ident_env(const char *ident, const char *who, struct buf *env)
{
	const char *lt = strchr(ident, '<'), *gt;

	if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
		return;
	buf_addf(env, "GIT_%s_NAME=%.*s", who,
	    (int)(lt > ident && lt[-1] == ' ' ? lt - ident - 1 : lt - ident),
	    ident);
	buf_addc(env, '\0');
	buf_addf(env, "GIT_%s_EMAIL=%.*s", who, (int)(gt - lt - 1), lt + 1);
	buf_addc(env, '\0');
	buf_addf(env, "GIT_%s_DATE=%s", who, gt[1] == ' ' ? gt + 2 : gt + 1);
	buf_addc(env, '\0');
}

/*
 * The commit u again, signed with the station's key (git commit-tree
 * -S: gpg.format ssh and user.signingKey, set by bus-init --sign-key),
 * on parent; its id goes to out.
 */
static int
sign_commit(struct station *st, const char *u, const char *parent,
    const struct commit_spec *spec, struct buf *out)
{
	struct buf tree = BUF_INIT, env = BUF_INIT, msg = BUF_INIT;
	const char *args[8], *envv[8], *p;
	struct git g = st->g;
	int n = 0, e = 0, rv;

	buf_addf(&tree, "%s^{tree}", u);
	ident_env(spec->author != NULL ? spec->author : spec->committer,
	    "AUTHOR", &env);
	ident_env(spec->committer, "COMMITTER", &env);
	for (p = env.s; p != NULL && p < env.s + env.len && e < 7;
	    p += strlen(p) + 1)
		envv[e++] = p;
	envv[e] = NULL;
	g.env = envv;
	args[n++] = "commit-tree";
	args[n++] = tree.s;
	if (parent != NULL && *parent != '\0') {
		args[n++] = "-p";
		args[n++] = parent;
	}
	args[n++] = "-S";
	args[n++] = "-F";
	args[n++] = "-";
	args[n] = NULL;
	buf_adds(&msg, spec->message);
	buf_reset(out);
	rv = git_run(&g, &msg, out, NULL, args);
	buf_rtrim(out);
	buf_free(&tree);
	buf_free(&env);
	buf_free(&msg);
	return rv == 0 ? 0 : -1;
}

/*
 * Make the n commits of spec, each on the one before, the first on
 * spec[0].parent, and put the last one's id in tip; no branch moves.
 * A station that signs (bus.signingKey) signs each of them.
 */
int
station_make_commits(struct station *st, struct commit_spec *spec, size_t n,
    struct buf *tip)
{
	struct buf u = BUF_INIT, prev = BUF_INIT;
	struct commit_spec one;
	size_t i;
	int rv = -1;

	if (st->signing_key == NULL)
		return commits_import(&st->g, "refs/bus/new", 1, spec, n, tip);
	buf_adds(&prev, spec[0].parent != NULL ? spec[0].parent : "");
	for (i = 0; i < n; i++) {
		one = spec[i];
		one.parent = prev.len > 0 ? prev.s : NULL;
		if (commits_import(&st->g, "refs/bus/new", 1, &one, 1,
		    &u) == -1 ||
		    sign_commit(st, u.s, one.parent, &one, tip) == -1)
			goto out;
		buf_reset(&prev);
		buf_adds(&prev, tip->s);
	}
	rv = 0;
out:
	buf_free(&u);
	buf_free(&prev);
	return rv;
}

/*
 * "Name <email> time zone" for a commit made now: GIT_COMMITTER_NAME
 * and _EMAIL, else user.name and user.email, as git would.
 */
void
station_ident(const struct station *st, struct buf *out)
{
	const char *name = getenv("GIT_COMMITTER_NAME");
	const char *email = getenv("GIT_COMMITTER_EMAIL");
	const char *p;

	if (name == NULL)
		name = st->user_name != NULL ? st->user_name : "git-bus";
	if (email == NULL)
		email = st->user_email != NULL ? st->user_email :
		    "git-bus@localhost";
	buf_reset(out);
	/* fast-import refuses <, > and newlines in a name or an email */
	for (p = name; *p != '\0'; p++)
		if (strchr("<>\n", *p) == NULL)
			buf_addc(out, *p);
	buf_adds(out, " <");
	for (p = email; *p != '\0'; p++)
		if (strchr("<>\n", *p) == NULL)
			buf_addc(out, *p);
	buf_addf(out, "> %lld +0000", (long long)time(NULL));
}

/*
 * The agents on the branch: one per inbox-<agent>/ directory at the
 * top of the tree, as a NUL-separated list in out.
 */
int
station_agents(struct station *st, struct buf *out)
{
	struct buf list = BUF_INIT;
	const char *p;
	size_t n;

	buf_reset(out);
	if (git(&st->g, &list, "ls-tree", "-z", "-d", "--name-only",
	    st->ref, NULL) != 0) {
		buf_free(&list);
		return -1;
	}
	for (p = list.s; p != NULL && p < list.s + list.len;
	    p += strlen(p) + 1) {
		n = strlen(p);
		if (n > 6 && strncmp(p, "inbox-", 6) == 0 &&
		    valid_agent(p + 6, n - 6))
			buf_add(out, p + 6, n - 5);
	}
	buf_free(&list);
	return 0;
}

/* Does path exist on the branch? */
int
station_has(struct station *st, const char *path)
{
	struct buf spec = BUF_INIT;
	int rv;

	buf_addf(&spec, "%s:%s", st->ref, path);
	rv = git(&st->g, NULL, "cat-file", "-e", spec.s, NULL);
	buf_free(&spec);
	return rv == 0;
}

/* Is agent one of the NUL-separated list? */
int
agent_listed(const struct buf *agents, const char *agent)
{
	const char *p;

	for (p = agents->s; p != NULL && p < agents->s + agents->len;
	    p += strlen(p) + 1)
		if (strcmp(p, agent) == 0)
			return 1;
	return 0;
}

/*
 * Write message m (canonical form) as a blob and add it to the
 * changes, in the inbox of its recipient.  Our own output is checked
 * like anybody's, so that the hub never has to refuse it.
 */
int
station_stage(struct station *st, const struct msg *m, struct changes *c)
{
	struct buf text = BUF_INIT, why = BUF_INIT, path = BUF_INIT;
	struct msg check;
	int rv = -1;

	msg_write(m, &text);
	if (msg_parse(&check, text.s, text.len, st->maxsize, &why) == -1) {
		buf_rtrim(&why);
		bus_seterr("message %s: %s", m->id, why.s);
		bus_setclass(FAIL_DATA);
		goto out;
	}
	msg_free(&check);
	buf_addf(&path, "inbox-%s/%s.json", m->to, m->id);
	if (changes_has(c, path.s)) {
		bus_seterr("%s: the same message twice", path.s);
		bus_setclass(FAIL_DATA);
		goto out;
	}
	changes_add_data(c, path.s, text.s, text.len);
	sent_note(c, m);
	rv = 0;
out:
	buf_free(&text);
	buf_free(&why);
	buf_free(&path);
	return rv;
}

/*
 * Stage a message of type with body from the station's agent to every
 * other agent on the branch.  Returns how many were staged, or -1.
 */
int
station_stage_others(struct station *st, const char *type, const char *body,
    size_t len, struct changes *c)
{
	struct buf agents = BUF_INIT;
	struct msg m;
	const char *p;
	time_t now = time(NULL);
	int n = 0;

	if (station_agents(st, &agents) == -1)
		return -1;
	for (p = agents.s; p != NULL && p < agents.s + agents.len;
	    p += strlen(p) + 1) {
		if (strcmp(p, st->agent) == 0)
			continue;
		if (msg_new(&m, st->agent, p, type, body, len, NULL, NULL,
		    now) == -1) {
			n = -1;
			break;
		}
		if (station_stage(st, &m, c) == -1)
			n = -1;
		msg_free(&m);
		if (n == -1)
			break;
		n++;
	}
	buf_free(&agents);
	return n;
}

/* Each line of why, as "path: line", onto bad. */
static void
why_lines(struct buf *bad, const char *path, const struct buf *why)
{
	const char *line, *nl;

	for (line = why->s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1)
		buf_addf(bad, "%s: %.*s\n", path, (int)(nl - line), line);
}

static int
msg_order(const void *x, const void *y)
{
	const struct inbox_msg *a = x, *b = y;
	int c = ts_cmp(a->m.ts, b->m.ts);

	return c != 0 ? c : strcmp(a->m.id, b->m.id);
}

/*
 * Read the messages in a directory of the branch (an inbox), oldest
 * first, with one git ls-tree and one git cat-file --batch, however
 * many there are.  Files that are not valid messages are not returned;
 * their paths and reasons go to bad, one "path: reason" a line.
 */
int
station_read_dir(struct station *st, const char *dir, struct inbox *box,
    struct buf *bad)
{
	struct buf list = BUF_INIT, out = BUF_INIT, why = BUF_INIT;
	struct buf spec = BUF_INIT;
	const char *from;
	struct msg_path mp;
	struct inbox_msg *im;
	struct cat_obj *obj = NULL;
	const char **oids = NULL;
	char **paths = NULL, *p, *tab;
	size_t n = 0, i;
	int rv = -1;

	memset(box, 0, sizeof(*box));
	buf_addf(&spec, "%s/", dir);
	if (git(&st->g, &list, "ls-tree", "-z", "--full-tree", st->ref, "--",
	    spec.s, NULL) != 0)
		goto out;
	for (p = list.s; p != NULL && p < list.s + list.len;
	    p += strlen(p) + 1) {
		if ((tab = strchr(p, '\t')) == NULL ||
		    strcmp(path_base(tab + 1), ".keep") == 0)
			continue;
		buf_reset(&why);
		if (strncmp(p, "100644 blob ", 12) != 0) {
			/* a symlink, a submodule, an executable: no message */
			buf_addf(bad, "%s: not a regular file\n", tab + 1);
			continue;
		}
		if (msg_path_parse(&mp, tab + 1, &why) == -1) {
			buf_addf(bad, "%s: %s", tab + 1, why.s);
			continue;
		}
		if ((from = verify_path_untrusted(st, tab + 1)) != NULL) {
			buf_addf(bad, "%s: added by commit %.12s, which this "
			    "station could not verify (bus.requireSigned)\n",
			    tab + 1, from);
			continue;
		}
		paths = xreallocarray(paths, n + 1, sizeof(*paths));
		oids = xreallocarray(oids, n + 1, sizeof(*oids));
		*tab = '\0';
		paths[n] = tab + 1;
		oids[n++] = p + 12;
	}
	obj = xreallocarray(NULL, n + 1, sizeof(*obj));
	if (git_cat_batch(&st->g, oids, n, &out, obj) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		im = xreallocarray(box->msgs, box->n + 1, sizeof(*im));
		box->msgs = im;
		im += box->n;
		buf_reset(&why);
		msg_path_parse(&mp, paths[i], &why);
		if (obj[i].missing ||
		    msg_parse(&im->m, obj[i].data, obj[i].size, st->maxsize,
		    &why) == -1) {
			why_lines(bad, paths[i], &why);
			continue;
		}
		if (msg_check_place(&im->m, &mp, &why) == -1) {
			why_lines(bad, paths[i], &why);
			msg_free(&im->m);
			continue;
		}
		im->path = xstrdup(paths[i]);
		im->oid = xstrdup(oids[i]);
		memset(&im->raw, 0, sizeof(im->raw));
		buf_add(&im->raw, obj[i].data, obj[i].size);
		box->n++;
	}
	if (box->n > 1)
		qsort(box->msgs, box->n, sizeof(*box->msgs), msg_order);
	rv = 0;
out:
	free(paths);
	free(oids);
	free(obj);
	buf_free(&list);
	buf_free(&out);
	buf_free(&why);
	buf_free(&spec);
	return rv;
}

/*
 * Stage the move of im out of the agent's inbox into its archive, under
 * the UTC day of its ts: the same blob, so the hooks see a move.
 */
void
station_archive(const struct station *st, const struct inbox_msg *im,
    struct changes *c)
{
	struct buf path = BUF_INIT;

	buf_addf(&path, "archive-%s/%.10s/%s.json", st->agent, im->m.ts,
	    im->m.id);
	changes_add(c, im->path, NULL, NULL);
	changes_add_blob(c, path.s, im->oid, im->raw.s, im->raw.len);
	buf_free(&path);
}

void
inbox_free(struct inbox *box)
{
	size_t i;

	for (i = 0; i < box->n; i++) {
		msg_free(&box->msgs[i].m);
		free(box->msgs[i].path);
		free(box->msgs[i].oid);
		buf_free(&box->msgs[i].raw);
	}
	free(box->msgs);
	memset(box, 0, sizeof(*box));
}
