/*
 * bus-send: send messages to other agents (SPEC section 5).
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
#include <unistd.h>

#include "json.h"
#include "station.h"
#include "common/tool.h"

static struct station	 st;
static struct changes	 staged = CHANGES_INIT;
static struct buf	 ids = BUF_INIT;	/* one a line, to print */
static struct buf	 agents = BUF_INIT;	/* NUL-separated */
static struct buf	 offline = BUF_INIT;	/* why the hub is out of reach */
static struct buf	 chosen = BUF_INIT;	/* "where\0ref:path\0" of -i ids */
static int		 fetched, qflag;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-send [-qv] [-a agent] [-C dir] [-i id] [-r id] "
	    "[-t type] [--no-push] to[,to...] [body ...]\n"
	    "       bus-send [-qv] [-a agent] [-C dir] [-i id] [-r id] "
	    "[-t type] [--no-push] --all [body ...]\n"
	    "       bus-send [-qv] [-a agent] [-C dir] [--no-push] --batch\n",
	    fp);
	exit(code);
}

/*
 * Is to an agent on the bus?  An agent that joined since our last
 * fetch is found by fetching once.
 */
static int
known(const char *to)
{
	if (agent_listed(&agents, to))
		return 1;
	if (offline.len > 0)
		errx(FAIL_TEMP, "inbox-%s: not known here, and %s", to,
		    offline.s);
	if (!fetched) {
		fetched = 1;
		if (sync_fetch(&st) == -1) {
			if (bus_errclass() == FAIL_TEMP)
				errx(FAIL_TEMP, "inbox-%s: not known here, and "
				    "%s", to, bus_error());
			tool_fail(&st);
		}
		if (sync_integrate(&st) == -1 ||
		    station_agents(&st, &agents) == -1)
			tool_fail(&st);
	}
	return agent_listed(&agents, to);
}

/*
 * Stage one message; the recipient must exist.  where names the
 * input line of a --batch message in errors ("stdin:3: "), or is "".
 */
static void
stage(const char *where, const char *to, const char *type, const char *body,
    size_t len, const char *re, const char *id, time_t now)
{
	struct msg m;

	if (!valid_agent(to, strlen(to)) || !known(to))
		errx(FAIL_AGENT, "%sinbox-%s: no such agent", where, to);
	if (msg_new(&m, st.agent, to, type, body, len, re, id, now) == -1 ||
	    station_stage(&st, &m, &staged) == -1)
		errx(bus_errclass(), "%s%s", where, bus_error());
	/* a chosen id may be taken: checked for all at once, later */
	if (id != NULL) {
		buf_add(&chosen, where, strlen(where) + 1);
		buf_addf(&chosen, "%s:%s", st.ref, staged.c[staged.n - 1].path);
		buf_addc(&chosen, '\0');
	}
	buf_addf(&ids, "%s\n", m.id);
	msg_free(&m);
}

/*
 * A message file is never replaced: refuse a chosen id that its
 * recipient's inbox holds already, all of them with one git call.
 */
static void
check_chosen(void)
{
	const char **names = NULL, **oids = NULL, **where = NULL, *p;
	static struct buf taken = BUF_INIT;	/* lives on past errx */
	struct buf out = BUF_INIT;
	size_t n = 0, i;

	for (p = chosen.s; p != NULL && p < chosen.s + chosen.len;
	    p += strlen(p) + 1) {
		if ((names = reallocarray(names, n + 1, sizeof(*names))) ==
		    NULL || (where = reallocarray(where, n + 1,
		    sizeof(*where))) == NULL)
			err(70, NULL);
		where[n] = p;
		p += strlen(p) + 1;
		names[n++] = p;
	}
	if (n == 0)
		return;
	if ((oids = reallocarray(NULL, n, sizeof(*oids))) == NULL)
		err(70, NULL);
	if (git_oids(&st.g, names, n, &out, oids) == -1)
		tool_fail(&st);
	for (i = 0; i < n && *oids[i] == '\0'; i++)
		;
	if (i < n)
		buf_addf(&taken, "%s%s", where[i], strchr(names[i], ':') + 1);
	free(names);
	free(oids);
	free(where);
	buf_free(&out);
	if (taken.len > 0)
		errx(FAIL_DATA, "%s: that message exists already", taken.s);
}

/* A string member of a batch line (its length in *len), or NULL. */
static char *
batch_field(const struct json *j, const char *key, size_t line, size_t *len)
{
	struct buf v = BUF_INIT;
	int i, k;

	for (i = 1, k = 0; k < j->tok[0].size; k++, i = json_next(j, i + 1)) {
		if (!json_key_is(j, i, key))
			continue;
		if (j->tok[i + 1].type != JSMN_STRING)
			errx(FAIL_DATA, "stdin:%zu: %s: not a string", line,
			    key);
		json_unescape(j, i + 1, &v);
		if (len != NULL)
			*len = v.len;
		return buf_detach(&v);
	}
	return NULL;
}

