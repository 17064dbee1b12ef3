/*
 * bus-ack: move read messages from this agent's inbox to its archive
 * (SPEC section 5).
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "station.h"
#include "common/tool.h"

static struct station	 st;
static int		 qflag, zflag, status = EX_OK;
static char		**ids;
static size_t		 nids;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-ack [-nqvz] [-a agent] [-C dir] [--no-push] "
	    "[--reply] id ... | -\n", fp);
	exit(code);
}

static void
add_id(const char *id)
{
	if (!valid_id(id, strlen(id)))
		errx(FAIL_DATA, "%s: not an id", id);
	if ((ids = reallocarray(ids, nids + 1, sizeof(*ids))) == NULL ||
	    (ids[nids++] = strdup(id)) == NULL)
		err(70, NULL);
}

/* For read_operands(): one id read from stdin. */
static void
add_id_operand(const char *id, void *arg)
{
	(void)arg;
	add_id(id);
}

/*
 * Is id in the archive already?  Its day is looked up where the id
 * says (a generated id starts with its time), then in the flat
 * layout, and only then in every day of the archive.
 */
static int
archived(const char *id)
{
	struct buf names = BUF_INIT, out = BUF_INIT, days = BUF_INIT;
	const char **v = NULL;
	struct cat_obj *obj = NULL;
	size_t n = 0, i;
	char *p;
	int found = 0;

	if (strlen(id) >= 9 && id[8] == 'T')
		buf_addf(&names, "%s:archive-%s/%.4s-%.2s-%.2s/%s.json%c",
		    st.ref, st.agent, id, id + 4, id + 6, id, '\0');
	buf_addf(&names, "%s:archive-%s/%s.json%c", st.ref, st.agent, id, '\0');
	buf_addf(&days, "archive-%s/", st.agent);
	p = buf_detach(&days);
	if (git(&st.g, &days, "ls-tree", "-z", "-d", "--name-only", st.ref,
	    "--", p, NULL) != 0)
		tool_fail(&st);
	free(p);
	for (p = days.s; p != NULL && p < days.s + days.len;
	    p += strlen(p) + 1)
		buf_addf(&names, "%s:%s/%s.json%c", st.ref, p, id, '\0');
	for (p = names.s; p < names.s + names.len; p += strlen(p) + 1) {
		if ((v = reallocarray(v, n + 1, sizeof(*v))) == NULL)
			err(70, NULL);
		v[n++] = p;
	}
	if ((obj = reallocarray(NULL, n, sizeof(*obj))) == NULL)
		err(70, NULL);
	if (git_cat_batch(&st.g, v, n, &out, obj) == -1)
		tool_fail(&st);
	for (i = 0; i < n; i++)
		if (!obj[i].missing)
			found = 1;
	free(v);
	free(obj);
	buf_free(&names);
	buf_free(&out);
	buf_free(&days);
	return found;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "no-fetch", no_argument, NULL, 'n' },
		{ "no-push", no_argument, NULL, 'N' },
		{ "reply", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct changes c = CHANGES_INIT;
	struct buf box = BUF_INIT, bad = BUF_INIT, path = BUF_INIT;
	struct buf msg = BUF_INIT, tip = BUF_INIT, replies = BUF_INIT;
	struct buf agents = BUF_INIT;
	struct inbox in;
	struct msg ack;
	const char *agent = NULL, *dir = NULL;
	FILE *trace = NULL;
	size_t i, k, moved = 0;
	int ch, nofetch = 0, nopush = 0, reply = 0;
	time_t now = time(NULL);

	while ((ch = getopt_long(argc, argv, "a:C:hnqvz", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			agent = optarg;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'n':
			nofetch = 1;
			break;
		case 'N':
			nopush = 1;
			break;
		case 'q':
			qflag = 1;
			break;
		case 'R':
			reply = 1;
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
	if (argc == 0)
		usage(stderr, EX_USAGE);
	for (; argc > 0; argc--, argv++) {
		if (strcmp(*argv, "-") == 0) {
			if (read_operands(stdin, zflag, add_id_operand,
			    NULL) == -1)
				err(EX_IOERR, "stdin");
		}
		else
			add_id(*argv);
	}

	if (station_open(&st, dir, agent, 1, trace) == -1)
		tool_fail(&st);
	tool_guard(&st);
	if (station_lock(&st) == -1)
		tool_fail(&st);
	if (!nofetch && sync_all(&st) == -1) {
		if (bus_errclass() != FAIL_TEMP)
			tool_fail(&st);
		if (!qflag)
			warnx("%s; acking in the station", bus_error());
		status = FAIL_TEMP;
	}

	if (reply && station_agents(&st, &agents) == -1)
		tool_fail(&st);
	/* Find every id first: all of them are acked, or none. */
	buf_addf(&box, "inbox-%s", st.agent);
	if (station_read_dir(&st, box.s, &in, &bad) == -1)
		tool_fail(&st);
	for (i = 0; i < nids; i++) {
		for (k = 0; k < in.n; k++)
			if (strcmp(in.msgs[k].m.id, ids[i]) == 0)
				break;
		if (k < in.n) {
			const struct msg *m = &in.msgs[k].m;

			if (changes_has(&c, in.msgs[k].path))
				continue;	/* named twice */
			station_archive(&st, &in.msgs[k], &c);
			moved++;
			if (reply && !agent_listed(&agents, m->from))
				errx(FAIL_AGENT, "inbox-%s: no such agent to "
				    "reply to", m->from);
			if (reply) {
				if (msg_new(&ack, st.agent, m->from, "ack", "",
				    0, m->id, NULL, now) == -1 ||
				    station_stage(&st, &ack, &c) == -1)
					tool_fail(&st);
				buf_addf(&replies, "%s\n", ack.id);
				msg_free(&ack);
			}
			continue;
		}
		buf_reset(&path);
		buf_addf(&path, "inbox-%s/%s.json", st.agent, ids[i]);
		if (strstr(bad.s != NULL ? bad.s : "", path.s) != NULL)
			errx(FAIL_DATA, "%s: not a valid message; it cannot "
			    "be acked", path.s);
		if (!archived(ids[i]))
			errx(FAIL_NOMSG, "%s: no such message in inbox-%s/ or "
			    "archive-%s/", ids[i], st.agent, st.agent);
	}
	if (moved > 0) {
		buf_addf(&msg, "bus-ack: %zu message%s read by %s\n", moved,
		    moved == 1 ? "" : "s", st.agent);
		if (station_commit(&st, &c, msg.s, &tip) == -1)
			tool_fail(&st);
		if (replies.len > 0) {
			fputs(replies.s, stdout);
			if (fflush(stdout) == EOF)
				err(EX_IOERR, "stdout");
		}
		if (station_flush(&st) == -1)
			warnx("%s; the next bus command brings the work tree "
			    "along", bus_error());
		if (!nopush && sync_push(&st) == -1)
			tool_fail(&st);
	}
	inbox_free(&in);
	changes_free(&c);
	status = tool_finish(&st, status, qflag);
	for (i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	buf_free(&box);
	buf_free(&bad);
	buf_free(&path);
	buf_free(&msg);
	buf_free(&tip);
	buf_free(&replies);
	buf_free(&agents);
	return status;
}
