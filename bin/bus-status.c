/*
 * bus-status: what happened to the messages this agent sent, and how
 * the other agents are doing (SPEC section 5).
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "json.h"
#include "station.h"
#include "common/tool.h"

#define SINCE_DEFAULT	(7 * 24 * 60 * 60)

static const char *const state_names[] = {
	"unknown", "queued", "delivered", "read", "acked", "refused"
};

static struct station	 st;
static struct status	*asked;		/* the messages to report */
static size_t		 nasked;
static int		 text, status = EX_OK;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-status [-nqvz] [-a agent] [-C dir] [-f json|text] "
	    "[--since time] [--type type] [id ... | -]\n", fp);
	exit(code);
}

static void
ask(const char *id, void *arg)
{
	(void)arg;
	if (!valid_id(id, strlen(id))) {
		warnx("%s: not a message id", id);
		status = FAIL_DATA;
		return;
	}
	if ((asked = reallocarray(asked, nasked + 1, sizeof(*asked))) == NULL)
		err(70, "reallocarray");
	memset(&asked[nasked], 0, sizeof(*asked));
	asked[nasked++].id = xstrdup(id);
}

/*
 * --since: a time (YYYY-MM-DDTHH:MM:SSZ), a day (YYYY-MM-DD, from its
 * start) or an age: a number and s, m, h, d or w.
 */
static void
parse_since(const char *arg, char *since, size_t size)
{
	static const char units[] = "smhdw";
	static const long secs[] = { 1, 60, 3600, 86400, 7 * 86400 };
	const char *u;
	char *end;
	long n;

	if (valid_ts(arg, strlen(arg))) {
		strlcpy(since, arg, size);
		return;
	}
	if (valid_day(arg, strlen(arg))) {
		snprintf(since, size, "%sT00:00:00Z", arg);
		return;
	}
	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || n < 0 || end[0] == '\0' ||
	    end[1] != '\0' || (u = strchr(units, end[0])) == NULL ||
	    n > 100L * 365 * 86400 / secs[u - units])
		errx(EX_USAGE, "--since %s: not a time, a day or an age "
		    "like 12h or 7d", arg);
	if (msg_ts(since, size, time(NULL) - n * secs[u - units]) == -1)
		errx(EX_SOFTWARE, "%s", bus_error());
}

/* The record's lines for the asked ids: their recipient and time. */
struct want {
	size_t		 left;		/* asked ids not yet found */
	char		 oldest[21];	/* no generated id is older */
};

static int
from_record(const struct sent *s, void *arg)
{
	struct want *w = arg;
	size_t i;

	for (i = 0; i < nasked; i++)
		if (asked[i].to == NULL && strcmp(asked[i].id, s->id) == 0) {
			asked[i].to = xstrdup(s->to);
			asked[i].ts = xstrdup(s->ts);
			w->left--;
		}
	/* nothing older can hold what is left */
	return w->left == 0 || (*w->oldest != '\0' &&
	    ts_cmp(s->ts, w->oldest) < 0);
}

/* The latest sends since since, of type only (or all but heartbeats). */
struct recent {
	const char	*since;
	const char	*type;
};

static int
recent_sends(const struct sent *s, void *arg)
{
	struct recent *r = arg;

	if (ts_cmp(s->ts, r->since) < 0)
		return 1;
	if (r->type != NULL ? strcmp(s->type, r->type) != 0 :
	    strcmp(s->type, "heartbeat") == 0)
		return 0;
	ask(s->id, NULL);
	asked[nasked - 1].to = xstrdup(s->to);
	asked[nasked - 1].ts = xstrdup(s->ts);
	return 0;
}

