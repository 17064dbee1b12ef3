/*
 * check.c: the protocol's rules for changes (SPEC section 7), as the
 * hub's pre-receive hook, a station's pre-commit hook and bus-check
 * --range and --tree apply them: it reads the changes and applies the
 * layout and message rules.  Signed mode's part, who signed each commit
 * and the rules for .bus/allowed_signers, is checksig.c's.
 *
 * The git processes are few and fixed, however many commits and files
 * a push holds: one rev-list, one diff-tree --stdin for every commit,
 * one cat-file --batch for every new blob and for the directories a
 * case collision could hide in (and, in signed mode, one git log per
 * distinct signers file; for archive days removed, one cat-file more).
 * A push of one commit on the branch's tip needs no rev-list
 * (check_one_commit(), checkref.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "json.h"
#include "layout.h"
#include "msg.h"

struct deltas {
	struct check_delta *d;
	size_t		 n;
	struct strvec	 commits;	/* the commit ids the deltas point to */
};

/* One line of the report: "path: reason (commit abc1234)". */
void
check_problem(struct check *ck, const struct check_delta *d, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	text_safe(&ck->report, path, strlen(path));
	buf_adds(&ck->report, ": ");
	va_start(ap, fmt);
	buf_vaddf(&ck->report, fmt, ap);
	va_end(ap);
	if (d != NULL && d->commit != NULL) {
		buf_addf(&ck->report, " (commit %.12s)", d->commit);
		buf_add(&ck->bad, d->commit, strlen(d->commit) + 1);
	}
	buf_addc(&ck->report, '\n');
	ck->problems++;
}

/* Did a rule find a problem in a change that commit makes? */
int
check_commit_bad(const struct check *ck, const char *commit)
{
	const char *p;

	for (p = NULL; (p = strvec_next(&ck->bad, p)) != NULL; )
		if (strcmp(p, commit) == 0)
			return 1;
	return 0;
}

/* Is path in a bus directory: inbox-* or archive-* at the top? */
static int
bus_path(const char *path)
{
	return strncmp(path, "inbox-", 6) == 0 ||
	    strncmp(path, "archive-", 8) == 0;
}

/* The owner of a bus path, and whether it is an inbox. */
static size_t
owner(const char *path, const char **agent, int *inbox)
{
	*inbox = strncmp(path, "inbox-", 6) == 0;
	*agent = path + (*inbox ? 6 : 8);
	return strcspn(*agent, "/");
}

/*
 * A bus file sits right in inbox-<agent>/ or archive-<agent>/, or in a
 * day of the archive: inbox-b/archive-c/x.json is in no bus directory,
 * whatever its last components say.
 */
static const char *
bad_depth(const char *path, int inbox)
{
	const char *first = strchr(path, '/'), *second;

	if (first == NULL)
		return "not in a bus directory";
	second = strchr(first + 1, '/');
	if (second == NULL)
		return NULL;
	if (!inbox && strchr(second + 1, '/') == NULL &&
	    valid_day(first + 1, (size_t)(second - first - 1)) &&
	    strcmp(second + 1, ".keep") != 0)
		return NULL;
	return inbox ? "not right in inbox-<agent>/" :
	    "not right in archive-<agent>/ or one of its <YYYY-MM-DD>/";
}

static struct check_delta *
delta_new(struct deltas *ds)
{
	struct check_delta *d;

	d = xreallocarray(ds->d, ds->n + 1, sizeof(*d));
	ds->d = d;
	d += ds->n++;
	memset(d, 0, sizeof(*d));
	return d;
}

static void
deltas_free(struct deltas *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++) {
		free(ds->d[i].oldoid);
		free(ds->d[i].newoid);
		free(ds->d[i].path);
	}
	free(ds->d);
	strvec_clear(&ds->commits);
	ds->d = NULL;
	ds->n = 0;
}

/*
 * Read raw diff output (-z): ":oldmode newmode oldoid newoid S\0path\0",
 * with commit ids (diff-tree --stdin) as lines of their own.
 */
