/*
 * bus-check: check message files against the protocol (SPEC section 7).
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "check.h"
#include "station.h"

static int	 qflag;
static int	 zflag;
static size_t	 maxsize;
static int	 status = EX_OK;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-check [-qvz] [-C dir] [-m size] file ... | -\n"
	    "       bus-check [-qv] [-C dir] [-m size] --range old..new\n"
	    "       bus-check [-qv] [-C dir] [-m size] --tree [rev]\n"
	    "       bus-check [-qv] [-C dir] [-m size] --pre-commit\n"
	    "       bus-check [-qv] [-C dir] [-m size] --pre-receive\n", fp);
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

/* Is the boolean setting name true in the repository here? */
static int
config_true(const struct git *g, const char *name)
{
	struct buf out = BUF_INIT;
	int yes;

	yes = git(g, &out, "config", "--type=bool", "--get", name,
	    NULL) == 0 && strncmp(out.s, "true", 4) == 0;
	buf_free(&out);
	return yes;
}

/* The refs/heads/<bus.branch> of the repository here. */
static void
branch_ref(const struct git *g, struct buf *ref)
{
	struct buf out = BUF_INIT;

	if (git(g, &out, "config", "--get", "bus.branch", NULL) != 0)
		buf_adds(&out, "main");
	buf_rtrim(&out);
	buf_addf(ref, "refs/heads/%s", out.s);
	buf_free(&out);
}

/*
 * The modes on commits and trees: one rule set, as the hooks apply
 * it.  Prints the report; returns the exit status.
 */
static int
check_history(const struct git *g, int mode, const char *arg)
{
	struct check ck;
	struct buf in = BUF_INIT, ref = BUF_INIT;
	const char *args[2] = { arg, NULL };
	int rv;

	memset(&ck, 0, sizeof(ck));
	ck.g = g;
	ck.maxsize = maxsize;
	ck.require_signed = config_true(g, "bus.requireSigned");
	switch (mode) {
	case 'R':
		if (arg == NULL || strstr(arg, "..") == NULL)
			errx(EX_USAGE, "--range wants old..new");
		rv = check_commits(&ck, args);
		break;
	case 'T': rv = check_tree(&ck, arg != NULL ? arg : "HEAD"); break;
	case 'S': rv = check_staged(&ck); break;
	default:
		if (fd_read_all(0, &in, 0) == -1)
			err(EX_IOERR, "stdin");
		branch_ref(g, &ref);
		rv = check_ref_updates(&ck, in.s != NULL ? in.s : "", ref.s);
		break;
	}
	if (rv == -1)
		errx(bus_errclass(), "%s", bus_error());
	if (!qflag && ck.report.len > 0)
		fputs(ck.report.s, stderr);
	if (mode == 'P' && ck.problems > 0 && !qflag)
		fprintf(stderr, "bus-check: push refused: %zu problem%s; the "
		    "hub is unchanged\n", ck.problems,
		    ck.problems == 1 ? "" : "s");
	check_free(&ck);
	buf_free(&in);
	buf_free(&ref);
	return ck.problems > 0 ? EX_DATAERR : EX_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "pre-commit", no_argument, NULL, 'S' },
		{ "pre-receive", no_argument, NULL, 'P' },
		{ "range", no_argument, NULL, 'R' },
		{ "tree", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	struct git g = { .dir = NULL };
	int c, Cflag = 0, mflag = 0, mode = 0;

	while ((c = getopt_long(argc, argv, "C:hm:qvz", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'P':
		case 'R':
		case 'S':
		case 'T':
			if (mode != 0 && mode != c)
				usage(stderr, EX_USAGE);
			mode = c;
			break;
		case 'C':
			/* as git -C: file operands are relative to it too */
			if (chdir(optarg) == -1)
				err(EX_NOINPUT, "%s", optarg);
			Cflag = 1;
			break;
		case 'h': usage(stdout, EX_OK); break;
		case 'm':
			if (parse_size(optarg, &maxsize) == -1)
				errx(EX_USAGE, "-m %s: not a size in bytes",
				    optarg);
			mflag = 1;
			break;
		case 'q': qflag = 1; break;
		case 'v': g.trace = stderr; break;
		case 'z': zflag = 1; break;
		default: usage(stderr, EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (mode == 0 ? argc == 0 : argc > ((mode == 'R' || mode == 'T') ?
	    1 : 0) || (mode == 'R' && argc != 1) || (mode != 0 && zflag))
		usage(stderr, EX_USAGE);
	/* history is checked in $BUS_DIR, as every tool works there */
	if (mode != 0 && !Cflag && (g.dir = getenv("BUS_DIR")) != NULL &&
	    *g.dir == '\0')
		g.dir = NULL;
	if (!mflag)
		config_maxsize(&g);
	if (mode != 0)
		return check_history(&g, mode, argc > 0 ? argv[0] : NULL);

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
