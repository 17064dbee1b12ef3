/*
 * tool.c: what the tools that work in a station share in main(): on
 * every way out, the work tree shows what did happen to the branch.
 */
#include "config.h"

#include <err.h>
#include <stdlib.h>

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
