/*
 * t-skills: the plan of skills-sync (SPEC section 8): what each mode
 * does with a skill given its tree here, on the hub and at the base,
 * and the set of skills by name that the plan is made from.
 */
#include "config.h"

#include <string.h>

#include "skills.h"
#include "tap.h"

#define A	"1111111111111111111111111111111111111111"
#define B	"2222222222222222222222222222222222222222"
#define C	"3333333333333333333333333333333333333333"

static const char *
show(const char *oid)
{
	return oid == NULL ? "-" : strcmp(oid, A) == 0 ? "A" :
	    strcmp(oid, B) == 0 ? "B" : "C";
}

static void
push(const char *here, const char *hub, const char *base, int force,
    int want, const char *want_why)
{
	const char *why;
	int got;

	got = skills_plan_push_act(here, hub, base, force, &why);
	ok(got == want && (want_why == NULL ? why == NULL : why != NULL &&
	    strcmp(why, want_why) == 0),
	    "push here %s hub %s base %s%s: act %d (%s)", show(here),
	    show(hub), show(base), force ? " forced" : "", got,
	    why != NULL ? why : "");
}

static void
pull(enum skillset_kind kind, const char *here, const char *hub,
    const char *base, int force, int want, const char *want_why)
{
	struct skillset_ent e;
	const char *why;
	int got;

	memset(&e, 0, sizeof(e));
	e.name = "s";
	e.kind = kind;
	e.oid = (char *)here;
	got = skills_plan_pull_act(kind == (enum skillset_kind)-1 ? NULL : &e,
	    hub, base, force, &why);
	ok(got == want && (want_why == NULL ? why == NULL : why != NULL &&
	    strcmp(why, want_why) == 0),
	    "pull kind %d here %s hub %s base %s%s: act %d (%s)", (int)kind,
	    show(here), show(hub), show(base), force ? " forced" : "", got,
	    why != NULL ? why : "");
}

static void
test_push(void)
{
	/* the two agree, whatever the base says */
	push(A, A, NULL, 0, SKILLS_PLAN_SAME, NULL);
	push(A, A, B, 0, SKILLS_PLAN_SAME, NULL);
	/* new here, or changed here only */
	push(A, NULL, NULL, 0, SKILLS_PUSHED, NULL);
	push(B, A, A, 0, SKILLS_PUSHED, NULL);
	/* not changed here since: the hub's change stands */
	push(A, B, A, 0, SKILLS_BEHIND, "newer on the hub");
	push(A, NULL, A, 0, SKILLS_SKIPPED, "deleted on the hub");
	push(A, B, A, 1, SKILLS_BEHIND, "newer on the hub");
	/* changed on both sides, or never agreed */
	push(C, B, A, 0, SKILLS_CONFLICT, "changed here and on the hub");
	push(A, B, NULL, 0, SKILLS_CONFLICT, "changed here and on the hub");
	push(C, B, A, 1, SKILLS_PUSHED, NULL);
	push(A, B, NULL, 1, SKILLS_PUSHED, NULL);
}

static void
test_pull(void)
{
	const enum skillset_kind none = (enum skillset_kind)-1;

	pull(none, NULL, A, NULL, 0, SKILLS_INSTALLED, NULL);
	pull(none, NULL, A, B, 0, SKILLS_INSTALLED, NULL);
	/* what is not a skill here is not ours to change, even forced */
	pull(SKILLSET_LINK, NULL, A, NULL, 1, SKILLS_SKIPPED,
	    "symlink here");
	pull(SKILLSET_FILE, NULL, A, NULL, 1, SKILLS_SKIPPED,
	    "not a directory here");
	pull(SKILLSET_IGNORED, A, B, A, 1, SKILLS_SKIPPED, "ignored here");
	pull(SKILLSET_REPO, NULL, A, NULL, 1, SKILLS_SKIPPED,
	    "a git repository here");
	/* the two agree */
	pull(SKILLSET_SKILL, A, A, B, 0, SKILLS_PLAN_SAME, NULL);
	/* a directory with nothing of ours, or not changed here since */
	pull(SKILLSET_DIR, NULL, A, NULL, 0, SKILLS_UPDATED, NULL);
	pull(SKILLSET_SKILL, A, B, A, 0, SKILLS_UPDATED, NULL);
	/* changed here only */
	pull(SKILLSET_SKILL, B, A, A, 0, SKILLS_KEPT, "changed here");
	pull(SKILLSET_SKILL, B, A, A, 1, SKILLS_KEPT, "changed here");
	/* changed on both sides, or never agreed */
	pull(SKILLSET_SKILL, C, B, A, 0, SKILLS_CONFLICT,
	    "changed here and on the hub");
	pull(SKILLSET_SKILL, A, B, NULL, 0, SKILLS_CONFLICT,
	    "changed here and on the hub");
	pull(SKILLSET_SKILL, C, B, A, 1, SKILLS_UPDATED,
	    "local changes replaced");
}

