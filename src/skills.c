/*
 * skills.c: skills-sync (SPEC section 8).
 *
 * The skills of a local directory, as skilldir.c finds them (each by
 * its tree id), are compared with the clone's branch (the hub, as far
 * as known) and with the base: the version that this directory and the
 * branch last agreed on, kept per directory as a commit under
 * refs/skills-sync/base/ in the clone.
 *
 * The clone is opened as a station on its current branch, without the
 * station's work tree bookkeeping: fetching, replaying and pushing
 * with retries are sync.c's.  Its work tree follows the branch at the
 * end, with one git read-tree -m -u.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"

#define BASE_REFS	"refs/skills-sync/base/"
#define ASIDE_REFS	"refs/skills-sync/unpushed/"
#define JOURNAL		"skills-sync-checkout"
#define SCRATCH		"skills-sync."	/* and XXXXXX: a run's own directory */
#define ROUNDS		3	/* classify, commit, push: after a set-aside */

/* One local directory being pushed. */
struct source {
	struct scan	 sc;
	struct buf	 ref;		/* its base */
	struct skillset	 base;
	struct skillset	 next;		/* the base after this run */
};

static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

struct skent *
set_find(const struct skillset *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

static const char *
set_oid(const struct skillset *s, const char *name)
{
	struct skent *e = set_find(s, name);

	return e != NULL ? e->oid : NULL;
}

/* Set name's tree (oid may be NULL), adding the name if it is new. */
struct skent *
set_put(struct skillset *s, const char *name, const char *oid)
{
	struct skent *e;

	if ((e = set_find(s, name)) == NULL) {
		if ((e = reallocarray(s->v, s->n + 1, sizeof(*e))) == NULL)
			err(70, "reallocarray");
		s->v = e;
		e += s->n++;
		e->name = xstrdup(name);
		e->oid = NULL;
		e->kind = K_SKILL;
		e->taken = 0;
	}
	if (e->oid != oid) {
		free(e->oid);
		e->oid = oid != NULL ? xstrdup(oid) : NULL;
	}
	return e;
}

static void
set_del(struct skillset *s, const char *name)
{
	struct skent *e;

	if ((e = set_find(s, name)) == NULL)
		return;
	free(e->name);
	free(e->oid);
	*e = s->v[--s->n];
}

void
set_free(struct skillset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].oid);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static void
set_copy(struct skillset *to, const struct skillset *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		set_put(to, from->v[i].name, from->v[i].oid)->kind =
		    from->v[i].kind;
}

/* The same names with the same trees? */
static int
set_equal(const struct skillset *a, const struct skillset *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!same(a->v[i].oid, set_oid(b, a->v[i].name)))
			return 0;
	return 1;
}

static int
by_name(const void *x, const void *y)
{
	const struct skent *a = x, *b = y;

	return strcmp(a->name, b->name);
}

void
set_sort(struct skillset *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), by_name);
}

void
note(struct skills *sk, enum skill_act act, const char *name, const char *why)
{
	struct skill_note *n;

	if ((n = reallocarray(sk->notes, sk->nnotes + 1, sizeof(*n))) == NULL)
		err(70, "reallocarray");
	sk->notes = n;
	n += sk->nnotes++;
	n->act = act;
	n->name = xstrdup(name);
	n->why = why != NULL ? xstrdup(why) : NULL;
	if (act == SKILL_CONFLICT)
		sk->conflicts++;
}

static void
notes_clear(struct skills *sk)
{
	size_t i;

	for (i = 0; i < sk->nnotes; i++) {
		free(sk->notes[i].name);
		free(sk->notes[i].why);
	}
	free(sk->notes);
	sk->notes = NULL;
	sk->nnotes = 0;
	sk->conflicts = 0;
}

static int
note_order(const void *x, const void *y)
{
	const struct skill_note *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	return c != 0 ? c : (int)a->act - (int)b->act;
}

/* Is commit a an ancestor of (or equal to) commit b? */
static int
ancestor(struct skills *sk, const char *a, const char *b)
{
	int r = git(&sk->repo.g, NULL, "merge-base", "--is-ancestor", a, b,
	    NULL);

	return r == 0 ? 1 : r == 1 ? 0 : -1;
}

/*
 * The directories at the top of the tree of rev (empty: none); with
 * only_skills, only those holding a SKILL.md that is a file, as a
 * local skill must.
 */
