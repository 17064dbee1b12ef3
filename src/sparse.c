/*
 * sparse.c: a station that leaves the archives out (bus-init's default).
 *
 * Its work tree holds every top-level directory but archive-*, and its
 * index holds each archive as one entry (git's sparse index in cone
 * mode), so neither grows with history: at 100,000 archived messages a
 * full index is 12 MB, read and written by every command that moves
 * the branch.  The cone is git's own $GIT_DIR/info/sparse-checkout, so
 * that git status, git sparse-checkout list and the user's own git
 * commands agree with the tools; git never writes a file for us here
 * (worktree.c does, under the layout's judgement), it only keeps the
 * index, through one read-tree -m from the commit the index shows to
 * the new one, which walks only the trees that changed.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "layout.h"
#include "msg.h"
#include "station.h"

#define CONE_MAX	(1024 * 1024)	/* bytes of patterns we read */

/*
 * Patterns of a cone holding the top-level files and the layout's
 * directories that a user may start by hand (git add outside the cone
 * takes --sparse); agents' inboxes join as they appear.
 */
static const char cone_base[] = "/*\n!/*/\n/.bus/\n/user-sync/\n";

static void
cone_path(const struct station *st, struct buf *path)
{
	station_path(st, "info/sparse-checkout", path);
}

/* Set a new clone up as sparse: git's settings and an empty cone. */
int
sparse_setup(const struct git *g, const char *gitdir)
{
	static const char *const settings[][2] = {
		{ "core.sparseCheckout", "true" },
		{ "core.sparseCheckoutCone", "true" },
		{ "index.sparse", "true" } };
	struct buf path = BUF_INIT;
	size_t i;
	int rv = -1;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (git(g, NULL, "config", settings[i][0], settings[i][1],
		    NULL) != 0)
			return -1;
	buf_addf(&path, "%s/info", gitdir);
	if (mkdir(path.s, 0777) == -1 && errno != EEXIST) {
		bus_seterrno("%s", path.s);
		goto out;
	}
	buf_adds(&path, "/sparse-checkout");
	if (file_write_atomic(path.s, cone_base, strlen(cone_base),
	    0666) == -1)
		goto out;
	rv = 0;
out:
	buf_free(&path);
	return rv;
}

/* The length of path's top-level directory; 0 for a top-level file. */
static size_t
top_len(const char *path)
{
	const char *slash = strchr(path, '/');

	return slash != NULL ? (size_t)(slash - path) : 0;
}

/* Does the cone (the patterns' text) name the top-level directory? */
static int
cone_has(const struct buf *cone, const char *top, size_t len)
{
	const char *line, *end;

	for (line = cone->s; line != NULL && *line != '\0'; line = end) {
		end = strchr(line, '\n');
		if (end != NULL)
			end++;
		if (line[0] == '/' && strncmp(line + 1, top, len) == 0 &&
		    line[len + 1] == '/' && (line[len + 2] == '\n' ||
		    line[len + 2] == '\0'))
			return 1;
	}
	return 0;
}

/*
 * A directory the cone may gain: an agent's inbox, whose name holds
 * none of the characters that mean something in a pattern (the other
 * directories of the layout are in cone_base).  Never an archive.
 */
static int
cone_may_hold(const char *top, size_t len)
{
	return len > 6 && strncmp(top, "inbox-", 6) == 0 &&
	    valid_agent(top + 6, len - 6);
}

/*
 * Does one of the n changes add an entry that layout.c calls dangerous
 * (.git/config, ../x, a symlink where a message goes)?  git would not
 * index such a path; in a sparse index it would hide in the tree of a
 * directory entry, and every git command that opens that directory
 * later (git status, a fetch) fails on it, or worse.
 */
static int
changes_hostile(const struct change *c, size_t n)
{
	const char *why;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i].mode != NULL && layout_classify(c[i].path, c[i].mode,
		    &why) == LAYOUT_DANGEROUS)
			return 1;
	return 0;
}

/*
 * Of the n changes that worktree.c would write (touch[i] set), keep
 * those the work tree holds: a top-level file, or a path in the cone.
 * A directory new to the branch joins the cone first (a new agent's
 * inbox), unless it is an archive; so does one that the cone misses.
 * Returns 1 when a change brings an entry that layout.c calls
 * dangerous (sparse_index() must then keep its tree out), else 0.
 */