static int
read_raw(struct deltas *ds, const struct buf *raw, int with_commits)
{
	char oldoid[128], newoid[128], status;
	const char *p, *meta, *commit = NULL;
	struct check_delta *d;

	for (p = NULL; (meta = strvec_next(raw, p)) != NULL; ) {
		if (*meta != ':') {
			if (!with_commits)
				goto bad;
			commit = strvec_push(&ds->commits, meta);
			p = meta;
			continue;
		}
		if ((p = strvec_next(raw, meta)) == NULL ||
		    sscanf(meta, ":%*s %*s %127s %127s %c", oldoid, newoid,
		    &status) != 3)
			goto bad;
		d = delta_new(ds);
		d->commit = commit;
		d->status = status;
		sscanf(meta, ":%*s %7s", d->mode);
		d->oldoid = xstrdup(oldoid);
		d->newoid = xstrdup(newoid);
		d->path = xstrdup(p);
	}
	return 0;
bad:
	bus_seterr("git diff: unexpected output");
	return -1;
}

/* Is there an archive-X/<day>/ID.json added with the same blob as d? */
static int
archived_by_move(const struct deltas *ds, const struct check_delta *d)
{
	const char *agent, *name;
	struct buf path = BUF_INIT;
	size_t i, n;
	int inbox, found = 0;

	n = owner(d->path, &agent, &inbox);
	name = path_base(d->path);
	buf_addf(&path, "archive-%.*s/", (int)n, agent);
	for (i = 0; i < ds->n && !found; i++) {
		const struct check_delta *a = &ds->d[i];
		const char *rest;

		if (a->commit != d->commit || a->status != 'A' ||
		    strncmp(a->path, path.s, path.len) != 0 ||
		    strcmp(a->newoid, d->oldoid) != 0)
			continue;
		rest = a->path + path.len;
		found = strlen(rest) == 11 + strlen(name) &&
		    valid_day(rest, 10) && rest[10] == '/' &&
		    strcmp(rest + 11, name) == 0;
	}
	buf_free(&path);
	return found;
}

/* The rules that need no file contents; queue what needs them. */
static void
check_bus_delta(struct check *ck, const struct deltas *ds,
    struct check_delta *d, struct strvec *blobs)
{
	const char *why, *agent;
	int inbox;
	size_t n = owner(d->path, &agent, &inbox);

	if (layout_classify(d->path, NULL, &why) == LAYOUT_DANGEROUS) {
		if (d->status != 'D')
			check_problem(ck, d, d->path, "%s", why);
		return;		/* removing one is cleaning up */
	}
	if (!valid_agent(agent, n)) {
		check_problem(ck, d, d->path, "%.*s is not an agent name "
		    "[a-z0-9][a-z0-9-]{0,31}", (int)n, agent);
		return;
	}
	if (d->status == 'D' && !inbox) {
		d->gc = 1;	/* whole days may go: checkgc.c */
		return;
	}
	/* signed mode: an agent touches only what is its own */
	if (ck->require_signed && d->commit != NULL) {
		const char *who = check_signer(ck, d->commit);

		if (who == NULL)
			return;		/* the commit is refused already */
		if ((d->status == 'D' || !inbox ||
		    strcmp(path_base(d->path), ".keep") == 0) &&
		    (strlen(who) != n || strncmp(who, agent, n) != 0)) {
			check_problem(ck, d, d->path, "signed by %s, who may "
			    "not change %s-%.*s/", who, inbox ? "inbox" :
			    "archive", (int)n, agent);
			return;
		}
	}
	switch (d->status) {
	case 'M':
	case 'T':
		check_problem(ck, d, d->path, "a message file is never "
		    "modified");
		return;
	case 'D':
		if (strcmp(path_base(d->path), ".keep") != 0 &&
		    !archived_by_move(ds, d))
			check_problem(ck, d, d->path, "removed from the inbox "
			    "without being moved, unchanged, to "
			    "archive-%.*s/<day>/", (int)n, agent);
		return;
	case 'A':
		break;
	default:
		check_problem(ck, d, d->path, "unexpected change '%c'",
		    d->status);
		return;
	}
	if ((why = bad_depth(d->path, inbox)) != NULL) {
		check_problem(ck, d, d->path, "%s", why);
		return;
	}
	if (strcmp(d->mode, "100644") != 0) {
		check_problem(ck, d, d->path, "not a regular file "
		    "(mode %s: %s)", d->mode,
		    strcmp(d->mode, "120000") == 0 ? "a symlink" :
		    strcmp(d->mode, "160000") == 0 ? "a submodule" :
		    strcmp(d->mode, "100755") == 0 ? "executable" : "other");
		return;
	}
	/* the contents are checked once all blobs are read */
	strvec_push(blobs, d->newoid);
	d->blob = blobs->n;
}

