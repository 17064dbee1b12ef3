/*
 * bus-recv: print this agent's unread messages (SPEC section 5).
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "station.h"
#include "common/tool.h"

enum format { F_JSON, F_ID, F_PATH, F_TEXT };

static struct station	 st;
static enum format	 format = F_JSON;
static const char	*only_type, *only_from;
static int		 nofetch, qflag, zflag, status = EX_OK;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-recv [-nqvz] [-a agent] [-C dir] "
	    "[-f json|id|path|text] [--from agent] [--type type] "
	    "[--wait [seconds]]\n", fp);
	exit(code);
}

/* The body for people: every line indented, nothing raw. */
static void
put_text_body(struct buf *out, const struct buf *body)
{
	const char *p = body->s, *end = body->s + body->len, *nl;

	while (p != NULL && p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		buf_adds(out, "    ");
		text_safe(out, p, (size_t)(nl - p));
		buf_addc(out, '\n');
		p = nl + 1;
	}
}

static void
put(struct buf *out, const struct inbox_msg *im)
{
	const struct msg *m = &im->m;

	switch (format) {
	case F_JSON:
		msg_write(m, out);
		out->len--;		/* the newline: the separator follows */
		break;
	case F_ID:
		buf_adds(out, m->id);
		break;
	case F_PATH:
		buf_addf(out, "%s/%s", st.worktree, im->path);
		break;
	case F_TEXT:
		buf_addf(out, "%s  %s  %s  %s", m->ts, m->from, m->type,
		    m->id);
		if (m->re != NULL)
			buf_addf(out, "  re %s", m->re);
		buf_addc(out, '\n');
		put_text_body(out, &m->body);
		buf_addc(out, '\n');
		return;
	}
	buf_addc(out, zflag ? '\0' : '\n');
}

/* Print the inbox; returns how many messages were printed. */
static size_t
print_inbox(void)
{
	struct inbox box;
	struct buf bad = BUF_INIT, out = BUF_INIT, dir = BUF_INIT;
	size_t i, n = 0;
	char *line, *nl;

	buf_addf(&dir, "inbox-%s", st.agent);
	if (station_read_dir(&st, dir.s, &box, &bad) == -1)
		tool_fail(&st);
	for (line = bad.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		struct buf safe = BUF_INIT;

		text_safe(&safe, line, (size_t)(nl - line));
		if (!qflag)
			warnx("%s", safe.s);
		buf_free(&safe);
	}
	for (i = 0; i < box.n; i++) {
		if (only_type != NULL && strcmp(box.msgs[i].m.type,
		    only_type) != 0)
			continue;
		if (only_from != NULL && strcmp(box.msgs[i].m.from,
		    only_from) != 0)
			continue;
		put(&out, &box.msgs[i]);
		n++;
	}
	if (out.len > 0 && (fwrite(out.s, 1, out.len, stdout) != out.len ||
	    fflush(stdout) == EOF))
		err(EX_IOERR, "stdout");
	inbox_free(&box);
	buf_free(&bad);
	buf_free(&out);
	buf_free(&dir);
	return n;
}

/*
 * Has the hub's branch moved since our last fetch?  One ls-remote, no
 * object transfer: cheap enough to poll.
 */
static int
hub_moved(void)
{
	struct buf out = BUF_INIT, ours = BUF_INIT;
	int moved;

	if (git(&st.g, &out, "ls-remote", "--", st.remote, st.ref, NULL) != 0) {
		buf_free(&out);
		return -1;
	}
	if (station_tips(&st) == 0)
		tip_copy(&ours, &st.tip_remote);
	/* no line at all: the hub lost its branch, which is news too */
	moved = ours.len == 0 || out.len < ours.len ||
	    strncmp(out.s, ours.s, ours.len) != 0;
	buf_free(&out);
	buf_free(&ours);
	return moved;
}

/*
 * --wait: poll until a message arrives or seconds pass (< 0: forever).
 * The lock is let go between polls, so the agent's other commands run.
 */
static int
wait_for_mail(long seconds)
{
	time_t end = time(NULL) + seconds;
	unsigned int pause = 1;
	int moved;

	for (;;) {
		station_unlock(&st);
		if (seconds >= 0 && time(NULL) >= end)
			return 1;
		sleep(seconds >= 0 && time(NULL) + pause > end ?
		    (unsigned int)(end - time(NULL)) : pause);
		if (pause < 8)
			pause *= 2;
		if (station_lock(&st) == -1)
			tool_fail(&st);
		if ((moved = hub_moved()) == -1)
			status = FAIL_TEMP;	/* the hub went away */
		if (moved != 1)
			continue;
		status = EX_OK;
		status = tool_sync(&st, qflag);
		if (print_inbox() > 0)
			return 0;
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "no-fetch", no_argument, NULL, 'n' },
		{ "type", required_argument, NULL, 'T' },
		{ "wait", optional_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	const char *agent = NULL, *dir = NULL, *errstr;
	FILE *trace = NULL;
	long wait = -2;		/* -2: no --wait; -1: forever */
	int c;

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
				format = F_JSON;
			else if (strcmp(optarg, "id") == 0)
				format = F_ID;
			else if (strcmp(optarg, "path") == 0)
				format = F_PATH;
			else if (strcmp(optarg, "text") == 0)
				format = F_TEXT;
			else
				errx(EX_USAGE, "-f %s: not json, id, path or "
				    "text", optarg);
			break;
		case 'F':
			only_from = optarg;
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
		case 'T':
			only_type = optarg;
			break;
		case 'v':
			trace = stderr;
			break;
		case 'W':
			/* --wait=N, --wait N, or --wait alone */
			if (optarg == NULL && optind < argc &&
			    argv[optind][strspn(argv[optind], "0123456789")] ==
			    '\0' && argv[optind][0] != '\0')
				optarg = argv[optind++];
			wait = -1;
			if (optarg != NULL) {
				wait = strtonum(optarg, 0, 365L * 86400, &errstr);
				if (errstr != NULL)
					errx(EX_USAGE, "--wait %s: %s", optarg,
					    errstr);
			}
			break;
		case 'z':
			zflag = 1;
			break;
		default:
			usage(stderr, EX_USAGE);
		}
	}
	if (optind != argc)
		usage(stderr, EX_USAGE);

	if (station_open(&st, dir, agent, 1, trace) == -1)
		tool_fail(&st);
	tool_guard(&st);
	if (format == F_PATH && st.worktree == NULL)
		errx(EX_USAGE, "-f path: %s is a bare station", st.gitdir);
	if (station_lock(&st) == -1)
		tool_fail(&st);
	if (!nofetch)
		status = tool_sync(&st, qflag);
	if (print_inbox() == 0 && wait != -2 && wait_for_mail(wait) == 1)
		status = status == EX_OK ? 1 : status;
	return tool_finish(&st, status, qflag);
}
