/*
 * git.c: run the system git.
 *
 * Git is found on PATH at run time ($BUS_GIT overrides), never linked.
 * Every command runs with terminal prompts off and LC_ALL=C, so that a
 * missing credential fails at once instead of hanging an unattended
 * job, and so that nothing depends on the user's language.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "git.h"
#include "run.h"

#define GIT_MAX_ARGS	64
#define GIT_MAX_ENV	16

/*
 * GIT_NO_REPLACE_OBJECTS: a replace ref pushed to a hub (or fetched)
 * would make git show the hook, bus-check and every tool another
 * commit or tree than the one the branch really holds.
 */
static const char *const git_env[] = {
	"GIT_TERMINAL_PROMPT=0",
	"GIT_NO_REPLACE_OBJECTS=1",
	"LC_ALL=C",
	NULL
};

static const char *
git_program(void)
{
	const char *p = getenv("BUS_GIT");

	return p != NULL && *p != '\0' ? p : "git";
}

/* Write one argument for a trace line: quoted when needed, no raw controls. */
static void
trace_arg(FILE *fp, const char *a)
{
	const char *p;
	int plain = *a != '\0';

	for (p = a; *p != '\0' && plain; p++)
		if (!isalnum((unsigned char)*p) && strchr("-_./:=@%+,^~", *p) == NULL)
			plain = 0;
	if (plain) {
		fputs(a, fp);
		return;
	}
	fputc('\'', fp);
	for (p = a; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", fp);
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\%03o", (unsigned char)*p);
		else
			fputc(*p, fp);
	}
	fputc('\'', fp);
}

/*
 * The line of git's stderr that says what went wrong: its first
 * "fatal:" line (advice follows it), else its last non-empty line.
 * The line before a first "fatal:" is the transport's own reason
 * (ssh's "Connection refused", say), which git's words leave out:
 * it is returned in *why, *whylen long (0: none).
 */
static void
last_line(const struct buf *b, const char **p, int *n, const char **why,
    int *whylen)
{
	size_t end = b->len, start;
	const char *f, *w;

	*whylen = 0;
	if (b->s != NULL && ((f = strncmp(b->s, "fatal: ", 7) == 0 ? b->s :
	    strstr(b->s, "\nfatal: ")) != NULL)) {
		if (f > b->s) {
			for (w = f; w > b->s && (w[-1] == '\n' ||
			    w[-1] == '\r'); w--)
				;
			end = (size_t)(w - b->s);
			while (w > b->s && w[-1] != '\n')
				w--;
			if (strncmp(w, "error: ", 7) != 0 &&
			    strncmp(w, "warning: ", 9) != 0 &&
			    strncmp(w, "hint: ", 6) != 0) {
				*why = w;
				*whylen = (int)(b->s + end - w);
			}
		}
		f += *f == '\n';
		*p = f;
		*n = (int)strcspn(f, "\r\n");
		return;
	}
	while (end > 0 && (b->s[end - 1] == '\n' || b->s[end - 1] == '\r'))
		end--;
	start = end;
	while (start > 0 && b->s[start - 1] != '\n')
		start--;
	*p = b->s != NULL ? b->s + start : "";
	*n = (int)(end - start);
}

/*
 * Whether git's command writes refs or the index.  Such a command keeps
 * the station's lock: if the tool is killed, the next command waits
 * for it to finish, then sees what it did (a moved branch, say) and
 * brings the work tree along.
 *
 * fetch and push write the remote-tracking ref: an orphan left running
 * would otherwise hold its ref lock while the next command fetches,
 * which then fails as if the hub were away.  What they start must not
 * keep the lock past their own end: ssh closes every descriptor above
 * stderr first (a ControlPersist master does not get it), git's helpers
 * end with them, and the auto gc after a fetch (sync.c's maintain(),
 * which holds it too) does not detach.  A hub on a local path runs its
 * receive-pack and hooks below the push, so they hold it too while
 * they run; a hub's own detached gc may hold it for as long as that
 * takes, and the next command waits, which is slow but never wrong.
 */