static int
read_tree(struct skills *sk, const char *rev, struct skillset *set,
    int only_skills)
{
	struct buf out = BUF_INIT, paths = BUF_INIT;
	struct skillset all = SET_INIT;
	const char **args = NULL;
	const struct skent *e;
	char *p, *tab, *slash;
	size_t i, n = 0;
	int rv = -1;

	if (rev == NULL || *rev == '\0')
		return 0;
	if (git(&sk->repo.g, &out, "ls-tree", "-z", rev, NULL) != 0)
		goto out;
	/* "mode type oid\tname\0" */
	for (p = out.s; p != NULL && p < out.s + out.len; p += strlen(p) + 1) {
		if ((tab = strchr(p, '\t')) == NULL || !skill_name(tab + 1) ||
		    strncmp(p, "040000 tree ", 12) != 0)
			continue;
		*tab = '\0';
		set_put(only_skills ? &all : set, tab + 1, p + 12);
	}
	if (!only_skills || all.n == 0) {
		rv = 0;
		goto out;
	}
	/* one ls-tree for every NAME/SKILL.md, each taken literally */
	if ((args = reallocarray(NULL, all.n + 5, sizeof(*args))) == NULL)
		err(70, "reallocarray");
	args[n++] = "ls-tree";
	args[n++] = "-z";
	args[n++] = rev;
	args[n++] = "--";
	for (i = 0; i < all.n; i++) {
		buf_addf(&paths, ":(literal)%s/" SKILL_FILE, all.v[i].name);
		buf_addc(&paths, '\0');
	}
	for (i = 0, p = paths.s; i < all.n; i++, p += strlen(p) + 1)
		args[n++] = p;
	args[n] = NULL;
	buf_reset(&out);
	if (git_run(&sk->repo.g, NULL, &out, NULL, args) != 0)
		goto out;
	for (p = out.s; p != NULL && p < out.s + out.len; p += strlen(p) + 1) {
		if ((strncmp(p, "100644 blob ", 12) != 0 &&
		    strncmp(p, "100755 blob ", 12) != 0) ||
		    (tab = strchr(p, '\t')) == NULL ||
		    (slash = strchr(tab + 1, '/')) == NULL)
			continue;
		*slash = '\0';
		if ((e = set_find(&all, tab + 1)) != NULL)
			set_put(set, e->name, e->oid);
	}
	rv = 0;
out:
	free(args);
	set_free(&all);
	buf_free(&out);
	buf_free(&paths);
	return rv;
}

/* The names at the top that differ from commit from (empty: none) to to. */
static int
changed_names(struct skills *sk, const char *from, const char *to,
    struct buf *names)
{
	buf_reset(names);
	if (to == NULL || *to == '\0')
		return 0;
	if (from == NULL || *from == '\0')
		return git(&sk->repo.g, names, "ls-tree", "-z", "--name-only",
		    to, NULL) == 0 ? 0 : -1;
	return git(&sk->repo.g, names, "diff-tree", "-z", "--name-only",
	    from, to, NULL) == 0 ? 0 : -1;
}

/* The ref of the base of directory dir: one per directory, by its path. */
static int
base_ref(struct skills *sk, const char *dir, struct buf *ref)
{
	const char *args[] = { "hash-object", "--stdin", NULL };
	struct buf in = BUF_INIT, out = BUF_INIT;
	int rv = -1;

	buf_adds(&in, dir);
	if (git_run(&sk->repo.g, &in, &out, NULL, args) == 0) {
		buf_rtrim(&out);
		buf_reset(ref);
		buf_addf(ref, BASE_REFS "%s", out.s);
		rv = 0;
	}
	buf_free(&in);
	buf_free(&out);
	return rv;
}

static int
base_read(struct skills *sk, const char *ref, struct skillset *set)
{
	struct buf out = BUF_INIT;
	int rv = -1;

	if (git(&sk->repo.g, &out, "for-each-ref", "--format=%(objectname)",
	    ref, NULL) == 0) {
		buf_rtrim(&out);
		rv = read_tree(sk, out.s, set, 0);
	}
	buf_free(&out);
	return rv;
}

/*
 * Make set the base at ref, unless it holds that already: a commit of
 * its skills' trees, with no parent; an empty set removes the ref.
 */
static int
base_write(struct skills *sk, const char *ref, const char *dir,
    const struct skillset *set, const struct skillset *old)
{
	const char *mktree[] = { "mktree", "-z", NULL };
	struct buf in = BUF_INIT, tree = BUF_INIT, commit = BUF_INIT;
	struct buf msg = BUF_INIT;
	size_t i;
	int rv = -1;

	if (old != NULL && set_equal(set, old))
		return 0;
	if (set->n == 0) {
		rv = git(&sk->repo.g, NULL, "update-ref", "-d", ref, NULL) == 0 ?
		    0 : -1;
		goto out;
	}
	for (i = 0; i < set->n; i++) {
		if (set->v[i].oid == NULL)
			continue;
		buf_addf(&in, "040000 tree %s\t%s", set->v[i].oid,
		    set->v[i].name);
		buf_addc(&in, '\0');
	}
	if (git_run(&sk->repo.g, &in, &tree, NULL, mktree) != 0)
		goto out;
	buf_rtrim(&tree);
	buf_addf(&msg, "skills-sync: the base of %s", dir != NULL ? dir :
	    "a skills directory");
	if (git(&sk->repo.g, &commit, "-c", "user.name=skills-sync", "-c",
	    "user.email=skills-sync@localhost", "commit-tree", "--no-gpg-sign",
	    "-m", msg.s, tree.s, NULL) != 0)
		goto out;
	buf_rtrim(&commit);
	rv = git(&sk->repo.g, NULL, "update-ref", "-m", msg.s, ref, commit.s,
	    NULL) == 0 ? 0 : -1;
out:
	buf_free(&in);
	buf_free(&tree);
	buf_free(&commit);
	buf_free(&msg);
	return rv;
}

