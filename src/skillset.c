/*
 * skillset.c: skills by name (SPEC section 8): a set of them with
 * their trees, as it is in memory, at the top of a tree of the skills
 * clone, and in the bases; and the plan a run of skills-sync leaves.
 *
 * The base of a local directory is the version of its skills that the
 * directory and the branch last agreed on: a commit of their trees,
 * with no parent, at refs/skills-sync/base/ and the hash of the
 * directory's path.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "skills.h"

#define BASE_REFS	"refs/skills-sync/base/"

static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* A name that may stand at the top of a skills directory. */
int
skillset_name_ok(const char *name)
{
	return *name != '\0' && *name != '.' && strchr(name, '/') == NULL &&
	    layout_bad_name(name, strlen(name)) == NULL;
}

struct skillset_ent *
skillset_find(const struct skillset *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

const char *
skillset_oid(const struct skillset *s, const char *name)
{
	struct skillset_ent *e = skillset_find(s, name);

	return e != NULL ? e->oid : NULL;
}

/* Set name's tree (oid may be NULL), adding the name if it is new. */
struct skillset_ent *
skillset_put(struct skillset *s, const char *name, const char *oid)
{
	struct skillset_ent *e;

	if ((e = skillset_find(s, name)) == NULL) {
		e = xreallocarray(s->v, s->n + 1, sizeof(*e));
		s->v = e;
		e += s->n++;
		e->name = xstrdup(name);
		e->oid = NULL;
		e->kind = SKILLSET_SKILL;
		e->taken = 0;
	}
	if (e->oid != oid) {
		free(e->oid);
		e->oid = oid != NULL ? xstrdup(oid) : NULL;
	}
	return e;
}

/* The entry at the top of path (up to its first slash), if any. */
struct skillset_ent *
skillset_top(const struct skillset *s, const char *path)
{
	char name[NAME_MAX + 1];
	const char *slash = strchr(path, '/');
	size_t n = slash != NULL ? (size_t)(slash - path) : strlen(path);

	if (slash == NULL || n > NAME_MAX)
		return NULL;
	memcpy(name, path, n);
	name[n] = '\0';
	return skillset_find(s, name);
}

void
skillset_del(struct skillset *s, const char *name)
{
	struct skillset_ent *e;

	if ((e = skillset_find(s, name)) == NULL)
		return;
	free(e->name);
	free(e->oid);
	*e = s->v[--s->n];
}

void
skillset_free(struct skillset *s)
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

void
skillset_copy(struct skillset *to, const struct skillset *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		skillset_put(to, from->v[i].name, from->v[i].oid)->kind =
		    from->v[i].kind;
}

/* The same names with the same trees? */
static int
skillset_equal(const struct skillset *a, const struct skillset *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!same(a->v[i].oid, skillset_oid(b, a->v[i].name)))
			return 0;
	return 1;
}

static int
by_name(const void *x, const void *y)
{
	const struct skillset_ent *a = x, *b = y;

	return strcmp(a->name, b->name);
}

void
skillset_sort(struct skillset *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), by_name);
}

/*
 * The directories at the top of the tree of rev (empty: none); with
 * only_skills, only those holding a SKILL.md that is a file, as a
 * local skill must.
 */
