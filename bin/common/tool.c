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
 * Report the library's error and exit with its status, after bringing
 * the work tree along for what did happen (the branch may have moved).
 */
void
tool_fail(struct station *st)
{
	station_abort(st);
	errx(bus_errclass(), "%s", bus_error());
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
