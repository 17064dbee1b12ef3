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
#include "common/version.h"

#define SINCE_DEFAULT	(7 * 24 * 60 * 60)

static struct tool	 t = TOOL_INIT;
static struct report	 r = REPORT_INIT;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-status [-nqvz] [-a agent] [-C dir] [-f json|text] "
	    "[--since time] [--type type] [id ... | -]\n"
	    "       bus-status --version\n", fp);
	exit(code);
}

/* For read_operands(): one id, from argv or stdin. */
static void
ask(const char *id, void *arg)
{
	(void)arg;
	if (valid_id(id, strlen(id)))
		report_ask(&r, id);
	else {
		warnx("%s: not a message id", id);
		t.status = EX_DATAERR;
	}
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
	struct buf out = BUF_INIT, missing = BUF_INIT;
	const char *agent = NULL, *dir = NULL, *type = NULL, *p;
	char since[32];
	FILE *trace = NULL;
	int c, nofetch = 0, zflag = 0, text = 0, status;

	if (msg_ts(since, sizeof(since), time(NULL) - SINCE_DEFAULT) == -1)
		errx(EX_SOFTWARE, "%s", bus_error());
	version_option(argc, argv);
	while ((c = getopt_long(argc, argv, "a:C:f:hnqvz", longopts,
	    NULL)) != -1)
		switch (c) {
		case 'a': agent = optarg; break;
		case 'C': dir = optarg; break;
		case 'f':
			if ((text = strcmp(optarg, "text") == 0) == 0 &&
			    strcmp(optarg, "json") != 0)
				errx(EX_USAGE, "-f %s: not json or text",
				    optarg);
			break;
		case 'h': usage(stdout, EX_OK); break;
		case 'n': nofetch = 1; break;
		case 'q': t.quiet = 1; break;
		case 'S':
			if (report_time("--since", optarg, 0, since,
			    sizeof(since)) == -1)
				errx(bus_errclass(), "%s", bus_error());
			break;
		case 'T':
			if (!valid_type(optarg, strlen(optarg)))
				errx(EX_USAGE, "--type %s: not a type", optarg);
			type = optarg;
			break;
		case 'v': trace = stderr; break;
		case 'z': zflag = 1; break;
		default: usage(stderr, EX_USAGE);
		}
	/* stdin first: what feeds it may be a bus command holding the lock */
	if (optind + 1 == argc && strcmp(argv[optind], "-") == 0) {
		if (read_operands(stdin, zflag, ask, NULL) == -1)
			errx(EX_IOERR, "stdin: %s", bus_error());
	} else
		for (; optind < argc; optind++)
			ask(argv[optind], NULL);

	tool_open(&t, dir, agent, trace);
	if (!nofetch)
		tool_sync(&t, 1);
	if (report_gather(&r, &t.st, since, type) == -1)
		tool_fail(&t);
	status = tool_finish(&t);
	report_put(&r, text, &out, &missing);
	for (p = NULL; (p = strvec_next(&missing, p)) != NULL; )
		warnx("%s: no such message", p);
	for (p = NULL; (p = strvec_next(&r.bad, p)) != NULL; )
		warnx("%s; skipped", p);
	if (missing.len > 0 && status == EX_OK)
		status = EX_NOINPUT;
	if (fwrite(out.s != NULL ? out.s : "", 1, out.len, stdout) !=
	    out.len || fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	report_free(&r);
	buf_free(&out);
	buf_free(&missing);
	return status;
}