/* A line for standard error, after the report. */
void
skills_warn(struct skills *sk, const char *msg)
{
	buf_addf(&sk->warn, "%s\n", msg);
}

/*
 * Fetch.  A hub that cannot be reached is not an error here: the run
 * goes on with what the clone knows, and says so.  A hub without the
 * branch yet is an empty one.
 */
static int
hub_fetch(struct skills *sk)
{
	struct station *st = &sk->repo;
	char why[1024];

	if (sync_fetch(st) == 0)
		return station_tips(st);
	if (bus_errclass() != FAIL_TEMP)
		return -1;
	strlcpy(why, bus_error(), sizeof(why));
	if (sync_hub_refs(st) == -1) {
		sk->offline = 1;
		skills_warn(sk, why);
	}
	return station_tips(st);
}

/*
 * The clone's unpushed commits change what the hub changed too: keep
 * them under refs/skills-sync/unpushed/, put the branch on the hub's
 * tip, and take back what the bases learnt from them, so that the
 * skills they held count as changed here (and so, in conflict).
 */
static int
set_aside(struct skills *sk)
{
	struct station *st = &sk->repo;
	struct buf local = BUF_INIT, remote = BUF_INIT, mb = BUF_INIT;
	struct buf aside = BUF_INIT, names = BUF_INIT, refs = BUF_INIT;
	struct buf msg = BUF_INIT;
	struct skillset ls = SET_INIT, ms = SET_INIT, b = SET_INIT;
	struct skillset old = SET_INIT;
	const char *name, *lv, *ref;
	char *nl;
	int rv = -1, r, changed;

	if (station_tips(st) == -1)
		goto out;
	tip_copy(&local, &st->tip_local);
	tip_copy(&remote, &st->tip_remote);
	r = git(&st->g, &mb, "merge-base", local.s, remote.s, NULL);
	if (r != 0 && r != 1)
		goto out;
	buf_rtrim(&mb);
	buf_addf(&aside, ASIDE_REFS "%s", local.s);
	if (git(&st->g, NULL, "update-ref", aside.s, local.s, NULL) != 0 ||
	    station_update_ref(st, remote.s, local.s,
	    "skills-sync: set the unpushed commits aside") == -1)
		goto out;
	buf_addf(&msg, "the skills clone's unpushed commits change what the "
	    "hub changed; set aside as %s", aside.s);
	skills_warn(sk, msg.s);

	if (changed_names(sk, mb.s, local.s, &names) == -1 ||
	    read_tree(sk, local.s, &ls, 0) == -1 ||
	    read_tree(sk, mb.s, &ms, 0) == -1 ||
	    git(&st->g, &refs, "for-each-ref", "--format=%(refname)",
	    BASE_REFS, NULL) != 0)
		goto out;
	for (ref = refs.s; ref != NULL && (nl = strchr(ref, '\n')) != NULL;
	    ref = nl + 1) {
		*nl = '\0';
		set_free(&b);
		set_free(&old);
		if (base_read(sk, ref, &b) == -1)
			goto out;
		set_copy(&old, &b);
		changed = 0;
		for (name = names.s; name < names.s + names.len;
		    name += strlen(name) + 1) {
			lv = set_oid(&ls, name);
			if (same(lv, set_oid(&ms, name)) || lv == NULL ||
			    !same(set_oid(&b, name), lv))
				continue;
			if (set_oid(&ms, name) != NULL)
				set_put(&b, name, set_oid(&ms, name));
			else
				set_del(&b, name);
			changed = 1;
		}
		if (changed && base_write(sk, ref, NULL, &b, &old) == -1)
			goto out;
	}
	rv = 0;
out:
	set_free(&ls);
	set_free(&ms);
	set_free(&b);
	set_free(&old);
	buf_free(&local);
	buf_free(&remote);
	buf_free(&mb);
	buf_free(&aside);
	buf_free(&names);
	buf_free(&refs);
	buf_free(&msg);
	return rv;
}

/* Bring the branch up to the hub's: fast-forward, replay or set aside. */
static int
hub_integrate(struct skills *sk)
{
	if (sk->flags & SKILLS_DRY_RUN)
		return 0;
	if (sync_integrate(&sk->repo) == 0)
		return 0;
	if (bus_errclass() != FAIL_DATA)
		return -1;
	return set_aside(sk);
}

/*
 * The commit the comparisons are made with: the branch, brought up to
 * the hub's tip (a dry run moves nothing, so it looks ahead).
 */
