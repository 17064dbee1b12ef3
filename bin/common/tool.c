/*
 * tool.c: the one way a tool works in a station, from main():
 *
 *	tool_open()	open the station, take its lock
 *	tool_sync()	fetch and integrate (and push what was queued)
 *	...		the tool's own work, committed in the station
 *	tool_push()	the work tree brought along, the push
 *	tool_finish()	what the work tree did not get reported, closed
 *
 * Whether a failure at each step stops the tool or lets it go on from
 * the station, and the exit status it ends with, is policy.c's table.
 * The work tree is brought along for what did happen to the branch on
 * every way out: tool_push(), tool_finish(), tool_fail(), and an exit
 * handler for the errx() of a main.
 */
#include "config.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

static struct tool *guarded;

/* Bring t's work tree along on a way out: its errors are secondary. */
static void
flush_held(struct tool *t)
{
	bus_errhold();
	station_flush(&t->st);
	bus_errrelease();
}

static void
flush_guarded(void)
{
	if (guarded != NULL)
		flush_held(guarded);
}

/* Say each line of b, after prefix and before suffix. */
static void
say_lines(const char *prefix, const struct buf *b, const char *suffix)
{
	const char *line, *nl;

	for (line = b->s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1)
		warnx("%s%.*s%s", prefix, (int)(nl - line), line, suffix);
}

/*
 * Say which entries of the hub's tree the work tree did not get (see
 * worktree.c): a refused one is an error, an unknown one a warning
 * (left out when quiet).  Returns whether anything was refused.
 */
static int
report_unwritten(struct tool *t)
{
	struct station *st = &t->st;
	int refused = st->refused.len > 0;

	if (!t->quiet)
		say_lines("warning: ", &st->skipped, "; skipped");
	say_lines("warning: ", &st->noted, "");
	say_lines("", &st->refused, "; not written");
	if (refused)
		warnx("the hub's tree holds entries no station writes; once "
		    "a commit on the hub removes them, nothing more is said");
	say_lines("", &st->unverified, "");
	if (st->unverified.len > 0) {
		warnx("fetched commits failed verification "
		    "(bus.requireSigned); the messages they add to inbox-%s "
		    "are not shown", st->agent);
		refused = 1;
	}
	buf_reset(&st->skipped);
	buf_reset(&st->noted);
	buf_reset(&st->refused);
	buf_reset(&st->unverified);
	return refused;
}

/*
 * Bring the work tree along for what happened to the branch.  When it
 * cannot be (git's index.lock held, say), the branch is right all the
 * same and the journal left behind lets the next bus command finish
 * the job (worktree.c), so the tool says so and goes on.
 */
static void
flush(struct tool *t)
{
	if (station_flush(&t->st) == -1 && !t->quiet)
		warnx("%s; the next bus command brings the work tree along",
		    bus_error());
}

/*
 * Report the library's error and exit with its status, after bringing
 * the work tree along for what did happen (the branch may have moved).
 */
void
tool_fail(struct tool *t)
{
	if (t->on_fail != NULL) {
		bus_errhold();
		t->on_fail();
		bus_errrelease();
	}
	flush_held(t);
	report_unwritten(t);
	errx(bus_errclass(), "%s", bus_error());
}

/*
 * Apply policy.c to what happened at stage (failed: the library's
 * error says what): stop, or note it and go on from the station.  A
 * hub away is a note that -q leaves out; what the hub refused is an
 * error, said always.
 */
static void
apply(struct tool *t, enum policy_stage stage, int failed)
{
	struct policy p = policy_decide(stage, failed ? bus_errclass() : 0);

	if (!p.go_on)
		tool_fail(t);
	t->status = policy_worse(t->status, p.status);
	if (failed && (p.status == EX_TEMPFAIL ||
	    p.status == EX_UNAVAILABLE) && t->away.len == 0)
		buf_adds(&t->away, bus_error());
	if (failed && (!t->quiet || p.status != EX_TEMPFAIL))
		warnx("%s%s%s", bus_error(), p.note != NULL ? "; " : "",
		    p.note != NULL ? p.note : "");
}

