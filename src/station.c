/*
 * station.c: an agent's clone of the bus: finding it, its settings,
 * refusing unsafe states, the one-command-at-a-time lock, the tips of
 * its branch and the commits it makes there.  Its work tree is
 * worktree.c's; the messages on its branch are mailbox.c's.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "station.h"

#define LOCK_TIMEOUT	120	/* seconds; bus.lockTimeout */

/* A setting whose last value wins, as git's does: replace the one before. */
static void
config_string(char **to, const char *value)
{
	free(*to);
	*to = xstrdup(value);
}

/*
 * Read the bus.* settings, the user's identity, the names of the
 * remotes that have a URL (NUL-separated, into remotes) and what ssh.c
 * needs from out, CONFIG_ARGS's output; *hub says bus.hub is set.
 */
static int
read_config(struct station *st, struct buf *out, char **agent,
    struct buf *remotes, int *hub, struct ssh_settings *ssh)
{
	/* the settings that are a string, the last value winning */
	const struct {
		const char	*key;
		char		**to;
	} strings[] = { { "bus.remote", &st->remote },
	    { "bus.branch", &st->branch }, { "bus.heartbeat", &st->heartbeat },
	    { "bus.profilemerger", &st->merger },
	    { "bus.profile", &st->profile },
	    { "bus.signingkey", &st->signing_key },
	    { "user.name", &st->user_name }, { "user.email", &st->user_email } };
	char *p, *v;
	size_t n, i;

	for (p = NULL; (p = git_config_next(out, p, &v)) != NULL; ) {
		ssh_setting(ssh, p, v);
		for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
			if (strcmp(p, strings[i].key) == 0)
				config_string(strings[i].to, v);
		n = strlen(p);
		if (strncmp(p, "remote.", 7) == 0 && n > 11 &&
		    strcmp(p + n - 4, ".url") == 0) {
			buf_add(remotes, p + 7, n - 11);
			buf_addc(remotes, '\0');
		} else if (strcmp(p, "bus.hub") == 0)
			*hub = git_config_bool(v);
		else if (strcmp(p, "core.sparsecheckout") == 0)
			st->sparse = git_config_bool(v);
		else if (strcmp(p, "bus.requiresigned") == 0)
			st->require_signed = git_config_bool(v);
		else if (strcmp(p, "bus.agent") == 0 && *agent == NULL)
			*agent = xstrdup(v);
		else if (strcmp(p, "bus.maxsize") == 0) {
			if (parse_size(v, &st->maxsize) == -1) {
				bus_seterr("bus.maxSize: \"%s\" is not a size "
				    "in bytes", v);
				bus_setclass(EX_USAGE);
				return -1;
			}
		} else if (strcmp(p, "bus.locktimeout") == 0)
			st->lock_timeout = atoi(v);
	}
	return 0;
}

/* Refuse a station that a command must not touch now. */
static int
check_state(struct station *st)
{
	static const char *const busy[] = { "rebase-merge", "rebase-apply",
	    "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD" };
	struct buf path = BUF_INIT;
	struct stat sb;
	size_t i;

	for (i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		buf_reset(&path);
		buf_addf(&path, "%s/%s", st->gitdir, busy[i]);
		if (lstat(path.s, &sb) == 0) {
			bus_seterr("%s: a %s is in progress; finish or abort "
			    "it first", st->worktree ? st->worktree :
			    st->gitdir, i < 2 ? "rebase" : i == 2 ? "merge" :
			    i == 3 ? "cherry-pick" : "revert");
			bus_setclass(EX_USAGE);
			buf_free(&path);
			return -1;
		}
	}
	buf_free(&path);
	return 0;
}

#define WHERE_ARGS	"rev-parse", "--absolute-git-dir", \
	"--is-bare-repository", "--is-shallow-repository", \
	"--show-toplevel", "--symbolic-full-name", "HEAD"
#define CONFIG_ARGS	"config", "-z", "--get-regexp", \
	"^(bus|user)\\.|^remote\\..*\\.(url|pushurl)$|" \
	"^core\\.(sparsecheckout|sshcommand)$|^ssh\\.variant$|" \
	"^url\\..*insteadof$"

/*
 * The two questions every command asks first, asked at once, since
 * neither needs the other's answer: where the repository is
 * (WHERE_ARGS, for find_repo()) and its settings (CONFIG_ARGS, for
 * read_config()).  Both run in st->dir, which finds the same
 * repository as its top would.  *where_status is rev-parse's status;
 * -1 when the settings cannot be read, with the error set.
 */