static int
view_tip(struct skills *sk, struct buf *tip)
{
	struct station *st = &sk->repo;

	if (station_tips(st) == -1)
		return -1;
	buf_reset(tip);
	if (st->tip_local.len == 0 || (sk->flags & SKILLS_DRY_RUN &&
	    st->tip_remote.len > 0 && ancestor(sk, st->tip_local.s,
	    st->tip_remote.s) == 1))
		tip_copy(tip, &st->tip_remote);
	else
		tip_copy(tip, &st->tip_local);
	return 0;
}

/*
 * Push: how one directory's skills compare with the branch (cur, which
 * takes what is to be pushed) and with the directory's base.
 */
static int
push_source(struct skills *sk, const char *dir, struct source *src,
    struct skillset *cur, struct skillset *topush)
{
	const struct skent *e;
	const char *s, *h, *o;
	size_t i;

	if (scan_dir(sk, dir, &src->sc) == -1 ||
	    base_ref(sk, dir, &src->ref) == -1 ||
	    base_read(sk, src->ref.s, &src->base) == -1)
		return -1;
	note_left_out(sk, &src->sc);
	set_copy(&src->next, &src->base);
	for (i = 0; i < src->sc.found.n; i++) {
		e = &src->sc.found.v[i];
		if (e->kind != K_SKILL)
			continue;
		s = e->oid;
		h = set_oid(cur, e->name);
		o = set_oid(&src->base, e->name);
		if (same(h, s))
			set_put(&src->next, e->name, s);
		else if (o != NULL && same(o, s)) {
			/* not changed here since: the hub's change stands */
			note(sk, h != NULL ? SKILL_BEHIND : SKILL_SKIPPED,
			    e->name, h != NULL ? "newer on the hub" :
			    "deleted on the hub");
		} else if (same(h, o) || sk->flags & SKILLS_FORCE) {
			set_put(topush, e->name, s);
			set_put(cur, e->name, s);
			set_put(&src->next, e->name, s);
		} else
			note(sk, SKILL_CONFLICT, e->name,
			    "changed here and on the hub");
	}
	/* forget what is neither here nor on the branch */
	for (i = src->next.n; i-- > 0;) {
		e = &src->next.v[i];
		if (set_find(cur, e->name) == NULL &&
		    ((e = set_find(&src->sc.found, e->name)) == NULL ||
		    e->kind != K_SKILL))
			set_del(&src->next, src->next.v[i].name);
	}
	return 0;
}

static void
source_free(struct source *src)
{
	scan_free(&src->sc);
	buf_free(&src->ref);
	set_free(&src->base);
	set_free(&src->next);
}

/* One commit on the branch with the skills of topush. */
static int
commit_skills(struct skills *sk, struct skillset *topush)
{
	struct changes c = CHANGES_INIT;
	struct buf msg = BUF_INIT, tip = BUF_INIT;
	size_t i;
	int rv;

	set_sort(topush);
	if (topush->n == 1)
		buf_addf(&msg, "skills-sync: update %s\n", topush->v[0].name);
	else {
		buf_addf(&msg, "skills-sync: update %zu skills\n\n",
		    topush->n);
		for (i = 0; i < topush->n; i++)
			buf_addf(&msg, "%s\n", topush->v[i].name);
	}
	for (i = 0; i < topush->n; i++)
		changes_add(&c, topush->v[i].name, "040000",
		    topush->v[i].oid);
	rv = station_commit(&sk->repo, &c, msg.s, &tip);
	changes_free(&c);
	buf_free(&msg);
	buf_free(&tip);
	return rv;
}

/* A note for each NUL-separated name, once. */
static void
note_names(struct skills *sk, enum skill_act act, const struct buf *names)
{
	const char *p;
	size_t i;

	for (p = names->s; p != NULL && p < names->s + names->len;
	    p += strlen(p) + 1) {
		for (i = 0; i < sk->nnotes; i++)
			if (sk->notes[i].act == act &&
			    strcmp(sk->notes[i].name, p) == 0)
				break;
		if (i == sk->nnotes)
			note(sk, act, p, NULL);
	}
}

/*
 * Push what the branch holds that the hub does not: 0 done, 1 the hub
 * could not be reached (it stays queued), 2 the push lost a race to a
 * change of the same paths and the commits were set aside, -1 failed.
 */
static int
hub_push(struct skills *sk)
{
	struct station *st = &sk->repo;

	/* a refusal keeps the commits queued: skills keep their own bases */
	if (sync_push_keep(st) == 0)
		return 0;
	if (bus_errclass() == FAIL_TEMP) {
		sk->offline = 1;
		skills_warn(sk, bus_error());
		return 1;
	}
	/* a refusal of the hub's hook leaves the hub where it was */
	if (bus_errclass() != FAIL_DATA || station_tips(st) == -1 ||
	    st->tip_remote.len == 0 ||
	    ancestor(sk, st->tip_remote.s, st->tip_local.s) != 0)
		return -1;
	return set_aside(sk) == -1 ? -1 : 2;
}

/*
 * Bring the clone's work tree and index along from where the branch
 * was when we began to where it is now; then the journal goes.
 */