int
sparse_select(struct station *st, const struct change *c, size_t n,
    int *touch)
{
	struct buf cone = BUF_INIT, path = BUF_INIT;
	size_t i, len, had;
	int hostile, rv = -1;

	cone_path(st, &path);
	if (file_read(path.s, &cone, CONE_MAX) == -1) {
		if (errno != ENOENT)
			goto out;
		buf_reset(&cone);
		buf_adds(&cone, cone_base);
	}
	if (cone.len > 0 && cone.s[cone.len - 1] != '\n')
		buf_addc(&cone, '\n');
	had = cone.len;
	hostile = changes_hostile(c, n);
	for (i = 0; i < n; i++) {
		if (!touch[i] || (len = top_len(c[i].path)) == 0)
			continue;
		if (cone_has(&cone, c[i].path, len))
			continue;
		if (c[i].mode != NULL && cone_may_hold(c[i].path, len))
			buf_addf(&cone, "/%.*s/\n", (int)len, c[i].path);
		else
			touch[i] = 0;	/* the index has it, not the tree */
	}
	if (cone.len > had && file_write_atomic(path.s, cone.s, cone.len,
	    0666) == -1)
		goto out;
	rv = hostile;
out:
	buf_free(&cone);
	buf_free(&path);
	return rv;
}

/*
 * Set the index to commit whole: emptied, then read as a move from the
 * empty tree, which gives the archives their one entry each (a plain
 * read-tree of commit would list every file, none skipped).
 */
static int
index_whole(struct station *st, const char *commit)
{
	struct buf empty = BUF_INIT;
	int rv = -1;

	if (git_empty_tree(&st->g, &empty) == 0 &&
	    git(&st->g, NULL, "read-tree", "--empty", NULL) == 0 &&
	    git(&st->g, NULL, "read-tree", "-m", "-i", empty.s, commit,
	    NULL) == 0)
		rv = 0;
	buf_free(&empty);
	return rv;
}

/*
 * Is the tree of commit free of dangerous entries, as far as the moves
 * from the commit the index last showed (held in the file behind) can
 * tell?  1 yes, 0 no, -1 error.
 */
static int
clean_since(struct station *st, const char *behind, const char *commit)
{
	struct changes diff = CHANGES_INIT;
	struct buf from = BUF_INIT;
	int rv = -1;

	if (file_read(behind, &from, 1024) == 0) {
		buf_rtrim(&from);
		if (station_diff(st, from.s, commit, &diff) == 0)
			rv = !changes_hostile(diff.c, diff.n);
	}
	changes_free(&diff);
	buf_free(&from);
	return rv;
}

/*
 * Bring the index from base (the commit it shows; empty: nothing) to
 * commit.  A two-tree read-tree -m -i keeps every entry that the move
 * does not change, the stat data of the user's files included, and
 * looks at no file (worktree.c wrote them already).  It refuses when
 * the user staged something that the move changes too; then the index
 * is set to commit whole, and st->noted says so (files untouched).
 *
 * A move that brings a dangerous entry (hostile: only a hub without
 * the bus hook takes one) leaves the archives' entries as they were,
 * and $GIT_DIR/bus-index-behind keeps the commit the index showed;
 * worktree.c has named the entry already.  Once the hub has removed
 * every dangerous entry since that commit, the index is set whole.
 *
 * A move whose every change worktree.c writes and records itself
 * (indexed: a send, a message received) needs no read-tree at all: its
 * update-index brings the index to commit, one git process as before.
 */
int
sparse_index(struct station *st, const char *base, const char *commit,
    int hostile, int indexed)
{
	struct buf empty = BUF_INIT, err = BUF_INIT, behind = BUF_INIT;
	const char *args[] = { "read-tree", "-m", "-i", base, commit, NULL };
	int clean, rv = -1;

	station_path(st, "bus-index-behind", &behind);
	if (access(behind.s, F_OK) == 0) {
		if ((clean = clean_since(st, behind.s, commit)) == -1)
			goto out;
		if (clean && (rv = index_whole(st, commit)) == 0 &&
		    unlink(behind.s) == -1) {
			bus_seterrno("%s", behind.s);
			rv = -1;
		}
		if (!clean)
			rv = 0;
		goto out;
	}
	if (hostile) {
		/* base, empty for none: what clean_since() diffs from */
		if ((rv = file_write_atomic(behind.s, base, strlen(base),
		    0666)) == -1)
			bus_seterrno("%s", behind.s);
		goto out;
	}
	if (indexed) {
		rv = 0;		/* worktree.c's update-index covers it all */
		goto out;
	}
	if (*base == '\0') {
		if (git_empty_tree(&st->g, &empty) == -1)
			goto out;
		args[3] = empty.s;
	}
	if (git_run(&st->g, NULL, NULL, &err, args) == 0)
		rv = 0;
	else if ((rv = index_whole(st, commit)) == 0) {
		buf_rtrim(&err);
		buf_addf(&st->noted, "the index: set to %.12s whole, what "
		    "was staged there is not (git read-tree -m: ", commit);
		text_safe(&st->noted, err.s, err.len);
		buf_adds(&st->noted, ")\n");
	}
out:
	buf_free(&empty);
	buf_free(&err);
	buf_free(&behind);
	return rv;
}
