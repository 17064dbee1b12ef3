/*
 * run.c: run a program with posix_spawn, never through a shell.
 *
 * The child's stdin, stdout and stderr are pipes pumped by one poll
 * loop, so a child that writes megabytes while we still feed it
 * megabytes never deadlocks (git's run-command.c pipe_command does
 * the same).  Every pipe is close-on-exec; the child gets SIGPIPE
 * back at its default disposition and an empty signal mask.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

extern char **environ;

#define CHUNK	65536

static int
is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

/*
 * Find a program the way execvp would, so that a missing program is
 * reported as such before anything is spawned (rather than as a
 * child that exits 127, which a program may also do on its own).
 */
char *
run_find(const char *name)
{
	struct buf b = BUF_INIT;
	const char *path, *p, *colon;

	if (name[0] == '\0') {
		bus_seterr("empty program name");
		errno = ENOENT;
		return NULL;
	}
	if (strchr(name, '/') != NULL) {
		if (is_executable(name))
			return strdup(name);
		bus_seterrno("%s", name);
		return NULL;
	}
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = colon + 1) {
		colon = strchr(p, ':');
		buf_reset(&b);
		if (colon == p || *p == '\0')
			buf_adds(&b, ".");	/* empty entry: current dir */
		else
			buf_add(&b, p, colon ? (size_t)(colon - p) : strlen(p));
		buf_addf(&b, "/%s", name);
		if (is_executable(b.s))
			return buf_detach(&b);
		if (colon == NULL)
			break;
	}
	buf_free(&b);
	bus_seterr("%s: command not found", name);
	errno = ENOENT;
	return NULL;
}

/* Does the environment entry "NAME=value" (or "NAME") match name? */
static int
env_match(const char *entry, const char *name)
{
	size_t n = strcspn(name, "=");

	return strncmp(entry, name, n) == 0 &&
	    (entry[n] == '=' || entry[n] == '\0');
}

static int
env_listed(const char *entry, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++)
		if (env_match(entry, *list))
			return 1;
	return 0;
}

/* Our environment less the unset and overridden names, plus the set. */
static void
env_build(struct strvec *env, const char *const *set,
    const char *const *unset)
{
	char **e;

	for (e = environ; *e != NULL; e++)
		if (!env_listed(*e, unset) && !env_listed(*e, set))
			strvec_push(env, *e);
	strvec_pushv(env, set);
}

/*
 * A close-on-exec pipe whose ends are above 2, so that dup2 onto the
 * child's 0, 1 or 2 always happens (and clears close-on-exec) even
 * when we were started with a standard descriptor closed.
 */