static int
finish(struct skills *sk)
{
	struct station *st = &sk->repo;
	struct buf old = BUF_INIT, path = BUF_INIT;
	int rv = -1;

	if (!sk->journaled)
		return 0;
	if (station_tips(st) == -1)
		goto out;
	if (sk->start.len > 0)
		tip_copy(&old, &sk->start);
	else if (git_empty_tree(&st->g, &old) == -1)
		goto out;
	if (st->tip_local.len > 0 && strcmp(old.s, st->tip_local.s) != 0) {
		(void)git(&st->g, NULL, "update-index", "-q", "--refresh",
		    NULL);
		if (git(&st->g, NULL, "read-tree", "-m", "-u", old.s,
		    st->tip_local.s, NULL) != 0) {
			bus_seterr("%s: the work tree cannot follow the branch "
			    "from %s: %s", st->worktree, old.s, bus_error());
			bus_setclass(FAIL_USAGE);
			goto out;
		}
	}
	buf_addf(&path, "%s/" JOURNAL, st->gitdir);
	unlink(path.s);
	sk->journaled = 0;
	tip_copy(&sk->start, &st->tip_local);
	rv = 0;
out:
	buf_free(&old);
	buf_free(&path);
	return rv;
}

/*
 * Push the skills of the n directories to the skills repository: see
 * skills-sync(1) for which go and why.  Returns -1 on a failure that
 * stops the run; a hub out of reach (sk->offline) or conflicts
 * (sk->conflicts) are not.
 */
int
skills_push(struct skills *sk, char *const *dirs, size_t n)
{
	struct station *st = &sk->repo;
	struct source *src = NULL;
	struct skillset cur = SET_INIT, topush = SET_INIT;
	struct buf tip = BUF_INIT, names = BUF_INIT;
	char **abs = NULL;
	struct stat sb;
	size_t i, k;
	int rv = -1, round, r;

	if ((abs = reallocarray(NULL, n + 1, sizeof(*abs))) == NULL ||
	    (src = reallocarray(NULL, n + 1, sizeof(*src))) == NULL)
		err(70, "reallocarray");
	memset(src, 0, (n + 1) * sizeof(*src));
	memset(abs, 0, (n + 1) * sizeof(*abs));
	for (i = 0; i < n; i++) {
		if (stat(dirs[i], &sb) == -1 || !S_ISDIR(sb.st_mode) ||
		    (abs[i] = realpath(dirs[i], NULL)) == NULL) {
			bus_seterr("%s: not a directory", dirs[i]);
			bus_setclass(FAIL_USAGE);
			goto out;
		}
	}
	if (hub_fetch(sk) == -1)
		goto out;
	for (round = 0;; round++) {
		notes_clear(sk);
		set_free(&cur);
		set_free(&topush);
		for (i = 0; i < n; i++) {
			source_free(&src[i]);
			memset(&src[i], 0, sizeof(src[i]));
		}
		if (hub_integrate(sk) == -1 || view_tip(sk, &tip) == -1 ||
		    repo_rules(sk, tip.s) == -1 ||
		    read_tree(sk, tip.s, &cur, 0) == -1)
			goto out;
		for (i = 0; i < n; i++)
			if (push_source(sk, abs[i], &src[i], &cur,
			    &topush) == -1)
				goto out;
		if (sk->flags & SKILLS_DRY_RUN) {
			if (changed_names(sk, st->tip_remote.s, tip.s,
			    &names) == -1)
				goto out;
			for (k = 0; k < topush.n; k++) {
				buf_adds(&names, topush.v[k].name);
				buf_addc(&names, '\0');
			}
			note_names(sk, SKILL_PUSHED, &names);
			break;
		}
		if (topush.n > 0 && commit_skills(sk, &topush) == -1)
			goto out;
		/* each directory now agrees with the branch */
		for (i = 0; i < n; i++)
			if (base_write(sk, src[i].ref.s, abs[i], &src[i].next,
			    &src[i].base) == -1)
				goto out;
		if (station_tips(st) == -1 || changed_names(sk,
		    st->tip_remote.s, st->tip_local.s, &sk->names) == -1)
			goto out;
		if (sk->names.len == 0)
			break;
		if (sk->offline) {
			note_names(sk, SKILL_COMMITTED, &sk->names);
			break;
		}
		if ((r = hub_push(sk)) == 0) {
			tip_copy(&sk->pushed, &st->tip_local);
			note_names(sk, SKILL_PUSHED, &sk->names);
			break;
		}
		if (r == 1) {
			note_names(sk, SKILL_COMMITTED, &sk->names);
			break;
		}
		/* set aside: the skills it held are compared again */
		if (r == -1)
			goto out;
		if (round + 1 >= ROUNDS) {
			bus_seterr("%s: the hub changed the same skills "
			    "during each of %d tries; run again", st->remote,
			    ROUNDS);
			bus_setclass(FAIL_TEMP);
			goto out;
		}
	}
	if (sk->nnotes > 1)
		qsort(sk->notes, sk->nnotes, sizeof(*sk->notes), note_order);
	rv = finish(sk);
out:
	for (i = 0; i < n; i++) {
		free(abs[i]);
		source_free(&src[i]);
	}
	free(abs);
	free(src);
	set_free(&cur);
	set_free(&topush);
	buf_free(&tip);
	buf_free(&names);
	return rv;
}

