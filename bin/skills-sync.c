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

static struct skills	 sk;
static int		 qflag;

static void
usage(FILE *fp, int code)
{
	fputs("usage: skills-sync [-fqv] [-a agent] [-C dir] [-R repo] "
	    "[--dry-run] [--notify]\n"
	    "                   [source ...]\n"
	    "       skills-sync --pull [-fqv] [-C dir] [-R repo] [--dry-run] "
	    "[dir]\n", fp);
	exit(code);
}

static void
fail(void)
{
	skills_close(&sk);
	errx(bus_errclass(), "%s", bus_error());
}

/* What the run did: a line a skill on stdout, the rest on stderr. */
static void
report(int pull)
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
		[SKILLS_LEFT_OUT] = "left out"
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
		if (n->act == SKILLS_CONFLICT)
			warnx("%s: %s; run skills-sync --pull --force or "
			    "resolve", name.s, n->why);
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

	while ((c = getopt_long(argc, argv, "a:C:fhqR:v", longopts,
	    NULL)) != -1) {
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
	}
	argc -= optind;
	argv += optind;
	if (pull && (tell || agent != NULL || argc > 1))
		usage(stderr, EX_USAGE);

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
	report(pull);
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
