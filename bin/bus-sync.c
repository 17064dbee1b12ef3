/*
 * bus-sync: the scheduled job of a station (SPEC section 5): fetch,
 * fast-forward or replay, push what is queued, merge the shared
 * profile, send a heartbeat; say in one line what it did.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "profile.h"
#include "station.h"
#include "common/tool.h"

static struct station	 st;
static int		 qflag;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-sync [-qv] [-a agent] [-C dir]\n", fp);
	exit(code);
}

/* How many commits are in a..b (a may be empty: all of b). */
static long
count(const char *a, const char *b)
{
	struct buf out = BUF_INIT, range = BUF_INIT;
	long n = 0;

	if (*b == '\0' || (a != NULL && strcmp(a, b) == 0))
		return 0;
	if (a != NULL && *a != '\0')
		buf_addf(&range, "%s..%s", a, b);
	else
		buf_adds(&range, b);
	if (git(&st.g, &out, "rev-list", "--count", range.s, NULL) == 0)
		n = atol(out.s);
	buf_free(&out);
	buf_free(&range);
	return n;
}

/*
 * A heartbeat to every other agent, at most one per interval seconds
 * (bus.heartbeat); the time of the last is kept in
 * $GIT_DIR/bus-heartbeat.  Returns how many were sent.
 */
static int
heartbeat(long interval)
{
	struct buf path = BUF_INIT, last = BUF_INIT;
	struct buf tip = BUF_INIT, stamp = BUF_INIT;
	struct changes c = CHANGES_INIT;
	time_t now = time(NULL);
	int sent = 0;

	station_path(&st, "bus-heartbeat", &path);
	if (file_read(path.s, &last, 64) == 0 &&
	    now - (time_t)atoll(last.s) < interval)
		goto out;
	if ((sent = station_stage_others(&st, "heartbeat", "", 0, &c)) == -1)
		tool_fail(&st);
	if (sent > 0 && station_commit(&st, &c, "bus-sync: heartbeat\n",
	    &tip) == -1)
		tool_fail(&st);
	buf_addf(&stamp, "%lld\n", (long long)now);
	if (file_write_atomic(path.s, stamp.s, stamp.len, 0666) == -1)
		tool_fail(&st);
out:
	changes_free(&c);
	buf_free(&path);
	buf_free(&last);
	buf_free(&tip);
	buf_free(&stamp);
	return sent;
}

/*
 * Heartbeats are for bus-status, not for the agent: move those in this
 * agent's inbox into its archive, where bus-status still finds them.
 * Returns how many were moved.
 */
static size_t
read_heartbeats(void)
{
	struct buf box = BUF_INIT, bad = BUF_INIT, tip = BUF_INIT;
	struct changes c = CHANGES_INIT;
	struct inbox in;
	size_t i, n = 0;

	buf_addf(&box, "inbox-%s", st.agent);
	if (station_read_dir(&st, box.s, &in, &bad) == -1)
		tool_fail(&st);
	for (i = 0; i < in.n; i++)
		if (strcmp(in.msgs[i].m.type, "heartbeat") == 0) {
			station_archive(&st, &in.msgs[i], &c);
			n++;
		}
	if (n > 0 && station_commit(&st, &c, "bus-sync: heartbeats read\n",
	    &tip) == -1)
		tool_fail(&st);
	inbox_free(&in);
	changes_free(&c);
	buf_free(&box);
	buf_free(&bad);
	buf_free(&tip);
	return n;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf before = BUF_INIT, report = BUF_INIT, hb = BUF_INIT;
	const char *agent = NULL, *dir = NULL, *profile = "none";
	FILE *trace = NULL;
	long fetched = 0, pushed = 0, interval = 0;
	int c, status = EX_OK, changed = 0, beats = 0;
	size_t heard;
	char *end;

	while ((c = getopt_long(argc, argv, "a:C:hqv", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a':
			agent = optarg;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'q':
			qflag = 1;
			break;
		case 'v':
			trace = stderr;
			break;
		default:
			usage(stderr, EX_USAGE);
		}
	}
	if (optind != argc)
		usage(stderr, EX_USAGE);

	if (station_open(&st, dir, agent, 1, trace) == -1)
		tool_fail(&st);
	tool_guard(&st);
	if (st.heartbeat != NULL) {
		errno = 0;
		interval = strtol(st.heartbeat, &end, 10);
		if (errno != 0 || *end != '\0' || interval <= 0)
			errx(EX_USAGE, "bus.heartbeat: \"%s\" is not a number "
			    "of seconds", st.heartbeat);
	}
	if (station_lock(&st) == -1 || station_tips(&st) == -1)
		tool_fail(&st);
	tip_copy(&before, &st.tip_remote);
	if (sync_fetch(&st) == -1) {
		if (bus_errclass() != FAIL_TEMP)
			tool_fail(&st);
		if (!qflag)
			warnx("%s", bus_error());
		status = FAIL_TEMP;
	} else if (station_tips(&st) == 0)
		fetched = count(before.s, st.tip_remote.s);
	if (sync_integrate(&st) == -1)
		tool_fail(&st);
	heard = read_heartbeats();
	if (st.profile != NULL) {
		if (profile_sync(&st, st.profile, st.merger, 0, &report,
		    &changed) == -1)
			tool_fail(&st);
		profile = changed & 2 ? "updated" : changed & 1 ?
		    "taken" : "unchanged";
	}
	if (interval > 0)
		beats = heartbeat(interval);
	if (station_flush(&st) == -1)
		tool_fail(&st);
	if (status == EX_OK) {
		if (station_tips(&st) == -1)
			tool_fail(&st);
		tip_copy(&before, &st.tip_remote);
		pushed = count(before.s, st.tip_local.s);
		if (sync_push(&st) == -1)
			tool_fail(&st);
	}
	if (beats > 0)
		buf_addf(&hb, ", heartbeat sent");
	if (heard > 0)
		buf_addf(&hb, ", %zu heartbeat%s read", heard,
		    heard == 1 ? "" : "s");
	if (!qflag)
		printf("fetched %ld commit%s, pushed %ld, "
		    "profile %s%s\n", fetched, fetched == 1 ? "" : "s",
		    status == EX_OK ? pushed : 0, profile,
		    hb.s != NULL ? hb.s : "");
	status = tool_finish(&st, status, qflag);
	buf_free(&before);
	buf_free(&report);
	buf_free(&hb);
	return status;
}