static int
holds_lock(const char *cmd)
{
	static const char *const writers[] = { "fast-import", "fetch",
	    "maintenance", "push", "read-tree", "update-index",
	    "update-ref" };
	size_t i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(cmd, writers[i]) == 0)
			return 1;
	return 0;
}

/* A git command made ready to run: git_prepare(), git_status(). */
struct git_cmd {
	struct strvec	 argv;
	const char	*env[GIT_MAX_ENV + 1];
	const char	*name;		/* the command's, for messages */
	struct run	 r;
};

/*
 * Make args (NULL-terminated) a command for g into c, echoed to
 * g->trace, its output into out and err as git_run() says.  -1 when it
 * cannot be run (too many variables), with the error set.
 */
static int
git_prepare(const struct git *g, const char *const *args, struct buf *out,
    struct buf *err, struct git_cmd *c)
{
	size_t i, e;

	memset(c, 0, sizeof(*c));
	strvec_init(&c->argv);
	strvec_push(&c->argv, git_program());
	if (g->dir != NULL) {
		strvec_push(&c->argv, "-C");
		strvec_push(&c->argv, g->dir);
	}
	strvec_pushv(&c->argv, args);
	/* the command's name, after any "-c name=value" before it */
	for (i = 0; args[i] != NULL && strcmp(args[i], "-c") == 0 &&
	    args[i + 1] != NULL; i += 2)
		;
	c->name = args[i] != NULL ? args[i] : "";

	if (g->trace != NULL) {
		fputs("+", g->trace);
		for (i = 0; i < c->argv.n; i++) {
			fputc(' ', g->trace);
			trace_arg(g->trace, c->argv.v[i]);
		}
		fputc('\n', g->trace);
		fflush(g->trace);
	}

	/* our settings, then the caller's (which may override them) */
	for (e = 0; git_env[e] != NULL; e++)
		c->env[e] = git_env[e];
	for (i = 0; g->env != NULL && g->env[i] != NULL; i++) {
		if (e >= GIT_MAX_ENV) {
			bus_seterr("git %s: too many variables", c->name);
			strvec_clear(&c->argv);
			return -1;
		}
		c->env[e++] = g->env[i];
	}
	c->env[e] = NULL;

	c->r.argv = c->argv.v;
	c->r.env_set = c->env;
	c->r.out = out;
	c->r.err = err;
	if (holds_lock(c->name))
		c->r.keep_fd = g->lockfd;
	return 0;
}

/*
 * The status of c, which ran (ran: 0) or could not be run (-1), with
 * the error set from its stderr (err, when captured) when it failed;
 * c is freed.
 */
static int
git_status(struct git_cmd *c, int ran, const struct buf *err)
{
	const char *line, *why = NULL;
	int len, whylen, rv = -1;

	if (ran == 0 && c->r.status != 0) {
		if (c->r.signal != 0)
			bus_seterr("git %s: killed by signal %d", c->name,
			    c->r.signal);
		else if (err != NULL && (last_line(err, &line, &len, &why,
		    &whylen), len > 0))
			bus_seterr("git %s: %.*s%s%.*s", c->name, whylen, why,
			    whylen > 0 ? "; " : "", len, line);
		else
			bus_seterr("git %s: exit status %d", c->name,
			    c->r.status);
	}
	if (ran == 0)
		rv = c->r.status;
	strvec_clear(&c->argv);
	return rv;
}

/*
 * Run git with args (NULL-terminated) in g->dir, feeding it in (may be
 * NULL) and capturing out and err (either may be NULL: stdout is then
 * discarded, stderr passed through).  Returns git's exit status, with
 * an error message set when it is not 0, or -1 when git could not be
 * run at all.
 */
int
git_run(const struct git *g, const struct buf *in, struct buf *out,
    struct buf *err, const char *const *args)
{
	struct git_cmd c;

	if (git_prepare(g, args, out, err, &c) == -1)
		return -1;
	if (in != NULL) {
		c.r.in = in->s != NULL ? in->s : "";
		c.r.inlen = in->len;
	}
	return git_status(&c, run(&c.r), err);
}

