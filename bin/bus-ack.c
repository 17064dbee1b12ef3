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

#include "station.h"
#include "common/tool.h"
#include "common/version.h"

static struct strvec	 ids = STRVEC_INIT;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-ack [-nqvz] [-a agent] [-C dir] [--no-push] "
	    "[--reply] id | path ... | -\n"
	    "       bus-ack --version\n", fp);
	exit(code);
}

/*
 * For each_operand(): one id, from argv or stdin; or the path of a
 * message in an inbox, .../inbox-<agent>/<id>.json, as bus-recv -f path
 * prints it.
 */
static void
add_id(const char *arg, void *unused)
{
	const char *base = path_base(arg), *dir;
	size_t len = strlen(base);

	(void)unused;
	if (base != arg) {
		for (dir = base - 1; dir > arg && dir[-1] != '/'; dir--)
			;
		if (len <= 5 || strcmp(base + len - 5, ".json") != 0 ||
		    strncmp(dir, "inbox-", 6) != 0)
			errx(EX_DATAERR, "%s: not the path of a message in an "
			    "inbox", arg);
		len -= 5;
	}
	if (!valid_id(base, len))
		errx(EX_DATAERR, "%s: not an id", arg);
	strvec_pushf(&ids, "%.*s", (int)len, base);
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
	struct tool t = TOOL_INIT;
	struct changes c = CHANGES_INIT;
	struct buf msg = BUF_INIT, tip = BUF_INIT, replies = BUF_INIT;
	const char *agent = NULL, *dir = NULL;
	FILE *trace = NULL;
	int ch, nofetch = 0, nopush = 0, reply = 0, zflag = 0, moved;

	version_option(argc, argv);
	while ((ch = getopt_long(argc, argv, "a:C:hnqvz", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a': agent = optarg; break;
		case 'C': dir = optarg; break;
		case 'h': usage(stdout, EX_OK); break;
		case 'n': nofetch = 1; break;
		case 'N': nopush = 1; break;
		case 'q': t.quiet = 1; break;
		case 'R': reply = 1; break;
		case 'v': trace = stderr; break;
		case 'z': zflag = 1; break;
		default: usage(stderr, EX_USAGE);
		}
	}
	if (optind == argc)
		usage(stderr, EX_USAGE);
	if (each_operand(argc - optind, argv + optind, zflag, add_id,
	    NULL) == -1)
		err(EX_IOERR, "stdin");

	tool_open(&t, dir, agent, trace);
	/* one connection: the push; an id not found here costs a fetch */
	if ((moved = ack_stage(&t.st, ids.v, ids.n, reply, &c,
	    &replies)) == -1 && bus_errclass() == EX_NOINPUT && !nofetch) {
		changes_free(&c);
		buf_reset(&replies);
		tool_sync(&t, 0);
		moved = ack_stage(&t.st, ids.v, ids.n, reply, &c, &replies);
	}
	if (moved == -1)
		tool_fail(&t);
	if (moved > 0) {
		buf_addf(&msg, "bus-ack: %d message%s read by %s\n", moved,
		    moved == 1 ? "" : "s", t.st.agent);
		if (station_commit(&t.st, &c, msg.s, &tip) == -1)
			tool_fail(&t);
		if (fputs(replies.s != NULL ? replies.s : "", stdout) == EOF ||
		    fflush(stdout) == EOF)
			err(EX_IOERR, "stdout");
		if (!nopush)
			tool_push(&t);
	}
	changes_free(&c);
	strvec_clear(&ids);
	buf_free(&msg);
	buf_free(&tip);
	buf_free(&replies);
	return tool_finish(&t);
}