/*
 * A change outside the bus directories: the tree holds the layout and
 * nothing else (SPEC section 2), a whitelist.  Removing anything else
 * is cleaning up, and always welcome.  Returns 1 when the contents of
 * the file must be read and checked too (check_content).
 */
static int
check_outside(struct check *ck, const struct check_delta *d)
{
	const char *why;

	if (d->status == 'D')
		return 0;
	if (layout_classify(d->path, d->mode, &why) != LAYOUT_OK) {
		check_problem(ck, d, d->path, "%s", why);
		return 0;
	}
	return strcmp(d->path, ".gitattributes") == 0;
}

/* A .keep must sit right in inbox-X/ or archive-X/ and be empty. */
static void
check_keep(struct check *ck, const struct check_delta *d, size_t size)
{
	if (!msg_is_keep(d->path))
		check_problem(ck, d, d->path, "a .keep belongs right in "
		    "inbox-<agent>/ or archive-<agent>/");
	else if (size != 0)
		check_problem(ck, d, d->path, "a .keep file is empty");
}

static void
check_content(struct check *ck, const struct check_delta *d,
    const struct cat_obj *o)
{
	struct buf why = BUF_INIT;
	struct msg_path mp;
	struct msg m;
	const char *who;
	char *line, *nl;

	if (!bus_path(d->path)) {
		if (o->missing)
			check_problem(ck, d, d->path, "blob %s is missing",
			    d->newoid);
		else if ((who = layout_bad_content(d->path, o->data,
		    o->size)) != NULL)
			check_problem(ck, d, d->path, "%s", who);
		return;
	}
	if (strcmp(path_base(d->path), ".keep") == 0) {
		check_keep(ck, d, o->size);
		return;
	}
	if (o->missing) {
		check_problem(ck, d, d->path, "blob %s is missing", d->newoid);
		return;
	}
	if (msg_path_parse(&mp, d->path, &why) == 0 &&
	    msg_parse(&m, o->data, o->size, ck->maxsize, &why) == 0) {
		msg_check_place(&m, &mp, &why);
		/* a new message, not an archived one, is the signer's */
		if (ck->require_signed && d->commit != NULL &&
		    mp.place == PLACE_INBOX &&
		    (who = check_signer(ck, d->commit)) != NULL &&
		    strcmp(who, m.from) != 0)
			buf_addf(&why, "from: \"%s\" but the commit is signed "
			    "by %s\n", m.from, who);
		msg_free(&m);
	}
	for (line = why.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		check_problem(ck, d, d->path, "%s", line);
	}
	buf_free(&why);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_case(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a,
	    *(const char *const *)b);
}

/*
 * The names in a raw tree object ("mode name\0" and hashlen bytes of
 * object id per entry) that another name of it equals but for case,
 * sorted, appended to twins (NUL-separated).
 */
static void
case_twins(const struct cat_obj *o, size_t hashlen, struct buf *twins)
{
	const char *p = o->data, *end = o->data + o->size, *nm;
	char **names = NULL;
	size_t n = 0, i, j;

	while (p != NULL && p < end) {
		if ((nm = memchr(p, ' ', (size_t)(end - p))) == NULL)
			break;
		nm++;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = (char *)nm;
		p = nm + strnlen(nm, (size_t)(end - nm)) + 1 + hashlen;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_case);
	for (i = 0; i + 1 < n; i = j) {
		for (j = i + 1; j < n && strcasecmp(names[i], names[j]) == 0;
		    j++)
			;
		for (; j - i > 1 && i < j; i++)
			buf_add(twins, names[i], strlen(names[i]) + 1);
	}
	free(names);
}

/* Is d an add of a bus file into a directory, whose names check_case() reads? */
static const char *
added_dir(const struct check_delta *d)
{
	const char *slash = strrchr(d->path, '/');

	return d->status == 'A' && d->commit != NULL && slash != NULL &&
	    bus_path(d->path) ? slash : NULL;
}

/*
 * "commit:dir" of every add, once each and sorted, pushed onto names
 * (after what is there, from first on): check_case() reads them.
 */
