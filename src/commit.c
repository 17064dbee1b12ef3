/*
 * commit.c: commits made by one git fast-import, without an index.
 *
 * fast-import reads only the trees on the changed paths of the parent
 * commit and writes the blobs, trees and commits in one process, so a
 * commit costs the same with 100,000 archived messages as with none,
 * and nobody's index is involved.  It also refuses to move the branch
 * to a commit that does not descend from where the branch is, which
 * guards against anybody who moved it meanwhile.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git.h"

static struct change *
change_new(struct changes *cs, const char *path, const char *mode)
{
	struct change *c;

	c = xreallocarray(cs->c, cs->n + 1, sizeof(*c));
	cs->c = c;
	c += cs->n++;
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	if (mode != NULL)
		c->mode = xstrdup(mode);
	return c;
}

/* path becomes the blob oid (mode NULL: path is removed). */
void
changes_add(struct changes *cs, const char *path, const char *mode,
    const char *oid)
{
	struct change *c = change_new(cs, path, mode);

	if (oid != NULL)
		c->oid = xstrdup(oid);
}

/* path becomes a new file holding data. */
void
changes_add_data(struct changes *cs, const char *path, const char *data,
    size_t len)
{
	struct change *c = change_new(cs, path, "100644");

	buf_add(&c->data, data, len);
	c->has_data = 1;
}

/* path becomes the blob oid, whose bytes are data (for the work tree). */
void
changes_add_blob(struct changes *cs, const char *path, const char *oid,
    const char *data, size_t len)
{
	changes_add(cs, path, "100644", oid);
	buf_add(&cs->c[cs->n - 1].data, data, len);
	cs->c[cs->n - 1].has_data = 1;
}

/* Append a copy of change c. */
void
changes_copy(struct changes *cs, const struct change *c)
{
	struct change *n = change_new(cs, c->path, c->mode);

	if (c->oid != NULL)
		n->oid = xstrdup(c->oid);
	if (c->old != NULL)
		n->old = xstrdup(c->old);
	buf_add(&n->data, c->data.s, c->data.len);
	n->has_data = c->has_data;
}

void
changes_free(struct changes *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		free(cs->c[i].path);
		free(cs->c[i].mode);
		free(cs->c[i].oid);
		free(cs->c[i].old);
		buf_free(&cs->c[i].data);
	}
	free(cs->c);
	cs->c = NULL;
	buf_free(&cs->sent);
	cs->n = 0;
}

/* Does the list change path already? */
int
changes_has(const struct changes *cs, const char *path)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].path, path) == 0)
			return 1;
	return 0;
}

/*
 * One record of raw diff output (-z): meta ":oldmode newmode oldoid
 * newoid status", then its path, onto out, with the blob it replaced.
 */
static int
raw_add(struct changes *out, const char *meta, const char *path)
{
	char oldmode[8], mode[8], was[128], oid[128];

	if (path == NULL || meta[0] != ':' || sscanf(meta,
	    ":%7s %7s %127s %127s", oldmode, mode, was, oid) != 4) {
		bus_seterr("git diff-tree: unexpected output");
		return -1;
	}
	changes_add(out, path, strcmp(mode, "000000") == 0 ? NULL : mode,
	    oid);
	/* the blob it replaced, or none: replays check it is there */
	if (strcmp(oldmode, "000000") != 0)
		out->c[out->n - 1].old = xstrdup(was);
	return 0;
}

/*
 * The changes from commit old (empty: none, so every file of new) to
 * commit new, as diff-tree sees them, each with the blob it replaced.
 */
int
changes_diff(const struct git *g, const char *old, const char *new,
    struct changes *out)
{
	const char *opts[] = { "--no-renames", "--no-commit-id", NULL };
	struct buf raw = BUF_INIT;
	const char *p, *meta;
	int rv = -1;

