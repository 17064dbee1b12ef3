/*
 * bus-show: any message on the bus by its id, and the threads re links
 * messages into (SPEC section 5).
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

static struct tool	 t = TOOL_INIT;
static struct strvec	 ids = STRVEC_INIT;
static enum msg_format	 format = FORMAT_JSON;
static int		 zflag;

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-show [-nqTvz] [-a agent] [-C dir] [-f json|id|text] "
	    "id | path ... | -\n"
	    "       bus-show --version\n", fp);
	exit(code);
}

/* For each_operand(): an id, or the path of its file, .../<id>.json. */
static void
add_id(const char *arg, void *unused)
{
	const char *base = path_base(arg);
	size_t len = strlen(base);

	(void)unused;
	if (base != arg) {
		if (len <= 5 || strcmp(base + len - 5, ".json") != 0)
			errx(EX_DATAERR, "%s: not the path of a message",
			    arg);
		len -= 5;
	}
	if (!valid_id(base, len))
		errx(EX_DATAERR, "%s: not a message id", arg);
	strvec_pushf(&ids, "%.*s", (int)len, base);
}

static int
by_name(const void *x, const void *y)
{
	const char *const *a = *(const char *const *const *)x;
	const char *const *b = *(const char *const *const *)y;
	int c = strcmp(*a, *b);

	return c != 0 ? c : (a > b) - (a < b);
}

/* Each id once, the first time it was given. */
static void
uniq_ids(void)
{
	struct strvec once = STRVEC_INIT;
	const char ***p = xreallocarray(NULL, ids.n + 1, sizeof(*p));
	char *dup = xcalloc(ids.n + 1, 1);
	size_t i;

	for (i = 0; i < ids.n; i++)
		p[i] = &ids.v[i];
	qsort(p, ids.n, sizeof(*p), by_name);
	for (i = 1; i < ids.n; i++)
		if (strcmp(*p[i], *p[i - 1]) == 0)
			dup[p[i] - ids.v] = 1;
	for (i = 0; i < ids.n; i++)
		if (!dup[i])
			strvec_push(&once, ids.v[i]);
	strvec_clear(&ids);
	ids = once;
	free(p);
	free(dup);
}

/* Look the ids up in sh; with thread, every id of their threads too. */
static int
lookup(int thread, struct show *sh, char **found)
{
	struct strvec all = STRVEC_INIT;
	int rv;

	if (thread && thread_ids(&t.st, ids.v, ids.n, &all) == -1)
		return -1;
	if (!thread)
		strvec_pushv(&all, ids.v);
	*found = xreallocarray(*found, all.n + 1, 1);
	rv = show_lookup(&t.st, all.v, all.n, *found, sh);
	strvec_clear(&all);
	return rv;
}

/* Add the file s to out, and say where history holds it, if it does. */
static void
put(struct buf *out, const struct shown *s)
{
	format_put(out, format, &s->im.m, NULL, zflag ? '\0' : '\n');
	if (s->gone != NULL && !t.quiet)
		warnx("%s: collected from %s by commit %.12s at %s; shown "
		    "from history", s->im.m.id, t.st.branch, s->gone,
		    strchr(s->gone, ' ') + 1);
}

/*
 * Print what was found: the threads in thread order, or each id as
 * asked.  Returns the exit status: 66 for an id found nowhere, 65 for
 * one found only as a file that is not a valid message.
 */
static int
print(int thread, const struct show *sh, const char *found)
{
	struct buf out = BUF_INIT, safe = BUF_INIT;
	size_t *order, i, j, first, n;
	char *line, *nl;
	int status = 0;

	for (line = sh->bad.s; line != NULL &&
	    (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		buf_reset(&safe);
		text_safe(&safe, line, (size_t)(nl - line));
		warnx("%s", safe.s);
	}
	order = xreallocarray(NULL, sh->n + 1, sizeof(*order));
	if (thread)
		thread_order(sh, order);
	for (i = 0; thread && i < sh->n; i++)
		put(&out, &sh->msgs[order[i]]);
	for (i = 0; i < ids.n; i++) {
		n = show_find(sh, ids.v[i], &first);
		for (j = 0; !thread && j < n; j++)
			put(&out, &sh->msgs[first + j]);
		if (!found[i]) {
			warnx("%s: no such message on the bus", ids.v[i]);
			status = policy_worse(status, EX_NOINPUT);
		} else if (n == 0)
			status = policy_worse(status, EX_DATAERR);
	}
	if (out.len > 0 && (fwrite(out.s, 1, out.len, stdout) != out.len ||
	    fflush(stdout) == EOF))
		err(EX_IOERR, "stdout");
	free(order);
	buf_free(&out);
	buf_free(&safe);
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "no-fetch", no_argument, NULL, 'n' },
		{ "thread", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	struct show sh = SHOW_INIT;
	const char *agent = NULL, *dir = NULL;
	FILE *trace = NULL;
	char *found = NULL;
	size_t i;
	int c, nofetch = 0, thread = 0, missing = 0;

	version_option(argc, argv);
	while ((c = getopt_long(argc, argv, "a:C:f:hnqTvz", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a': agent = optarg; break;
		case 'C': dir = optarg; break;
		case 'f':
			if (format_parse(optarg, &format) == -1 ||
			    format == FORMAT_PATH)
				errx(EX_USAGE, "-f %s: not json, id or text",
				    optarg);
			break;
		case 'h': usage(stdout, EX_OK); break;
		case 'n': nofetch = 1; break;
		case 'q': t.quiet = 1; break;
		case 'T': thread = 1; break;
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
	uniq_ids();

	tool_open(&t, dir, agent, trace);
	/* a thread grows on the hub; a message is looked for here first */
	if (thread && !nofetch)
		tool_sync(&t, 0);
	if (lookup(thread, &sh, &found) == -1)
		tool_fail(&t);
	for (i = 0; i < ids.n; i++)
		missing += !found[i];
	if (missing > 0 && !thread && !nofetch) {
		show_free(&sh);
		tool_sync(&t, 0);
		if (lookup(thread, &sh, &found) == -1)
			tool_fail(&t);
	}
	t.status = policy_worse(t.status, print(thread, &sh, found));
	show_free(&sh);
	free(found);
	strvec_clear(&ids);
	return tool_finish(&t);
}