int
skillset_read_tree(const struct git *g, const char *rev, struct skillset *set,
    int only_skills)
{
	const char *ls[] = { "ls-tree", "-z", rev, "--", NULL };
	struct buf out = BUF_INIT;
	struct skillset all = SKILLSET_INIT;
	struct strvec args = STRVEC_INIT;
	const struct skillset_ent *e;
	char *p, *tab, *slash;
	size_t i;
	int rv = -1;

	if (rev == NULL || *rev == '\0')
		return 0;
	if (git(g, &out, "ls-tree", "-z", rev, NULL) != 0)
		goto out;
	/* "mode type oid\tname\0" */
	for (p = NULL; (p = strvec_next(&out, p)) != NULL;) {
		if ((tab = strchr(p, '\t')) == NULL ||
		    !skillset_name_ok(tab + 1) ||
		    strncmp(p, "040000 tree ", 12) != 0)
			continue;
		*tab = '\0';
		skillset_put(only_skills ? &all : set, tab + 1, p + 12);
		*tab = '\t';	/* the walk goes on after the whole record */
	}
	if (!only_skills || all.n == 0) {
		rv = 0;
		goto out;
	}
	/* one ls-tree for every NAME/SKILL.md, each taken literally */
	strvec_pushv(&args, ls);
	for (i = 0; i < all.n; i++)
		strvec_pushf(&args, ":(literal)%s/" SKILLS_FILE,
		    all.v[i].name);
	buf_reset(&out);
	if (git_run(g, NULL, &out, NULL, args.v) != 0)
		goto out;
	for (p = NULL; (p = strvec_next(&out, p)) != NULL;) {
		if ((strncmp(p, "100644 blob ", 12) != 0 &&
		    strncmp(p, "100755 blob ", 12) != 0) ||
		    (tab = strchr(p, '\t')) == NULL ||
		    (slash = strchr(tab + 1, '/')) == NULL)
			continue;
		*slash = '\0';
		if ((e = skillset_find(&all, tab + 1)) != NULL)
			skillset_put(set, e->name, e->oid);
		*slash = '/';	/* the walk goes on after the whole record */
	}
	rv = 0;
out:
	strvec_clear(&args);
	skillset_free(&all);
	buf_free(&out);
	return rv;
}

/* The names at the top that differ from commit from (empty: none) to to. */
int
skillset_changed(const struct git *g, const char *from, const char *to,
    struct buf *names)
{
	buf_reset(names);
	if (to == NULL || *to == '\0')
		return 0;
	if (from == NULL || *from == '\0')
		return git(g, names, "ls-tree", "-z", "--name-only", to,
		    NULL) == 0 ? 0 : -1;
	return git(g, names, "diff-tree", "-z", "--name-only", from, to,
	    NULL) == 0 ? 0 : -1;
}

/*
 * The files of a skill's tree, as skilldir_install() and
 * skilldir_in_the_way() read them: "mode type oid\tpath\0", directories
 * before what they hold.
 */
int
skillset_files(const struct git *g, const char *tree, struct buf *list)
{
	buf_reset(list);
	return git(g, list, "ls-tree", "-r", "-t", "-z", tree, NULL) == 0 ?
	    0 : -1;
}

/* The ref of the base of directory dir: one per directory, by its path. */
int
skillset_base_ref(const struct git *g, const char *dir, struct buf *ref)
{
	const char *args[] = { "hash-object", "--stdin", NULL };
	struct buf in = BUF_INIT, out = BUF_INIT;
	int rv = -1;

	buf_adds(&in, dir);
	if (git_run(g, &in, &out, NULL, args) == 0) {
		buf_rtrim(&out);
		buf_reset(ref);
		buf_addf(ref, BASE_REFS "%s", out.s);
		rv = 0;
	}
	buf_free(&in);
	buf_free(&out);
	return rv;
}

int
skillset_base_read(const struct git *g, const char *ref, struct skillset *set)
{
	struct buf out = BUF_INIT;
	int rv = -1;

	if (git(g, &out, "for-each-ref", "--format=%(objectname)", ref,
	    NULL) == 0) {
		buf_rtrim(&out);
		rv = skillset_read_tree(g, out.s, set, 0);
	}
	buf_free(&out);
	return rv;
}

/*
 * Make set the base at ref, unless it holds that already (old): a
 * commit of its skills' trees, with no parent, for directory dir (NULL:
 * not known); an empty set removes the ref.
 */