/*
 * Run the n commands of calls at once, each as git_run() runs it with
 * no input, and wait for them all: each one's status goes to its
 * status (-1: not run).  The error set is that of the first one that
 * failed.  Returns 0 when all exited 0, else -1.
 */
int
git_run_all(struct git_call *calls, size_t n)
{
	struct git_cmd *c = xreallocarray(NULL, n, sizeof(*c));
	struct run *r = xreallocarray(NULL, n, sizeof(*r));
	size_t i, ready;
	int ran = -1, rv = 0;

	for (ready = 0; ready < n; ready++)
		if (git_prepare(calls[ready].g, calls[ready].args,
		    calls[ready].out, calls[ready].err, &c[ready]) == -1)
			break;
	if (ready == n) {
		for (i = 0; i < n; i++)
			r[i] = c[i].r;
		ran = run_all(r, n);
		for (i = 0; i < n; i++)
			c[i].r = r[i];
	}
	/* from the last, so that the first failure's message stays */
	for (i = ready; i-- > 0; )
		if ((calls[i].status = git_status(&c[i], ran,
		    calls[i].err)) != 0)
			rv = -1;
	for (i = ready; i < n; i++)
		calls[i].status = -1;
	if (ready < n)
		rv = -1;
	free(c);
	free(r);
	return rv;
}

/*
 * What git's failure to reach a hub means, from its words (and the
 * transport's) in msg: EX_UNAVAILABLE when the hub or its host answered
 * and will never take this as it stands -- no such repository, access
 * denied, a host key not known here -- so that a cron job stops
 * retrying; else EX_TEMPFAIL, the hub away, worth another try.  A hub
 * on a path of this machine (local) answers nothing: its path not being
 * there is storage not mounted as often as a mistake.  *hint, when not
 * NULL, says what the user can do.
 */
int
git_transport_class(const char *msg, int local, const char **hint)
{
	static const struct {
		const char	*words;
		const char	*hint;
	} permanent[] = {
		{ "does not appear to be a git repository", NULL },
		{ "Repository not found", NULL },
		{ "' not found", NULL },	/* http: repository '...' */
		{ "' does not exist", NULL },	/* clone: repository '...' */
		{ "Permission denied", NULL },
		{ "Authentication failed", NULL },
		{ "returned error: 401", NULL },
		{ "returned error: 403", NULL },
		{ "returned error: 404", NULL },
		{ "Host key verification failed", "the hub's host key is not "
		    "known here: check it, then accept it once with ssh, or "
		    "add it to ~/.ssh/known_hosts (ssh-keyscan)" },
		{ "terminal prompts disabled", "the hub asks for a password, "
		    "and no tool ever waits for one: set up a credential "
		    "helper or an ssh key" },
	};
	size_t i;

	if (hint != NULL)
		*hint = NULL;
	for (i = 0; msg != NULL && !local && i < sizeof(permanent) /
	    sizeof(permanent[0]); i++)
		if (strstr(msg, permanent[i].words) != NULL) {
			if (hint != NULL)
				*hint = permanent[i].hint;
			return EX_UNAVAILABLE;
		}
	return EX_TEMPFAIL;
}

/*
 * The common case: git args... with stdout into out (may be NULL) and
 * stderr kept for the error message.
 */
int
git(const struct git *g, struct buf *out, const char *arg, ...)
{
	const char *args[GIT_MAX_ARGS + 1];
	struct buf err = BUF_INIT;
	va_list ap;
	size_t n = 0;
	int rv;

	va_start(ap, arg);
	for (; arg != NULL && n < GIT_MAX_ARGS; arg = va_arg(ap, const char *))
		args[n++] = arg;
	va_end(ap);
	if (arg != NULL) {
		bus_seterr("git: too many arguments");
		return -1;
	}
	args[n] = NULL;
	rv = git_run(g, NULL, out, &err, args);
	buf_free(&err);
	return rv;
}