/*
 * Pull: install the skills of the branch into dir, never deleting or
 * overwriting a skill that is only here or changed here (unless forced
 * and changed on the hub too); see skills-sync(1).
 */
int
skills_pull(struct skills *sk, const char *dir)
{
	struct skillset hub = SET_INIT, next = SET_INIT, base = SET_INIT;
	struct scan sc;
	struct buf tip = BUF_INIT, ref = BUF_INIT, files = BUF_INIT;
	struct buf msg = BUF_INIT;
	const struct skent *h, *e;
	const char *o, *l, *w, *why;
	char *abs = NULL;
	struct stat sb;
	size_t i;
	int rv = -1, dry = sk->flags & SKILLS_DRY_RUN, missing = 0, act;

	memset(&sc, 0, sizeof(sc));
	/* a directory to install into is made; a dry run only looks */
	if (stat(dir, &sb) == -1 && errno == ENOENT) {
		if (dry)
			missing = 1;
		else if (mkdir(dir, 0777) == -1) {
			bus_seterrno("%s", dir);
			bus_setclass(FAIL_USAGE);
			goto out;
		}
	}
	if (!missing && (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode) ||
	    (abs = realpath(dir, NULL)) == NULL)) {
		bus_seterr("%s: not a directory", dir);
		bus_setclass(FAIL_USAGE);
		goto out;
	}
	if (hub_fetch(sk) == -1)
		goto out;
	/* a pull is a read: it pushes what the clone has queued */
	if (hub_integrate(sk) == -1 || (!sk->offline && !dry &&
	    hub_push(sk) == -1))
		goto out;
	if (view_tip(sk, &tip) == -1 || repo_rules(sk, tip.s) == -1 ||
	    read_tree(sk, tip.s, &hub, 1) == -1)
		goto out;
	if (missing)
		sc.dir = xstrdup(dir);
	else if (scan_dir(sk, abs, &sc) == -1 || base_ref(sk, abs, &ref) == -1 ||
	    base_read(sk, ref.s, &base) == -1)
		goto out;
	note_left_out(sk, &sc);
	set_copy(&next, &base);
	set_sort(&hub);
	for (i = 0; i < hub.n; i++) {
		h = &hub.v[i];
		o = set_oid(&base, h->name);
		e = set_find(&sc.found, h->name);
		act = -1;
		why = NULL;
		if (e == NULL)
			act = SKILL_INSTALLED;
		else if (e->kind == K_LINK)
			note(sk, SKILL_SKIPPED, h->name, "symlink here");
		else if (e->kind == K_FILE)
			note(sk, SKILL_SKIPPED, h->name, "not a directory here");
		else if (e->kind == K_IGNORED)
			note(sk, SKILL_SKIPPED, h->name, "ignored here");
		else if (e->kind == K_REPO)
			note(sk, SKILL_SKIPPED, h->name,
			    "a git repository here");
		else if (same(l = e->oid, h->oid))
			set_put(&next, h->name, h->oid);
		else if (l == NULL || same(l, o))
			/* nothing here of ours, or not changed here since */
			act = SKILL_UPDATED;
		else if (o != NULL && same(h->oid, o))
			note(sk, SKILL_KEPT, h->name, "changed here");
		else if (sk->flags & SKILLS_FORCE) {
			act = SKILL_UPDATED;
			why = "local changes replaced";
		} else
			note(sk, SKILL_CONFLICT, h->name,
			    "changed here and on the hub");
		if (act == -1)
			continue;
		if (skill_files(sk, h->oid, &files) == -1)
			goto out;
		/* what is not synced here must not be lost by an update */
		if (act == SKILL_UPDATED && (w = in_the_way(&sc, h->name,
		    &files)) != NULL) {
			buf_reset(&msg);
			buf_addf(&msg, "unsynced %s in the way", w);
			if (!(sk->flags & SKILLS_FORCE)) {
				note(sk, SKILL_CONFLICT, h->name, msg.s);
				continue;
			}
			why = why != NULL ? "local changes and files replaced" :
			    "local files replaced";
		}
		if (!dry && install(sk, &sc, h->name, &files,
		    act == SKILL_UPDATED) == -1)
			goto out;
		note(sk, act, h->name, why);
		set_put(&next, h->name, h->oid);
	}
	for (i = 0; i < sc.found.n; i++) {
		e = &sc.found.v[i];
		if (e->kind == K_SKILL && set_find(&hub, e->name) == NULL)
			note(sk, SKILL_KEPT, e->name, "local only");
	}
	/* forget what is neither here nor on the branch */
	for (i = next.n; i-- > 0;)
		if (set_find(&hub, next.v[i].name) == NULL &&
		    set_find(&sc.found, next.v[i].name) == NULL)
			set_del(&next, next.v[i].name);
	if (!dry && base_write(sk, ref.s, abs, &next, &base) == -1)
		goto out;
	if (sk->nnotes > 1)
		qsort(sk->notes, sk->nnotes, sizeof(*sk->notes), note_order);
	rv = finish(sk);
