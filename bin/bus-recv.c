/*
 * bus-recv: print this agent's unread messages (SPEC section 5).
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "station.h"
#include "common/tool.h"
#include "common/version.h"

static struct tool	 t = TOOL_INIT;
static enum msg_format	 format = FORMAT_JSON;
static const char	*only_type, *only_from, *grep;
static char		 since[40], until[40];	/* ts bounds, or "" */
static regex_t		 re;
static int		 archive, icase, nofetch, zflag;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-recv [-inqvz] [-a agent] [-C dir] "
	    "[-f json|id|path|text] [--archive] [--from agent] "
	    "[--grep regex] [--since time] [--type type] [--until time] "
	    "[--wait [seconds]]\n"
	    "       bus-recv --version\n", fp);
	exit(code);
}

/* Does m pass the filters? */
static int
wanted(const struct msg *m)
{
	/* presence, not mail: shown when asked for by type */
	if (only_type != NULL ? strcmp(m->type, only_type) != 0 :
	    strcmp(m->type, "heartbeat") == 0)
		return 0;
	return (only_from == NULL || strcmp(m->from, only_from) == 0) &&
	    (*since == '\0' || ts_cmp(m->ts, since) >= 0) &&
	    (*until == '\0' || ts_cmp(m->ts, until) <= 0) &&
	    (grep == NULL || msg_grep(m, &re));
}

/* The inbox, or with --archive the archive, of the agent, into box. */
static void
read_box(struct inbox *box, struct buf *bad)
{
	struct buf dir = BUF_INIT;
	char from[11] = "", to[11] = "";
	int rv;

	buf_addf(&dir, "inbox-%s", t.st.agent);
	if (!archive)
		rv = station_read_dir(&t.st, dir.s, box, bad);
	else {
		strlcpy(from, since, sizeof(from));
		strlcpy(to, until, sizeof(to));
		rv = station_read_archive(&t.st, t.st.agent, from, to, box,
		    bad);
		if (rv == 0 && !box->found)
			box->found = station_has(&t.st, dir.s);
	}
	if (rv == -1)
		tool_fail(&t);
	if (!box->found) {
		/* a mistyped name must not look like an empty inbox */
		bus_seterr("%s: no such agent on the bus (no %s/ on %s); "
		    "bus-init -a %s makes one", t.st.agent, dir.s,
		    t.st.branch, t.st.agent);
		bus_setclass(EX_NOUSER);
		tool_fail(&t);
	}
	buf_free(&dir);
}

/* Print the messages; returns how many were printed. */
static size_t
print_box(void)
{
	struct inbox box;
	struct buf bad = BUF_INIT, out = BUF_INIT, path = BUF_INIT;
	size_t i, n = 0;
	char *line, *nl;

	read_box(&box, &bad);
	for (line = bad.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		struct buf safe = BUF_INIT;

		text_safe(&safe, line, (size_t)(nl - line));
		if (!t.quiet)
			warnx("%s", safe.s);
		buf_free(&safe);
	}
	for (i = 0; i < box.n; i++) {
		if (!wanted(&box.msgs[i].m))
			continue;
		buf_reset(&path);
		if (format == FORMAT_PATH)
			buf_addf(&path, "%s/%s", t.st.worktree,
			    box.msgs[i].path);
		format_put(&out, format, &box.msgs[i].m, path.s, zflag ?
		    '\0' : '\n');
		n++;
	}
	if (out.len > 0 && (fwrite(out.s, 1, out.len, stdout) != out.len ||
	    fflush(stdout) == EOF))
		err(EX_IOERR, "stdout");
	inbox_free(&box);
	buf_free(&bad);
	buf_free(&out);
	buf_free(&path);
	return n;
}

/* --grep, compiled: 64 with regcomp's words for one that is not ERE. */
static void
compile_grep(void)
{
	char why[256];
	int e;

	if (grep == NULL)
		return;
	if ((e = regcomp(&re, grep, REG_EXTENDED | REG_NEWLINE |
	    (icase ? REG_ICASE : 0))) != 0) {
		regerror(e, &re, why, sizeof(why));
		errx(EX_USAGE, "--grep %s: %s", grep, why);
	}
}

