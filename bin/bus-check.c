/*
 * bus-check: check message files against the protocol (SPEC section 7).
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "bus.h"

static int	 qflag;
static int	 zflag;
static size_t	 maxsize;
static int	 status = EX_OK;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-check [-qvz] [-C dir] [-m size] file ... | -\n", fp);
	exit(code);
}

/* bus.maxSize of the repository here, if there is one and it is set. */
static void
config_maxsize(const struct git *g)
{
	struct buf out = BUF_INIT;

	maxsize = MSG_MAX_SIZE;
	if (git(g, &out, "config", "--get", "bus.maxSize", NULL) == 0) {
		buf_rtrim(&out);
		if (parse_size(out.s, &maxsize) == -1)
			errx(EX_USAGE, "bus.maxSize: \"%s\" is not a size in "
			    "bytes", out.s);
	}
	buf_free(&out);
}

static void
check(const char *path)
{
	struct buf why = BUF_INIT, safe = BUF_INIT;
	struct msg m;
	char *line, *nl;
	int rv;

	if (msg_is_keep(path))
		return;
	rv = msg_check_file(path, maxsize, &m, &why);
	if (rv == 0) {
		msg_free(&m);
		return;
	}
	if (rv == -1)
		status = EX_DATAERR;
	else if (status == EX_OK)
		status = EX_NOINPUT;
	if (!qflag) {
		text_safe(&safe, path, strlen(path));
		for (line = why.s; (nl = strchr(line, '\n')) != NULL;
		    line = nl + 1)
			fprintf(stderr, "%s: %.*s\n", safe.s,
			    (int)(nl - line), line);
	}
	buf_free(&why);
	buf_free(&safe);
}

/* For read_operands(): check one path read from stdin. */
static void
check_operand(const char *path, void *arg)
{
	(void)arg;
	check(path);
}

int
main(int argc, char *argv[])
{
	struct git g = { .dir = NULL };
	int c, mflag = 0;

	while ((c = getopt(argc, argv, "C:hm:qvz")) != -1) {
		switch (c) {
		case 'C':
			if (chdir(optarg) == -1)
				err(EX_NOINPUT, "%s", optarg);
			break;
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'm':
			if (parse_size(optarg, &maxsize) == -1)
				errx(EX_USAGE, "-m %s: not a size in bytes",
				    optarg);
			mflag = 1;
			break;
		case 'q':
			qflag = 1;
			break;
		case 'v':
			g.trace = stderr;
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
	if (!mflag)
		config_maxsize(&g);

	for (; argc > 0; argc--, argv++) {
		if (strcmp(*argv, "-") == 0) {
			if (read_operands(stdin, zflag, check_operand,
			    NULL) == -1)
				err(EX_IOERR, "stdin");
		}
		else
			check(*argv);
	}
	return status;
}
