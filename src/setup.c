/*
 * setup.c: making a hub (a bare repository with the layout's first
 * commit) and a station (a clone set up for one agent).  Both can run
 * again on what they made and change nothing.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "layout.h"
#include "run.h"
#include "station.h"

static const char hub_readme[] =
"# A git-bus hub\n"
"\n"
"This repository carries messages between agents.  Each agent works in\n"
"its own clone (a station) and uses the git-bus tools; see bus(7).\n"
"\n"
"    inbox-<agent>/<id>.json                 unread messages for <agent>\n"
"    archive-<agent>/<YYYY-MM-DD>/<id>.json  messages <agent> has read\n"
"    user-sync/USER.md                       the shared user profile\n"
"\n"
"A message is one JSON object: id, ts (RFC 3339, UTC), from, to, type\n"
"and body, optionally re.  A sender only adds files to inboxes; only the\n"
"owner moves a file out of its inbox, unchanged, into its own archive.\n"
"Nothing is ever modified, and history is never rewritten.\n";

static const char hub_attributes[] = "user-sync/USER.md merge=profile\n";

/* The files of a new bus: its first commit, on a hub or a station. */
static void
layout_add(struct changes *c)
{
	changes_add_data(c, "README.md", hub_readme, sizeof(hub_readme) - 1);
	changes_add_data(c, ".gitattributes", hub_attributes,
	    sizeof(hub_attributes) - 1);
}

static int
is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * Whether the directory path holds nothing but name (NULL: nothing at
 * all): git clone and git init take an empty directory as a new one.
 */
static int
holds_only(const char *path, const char *name)
{
	struct dirent *de;
	DIR *d;
	int only = 1;

	if ((d = opendir(path)) == NULL)
		return 0;
	while (only && (de = readdir(d)) != NULL)
		only = strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    (name != NULL && strcmp(de->d_name, name) == 0);
	closedir(d);
	return only;
}

/* The full path of the bus-check that hooks should run. */
static int
bus_check_path(struct buf *out)
{
	char self[PATH_MAX], real[PATH_MAX], *found, *slash;
	ssize_t n;

	if ((found = run_find("bus-check")) != NULL) {
		if (realpath(found, real) != NULL) {
			buf_adds(out, real);
			free(found);
			return 0;
		}
		free(found);
	}
	/* not on PATH: the one beside this program */
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			buf_addf(out, "%s/bus-check", self);
			if (access(out->s, X_OK) == 0)
				return 0;
		}
	}
	bus_seterr("bus-check: not found, so the %s hook cannot be installed",
	    "bus");
	bus_setclass(EX_USAGE);
	return -1;
}

#define HOOK_MAX	(64 * 1024 * 1024)	/* bytes of a hook we read */

/*
 * Is the hook at path one that bus-init installed: a copy of bus-check
 * (which holds BUS_CHECK_MARK), or the script earlier versions wrote?
 */
static int
hook_is_ours(const char *path)
{
	static const char script[] = "# installed by bus-init";
	struct buf old = BUF_INIT;
	int ours;

	ours = file_read(path, &old, HOOK_MAX) == 0 &&
	    (memmem(old.s, old.len, BUS_CHECK_MARK,
	    strlen(BUS_CHECK_MARK)) != NULL || memmem(old.s, old.len, script,
	    strlen(script)) != NULL);
	buf_free(&old);
	return ours;
}

/*
 * Install the hook name (pre-receive or pre-commit) into gitdir: a copy
 * of bus-check, which runs that hook's check when called by the hook's
 * name.  git then starts one process per push or commit, with no shell
 * in between.  Not a link: "echo ... >hooks/pre-receive" would write
 * through it into bus-check itself.  Running bus-init again (as after
 * an upgrade) installs the new bus-check.  A hook that is not ours is
 * left alone: its owner chose it (1).
 */
