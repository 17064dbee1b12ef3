/*
 * gc.c: bus-gc's work: the days of the agent's archive older than a
 * bound, dropped from the branch's tip tree in one commit (SPEC
 * section 2, "Retention").  History keeps every message; the hub's
 * hook decides whether it takes the commit (checkgc.c).
 *
 * The cost is one ls-tree of the archive's top level and one commit,
 * whatever the archive holds: a day goes as one "D" of fast-import,
 * which drops its tree whole.  Only a station with a full work tree
 * lists the files of the days that go, since it must remove them.
 */
#include "config.h"

#include <string.h>

#include "station.h"

/*
 * The day directories of the agent's archive on the branch older than
 * the cutoff day ("archive-<agent>/YYYY-MM-DD", oldest first) pushed
 * onto days: one ls-tree.  A name that is no valid day, and the files
 * of the flat layout, are never taken.
 */
int
gc_days(struct station *st, const char *cutoff, struct strvec *days)
{
	struct buf dir = BUF_INIT, list = BUF_INIT;
	const char *p;
	int rv = -1;

	buf_addf(&dir, "archive-%s/", st->agent);
	if (git(&st->g, &list, "ls-tree", "-z", "-d", "--name-only",
	    "--full-tree", st->ref, "--", dir.s, NULL) != 0)
		goto out;
	/* ls-tree sorts its names, and days sort as they come */
	for (p = NULL; (p = strvec_next(&list, p)) != NULL; )
		if (strncmp(p, dir.s, dir.len) == 0 &&
		    valid_day(p + dir.len, strlen(p + dir.len)) &&
		    strcmp(p + dir.len, cutoff) < 0)
			strvec_push(days, p);
	rv = 0;
out:
	buf_free(&dir);
	buf_free(&list);
	return rv;
}

/*
 * Stage the removal of the days: each as one directory, or, in a
 * station whose work tree holds the archives, each file of them (one
 * ls-tree), so that the work tree and index lose them too.
 */
int
gc_stage(struct station *st, const struct strvec *days, struct changes *c)
{
	struct strvec args = STRVEC_INIT;
	struct buf list = BUF_INIT;
	const char *p;
	size_t i;
	int rv = -1;

	if (!st->checked_out || st->sparse) {
		for (i = 0; i < days->n; i++)
			changes_add(c, days->v[i], NULL, NULL);
		return 0;
	}
	strvec_pushv(&args, (const char *const []){ "ls-tree", "-r", "-z",
	    "--name-only", "--full-tree", st->ref, "--", NULL });
	strvec_pushv(&args, days->v);
	if (git_run(&st->g, NULL, &list, NULL, args.v) != 0)
		goto out;
	for (p = NULL; (p = strvec_next(&list, p)) != NULL; )
		changes_add(c, p, NULL, NULL);
	rv = 0;
out:
	strvec_clear(&args);
	buf_free(&list);
	return rv;
}