/* Where the record stops helping: a day before the oldest generated id. */
static void
oldest_asked(char *oldest)
{
	char ts[21], from[33];
	size_t i;

	*oldest = '\0';
	for (i = 0; i < nasked; i++) {
		if (!msg_id_parse(asked[i].id, ts, from)) {
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

/*
 * The record is the station's: in a station shared by two agents, the
 * listing keeps the messages the agent asked about sent.
 */
static void
keep_own(void)
{
	size_t i, k = 0;

	for (i = 0; i < nasked; i++) {
		if (asked[i].from != NULL && strcmp(asked[i].from, st.agent)
		    != 0)
			status_free_one(&asked[i]);
		else
			asked[k++] = asked[i];
	}
	nasked = k;
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

static void
put_message(struct buf *out, const struct status *s)
{
	char shortid[13];

	if (!text) {
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
		return;
	}
	/* ids, agent names, times and commit names are of a safe alphabet */
	buf_addf(out, "%-9s  %-42s  %-10s", state_names[s->state], s->id,
	    s->to != NULL ? s->to : "?");
	switch (s->state) {
	case STATE_QUEUED:
		buf_adds(out, "  in this station only");
		break;
	case STATE_DELIVERED:
		buf_adds(out, "  in the inbox on the hub");
		break;
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
put_agent(struct buf *out, const struct agent_status *a)
{
	if (!text) {
		buf_adds(out, "{\"agent\":");
		json_put_string(out, a->agent, strlen(a->agent));
		buf_addf(out, ",\"unread\":%zu", a->unread);
		put_json_field(out, "seen", *a->seen ? a->seen : NULL);
		put_json_field(out, "heartbeat",
		    *a->heartbeat ? a->heartbeat : NULL);
		buf_adds(out, "}\n");
		return;
	}
	buf_addf(out, "%-32s  %6zu  %-24s  %s\n", a->agent, a->unread,
	    *a->seen ? a->seen : "-", *a->heartbeat ? a->heartbeat : "-");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "no-fetch", no_argument, NULL, 'n' },
		{ "since", required_argument, NULL, 'S' },
		{ "type", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf out = BUF_INIT;
	struct agent_status *as = NULL;
	struct recent recent;
	struct want want;
	const char *agent = NULL, *dir = NULL, *type = NULL;
	char since[32];
	FILE *trace = NULL;
	size_t i, nas = 0;
	int c, nofetch = 0, qflag = 0, zflag = 0, listing, unknown = 0;

	if (msg_ts(since, sizeof(since), time(NULL) - SINCE_DEFAULT) == -1)
		errx(EX_SOFTWARE, "%s", bus_error());
	while ((c = getopt_long(argc, argv, "a:C:f:hnqvz", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a':
			agent = optarg;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				text = 0;
			else if (strcmp(optarg, "text") == 0)
				text = 1;
			else
				errx(EX_USAGE, "-f %s: not json or text",
				    optarg);
			break;
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'n':
			nofetch = 1;
			break;
		case 'q':
			qflag = 1;
			break;
		case 'S':
			parse_since(optarg, since, sizeof(since));
			break;
		case 'T':
			if (!valid_type(optarg, strlen(optarg)))
				errx(EX_USAGE, "--type %s: not a type", optarg);
			type = optarg;
			break;
		case 'v':
			trace = stderr;
			break;
		case 'z':
			zflag = 1;
			break;
		default:
			usage(stderr, EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	listing = argc == 0;

	if (station_open(&st, dir, agent, 1, trace) == -1)
		tool_fail(&st);
	tool_guard(&st);
	if (argc == 1 && strcmp(argv[0], "-") == 0) {
		if (read_operands(stdin, zflag, ask, NULL) == -1)
			tool_fail(&st);
	} else
		for (i = 0; i < (size_t)argc; i++)
			ask(argv[i], NULL);
	if (station_lock(&st) == -1)
		tool_fail(&st);
	if (!nofetch) {
		c = tool_sync(&st, qflag);
		if (status == EX_OK)
			status = c;
	}

	if (listing) {
		recent.since = since;
		recent.type = type;
		if (sent_scan(&st, recent_sends, &recent) == -1)
			tool_fail(&st);
		/* the record is newest first; report oldest first */
		for (i = 0; i < nasked / 2; i++) {
			struct status t = asked[i];

			asked[i] = asked[nasked - 1 - i];
			asked[nasked - 1 - i] = t;
		}
	} else if (nasked > 0) {
		want.left = nasked;
		oldest_asked(want.oldest);
		if (sent_scan(&st, from_record, &want) == -1)
			tool_fail(&st);
	}
	if (status_lookup(&st, asked, nasked) == -1)
		tool_fail(&st);
	if (listing && status_agents(&st, since, &as, &nas) == -1)
		tool_fail(&st);
	if (listing)
		keep_own();
	status = tool_finish(&st, status, qflag);

	for (i = 0; i < nasked; i++) {
		if (asked[i].state == STATE_NONE && !listing) {
			warnx("%s: no such message", asked[i].id);
			unknown = 1;
			continue;
		}
		if (text && out.len == 0)
			buf_addf(&out, "%-9s  %-42s  %-10s  %s\n", "STATE",
			    "ID", "TO", "EVIDENCE");
		put_message(&out, &asked[i]);
	}
	if (text && nas > 0)
		buf_addf(&out, "%s%-32s  %6s  %-24s  %s\n", out.len > 0 ? "\n" :
		    "", "AGENT", "UNREAD", "SEEN", "HEARTBEAT");
	for (i = 0; i < nas; i++)
		put_agent(&out, &as[i]);
	fwrite(out.s != NULL ? out.s : "", 1, out.len, stdout);
	if (fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	if (unknown && status == EX_OK)
		status = FAIL_NOMSG;
	status_free(asked, nasked);
	free(as);
	buf_free(&out);
	return status;
}
