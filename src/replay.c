/*
 * replay.c: a station's commits that the hub lacks, read (the path
 * changes, author, committer and message of each) and made again on
 * the hub's new tip, when both moved (sync.c), or when the hub refused
 * some (refused.c); and the rule that a change applies to a tip only
 * if it finds there what it found when it was made, which the hub's
 * sequencer uses too (sequence.c).
 *
 * Bus commits from different stations touch different paths (a new
 * file in an inbox, a move from one's own inbox to one's own archive),
 * so replaying one on another tip is mechanical: apply the same path
 * changes to the new tree.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "station.h"

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
 * file), or already what the change makes it.  Otherwise another
 * station changed it meanwhile, and a replay would silently overwrite
 * that change.  With ok (one flag per change, in order), such a change
 * is marked 0 and left out of what the later ones find, the others 1
 * (the hub's sequencer, sequence.c); without, it is an error.
 */
int
sync_check_preimages(const struct git *g, const char *remote,
    struct changes *cs, size_t n, char *ok)
{
	struct strvec names = STRVEC_INIT;
	struct buf out = BUF_INIT;
	const char **cur = NULL;
	size_t i, k, at;
	int rv = -1;

	for (i = 0; i < n; i++)
		for (k = 0; k < cs[i].n; k++)
			strvec_pushf(&names, "%s:%s", remote, cs[i].c[k].path);
	if (names.n == 0)
		return 0;
	cur = xreallocarray(NULL, names.n, sizeof(*cur));
	if (git_oids(g, names.v, names.n, &out, cur) == -1)
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
				if (strcmp(names.v[j] + strlen(remote) + 1,
				    c->path) == 0)
					now = cur[j];
			if (strcmp(now, was) != 0 && (c->oid == NULL ||
			    strcmp(now, c->oid) != 0) && ok != NULL) {
				ok[at] = 0;
				continue;
			}
			if (strcmp(now, was) != 0 && (c->oid == NULL ||
			    strcmp(now, c->oid) != 0)) {
				bus_seterr("%s changed on the hub since this "
				    "station's commit", c->path);
				bus_setclass(EX_DATAERR);
				goto out;
			}
			for (j = 0; j <= at; j++)
				if (strcmp(names.v[j] + strlen(remote) + 1,
				    c->path) == 0)
					cur[j] = c->mode != NULL && c->oid !=
					    NULL ? c->oid : "";
			if (ok != NULL)
				ok[at] = 1;
		}
	rv = 0;
out:
	free(cur);
	strvec_clear(&names);
	buf_free(&out);
	return rv;
}

void
sync_queue_free(struct sync_queue_item *q, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		own_commit_clear(&q[i].c);
		buf_free(&q[i].raw);
		free(q[i].author);
		free(q[i].committer);
	}
	free(q);
}

/*
 * The commits of local that remote lacks, oldest first, each with its
 * path changes, author, committer and message: own_commits_read() and
 * its diff, and one cat-file --batch for the commits themselves.
 */
int
sync_queue_read(struct station *st, const char *local, const char *remote,
    struct sync_queue_item **out, size_t *nout)
{
	struct strvec env = STRVEC_INIT;
	struct git g;
	struct buf raw = BUF_INIT;
	struct own_commit *oc = NULL;
	struct cat_obj *obj = NULL;
	struct sync_queue_item *q = NULL, *c;
	const char **ids = NULL;
	const char *msg;
	size_t n = 0, i;
	int rv = -1;

	/* diff-tree reads no index for it: station_git_noindex() */
	station_git_noindex(st, &g, &env);
	if (own_commits_read(&st->g, local, remote, &oc, &n) == -1 ||
	    own_commits_diff(&g, oc, n) == -1)
		goto out;
	ids = xreallocarray(NULL, n + 1, sizeof(*ids));
	obj = xreallocarray(NULL, n + 1, sizeof(*obj));
	for (i = 0; i < n; i++)
		ids[i] = oc[i].id;
	if (git_cat_batch(&st->g, ids, n, &raw, obj) == -1)
		goto out;
	q = xreallocarray(NULL, n + 1, sizeof(*q));
	memset(q, 0, (n + 1) * sizeof(*q));
	for (i = 0; i < n; i++) {
		c = &q[i];
		c->c = oc[i];
		memset(&oc[i], 0, sizeof(oc[i]));
		if (obj[i].missing) {
			bus_seterr("cannot read commit %s", c->c.id);
			goto out;
		}
		buf_add(&c->raw, obj[i].data, obj[i].size);
		c->author = header(c->raw.s, "author");
		c->committer = header(c->raw.s, "committer");
		msg = strstr(c->raw.s, "\n\n");
		c->message = msg != NULL ? msg + 2 : "";
		if (c->author == NULL || c->committer == NULL) {
			bus_seterr("cannot read commit %s", c->c.id);
			goto out;
		}
	}
	rv = 0;
out:
	if (rv == 0) {
		*out = q;
		*nout = n;
	} else if (q != NULL)
		sync_queue_free(q, n);
	own_commits_free(oc, n);
	free(ids);
	free(obj);
	buf_free(&raw);
	strvec_clear(&env);
	return rv;
}

/* The commit spec that replays q on parent (NULL: after the one before). */
void
sync_queue_spec(struct sync_queue_item *q, const char *parent,
    struct commit_spec *spec)
{
	spec->parent = parent;
	spec->author = q->author;
	spec->committer = q->committer;
	spec->message = q->message;
	spec->changes = &q->c.changes;
	spec->merge = NULL;
}

/*
 * Replay the commits of local that the hub does not have onto the
 * hub's tip: the same path changes, messages, authors and committers,
 * all made by one git fast-import.
 */
int
sync_replay(struct station *st, const char *local, const char *remote)
{
	struct buf tip = BUF_INIT;
	struct sync_queue_item *q = NULL;
	struct commit_spec *spec = NULL;
	struct changes *all = NULL;
	size_t n = 0, i;
	int rv = -1;

	if (sync_queue_read(st, local, remote, &q, &n) == -1)
		goto out;
	if (n == 0) {
		rv = 0;
		goto out;
	}
	spec = xreallocarray(NULL, n, sizeof(*spec));
	all = xreallocarray(NULL, n, sizeof(*all));
	for (i = 0; i < n; i++) {
		sync_queue_spec(&q[i], i == 0 ? remote : NULL, &spec[i]);
		all[i] = q[i].c.changes;	/* a view: q[] keeps ownership */
	}
	if (sync_check_preimages(&st->g, remote, all, n, NULL) == -1) {
		if (bus_errclass() == EX_DATAERR) {
			bus_seterr("%s; not replayed, the commit stays here",
			    bus_error());
			bus_setclass(EX_DATAERR);
		}
		goto out;
	}
	if (station_make_commits(st, spec, n, &tip) == -1)
		goto out;
	rv = station_advance(st, tip.s, local, NULL,
	    "bus: replay on the hub's tip");
out:
	sync_queue_free(q, n);
	free(spec);
	free(all);
	buf_free(&tip);
	return rv;
}