	if (git_diff_tree(g, old, new, opts, &raw) == -1)
		goto out;
	/* ":oldmode newmode oldoid newoid status\0path\0" */
	for (p = NULL; (meta = strvec_next(&raw, p)) != NULL; )
		if (raw_add(out, meta, p = strvec_next(&raw, meta)) == -1)
			goto out;
	rv = 0;
out:
	buf_free(&raw);
	return rv;
}

void
own_commit_clear(struct own_commit *c)
{
	free(c->id);
	free(c->parent);
	changes_free(&c->changes);
	memset(c, 0, sizeof(*c));
}

void
own_commits_free(struct own_commit *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		own_commit_clear(&c[i]);
	free(c);
}

/*
 * The commits of tip that base lacks (git_own_range(): exact, whatever
 * the clocks say), oldest first, with their first parents: one
 * merge-base and one rev-list, however many commits there are.
 */
int
own_commits_read(const struct git *g, const char *tip, const char *base,
    struct own_commit **out, size_t *nout)
{
	struct strvec range = STRVEC_INIT;
	struct buf list = BUF_INIT;
	struct own_commit *c = NULL;
	char *line, *nl, *sp;
	size_t n = 0;
	int rv = -1;

	strvec_pushv(&range, (const char *const []){ "rev-list",
	    "--reverse", "--topo-order", "--parents", NULL });
	if (git_own_range(g, tip, base, &range) == -1 ||
	    git_run(g, NULL, &list, NULL, range.v) != 0)
		goto out;
	/* "commit parent...": a root commit has none */
	for (line = list.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		c = xreallocarray(c, n + 1, sizeof(*c));
		memset(&c[n], 0, sizeof(c[n]));
		if ((sp = strchr(line, ' ')) != NULL)
			*sp++ = '\0';
		c[n].id = xstrdup(line);
		c[n].parent = sp != NULL ? xstrndup(sp, strcspn(sp, " ")) :
		    xstrdup("");
		n++;
	}
	rv = 0;
out:
	if (rv == 0) {
		*out = c;
		*nout = n;
	} else
		own_commits_free(c, n);
	strvec_clear(&range);
	buf_free(&list);
	return rv;
}

/*
 * Each of the n commits' changes against its first parent (a root
 * commit's against nothing), with one diff-tree --stdin for them all.
 */
int
own_commits_diff(const struct git *g, struct own_commit *c, size_t n)
{
	const char *dt[] = { "diff-tree", "--stdin", "-r", "-z",
	    "--no-renames", "--root", NULL };
	struct buf in = BUF_INIT, raw = BUF_INIT;
	const char *p, *meta;
	size_t i, k = 0;
	int rv = -1;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		buf_addf(&in, "%s%s%s\n", c[i].id, *c[i].parent != '\0' ?
		    " " : "", c[i].parent);
	if (git_run(g, &in, &raw, NULL, dt) != 0)
		goto out;
	/*
	 * Each commit's id, then its records, in the order given; a
	 * commit that changes nothing prints nothing at all
	 */
	for (p = NULL; (meta = strvec_next(&raw, p)) != NULL; ) {
		if (*meta != ':') {
			while (k < n && strcmp(c[k].id, meta) != 0)
				k++;
			if (k == n) {
				bus_seterr("git diff-tree: unexpected output");
				goto out;
			}
			p = meta;
			continue;
		}
		if (k == n || raw_add(&c[k].changes, meta,
		    p = strvec_next(&raw, meta)) == -1)
			goto out;
	}
	rv = 0;
out:
	buf_free(&in);
	buf_free(&raw);
	return rv;
}

