/*
 * bus-gc: drop this agent's archive days older than a bound from the
 * bus branch's tip tree, in one commit (SPEC sections 2 and 5).
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "station.h"
#include "common/tool.h"
#include "common/version.h"

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-gc [-nqv] [-a agent] [-C dir] [--dry-run] "
	    "-k days | --keep days\n"
	    "       bus-gc --version\n", fp);
	exit(code);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "keep", required_argument, NULL, 'k' },
		{ "no-fetch", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct tool t = TOOL_INIT;
	struct changes c = CHANGES_INIT;
	struct strvec days = STRVEC_INIT;
	struct buf msg = BUF_INIT, tip = BUF_INIT;
	const char *agent = NULL, *dir = NULL, *keep = NULL, *why;
	FILE *trace = NULL;
	char cutoff[11];
	long kept;
	size_t i;
	int ch, dryrun = 0, nofetch = 0;

	version_option(argc, argv);
	while ((ch = getopt_long(argc, argv, "a:C:hk:nqv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a': agent = optarg; break;
		case 'C': dir = optarg; break;
		case 'D': dryrun = 1; break;
		case 'h': usage(stdout, EX_OK); break;
		case 'k': keep = optarg; break;
		case 'n': nofetch = 1; break;
		case 'q': t.quiet = 1; break;
		case 'v': trace = stderr; break;
		default: usage(stderr, EX_USAGE);
		}
	}
	if (optind != argc || keep == NULL)
		usage(stderr, EX_USAGE);
	if (parse_days(keep, &kept, &why) == -1)
		errx(EX_USAGE, "--keep %s: %s (a number of days, 0 to %d)",
		    keep, why, KEEP_DAYS_MAX);
	if (day_before(cutoff, time(NULL), kept) == -1)
		errx(EX_SOFTWARE, "%s", bus_error());

	tool_open(&t, dir, agent, trace);
	if (!nofetch)
		tool_sync(&t, 0);
	if (gc_days(&t.st, cutoff, &days) == -1)
		tool_fail(&t);
	if (days.n > 0 && !dryrun) {
		buf_addf(&msg, "bus-gc: %zu day%s of archive-%s before %s "
		    "removed\n", days.n, days.n == 1 ? "" : "s", t.st.agent,
		    cutoff);
		if (gc_stage(&t.st, &days, &c) == -1 ||
		    station_commit(&t.st, &c, msg.s, &tip) == -1)
			tool_fail(&t);
	}
	for (i = 0; i < days.n && !t.quiet; i++)
		if (printf("%s\n", days.v[i]) < 0)
			err(EX_IOERR, "stdout");
	if (fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	if (days.n > 0 && !dryrun)
		tool_push(&t);
	changes_free(&c);
	strvec_clear(&days);
	buf_free(&msg);
	buf_free(&tip);
	return tool_finish(&t);
}
