/*
 * skills-sync: push the skills of local directories to the canonical
 * skills repository, or (--pull) install its skills into a local
 * directory (SPEC section 8).
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "skills.h"
#include "station.h"
#include "common/tool.h"
#include "common/version.h"

static struct skills	 sk;
static int		 qflag;
/* The commands that resolve a conflict, as this run was given: */
static struct buf	 take = BUF_INIT;	/* the hub's version wins */
static struct buf	 keep = BUF_INIT;	/* this machine's wins */
static struct buf	 again = BUF_INIT;	/* pull again */

/* Characters a shell takes as they are in a word. */
#define SHELL_PLAIN	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789@%+=:,./_-"

static void
usage(FILE *fp, int code)
{
	fputs("usage: skills-sync [-fqv] [-a agent] [-C dir] [-R repo] "
	    "[--dry-run] [--notify]\n"
	    "                   [source ...]\n"
	    "       skills-sync --pull [-fqv] [-C dir] [-R repo] [--dry-run] "
	    "[dir]\n"
	    "       skills-sync --version\n", fp);
	exit(code);
}

static void
fail(void)
{
	skills_close(&sk);
	errx(bus_errclass(), "%s", bus_error());
}

/* One word of a shell command line, after a space: quoted if need be. */
static void
word(struct buf *b, const char *w)
{
	buf_addc(b, ' ');
	if (*w != '\0' && strspn(w, SHELL_PLAIN) == strlen(w)) {
		buf_adds(b, w);
		return;
	}
	buf_addc(b, '\'');
	for (; *w != '\0'; w++)
		if (*w == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *w);
	buf_addc(b, '\'');
}

/*
 * The commands a conflict names, with this run's -C, -R and
 * directories, so that they can be copied as they are: a pull takes
 * one directory (of several, the one that holds the skill: DIR).
 */
static void
commands(const char *dir, const char *repo, int argc, char *argv[])
{
	struct buf run = BUF_INIT, one = BUF_INIT, b = BUF_INIT;
	int i;

	buf_adds(&run, "skills-sync");
	if (dir != NULL) {
		buf_adds(&run, " -C");
		word(&run, dir);
	}
	if (repo != NULL) {
		buf_adds(&run, " -R");
		word(&run, repo);
	}
	if (argc == 1)
		word(&one, argv[0]);
	buf_adds(&one, argc > 1 ? " DIR" : "");
	buf_addf(&b, "%s --pull --force%s", run.s, one.s);
	text_safe(&take, b.s, b.len);
	buf_reset(&b);
	buf_addf(&b, "%s --pull%s", run.s, one.s);
	text_safe(&again, b.s, b.len);
	buf_reset(&b);
	buf_addf(&b, "%s --force", run.s);
	for (i = 0; i < argc; i++)
		word(&b, argv[i]);
	text_safe(&keep, b.s, b.len);
	buf_free(&run);
	buf_free(&one);
	buf_free(&b);
}

/* A conflict, and the commands that resolve it. */
static void
conflict(const struct skills_note *n, const char *name)
{
	struct buf hub = BUF_INIT;

	if (n->act == SKILLS_IN_THE_WAY) {
		warnx("%s: %s; to replace it with the hub's version: %s",
		    name, n->why, take.s);
		warnx("%s: or move it out of the skill, then: %s", name,
		    again.s);
		return;
	}
	/* the clone's work tree holds the hub's version */
	if (sk.repo.worktree != NULL) {
		buf_adds(&hub, " (");
		text_safe(&hub, sk.repo.worktree, strlen(sk.repo.worktree));
		buf_addf(&hub, "/%s)", name);
	}
	warnx("%s: %s; to take the hub's version: %s", name, n->why, take.s);
	warnx("%s: or merge the hub's%s into this one, then: %s", name,
	    hub.s != NULL ? hub.s : "", keep.s);
	buf_free(&hub);
}

/*
 * What the run did: a line a skill on stdout, the rest on stderr; a
 * dry run prints the same lines, and then says that it was one.
 */
