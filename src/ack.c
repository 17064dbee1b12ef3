/*
 * ack.c: what bus-ack stages: read messages moved from the agent's
 * inbox to its archive, and the acks that answer them.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "station.h"

/* Stage an "ack" reply to m from the station's agent. */
static int
stage_reply(struct station *st, const struct msg *m, const struct buf *agents,
    time_t now, struct changes *c, struct buf *replies)
{
	struct msg ack;

	if (!agent_listed(agents, m->from)) {
		bus_seterr("inbox-%s: no such agent to reply to", m->from);
		bus_setclass(EX_NOUSER);
		return -1;
	}
	if (msg_new(&ack, st->agent, m->from, "ack", "", 0, m->id, NULL,
	    now) == -1 || station_stage(st, &ack, c) == -1)
		return -1;
	buf_addf(replies, "%s\n", ack.id);
	msg_free(&ack);
	return 0;
}

/* Why id, not in the inbox, cannot be acked: bad names its invalid files. */
static int
not_in_inbox(struct station *st, const char *id, const struct buf *bad)
{
	struct buf path = BUF_INIT;
	int r;

	buf_addf(&path, "inbox-%s/%s.json", st->agent, id);
	if (strstr(bad->s != NULL ? bad->s : "", path.s) != NULL) {
		bus_seterr("%s: not a valid message; it cannot be acked",
		    path.s);
		bus_setclass(EX_DATAERR);
		r = -1;
	} else if ((r = lookup_archived(st, st->agent, id)) == 0) {
		bus_seterr("%s: no such message in inbox-%s/ or archive-%s/",
		    id, st->agent, st->agent);
		bus_setclass(EX_NOINPUT);
		r = -1;
	} else if (r == 1)
		r = 0;		/* acked before: nothing to do */
	buf_free(&path);
	return r;
}

/*
 * Stage the move of each of the n ids from the inbox to the archive
 * (and with reply, an ack to its sender, its id a line of replies).
 * Every id is found first: all of them are staged, or none.  An id
 * already in the archive is no error.  Returns how many moved, or -1.
 */
int
ack_stage(struct station *st, const char *const *ids, size_t n,
    int reply, struct changes *c, struct buf *replies)
{
	struct buf box = BUF_INIT, bad = BUF_INIT, agents = BUF_INIT;
	struct inbox in = { NULL, 0, 0 };
	time_t now = time(NULL);
	size_t i, k;
	int moved = -1;

	buf_addf(&box, "inbox-%s", st->agent);
	if ((reply && station_agents(st, &agents) == -1) ||
	    station_read_dir(st, box.s, &in, &bad) == -1)
		goto out;
	for (i = 0, moved = 0; i < n && moved != -1; i++) {
		for (k = 0; k < in.n; k++)
			if (strcmp(in.msgs[k].m.id, ids[i]) == 0)
				break;
		if (k == in.n) {
			if (not_in_inbox(st, ids[i], &bad) == -1)
				moved = -1;
			continue;
		}
		if (changes_has(c, in.msgs[k].path))
			continue;	/* named twice */
		station_archive(st, &in.msgs[k], c);
		moved++;
		if (reply && stage_reply(st, &in.msgs[k].m, &agents, now, c,
		    replies) == -1)
			moved = -1;
	}
out:
	inbox_free(&in);
	buf_free(&box);
	buf_free(&bad);
	buf_free(&agents);
	return moved;
}