static void
test_set(void)
{
	struct skillset s = SKILLSET_INIT, t = SKILLSET_INIT;
	struct skillset_ent *e;

	skillset_put(&s, "b", A);
	skillset_put(&s, "a", NULL);
	e = skillset_put(&s, "c", B);
	e->kind = SKILLSET_REPO;
	ok(s.n == 3 && skillset_oid(&s, "b") != NULL &&
	    strcmp(skillset_oid(&s, "b"), A) == 0 &&
	    skillset_oid(&s, "a") == NULL && skillset_find(&s, "d") == NULL,
	    "put and find");
	skillset_put(&s, "b", C);
	ok(s.n == 3 && strcmp(skillset_oid(&s, "b"), C) == 0,
	    "put again replaces the tree");
	skillset_sort(&s);
	ok(strcmp(s.v[0].name, "a") == 0 && strcmp(s.v[1].name, "b") == 0 &&
	    strcmp(s.v[2].name, "c") == 0, "sorted by name");
	e = skillset_top(&s, "c/SKILL.md");
	ok(e != NULL && strcmp(e->name, "c") == 0 &&
	    skillset_top(&s, "c") == NULL && skillset_top(&s, "d/x") == NULL,
	    "the entry at the top of a path");
	skillset_copy(&t, &s);
	ok(t.n == 3 && skillset_find(&t, "c")->kind == SKILLSET_REPO,
	    "a copy keeps the kinds");
	skillset_del(&s, "a");
	skillset_del(&s, "x");
	ok(s.n == 2 && skillset_find(&s, "a") == NULL, "delete");
	ok(skillset_name_ok("skill") && skillset_name_ok("a b") &&
	    !skillset_name_ok("") && !skillset_name_ok(".hidden") &&
	    !skillset_name_ok("a/b") && !skillset_name_ok(".git"),
	    "names that may stand at the top of a skills directory");
	skillset_free(&s);
	skillset_free(&t);
	ok(s.n == 0 && s.v == NULL, "free");
}

static void
test_notes(void)
{
	struct skills_plan p;
	struct buf names = BUF_INIT;

	memset(&p, 0, sizeof(p));
	skills_plan_note(&p, SKILLS_CONFLICT, "b", "why");
	skills_plan_note(&p, SKILLS_PUSHED, "a", NULL);
	buf_add(&names, "a\0c\0", 4);
	skills_plan_note_once(&p, SKILLS_PUSHED, &names);
	ok(p.nnotes == 3 && p.conflicts == 1, "a name is noted once");
	skills_plan_sort(&p);
	ok(strcmp(p.notes[0].name, "a") == 0 &&
	    strcmp(p.notes[1].name, "b") == 0 &&
	    strcmp(p.notes[2].name, "c") == 0 &&
	    strcmp(p.notes[1].why, "why") == 0, "notes by name");
	skills_plan_warn(&p, "hub away");
	skills_plan_clear(&p);
	ok(p.nnotes == 0 && p.conflicts == 0 && p.warn.len == 9,
	    "clearing the notes keeps the warnings");
	skills_plan_free(&p);
	ok(p.warn.len == 0, "free");
	buf_free(&names);
}

int
main(void)
{
	test_push();
	test_pull();
	test_set();
	test_notes();
	return done_testing();
}