static int
install_hook(const char *gitdir, const char *name, FILE *warn)
{
	struct buf path = BUF_INIT, check = BUF_INIT, bin = BUF_INIT;
	struct stat sb;
	int rv = -1;

	buf_addf(&path, "%s/hooks", gitdir);
	if (mkdir(path.s, 0777) == -1 && errno != EEXIST) {
		bus_seterrno("%s", path.s);
		goto out;
	}
	buf_addf(&path, "/%s", name);
	if (lstat(path.s, &sb) == 0 && !hook_is_ours(path.s)) {
		if (warn != NULL)
			fprintf(warn, "bus-init: %s: a hook of your own is "
			    "there; add \"bus-check --%s\" to it\n", path.s,
			    name);
		rv = 1;
		goto out;
	}
	if (bus_check_path(&check) == -1)
		goto out;
	if (file_read(check.s, &bin, HOOK_MAX) == -1) {
		bus_seterrno("%s", check.s);
		goto out;
	}
	rv = file_write_atomic(path.s, bin.s, bin.len, 0777);
out:
	buf_free(&path);
	buf_free(&check);
	buf_free(&bin);
	return rv;
}

/* The layout's first commit, on the branch ref of the bare hub g. */
static int
first_commit(const struct git *g, const char *ref)
{
	struct changes c = CHANGES_INIT;
	struct buf who = BUF_INIT, tip = BUF_INIT;
	struct commit_spec spec;
	int rv = -1;

	if (git(g, &who, "var", "GIT_COMMITTER_IDENT", NULL) != 0)
		goto out;
	buf_rtrim(&who);
	layout_add(&c);
	memset(&spec, 0, sizeof(spec));
	spec.committer = who.s;
	spec.message = "bus: a new hub\n";
	spec.changes = &c;
	/* no parent: fast-import will not replace a branch that exists */
	rv = commits_import(g, ref, 0, &spec, 1, &tip);
out:
	changes_free(&c);
	buf_free(&who);
	buf_free(&tip);
	return rv;
}

/*
 * The bus branch of the hub g (bus.branch, default main): made with the
 * layout's first commit when it is missing, and named by HEAD, so that
 * a plain git clone checks it out (a hub that git init made may have
 * HEAD at an unborn master).
 */
static int
hub_branch(const struct git *g)
{
	struct buf name = BUF_INIT, ref = BUF_INIT, out = BUF_INIT;
	int rv = -1, r;

	/* 1: not set */
	if ((r = git(g, &name, "config", "bus.branch", NULL)) != 0 && r != 1)
		goto out;
	buf_rtrim(&name);
	buf_addf(&ref, "refs/heads/%s", name.len > 0 ? name.s : "main");
	if (git(g, &out, "rev-parse", "-q", "--verify", ref.s, NULL) != 0 &&
	    first_commit(g, ref.s) == -1)
		goto out;
	if (git(g, NULL, "symbolic-ref", "HEAD", ref.s, NULL) != 0)
		goto out;
	rv = 0;
out:
	buf_free(&name);
	buf_free(&ref);
	buf_free(&out);
	return rv;
}

/*
 * Whether a hub's name is a URL, as git tells one from a path (its
 * url_is_local_not_ssh): "scheme://...", or scp's "host:path", whose
 * colon comes before any slash.
 */
static int
is_url(const char *name)
{
	const char *colon = strchr(name, ':'), *slash = strchr(name, '/');

	return colon != NULL && (slash == NULL || colon < slash);
}

/*
 * The hub's write path (doc/write-path.md).  Queue mode: the sequencer
 * as the post-receive hook, and the ref that tells stations, in the ref
 * advertisement of their fetch, to push to their queues; made only when
 * the sequencer is the hook that runs (not beside a post-receive hook
 * of the user's own).  Direct mode: the ref goes first, so stations
 * stop queueing at their next fetch; then whatever is queued is folded,
 * so nothing waits on a sequencer that no longer runs; then the hook.
 */
