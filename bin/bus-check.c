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
#include "common/version.h"

static int	 qflag;
static int	 zflag;
static size_t	 maxsize;
static int	 status = EX_OK;
static int	 require_signed;
static struct buf branch = BUF_INIT;	/* refs/heads/<bus.branch> */
static char	*retain;		/* bus.retainDays; NULL: unset */
static char	*agent;			/* $BUS_AGENT, else bus.agent */
static struct buf hook_in = BUF_INIT;	/* a pre-receive hook's input */
static struct check_asked asked = CHECK_ASKED_INIT; /* with the settings */
static const char *as;			/* --as: the directory files go to */

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-check [-qvz] [-C dir] [-m size] [--as dir] "
	    "file ... | -\n"
	    "       bus-check [-qv] [-C dir] [-m size] --range old..new\n"
	    "       bus-check [-qv] [-C dir] [-m size] --tree [rev]\n"
	    "       bus-check [-qv] [-C dir] [-m size] --pre-commit\n"
	    "       bus-check [-qv] [-C dir] [-m size] --pre-receive\n"
	    "       bus-check [-qv] [-C dir] --post-receive\n"
	    "       bus-check --version\n", fp);
	exit(code);
}

/* In the program, so that bus-init knows its copies in hooks/. */
const char bus_check_mark[] = BUS_CHECK_MARK;

#define SETTINGS_ARGS	"config", "-z", "--get-regexp", \
	"^bus\\.(maxsize|requiresigned|branch|retaindays|agent)$"

/*
 * The repository's bus settings, from out, SETTINGS_ARGS's output:
 * bus.maxSize unless -m gave it, bus.requireSigned, the branch,
 * bus.retainDays and the station's agent.
 */
static void
take_settings(struct buf *out, int mflag, struct buf *ref)
{
	const char *name = "main";
	char *key, *v;

	if (!mflag)
		maxsize = MSG_MAX_SIZE;
	for (key = NULL; (key = git_config_next(out, key, &v)) != NULL; ) {
		if (strcmp(key, "bus.maxsize") == 0 && !mflag &&
		    parse_size(v, &maxsize) == -1)
			errx(EX_USAGE, "bus.maxSize: \"%s\" is not a size in "
			    "bytes", v);
		else if (strcmp(key, "bus.requiresigned") == 0)
			require_signed = git_config_bool(v);
		else if (strcmp(key, "bus.branch") == 0)
			name = v;
		else if (strcmp(key, "bus.retaindays") == 0) {
			free(retain);
			retain = xstrdup(v);
		} else if (strcmp(key, "bus.agent") == 0) {
			free(agent);
			agent = xstrdup(v);
		}
	}
	buf_addf(ref, "refs/heads/%s", name);
	if ((v = getenv("BUS_AGENT")) != NULL && *v != '\0') {
		free(agent);
		agent = xstrdup(v);
	}
}

/*
 * The repository's bus settings, read with one git process (a hook
 * runs on every push).  A pre-receive hook reads its input first and
 * asks, in the same time, what its checks will want to know
 * (check_ref_ask()); the cat-file that reads the pushed files for
 * them starts meanwhile too (or, should it not start, each read
 * starts one).
 */
static void
read_settings(struct git *g, int mode, int mflag, struct buf *ref)
{
	static const char *const args[] = { SETTINGS_ARGS, NULL };
	struct buf out = BUF_INIT, why = BUF_INIT;
	struct git_call settings = { g, args, &out, &why, -1 };

	if (mode == 'P') {
		if (fd_read_all(0, &hook_in, 0) == -1)
			err(EX_IOERR, "stdin");
		if (hook_in.len > 0)
			(void)git_cat_open(g);
		(void)check_ref_ask(g, hook_in.s != NULL ? hook_in.s : "",
		    &settings, &asked);
	} else
		(void)git_run(g, NULL, &out, &why, args);
	take_settings(&out, mflag, ref);
	buf_free(&out);
	buf_free(&why);
}