/*
 * The setting after key (NULL: the first) in out, the output of "git
 * config -z --get-regexp": "key\nvalue\0" records, each cut in place
 * in two, the key returned and its value in *value; NULL after the
 * last.  A key git prints without a value ("key\0", a boolean set by
 * its name alone) is passed over.  One walk for station.c and
 * skills.c, so that both read the records alike.
 */
char *
git_config_next(struct buf *out, char *key, char **value)
{
	char *p, *nl;

	/* after a key handed out before, its value; then the next record */
	p = key != NULL ? strvec_next(out, key) : NULL;
	while ((p = strvec_next(out, p)) != NULL)
		if ((nl = strchr(p, '\n')) != NULL) {
			*nl = '\0';
			*value = nl + 1;
			return p;
		}
	return NULL;
}

/*
 * A boolean setting's value as git reads it (true, yes, on, 1, in any
 * case), for settings read in bulk with git_config_next().
 */
int
git_config_bool(const char *value)
{
	return strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
	    strcasecmp(value, "yes") == 0 || strcasecmp(value, "on") == 0;
}

/* Is commit a an ancestor of (or equal to) commit b?  1, 0, or -1. */
int
git_is_ancestor(const struct git *g, const char *a, const char *b)
{
	int r = git(g, NULL, "merge-base", "--is-ancestor", a, b, NULL);

	return r == 0 ? 1 : r == 1 ? 0 : -1;
}

/*
 * The commits of tip that base lacks, as rev-list arguments (tip and
 * ^fork) into args, for a tip whose own commits are a line built on
 * base's history (a station's commits, a queue).  "tip ^base" would
 * say the same in theory, but rev-list stops walking by commit dates,
 * and a clock that was wrong on any machine makes it list commits that
 * base has too; the fork point (merge-base, exact whatever the dates)
 * sits on the line itself, so the walk down to it never leaves the
 * line.  Without a common ancestor, all of tip.
 */
int
git_own_range(const struct git *g, const char *tip, const char *base,
    struct strvec *args)
{
	struct buf fork = BUF_INIT;
	int r = 0;

	strvec_push(args, tip);
	if (*base != '\0') {
		r = git(g, &fork, "merge-base", base, tip, NULL);
		buf_rtrim(&fork);
		if (r == 0)
			strvec_pushf(args, "^%s", fork.s);
	}
	buf_free(&fork);
	return r == 0 || r == 1 ? 0 : -1;
}

/* The id of the empty tree (this repository's hash), into out. */
int
git_empty_tree(const struct git *g, struct buf *out)
{
	buf_reset(out);
	if (git(g, out, "hash-object", "-t", "tree", "/dev/null", NULL) != 0)
		return -1;
	buf_rtrim(out);
	return 0;
}

/*
 * git diff-tree -r -z from commit old to commit new, with opts (NULL-
 * terminated) before the two, into out.  An empty old stands for the
 * empty tree, so that a commit with no parent shows all it holds as
 * added: the one way station_diff() and verify.c see a root commit.
 */
int
git_diff_tree(const struct git *g, const char *old, const char *new,
    const char *const *opts, struct buf *out)
{
	struct strvec args = STRVEC_INIT;
	struct buf none = BUF_INIT, err = BUF_INIT;
	int rv = -1;

	if (*old == '\0') {
		if (git_empty_tree(g, &none) == -1)
			goto out;
		old = none.s;
	}
	strvec_push(&args, "diff-tree");
	strvec_push(&args, "-r");
	strvec_push(&args, "-z");
	strvec_pushv(&args, opts);
	strvec_push(&args, old);
	strvec_push(&args, new);
	if (git_run(g, NULL, out, &err, args.v) == 0)
		rv = 0;
out:
	strvec_clear(&args);
	buf_free(&none);
	buf_free(&err);
	return rv;
}

/*
 * One answer of git cat-file --batch in out at *off, "<oid> <type>
 * <size>\n<data>\n" or "<name> missing\n", into obj when it is not
 * NULL, *off moved past it: 1, 0 when it has not all come yet, -1 on
 * a header cat-file would not write.
 */