static int
pipe_cloexec(int fd[2])
{
	int i, moved;

	if (pipe2(fd, O_CLOEXEC) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		if (fd[i] > 2)
			continue;
		if ((moved = fcntl(fd[i], F_DUPFD_CLOEXEC, 3)) == -1)
			return -1;
		close(fd[i]);
		fd[i] = moved;
	}
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

static void
close_pipe(int fd[2])
{
	close_fd(&fd[0]);
	close_fd(&fd[1]);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what is there from *fd into b; close it at end of file. */
static void
pump_read(int *fd, struct buf *b)
{
	ssize_t n;

	buf_grow(b, CHUNK);
	n = read(*fd, b->s + b->len, CHUNK);
	if (n > 0) {
		b->len += (size_t)n;
		b->s[b->len] = '\0';
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		close_fd(fd);
}

/* Write what is left of r->in from *off to *fd; close it when done. */
static void
pump_write(const struct run *r, int *fd, size_t *off)
{
	size_t left = r->inlen - *off;
	ssize_t w;

	w = write(*fd, (const char *)r->in + *off,
	    left > CHUNK ? CHUNK : left);
	if (w > 0)
		*off += (size_t)w;
	else if (w == -1 && errno != EINTR && errno != EAGAIN)
		close_fd(fd);
	if (*off == r->inlen && !r->hold_in)
		close_fd(fd);
}

/*
 * Move the child's input and output until all three pipes are closed
 * or the deadline passes.  A child that stops reading early is not an
 * error: its input pipe is simply closed (EPIPE, with SIGPIPE ignored
 * by our caller).
 */
static int
pump(struct run *r, int *in, int *out, int *err, long long deadline)
{
	struct pollfd pfd[3];
	size_t off = 0;
	int n, timeout;

	while (*in != -1 || *out != -1 || *err != -1) {
		n = 0;
		if (*in != -1)
			pfd[n++] = (struct pollfd){ *in, POLLOUT, 0 };
		if (*out != -1)
			pfd[n++] = (struct pollfd){ *out, POLLIN, 0 };
		if (*err != -1)
			pfd[n++] = (struct pollfd){ *err, POLLIN, 0 };
		timeout = -1;
		if (deadline > 0) {
			long long left = deadline - now_ms();

			if (left <= 0) {
				r->timed_out = 1;
				return 0;
			}
			timeout = left > 60000 ? 60000 : (int)left;
		}
		if (poll(pfd, (nfds_t)n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			bus_seterrno("poll");
			return -1;
		}
		for (n--; n >= 0; n--) {
			if (pfd[n].revents == 0)
				continue;
			if (pfd[n].fd == *in)
				pump_write(r, in, &off);
			else if (pfd[n].fd == *out)
				pump_read(out, r->out);
			else
				pump_read(err, r->err);
		}
	}
	return 0;
}

/*
 * Kill the child, and with group everything it started: a merger
 * that forked an LLM client would otherwise leave it running.  Only
 * called before the child is reaped, so pid is still ours and, as the
 * leader, names its group.
 */
static void
kill_child(pid_t pid, int group)
{
	kill(group ? -pid : pid, SIGKILL);
}

/*
 * Wait for the child.  With a deadline, kill it once the deadline
 * passes: a child may go on long after closing its pipes.
 */
static int
reap(pid_t pid, int group, long long deadline, int *timed_out, int *st)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t w;

	for (;;) {
		w = waitpid(pid, st, deadline > 0 && !*timed_out ? WNOHANG : 0);
		if (w == pid)
			return 0;
		if (w == -1) {
			if (errno == EINTR)
				continue;
			bus_seterrno("waitpid");
			return -1;
		}
		if (now_ms() >= deadline) {
			kill_child(pid, group);
			*timed_out = 1;
		} else
			nanosleep(&tick, NULL);
	}
}

/* The group that the signals below are passed on to, while it runs. */
static volatile sig_atomic_t forward_to;
static const int forwarded[] = { SIGHUP, SIGINT, SIGTERM };
#define NFORWARDED	(sizeof(forwarded) / sizeof(forwarded[0]))

static void
forward(int sig)
{
	if (forward_to > 0)
		kill(-(pid_t)forward_to, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A child that leads a group of its own (new_group) no longer gets the
 * terminal's ^C, a hangup or a kill meant for us: pass those on to its
 * group, then die of them as before.  Signals we ignore stay ignored.
 */
static void
forward_begin(pid_t pid, struct sigaction *old)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	forward_to = pid;
	for (i = 0; i < NFORWARDED; i++)
		if (sigaction(forwarded[i], NULL, &old[i]) == 0 &&
		    old[i].sa_handler == SIG_DFL)
			sigaction(forwarded[i], &sa, NULL);
}

static void
forward_end(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < NFORWARDED; i++)
		if (old[i].sa_handler == SIG_DFL)
			sigaction(forwarded[i], &old[i], NULL);
	forward_to = 0;
}

/* The child's descriptor fd: end, one of our pipes, or else /dev/null. */
static int
child_fd(posix_spawn_file_actions_t *fa, int fd, int end, int flags)
{
	if (end != -1)
		return posix_spawn_file_actions_adddup2(fa, end, fd);
	return posix_spawn_file_actions_addopen(fa, fd, "/dev/null", flags, 0);
}

/*
 * The child's standard descriptors: a pipe to us for each of r's in,
 * out and err that is set, else /dev/null (stderr: ours).
 */
static int
spawn_stdio(const struct run *r, posix_spawn_file_actions_t *fa, int in[2],
    int out[2], int err[2])
{
	int rc;

	if ((r->in != NULL && pipe_cloexec(in) == -1) ||
	    (r->out != NULL && pipe_cloexec(out) == -1) ||
	    (r->err != NULL && pipe_cloexec(err) == -1)) {
		bus_seterrno("pipe");
		return -1;
	}
	if ((rc = child_fd(fa, 0, in[0], O_RDONLY)) != 0 ||
	    (rc = child_fd(fa, 1, out[1], O_WRONLY)) != 0 ||
	    (err[1] != -1 &&
	    (rc = posix_spawn_file_actions_adddup2(fa, err[1], 2)) != 0)) {
		errno = rc;
		bus_seterrno("%s", r->argv[0]);
		return -1;
	}
	return 0;
}

/*
 * The child's signals: SIGPIPE at its default, none blocked, and with
 * new_group a group of its own.  Returns 0 or an error number, as
 * posix_spawn does.
 */
static int
spawn_attrs(const struct run *r, posix_spawnattr_t *attr)
{
	sigset_t set;
	int rc;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if ((rc = posix_spawnattr_setsigdefault(attr, &set)) != 0)
		return rc;
	sigemptyset(&set);
	if ((rc = posix_spawnattr_setsigmask(attr, &set)) != 0)
		return rc;
	/*
	 * Git stays in our process group, so that ^C at the terminal
	 * reaches it too; a program that asked for a group of its own
	 * leads one, so that a timeout can kill all it started.
	 */
	if (r->new_group && (rc = posix_spawnattr_setpgroup(attr, 0)) != 0)
		return rc;
	return posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK |
	    (r->new_group ? POSIX_SPAWN_SETPGROUP : 0));
}

/* Writing to a child that exited must give EPIPE, not kill us. */
static int
ignore_sigpipe(struct sigaction *old)
{
	struct sigaction ign;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	return sigaction(SIGPIPE, &ign, old) == 0;
}

/*
 * Our end of the child's stdin: closed at once when there is nothing
 * to feed it (and it is not held open), else non-blocking, for pump().
 */
static int
input_ready(const struct run *r, int *fd)
{
	if (*fd != -1 && r->inlen == 0 && !r->hold_in)
		close_fd(fd);
	if (*fd != -1 &&
	    fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) | O_NONBLOCK) == -1) {
		bus_seterrno("fcntl");
		return -1;
	}
	return 0;
}

