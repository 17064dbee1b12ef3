/*
 * profile-merge: merge shared user profiles by facts, not by lines
 * (SPEC section 6): three-way, N-way, or as git's merge driver.
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

#include "profile.h"
#include "station.h"
#include "common/tool.h"
#include "common/version.h"

#define PROFILE_MAX	(16 * 1024 * 1024)

static int	 qflag;

static void
usage(FILE *fp, int code)
{
	fputs("usage: profile-merge [-q] [-o file] [--merger cmd] base ours "
	    "theirs\n"
	    "       profile-merge [-q] [-o file] --union file ...\n"
	    "       profile-merge [-q] [--merger cmd] --driver base ours theirs "
	    "[path]\n"
	    "       profile-merge [-nqv] [-a agent] [-C dir] [--merger cmd] "
	    "[--notify] --sync [file]\n"
	    "       profile-merge --version\n", fp);
	exit(code);
}

static void
load_bytes(const char *path, struct buf *b)
{
	if (strcmp(path, "-") == 0) {
		if (fd_read_all(0, b, PROFILE_MAX) == -1)
			errx(errno == EFBIG ? EX_DATAERR : EX_NOINPUT,
			    "stdin: %s", bus_error());
	} else if (file_read(path, b, PROFILE_MAX) == -1)
		errx(errno == EFBIG ? EX_DATAERR : EX_NOINPUT, "%s: %s", path,
		    bus_error());
	if (!utf8_valid(b->s != NULL ? b->s : "", b->len))
		errx(EX_DATAERR, "%s: not UTF-8 text", path);
	buf_grow(b, 0);
}

static void
load(const char *path, struct profile *pr)
{
	struct buf b = BUF_INIT;

	if (strcmp(path, "-") == 0) {
		if (fd_read_all(0, &b, PROFILE_MAX) == -1)
			errx(errno == EFBIG ? EX_DATAERR : EX_NOINPUT,
			    "stdin: %s", bus_error());
	} else if (file_read(path, &b, PROFILE_MAX) == -1)
		errx(errno == EFBIG ? EX_DATAERR : EX_NOINPUT, "%s: %s", path,
		    bus_error());
	if (!utf8_valid(b.s != NULL ? b.s : "", b.len))
		errx(EX_DATAERR, "%s: not UTF-8 text", path);
	profile_parse(pr, b.s != NULL ? b.s : "", b.len);
	buf_free(&b);
}

/* What merged "Key: value" facts said, on stderr, safe for a terminal. */
static void
say(const char *where, const struct buf *report)
{
	const char *line, *nl;
	struct buf safe = BUF_INIT;

	if (qflag)
		return;
	for (line = report->s; line != NULL &&
	    (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		buf_reset(&safe);
		text_safe(&safe, line, (size_t)(nl - line));
		warnx("%s%s", where, safe.s);
	}
	buf_free(&safe);
}

static void
put(const char *out, const struct buf *result)
{
	if (out == NULL) {
		if (result->len > 0 && fwrite(result->s, 1, result->len,
		    stdout) != result->len)
			err(EX_IOERR, "stdout");
		if (fflush(stdout) == EOF)
			err(EX_IOERR, "stdout");
	} else if (file_write_atomic(out, result->s != NULL ? result->s : "",
	    result->len, 0666) == -1)
		errx(EX_CANTCREAT, "%s", bus_error());
}

/*
 * What --sync did, in one line on standard output, as bus-sync says
 * what it did: whether the user's file took anything from the hub, and
 * whether the shared profile took anything from the file, and was
 * pushed; a silent sync left the user guessing.
 */
static void
tell(const char *file, int changed, int pushed)
{
	struct buf safe = BUF_INIT;

	if (qflag)
		return;
	text_safe(&safe, file, strlen(file));
	printf("%s %s, shared profile %s\n", safe.s,
	    changed & 1 ? "updated" : "unchanged", !(changed & 2) ?
	    "unchanged" : pushed ? "pushed" : "committed, not pushed");
	if (fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	buf_free(&safe);
}

/*
 * --sync: the station's side of the shared profile: sync with the hub,
 * merge the user's file with the hub's user-sync/USER.md, write the
 * result to both, push.
 */
static int
sync_profile(const char *dir, const char *agent, const char *file,
    const char *merger, int nofetch, int notify, FILE *trace)
{
	struct tool t = TOOL_INIT;
	struct buf report = BUF_INIT;
	int changed;

	t.quiet = qflag;
	tool_open(&t, dir, agent, trace);
	if (file == NULL && (file = t.st.profile) == NULL)
		errx(EX_USAGE, "no profile: name the file, or set "
		    "git config bus.profile");
	if (!nofetch)
		tool_sync(&t, 0);
	if (profile_sync(&t.st, file, merger != NULL ? merger : t.st.merger,
	    notify, &report, &changed) == -1)
		tool_fail(&t);
	say("", &report);
	if (!nofetch)
		tool_push(&t);
	tell(file, changed, !nofetch && t.status == EX_OK);
	buf_free(&report);
	return tool_finish(&t);
}

/*
 * The files named by argv merged into result: with onion, each in turn
 * into the union so far (no base); else base, ours and theirs.
 */
static void
merge_files(int argc, char **argv, int onion, const char *merger,
    struct buf *result, struct buf *report)
{
	struct profile ours, theirs, empty;
	struct buf bb = BUF_INIT, bo = BUF_INIT, bt = BUF_INIT;
	int i;

	if (!onion) {
		load_bytes(argv[0], &bb);
		load_bytes(argv[1], &bo);
		load_bytes(argv[2], &bt);
		profile_merge_bytes(merger, &bb, &bo, &bt, result, report);
		buf_free(&bb);
		buf_free(&bo);
		buf_free(&bt);
		return;
	}
	profile_parse(&empty, "", 0);
	load(argv[0], &ours);
	profile_write(&ours, result);
	for (i = 1; i < argc; i++) {
		profile_free(&ours);
		profile_parse(&ours, result->s != NULL ? result->s : "",
		    result->len);
		load(argv[i], &theirs);
		buf_reset(result);
		profile_merge(&empty, &ours, &theirs, result, report);
		profile_free(&theirs);
	}
	profile_free(&ours);
	profile_free(&empty);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "driver", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "merger", required_argument, NULL, 'M' },
		{ "no-fetch", no_argument, NULL, 'n' },
		{ "notify", no_argument, NULL, 'N' },
		{ "sync", no_argument, NULL, 'S' },
		{ "union", no_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf result = BUF_INIT, report = BUF_INIT, where = BUF_INIT;
	const char *out = NULL, *agent = NULL, *dir = NULL, *merger = NULL;
	FILE *trace = NULL;
	int c, driver = 0, onion = 0, dosync = 0, notify = 0, nofetch = 0;

	version_option(argc, argv);
	while ((c = getopt_long(argc, argv, "a:C:hno:qv", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a': agent = optarg; break;
		case 'C': dir = optarg; break;
		case 'M': merger = optarg; break;
		case 'n': nofetch = 1; break;
		case 'N': notify = 1; break;
		case 'S': dosync = 1; break;
		case 'v': trace = stderr; break;
		case 'D': driver = 1; break;
		case 'h': usage(stdout, EX_OK); break;
		case 'o': out = optarg; break;
		case 'q': qflag = 1; break;
		case 'U': onion = 1; break;
		default: usage(stderr, EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (dosync) {
		if (driver || onion || out != NULL || argc > 1)
			usage(stderr, EX_USAGE);
		return sync_profile(dir, agent, argc == 1 ? argv[0] : NULL,
		    merger, nofetch, notify, trace);
	}
	if (notify || agent != NULL || dir != NULL || nofetch)
		usage(stderr, EX_USAGE);
	if (driver ? (onion || out != NULL || argc < 3 || argc > 4) :
	    onion ? (argc < 1 || merger != NULL) : argc != 3)
		usage(stderr, EX_USAGE);

	merge_files(argc, argv, onion, merger, &result, &report);
	if (driver && argc == 4)
		buf_addf(&where, "%s: ", argv[3]);
	say(where.s != NULL ? where.s : "", &report);
	/* as git's merge driver: the result replaces ours (%A) */
	put(driver ? argv[1] : out, &result);
	buf_free(&result);
	buf_free(&report);
	buf_free(&where);
	return EX_OK;
}
