/*
 * t-run: the process runner and the git wrapper, against real programs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "git.h"
#include "run.h"
#include "tap.h"

#define BIG	(10 * 1024 * 1024)

static int
run_argv(struct run *r, const char *const *argv, const void *in,
    size_t inlen, struct buf *out, struct buf *err)
{
	memset(r, 0, sizeof(*r));
	r->argv = argv;
	r->in = in;
	r->inlen = inlen;
	r->out = out;
	r->err = err;
	return run(r);
}

static void
test_exit_status(void)
{
	const char *t[] = { "true", NULL };
	const char *three[] = { "sh", "-c", "exit 3", NULL };
	struct run r;

	ok(run_argv(&r, t, NULL, 0, NULL, NULL) == 0 && r.status == 0 &&
	    r.signal == 0, "true exits 0");
	ok(run_argv(&r, three, NULL, 0, NULL, NULL) == 0 && r.status == 3 &&
	    r.signal == 0, "exit status 3 is reported as 3, not a signal");
}

static void
test_big_cat(void)
{
	const char *cat[] = { "cat", NULL };
	const char *both[] = { "sh", "-c", "tee /dev/stderr", NULL };
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct run r;
	char *in;
	size_t i;

	if ((in = malloc(BIG)) == NULL)
		abort();
	for (i = 0; i < BIG; i++)
		in[i] = (char)(i * 7 + i / 4096);
	ok(run_argv(&r, cat, in, BIG, &out, NULL) == 0 && r.status == 0,
	    "cat of 10 MiB runs");
	ok(out.len == BIG && memcmp(out.s, in, BIG) == 0,
	    "10 MiB through cat come back unchanged");
	buf_reset(&out);
	ok(run_argv(&r, both, in, BIG, &out, &err) == 0 && r.status == 0,
	    "10 MiB in, 10 MiB out on each of stdout and stderr");
	ok(out.len == BIG && err.len == BIG && memcmp(out.s, in, BIG) == 0 &&
	    memcmp(err.s, in, BIG) == 0, "both outputs complete and equal");
	buf_reset(&out);
	ok(run_argv(&r, cat, "", 0, &out, NULL) == 0 && out.len == 0 &&
	    r.status == 0, "empty input gives cat end of file at once");
	buf_free(&out);
	buf_free(&err);
	free(in);
}

/* A child that writes a lot and never reads must not deadlock us. */
static void
test_no_deadlock(void)
{
	const char *spew[] = { "spew", "10485760", NULL };
	struct buf out = BUF_INIT, err = BUF_INIT, prog = BUF_INIT;
	const char *build = getenv("BUS_BUILD_DIR");
	struct run r;
	char *in;

	if (build != NULL) {
		buf_addf(&prog, "%s/tests/helper/spew", build);
		spew[0] = prog.s;
	}

	if ((in = calloc(1, BIG)) == NULL)
		abort();
	ok(run_argv(&r, spew, in, BIG, &out, &err) == 0 && r.status == 0,
	    "a child that never reads its 10 MiB of input still finishes");
	ok(out.len == BIG && err.len == BIG,
	    "and all it wrote on both outputs arrived");
	buf_free(&prog);
	buf_free(&out);
	buf_free(&err);
	free(in);
}

static void
test_signal(void)
{
	const char *killself[] = { "sh", "-c", "kill -TERM $$", NULL };
	const char *sleeper[] = { "sleep", "30", NULL };
	struct run r;
	int rv;

	rv = run_argv(&r, killself, NULL, 0, NULL, NULL);
	ok(rv == 0 && r.signal == SIGTERM && r.status == 128 + SIGTERM,
	    "death by SIGTERM reported as signal %d, status %d", r.signal,
	    r.status);
	memset(&r, 0, sizeof(r));
	r.argv = sleeper;
	r.timeout_ms = 200;
	ok(run(&r) == 0 && r.timed_out && r.signal == SIGKILL,
	    "a child past its time limit is killed and said to be");
}

/* Whether pid is gone: no such process, or a zombie not yet reaped. */
static int
gone(pid_t pid)
{
	char path[64], line[256], *paren;
	FILE *fp;
	int zombie = 0;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), fp) != NULL &&
	    (paren = strrchr(line, ')')) != NULL)
		zombie = paren[1] == ' ' && paren[2] == 'Z';
	fclose(fp);
	return zombie;
}

/*
 * A child in a group of its own takes what it started with it when it
 * is killed for its time; git children stay in our group, for ^C.
 */