static int
cat_answer(const struct buf *out, size_t *off, struct cat_obj *obj)
{
	const char *line = out->s + *off, *nl, *sp;
	char *end;
	size_t size = 0;
	int missing;

	if (*off >= out->len ||
	    (nl = memchr(line, '\n', out->len - *off)) == NULL)
		return 0;
	missing = (size_t)(nl - line) >= 8 &&
	    memcmp(nl - 8, " missing", 8) == 0;
	if (!missing) {
		/* not sscanf(): it would measure all the output left */
		for (sp = nl; sp > line && sp[-1] != ' '; sp--)
			;
		if (sp == line || sp == nl ||
		    (size = (size_t)strtoull(sp, &end, 10), end != nl))
			return -1;
		if (size + 1 > out->len - (size_t)(nl + 1 - out->s))
			return 0;
	}
	if (obj != NULL) {
		obj->data = missing ? NULL : nl + 1;
		obj->size = size;
		obj->missing = missing;
	}
	*off = (size_t)(nl + 1 - out->s) + (missing ? 0 : size + 1);
	return 1;
}

/* What run_talk() has of the answers to a question (cat_enough()). */
struct cat_read {
	size_t		 want;		/* answers asked for */
	size_t		 got;		/* answers read whole */
	size_t		 off;		/* where the next one starts */
};

/* For run_talk(): are all the answers asked for there yet? */
static int
cat_enough(const struct buf *out, void *arg)
{
	struct cat_read *r = arg;
	int a;

	for (; r->got < r->want; r->got++)
		if ((a = cat_answer(out, &r->off, NULL)) != 1) {
			if (a == -1)
				bus_seterr("unexpected output");
			return a;
		}
	return 1;
}

/* The git cat-file --batch that git_cat_open() keeps running. */
struct git_cat {
	struct git_cmd	 c;
	struct run_job	 j;
	struct buf	 spare;		/* its output between questions */
};

/*
 * Start a git cat-file --batch for g that git_cat_batch() then asks
 * instead of starting one each time; it starts while the caller does
 * other things (a hook reads its settings meanwhile).  0, or -1 with
 * the error set; git_cat_close() ends it.
 */
int
git_cat_open(struct git *g)
{
	static const char *const args[] = { "cat-file", "--batch", NULL };
	struct git_cat *cat = xcalloc(1, sizeof(*cat));

	if (git_prepare(g, args, &cat->spare, NULL, &cat->c) == -1) {
		free(cat);
		return -1;
	}
	cat->c.r.in = "";
	cat->c.r.hold_in = 1;
	if (run_start(&cat->c.r, &cat->j) == -1) {
		(void)git_status(&cat->c, -1, NULL);
		buf_free(&cat->spare);
		free(cat);
		return -1;
	}
	g->cat = cat;
	return 0;
}

/* End g's git cat-file --batch: 0, or -1 when it failed. */
int
git_cat_close(struct git *g)
{
	struct git_cat *cat = g->cat;
	int rv;

	if (cat == NULL)
		return 0;
	g->cat = NULL;
	cat->c.r.out = &cat->spare;
	rv = git_status(&cat->c, run_finish(&cat->j), NULL);
	buf_free(&cat->spare);
	free(cat);
	return rv == 0 ? 0 : -1;
}

/*
 * Can name be asked of git cat-file, one name a line?  One that holds
 * a newline would be two questions, and every answer after it would
 * be taken for the one before: it names nothing, for all that asks.
 */
static int
askable(const char *name)
{
	return strchr(name, '\n') == NULL;
}

/* The lines of n names for cat-file into req: how many are asked. */
static size_t
cat_questions(struct buf *req, const char *const *names, size_t n)
{
	size_t i, asked = 0;

	for (i = 0; i < n; i++)
		if (askable(names[i])) {
			buf_addf(req, "%s\n", names[i]);
			asked++;
		}
	return asked;
}

/*
 * Read n objects, named as git cat-file understands them (an id, or
 * "rev:path"), with one git cat-file --batch, or with g's own
 * (git_cat_open()).  out holds the data; objs[i] points into it, or
 * says the object is missing (as one named with a newline is).
 */