/* --batch: one message per NDJSON line of in, all in one commit. */
static void
batch(struct buf *in, time_t now)
{
	static const char *const allowed[] = { "to", "type", "body", "re",
	    "id" };
	struct buf where = BUF_INIT;
	struct json j;
	char *line, *nl, *to, *type, *body, *re, *id;
	size_t n = 0, a, bodylen = 0;
	int i, k;

	for (line = in->s; line != NULL && line < in->s + in->len; line = nl) {
		if ((nl = memchr(line, '\n', (size_t)(in->s + in->len -
		    line))) != NULL)
			*nl++ = '\0';
		n++;
		if (line[strspn(line, " \t\r")] == '\0')
			continue;
		if (json_parse(&j, line, strlen(line)) == -1)
			errx(FAIL_DATA, "stdin:%zu: %s", n, bus_error());
		if (j.tok[0].type != JSMN_OBJECT)
			errx(FAIL_DATA, "stdin:%zu: not a JSON object", n);
		for (i = 1, k = 0; k < j.tok[0].size;
		    k++, i = json_next(&j, i + 1)) {
			for (a = 0; a < sizeof(allowed) / sizeof(*allowed); a++)
				if (json_key_is(&j, i, allowed[a]))
					break;
			if (a == sizeof(allowed) / sizeof(*allowed))
				errx(FAIL_DATA, "stdin:%zu: unknown member "
				    "(to, type, body, re and id are known)", n);
		}
		to = batch_field(&j, "to", n, NULL);
		body = batch_field(&j, "body", n, &bodylen);
		type = batch_field(&j, "type", n, NULL);
		re = batch_field(&j, "re", n, NULL);
		id = batch_field(&j, "id", n, NULL);
		if (to == NULL || body == NULL)
			errx(FAIL_DATA, "stdin:%zu: to and body are required",
			    n);
		buf_reset(&where);
		buf_addf(&where, "stdin:%zu: ", n);
		stage(where.s, to, type != NULL ? type : "note", body, bodylen,
		    re, id, now);
		free(to);
		free(body);
		free(type);
		free(re);
		free(id);
		json_free(&j);
	}
	buf_free(&where);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'A' },
		{ "batch", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ "no-push", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf body = BUF_INIT, msg = BUF_INIT, tip = BUF_INIT;
	const char *agent = NULL, *dir = NULL, *id = NULL, *re = NULL;
	const char *type = "note", *p;
	FILE *trace = NULL;
	char *to, *next;
	int c, all = 0, isbatch = 0, nopush = 0, i, status;
	time_t now = time(NULL);

	while ((c = getopt_long(argc, argv, "+a:C:hi:qr:t:v", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a':
			agent = optarg;
			break;
		case 'A':
			all = 1;
			break;
		case 'B':
			isbatch = 1;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'i':
			id = optarg;
			break;
		case 'N':
			nopush = 1;
			break;
		case 'q':
			qflag = 1;
			break;
		case 'r':
			re = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'v':
			trace = stderr;
			break;
		default:
			usage(stderr, EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (isbatch ? (all || argc > 0 || id || re) : (!all && argc < 1))
		usage(stderr, EX_USAGE);

	/*
	 * Read stdin before taking the lock: what feeds us may be another
	 * bus command of this station, still holding it.
	 */
	for (i = all ? 0 : 1; i < argc; i++) {
		if (i > (all ? 0 : 1))
			buf_addc(&body, ' ');
		buf_adds(&body, argv[i]);
	}
	if ((isbatch || i == (all ? 0 : 1)) &&
	    fd_read_all(0, &body, isbatch ? 0 : JSON_MAX_SIZE) == -1)
		errx(errno == EFBIG ? FAIL_DATA : EX_IOERR, "stdin: %s",
		    bus_error());

	if (station_open(&st, dir, agent, 1, trace) == -1)
		tool_fail(&st);
	tool_guard(&st);
	if (station_lock(&st) == -1)
		tool_fail(&st);
	/*
	 * Build on the hub's tip, as the push will need it anyway: a
	 * commit on a stale tip would lose the push race and be replayed.
	 * An unreachable hub does not stop the send: it is committed here.
	 */
	if (!nopush || all) {
		fetched = 1;
		if (sync_fetch(&st) == -1) {
			if (bus_errclass() != FAIL_TEMP)
				tool_fail(&st);
			buf_adds(&offline, bus_error());
		} else if (sync_integrate(&st) == -1)
			tool_fail(&st);
	}
	if (station_agents(&st, &agents) == -1)
		tool_fail(&st);

	if (isbatch)
		batch(&body, now);
	else {
		if (all) {
			for (p = agents.s; p != NULL && p < agents.s +
			    agents.len; p += strlen(p) + 1)
				if (strcmp(p, st.agent) != 0)
					stage("", p, type, body.s ? body.s :
					    "", body.len, re, id, now);
			if (staged.n == 0)
				errx(FAIL_AGENT, "no other agent on the bus");
		} else {
			for (to = argv[0]; to != NULL; to = next) {
				if ((next = strchr(to, ',')) != NULL)
					*next++ = '\0';
				stage("", to, type, body.s ? body.s : "",
				    body.len, re, id, now);
			}
		}
	}
	if (staged.n == 0)
		return EX_OK;
	check_chosen();

	buf_addf(&msg, "bus-send: %zu message%s from %s\n", staged.n,
	    staged.n == 1 ? "" : "s", st.agent);
	if (station_commit(&st, &staged, msg.s, &tip) == -1)
		tool_fail(&st);
	/* committed: the ids are the caller's, whatever happens next */
	fputs(ids.s, stdout);
	if (fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	if (station_flush(&st) == -1 && !qflag)
		warnx("%s; the next bus command brings the work tree along",
		    bus_error());
	status = EX_OK;
	if (offline.len > 0 && !nopush) {
		warnx("%s; the messages are committed here and the next "
		    "command that syncs pushes them", offline.s);
		status = FAIL_TEMP;
	} else if (!nopush && sync_push(&st) == -1)
		tool_fail(&st);
	status = tool_finish(&st, status, qflag);
	changes_free(&staged);
	buf_free(&ids);
	buf_free(&agents);
	buf_free(&body);
	buf_free(&msg);
	buf_free(&tip);
	return status;
}
