/*
 * usersync.c: a station's shared profile.  The user's own copy (a file
 * anywhere, bus.profile) and the hub's user-sync/USER.md are merged by
 * facts against the version both last agreed on, which the station
 * keeps in $GIT_DIR/bus-profile-base; the result goes to both.  The
 * user's file as it was before the last sync that changed it is kept
 * in $GIT_DIR/bus-profile-prev, one copy, not beside the user's file.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "station.h"

/* The body of the profile message sent with --notify. */
#define NOTICE	"user-sync/USER.md updated"

#define HUB_PROFILE	"user-sync/USER.md"
#define PROFILE_MAX	(16 * 1024 * 1024)

/* The hub's profile on the branch (empty when there is none yet). */
static int
branch_profile(struct station *st, struct buf *out)
{
	struct buf spec = BUF_INIT, data = BUF_INIT;
	const char *v[1];
	struct cat_obj o;
	int rv = -1;

	buf_addf(&spec, "%s:%s", st->ref, HUB_PROFILE);
	v[0] = spec.s;
	if (git_cat_batch(&st->g, v, 1, &data, &o) == -1)
		goto out;
	buf_reset(out);
	if (!o.missing)
		buf_add(out, o.data, o.size);
	rv = 0;
out:
	buf_free(&spec);
	buf_free(&data);
	return rv;
}

/* A file's bytes; a missing file reads as empty. */
static int
read_or_empty(const char *path, struct buf *b)
{
	if (file_read(path, b, PROFILE_MAX) == 0)
		return 0;
	if (errno == ENOENT) {
		buf_reset(b);
		return 0;
	}
	return -1;
}

static int
same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->s, b->s, a->len) == 0);
}

/*
 * The commit message of the shared profile: what the merge reported
 * (a Key: value both sides set, which ours won) stays on record there,
 * in git log -- user-sync/USER.md, after the station that lost has
 * taken the result.
 */
static void
commit_message(const struct buf *report, struct buf *msg)
{
	const char *line, *nl;

	buf_adds(msg, "profile-merge: the shared profile\n");
	for (line = report->s; line != NULL &&
	    (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		if (line == report->s)
			buf_addc(msg, '\n');
		text_safe(msg, line, (size_t)(nl - line));
		buf_addc(msg, '\n');
	}
}

/*
 * Merge the local profile file with the hub's, write the result to the
 * file (keeping the previous one in $GIT_DIR/bus-profile-prev) and,
 * when the shared copy changed, commit it, with what the merge
 * reported, and a "profile" message to every other agent when notify.
 * merger, when not NULL, is an external merger to try first.
 * *changed says what moved: 1 the local file, 2 the shared one.  The
 * caller holds the lock, has synced, and pushes.
 */
int
profile_sync(struct station *st, const char *local, const char *merger,
    int notify, struct buf *report, int *changed)
{
	struct buf basepath = BUF_INIT, base = BUF_INIT, mine = BUF_INIT;
	struct buf hub = BUF_INIT, result = BUF_INIT, bak = BUF_INIT;
	struct buf tip = BUF_INIT, msg = BUF_INIT;
	struct changes c = CHANGES_INIT;
	int rv = -1;

	*changed = 0;
	station_path(st, "bus-profile-base", &basepath);
	if (read_or_empty(basepath.s, &base) == -1 ||
	    read_or_empty(local, &mine) == -1) {
		bus_setclass(EX_USAGE);
		goto out;
	}
	if (branch_profile(st, &hub) == -1)
		goto out;
	if (!utf8_valid(mine.s != NULL ? mine.s : "", mine.len)) {
		bus_seterr("%s: not UTF-8 text", local);
		bus_setclass(EX_DATAERR);
		goto out;
	}
	profile_merge_bytes(merger, &base, &mine, &hub, &result, report);

	if (!same(&result, &mine)) {
		/* the previous local copy stays, in the station */
		station_path(st, "bus-profile-prev", &bak);
		if ((mine.len > 0 && file_write_atomic(bak.s, mine.s, mine.len,
		    0666) == -1) || file_write_atomic(local, result.s,
		    result.len, 0666) == -1)
			goto out;
		*changed |= 1;
	}
	if (!same(&result, &hub)) {
		changes_add_data(&c, HUB_PROFILE, result.s, result.len);
		if (notify && station_stage_others(st, "profile",
		    NOTICE, sizeof(NOTICE) - 1, &c) == -1)
			goto out;
		commit_message(report, &msg);
		if (station_commit(st, &c, msg.s, &tip) == -1)
			goto out;
		*changed |= 2;
	}
	/* what both now hold is the base of the next merge */
	if (file_write_atomic(basepath.s, result.s, result.len, 0666) == -1)
		goto out;
	rv = 0;
out:
	changes_free(&c);
	buf_free(&basepath);
	buf_free(&base);
	buf_free(&mine);
	buf_free(&hub);
	buf_free(&result);
	buf_free(&bak);
	buf_free(&tip);
	buf_free(&msg);
	return rv;
}