static void
test_group(void)
{
	const char *forker[] = { "sh", "-c", NULL, NULL };
	const char *pgid[] = { "sh", "-c", "set -- $(sed 's/.*) //' "
	    "/proc/$$/stat); echo $$ $3", NULL };
	const struct timespec later = { 1, 500 * 1000 * 1000 };
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct buf cmd = BUF_INIT, out = BUF_INIT, pid = BUF_INIT;
	struct buf pidfile = BUF_INIT, late = BUF_INIT;
	char dir[] = "/tmp/t-run.XXXXXX";
	struct run r;
	pid_t grandchild = 0;
	long self, group;
	int i;

	if (mkdtemp(dir) == NULL)
		abort();
	buf_addf(&pidfile, "%s/pid", dir);
	buf_addf(&late, "%s/late", dir);
	/* the grandchild says who it is, then finishes after our limit */
	buf_addf(&cmd, "sh -c 'echo $$ >%s; sleep 2; : >%s' & wait",
	    pidfile.s, late.s);
	forker[2] = cmd.s;
	memset(&r, 0, sizeof(r));
	r.argv = forker;
	r.timeout_ms = 300;
	r.new_group = 1;
	ok(run(&r) == 0 && r.timed_out, "a child that forks is killed for "
	    "its time");
	if (file_read(pidfile.s, &pid, 64) == 0)
		grandchild = (pid_t)atol(pid.s);
	if (grandchild > 0) {
		/* it may linger as a zombie until init reaps it */
		for (i = 0; i < 100 && !gone(grandchild); i++)
			nanosleep(&tick, NULL);
		ok(gone(grandchild), "the grandchild %ld is gone",
		    (long)grandchild);
	} else
		ok(1, "the grandchild was gone before it wrote its pid");
	nanosleep(&later, NULL);
	ok(access(late.s, F_OK) == -1, "and it never finishes");
	if (grandchild > 0 && !gone(grandchild))
		kill(grandchild, SIGKILL);	/* a failed test leaves nothing */
	unlink(pidfile.s);
	unlink(late.s);
	rmdir(dir);

	if (access("/proc/self/stat", F_OK) != 0) {
		ok(1, "# SKIP no /proc");
		ok(1, "# SKIP no /proc");
		goto out;
	}
	ok(run_argv(&r, pgid, NULL, 0, &out, NULL) == 0 &&
	    sscanf(out.s, "%ld %ld", &self, &group) == 2 &&
	    group == (long)getpgrp(), "a child stays in our process group");
	buf_reset(&out);
	memset(&r, 0, sizeof(r));
	r.argv = pgid;
	r.out = &out;
	r.new_group = 1;
	ok(run(&r) == 0 && sscanf(out.s, "%ld %ld", &self, &group) == 2 &&
	    group == self, "with new_group it leads a group of its own");
out:
	buf_free(&cmd);
	buf_free(&out);
	buf_free(&pid);
	buf_free(&pidfile);
	buf_free(&late);
}

static void
test_missing(void)
{
	const char *none[] = { "no-such-program-for-bus-tests", NULL };
	const char *path[] = { "/nonexistent/prog", NULL };
	struct run r;

	errno = 0;
	ok(run_argv(&r, none, NULL, 0, NULL, NULL) == -1 && errno == ENOENT,
	    "a missing program fails to run with ENOENT");
	ok(strstr(bus_error(), "command not found") != NULL,
	    "and says: %s", bus_error());
	ok(r.status == -1, "no exit status is made up for it");
	ok(run_argv(&r, path, NULL, 0, NULL, NULL) == -1 && errno == ENOENT,
	    "a missing program given by path fails the same way");
}

static void
test_env(void)
{
	const char *sh[] = { "sh", "-c",
	    "printf %s \"$BUS_T_SET-${BUS_T_GONE-unset}-$BUS_T_KEEP\"", NULL };
	const char *set[] = { "BUS_T_SET=new", NULL };
	const char *unset[] = { "BUS_T_GONE", NULL };
	struct buf out = BUF_INIT;
	struct run r;
	int rv;

	setenv("BUS_T_SET", "old", 1);
	setenv("BUS_T_GONE", "here", 1);
	setenv("BUS_T_KEEP", "kept", 1);
	memset(&r, 0, sizeof(r));
	r.argv = sh;
	r.env_set = set;
	r.env_unset = unset;
	r.out = &out;
	rv = run(&r);
	ok(rv == 0 && strcmp(out.s, "new-unset-kept") == 0,
	    "environment delta: set overrides, unset removes, rest kept "
	    "(got %s)", out.s);
	ok(strcmp(getenv("BUS_T_SET"), "old") == 0,
	    "our own environment is unchanged");
	buf_free(&out);
}

/*
 * We ignore SIGPIPE while pumping; the child must get it back at its
 * default, or "yes | head" would print write errors instead of dying.
 */
