/*
 * heartbeat.c: when bus-sync beats (SPEC section 5): at most every
 * bus.heartbeat seconds, the beat itself being presence.c's, a ref on
 * the hub.  And the heartbeat messages that older stations still send
 * (one to every other agent), moved out of the way, into the archive,
 * where bus-status still finds them.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station.h"

/* bus.heartbeat as seconds into *interval; 0 when it is not set. */
int
heartbeat_interval(const struct station *st, long *interval)
{
	char *end;

	*interval = 0;
	if (st->heartbeat == NULL)
		return 0;
	errno = 0;
	*interval = strtol(st->heartbeat, &end, 10);
	if (errno != 0 || *end != '\0' || *interval <= 0) {
		bus_seterr("bus.heartbeat: \"%s\" is not a number of seconds",
		    st->heartbeat);
		bus_setclass(EX_USAGE);
		return -1;
	}
	return 0;
}

/*
 * A beat (presence_beat()), unless one went less than interval seconds
 * ago; with a state (not NULL), a beat now that sets it.  The time of
 * the last beat is kept in $GIT_DIR/bus-heartbeat.  Returns 1 when it
 * beat, 0 when none was due, or -1.
 */
int
heartbeat_send(struct station *st, long interval, const char *state)
{
	struct buf path = BUF_INIT, last = BUF_INIT, stamp = BUF_INIT;
	time_t now = time(NULL);
	int beat = 0;

	station_path(st, "bus-heartbeat", &path);
	if (state == NULL && (interval <= 0 || (file_read(path.s, &last,
	    64) == 0 && now - (time_t)atoll(last.s) < interval)))
		goto out;
	buf_addf(&stamp, "%lld\n", (long long)now);
	beat = presence_beat(st, state) == -1 ||
	    file_write_atomic(path.s, stamp.s, stamp.len, 0666) == -1 ? -1 : 1;
out:
	buf_free(&path);
	buf_free(&last);
	buf_free(&stamp);
	return beat;
}

/*
 * Heartbeats are for bus-status, not for the agent: move those in the
 * agent's inbox into its archive, where bus-status still finds them.
 * Returns how many were moved, or -1.
 */
int
heartbeat_read(struct station *st)
{
	struct buf box = BUF_INIT, bad = BUF_INIT, tip = BUF_INIT;
	struct changes c = CHANGES_INIT;
	struct inbox in = { NULL, 0, 0 };
	size_t i;
	int n = -1;

	buf_addf(&box, "inbox-%s", st->agent);
	if (station_read_dir(st, box.s, &in, &bad) == -1)
		goto out;
	for (i = 0, n = 0; i < in.n; i++)
		if (strcmp(in.msgs[i].m.type, "heartbeat") == 0) {
			station_archive(st, &in.msgs[i], &c);
			n++;
		}
	if (n > 0 && station_commit(st, &c, "bus-sync: heartbeats read\n",
	    &tip) == -1)
		n = -1;
out:
	inbox_free(&in);
	changes_free(&c);
	buf_free(&box);
	buf_free(&bad);
	buf_free(&tip);
	return n;
}
