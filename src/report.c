/*
 * report.c: bus-status's question and answer: which sent messages to
 * report (the asked ids, or the latest sends, found in the station's
 * record: sent.c), and the answer written as NDJSON or as a table.
 * What became of each message is status.c's.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "station.h"

static const char *const state_names[] = {
	"unknown", "queued", "delivered", "read", "acked", "refused"
};

void
report_ask(struct report *r, const char *id)
{
	r->asked = xreallocarray(r->asked, r->n + 1, sizeof(*r->asked));
	memset(&r->asked[r->n], 0, sizeof(*r->asked));
	r->asked[r->n++].id = xstrdup(id);
}

void
report_free(struct report *r)
{
	size_t i;

	status_free(r->asked, r->n);
	for (i = 0; i < r->nagents; i++)
		free(r->agents[i].state);
	free(r->agents);
	buf_free(&r->bad);
	memset(r, 0, sizeof(*r));
}

/*
 * --since or --until (opt): a time (YYYY-MM-DDTHH:MM:SSZ), a day
 * (YYYY-MM-DD: from its start, or with until to its end) or an age: a
 * number and s, m, h, d or w.  Into ts[size].
 */
int
report_time(const char *opt, const char *arg, int until, char *ts,
    size_t size)
{
	static const char units[] = "smhdw";
	static const long secs[] = { 1, 60, 3600, 86400, 7 * 86400 };
	const char *u;
	char *end;
	long n;

	if (valid_ts(arg, strlen(arg))) {
		strlcpy(ts, arg, size);
		return 0;
	}
	if (valid_day(arg, strlen(arg))) {
		/* the end of a day: its last second, a leap second too */
		snprintf(ts, size, "%sT%sZ", arg, until ? "23:59:60.999999999" :
		    "00:00:00");
		return 0;
	}
	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || n < 0 || end[0] == '\0' ||
	    end[1] != '\0' || (u = strchr(units, end[0])) == NULL ||
	    n > 100L * 365 * 86400 / secs[u - units]) {
		bus_seterr("%s %s: not a time, a day or an age like 12h or 7d",
		    opt, arg);
		bus_setclass(EX_USAGE);
		return -1;
	}
	return msg_ts(ts, size, time(NULL) - n * secs[u - units]);
}

/* What the record scan for the asked ids needs. */
struct want {
	struct report	*r;
	size_t		 left;		/* asked ids not yet found */
	char		 oldest[21];	/* no generated id is older */
};

/* The record's lines for the asked ids: their recipient and time. */
static int
from_record(const struct sent *s, void *arg)
{
	struct want *w = arg;
	struct status *a = w->r->asked;
	size_t i;

	for (i = 0; i < w->r->n; i++)
		if (a[i].to == NULL && strcmp(a[i].id, s->id) == 0) {
			a[i].to = xstrdup(s->to);
			a[i].ts = xstrdup(s->ts);
			w->left--;
		}
	/* nothing older can hold what is left */
	return w->left == 0 || (*w->oldest != '\0' &&
	    ts_cmp(s->ts, w->oldest) < 0);
}

/* Where the record stops helping: a day before the oldest generated id. */
static void
oldest_asked(const struct report *r, char *oldest)
{
	char ts[21], from[33];
	size_t i;

	*oldest = '\0';
	for (i = 0; i < r->n; i++) {
		if (!msg_id_parse(r->asked[i].id, ts, from)) {
			*oldest = '\0';
			return;
		}
		if (i == 0 || ts_cmp(ts, oldest) < 0)
			strlcpy(oldest, ts, 21);
	}
	if (*oldest != '\0' && msg_ts(oldest, 21, ts_time(oldest) -
	    24 * 60 * 60) == -1)
		*oldest = '\0';
}

/* The latest sends since since, of type only (or all but heartbeats). */
struct recent {
	struct report	*r;
	const char	*since;
	const char	*type;
};

static int
recent_sends(const struct sent *s, void *arg)
{
	struct recent *rc = arg;
	struct status *a;

	if (ts_cmp(s->ts, rc->since) < 0)
		return 1;
	if (rc->type != NULL ? strcmp(s->type, rc->type) != 0 :
	    strcmp(s->type, "heartbeat") == 0)
		return 0;
	report_ask(rc->r, s->id);
	a = &rc->r->asked[rc->r->n - 1];
	a->to = xstrdup(s->to);
	a->ts = xstrdup(s->ts);
	return 0;
}

/*
 * The record is the station's: in a station shared by two agents, the
 * listing keeps the messages the agent asked about sent.
 */
static void
keep_own(struct report *r, const char *agent)
{
	size_t i, k = 0;

	for (i = 0; i < r->n; i++) {
		if (r->asked[i].from != NULL && strcmp(r->asked[i].from,
		    agent) != 0)
			status_free_one(&r->asked[i]);
		else
			r->asked[k++] = r->asked[i];
	}
	r->n = k;
}

/*
 * Find out what became of the asked messages; with no id asked, of the
 * latest sends since since (of type only, or all but heartbeats), oldest
 * first, and how the agents are: with their presence (presence.c).
 */
int
report_gather(struct report *r, struct station *st, const char *since,
    const char *type)
{
	struct recent rc = { r, since, type };
	struct want want = { r, r->n, "" };
	size_t i;

	if ((r->listing = r->n == 0)) {
		if (sent_scan(st, recent_sends, &rc) == -1)
			return -1;
		/* the record is newest first; report oldest first */
		for (i = 0; i < r->n / 2; i++) {
			struct status swap = r->asked[i];

			r->asked[i] = r->asked[r->n - 1 - i];
			r->asked[r->n - 1 - i] = swap;
		}
	} else {
		oldest_asked(r, want.oldest);
		if (sent_scan(st, from_record, &want) == -1)
			return -1;
	}
	if (status_lookup(st, r->asked, r->n) == -1)
		return -1;
	if (r->listing && (status_agents(st, since, &r->agents,
	    &r->nagents) == -1 || presence_gather(st, r->agents, r->nagents,
	    &r->bad) == -1))
		return -1;
	if (r->listing)
		keep_own(r, st->agent);
	return 0;
}