out:
	set_free(&hub);
	set_free(&next);
	set_free(&base);
	scan_free(&sc);
	buf_free(&tip);
	buf_free(&ref);
	buf_free(&files);
	buf_free(&msg);
	free(abs);
	return rv;
}

/*
 * Tell every other agent on the bus that the skills repository moved
 * to sk->pushed: a "skills" message naming the commit and the skills
 * it changed, committed in the station bus (the caller pushes).
 * Returns how many messages were sent, or -1.
 */
int
skills_notify(struct station *bus, const struct skills *sk, struct buf *tip)
{
	struct changes c = CHANGES_INIT;
	struct buf body = BUF_INIT;
	const char *p;
	int n;

	buf_addf(&body, "skills updated: %s\n", sk->pushed.s);
	for (p = sk->names.s; p != NULL && p < sk->names.s + sk->names.len;
	    p += strlen(p) + 1) {
		text_safe(&body, p, strlen(p));
		buf_addc(&body, '\n');
	}
	n = station_stage_others(bus, "skills", body.s, body.len, &c);
	if (n > 0 && station_commit(bus, &c, "skills-sync: notify\n",
	    tip) == -1)
		n = -1;
	changes_free(&c);
	buf_free(&body);
	return n;
}

/*
 * The skills.* settings that git config finds in dir (NULL: the
 * current directory), global ones included.
 */
int
skills_config(struct skills_config *cfg, const char *dir, FILE *trace)
{
	struct git g;
	struct buf out = BUF_INIT;
	char *p, *end, *nl, **v;
	int rv;

	memset(cfg, 0, sizeof(*cfg));
	memset(&g, 0, sizeof(g));
	g.dir = dir;
	g.trace = trace;
	rv = git(&g, &out, "config", "-z", "--type=path", "--get-regexp",
	    "^skills\\.", NULL);
	if (rv != 0 && rv != 1) {	/* 1: no such setting */
		bus_setclass(FAIL_USAGE);
		buf_free(&out);
		return -1;
	}
	/* "key\nvalue\0" */
	for (p = out.s; p != NULL && p < out.s + out.len; p = end + 1) {
		end = p + strlen(p);
		if ((nl = strchr(p, '\n')) == NULL)
			continue;
		*nl++ = '\0';
		if (strcmp(p, "skills.repo") == 0) {
			free(cfg->repo);
			cfg->repo = xstrdup(nl);
		} else if (strcmp(p, "skills.remote") == 0) {
			free(cfg->remote);
			cfg->remote = xstrdup(nl);
		} else if (strcmp(p, "skills.target") == 0) {
			free(cfg->target);
			cfg->target = xstrdup(nl);
		} else if (strcmp(p, "skills.source") == 0) {
			if ((v = reallocarray(cfg->sources, cfg->nsources + 1,
			    sizeof(*v))) == NULL)
				err(70, "reallocarray");
			cfg->sources = v;
			v[cfg->nsources++] = xstrdup(nl);
		}
	}
	buf_free(&out);
	return 0;
}

void
skills_config_free(struct skills_config *cfg)
{
	size_t i;

	free(cfg->repo);
	free(cfg->remote);
	free(cfg->target);
	for (i = 0; i < cfg->nsources; i++)
		free(cfg->sources[i]);
	free(cfg->sources);
	memset(cfg, 0, sizeof(*cfg));
}

/*
 * The work tree: finish what a run that died left (its journal names
 * where the branch was), refuse uncommitted changes (a read-tree at
 * the end must not meet them), and write the journal for this run.
 */
static int
worktree_start(struct skills *sk)
{
	struct station *st = &sk->repo;
	struct buf path = BUF_INIT, old = BUF_INIT;
	int rv = -1, r;

	buf_addf(&path, "%s/" JOURNAL, st->gitdir);
	if (!(sk->flags & SKILLS_DRY_RUN) && file_read(path.s, &old,
	    1024) == 0) {
		buf_rtrim(&old);
		if (old.len == 0 && git_empty_tree(&st->g, &old) == -1)
			goto out;
		(void)git(&st->g, NULL, "update-index", "-q", "--refresh",
		    NULL);
		if (st->tip_local.len > 0 && strcmp(old.s,
		    st->tip_local.s) != 0 && git(&st->g, NULL, "read-tree",
		    "-m", "-u", old.s, st->tip_local.s, NULL) != 0) {
			bus_seterr("%s: the work tree cannot follow the branch "
			    "from %s: %s", st->worktree, old.s, bus_error());
			bus_setclass(FAIL_USAGE);
			goto out;
		}
	}
	if (st->tip_local.len > 0) {
		(void)git(&st->g, NULL, "update-index", "-q", "--refresh",
		    NULL);
		if ((r = git(&st->g, NULL, "diff-index", "--quiet", "HEAD",
		    "--", NULL)) != 0) {
			if (r == 1)
				bus_seterr("%s: the skills clone has "
				    "uncommitted changes; commit or discard "
				    "them first", st->worktree);
			bus_setclass(FAIL_USAGE);
			goto out;
		}
	}
	if (!(sk->flags & SKILLS_DRY_RUN)) {
		if (file_write_atomic(path.s, st->tip_local.s != NULL ?
		    st->tip_local.s : "", st->tip_local.len, 0666) == -1)
			goto out;
		sk->journaled = 1;
	}
	rv = 0;
out:
	buf_free(&path);
	buf_free(&old);
	return rv;
}