static size_t
case_dirs(const struct deltas *ds, struct strvec *names, size_t first)
{
	struct strvec all = STRVEC_INIT;
	const char *slash;
	size_t i, n = 0;

	for (i = 0; i < ds->n; i++)
		if ((slash = added_dir(&ds->d[i])) != NULL)
			strvec_pushf(&all, "%s:%.*s", ds->d[i].commit,
			    (int)(slash - ds->d[i].path), ds->d[i].path);
	qsort(all.v, all.n, sizeof(*all.v), cmp_str);
	for (i = 0; i < all.n; i++)
		if (n == 0 || strcmp(names->v[first + n - 1], all.v[i]) != 0) {
			strvec_push(names, all.v[i]);
			n++;
		}
	strvec_clear(&all);
	return n;
}

/*
 * Two names in one directory that differ only in case would be one
 * file on a case-insensitive file system: refuse the newcomer.  dirs
 * are case_dirs(), sorted, and obj their trees as read.
 */
static void
check_case(struct check *ck, struct deltas *ds, const char *const *dirs,
    size_t u, const struct cat_obj *obj)
{
	struct buf key = BUF_INIT;
	struct buf *twins;
	const char *const *hit;
	const char *k, *p, *slash;
	size_t i, at;

	if (u == 0)
		return;
	twins = xcalloc(u, sizeof(*twins));
	for (i = 0; i < u; i++)
		if (!obj[i].missing)
			case_twins(&obj[i], ck->hexlen / 2, &twins[i]);
	for (i = 0; i < ds->n; i++) {
		struct check_delta *d = &ds->d[i];

		if ((slash = added_dir(d)) == NULL)
			continue;
		buf_reset(&key);
		buf_addf(&key, "%s:%.*s", d->commit, (int)(slash - d->path),
		    d->path);
		k = key.s;
		if ((hit = bsearch(&k, dirs, u, sizeof(*dirs),
		    cmp_str)) == NULL)
			continue;
		at = (size_t)(hit - dirs);
		for (p = NULL; (p = strvec_next(&twins[at], p)) != NULL; )
			if (strcmp(p, slash + 1) == 0) {
				check_problem(ck, d, d->path, "another file "
				    "here has the same name but for case; on "
				    "a case-insensitive file system they "
				    "would be one");
				break;
			}
	}
	for (i = 0; i < u; i++)
		buf_free(&twins[i]);
	free(twins);
	buf_free(&key);
}

/* Apply every rule to the deltas read; the report collects problems. */
static int
check_deltas(struct check *ck, struct deltas *ds)
{
	struct strvec blobs = STRVEC_INIT;
	struct buf out = BUF_INIT;
	struct cat_obj *obj = NULL;
	size_t i, nblobs, ndirs;
	int rv = -1;

	/* the length of an object id here, to read raw trees */
	for (i = 0; i < ds->n && ck->hexlen == 0; i++)
		if (ds->d[i].status != 'D')
			ck->hexlen = strlen(ds->d[i].newoid);
	for (i = 0; i < ds->n; i++)
		if (bus_path(ds->d[i].path))
			check_bus_delta(ck, ds, &ds->d[i], &blobs);
		else if (check_outside(ck, &ds->d[i])) {
			/* a layout file whose bytes matter: read them */
			strvec_push(&blobs, ds->d[i].newoid);
			ds->d[i].blob = blobs.n;
		}
	/* the blobs and the directories of adds, in one cat-file */
	nblobs = blobs.n;
	ndirs = case_dirs(ds, &blobs, nblobs);
	if (blobs.n > 0) {
		obj = xreallocarray(NULL, blobs.n, sizeof(*obj));
		if (git_cat_batch(ck->g, blobs.v, blobs.n, &out, obj) == -1)
			goto out;
		for (i = 0; i < ds->n; i++)
			if (ds->d[i].blob > 0)
				check_content(ck, &ds->d[i],
				    &obj[ds->d[i].blob - 1]);
		check_case(ck, ds, blobs.v + nblobs, ndirs, obj + nblobs);
	}
	if (check_gc(ck, ds->d, ds->n) == 0)
		rv = check_sig_file(ck, ds->d, ds->n);
out:
	free(obj);
	strvec_clear(&blobs);
	buf_free(&out);
	return rv;
}

/*
 * The deltas of the merges (ids in mids, sorted) moved after all the
 * others, each commit's still together and in order: how many others.
 */
