/*
 * ahead.c: what a command reads after its fetch, read while the fetch
 * runs.
 *
 * A fetch is mostly the wait for the hub.  When it brings nothing,
 * which is what most polls find, the station's tips (station_tips())
 * and the directory the command lists next (bus-recv's inbox,
 * station_read_dir()) are what they were before it; read at the same
 * time, they cost the command next to nothing.  Whether the fetch
 * moved a ref is git's own report: it prints a line for each ref it
 * updates or prunes, and nothing at all when it moves none.  Any
 * output counts as news: what was read alongside is then dropped and
 * read again after the fetch, as it always was.
 *
 * The station's lock keeps the other bus commands from moving its
 * branch meanwhile; a listing is also used only while the branch is
 * still at the tip read with it.
 */
#include "config.h"

#include <string.h>

#include "station.h"

/*
 * git fetch with fetch_args (without -q: its report is the news),
 * its stderr into err, alongside the tips when they are not known
 * yet and the listing of st->ahead.dir when one is set.  *news says
 * the fetch moved a ref, or failed.  The fetch's exit status.
 */
int
ahead_fetch(struct station *st, const char *const *fetch_args,
    struct buf *err, int *news)
{
	const char *tips_args[6], *list_args[8];
	struct buf tips = BUF_INIT, tips_err = BUF_INIT, list_err = BUF_INIT;
	struct buf spec = BUF_INIT;
	struct git_call calls[3];
	size_t n = 0, t = 0, l = 0;
	int had_tips = st->tips_known;

	st->ahead.valid = 0;
	buf_reset(err);
	calls[n++] = (struct git_call){ &st->g, fetch_args, NULL, err, -1 };
	if (!had_tips) {
		station_tips_args(st, tips_args);
		t = n;
		calls[n++] = (struct git_call){ &st->g, tips_args, &tips,
		    &tips_err, -1 };
	}
	if (st->ahead.dir != NULL) {
		station_list_args(st, st->ahead.dir, &spec, list_args);
		buf_reset(&st->ahead.list);
		l = n;
		calls[n++] = (struct git_call){ &st->g, list_args,
		    &st->ahead.list, &list_err, -1 };
	}
	(void)git_run_all(calls, n);
	*news = calls[0].status != 0 || err->len > 0;
	if (*news || (t > 0 && calls[t].status != 0)) {
		st->tips_known = 0;	/* the tracking ref may have moved */
		st->queue_mode = -1;	/* and the mode ref */
	} else {
		if (t > 0)
			station_tips_take(st, &tips);
		if (l > 0 && calls[l].status == 0) {
			tip_copy(&st->ahead.tip, &st->tip_local);
			st->ahead.valid = 1;
		}
	}
	buf_free(&tips);
	buf_free(&tips_err);
	buf_free(&list_err);
	buf_free(&spec);
	return calls[0].status;
}

/*
 * The listing of dir read with the fetch, into list: 1 when there is
 * one still good (the branch has not moved since), 0 when it must be
 * read now.  It serves once.
 */
int
ahead_list(struct station *st, const char *dir, struct buf *list)
{
	int ok = st->ahead.valid && st->ahead.dir != NULL &&
	    strcmp(dir, st->ahead.dir) == 0 && st->tips_known &&
	    st->ahead.tip.len == st->tip_local.len &&
	    (st->tip_local.len == 0 ||
	    strcmp(st->ahead.tip.s, st->tip_local.s) == 0);

	st->ahead.valid = 0;
	if (!ok)
		return 0;
	buf_reset(list);
	buf_add(list, st->ahead.list.s != NULL ? st->ahead.list.s : "",
	    st->ahead.list.len);
	return 1;
}
