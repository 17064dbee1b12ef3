/*
 * bus-sync: the scheduled job of a station (SPEC section 5): fetch,
 * fast-forward or replay, push what is queued, merge the shared
 * profile, beat (the agent's presence, and its state); say in one line
 * what it did.
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
#include "common/version.h"

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-sync [-qv] [-a agent] [-C dir] [--state text]\n"
	    "       bus-sync --version\n", fp);
	exit(code);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "state", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	struct tool t = TOOL_INIT;
	struct buf before = BUF_INIT, report = BUF_INIT, hb = BUF_INIT;
	const char *agent = NULL, *dir = NULL, *profile = "none";
	const char *state = NULL;
	FILE *trace = NULL;
	long fetched = 0, pushed = 0, interval;
	int c, changed = 0, beats = 0, heard;

	version_option(argc, argv);
	while ((c = getopt_long(argc, argv, "a:C:hqv", longopts, NULL)) != -1)
		switch (c) {
		case 'a': agent = optarg; break;
		case 'C': dir = optarg; break;
		case 'h': usage(stdout, EX_OK); break;
		case 'q': t.quiet = 1; break;
		case 'S':
			if (presence_check_state(optarg) == -1)
				errx(EX_USAGE, "--state: %s", bus_error());
			state = optarg;
			break;
		case 'v': trace = stderr; break;
		default: usage(stderr, EX_USAGE);
		}
	if (optind != argc)
		usage(stderr, EX_USAGE);

	tool_open(&t, dir, agent, trace);
	if (heartbeat_interval(&t.st, &interval) == -1 ||
	    station_tips(&t.st) == -1)
		tool_fail(&t);
	tip_copy(&before, &t.st.tip_remote);
	tool_sync(&t, 0);
	if (t.away.len == 0 && station_tips(&t.st) == 0)
		fetched = sync_count(&t.st, before.s, t.st.tip_remote.s);
	if ((heard = heartbeat_read(&t.st)) == -1 || (t.st.profile != NULL &&
	    profile_sync(&t.st, t.st.profile, t.st.merger, 0, &report,
	    &changed) == -1) ||
	    (beats = heartbeat_send(&t.st, interval, state)) == -1 ||
	    presence_pending(&t.st) == -1)
		tool_fail(&t);
	if (t.st.profile != NULL)
		profile = changed & 2 ? "updated" : changed & 1 ? "taken" :
		    "unchanged";
	if (t.away.len == 0 && station_tips(&t.st) == 0)
		pushed = sync_count(&t.st, t.st.tip_remote.s, t.st.tip_local.s);
	tool_push(&t);
	if (beats > 0)
		buf_addf(&hb, ", heartbeat sent");
	if (heard > 0)
		buf_addf(&hb, ", %d heartbeat%s read", heard,
		    heard == 1 ? "" : "s");
	if (!t.quiet)
		printf("fetched %ld commit%s, pushed %ld, profile %s%s\n",
		    fetched, fetched == 1 ? "" : "s", t.status == 0 ? pushed :
		    0, profile, hb.s != NULL ? hb.s : "");
	buf_free(&before);
	buf_free(&report);
	buf_free(&hb);
	return tool_finish(&t);
}
