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

#include "json.h"
#include "station.h"
#include "common/tool.h"
#include "common/version.h"

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-send [-qv] [-a agent] [-C dir] [-F name=value] "
	    "[-i id] [-r id] [-t type] [--no-push] to[,to...] [body ...]\n"
	    "       bus-send [-qv] [-a agent] [-C dir] [-F name=value] "
	    "[-i id] [-r id] [-t type] [--no-push] --all [body ...]\n"
	    "       bus-send [-qv] [-a agent] [-C dir] [--no-push] --batch\n"
	    "       bus-send --version\n", fp);
	exit(code);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'A' },
		{ "batch", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ "no-push", no_argument, NULL, 'N' },
		{ "type", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct tool t = TOOL_INIT;
	struct send s;
	struct send_what w = { "note", "", 0, NULL, NULL, NULL, 0 };
	struct msg fields;
	struct buf body = BUF_INIT, tip = BUF_INIT;
	const char *agent = NULL, *dir = NULL;
	FILE *trace = NULL;
	int c, all = 0, batch = 0, nopush = 0, i, rv;

	version_option(argc, argv);
	memset(&fields, 0, sizeof(fields));
	while ((c = getopt_long(argc, argv, "+a:C:F:hi:qr:t:v", longopts,
	    NULL)) != -1)
		switch (c) {
		case 'a': agent = optarg; break;
		case 'A': all = 1; break;
		case 'B': batch = 1; break;
		case 'C': dir = optarg; break;
		case 'F':
			if (msg_field_arg(&fields, optarg) == -1)
				errx(EX_USAGE, "%s", bus_error());
			break;
		case 'h': usage(stdout, EX_OK); break;
		case 'i': w.id = optarg; break;
		case 'N': nopush = 1; break;
		case 'q': t.quiet = 1; break;
		case 'r': w.re = optarg; break;
		case 't': w.type = optarg; break;
		case 'v': trace = stderr; break;
		default: usage(stderr, EX_USAGE);
		}
	argc -= optind;
	argv += optind;
	if (batch ? (all || argc > 0 || w.id || w.re || fields.nothers) :
	    (!all && argc < 1))
		usage(stderr, EX_USAGE);
	w.fields = fields.others;
	w.nfields = fields.nothers;

	/*
	 * Read stdin before taking the lock: what feeds us may be another
	 * bus command of this station, still holding it.
	 */
	for (i = all ? 0 : 1; i < argc; i++)
		buf_addf(&body, "%s%s", i > (all ? 0 : 1) ? " " : "", argv[i]);
	if ((batch || i == (all ? 0 : 1)) &&
	    fd_read_all(0, &body, batch ? 0 : JSON_MAX_SIZE) == -1)
		errx(errno == EFBIG ? EX_DATAERR : EX_IOERR, "stdin: %s",
		    bus_error());
	w.body = body.s != NULL ? body.s : "";
	w.bodylen = body.len;

	tool_open(&t, dir, agent, trace);
	/*
	 * One connection: the commit goes on the tip fetched last and is
	 * pushed; only a push the hub refuses as stale fetches and
	 * replays (sync.c).  A recipient not known here costs a fetch
	 * (send.c), and so does --all, whose list must be the hub's.
	 */
	if (all)
		tool_sync(&t, 0);
	if (send_begin(&s, &t.st, all, t.away.len > 0 ? t.away.s : NULL) == -1)
		tool_fail(&t);
	rv = batch ? send_batch(&s, &body) : all ? send_all(&s, &w) :
	    send_list(&s, argv[0], &w);
	if (rv == -1 || send_check_chosen(&s) == -1 ||
	    (s.staged.n > 0 && send_commit(&s, &tip) == -1))
		tool_fail(&t);
	/* committed: the ids are the caller's, whatever happens next */
	if (fputs(s.ids.s != NULL ? s.ids.s : "", stdout) == EOF ||
	    fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	if (!nopush && s.staged.n > 0)
		tool_push(&t);
	send_free(&s);
	msg_free(&fields);
	buf_free(&body);
	buf_free(&tip);
	return tool_finish(&t);
}