/*
 * Wait for the child and put its exit status, or 128 plus the signal
 * that killed it, into r.
 */
static int
collect(struct run *r, pid_t pid, long long deadline)
{
	int st = 0;

	if (reap(pid, r->new_group, deadline, &r->timed_out, &st) == -1)
		return -1;
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st)) {
		r->signal = WTERMSIG(st);
		r->status = 128 + r->signal;
	}
	return 0;
}

/*
 * Spawn r->argv with its pipes (ends in in, out, err; the child's
 * closed here) into *pid.  Returns -1, with the error set, when it
 * could not be spawned.
 */
static int
spawn(const struct run *r, pid_t *pid, int in[2], int out[2], int err[2])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct strvec env = STRVEC_INIT;
	int fa_ok = 0, attr_ok = 0, rv = -1, rc;
	char *path = NULL;

	*pid = -1;
	if ((path = run_find(r->argv[0])) == NULL)
		return -1;
	env_build(&env, r->env_set, r->env_unset);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		goto spawnerr;
	fa_ok = 1;
	if ((rc = posix_spawnattr_init(&attr)) != 0)
		goto spawnerr;
	attr_ok = 1;
	if (spawn_stdio(r, &fa, in, out, err) == -1)
		goto out;
	if ((rc = spawn_attrs(r, &attr)) != 0)
		goto spawnerr;

	/* the one descriptor the child inherits: we are single-threaded */
	if (r->keep_fd > 2 && fcntl(r->keep_fd, F_SETFD, 0) == -1) {
		bus_seterrno("fcntl");
		goto out;
	}
	rc = posix_spawn(pid, path, &fa, &attr, (char *const *)r->argv,
	    (char *const *)env.v);
	if (r->keep_fd > 2)
		(void)fcntl(r->keep_fd, F_SETFD, FD_CLOEXEC);
	if (rc != 0) {
		*pid = -1;
		goto spawnerr;
	}
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&err[1]);
	rv = 0;
	goto out;

spawnerr:
	errno = rc;
	bus_seterrno("%s", r->argv[0]);
out:
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	strvec_clear(&env);
	free(path);
	return rv;
}

/*
 * Run r->argv and wait for it.  Returns 0 when the program ran,
 * whatever its exit status (in r->status: the exit code, or 128 plus
 * the signal that killed it, also in r->signal); -1 when it could not
 * be run at all (errno ENOENT: no such program) or its I/O failed.
 */
