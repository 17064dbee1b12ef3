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
#include "common/version.h"

static struct tool	 t = TOOL_INIT;
static enum msg_format	 format = FORMAT_JSON;
static const char	*only_type, *only_from;
static int		 nofetch, zflag;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-recv [-nqvz] [-a agent] [-C dir] "
	    "[-f json|id|path|text] [--from agent] [--type type] "
	    "[--wait [seconds]]\n"
	    "       bus-recv --version\n", fp);
	exit(code);
}

/* Print the inbox; returns how many messages were printed. */
static size_t
print_inbox(void)
{
	struct inbox box;
	struct buf bad = BUF_INIT, out = BUF_INIT, dir = BUF_INIT;
	struct buf path = BUF_INIT;
	size_t i, n = 0;
	char *line, *nl;

	buf_addf(&dir, "inbox-%s", t.st.agent);
	if (station_read_dir(&t.st, dir.s, &box, &bad) == -1)
		tool_fail(&t);
	if (!box.found) {
		/* a mistyped name must not look like an empty inbox */
		bus_seterr("%s: no such agent on the bus (no %s/ on %s); "
		    "bus-init -a %s makes one", t.st.agent, dir.s,
		    t.st.branch, t.st.agent);
		bus_setclass(EX_NOUSER);
		tool_fail(&t);
	}
	for (line = bad.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		struct buf safe = BUF_INIT;

		text_safe(&safe, line, (size_t)(nl - line));
		if (!t.quiet)
			warnx("%s", safe.s);
		buf_free(&safe);
	}
	for (i = 0; i < box.n; i++) {
		if (only_type != NULL && strcmp(box.msgs[i].m.type,
		    only_type) != 0)
			continue;
		/* presence, not mail: shown when asked for by type */
		if (only_type == NULL && strcmp(box.msgs[i].m.type,
		    "heartbeat") == 0)
			continue;
		if (only_from != NULL && strcmp(box.msgs[i].m.from,
		    only_from) != 0)
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
	buf_free(&dir);
	buf_free(&path);
	return n;
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
	time_t end;
	int c;

	version_option(argc, argv);
	while ((c = getopt_long(argc, argv, "a:C:f:hnqvz", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a': agent = optarg; break;
		case 'C': dir = optarg; break;
		case 'f':
			if (format_parse(optarg, &format) == -1)
				errx(EX_USAGE, "%s", bus_error());
			break;
		case 'F': only_from = optarg; break;
		case 'h': usage(stdout, EX_OK); break;
		case 'n': nofetch = 1; break;
		case 'q': t.quiet = 1; break;
		case 'T': only_type = optarg; break;
		case 'v': trace = stderr; break;
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
		case 'z': zflag = 1; break;
		default: usage(stderr, EX_USAGE);
		}
	}
	if (optind != argc)
		usage(stderr, EX_USAGE);

	tool_open(&t, dir, agent, trace);
	if (format == FORMAT_PATH && t.st.worktree == NULL)
		errx(EX_USAGE, "-f path: %s is a bare station", t.st.gitdir);
	if (!nofetch)
		tool_sync(&t, 1);
	end = wait > 0 ? time(NULL) + wait : wait == 0 ? time(NULL) : 0;
	while (print_inbox() == 0 && wait != -2)
		if (!tool_wait(&t, end)) {
			t.status = policy_worse(t.status, 1);
			break;
		}
	return tool_finish(&t);
}