static size_t
merges_last(struct deltas *ds, const struct strvec *mids)
{
	struct check_delta *d;
	char *merge;
	size_t i, k = 0, others = 0;
	int pass;

	if (mids == NULL || mids->n == 0)
		return ds->n;
	merge = xcalloc(ds->n + 1, 1);
	for (i = 0; i < ds->n; i++)
		merge[i] = bsearch(&ds->d[i].commit, mids->v, mids->n,
		    sizeof(*mids->v), cmp_str) != NULL;
	d = xreallocarray(NULL, ds->n + 1, sizeof(*d));
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			others = k;
		for (i = 0; i < ds->n; i++)
			if (merge[i] == pass)
				d[k++] = ds->d[i];
	}
	free(ds->d);
	ds->d = d;
	free(merge);
	return others;
}

/*
 * Check the changes that raw diff output shows (read_raw()); those of
 * the merges in merges ("commit parent..." lines, mids their ids,
 * sorted; NULL for none) are checked as the sequencer's, of the
 * commits in listed (checkmerge.c), and by no other rule.
 */
static int
check_raw(struct check *ck, const struct buf *raw, int with_commits,
    const struct strvec *merges, const struct strvec *mids,
    const struct strvec *listed)
{
	struct deltas ds = { NULL, 0, STRVEC_INIT };
	size_t n;
	int rv = -1;

	if (read_raw(&ds, raw, with_commits) == 0) {
		n = ds.n;
		ds.n = merges_last(&ds, mids);
		rv = check_deltas(ck, &ds);
		ds.n = n;
		if (rv == 0 && merges != NULL && merges->n > 0)
			rv = check_merges(ck, merges, listed, ds.d, ds.n);
	}
	deltas_free(&ds);
	return rv;
}

/*
 * Check every commit that rev-list gives for args (e.g. "OLD..NEW", or
 * "NEW --not --all" in a pre-receive hook), each against its first
 * parent: one rev-list, one diff-tree, one or two cat-files; a push of
 * one commit on the branch's tip, no rev-list (check_one_commit()).
 */
int
check_commits(struct check *ck, const char *const *args)
{
	const char *rl[16] = { "rev-list", "--reverse", "--topo-order",
	    "--parents" };
	const char *dt[] = { "diff-tree", "--stdin", "-r", "-z",
	    "--no-renames", "--root", NULL };
	struct buf list = BUF_INIT, in = BUF_INIT, raw = BUF_INIT;
	struct strvec pairs = STRVEC_INIT, merges = STRVEC_INIT;
	struct strvec mids = STRVEC_INIT, listed = STRVEC_INIT;
	char *line, *nl, *sp;
	size_t n = 4, i;
	int r, rv = -1;

	if (ck->ff_from != NULL && ck->ff_new != NULL && !ck->merges &&
	    (r = check_one_commit(ck, &raw)) != 0) {
		if (r == -1)
			goto out;
		strvec_push(&listed, ck->ff_new);
		strvec_pushf(&pairs, "%s %s", ck->ff_new, ck->ff_from);
		goto checked;
	}
	for (i = 0; args[i] != NULL && n < 15; i++)
		rl[n++] = args[i];
	rl[n] = NULL;
	if (git_run(ck->g, NULL, &list, NULL, rl) != 0)
		goto out;
	/*
	 * A range that must build on ff_from: old..new lists no ancestor
	 * of old, so old shows in the list only as the parent of one of
	 * its commits, and it does exactly when old is an ancestor of
	 * new.  No merge-base process for the hook.
	 */
	if (ck->ff_from != NULL && (list.s == NULL ||
	    strstr(list.s, ck->ff_from) == NULL)) {
		check_problem(ck, NULL, ck->ff_ref, "not a fast-forward: "
		    "the bus history is never rewritten");
		rv = 0;
		goto out;
	}
	/* "commit parent..." lines: diff each against its first parent */
	for (line = list.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		strvec_pushf(&listed, "%.*s", (int)strcspn(line, " "), line);
		if ((sp = strchr(line, ' ')) != NULL &&
		    (sp = strchr(sp + 1, ' ')) != NULL && ck->merges) {
			/*
			 * The sequencer's, checked by doing it again
			 * (checkmerge.c): its changes against its first
			 * parent are read with the others', it carries
			 * no signature
			 */
			strvec_push(&merges, line);
			*sp = '\0';
			strvec_push(&mids, listed.v[listed.n - 1]);
			buf_addf(&in, "%s\n", line);
			continue;
		}
		if (sp != NULL) {
			/*
			 * A merge's tree need not follow from its first
			 * parent's by any change checked here (a merge of
			 * an old commit and the tip can hold any tree), and
			 * the tools never make one: the history is linear.
			 */
			*sp = '\0';
			check_problem(ck, NULL, "merge", "commit %.12s: the "
			    "bus history is linear; rebase instead", line);
			buf_add(&ck->bad, line, strcspn(line, " "));
			buf_addc(&ck->bad, '\0');
		}
		buf_addf(&in, "%s\n", line);
		strvec_push(&pairs, line);
	}
	if (in.len > 0 && git_run(ck->g, &in, &raw, NULL, dt) != 0)
		goto out;
checked:
	if (ck->require_signed && check_sig_verify(ck, &pairs) == -1)
		goto out;
	if (mids.n > 1)
		qsort(mids.v, mids.n, sizeof(*mids.v), cmp_str);
	rv = check_raw(ck, &raw, 1, &merges, &mids, &listed);
out:
	buf_free(&list);
	buf_free(&in);
	buf_free(&raw);
	strvec_clear(&pairs);
	strvec_clear(&merges);
	strvec_clear(&mids);
	strvec_clear(&listed);
	return rv;
}