/* A path for fast-import: C-quoted when it could be misread. */
static void
put_path(struct buf *b, const char *path)
{
	const char *p;

	if (strpbrk(path, "\"\\\n") == NULL) {
		buf_adds(b, path);
		return;
	}
	buf_addc(b, '"');
	for (p = path; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(b, '\\');
		if (*p == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

static void
put_data(struct buf *b, const char *data, size_t len)
{
	buf_addf(b, "data %zu\n", len);
	buf_add(b, data, len);
	buf_addc(b, '\n');
}

/*
 * fast-import's answers: the tip's id, then "mode blob oid\tpath" for
 * each new file, whose id is kept in its change (for the work tree).
 */
static int
read_answers(struct buf *out, struct buf *tip, struct changes *cs)
{
	char *line = out->s, *nl, *sp;
	size_t k;

	if (line == NULL || (nl = strchr(line, '\n')) == NULL)
		goto bad;
	buf_reset(tip);
	buf_add(tip, line, (size_t)(nl - line));
	for (k = 0; k < cs->n; k++) {
		if (cs->c[k].mode == NULL || cs->c[k].oid != NULL)
			continue;
		line = nl + 1;
		if ((nl = strchr(line, '\n')) == NULL ||
		    (sp = strchr(line, ' ')) == NULL ||
		    strncmp(sp, " blob ", 6) != 0)
			goto bad;
		sp += 6;
		cs->c[k].oid = xstrndup(sp, strcspn(sp, "\t"));
	}
	return 0;
bad:
	bus_seterr("git fast-import: unexpected answer");
	return -1;
}

/*
 * Make the n commits of spec, each on the one before (the first on
 * spec[0].parent, or none), and point ref at the last: only as a
 * fast-forward unless force.  The last commit's id goes to tip, and
 * the blob ids of its new files into their changes.
 */
int
commits_import(const struct git *g, const char *ref, int force,
    struct commit_spec *spec, size_t n, struct buf *tip)
{
	const char *args[4] = { "fast-import", "--quiet", NULL, NULL };
	struct buf in = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	const struct change *c;
	size_t i, k;
	int rv = -1;

	if (force)
		args[2] = "--force";
	for (i = 0; i < n; i++) {
		buf_addf(&in, "commit %s\nmark :%zu\n", ref, i + 1);
		if (spec[i].author != NULL)
			buf_addf(&in, "author %s\n", spec[i].author);
		buf_addf(&in, "committer %s\n", spec[i].committer);
		put_data(&in, spec[i].message, strlen(spec[i].message));
		if (i > 0)
			buf_addf(&in, "from :%zu\n", i);
		else if (spec[0].parent != NULL)
			buf_addf(&in, "from %s\n", spec[0].parent);
		if (spec[i].merge != NULL)
			buf_addf(&in, "merge %s\n", spec[i].merge);
		for (k = 0; k < spec[i].changes->n; k++) {
			c = &spec[i].changes->c[k];
			if (c->mode == NULL) {
				buf_adds(&in, "D ");
				put_path(&in, c->path);
				buf_addc(&in, '\n');
			} else if (c->oid != NULL) {
				buf_addf(&in, "M %s %s ", c->mode, c->oid);
				put_path(&in, c->path);
				buf_addc(&in, '\n');
			} else {
				buf_addf(&in, "M %s inline ", c->mode);
				put_path(&in, c->path);
				buf_addc(&in, '\n');
				put_data(&in, c->data.s != NULL ? c->data.s : "",
				    c->data.len);
			}
		}
		buf_addc(&in, '\n');
	}
	/* the new tip, then the blob of each new file of the last commit */
	buf_addf(&in, "get-mark :%zu\n", n);
	for (k = 0; n > 0 && k < spec[n - 1].changes->n; k++) {
		c = &spec[n - 1].changes->c[k];
		if (c->mode != NULL && c->oid == NULL) {
			buf_addf(&in, "ls :%zu ", n);
			put_path(&in, c->path);
			buf_addc(&in, '\n');
		}
	}
	if (git_run(g, &in, &out, &err, args) != 0)
		goto out;
	if (read_answers(&out, tip, spec[n - 1].changes) == -1)
		goto out;
	rv = 0;
out:
	buf_free(&in);
	buf_free(&out);
	buf_free(&err);
	return rv;
}