int
run(struct run *r)
{
	struct sigaction oldpipe, oldfwd[NFORWARDED];
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int pipe_ignored = 0, rv = -1;
	long long deadline = 0;
	pid_t pid = -1;

	r->status = -1;
	r->signal = 0;
	r->timed_out = 0;
	if (spawn(r, &pid, in, out, err) == -1)
		goto out;
	if (r->new_group)
		forward_begin(pid, oldfwd);
	pipe_ignored = ignore_sigpipe(&oldpipe);
	if (input_ready(r, &in[1]) == -1)
		goto out;
	deadline = r->timeout_ms > 0 ? now_ms() + r->timeout_ms : 0;
	if (pump(r, &in[1], &out[0], &err[0], deadline) == -1)
		goto out;
	rv = 0;
out:
	if (pid != -1 && (rv == -1 || r->timed_out))
		kill_child(pid, r->new_group);
	close_pipe(in);
	close_pipe(out);
	close_pipe(err);
	if (pid != -1) {
		if (collect(r, pid, deadline) == -1)
			rv = -1;
		if (r->new_group)
			forward_end(oldfwd);
	}
	if (pipe_ignored)
		sigaction(SIGPIPE, &oldpipe, NULL);
	return rv;
}

/*
 * Start r->argv without waiting for it: its pipes are non-blocking
 * and left to run_pollfds() and run_io(), its end to run_done().
 */
int
run_start(struct run *r, struct run_job *j)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int i;

	memset(j, 0, sizeof(*j));
	j->r = r;
	j->fd[0] = j->fd[1] = j->fd[2] = -1;
	r->status = -1;
	r->signal = 0;
	r->timed_out = 0;
	if (spawn(r, &j->pid, in, out, err) == -1)
		goto fail;
	j->fd[0] = in[1];
	j->fd[1] = out[0];
	j->fd[2] = err[0];
	if (input_ready(r, &j->fd[0]) == -1)
		goto fail;
	for (i = 1; i < 3; i++)
		if (j->fd[i] != -1 && fcntl(j->fd[i], F_SETFL,
		    fcntl(j->fd[i], F_GETFL) | O_NONBLOCK) == -1) {
			bus_seterrno("fcntl");
			goto fail;
		}
	return 0;
fail:
	close_pipe(in);
	close_pipe(out);
	close_pipe(err);
	if (j->pid != -1) {
		kill_child(j->pid, r->new_group);
		collect(r, j->pid, 0);
		j->pid = -1;
	}
	j->fd[0] = j->fd[1] = j->fd[2] = -1;
	return -1;
}

/* The job's open pipes as pollfds in pfd (room for 3): how many. */
int
run_pollfds(const struct run_job *j, struct pollfd *pfd)
{
	int n = 0;

	if (j->fd[0] != -1 && j->off < j->r->inlen)
		pfd[n++] = (struct pollfd){ j->fd[0], POLLOUT, 0 };
	if (j->fd[1] != -1)
		pfd[n++] = (struct pollfd){ j->fd[1], POLLIN, 0 };
	if (j->fd[2] != -1)
		pfd[n++] = (struct pollfd){ j->fd[2], POLLIN, 0 };
	return n;
}

/* Move what poll said is ready in pfd[0..n-1], for this job's pipes. */
void
run_io(struct run_job *j, const struct pollfd *pfd, int n)
{
	int k;

	for (k = 0; k < n; k++) {
		if (pfd[k].revents == 0 || pfd[k].fd == -1)
			continue;
		if (pfd[k].fd == j->fd[0])
			pump_write(j->r, &j->fd[0], &j->off);
		else if (pfd[k].fd == j->fd[1])
			pump_read(&j->fd[1], j->r->out);
		else if (pfd[k].fd == j->fd[2])
			pump_read(&j->fd[2], j->r->err);
	}
}

/*
 * The job's end: waitpid with flags (WNOHANG: only if it has ended).
 * Once its process is gone, what its pipes still hold is read (a
 * program it started may keep them open: that is not waited for) and
 * its status set as run() sets it.  Returns 1 when it has ended, 0
 * when not yet, -1 when waitpid failed.
 */