static int
hub_write_path(const struct git *g, int direct)
{
	struct buf hook = BUF_INIT, branch = BUF_INIT;
	int r, rv = -1;

	if (!direct) {
		if ((r = install_hook(g->dir, "post-receive", stderr)) == 0 &&
		    git(g, NULL, "update-ref", QUEUE_MODE_REF, "HEAD",
		    NULL) != 0)
			goto out;
		rv = r == -1 ? -1 : 0;
		goto out;
	}
	/* HEAD names the bus branch (hub_branch()) */
	if (git(g, NULL, "update-ref", "-d", QUEUE_MODE_REF, NULL) != 0 ||
	    git(g, &branch, "symbolic-ref", "HEAD", NULL) != 0)
		goto out;
	buf_rtrim(&branch);
	if (sequence_run(g, branch.s, "") == -1)
		goto out;
	buf_addf(&hook, "%s/hooks/post-receive", g->dir);
	if (hook_is_ours(hook.s) && unlink(hook.s) == -1) {
		bus_seterrno("%s", hook.s);
		goto out;
	}
	rv = 0;
out:
	buf_free(&hook);
	buf_free(&branch);
	return rv;
}

/*
 * Make a hub at dir: a bare repository whose bus branch, HEAD, holds
 * the README and .gitattributes, refusing rewritten history and
 * deletion, and objects that git's fsck finds wrong; in queue mode
 * unless direct.  Run again on a hub, it changes only what differs.
 */
int
hub_create(const char *dir, int direct, FILE *trace)
{
	struct git g = { .dir = NULL, .trace = trace };
	struct buf out = BUF_INIT;
	struct stat sb;
	int rv = -1;

	/*
	 * A URL names another machine: the hook can be installed only
	 * there (and git init would make a directory "ssh:" here).
	 */
	if (is_url(dir)) {
		bus_seterr("%s: a URL; a hub is made on the machine where it "
		    "lives, by its path there, so that its hook is installed "
		    "there", dir);
		bus_setclass(EX_USAGE);
		goto out;
	}
	/* git init would say only "cannot mkdir", and exit 70 */
	if (stat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode)) {
			bus_seterr("%s: exists and is not a directory", dir);
			bus_setclass(EX_USAGE);
			goto out;
		}
	} else if (errno != ENOENT) {
		if (errno == ENOTDIR)
			bus_seterr("%s: part of the path is a file, not a "
			    "directory", dir);
		else
			bus_seterrno("%s", dir);
		bus_setclass(EX_USAGE);
		goto out;
	}
	if ((!is_dir(dir) || holds_only(dir, NULL)) && git(&g, NULL, "init",
	    "-q", "--bare", "--initial-branch=main", "--", dir, NULL) != 0)
		goto out;
	g.dir = dir;
	if (git(&g, &out, "rev-parse", "--is-bare-repository", NULL) != 0 ||
	    strncmp(out.s, "true", 4) != 0) {
		bus_seterr("%s: exists and is not a bare git repository", dir);
		bus_setclass(EX_USAGE);
		goto out;
	}
	if (hub_branch(&g) == -1)
		goto out;
	if (git(&g, NULL, "config", "receive.denyNonFastForwards", "true",
	    NULL) != 0 ||
	    git(&g, NULL, "config", "receive.denyDeletes", "true", NULL) != 0 ||
	    git(&g, NULL, "config", "receive.fsckObjects", "true", NULL) != 0 ||
	    git(&g, NULL, "config", "bus.hub", "true", NULL) != 0)
		goto out;
	if (install_hook(dir, "pre-receive", stderr) == -1 ||
	    hub_write_path(&g, direct) == -1)
		goto out;
	rv = 0;
out:
	buf_free(&out);
	return rv;
}