int
git_cat_batch(const struct git *g, const char *const *names, size_t n,
    struct buf *out, struct cat_obj *objs)
{
	const char *args[] = { "cat-file", "--batch", NULL };
	struct cat_read r = { 0, 0, 0 };
	struct buf req = BUF_INIT;
	size_t i, off = 0;
	int rv = -1;

	buf_reset(out);
	r.want = cat_questions(&req, names, n);
	if (r.want > 0 && g->cat != NULL) {
		g->cat->c.r.out = out;
		rv = run_talk(&g->cat->j, req.s, req.len, cat_enough, &r);
		g->cat->c.r.out = &g->cat->spare;
		if (rv == -1) {
			bus_seterr("git cat-file --batch: %s", bus_error());
			goto out;
		}
	} else if (r.want > 0 && git_run(g, &req, out, NULL, args) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (!askable(names[i]))
			objs[i] = (struct cat_obj){ NULL, 0, 1 };
		else if (cat_answer(out, &off, &objs[i]) != 1) {
			bus_seterr("git cat-file --batch: unexpected output");
			goto out;
		}
	rv = 0;
out:
	buf_free(&req);
	return rv;
}

/*
 * The object ids of n names ("rev:path"), one git cat-file
 * --batch-check for all; a missing one gets "".  oids[i] point into out.
 */
int
git_oids(const struct git *g, const char *const *names, size_t n,
    struct buf *out, const char **oids)
{
	const char *args[] = { "cat-file", "--batch-check=%(objectname)",
	    NULL };
	struct buf req = BUF_INIT;
	char *line, *nl;
	size_t i;
	int rv = -1;

	buf_reset(out);
	if (cat_questions(&req, names, n) > 0 &&
	    git_run(g, &req, out, NULL, args) != 0)
		goto out;
	for (i = 0, line = out->s; i < n; i++) {
		if (!askable(names[i])) {
			oids[i] = "";
			continue;
		}
		if (line == NULL || (nl = strchr(line, '\n')) == NULL) {
			bus_seterr("git cat-file --batch-check: unexpected "
			    "output");
			goto out;
		}
		*nl = '\0';
		oids[i] = strchr(line, ' ') != NULL ? "" : line;
		line = nl + 1;
	}
	rv = 0;
out:
	buf_free(&req);
	return rv;
}

/*
 * The type and size of n objects, named as git cat-file understands
 * them, with one git cat-file --batch-check, before anything is read:
 * objs[i].data is the type ("commit", "blob"...), pointing into out,
 * or the object is missing.
 */
int
git_cat_check(const struct git *g, const char *const *names, size_t n,
    struct buf *out, struct cat_obj *objs)
{
	const char *args[] = { "cat-file",
	    "--batch-check=%(objecttype) %(objectsize)", NULL };
	struct buf req = BUF_INIT, err = BUF_INIT;
	char *line, *nl, *sp;
	size_t i;
	int rv = -1;

	buf_reset(out);
	/* its stderr says why a name is missing, which the caller says */
	if (cat_questions(&req, names, n) > 0 &&
	    git_run(g, &req, out, &err, args) != 0)
		goto out;
	/* "<type> <size>", or "<name> missing" (or "ambiguous") */
	for (i = 0, line = out->s; i < n; i++) {
		if (!askable(names[i])) {
			objs[i] = (struct cat_obj){ "", 0, 1 };
			continue;
		}
		if (line == NULL || (nl = strchr(line, '\n')) == NULL ||
		    (sp = strchr(line, ' ')) == NULL) {
			bus_seterr("git cat-file --batch-check: unexpected "
			    "output");
			goto out;
		}
		*nl = *sp = '\0';
		objs[i].data = line;
		objs[i].missing = strspn(sp + 1, "0123456789") !=
		    strlen(sp + 1) || sscanf(sp + 1, "%zu",
		    &objs[i].size) != 1;
		if (objs[i].missing)
			objs[i].size = 0;
		line = nl + 1;
	}
	rv = 0;
out:
	buf_free(&req);
	buf_free(&err);
	return rv;
}
