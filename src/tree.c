/*
 * tree.c: make a new tree from an old one and a list of path changes,
 * without an index.
 *
 * Only the directories on the changed paths are read (ls-tree) and
 * written (mktree); every other subtree is reused by its object id.
 * So the cost of a change depends on the size of the directories it
 * touches (an inbox, one archive day), never on the whole history,
 * and nobody's index is involved.
 */
#include "config.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

struct entry {
	char	*line;		/* "mode SP type SP oid TAB name", owned */
	char	*name;		/* points into line */
};

struct dir {
	struct entry	*e;
	size_t		 n;
};

static int
change_cmp(const void *a, const void *b)
{
	const struct tree_change *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static void
dir_free(struct dir *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->e[i].line);
	free(d->e);
	d->e = NULL;
	d->n = 0;
}

static struct entry *
dir_find(struct dir *d, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strncmp(d->e[i].name, name, len) == 0 &&
		    d->e[i].name[len] == '\0')
			return &d->e[i];
	return NULL;
}

static void
dir_remove(struct dir *d, struct entry *e)
{
	free(e->line);
	*e = d->e[--d->n];
}

/* Append an entry from its "mode SP type SP oid TAB name" line. */
static void
dir_push(struct dir *d, char *line)
{
	struct entry *e;

	if ((e = reallocarray(d->e, d->n + 1, sizeof(*e))) == NULL)
		err(70, "reallocarray");
	d->e = e;
	e = &d->e[d->n++];
	e->line = line;
	e->name = strchr(line, '\t') + 1;
}

/* Add or replace the entry name with mode, type and oid. */
static void
dir_set(struct dir *d, const char *mode, const char *type, const char *oid,
    const char *name, size_t len)
{
	struct buf line = BUF_INIT;
	struct entry *e;

	buf_addf(&line, "%s %s %s\t%.*s", mode, type, oid, (int)len, name);
	if ((e = dir_find(d, name, len)) != NULL)
		dir_remove(d, e);
	dir_push(d, buf_detach(&line));
}

/* The entries of tree oid (none when oid is NULL). */
static int
dir_read(const struct git *g, const char *oid, struct dir *d)
{
	struct buf out = BUF_INIT;
	char *p, *end, *line;
	int rv = -1;

	memset(d, 0, sizeof(*d));
	if (oid == NULL)
		return 0;
	if (git(g, &out, "ls-tree", "-z", "--full-tree", oid, NULL) != 0)
		goto out;
	for (p = out.s; p < out.s + out.len; p = end + 1) {
		end = p + strlen(p);
		if (strchr(p, '\t') == NULL) {
			bus_seterr("git ls-tree: unexpected output");
			goto out;
		}
		if ((line = strdup(p)) == NULL)
			err(70, "strdup");
		dir_push(d, line);
	}
	rv = 0;
out:
	buf_free(&out);
	if (rv == -1)
		dir_free(d);
	return rv;
}

/* The object id of entry e (a copy in oid). */
static void
entry_oid(const struct entry *e, struct buf *oid)
{
	const char *p = strchr(e->line, ' ');

	p = strchr(p + 1, ' ') + 1;
	buf_reset(oid);
	buf_add(oid, p, (size_t)(strchr(p, '\t') - p));
}

static int
entry_is_tree(const struct entry *e)
{
	return strncmp(e->line, "040000 tree ", 12) == 0;
}

/* Write d as a tree object; its id goes to oid. */
static int
dir_write(const struct git *g, const struct dir *d, struct buf *oid)
{
	struct buf in = BUF_INIT, err = BUF_INIT;
	const char *args[] = { "mktree", "-z", NULL };
	size_t i;
	int rv;

	for (i = 0; i < d->n; i++) {
		buf_adds(&in, d->e[i].line);
		buf_addc(&in, '\0');
	}
	buf_reset(oid);
	rv = git_run(g, &in, oid, &err, args);
	buf_rtrim(oid);
	buf_free(&in);
	buf_free(&err);
	return rv == 0 ? 0 : -1;
}

/*
 * Apply the n changes (sorted by path, all below prefix, which is
 * plen bytes long and empty or ends in '/') to the tree oid (NULL:
 * none).  The new tree's id goes to out, or out is left empty when
 * the directory ends up with nothing in it.
 */
static int
edit_dir(const struct git *g, const char *oid, const struct tree_change *c,
    size_t n, size_t plen, struct buf *out)
{
	struct buf sub = BUF_INIT, subout = BUF_INIT;
	struct dir d;
	struct entry *e;
	const char *name, *slash;
	size_t i = 0, j, len;
	int rv = -1;

	if (dir_read(g, oid, &d) == -1)
		return -1;
	while (i < n) {
		name = c[i].path + plen;
		slash = strchr(name, '/');
		len = slash != NULL ? (size_t)(slash - name) : strlen(name);
		e = dir_find(&d, name, len);
		if (slash == NULL) {
			/* a file of this directory */
			if (c[i].mode == NULL) {
				if (e != NULL)
					dir_remove(&d, e);
			} else
				dir_set(&d, c[i].mode, strcmp(c[i].mode,
				    "160000") == 0 ? "commit" : "blob",
				    c[i].oid, name, len);
			i++;
			continue;
		}
		/* every change below the subdirectory name/ */
		for (j = i + 1; j < n && strncmp(c[j].path + plen, name,
		    len + 1) == 0; j++)
			;
		buf_reset(&sub);
		if (e != NULL && entry_is_tree(e))
			entry_oid(e, &sub);
		if (edit_dir(g, e != NULL && entry_is_tree(e) ? sub.s : NULL,
		    c + i, j - i, plen + len + 1, &subout) == -1)
			goto out;
		if (subout.len == 0) {
			if (e != NULL)
				dir_remove(&d, e);
		} else
			dir_set(&d, "040000", "tree", subout.s, name, len);
		i = j;
	}
	buf_reset(out);
	if (d.n > 0 || plen == 0) {
		if (dir_write(g, &d, out) == -1)
			goto out;
	}
	rv = 0;
out:
	dir_free(&d);
	buf_free(&sub);
	buf_free(&subout);
	return rv;
}

/*
 * The tree of base (a commit or tree; NULL for none) with the n
 * changes applied; its id goes to out.  The changes are sorted in
 * place.
 */
int
tree_edit(const struct git *g, const char *base, struct tree_change *c,
    size_t n, struct buf *out)
{
	if (n > 1)
		qsort(c, n, sizeof(*c), change_cmp);
	return edit_dir(g, base, c, n, 0, out);
}

/* A growing list of changes that owns its strings. */
void
changes_add(struct changes *cs, const char *path, const char *mode,
    const char *oid)
{
	struct tree_change *c;

	if ((c = reallocarray(cs->c, cs->n + 1, sizeof(*c))) == NULL)
		err(70, "reallocarray");
	cs->c = c;
	c += cs->n++;
	if ((c->path = strdup(path)) == NULL ||
	    (mode != NULL && (c->mode = strdup(mode)) == NULL) ||
	    (oid != NULL && (c->oid = strdup(oid)) == NULL))
		err(70, "strdup");
	if (mode == NULL)
		c->mode = NULL;
	if (oid == NULL)
		c->oid = NULL;
}

void
changes_free(struct changes *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		free((char *)cs->c[i].path);
		free((char *)cs->c[i].mode);
		free((char *)cs->c[i].oid);
	}
	free(cs->c);
	cs->c = NULL;
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
