/*
 * policy.c: what a tool does when its talk with the hub fails, and
 * which exit status it ends with.  One table for every tool, so that
 * the same station state gives the same status whichever tool meets
 * it (bus(7), EXIT STATUS).
 *
 * A tool meets the hub at three points: taking the station's lock,
 * the sync before its work (fetch, integrate, push what was queued)
 * and the push of the work it committed.  What failed is said by the
 * error's kind: EX_TEMPFAIL the hub could not be reached or kept moving
 * (or, at the lock, another command holds the station); EX_UNAVAILABLE
 * the hub answered and will never take this (no such repository,
 * access denied); EX_DATAERR the hub's hook refused a commit, which was
 * set aside, or a commit of the station no longer applies on the hub's
 * tip and stays queued.  In each case the station holds a consistent
 * branch, so the tool goes on from it; any other kind stops the tool.
 */
#include "config.h"

#include "station.h"

/*
 * The verdict on one failure (class 0: none) at stage.  The note goes
 * after the error's message when the tool goes on and says so.
 */
struct policy
policy_decide(enum policy_stage stage, int class)
{
	struct policy p = { 1, 0, NULL };

	if (class == 0)
		return p;
	p.status = class;
	if (stage == POLICY_LOCK || (class != EX_TEMPFAIL &&
	    class != EX_UNAVAILABLE && class != EX_DATAERR)) {
		p.go_on = 0;
		return p;
	}
	if (stage == POLICY_SYNC)
		p.note = "going on from the station";
	else if (class == EX_TEMPFAIL)
		p.note = "the work is committed here and the next command "
		    "that syncs pushes it";
	else if (class == EX_UNAVAILABLE)
		p.note = "the work is committed here; once the hub takes it "
		    "(see bus.remote and its URL), the next command that "
		    "syncs pushes it";
	return p;
}

/*
 * The rank of an exit status among those a tool that goes on can
 * gather: nothing wrong, nothing found (1, as bus-recv --wait says),
 * the hub away, the hub that will never take it, something refused.
 */
static int
rank(int status)
{
	switch (status) {
	case 0:
		return 0;
	case 1:
		return 1;
	case EX_TEMPFAIL:
		return 2;
	case EX_UNAVAILABLE:
		return 3;
	case EX_DATAERR:
		return 4;
	default:
		return 5;
	}
}

/*
 * The status a tool ends with after two outcomes: what was refused
 * weighs more than a hub that will never take the work, which weighs
 * more than a hub away, which weighs more than nothing found.
 */
int
policy_worse(int a, int b)
{
	return rank(b) > rank(a) ? b : a;
}