/*
 * Open the station at dir (NULL: the usual search) for agent and take
 * its lock; a station that another command holds is a failure
 * (EX_TEMPFAIL) like any other.
 */
void
tool_open(struct tool *t, const char *dir, const char *agent, FILE *trace)
{
	if (station_open(&t->st, dir, agent, 1, trace) == -1)
		tool_fail(t);
	guarded = t;
	atexit(flush_guarded);
	if (station_lock(&t->st) == -1)
		apply(t, POLICY_LOCK, 1);
}

/*
 * The sync before the work: fetch, integrate the hub's news, and with
 * push also push what the station queued (a tool that pushes its own
 * work afterwards pushes the queue with it).  The work tree follows
 * for a tool that reads; a tool that writes brings it along once, for
 * both moves of the branch, at tool_push().
 */
void
tool_sync(struct tool *t, int push)
{
	int failed;

	failed = sync_fetch(&t->st) == -1 || sync_integrate(&t->st) == -1 ||
	    (push && sync_push(&t->st) == -1);
	apply(t, POLICY_SYNC, failed);
	if (push)
		flush(t);
}

/*
 * The push of the work committed: the work tree first, so that it
 * shows the commit however long the push takes.  A hub that was away
 * at the sync, or that will never take it, is not tried again: the
 * work waits in the station.  A beat that bus-sync has pending goes
 * with the branch's push, or after it on its own (sync.c).
 */
void
tool_push(struct tool *t)
{
	flush(t);
	if (t->away.len > 0) {
		if (!t->quiet || t->status == EX_UNAVAILABLE)
			warnx("%s", policy_decide(POLICY_PUSH,
			    t->status == EX_UNAVAILABLE ? EX_UNAVAILABLE :
			    EX_TEMPFAIL).note);
		return;
	}
	apply(t, POLICY_PUSH, sync_push(&t->st) == -1);
	if (t->away.len == 0)
		apply(t, POLICY_PUSH, sync_push_beat(&t->st) == -1);
}

/*
 * Wait until the hub's branch moves, then sync as tool_sync() does:
 * returns 1 then, 0 once the time end (0: never) has come.  The lock
 * is let go between polls, so the agent's other commands run; while
 * the hub cannot be reached the status is 75, until it answers again
 * (what was refused stays refused).
 */
int
tool_wait(struct tool *t, time_t end)
{
	unsigned int pause = 1;
	int moved;

	for (;;) {
		station_unlock(&t->st);
		if (end != 0 && time(NULL) >= end)
			return 0;
		sleep(end != 0 && time(NULL) + pause > end ?
		    (unsigned int)(end - time(NULL)) : pause);
		if (pause < 8)
			pause *= 2;
		if (station_lock(&t->st) == -1)
			apply(t, POLICY_LOCK, 1);
		if ((moved = sync_hub_moved(&t->st)) == -1)
			t->status = policy_worse(t->status, EX_TEMPFAIL);
		if (moved == 1) {
			/* the hub answers again: what was away is not */
			if (t->status == EX_TEMPFAIL)
				t->status = 0;
			buf_reset(&t->away);
			tool_sync(t, 1);
			return 1;
		}
	}
}

/*
 * The end of a tool that worked in a station: the work tree brought
 * along, what it did not get reported, the station closed.  Returns
 * the exit status: a tree holding entries no station writes makes it
 * 65 (invalid data) unless worse happened.
 */
int
tool_finish(struct tool *t)
{
	flush(t);
	if (report_unwritten(t))
		t->status = policy_worse(t->status, EX_DATAERR);
	guarded = NULL;
	station_close(&t->st);
	buf_free(&t->away);
	return t->status;
}