static void
check(const char *path)
{
	struct buf why = BUF_INIT, safe = BUF_INIT, place = BUF_INIT;
	struct msg m;
	char *line, *nl;
	int rv;

	if (msg_is_keep(path))
		return;
	/* a draft, checked as if in the directory it is meant for */
	if (as != NULL)
		buf_addf(&place, "%s/", as);
	rv = msg_check_file(path, place.s, maxsize, &m, &why);
	buf_free(&place);
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

/* For each_operand(): check one path, from argv or stdin. */
static void
check_operand(const char *path, void *arg)
{
	(void)arg;
	check(path);
}

/*
 * The modes on commits and trees: one rule set, as the hooks apply
 * it.  Prints the report; returns the exit status.
 */
static int
check_history(const struct git *g, int mode, const char *arg)
{
	struct check ck;
	const char *args[2] = { arg, NULL };
	char *old = NULL;
	int rv;

	memset(&ck, 0, sizeof(ck));
	ck.g = g;
	ck.maxsize = maxsize;
	ck.require_signed = require_signed;
	ck.age_unknown = ck.own_only = mode == 'S';
	ck.own = agent;
	ck.merges = mode == 'R';	/* the sequencer's: done again */
	check_retain(&ck, retain);
	switch (mode) {
	case 'R':
		if (arg == NULL || strstr(arg, "..") == NULL)
			errx(EX_USAGE, "--range wants old..new");
		/* under clock skew a merge old holds may be listed */
		old = xstrndup(arg, (size_t)(strstr(arg, "..") - arg));
		ck.known = old;
		rv = check_commits(&ck, args);
		break;
	case 'T': rv = check_tree(&ck, arg != NULL ? arg : "HEAD"); break;
	case 'S': rv = check_staged(&ck); break;
	default:
		ck.asked = &asked;
		rv = check_ref_updates(&ck, hook_in.s != NULL ? hook_in.s : "",
		    branch.s);
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
	free(old);
	return ck.problems > 0 ? EX_DATAERR : EX_OK;
}

/*
 * The branch that the hub's HEAD names, read from $GIT_DIR/HEAD (a hook
 * runs with GIT_DIR set) into ref: 0, or -1 when there is none.
 */
static int
hub_head(struct buf *ref)
{
	const char *dir = getenv("GIT_DIR");
	struct buf path = BUF_INIT;
	int rv = -1;

	if (dir == NULL || *dir == '\0')
		return -1;
	buf_addf(&path, "%s/HEAD", dir);
	if (file_read(path.s, ref, 1024) == 0 && ref->len > 16 &&
	    strncmp(ref->s, "ref: refs/heads/", 16) == 0 &&
	    ref->s[ref->len - 1] == '\n') {
		buf_rtrim(ref);
		memmove(ref->s, ref->s + 5, ref->len - 4);
		ref->len -= 5;
		rv = 0;
	}
	buf_free(&path);
	return rv;
}

/*
 * The post-receive hook: the sequencer folds the queue refs into the
 * bus branch (sequence.c).  The push is done whatever it says: a
 * failure is told to the pusher, and the next push folds again.
 */
static int
post_receive(struct git *g, int mflag)
{
	struct buf in = BUF_INIT, head = BUF_INIT;

	if (fd_read_all(0, &in, 0) == -1)
		err(EX_IOERR, "stdin");
	/*
	 * Most pushes are a current station's, which moved the branch to
	 * its queue itself: they need not even the settings read.  The
	 * hub's HEAD names its bus branch (bus-init --hub), and reading
	 * that file is no git process.
	 */
	if (hub_head(&head) == 0 && sequence_folded(in.s != NULL ? in.s : "",
	    head.s)) {
		buf_free(&in);
		buf_free(&head);
		return EX_OK;
	}
	buf_free(&head);
	read_settings(g, 'Q', mflag, &branch);
	if (sequence_run(g, branch.s, in.s != NULL ? in.s : "") == -1) {
		if (!qflag)
			warnx("the queues are not folded into %s yet: %s",
			    branch.s, bus_error());
		return bus_errclass();
	}
	buf_free(&in);
	return EX_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "as", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ "post-receive", no_argument, NULL, 'Q' },
		{ "pre-commit", no_argument, NULL, 'S' },
		{ "pre-receive", no_argument, NULL, 'P' },
		{ "range", no_argument, NULL, 'R' },
		{ "tree", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	struct git g = { .dir = NULL };
	const char *self = path_base(argv[0]);
	int c, Cflag = 0, mflag = 0, mode;

	/* run as the hook itself (bus-init links it): that hook's check */
	mode = strcmp(self, "pre-receive") == 0 ? 'P' :
	    strcmp(self, "post-receive") == 0 ? 'Q' :
	    strcmp(self, "pre-commit") == 0 ? 'S' : 0;
	version_option(argc, argv);
	while ((c = getopt_long(argc, argv, "C:hm:qvz", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'P':
		case 'Q':
		case 'R':
		case 'S':
		case 'T':
			if (mode != 0 && mode != c)
				usage(stderr, EX_USAGE);
			mode = c;
			break;
		case 'A': as = optarg; break;
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
	    1 : 0) || (mode == 'R' && argc != 1) || (mode != 0 && (zflag ||
	    as != NULL)))
		usage(stderr, EX_USAGE);
	/* history is checked in $BUS_DIR, as every tool works there */
	if (mode != 0 && !Cflag && (g.dir = getenv("BUS_DIR")) != NULL &&
	    *g.dir == '\0')
		g.dir = NULL;
	if (mode == 'Q')
		return post_receive(&g, mflag);
	read_settings(&g, mode, mflag, &branch);
	if (mode != 0) {
		status = check_history(&g, mode, argc > 0 ? argv[0] : NULL);
		/* every answer it gave was read whole: its end tells nothing */
		(void)git_cat_close(&g);
		check_asked_free(&asked);
		return status;
	}

	if (each_operand(argc, argv, zflag, check_operand, NULL) == -1)
		err(EX_IOERR, "stdin");
	return status;
}