static int
ask_repo(struct station *st, struct buf *where, int *where_status,
    struct buf *config)
{
	static const char *const where_args[] = { WHERE_ARGS, NULL };
	static const char *const config_args[] = { CONFIG_ARGS, NULL };
	struct buf err[2] = { BUF_INIT, BUF_INIT };
	/* the settings first: theirs is the error to keep */
	struct git_call calls[2] = {
		{ &st->g, config_args, config, &err[0], 0 },
		{ &st->g, where_args, where, &err[1], 0 },
	};

	(void)git_run_all(calls, 2);
	*where_status = calls[1].status;
	buf_free(&err[0]);
	buf_free(&err[1]);
	/* 1: no such setting at all */
	return calls[0].status == 0 || calls[0].status == 1 ? 0 : -1;
}

/* Split the lines of out in place: up to max of them into lines. */
static int
split_lines(struct buf *out, char **lines, int max)
{
	char *p = out->s;
	int n = 0;

	while (n < max && p != NULL && *p != '\0') {
		lines[n++] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	return n;
}

/*
 * Where the repository is, whether it may be used, and what HEAD is
 * (its ref, "HEAD" when detached, empty when unborn), from out and
 * status, WHERE_ARGS's answer.  A station with a work tree and a branch
 * checked out, the usual case, needs no more; a bare one or an unborn
 * branch a few more git calls.
 */
static int
find_repo(struct station *st, struct buf *out, int status, struct buf *head)
{
	char *l[5];
	int shallow, bare, r, rv = -1;

	if (status == 0 && split_lines(out, l, 5) == 5) {
		st->gitdir = xstrdup(l[0]);
		st->worktree = xstrdup(l[3]);
		shallow = strcmp(l[2], "true") == 0;
		buf_adds(head, l[4]);
	} else {
		buf_reset(out);
		/* -1: git itself could not be run, which its error says */
		if (status == -1 || (r = git(&st->g, out, "rev-parse",
		    "--absolute-git-dir", "--is-bare-repository",
		    "--is-shallow-repository", NULL)) == -1) {
			bus_setclass(EX_SOFTWARE);
			goto out;
		}
		if (r != 0 || split_lines(out, l, 3) != 3) {
			bus_seterr("%s: not a git repository", st->dir);
			bus_setclass(EX_USAGE);
			goto out;
		}
		st->gitdir = xstrdup(l[0]);
		bare = strcmp(l[1], "true") == 0;
		shallow = strcmp(l[2], "true") == 0;
		if (!bare) {
			buf_reset(out);
			if (git(&st->g, out, "rev-parse", "--show-toplevel",
			    NULL) != 0)
				goto out;
			buf_rtrim(out);
			st->worktree = xstrdup(out->s);
		}
		if (git(&st->g, head, "symbolic-ref", "-q", "HEAD", NULL) != 0) {
			buf_reset(head);
			/* a branch that names no commit: say so, not "detached" */
			if (git(&st->g, head, "symbolic-ref", "-q",
			    "--no-recurse", "HEAD", NULL) == 0) {
				buf_rtrim(head);
				bus_seterr("%s: %s is damaged: it names no "
				    "commit; repair it (git update-ref %s "
				    "<commit>) or delete it", st->dir, head->s,
				    head->s);
				bus_setclass(EX_USAGE);
				goto out;
			}
			buf_reset(head);
		}
		buf_rtrim(head);
	}
	if (shallow) {
		bus_seterr("%s: a shallow clone cannot be a station; run "
		    "git fetch --unshallow", st->dir);
		bus_setclass(EX_USAGE);
		goto out;
	}
	/* from now on run git at the top of the work tree */
	if (st->worktree != NULL)
		st->g.dir = st->worktree;
	rv = 0;
out:
	return rv;
}

/*
 * Is this repository a station, a clone of the hub, or the hub itself?
 * A command run in the hub would commit straight onto the bus branch,
 * under any name, past every hook: bus-init --hub marks a hub with
 * bus.hub, and a repository without a URL for its bus.remote is no
 * station either.
 */
static int
check_not_hub(struct station *st, const struct buf *remotes, int hub)
{
	if (hub) {
		bus_seterr("%s: this is the hub (bus.hub is set); bus "
		    "commands run in a station, a clone made by bus-init -a",
		    st->dir);
		bus_setclass(EX_USAGE);
		return -1;
	}
	if (!agent_listed(remotes, st->remote)) {
		bus_seterr("%s: no remote %s with a URL, so not a station "
		    "(is it the hub itself?); make one with bus-init -a",
		    st->dir, st->remote);
		bus_setclass(EX_USAGE);
		return -1;
	}
	return 0;
}

/*
 * Into g, the station's git for commands that have no use for its
 * index: git 2.39's diff-tree reads it all the same (for attributes),
 * which costs the whole index of a full station, and expands a sparse
 * one to every entry of the archives.  GIT_INDEX_FILE names a file
 * that is never there, an empty index.  env holds g's environment.
 */
void
station_git_noindex(const struct station *st, struct git *g,
    struct strvec *env)
{
	size_t i;

	*g = st->g;
	strvec_init(env);
	for (i = 0; st->g.env != NULL && st->g.env[i] != NULL; i++)
		strvec_push(env, st->g.env[i]);
	strvec_pushf(env, "GIT_INDEX_FILE=%s/bus-no-index", st->gitdir);
	g->env = env->v;
}

/*
 * Is the URL of remote a path on this machine (a hub in a directory,
 * or file://), rather than a host's (ssh, http, a helper's)?  From
 * the "remote.<name>.url" records that station.c keeps for ssh.c.
 */
static int
hub_is_local(const struct ssh_settings *ssh, const char *remote)
{
	struct buf key = BUF_INIT;
	const char *k, *url = NULL, *colon, *slash;

	buf_addf(&key, "remote.%s.url", remote);
	for (k = NULL; (k = strvec_next(&ssh->urls, k)) != NULL &&
	    (url = strvec_next(&ssh->urls, k)) != NULL; k = url)
		if (strcmp(k, key.s) == 0)
			break;
	buf_free(&key);
	if (k == NULL || url == NULL)
		return 0;
	if (strncmp(url, "file://", 7) == 0)
		return 1;
	if (strstr(url, "://") != NULL || strstr(url, "::") != NULL)
		return 0;
	/* scp-like host:path has a colon before any slash */
	colon = strchr(url, ':');
	slash = strchr(url, '/');
	return colon == NULL || (slash != NULL && slash < colon);
}

/*
 * Open the station at dir (NULL: $BUS_DIR, else the current
 * directory) for agent (NULL: $BUS_AGENT, else bus.agent).  With
 * need_agent (a bus station, not a skills clone), a station without
 * an agent is refused, and so is the hub itself.
 */
int
station_open(struct station *st, const char *dir, const char *agent,
    int need_agent, FILE *trace)
{
	struct buf out = BUF_INIT, remotes = BUF_INIT;
	struct buf head = BUF_INIT, where = BUF_INIT, config = BUF_INIT;
	struct ssh_settings ssh;
	char *cfg_agent = NULL;
	int rv = -1, hub = 0, where_status, cfg_ok;

	memset(st, 0, sizeof(*st));
	memset(&ssh, 0, sizeof(ssh));
	strvec_init(&st->ssh_env);
	st->lockfd = -1;
	st->maxsize = MSG_MAX_SIZE;
	st->lock_timeout = LOCK_TIMEOUT;
	if (dir == NULL && (dir = getenv("BUS_DIR")) != NULL && *dir == '\0')
		dir = NULL;
	st->dir = xstrdup(dir != NULL ? dir : ".");
	st->g.dir = st->dir;
	st->g.trace = trace;
	st->remote = xstrdup("origin");
	st->branch = xstrdup("main");
	st->is_bus = need_agent;
	st->queue_mode = -1;

	cfg_ok = ask_repo(st, &where, &where_status, &config);
	if (find_repo(st, &where, where_status, &head) == -1 ||
	    cfg_ok == -1)
		goto out;

	if (agent == NULL && (agent = getenv("BUS_AGENT")) != NULL &&
	    *agent == '\0')
		agent = NULL;
	if (read_config(st, &config, &cfg_agent, &remotes, &hub, &ssh) == -1)
		goto out;
	if (need_agent && check_not_hub(st, &remotes, hub) == -1)
		goto out;
	st->hub_local = hub_is_local(&ssh, st->remote);
	ssh_command(&st->g, st->remote, &ssh, &st->ssh_env);
	if (st->ssh_env.n > 0)
		st->g.env = st->ssh_env.v;
	if (agent != NULL)
		st->agent = xstrdup(agent);
	else if (cfg_agent != NULL)
		st->agent = xstrdup(cfg_agent);
	if (st->agent == NULL && need_agent) {
		bus_seterr("no agent: use -a NAME, $BUS_AGENT or "
		    "git config bus.agent");
		bus_setclass(EX_USAGE);
		goto out;
	}
	if (st->agent != NULL && !valid_agent(st->agent, strlen(st->agent))) {
		bus_seterr("%s: not an agent name", st->agent);
		bus_setclass(EX_USAGE);
		goto out;
	}
	buf_reset(&out);
	buf_addf(&out, "refs/heads/%s", st->branch);
	st->ref = buf_detach(&out);
	buf_addf(&out, "refs/remotes/%s/%s", st->remote, st->branch);
	st->tracking = buf_detach(&out);

	if (check_state(st) == -1)
		goto out;
	if (head.len == 0 || strcmp(head.s, "HEAD") == 0) {
		if (st->worktree != NULL) {
			bus_seterr("%s: HEAD is detached; check out %s first",
			    st->worktree, st->branch);
			bus_setclass(EX_USAGE);
			goto out;
		}
	} else
		st->checked_out = st->worktree != NULL &&
		    strcmp(head.s, st->ref) == 0;
	rv = 0;
out:
	free(cfg_agent);
	ssh_settings_free(&ssh);
	buf_free(&out);
	buf_free(&remotes);
	buf_free(&head);
	buf_free(&where);
	buf_free(&config);
	return rv;
}

void
station_close(struct station *st)
{
	if (st->lockfd != -1)
		station_flush(st);
	station_unlock(st);
	free(st->dir);
	free(st->gitdir);
	free(st->worktree);
	free(st->agent);
	free(st->remote);
	free(st->branch);
	free(st->ref);
	free(st->tracking);
	free(st->user_name);
	free(st->user_email);
	free(st->signing_key);
	free(st->profile);
	free(st->merger);
	free(st->heartbeat);
	buf_free(&st->tip_local);
	buf_free(&st->tip_remote);
	buf_free(&st->refused);
	buf_free(&st->skipped);
	buf_free(&st->noted);
	buf_free(&st->unverified);
	buf_free(&st->stale);
	buf_free(&st->untrusted);
	buf_free(&st->beat);
	buf_free(&st->ahead.list);
	buf_free(&st->ahead.tip);
	changes_free(&st->pending);
	strvec_clear(&st->ssh_env);
	memset(st, 0, sizeof(*st));
	st->lockfd = -1;
	strvec_init(&st->ssh_env);
}

/*
 * Take the station's lock: flock(2) on $GIT_DIR/bus.lock.  The kernel
 * drops it when the holder dies, however it dies, so no crash leaves
 * it stuck.  Waits up to bus.lockTimeout seconds for another command.
 */
int
station_lock(struct station *st)
{
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	struct buf path = BUF_INIT;
	time_t start = time(NULL);

	buf_addf(&path, "%s/bus.lock", st->gitdir);
	st->lockfd = open(path.s, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (st->lockfd == -1) {
		bus_seterrno("%s", path.s);
		buf_free(&path);
		return -1;
	}
	buf_free(&path);
	while (flock(st->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			bus_seterrno("flock");
			goto fail;
		}
		if (time(NULL) - start >= st->lock_timeout) {
			bus_seterr("another bus command has held the station "
			    "for %d seconds", st->lock_timeout);
			bus_setclass(EX_TEMPFAIL);
			goto fail;
		}
		nanosleep(&tick, NULL);
	}
	st->tips_known = 0;	/* others may have moved them meanwhile */
	st->g.lockfd = st->lockfd;
	return station_recover(st);
fail:
	close(st->lockfd);
	st->lockfd = -1;
	return -1;
}

void
station_unlock(struct station *st)
{
	if (st->lockfd != -1) {
		close(st->lockfd);
		st->lockfd = -1;
		st->g.lockfd = 0;
	}
}

/*
 * The tips of the branch and of the remote-tracking ref, in st->tip_local
 * and st->remote (empty when a ref does not exist), read once with one
 * git call and then kept up to date by the commands that move them; in
 * the same call, whether the hub's last fetch said it folds queues
 * (st->queue_mode, sync.c).  A fetch reads them while it runs
 * (ahead.c).
 */
int
station_tips(struct station *st)
{
	const char *args[6];
	struct buf out = BUF_INIT, err = BUF_INIT;
	int rv = -1;

	if (st->tips_known)
		return 0;
	station_tips_args(st, args);
	if (git_run(&st->g, NULL, &out, &err, args) == 0) {
		station_tips_take(st, &out);
		rv = 0;
	}
	buf_free(&out);
	buf_free(&err);
	return rv;
}

/* The git command that reads the tips, into args (room for 6). */
void
station_tips_args(const struct station *st, const char **args)
{
	args[0] = "for-each-ref";
	args[1] = "--format=%(objectname) %(refname)";
	args[2] = st->ref;
	args[3] = st->tracking;
	args[4] = QUEUE_MODE_HUB;
	args[5] = NULL;
}

/* Take out, the output of station_tips_args()'s command, as the tips. */
void
station_tips_take(struct station *st, struct buf *out)
{
	char *line, *nl, *sp;

	buf_reset(&st->tip_local);
	buf_reset(&st->tip_remote);
	st->queue_mode = 0;
	for (line = out->s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';
		if (strcmp(sp + 1, st->ref) == 0)
			buf_adds(&st->tip_local, line);
		else if (strcmp(sp + 1, st->tracking) == 0)
			buf_adds(&st->tip_remote, line);
		else if (strcmp(sp + 1, QUEUE_MODE_HUB) == 0)
			st->queue_mode = 1;
	}
	st->tips_known = 1;
}

/* Copy a tip, so that it stays as it was when the station's moves on. */
void
tip_copy(struct buf *to, const struct buf *tip)
{
	buf_reset(to);
	buf_add(to, tip->s != NULL ? tip->s : "", tip->len);
}

/*
 * Copies of both tips as they are now, read if need be: what a replay
 * or a setting aside (sync.c, refused.c, skills.c) starts from, while
 * its own moves change the station's.
 */
int
station_tips_copy(struct station *st, struct buf *local, struct buf *remote)
{
	if (station_tips(st) == -1)
		return -1;
	tip_copy(local, &st->tip_local);
	tip_copy(remote, &st->tip_remote);
	return 0;
}

/*
 * Move st->ref from old (empty: must not exist) to new, atomically:
 * fails if another process moved it meanwhile.
 */
int
station_update_ref(struct station *st, const char *new, const char *old,
    const char *why)
{
	if (git(&st->g, NULL, "update-ref", "-m", why, st->ref, new, old,
	    NULL) != 0)
		return -1;
	buf_reset(&st->tip_local);
	buf_adds(&st->tip_local, new);
	return 0;
}

/* The file name of the station's git directory, into path. */
void
station_path(const struct station *st, const char *name, struct buf *path)
{
	buf_reset(path);
	buf_addf(path, "%s/%s", st->gitdir, name);
}

/*
 * "Name <email> time zone" for a commit made now: GIT_COMMITTER_NAME
 * and _EMAIL, else user.name and user.email, as git would.
 */
void
station_ident(const struct station *st, struct buf *out)
{
	const char *name = getenv("GIT_COMMITTER_NAME");
	const char *email = getenv("GIT_COMMITTER_EMAIL");
	const char *p;

	if (name == NULL)
		name = st->user_name != NULL ? st->user_name : "git-bus";
	if (email == NULL)
		email = st->user_email != NULL ? st->user_email :
		    "git-bus@localhost";
	buf_reset(out);
	/* fast-import refuses <, > and newlines in a name or an email */
	for (p = name; *p != '\0'; p++)
		if (strchr("<>\n", *p) == NULL)
			buf_addc(out, *p);
	buf_adds(out, " <");
	for (p = email; *p != '\0'; p++)
		if (strchr("<>\n", *p) == NULL)
			buf_addc(out, *p);
	buf_addf(out, "> %lld +0000", (long long)time(NULL));
}

/*
 * Commit the changes on top of the branch (on the hub's tip when the
 * branch does not exist yet), move the branch there and bring the work
 * tree along.  The new commit's id goes to tip.
 */
int
station_commit(struct station *st, struct changes *c, const char *message,
    struct buf *tip)
{
	struct buf local = BUF_INIT, base = BUF_INIT, who = BUF_INIT;
	struct commit_spec spec;
	int rv = -1;

	if (station_tips(st) == -1)
		goto out;
	tip_copy(&local, &st->tip_local);
	tip_copy(&base, local.len > 0 ? &st->tip_local : &st->tip_remote);
	station_ident(st, &who);
	memset(&spec, 0, sizeof(spec));
	spec.parent = base.len > 0 ? base.s : NULL;
	spec.committer = who.s;
	spec.message = message;
	spec.changes = c;

	/*
	 * The journal first: a crash after the ref moves is finished
	 * later.  Unsigned, fast-import moves the branch itself (only as a
	 * fast-forward); signed, the signed commit is put there with the
	 * expected old value.
	 */
	if (station_journal(st, local.s) == -1)
		goto out;
	if (st->signing_key == NULL) {
		if (commits_import(&st->g, st->ref, 0, &spec, 1, tip) == -1)
			goto out;
	} else if (station_make_commits(st, &spec, 1, tip) == -1 ||
	    station_update_ref(st, tip->s, local.s, message) == -1)
		goto out;
	tip_copy(&st->tip_local, tip);
	station_defer(st, c);
	/*
	 * The record is a hint: without its line, bus-status finds the
	 * message by the time in its id, so a failure here is not one of
	 * the commit.
	 */
	(void)sent_append(st, &c->sent);
	buf_reset(&c->sent);
	rv = 0;
out:
	buf_free(&local);
	buf_free(&base);
	buf_free(&who);
	return rv;
}

/* Environment for git to use ident ("Name <email> time zone") as WHO. */
static void
ident_env(const char *ident, const char *who, struct strvec *env)
{
	const char *lt = strchr(ident, '<'), *gt;

	if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
		return;
	strvec_pushf(env, "GIT_%s_NAME=%.*s", who,
	    (int)(lt > ident && lt[-1] == ' ' ? lt - ident - 1 : lt - ident),
	    ident);
	strvec_pushf(env, "GIT_%s_EMAIL=%.*s", who, (int)(gt - lt - 1),
	    lt + 1);
	strvec_pushf(env, "GIT_%s_DATE=%s", who,
	    gt[1] == ' ' ? gt + 2 : gt + 1);
}

/*
 * The commit u again, signed with the station's key (git commit-tree
 * -S: gpg.format ssh and user.signingKey, set by bus-init --sign-key),
 * on parent; its id goes to out.
 */
static int
sign_commit(struct station *st, const char *u, const char *parent,
    const struct commit_spec *spec, struct buf *out)
{
	struct strvec env = STRVEC_INIT, args = STRVEC_INIT;
	struct buf msg = BUF_INIT;
	struct git g = st->g;
	int rv;

	ident_env(spec->author != NULL ? spec->author : spec->committer,
	    "AUTHOR", &env);
	ident_env(spec->committer, "COMMITTER", &env);
	g.env = env.v;
	strvec_push(&args, "commit-tree");
	strvec_pushf(&args, "%s^{tree}", u);
	if (parent != NULL && *parent != '\0') {
		strvec_push(&args, "-p");
		strvec_push(&args, parent);
	}
	strvec_push(&args, "-S");
	strvec_push(&args, "-F");
	strvec_push(&args, "-");
	buf_adds(&msg, spec->message);
	buf_reset(out);
	rv = git_run(&g, &msg, out, NULL, args.v);
	buf_rtrim(out);
	strvec_clear(&env);
	strvec_clear(&args);
	buf_free(&msg);
	return rv == 0 ? 0 : -1;
}

/*
 * Make the n commits of spec, each on the one before, the first on
 * spec[0].parent, and put the last one's id in tip; no branch moves.
 * A station that signs (bus.signingKey) signs each of them.
 */
int
station_make_commits(struct station *st, struct commit_spec *spec, size_t n,
    struct buf *tip)
{
	struct buf u = BUF_INIT, prev = BUF_INIT;
	struct commit_spec one;
	size_t i;
	int rv = -1;

	if (st->signing_key == NULL)
		return commits_import(&st->g, "refs/bus/new", 1, spec, n, tip);
	buf_adds(&prev, spec[0].parent != NULL ? spec[0].parent : "");
	for (i = 0; i < n; i++) {
		one = spec[i];
		one.parent = prev.len > 0 ? prev.s : NULL;
		if (commits_import(&st->g, "refs/bus/new", 1, &one, 1,
		    &u) == -1 ||
		    sign_commit(st, u.s, one.parent, &one, tip) == -1)
			goto out;
		buf_reset(&prev);
		buf_adds(&prev, tip->s);
	}
	rv = 0;
out:
	buf_free(&u);
	buf_free(&prev);
	return rv;
}

