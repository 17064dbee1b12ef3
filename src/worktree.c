/*
 * worktree.c: a station's work tree, kept in step with its branch for
 * the paths a command changed, writing only what the layout allows;
 * and the journal ($GIT_DIR/bus-checkout) from which the next command
 * finishes an update that a dead one left half done.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layout.h"
#include "station.h"

static void
journal_path(const struct station *st, struct buf *path)
{
	station_path(st, "bus-checkout", path);
}

/* The commit the journal holds, into old. */
static int
journal_read(const struct station *st, struct buf *old)
{
	struct buf path = BUF_INIT;
	int rv;

	journal_path(st, &path);
	buf_reset(old);
	if ((rv = file_read(path.s, old, 1024)) == 0)
		buf_rtrim(old);
	buf_free(&path);
	return rv;
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
 * Make the index and work tree show commit for the n changed paths
 * (from base, the commit the index shows; empty: none), and nothing
 * else: a user's edits elsewhere stay as they are.  Files are written
 * here (their bytes are known, or read in one git cat-file), then one
 * git update-index records them; a sparse station's index moves from
 * base to commit first (sparse.c).  What may not be written is noted
 * in st->refused and st->skipped for main().
 */
static int
checkout(struct station *st, const struct change *c, size_t n,
    const char *base, const char *commit)
{
	const char *upd[] = { "update-index", "--add", "--remove", "-z",
	    "--stdin", NULL };
	struct buf paths = BUF_INIT, path = BUF_INIT, blobs = BUF_INIT;
	const char **want = NULL;
	struct cat_obj *obj = NULL;
	size_t i, k, nwant = 0, written = 0;
	const char *why;
	int rv = -1, r, hostile = 0, *remove = NULL, *touch = NULL;

	if (!st->checked_out || n == 0)
		return 0;
	remove = xcalloc(n, sizeof(*remove));
	touch = xcalloc(n, sizeof(*touch));
	for (i = 0; i < n; i++)
		touch[i] = checkout_ok(st, &c[i], commit, &remove[i]);
	if (st->sparse && (hostile = sparse_select(st, c, n, touch)) == -1)
		goto out;
	for (i = 0; i < n; i++) {
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
		written++;
	}
	if (st->sparse && sparse_index(st, base, commit, hostile,
	    written == n) == -1)
		goto out;
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
	struct strvec env = STRVEC_INIT;
	struct git g;
	int rv;

	station_git_noindex(st, &g, &env);
	rv = changes_diff(&g, old, new, out);
	strvec_clear(&env);
	return rv;
}

/*
 * Before the branch moves from old: the journal.  If we die between
 * moving the ref and updating the work tree, the next command
 * (station_recover) finishes the job from it.  Written once, at the
 * first move of a command; station_flush() removes it.
 */
int
station_journal(struct station *st, const char *old)
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
void
station_defer(struct station *st, const struct changes *c)
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
	struct buf path = BUF_INIT, base = BUF_INIT;
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
	/* where the index is: the first move's start, which the journal
	   holds (none on a branch yet unborn) */
	if (st->stale.len > 0)
		tip_copy(&base, &st->stale);
	else if (st->journaled && journal_read(st, &base) == -1)
		rv = -1;
	if (rv == -1 || (st->pending.n > 0 && checkout(st, st->pending.c,
	    st->pending.n, base.s != NULL ? base.s : "",
	    st->tip_local.s) == -1)) {
		/*
		 * The journal stays, for station_recover() to finish.  Its
		 * commit becomes stale: a later move of the branch in this
		 * command must not write a newer journal over it, and the
		 * next flush goes the whole way from it.
		 */
		bus_errhold();
		if (st->journaled && st->stale.len == 0 &&
		    journal_read(st, &st->stale) == -1)
			st->journaled = 0;
		bus_errrelease();
		rv = -1;
	} else if (st->journaled) {
		journal_path(st, &path);
		unlink(path.s);
		st->journaled = 0;
		buf_reset(&st->stale);
	}
	changes_free(&st->pending);
	buf_free(&path);
	buf_free(&base);
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

	if (station_journal(st, old) == -1 ||
	    station_update_ref(st, new, old, why) == -1)
		goto out;
	if (st->checked_out && c == NULL) {
		if (station_diff(st, old, new, &diff) == -1)
			goto out;
		c = &diff;
	}
	if (c != NULL)
		station_defer(st, c);
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
	    station_journal(st, empty.s) == -1 ||
	    station_diff(st, "", st->tip_local.s, &diff) == -1)
		goto out;
	station_defer(st, &diff);
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
	if (journal_read(st, &old) == -1) {
		rv = errno == ENOENT ? 0 : -1;
		goto out;
	}
	if (station_tips(st) == -1)
		goto out;
	tip_copy(&tip, &st->tip_local);
	if (st->checked_out && tip.len > 0 && strcmp(tip.s, old.s) != 0) {
		if (station_diff(st, old.s, tip.s, &diff) == -1)
			goto out;
		if (checkout(st, diff.c, diff.n, old.s, tip.s) == -1) {
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