/* Check what is staged in the index against HEAD (a pre-commit hook). */
int
check_staged(struct check *ck)
{
	struct buf raw = BUF_INIT, base = BUF_INIT;
	int rv = -1;

	if (git(ck->g, &base, "rev-parse", "-q", "--verify", "HEAD^{tree}",
	    NULL) != 0) {
		/* no commit yet: compare with the empty tree */
		if (git_empty_tree(ck->g, &base) == -1)
			goto out;
	}
	buf_rtrim(&base);
	if (git(ck->g, &raw, "diff-index", "--cached", "-r", "-z",
	    "--no-renames", base.s, NULL) != 0)
		goto out;
	rv = check_raw(ck, &raw, 0, NULL, NULL, NULL);
out:
	buf_free(&raw);
	buf_free(&base);
	return rv;
}

/*
 * Check a whole tree, as if every file in it had just been added: for
 * audits, migrations and hosts that run no hook.
 */
int
check_tree(struct check *ck, const char *rev)
{
	struct buf list = BUF_INIT, spec = BUF_INIT;
	struct deltas ds = { NULL, 0, STRVEC_INIT };
	struct check_delta *d;
	const char *commit;
	char *p, *tab;
	int rv = -1;

	buf_addf(&spec, "%s^{commit}", rev);
	if (git(ck->g, &list, "rev-parse", "-q", "--verify", spec.s,
	    NULL) != 0) {
		bus_seterr("%s: not a commit", rev);
		bus_setclass(EX_USAGE);
		goto out;
	}
	buf_rtrim(&list);
	commit = strvec_push(&ds.commits, list.s);
	buf_reset(&list);
	if (git(ck->g, &list, "ls-tree", "-r", "-z", "--full-tree", commit,
	    NULL) != 0)
		goto out;
	/* "mode type oid\tpath" */
	for (p = NULL; (p = strvec_next(&list, p)) != NULL; ) {
		if ((tab = strchr(p, '\t')) == NULL)
			continue;
		d = delta_new(&ds);
		d->commit = commit;
		d->status = 'A';
		sscanf(p, "%7s", d->mode);
		*tab = '\0';
		d->oldoid = xstrdup("");
		d->newoid = xstrdup(strrchr(p, ' ') + 1);
		d->path = xstrdup(tab + 1);
		*tab = '\t';	/* the walk goes on after the whole record */
	}
	rv = check_deltas(ck, &ds);
out:
	deltas_free(&ds);
	buf_free(&list);
	buf_free(&spec);
	return rv;
}

void
check_free(struct check *ck)
{
	size_t i;

	for (i = 0; i < ck->nsigners; i++) {
		free(ck->signers[i].commit);
		free(ck->signers[i].agent);
	}
	free(ck->signers);
	buf_free(&ck->report);
	buf_free(&ck->bad);
	ck->signers = NULL;
	ck->nsigners = 0;
}
