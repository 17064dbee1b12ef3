/*
 * t-policy: the one table of what a tool does when its talk with the
 * hub fails (policy.c), and how outcomes add up to an exit status.
 * The table in bus(7), EXIT STATUS, says the same.
 */
#include "config.h"

#include <string.h>

#include "station.h"
#include "tap.h"

static const char *const stage_names[] = { "lock", "sync", "push" };

static void
decide(enum policy_stage stage, int class, int go_on, int status,
    const char *note)
{
	struct policy p = policy_decide(stage, class);

	ok(p.go_on == go_on && p.status == status && (note == NULL ?
	    p.note == NULL : p.note != NULL && strstr(p.note, note) != NULL),
	    "%s, error %d: %s with %d%s%s", stage_names[stage], class,
	    go_on ? "goes on" : "stops", status, note != NULL ? ", saying " :
	    "", note != NULL ? note : "");
}

int
main(void)
{
	/* the hub current or behind: nothing failed at any stage */
	decide(POLICY_LOCK, 0, 1, 0, NULL);
	decide(POLICY_SYNC, 0, 1, 0, NULL);
	decide(POLICY_PUSH, 0, 1, 0, NULL);

	/* lock race: another command holds the station; nothing is done */
	decide(POLICY_LOCK, EX_TEMPFAIL, 0, EX_TEMPFAIL, NULL);
	decide(POLICY_LOCK, EX_SOFTWARE, 0, EX_SOFTWARE, NULL);

	/* hub away (or lost every race): go on from the station, 75 */
	decide(POLICY_SYNC, EX_TEMPFAIL, 1, EX_TEMPFAIL, "from the station");
	decide(POLICY_PUSH, EX_TEMPFAIL, 1, EX_TEMPFAIL, "committed here");

	/* hub that will never take it (no such repository, access
	   refused): go on from the station, 69 */
	decide(POLICY_SYNC, EX_UNAVAILABLE, 1, EX_UNAVAILABLE,
	    "from the station");
	decide(POLICY_PUSH, EX_UNAVAILABLE, 1, EX_UNAVAILABLE,
	    "once the hub takes it");
	decide(POLICY_LOCK, EX_UNAVAILABLE, 0, EX_UNAVAILABLE, NULL);

	/* hub refusing: what it refused is set aside; go on, 65 */
	decide(POLICY_SYNC, EX_DATAERR, 1, EX_DATAERR, "from the station");
	decide(POLICY_PUSH, EX_DATAERR, 1, EX_DATAERR, NULL);

	/* anything else stops the tool with its own status */
	decide(POLICY_SYNC, EX_USAGE, 0, EX_USAGE, NULL);
	decide(POLICY_SYNC, EX_SOFTWARE, 0, EX_SOFTWARE, NULL);
	decide(POLICY_PUSH, EX_SOFTWARE, 0, EX_SOFTWARE, NULL);
	decide(POLICY_PUSH, EX_NOUSER, 0, EX_NOUSER, NULL);

	/* how outcomes add up */
	ok(policy_worse(0, 0) == 0, "nothing and nothing: 0");
	ok(policy_worse(0, 1) == 1 && policy_worse(1, 0) == 1,
	    "nothing found beats nothing wrong");
	ok(policy_worse(1, EX_TEMPFAIL) == EX_TEMPFAIL &&
	    policy_worse(EX_TEMPFAIL, 1) == EX_TEMPFAIL,
	    "the hub away beats nothing found");
	ok(policy_worse(EX_TEMPFAIL, EX_DATAERR) == EX_DATAERR &&
	    policy_worse(EX_DATAERR, EX_TEMPFAIL) == EX_DATAERR,
	    "something refused beats the hub away");
	ok(policy_worse(EX_TEMPFAIL, EX_UNAVAILABLE) == EX_UNAVAILABLE &&
	    policy_worse(EX_UNAVAILABLE, EX_TEMPFAIL) == EX_UNAVAILABLE,
	    "a hub that will never take it beats a hub away");
	ok(policy_worse(EX_UNAVAILABLE, EX_DATAERR) == EX_DATAERR &&
	    policy_worse(EX_DATAERR, EX_UNAVAILABLE) == EX_DATAERR,
	    "something refused beats a hub that will never take it");
	ok(policy_worse(EX_DATAERR, EX_SOFTWARE) == EX_SOFTWARE &&
	    policy_worse(EX_SOFTWARE, EX_TEMPFAIL) == EX_SOFTWARE,
	    "a failure that stops a tool beats all the rest");
	return done_testing();
}
