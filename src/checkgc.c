/*
 * checkgc.c: the rule for removals from an archive (SPEC sections 2
 * and 7, "Retention").  Archived messages are never removed but as
 * whole days, archive-<agent>/<YYYY-MM-DD>/, by bus-gc: every file of
 * the day gone in one commit and nothing else of that commit in it;
 * on the hub, only days older than its bus.retainDays (unset: none);
 * in signed mode, only by the archive's owner.  A station cannot know
 * the hub's setting: its pre-commit hook lets whole days of its own
 * agent's archive go, verify.c whole days of any, and the hub decides.
 *
 * check.c marks the removals (check_delta.gc); the days they empty
 * are looked up in the trees the commits leave, in one cat-file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "msg.h"

/*
 * Take bus.retainDays as the hub sets it (value; NULL: unset): days
 * older than it may go, and with none, ck->retain_off says why.
 */
void
check_retain(struct check *ck, const char *value)
{
	const char *why;

	ck->retain_days = 0;
	if (value == NULL)
		ck->retain_off = "bus.retainDays is not set";
	else if (parse_days(value, &ck->retain_days, &why) == -1)
		ck->retain_off = "bus.retainDays is not a number of days";
	else if (ck->retain_days == 0)
		ck->retain_off = "bus.retainDays is 0";
}

/* The length of "archive-<agent>/<YYYY-MM-DD>" that path starts with, or 0. */
static size_t
day_dir(const char *path)
{
	const char *day = strchr(path, '/');

	if (day == NULL || strnlen(++day, 11) < 11 || day[10] != '/' ||
	    !valid_day(day, 10))
		return 0;
	return (size_t)(day - path) + 10;
}

/*
 * Who may remove the day dir (len bytes of d->path), and when: its
 * owner, if signed; the station's own agent in a pre-commit hook; on
 * the hub, a day before cutoff (NULL: none may go), while a station
 * leaves the age to the hub.
 */
static void
judge_day(struct check *ck, const struct check_delta *d, size_t len,
    const char *cutoff)
{
	struct buf dir = BUF_INIT;
	const char *agent = d->path + 8, *who;
	size_t n = strcspn(agent, "/");

	buf_add(&dir, d->path, len);
	if (ck->require_signed && d->commit != NULL &&
	    (who = check_signer(ck, d->commit)) != NULL &&
	    (strlen(who) != n || strncmp(who, agent, n) != 0))
		check_problem(ck, d, dir.s, "signed by %s, who may not change "
		    "archive-%.*s/", who, (int)n, agent);
	if (ck->own_only && (ck->own == NULL || strlen(ck->own) != n ||
	    strncmp(ck->own, agent, n) != 0))
		check_problem(ck, d, dir.s, "a station removes days of its own "
		    "agent's archive only (this is %s's)", ck->own != NULL ?
		    ck->own : "no agent");
	/* a station leaves the age to the hub */
	if (!ck->age_unknown && cutoff == NULL)
		check_problem(ck, d, dir.s, "removing archive days is off on "
		    "this hub (%s)", ck->retain_off != NULL ? ck->retain_off :
		    "bus.retainDays is not set");
	else if (!ck->age_unknown && strcmp(dir.s + len - 10, cutoff) >= 0)
		check_problem(ck, d, dir.s, "inside this hub's retention of "
		    "%ld days (days before %s may go)", ck->retain_days,
		    cutoff);
	buf_free(&dir);
}

/*
 * "where:dir" for the tree that the change d leaves: its commit, or
 * for the index (a pre-commit hook) the tree written from it.
 */
static int
left_in(const struct check *ck, const struct check_delta *d, size_t len,
    struct buf *tree, struct strvec *names)
{
	if (d->commit == NULL && tree->len == 0) {
		if (git(ck->g, tree, "write-tree", NULL) != 0)
			return -1;
		buf_rtrim(tree);
	}
	strvec_pushf(names, "%s:%.*s", d->commit != NULL ? d->commit :
	    tree->s, (int)len, d->path);
	return 0;
}

/*
 * Judge every removal from an archive among the nd deltas: a file that
 * is in no day is never removed; each day removed once per commit
 * (diff-tree lists a day's files together) is judged, and must be
 * gone whole from the tree the commit leaves.
 */
int
check_gc(struct check *ck, const struct check_delta *ds, size_t nd)
{
	struct strvec names = STRVEC_INIT;
	struct buf tree = BUF_INIT, out = BUF_INIT;
	const struct check_delta **days = NULL, *prev = NULL;
	struct cat_obj *obj = NULL;
	char cutoff[11];
	size_t i, k, len;
	int rv = -1, off;

	off = ck->retain_days <= 0 ||
	    day_before(cutoff, time(NULL), ck->retain_days) == -1;
	for (i = 0; i < nd; i++) {
		if (!ds[i].gc)
			continue;
		if ((len = day_dir(ds[i].path)) == 0) {
			check_problem(ck, &ds[i], ds[i].path, "archived "
			    "messages are never removed, but for whole days "
			    "archive-<agent>/<YYYY-MM-DD>/ (bus-gc)");
			continue;
		}
		if (prev != NULL && prev->commit == ds[i].commit &&
		    strncmp(prev->path, ds[i].path, len + 1) == 0)
			continue;	/* the same day */
		prev = &ds[i];
		judge_day(ck, prev, len, off ? NULL : cutoff);
		if (left_in(ck, prev, len, &tree, &names) == -1)
			goto out;
		days = xreallocarray(days, names.n, sizeof(*days));
		days[names.n - 1] = prev;
	}
	if (names.n > 0) {
		obj = xreallocarray(NULL, names.n, sizeof(*obj));
		if (git_cat_batch(ck->g, names.v, names.n, &out, obj) == -1)
			goto out;
	}
	for (k = 0; k < names.n; k++)
		if (!obj[k].missing)
			check_problem(ck, days[k], strchr(names.v[k], ':') + 1,
			    "not the whole day: a day goes whole, in one "
			    "commit that adds nothing to it");
	rv = 0;
out:
	strvec_clear(&names);
	buf_free(&tree);
	buf_free(&out);
	free(days);
	free(obj);
	return rv;
}