/* The directory git clone would make for url: its last part, less .git. */
static void
clone_dir(const char *url, struct buf *dir)
{
	size_t len = strlen(url);
	const char *p;

	while (len > 0 && url[len - 1] == '/')
		len--;
	if (len >= 4 && strncmp(url + len - 4, ".git", 4) == 0)
		len -= 4;
	while (len > 0 && url[len - 1] == '/')
		len--;
	for (p = url + len; p > url && p[-1] != '/' && p[-1] != ':'; p--)
		;
	buf_add(dir, p, (size_t)(url + len - p));
}

/*
 * The directory a local hub's url names, as git clone finds it (the
 * name as given, then with .git or /.git), into real.
 */
static int
hub_dir(const char *url, char *real)
{
	static const char *const suffix[] = { "", ".git", "/.git" };
	char try[PATH_MAX];
	size_t i;

	if (strncmp(url, "file://", 7) == 0)
		url += 7;
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
		if ((size_t)snprintf(try, sizeof(try), "%s%s", url,
		    suffix[i]) < sizeof(try) && realpath(try, real) != NULL &&
		    is_dir(real))
			return 0;
	return -1;
}

/*
 * Whether two remote URLs name the same hub: the same text but for
 * trailing slashes, or the same local directory.
 */
static int
same_hub(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];
	size_t na = strlen(a), nb = strlen(b);

	while (na > 1 && a[na - 1] == '/')
		na--;
	while (nb > 1 && b[nb - 1] == '/')
		nb--;
	if (na == nb && strncmp(a, b, na) == 0)
		return 1;
	return hub_dir(a, ra) == 0 && hub_dir(b, rb) == 0 &&
	    strcmp(ra, rb) == 0;
}

/*
 * A directory that holds something already must be the top of a clone
 * of this hub, and, if it is a station, this agent's: anything else is
 * not bus-init's to take over.
 */
static int
existing_station(const struct git *g, const char *url, const char *agent)
{
	struct buf out = BUF_INIT, remote = BUF_INIT, key = BUF_INIT;
	char real[PATH_MAX];
	int rv = -1, r, bare;

	/* its top: the work tree, or the git directory of a bare clone */
	if (git(g, &out, "rev-parse", "--is-bare-repository", NULL) == 0) {
		bare = strncmp(out.s, "true", 4) == 0;
		buf_reset(&out);
		if (git(g, &out, "rev-parse", bare ? "--absolute-git-dir" :
		    "--show-toplevel", NULL) == 0)
			buf_rtrim(&out);
	}
	if (out.len == 0 || realpath(g->dir, real) == NULL ||
	    strcmp(out.s, real) != 0) {
		bus_seterr("%s: exists and is not the top of a git repository",
		    g->dir);
		bus_setclass(EX_USAGE);
		goto out;
	}
	if ((r = git(g, &remote, "config", "--get", "bus.remote",
	    NULL)) != 0 && r != 1)
		goto out;
	buf_rtrim(&remote);
	if (remote.len == 0)
		buf_adds(&remote, "origin");
	buf_addf(&key, "remote.%s.url", remote.s);
	buf_reset(&out);
	if ((r = git(g, &out, "config", "--get", key.s, NULL)) != 0) {
		if (r == 1) {
			bus_seterr("%s: exists and has no remote %s", g->dir,
			    remote.s);
			bus_setclass(EX_USAGE);
		}
		goto out;
	}
	buf_rtrim(&out);
	if (!same_hub(out.s, url)) {
		bus_seterr("%s: exists as a clone of %s, not of %s", g->dir,
		    out.s, url);
		bus_setclass(EX_USAGE);
		goto out;
	}
	buf_reset(&out);
	if ((r = git(g, &out, "config", "--get", "bus.agent", NULL)) != 0 &&
	    r != 1)
		goto out;
	buf_rtrim(&out);
	if (out.len > 0 && strcmp(out.s, agent) != 0) {
		bus_seterr("%s: exists as the station of agent %s; give %s "
		    "a directory of its own", g->dir, out.s, agent);
		bus_setclass(EX_USAGE);
		goto out;
	}
	rv = 0;
out:
	buf_free(&out);
	buf_free(&remote);
	buf_free(&key);
	return rv;
}

