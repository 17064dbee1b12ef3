/*
 * tool.c: what the tools that work in a station share in main(): on
 * every way out, the work tree shows what did happen to the branch;
 * a reading tool answers from the station when the hub is away.
 */
#include "config.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static struct station *guarded;

static void
flush_guarded(void)
{
	if (guarded != NULL)
		station_flush(guarded);
}

/* However the tool exits from now on, flush st's work tree first. */
void
tool_guard(struct station *st)
{
	guarded = st;
	atexit(flush_guarded);
}

/*
 * Say which entries of the hub's tree the work tree did not get (see
 * station.c checkout): a refused one is an error, an unknown one a
 * warning.  Returns whether anything was refused.
 */
static int
report_unwritten(struct station *st, int quiet)
{
	const char *line, *nl;
	int refused = st->refused.len > 0;

	for (line = st->skipped.s; !quiet && line != NULL &&
	    (nl = strchr(line, '\n')) != NULL; line = nl + 1)
		warnx("warning: %.*s; skipped", (int)(nl - line), line);
	for (line = st->refused.s; line != NULL &&
	    (nl = strchr(line, '\n')) != NULL; line = nl + 1)
		warnx("%.*s; not written", (int)(nl - line), line);
	if (refused)
		warnx("the hub's tree holds entries no station writes; once "
		    "a commit on the hub removes them, nothing more is said");
	for (line = st->unverified.s; line != NULL &&
	    (nl = strchr(line, '\n')) != NULL; line = nl + 1)
		warnx("%.*s", (int)(nl - line), line);
	if (st->unverified.len > 0) {
		warnx("fetched commits failed verification "
		    "(bus.requireSigned); the messages they add to inbox-%s "
		    "are not shown", st->agent);
		refused = 1;
	}
	buf_reset(&st->skipped);
	buf_reset(&st->refused);
	buf_reset(&st->unverified);
	return refused;
}

/*
 * Report the library's error and exit with its status, after bringing
 * the work tree along for what did happen (the branch may have moved).
 */
void
tool_fail(struct station *st)
{
	station_abort(st);
	report_unwritten(st, 0);
	errx(bus_errclass(), "%s", bus_error());
}

/*
 * The end of a tool that worked in a station: the work tree brought
 * along, what it did not get reported (quiet: only what is an error),
 * the station closed.  A tree
 * holding dangerous entries makes the status 65 (invalid data) unless
 * the tool already failed otherwise.
 */
int
tool_finish(struct station *st, int status, int quiet)
{
	if (station_flush(st) == -1)
		tool_fail(st);
	if (report_unwritten(st, quiet) &&
	    (status == 0 || status == FAIL_TEMP))
		status = FAIL_DATA;
	station_close(st);
	return status;
}

/*
 * The sync of a reading tool: when the hub cannot be reached, or
 * refuses what this station queued, go on from the station and say so.
 * Returns the exit status the tool ends with if nothing worse happens.
 */
int
tool_sync(struct station *st, int quiet)
{
	char msg[1024];
	enum bus_fail class;

	if (sync_all(st) == 0) {
		if (station_flush(st) == -1)
			tool_fail(st);
		return 0;
	}
	class = bus_errclass();
	strlcpy(msg, bus_error(), sizeof(msg));
	if (station_flush(st) == -1)
		tool_fail(st);
	if (class != FAIL_TEMP && class != FAIL_DATA) {
		bus_seterr("%s", msg);
		bus_setclass(class);
		tool_fail(st);
	}
	if (!quiet)
		warnx("%s; answering from the station", msg);
	return class;
}