static void
test_sigpipe_default(void)
{
	const char *sh[] = { "sh", "-c", "yes | head -c 1 >/dev/null", NULL };
	struct buf err = BUF_INIT;
	struct run r;

	signal(SIGPIPE, SIG_IGN);
	ok(run_argv(&r, sh, NULL, 0, NULL, &err) == 0 && err.len == 0,
	    "SIGPIPE is at its default in the child even when we ignore it");
	signal(SIGPIPE, SIG_DFL);
	buf_free(&err);
}

/*
 * Only 0, 1 and 2 and what we were given to pass on reach the child:
 * every pipe of ours is close-on-exec.  (The test's own parent may
 * have handed us descriptors without close-on-exec; those are allowed.)
 */
static void
test_no_leaked_fds(void)
{
	const char *ls[] = { "sh", "-c", "ls /proc/$$/fd", NULL };
	struct buf out = BUF_INIT;
	struct run r;
	char *line, *nl;
	int rv, fd, flags, leaked = 0;

	if (access("/proc/self/fd", F_OK) != 0) {
		ok(1, "# SKIP no /proc");
		return;
	}
	rv = run_argv(&r, ls, "x", 1, &out, &out);
	ok(rv == 0 && strncmp(out.s, "0\n1\n", 4) == 0 &&
	    strstr(out.s, "\n2\n") != NULL, "the child has fds 0 1 2");
	for (line = out.s; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		fd = atoi(line);
		if (fd < 3)
			continue;
		flags = fcntl(fd, F_GETFD);
		if (flags == -1 || (flags & FD_CLOEXEC))
			leaked++;
	}
	ok(leaked == 0, "and no descriptor of ours beyond them");
	buf_free(&out);
}

static void
test_git(void)
{
	struct git g = { .dir = NULL };
	struct buf out = BUF_INIT;
	FILE *trace;
	char line[256];

	ok(git(&g, &out, "--version", NULL) == 0 &&
	    strncmp(out.s, "git version ", 12) == 0, "git --version runs");
	buf_reset(&out);
	ok(git(&g, &out, "var", "GIT_TERMINAL_PROMPT", NULL) != -1,
	    "git var runs");
	buf_reset(&out);

	if ((trace = tmpfile()) == NULL)
		abort();
	g.trace = trace;
	g.dir = "/";
	git(&g, &out, "rev-parse", "--is-bare-repository", "it's", NULL);
	rewind(trace);
	ok(fgets(line, sizeof(line), trace) != NULL &&
	    strcmp(line, "+ git -C / rev-parse --is-bare-repository "
	    "'it'\\''s'\n") == 0, "-v traces the command, quoted: %s", line);
	fclose(trace);
	g.trace = NULL;
	g.dir = NULL;

	ok(git(&g, NULL, "no-such-git-command", NULL) > 0 &&
	    strstr(bus_error(), "git no-such-git-command:") != NULL,
	    "a failing git command leaves its message: %s", bus_error());

	setenv("BUS_GIT", "/bin/false", 1);
	ok(git(&g, NULL, "status", NULL) == 1 &&
	    strcmp(bus_error(), "git status: exit status 1") == 0,
	    "$BUS_GIT overrides the git found on PATH");
	setenv("BUS_GIT", "no-such-git-for-bus-tests", 1);
	ok(git(&g, NULL, "status", NULL) == -1 && errno == ENOENT,
	    "a missing git is reported as missing: %s", bus_error());
	unsetenv("BUS_GIT");

	buf_free(&out);
}

static void
test_git_env(void)
{
	struct git g = { .dir = NULL };
	struct buf out = BUF_INIT;

	setenv("BUS_GIT", "env", 1);
	ok(git(&g, &out, "env", NULL) == 0 &&
	    strstr(out.s, "\nGIT_TERMINAL_PROMPT=0\n") != NULL &&
	    strstr(out.s, "\nLC_ALL=C\n") != NULL,
	    "git runs with GIT_TERMINAL_PROMPT=0 and LC_ALL=C");
	unsetenv("BUS_GIT");
	buf_free(&out);
}

/* For run_talk(): has cat echoed back all of *arg bytes? */
static int
echoed(const struct buf *out, void *arg)
{
	return out->len >= *(size_t *)arg;
}