static void
put_json_field(struct buf *out, const char *key, const char *value)
{
	buf_addf(out, ",\"%s\":", key);
	if (value == NULL)
		buf_adds(out, "null");
	else
		json_put_string(out, value, strlen(value));
}

/* One message as an NDJSON line. */
static void
put_json(struct buf *out, const struct status *s)
{
	buf_adds(out, "{\"id\":");
	json_put_string(out, s->id, strlen(s->id));
	put_json_field(out, "to", s->to);
	put_json_field(out, "type", s->type);
	put_json_field(out, "ts", s->ts);
	put_json_field(out, "state", state_names[s->state]);
	put_json_field(out, "path", s->path);
	if (s->archived) {
		buf_adds(out, ",\"read\":{\"commit\":");
		if (s->read_commit != NULL)
			json_put_string(out, s->read_commit,
			    strlen(s->read_commit));
		else
			buf_adds(out, "null");
		put_json_field(out, "time", s->read_time);
		buf_addc(out, '}');
	}
	if (s->state == STATE_ACKED) {
		buf_adds(out, ",\"ack\":{\"id\":");
		json_put_string(out, s->ack_id, strlen(s->ack_id));
		put_json_field(out, "ts", s->ack_ts);
		put_json_field(out, "from", s->ack_from);
		buf_addc(out, '}');
	}
	if (s->state == STATE_REFUSED) {
		buf_adds(out, ",\"refused\":{\"commit\":");
		json_put_string(out, s->refused_commit,
		    strlen(s->refused_commit));
		put_json_field(out, "time", s->refused_time);
		put_json_field(out, "reason", s->refused_reason);
		buf_addc(out, '}');
	}
	buf_adds(out, "}\n");
}

/* One message as a line of the table. */
static void
put_text(struct buf *out, const struct status *s)
{
	char shortid[13];

	/* ids, agent names, times and commit names are of a safe alphabet */
	buf_addf(out, "%-9s  %-42s  %-10s", state_names[s->state], s->id,
	    s->to != NULL ? s->to : "?");
	switch (s->state) {
	case STATE_QUEUED: buf_adds(out, "  in this station only"); break;
	case STATE_DELIVERED: buf_adds(out, "  in the inbox on the hub"); break;
	case STATE_REFUSED:
		/* the reason is the hub's: made safe again, as it is printed */
		strlcpy(shortid, s->refused_commit, sizeof(shortid));
		buf_addf(out, "  refused by the hub %s (%s): ", s->refused_time,
		    shortid);
		text_safe(out, s->refused_reason, strlen(s->refused_reason));
		break;
	case STATE_READ:
	case STATE_ACKED:
		if (!s->archived)
			buf_adds(out, "  unread");
		else if (s->read_commit != NULL) {
			strlcpy(shortid, s->read_commit, sizeof(shortid));
			buf_addf(out, "  read %s (%s)", s->read_time, shortid);
		} else
			buf_adds(out, "  read");
		if (s->state == STATE_ACKED)
			buf_addf(out, ", acked %s (%s)", s->ack_ts, s->ack_id);
		break;
	default:
		buf_adds(out, "  neither in this station nor on the hub");
		break;
	}
	buf_addc(out, '\n');
}

static void
put_agent(struct buf *out, const struct agent_status *a, int text)
{
	if (!text) {
		buf_adds(out, "{\"agent\":");
		json_put_string(out, a->agent, strlen(a->agent));
		buf_addf(out, ",\"unread\":%zu", a->unread);
		put_json_field(out, "seen", *a->seen ? a->seen : NULL);
		put_json_field(out, "heartbeat",
		    *a->heartbeat ? a->heartbeat : NULL);
		put_json_field(out, "state", a->state);
		buf_adds(out, "}\n");
		return;
	}
	buf_addf(out, "%-32s  %6zu  %-24s  %-24s  ", a->agent, a->unread,
	    *a->seen ? a->seen : "-", *a->heartbeat ? a->heartbeat : "-");
	/* the state is the agent's words: made safe again, as printed */
	if (a->state != NULL)
		text_safe(out, a->state, strlen(a->state));
	else
		buf_addc(out, '-');
	buf_addc(out, '\n');
}

/*
 * The answer into out, as NDJSON or (text) as tables; an asked id
 * found nowhere is left out, and added to the NUL-separated missing.
 */
void
report_put(const struct report *r, int text, struct buf *out,
    struct buf *missing)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->asked[i].state == STATE_NONE && !r->listing) {
			buf_add(missing, r->asked[i].id,
			    strlen(r->asked[i].id) + 1);
			continue;
		}
		if (text && out->len == 0)
			buf_addf(out, "%-9s  %-42s  %-10s  %s\n", "STATE",
			    "ID", "TO", "EVIDENCE");
		(text ? put_text : put_json)(out, &r->asked[i]);
	}
	if (text && r->nagents > 0)
		buf_addf(out, "%s%-32s  %6s  %-24s  %-24s  %s\n", out->len > 0 ?
		    "\n" : "", "AGENT", "UNREAD", "SEEN", "HEARTBEAT", "STATE");
	for (i = 0; i < r->nagents; i++)
		put_agent(out, &r->agents[i], text);
}