/* --wait N, --wait=N, --wait alone (-1: for ever) into *wait. */
static void
wait_arg(int argc, char *argv[], long *wait)
{
	const char *errstr;

	if (optarg == NULL && optind < argc &&
	    argv[optind][strspn(argv[optind], "0123456789")] == '\0' &&
	    argv[optind][0] != '\0')
		optarg = argv[optind++];
	*wait = -1;
	if (optarg != NULL) {
		*wait = strtonum(optarg, 0, 365L * 86400, &errstr);
		if (errstr != NULL)
			errx(EX_USAGE, "--wait %s: %s", optarg, errstr);
	}
}

/* --since and --until, as a time bound ts[40] of the messages. */
static void
time_arg(const char *opt, int upto, char *ts)
{
	if (report_time(opt, optarg, upto, ts, 40) == -1)
		errx(EX_USAGE, "%s", bus_error());
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "archive", no_argument, NULL, 'A' },
		{ "from", required_argument, NULL, 'F' },
		{ "grep", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "ignore-case", no_argument, NULL, 'i' },
		{ "no-fetch", no_argument, NULL, 'n' },
		{ "since", required_argument, NULL, 'S' },
		{ "type", required_argument, NULL, 'T' },
		{ "until", required_argument, NULL, 'U' },
		{ "wait", optional_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	const char *agent = NULL, *dir = NULL;
	struct buf inbox = BUF_INIT;
	FILE *trace = NULL;
	long wait = -2;		/* -2: no --wait; -1: forever */
	time_t end;
	int c;

	version_option(argc, argv);
	while ((c = getopt_long(argc, argv, "a:C:f:hinqvz", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a': agent = optarg; break;
		case 'A': archive = 1; break;
		case 'C': dir = optarg; break;
		case 'f':
			if (format_parse(optarg, &format) == -1)
				errx(EX_USAGE, "%s", bus_error());
			break;
		case 'F': only_from = optarg; break;
		case 'G': grep = optarg; break;
		case 'h': usage(stdout, EX_OK); break;
		case 'i': icase = 1; break;
		case 'n': nofetch = 1; break;
		case 'q': t.quiet = 1; break;
		case 'S': time_arg("--since", 0, since); break;
		case 'T': only_type = optarg; break;
		case 'U': time_arg("--until", 1, until); break;
		case 'v': trace = stderr; break;
		case 'W': wait_arg(argc, argv, &wait); break;
		case 'z': zflag = 1; break;
		default: usage(stderr, EX_USAGE);
		}
	}
	if (optind != argc)
		usage(stderr, EX_USAGE);
	if (archive && wait != -2)
		errx(EX_USAGE, "--archive --wait: an archive is not waited "
		    "for");
	compile_grep();

	tool_open(&t, dir, agent, trace);
	if (format == FORMAT_PATH && (t.st.worktree == NULL ||
	    (archive && t.st.sparse)))
		errx(EX_USAGE, "-f path: %s has no %s files in a work tree%s",
		    t.st.gitdir, archive ? "archive" : "message", archive ?
		    " (bus-init --full keeps them)" : "");
	/* the inbox is listed while the fetch runs (ahead.c) */
	buf_addf(&inbox, "inbox-%s", t.st.agent);
	if (!archive)
		t.st.ahead.dir = inbox.s;
	if (!nofetch)
		tool_sync(&t, 1);
	end = wait > 0 ? time(NULL) + wait : wait == 0 ? time(NULL) : 0;
	while (print_box() == 0 && wait != -2)
		if (!tool_wait(&t, end)) {
			t.status = policy_worse(t.status, 1);
			break;
		}
	if (grep != NULL)
		regfree(&re);
	t.st.ahead.dir = NULL;
	buf_free(&inbox);
	return tool_finish(&t);
}