/* The scratch directories of runs that were killed: ours, under the lock. */
static void
remove_stale(const char *gitdir)
{
	struct buf path = BUF_INIT;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(gitdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, SCRATCH, sizeof(SCRATCH) - 1) != 0 ||
		    strlen(de->d_name) != sizeof(SCRATCH) - 1 + 6)
			continue;
		buf_reset(&path);
		buf_addf(&path, "%s/%s", gitdir, de->d_name);
		(void)remove_tree(path.s);
	}
	closedir(d);
	buf_free(&path);
}

/*
 * Open the skills clone at path on its current branch, with remote
 * (NULL: origin), and take its lock.
 */
int
skills_open(struct skills *sk, const char *path, const char *remote,
    int flags, FILE *trace)
{
	struct station *st = &sk->repo;
	struct git g;
	struct buf head = BUF_INIT, b = BUF_INIT;
	char tmp[PATH_MAX];
	int rv = -1, r;

	memset(sk, 0, sizeof(*sk));
	st->lockfd = -1;
	sk->flags = flags;
	memset(&g, 0, sizeof(g));
	g.dir = path;
	g.trace = trace;
	if ((r = git(&g, &head, "symbolic-ref", "-q", "HEAD", NULL)) != 0) {
		if (r == 1)
			bus_seterr("%s: HEAD is detached; check out a branch "
			    "of the skills repository", path);
		else
			bus_seterr("%s: not a clone of the skills repository: "
			    "%s", path, bus_error());
		bus_setclass(FAIL_USAGE);
		goto out;
	}
	buf_rtrim(&head);
	if (station_open(st, path, NULL, 0, trace) == -1)
		goto out;
	/* the station's branch is the one checked out, its remote ours */
	free(st->branch);
	free(st->ref);
	free(st->remote);
	free(st->tracking);
	st->branch = xstrdup(strncmp(head.s, "refs/heads/", 11) == 0 ?
	    head.s + 11 : head.s);
	st->ref = xstrdup(head.s);
	st->remote = xstrdup(remote != NULL ? remote : "origin");
	buf_addf(&b, "refs/remotes/%s/%s", st->remote, st->branch);
	st->tracking = buf_detach(&b);
	st->checked_out = 0;	/* the work tree is ours to handle */
	if (station_lock(st) == -1)
		goto out;
	remove_stale(st->gitdir);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/" SCRATCH "XXXXXX",
	    st->gitdir) >= sizeof(tmp) || mkdtemp(tmp) == NULL) {
		bus_seterrno("%s/" SCRATCH "XXXXXX", st->gitdir);
		goto out;
	}
	sk->tmp = xstrdup(tmp);
	if (flags & SKILLS_DRY_RUN) {
		buf_addf(&b, "%s/objects", sk->tmp);
		if (mkdir(b.s, 0777) == -1) {
			bus_seterrno("%s", b.s);
			goto out;
		}
		buf_reset(&b);
		if (git(&st->g, &b, "rev-parse", "--path-format=absolute",
		    "--git-path", "objects", NULL) != 0)
			goto out;
		buf_rtrim(&b);
		sk->objects = buf_detach(&b);
	}
	if (station_tips(st) == -1)
		goto out;
	tip_copy(&sk->start, &st->tip_local);
	if (st->worktree != NULL && worktree_start(sk) == -1)
		goto out;
	rv = 0;
out:
	buf_free(&head);
	buf_free(&b);
	return rv;
}

/*
 * Unlock and clean up, bringing the work tree along if a failure left
 * it behind the branch; the error of the run, if any, stays.
 */
void
skills_close(struct skills *sk)
{
	char msg[1024];
	enum bus_fail class = bus_errclass();

	strlcpy(msg, bus_error(), sizeof(msg));
	if (sk->journaled)
		(void)finish(sk);
	if (sk->tmp != NULL)
		(void)remove_tree(sk->tmp);
	station_close(&sk->repo);
	notes_clear(sk);
	free(sk->tmp);
	free(sk->objects);
	buf_free(&sk->start);
	buf_free(&sk->pushed);
	buf_free(&sk->names);
	buf_free(&sk->warn);
	memset(sk, 0, sizeof(*sk));
	bus_seterr("%s", msg);
	bus_setclass(class);
}