/*
 * Fetch the bus branch: 0 done, 1 the hub is empty (its first station
 * gives it the layout), -1 failed, a hub that is neither a bus nor
 * empty with 64.
 */
static int
fetch_hub(struct station *st, const char *url)
{
	int r;

	if (sync_fetch(st) == 0)
		return 0;
	if (bus_errclass() != EX_TEMPFAIL || (r = sync_hub_refs(st)) == -1)
		return -1;
	if (r == 1) {
		bus_seterr("%s: the hub has no branch %s, and is not empty: "
		    "not a bus", url, st->branch);
		bus_setclass(EX_USAGE);
		return -1;
	}
	return 1;
}

/*
 * Into env, the ssh command for a clone of url, as ssh.c gives a
 * station's (BatchMode, a shared connection): from the user's own
 * settings, since the station has none yet.
 */
static void
clone_ssh(const struct git *g, const char *url, struct strvec *env)
{
	static const char key[] = "remote.origin.url";
	struct ssh_settings ssh;
	struct buf out = BUF_INIT;
	char *p, *v;

	memset(&ssh, 0, sizeof(ssh));
	buf_add(&ssh.urls, key, sizeof(key));
	buf_add(&ssh.urls, url, strlen(url) + 1);
	if (git(g, &out, "config", "-z", "--get-regexp",
	    "^core\\.sshcommand$|^ssh\\.variant$|^bus\\.sshreuse$",
	    NULL) == 0)
		for (p = NULL; (p = git_config_next(&out, p, &v)) != NULL; )
			ssh_setting(&ssh, p, v);
	ssh_command(g, "origin", &ssh, env);
	ssh_settings_free(&ssh);
	buf_free(&out);
}

/*
 * Name the station's directory into path (dir, or as git clone would
 * for url) and clone the hub there: 1; or take over the clone already
 * there, if existing_station() agrees: 0.
 */
static int
make_clone(struct git *g, const char *url, const char *dir,
    const char *agent, int bare, struct buf *path)
{
	struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	struct buf err = BUF_INIT;
	const char *hint;
	int class, rv = -1;

	if (dir != NULL)
		buf_adds(path, dir);
	else
		clone_dir(url, path);
	if (path->len == 0) {
		bus_seterr("%s: cannot name a directory for it", url);
		bus_setclass(EX_USAGE);
		goto out;
	}
	if (is_dir(path->s) && !holds_only(path->s, NULL)) {
		g->dir = path->s;
		if (existing_station(g, url, agent) == 0)
			rv = 0;
		goto out;
	}
	if (access(path->s, F_OK) == 0 && !is_dir(path->s)) {
		bus_seterr("%s: exists and is not a directory", path->s);
		bus_setclass(EX_USAGE);
		goto out;
	}
	/*
	 * No checkout by git: it would write symlinks, executables and
	 * files outside the layout.  The station's own checkout
	 * (station_populate) writes the layout alone.
	 */
	layout_fsck_args(&args);
	strvec_push(&args, "clone");
	strvec_push(&args, "-q");
	strvec_push(&args, bare ? "--bare" : "--no-checkout");
	strvec_push(&args, "--");
	strvec_push(&args, url);
	strvec_push(&args, path->s);
	/* ssh as the station's will run, never waiting for a prompt */
	clone_ssh(g, url, &env);
	g->env = env.n > 0 ? env.v : NULL;
	if (git_run(g, NULL, NULL, &err, args.v) != 0) {
		/* a hub that is not there is a mistake here, even a path */
		class = git_transport_class(bus_error(), 0, &hint);
		bus_seterr("cannot clone %s: %s%s%s", url, bus_error(),
		    hint != NULL ? "; " : "", hint != NULL ? hint : "");
		bus_setclass(class);
		goto out;
	}
	rv = 1;
out:
	g->env = NULL;
	strvec_clear(&args);
	strvec_clear(&env);
	buf_free(&err);
	return rv;
}