static void
report(int pull, int dry)
{
	static const char *const verb[] = {
		[SKILLS_PUSHED] = "pushed",
		[SKILLS_COMMITTED] = "committed",
		[SKILLS_BEHIND] = "behind",
		[SKILLS_CONFLICT] = "skipped",
		[SKILLS_INSTALLED] = "installed",
		[SKILLS_UPDATED] = "updated",
		[SKILLS_KEPT] = "kept",
		[SKILLS_SKIPPED] = "skipped",
		[SKILLS_LEFT_OUT] = "left out",
		[SKILLS_IN_THE_WAY] = "skipped"
	};
	struct buf name = BUF_INIT, line = BUF_INIT;
	const struct skills_note *n;
	const char *p, *nl;
	size_t i;

	for (i = 0; i < sk.plan.nnotes; i++) {
		n = &sk.plan.notes[i];
		buf_reset(&name);
		text_safe(&name, n->name, strlen(n->name));
		buf_reset(&line);
		buf_addf(&line, "%s %s", verb[n->act], name.s);
		if (n->why != NULL)
			buf_addf(&line, " (%s)", n->why);
		if (n->act == SKILLS_CONFLICT || n->act == SKILLS_IN_THE_WAY)
			conflict(n, name.s);
		if (n->act == SKILLS_LEFT_OUT)
			warnx("%s", line.s);
		else if (!qflag)
			printf("%s\n", line.s);
	}
	for (p = sk.plan.warn.s; !qflag && p != NULL &&
	    (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		warnx("%.*s", (int)(nl - p), p);
	if (sk.offline && !qflag)
		warnx("the hub is out of reach; %s", pull ? "installed what "
		    "the skills clone holds" : "what the skills clone holds "
		    "goes with the next run");
	if (dry && !qflag)
		warnx("dry run: nothing changed");
	if (fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	buf_free(&name);
	buf_free(&line);
}

/* A failure in the bus station: the skills clone is left tidy first. */
static void
close_skills(void)
{
	skills_close(&sk);
}

/*
 * A "skills" message to every other agent on the bus, pushed.  The
 * bus station t was opened and locked before the skills were pushed,
 * so that a station held by another command stops the run before any
 * work, and a notice is never lost.
 */
static int
notify(struct tool *t)
{
	struct buf tip = BUF_INIT;

	if (sk.pushed.len > 0) {
		tool_sync(t, 0);
		if (skills_notify(&t->st, &sk, &tip) == -1)
			tool_fail(t);
		tool_push(t);
	}
	buf_free(&tip);
	return tool_finish(t);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'N' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "notify", no_argument, NULL, 'T' },
		{ "pull", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	struct tool t = TOOL_INIT;
	struct skills_config cfg;
	const char *agent = NULL, *dir = NULL, *repo = NULL, *target = NULL;
	FILE *trace = NULL;
	int c, flags = 0, pull = 0, tell = 0, rv, status = EX_OK;

	version_option(argc, argv);
	while ((c = getopt_long(argc, argv, "a:C:fhqR:v", longopts,
	    NULL)) != -1)
		switch (c) {
		case 'a': agent = optarg; break;
		case 'C': dir = optarg; break;
		case 'f': flags |= SKILLS_FORCE; break;
		case 'h': usage(stdout, EX_OK); break;
		case 'N': flags |= SKILLS_DRY_RUN; break;
		case 'P': pull = 1; break;
		case 'q': qflag = 1; break;
		case 'R': repo = optarg; break;
		case 'T': tell = 1; break;
		case 'v':
			trace = stderr;
			flags |= SKILLS_VERBOSE;
			break;
		default: usage(stderr, EX_USAGE);
		}
	argc -= optind;
	argv += optind;
	if (pull && (tell || agent != NULL || argc > 1))
		usage(stderr, EX_USAGE);
	commands(dir, repo, argc, argv);

	if (dir == NULL && (dir = getenv("BUS_DIR")) != NULL && *dir == '\0')
		dir = NULL;
	if (skills_config(&cfg, dir, trace) == -1)
		errx(bus_errclass(), "%s", bus_error());
	if (repo == NULL && (repo = cfg.repo) == NULL)
		errx(EX_USAGE, "no skills repository: use -R DIR or git config "
		    "skills.repo");
	if (pull) {
		target = argc == 1 ? argv[0] : cfg.target != NULL ? cfg.target :
		    cfg.nsources > 0 ? cfg.sources[0] : NULL;
		if (target == NULL)
			errx(EX_USAGE, "no directory to install into: name "
			    "one, or git config skills.target");
	} else if (argc == 0 && cfg.nsources == 0)
		errx(EX_USAGE, "no skills directory: name one, or git config "
		    "skills.source");

	if ((tell = tell && !(flags & SKILLS_DRY_RUN))) {
		t.quiet = qflag;
		t.on_fail = close_skills;
		tool_open(&t, dir, agent, trace);
	}
	if (skills_open(&sk, repo, cfg.remote, flags, trace) == -1)
		fail();
	rv = pull ? skills_pull(&sk, target) : argc > 0 ?
	    skills_push(&sk, argv, (size_t)argc) :
	    skills_push(&sk, cfg.sources, cfg.nsources);
	report(pull, (flags & SKILLS_DRY_RUN) != 0);
	if (rv == -1)
		fail();
	if (sk.plan.conflicts > 0)
		status = EX_DATAERR;
	else if (sk.offline)
		status = EX_TEMPFAIL;
	if (tell)
		status = policy_worse(status, notify(&t));
	skills_close(&sk);
	skills_config_free(&cfg);
	return status;
}