int
skillset_base_write(const struct git *g, const char *ref, const char *dir,
    const struct skillset *set, const struct skillset *old)
{
	const char *mktree[] = { "mktree", "-z", NULL };
	struct buf in = BUF_INIT, tree = BUF_INIT, commit = BUF_INIT;
	struct buf msg = BUF_INIT;
	size_t i;
	int rv = -1;

	if (old != NULL && skillset_equal(set, old))
		return 0;
	if (set->n == 0) {
		rv = git(g, NULL, "update-ref", "-d", ref, NULL) == 0 ? 0 : -1;
		goto out;
	}
	for (i = 0; i < set->n; i++) {
		if (set->v[i].oid == NULL)
			continue;
		buf_addf(&in, "040000 tree %s\t%s", set->v[i].oid,
		    set->v[i].name);
		buf_addc(&in, '\0');
	}
	if (git_run(g, &in, &tree, NULL, mktree) != 0)
		goto out;
	buf_rtrim(&tree);
	buf_addf(&msg, "skills-sync: the base of %s", dir != NULL ? dir :
	    "a skills directory");
	if (git(g, &commit, "-c", "user.name=skills-sync", "-c",
	    "user.email=skills-sync@localhost", "commit-tree", "--no-gpg-sign",
	    "-m", msg.s, tree.s, NULL) != 0)
		goto out;
	buf_rtrim(&commit);
	rv = git(g, NULL, "update-ref", "-m", msg.s, ref, commit.s, NULL) == 0 ?
	    0 : -1;
out:
	buf_free(&in);
	buf_free(&tree);
	buf_free(&commit);
	buf_free(&msg);
	return rv;
}

/* One commit on the clone's branch with the skills of set, sorted. */
int
skillset_commit(struct station *st, struct skillset *set)
{
	struct changes c = CHANGES_INIT;
	struct buf msg = BUF_INIT, tip = BUF_INIT;
	size_t i;
	int rv;

	skillset_sort(set);
	if (set->n == 1)
		buf_addf(&msg, "skills-sync: update %s\n", set->v[0].name);
	else {
		buf_addf(&msg, "skills-sync: update %zu skills\n\n", set->n);
		for (i = 0; i < set->n; i++)
			buf_addf(&msg, "%s\n", set->v[i].name);
	}
	for (i = 0; i < set->n; i++)
		changes_add(&c, set->v[i].name, "040000", set->v[i].oid);
	rv = station_commit(st, &c, msg.s, &tip);
	changes_free(&c);
	buf_free(&msg);
	buf_free(&tip);
	return rv;
}

/*
 * Take back what the bases learnt from commits that are set aside: of
 * the names (NUL-separated) that they changed from the set mb to the
 * set local, a base that holds local's version goes back to mb's, so
 * that the skill counts as changed here.
 */
int
skillset_bases_forget(const struct git *g, const struct buf *names,
    const struct skillset *local, const struct skillset *mb)
{
	struct buf refs = BUF_INIT;
	struct skillset b = SKILLSET_INIT, old = SKILLSET_INIT;
	const char *name, *lv, *ref;
	char *nl;
	int rv = -1, changed;

	if (git(g, &refs, "for-each-ref", "--format=%(refname)", BASE_REFS,
	    NULL) != 0)
		goto out;
	for (ref = refs.s; ref != NULL && (nl = strchr(ref, '\n')) != NULL;
	    ref = nl + 1) {
		*nl = '\0';
		skillset_free(&b);
		skillset_free(&old);
		if (skillset_base_read(g, ref, &b) == -1)
			goto out;
		skillset_copy(&old, &b);
		changed = 0;
		for (name = NULL; (name = strvec_next(names, name)) != NULL;) {
			lv = skillset_oid(local, name);
			if (same(lv, skillset_oid(mb, name)) || lv == NULL ||
			    !same(skillset_oid(&b, name), lv))
				continue;
			if (skillset_oid(mb, name) != NULL)
				skillset_put(&b, name, skillset_oid(mb, name));
			else
				skillset_del(&b, name);
			changed = 1;
		}
		if (changed && skillset_base_write(g, ref, NULL, &b,
		    &old) == -1)
			goto out;
	}
	rv = 0;
out:
	skillset_free(&b);
	skillset_free(&old);
	buf_free(&refs);
	return rv;
}

/*
 * Push: what a local skill (here: its tree) calls for, given the
 * branch's version (hub) and the base's, each NULL where there is none.
 * SKILLS_PUSHED: take it to the branch; SKILLS_PLAN_SAME: the two
 * agree; else a note, with *why.
 */