static void
test_talk(void)
{
	const char *cat[] = { "cat", NULL };
	const char *four[] = { "sh", "-c", "exit 4", NULL };
	struct buf out = BUF_INIT;
	struct run_job j;
	struct run r;
	size_t want, i;
	char *in;

	memset(&r, 0, sizeof(r));
	r.argv = cat;
	r.in = "";
	r.hold_in = 1;
	r.out = &out;
	ok(run_start(&r, &j) == 0, "a program started with its stdin held");
	want = 6;
	ok(run_talk(&j, "hello\n", 6, echoed, &want) == 0 &&
	    strcmp(out.s, "hello\n") == 0, "one exchange");
	/* more than the pipes hold, both ways: no deadlock */
	if ((in = malloc(BIG)) == NULL)
		abort();
	for (i = 0; i < BIG; i++)
		in[i] = (char)('a' + i % 26);
	buf_reset(&out);
	want = BIG;
	ok(run_talk(&j, in, BIG, echoed, &want) == 0 && out.len == BIG &&
	    memcmp(out.s, in, BIG) == 0, "a second exchange of 10 MiB");
	ok(run_finish(&j) == 0 && r.status == 0,
	    "the end closes its stdin and waits for it");
	free(in);

	memset(&r, 0, sizeof(r));
	r.argv = four;
	r.in = "";
	r.hold_in = 1;
	buf_reset(&out);
	r.out = &out;
	want = 1;
	ok(run_start(&r, &j) == 0 &&
	    run_talk(&j, "x\n", 2, echoed, &want) == -1 &&
	    strcmp(bus_error(), "ended before it answered") == 0,
	    "a program that ends first: ended before it answered");
	ok(run_finish(&j) == 0 && r.status == 4, "its status is kept");
	buf_free(&out);
}

static void
test_git_cat_session(void)
{
	char dir[] = "/tmp/t-run.XXXXXX";
	const char *hash[] = { "hash-object", "-w", "--stdin", NULL };
	const char *rm[] = { "rm", "-rf", dir, NULL };
	struct git g = { .dir = NULL };
	struct buf in = BUF_INIT, oid = BUF_INIT, out = BUF_INIT;
	struct cat_obj o[2000];
	const char *names[2000], *three[3], *oids[3];
	struct run r;
	size_t i, good;

	if (mkdtemp(dir) == NULL)
		abort();
	g.dir = dir;
	buf_adds(&in, "one\n");
	if (git(&g, NULL, "init", "-q", NULL) != 0 ||
	    git_run(&g, &in, &oid, NULL, hash) != 0)
		abort();
	buf_rtrim(&oid);
	ok(git_cat_open(&g) == 0 && g.cat != NULL, "a cat-file session opens");
	names[0] = oid.s;
	names[1] = "no-such-object-here";
	ok(git_cat_batch(&g, names, 2, &out, o) == 0 && !o[0].missing &&
	    o[0].size == 4 && memcmp(o[0].data, "one\n", 4) == 0 &&
	    o[1].missing, "it reads a blob and names a missing one");
	/* asked for more than the pipes hold, answered as much again */
	for (i = 0; i < 2000; i++)
		names[i] = oid.s;
	ok(git_cat_batch(&g, names, 2000, &out, o) == 0,
	    "2,000 questions at once");
	for (good = 0, i = 0; i < 2000; i++)
		good += !o[i].missing && o[i].size == 4 &&
		    memcmp(o[i].data, "one\n", 4) == 0;
	ok(good == 2000, "every answer in its place");
	names[0] = "HEAD\nHEAD";
	names[1] = oid.s;
	ok(git_cat_batch(&g, names, 2, &out, o) == 0 && o[0].missing &&
	    !o[1].missing && o[1].size == 4,
	    "a name with a newline is missing, and nothing after it moves");
	ok(git_cat_batch(&g, names + 1, 1, &out, o) == 0 && !o[0].missing &&
	    memcmp(o[0].data, "one\n", 4) == 0, "the next question is whole");
	three[0] = "HEAD\nHEAD";
	three[1] = oid.s;
	three[2] = "x\ny";
	ok(git_oids(&g, three, 3, &out, oids) == 0 && *oids[0] == '\0' &&
	    strcmp(oids[1], oid.s) == 0 && *oids[2] == '\0',
	    "git_oids: names with a newline name nothing, in place");
	ok(git_cat_check(&g, three, 3, &out, o) == 0 && o[0].missing &&
	    !o[1].missing && o[1].size == 4 && strcmp(o[1].data, "blob") == 0 &&
	    o[2].missing, "git_cat_check: likewise");
	ok(git_cat_close(&g) == 0 && g.cat == NULL, "the session ends");
	ok(git_cat_batch(&g, names + 1, 1, &out, o) == 0 && !o[0].missing,
	    "without it, a cat-file of its own");

	memset(&r, 0, sizeof(r));
	r.argv = rm;
	(void)run(&r);
	buf_free(&in);
	buf_free(&oid);
	buf_free(&out);
}

int
main(void)
{
	test_exit_status();
	test_big_cat();
	test_no_deadlock();
	test_signal();
	test_group();
	test_missing();
	test_env();
	test_sigpipe_default();
	test_no_leaked_fds();
	test_git();
	test_git_env();
	test_talk();
	test_git_cat_session();
	return done_testing();
}