/* Signed commits: git's ssh signing, with the key file named by key. */
static int
set_signing_key(const struct git *g, const char *key)
{
	char real[PATH_MAX];

	if (realpath(key, real) == NULL) {
		bus_seterrno("%s", key);
		bus_setclass(EX_USAGE);
		return -1;
	}
	if (git(g, NULL, "config", "gpg.format", "ssh", NULL) != 0 ||
	    git(g, NULL, "config", "user.signingKey", real, NULL) != 0 ||
	    git(g, NULL, "config", "bus.signingKey", real, NULL) != 0)
		return -1;
	return 0;
}

/*
 * Set up the clone at g->dir for agent, signing with key (NULL: not).
 * Returns whether its HEAD is unborn (a clone of an empty hub), or -1.
 */
static int
configure_clone(const struct git *g, int bare, const char *agent,
    const char *key)
{
	struct buf dotgit = BUF_INIT;
	int unborn, rv = -1;

	/* a clone of an empty hub: nothing yet, and nothing to overwrite */
	unborn = git(g, NULL, "rev-parse", "-q", "--verify", "HEAD",
	    NULL) == 1;
	buf_addf(&dotgit, "%s/.git", g->dir);
	if (unborn && access(dotgit.s, F_OK) == 0 && !holds_only(g->dir,
	    ".git")) {
		bus_seterr("%s: a clone of an empty hub with files in it; "
		    "move them away first", g->dir);
		bus_setclass(EX_USAGE);
		goto out;
	}
	/* a bare clone has no remote-tracking refs; a station needs them */
	if (bare && git(g, NULL, "config", "remote.origin.fetch",
	    "+refs/heads/*:refs/remotes/origin/*", NULL) != 0)
		goto out;
	if (key != NULL && set_signing_key(g, key) == -1)
		goto out;
	if (git(g, NULL, "config", "bus.agent", agent, NULL) != 0 ||
	    git(g, NULL, "config", "merge.profile.name",
	    "git-bus profile merge", NULL) != 0 ||
	    git(g, NULL, "config", "merge.profile.driver",
	    "profile-merge --driver %O %A %B %P", NULL) != 0)
		goto out;
	rv = unborn;
out:
	buf_free(&dotgit);
	return rv;
}

/* Add dir/.keep to the changes, unless dir is on the branch already. */
static void
keep_dir(struct station *st, const char *dir, struct changes *c)
{
	struct buf path = BUF_INIT;

	if (!station_has(st, dir)) {
		buf_addf(&path, "%s/.keep", dir);
		changes_add_data(c, path.s, "", 0);
	}
	buf_free(&path);
}

/*
 * The agent's commit: the layout when the branch has nothing yet, and
 * the agent's inbox and archive when they are not there.
 */
static int
join_commit(struct station *st, const char *agent)
{
	struct changes c = CHANGES_INIT;
	struct buf dir = BUF_INIT, msg = BUF_INIT, tip = BUF_INIT;
	int rv = 0;

	if (st->tip_local.len == 0)
		layout_add(&c);
	buf_addf(&dir, "inbox-%s", agent);
	keep_dir(st, dir.s, &c);
	buf_reset(&dir);
	buf_addf(&dir, "archive-%s", agent);
	keep_dir(st, dir.s, &c);
	buf_addf(&msg, "bus-init: agent %s joins", agent);
	if (c.n > 0 && station_commit(st, &c, msg.s, &tip) == -1)
		rv = -1;
	changes_free(&c);
	buf_free(&dir);
	buf_free(&msg);
	buf_free(&tip);
	return rv;
}

/*
 * Bring the newly opened station st at path up to the hub at url, and
 * push the agent's commit there.  g runs git in the station as set up.
 */