int
skills_plan_push_act(const char *here, const char *hub, const char *base,
    int force, const char **why)
{
	*why = NULL;
	if (same(hub, here))
		return SKILLS_PLAN_SAME;
	if (base != NULL && same(base, here)) {
		/* not changed here since: the hub's change stands */
		*why = hub != NULL ? "newer on the hub" : "deleted on the hub";
		return hub != NULL ? SKILLS_BEHIND : SKILLS_SKIPPED;
	}
	if (same(hub, base) || force)
		return SKILLS_PUSHED;
	*why = "changed here and on the hub";
	return SKILLS_CONFLICT;
}

/*
 * Pull: what a skill of the branch (hub: its tree) calls for, given
 * what is here under its name (NULL: nothing) and the base's version.
 * SKILLS_INSTALLED or SKILLS_UPDATED: install it (*why, if set, says
 * what that replaces); SKILLS_PLAN_SAME: the two agree; else a note,
 * with *why.
 */
int
skills_plan_pull_act(const struct skillset_ent *here, const char *hub,
    const char *base, int force, const char **why)
{
	*why = NULL;
	if (here == NULL)
		return SKILLS_INSTALLED;
	switch (here->kind) {
	case SKILLSET_LINK:
		*why = "symlink here";
		return SKILLS_SKIPPED;
	case SKILLSET_FILE:
		*why = "not a directory here";
		return SKILLS_SKIPPED;
	case SKILLSET_IGNORED:
		*why = "ignored here";
		return SKILLS_SKIPPED;
	case SKILLSET_REPO:
		*why = "a git repository here";
		return SKILLS_SKIPPED;
	default:
		break;
	}
	if (same(here->oid, hub))
		return SKILLS_PLAN_SAME;
	/* nothing here of ours, or not changed here since */
	if (here->oid == NULL || same(here->oid, base))
		return SKILLS_UPDATED;
	if (base != NULL && same(hub, base)) {
		*why = "changed here";
		return SKILLS_KEPT;
	}
	if (force) {
		*why = "local changes replaced";
		return SKILLS_UPDATED;
	}
	*why = "changed here and on the hub";
	return SKILLS_CONFLICT;
}

void
skills_plan_note(struct skills_plan *p, enum skills_act act, const char *name,
    const char *why)
{
	struct skills_note *n;

	n = xreallocarray(p->notes, p->nnotes + 1, sizeof(*n));
	p->notes = n;
	n += p->nnotes++;
	n->act = act;
	n->name = xstrdup(name);
	n->why = why != NULL ? xstrdup(why) : NULL;
	if (act == SKILLS_CONFLICT || act == SKILLS_IN_THE_WAY)
		p->conflicts++;
}

/* A note for each NUL-separated name, unless it has one already. */
void
skills_plan_note_once(struct skills_plan *p, enum skills_act act,
    const struct buf *names)
{
	const char *s;
	size_t i;

	for (s = NULL; (s = strvec_next(names, s)) != NULL;) {
		for (i = 0; i < p->nnotes; i++)
			if (p->notes[i].act == act &&
			    strcmp(p->notes[i].name, s) == 0)
				break;
		if (i == p->nnotes)
			skills_plan_note(p, act, s, NULL);
	}
}

/* A line for standard error, after the report. */
void
skills_plan_warn(struct skills_plan *p, const char *msg)
{
	buf_addf(&p->warn, "%s\n", msg);
}

static int
note_order(const void *x, const void *y)
{
	const struct skills_note *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	return c != 0 ? c : (int)a->act - (int)b->act;
}

void
skills_plan_sort(struct skills_plan *p)
{
	if (p->nnotes > 1)
		qsort(p->notes, p->nnotes, sizeof(*p->notes), note_order);
}

/* Forget the notes (not the warnings): a push starts its round again. */
void
skills_plan_clear(struct skills_plan *p)
{
	size_t i;

	for (i = 0; i < p->nnotes; i++) {
		free(p->notes[i].name);
		free(p->notes[i].why);
	}
	free(p->notes);
	p->notes = NULL;
	p->nnotes = 0;
	p->conflicts = 0;
}

void
skills_plan_free(struct skills_plan *p)
{
	skills_plan_clear(p);
	buf_free(&p->warn);
}