static int
job_end(struct run_job *j, int flags)
{
	pid_t w;
	int st = 0, i;

	if (j->pid == -1)
		return 1;
	while ((w = waitpid(j->pid, &st, flags)) == -1 && errno == EINTR)
		;
	if (w == 0)
		return 0;
	for (i = 1; i < 3; i++)
		while (j->fd[i] != -1) {
			size_t before = (i == 1 ? j->r->out : j->r->err)->len;

			pump_read(&j->fd[i], i == 1 ? j->r->out : j->r->err);
			if (j->fd[i] != -1 &&
			    (i == 1 ? j->r->out : j->r->err)->len == before)
				close_fd(&j->fd[i]);
		}
	close_fd(&j->fd[0]);
	j->pid = -1;
	if (w == -1) {
		bus_seterrno("waitpid");
		return -1;
	}
	if (WIFEXITED(st))
		j->r->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st)) {
		j->r->signal = WTERMSIG(st);
		j->r->status = 128 + j->r->signal;
	}
	return 1;
}

/* Has the job ended?  As job_end(), without waiting. */
int
run_done(struct run_job *j)
{
	return job_end(j, WNOHANG);
}

/*
 * Run the n programs of r at once and wait for them all, each as run()
 * runs it but for timeout_ms and new_group, which are not used: two
 * questions that do not depend on each other then cost the longer
 * one's time instead of their sum.  Returns 0 when all of them ran
 * (each one's status in its run), -1 when one could not be started or
 * the I/O failed; those started are then killed.
 */
int
run_all(struct run *r, size_t n)
{
	struct run_job *j = xreallocarray(NULL, n, sizeof(*j));
	struct pollfd *pfd = xreallocarray(NULL, 3 * n, sizeof(*pfd));
	struct sigaction oldpipe;
	size_t i, started;
	int np, pipe_ignored, rv = -1;

	pipe_ignored = ignore_sigpipe(&oldpipe);
	for (started = 0; started < n; started++)
		if (run_start(&r[started], &j[started]) == -1)
			goto out;
	for (;;) {
		for (np = 0, i = 0; i < n; i++)
			np += run_pollfds(&j[i], pfd + np);
		if (np == 0)
			break;
		if (poll(pfd, (nfds_t)np, -1) == -1) {
			if (errno == EINTR)
				continue;
			bus_seterrno("poll");
			goto out;
		}
		for (i = 0; i < n; i++)
			run_io(&j[i], pfd, np);
	}
	rv = 0;
out:
	for (i = 0; i < started; i++) {
		if (rv == -1)
			run_signal(&j[i], SIGKILL);
		if (job_end(&j[i], 0) == -1)
			rv = -1;
	}
	if (pipe_ignored)
		sigaction(SIGPIPE, &oldpipe, NULL);
	free(j);
	free(pfd);
	return rv;
}

/* Send sig to the job's process, or with new_group to its group. */
void
run_signal(const struct run_job *j, int sig)
{
	if (j->pid != -1)
		kill(j->r->new_group ? -j->pid : j->pid, sig);
}

/*
 * One exchange with a job started with hold_in: write in (len bytes)
 * to it while reading its output into r->out, until enough(r->out,
 * arg) returns 1: all that was asked is there.  0, or -1 when enough
 * returns -1 (its error set), the job closed its output first (ended),
 * or the I/O failed.
 */
int
run_talk(struct run_job *j, const void *in, size_t len,
    int (*enough)(const struct buf *, void *), void *arg)
{
	struct sigaction oldpipe;
	struct pollfd pfd[3];
	int np, done, pipe_ignored, rv = -1;

	j->r->in = in;
	j->r->inlen = len;
	j->off = 0;
	pipe_ignored = ignore_sigpipe(&oldpipe);
	while ((done = enough(j->r->out, arg)) == 0) {
		if (j->fd[1] == -1) {
			bus_seterr("ended before it answered");
			goto out;
		}
		np = run_pollfds(j, pfd);
		if (poll(pfd, (nfds_t)np, -1) == -1) {
			if (errno == EINTR)
				continue;
			bus_seterrno("poll");
			goto out;
		}
		run_io(j, pfd, np);
	}
	rv = done == 1 ? 0 : -1;
out:
	j->r->in = "";
	j->r->inlen = 0;
	j->off = 0;
	if (pipe_ignored)
		sigaction(SIGPIPE, &oldpipe, NULL);
	return rv;
}

/*
 * The end of a job started with hold_in: its stdin closed, it is
 * waited for, its status put in r.  0, or -1 when it could not be.
 */
int
run_finish(struct run_job *j)
{
	close_fd(&j->fd[0]);
	return job_end(j, 0) == -1 ? -1 : 0;
}