static int
join_bus(struct station *st, const struct git *g, const char *url,
    const char *path, const char *agent, int unborn, int cloned)
{
	int empty;

	if (install_hook(st->gitdir, "pre-commit", stderr) == -1)
		return -1;
	if (station_lock(st) == -1)
		return -1;
	/*
	 * A clone of an empty hub: HEAD may name git's default branch,
	 * yet to be born.  The bus branch is checked out instead.
	 */
	if (st->worktree != NULL && unborn) {
		if (!st->checked_out && git(g, NULL, "symbolic-ref", "HEAD",
		    st->ref, NULL) != 0)
			return -1;
		st->checked_out = 1;
	} else if (cloned && station_populate(st) == -1)
		return -1;
	if ((empty = fetch_hub(st, url)) == -1 || sync_integrate(st) == -1 ||
	    station_tips(st) == -1)
		return -1;
	/* what the station has on its own is pushed: only a bus */
	if (empty && st->tip_local.len > 0 && (!station_has(st,
	    "README.md") || !station_has(st, ".gitattributes"))) {
		bus_seterr("%s: the hub is empty and %s holds commits that "
		    "are not a bus", path, st->branch);
		bus_setclass(EX_USAGE);
		return -1;
	}
	if (join_commit(st, agent) == -1 || sync_push(st) == -1)
		return -1;
	return 0;
}

/*
 * Close the station that station_create() opened, its absolute path
 * to where; a work tree it could not bring along, or entries of the
 * hub's tree it would not write, turn success (rv 0) into failure.
 */
static int
close_new_station(struct station *st, int rv, struct buf *where)
{
	char real[PATH_MAX];

	if (realpath(st->worktree ? st->worktree : st->gitdir, real))
		buf_adds(where, real);
	if (rv == 0 && st->lockfd != -1 && station_flush(st) == -1)
		rv = -1;
	if (rv == 0 && st->refused.len > 0) {
		buf_rtrim(&st->refused);
		bus_seterr("%s is made, but the hub's tree holds "
		    "entries no station writes:\n%s", st->worktree ?
		    st->worktree : st->gitdir, st->refused.s);
		bus_setclass(EX_DATAERR);
		rv = -1;
	}
	station_close(st);
	return rv;
}

/*
 * Make a station for agent from the hub at url, in dir (NULL: named
 * as git clone would), or set up the clone already there; with key (an
 * ssh key file), it signs its commits.  The station's absolute path
 * goes to where.
 */
int
station_create(const char *agent, const char *url, const char *dir,
    enum station_tree tree, const char *key, FILE *trace, struct buf *where)
{
	struct git g = { .dir = NULL, .trace = trace };
	struct station st;
	struct buf path = BUF_INIT, gitdir = BUF_INIT;
	int bare = tree == TREE_BARE, cloned, unborn, rv = -1;

	if (!valid_agent(agent, strlen(agent))) {
		bus_seterr("%s: not an agent name ([a-z0-9][a-z0-9-]{0,31})",
		    agent);
		bus_setclass(EX_USAGE);
		return -1;
	}
	if ((cloned = make_clone(&g, url, dir, agent, bare, &path)) == -1)
		goto out;
	g.dir = path.s;
	if ((unborn = configure_clone(&g, bare, agent, key)) == -1)
		goto out;
	/* only a clone of ours: a station taken over keeps what it has */
	buf_addf(&gitdir, "%s/.git", path.s);
	if (cloned && tree == TREE_SPARSE && sparse_setup(&g, gitdir.s) == -1)
		goto out;
	if (station_open(&st, path.s, agent, 1, trace) == -1)
		goto out;
	rv = join_bus(&st, &g, url, path.s, agent, unborn, cloned);
	rv = close_new_station(&st, rv, where);
out:
	buf_free(&path);
	buf_free(&gitdir);
	return rv;
}
