/*
 * skills.c: skills-sync (SPEC section 8): the skills clone, and the
 * two modes, push and pull.
 *
 * The skills of a local directory, as skilldir.c finds them (each by
 * its tree id), are compared with the clone's branch (the hub, as far
 * as known) and with the directory's base (skillset.c): the version
 * that the directory and the branch last agreed on.  What each skill
 * calls for is skillset.c's plan; installing it is skilldir.c's.
 *
 * The clone is opened as a station on its current branch, without the
 * station's work tree bookkeeping: fetching, replaying and pushing
 * with retries are sync.c's.  Its work tree follows the branch at the
 * end, with one git read-tree -m -u.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skills.h"

#define ASIDE_REFS	"refs/skills-sync/unpushed/"
#define JOURNAL		"skills-sync-checkout"
#define ROUNDS		3	/* classify, commit, push: after a set-aside */

/* One local directory being pushed. */
struct source {
	struct skilldir	 sd;
	struct buf	 ref;		/* its base */
	struct skillset	 base;
	struct skillset	 next;		/* the base after this run */
};

/*
 * The absolute path of the local directory dir, into *abs.  With make,
 * a missing one is made, except by a dry run, which leaves *abs NULL.
 */
static int
local_dir(const char *dir, int make, int dry, char **abs)
{
	struct stat sb;

	*abs = NULL;
	if (make && stat(dir, &sb) == -1 && errno == ENOENT) {
		if (dry)
			return 0;
		if (mkdir(dir, 0777) == -1) {
			bus_seterrno("%s", dir);
			bus_setclass(EX_USAGE);
			return -1;
		}
	}
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode) ||
	    (*abs = realpath(dir, NULL)) == NULL) {
		bus_seterr("%s: not a directory", dir);
		bus_setclass(EX_USAGE);
		return -1;
	}
	return 0;
}

/*
 * Fetch.  A hub that cannot be reached is not an error here: the run
 * goes on with what the clone knows, and says so.  A hub without the
 * branch yet is an empty one.
 */
static int
hub_fetch(struct skills *sk)
{
	struct station *st = &sk->repo;

	if (sync_fetch(st) == 0)
		return station_tips(st);
	if (bus_errclass() != EX_TEMPFAIL)
		return -1;
	/* -1 keeps the fetch's error: why the hub is out of reach */
	if (sync_hub_refs(st) == -1) {
		sk->offline = 1;
		skills_plan_warn(&sk->plan, bus_error());
	}
	return station_tips(st);
}

/*
 * The clone's unpushed commits change what the hub changed too: keep
 * them under refs/skills-sync/unpushed/, put the branch on the hub's
 * tip, and take back what the bases learnt from them, so that the
 * skills they held count as changed here (and so, in conflict).
 */
static int
set_aside(struct skills *sk)
{
	struct station *st = &sk->repo;
	struct buf local = BUF_INIT, remote = BUF_INIT, mb = BUF_INIT;
	struct buf aside = BUF_INIT, names = BUF_INIT, msg = BUF_INIT;
	struct skillset ls = SKILLSET_INIT, ms = SKILLSET_INIT;
	int rv = -1, r;

	if (station_tips_copy(st, &local, &remote) == -1)
		goto out;
	r = git(&st->g, &mb, "merge-base", local.s, remote.s, NULL);
	if (r != 0 && r != 1)
		goto out;
	buf_rtrim(&mb);
	buf_addf(&aside, ASIDE_REFS "%s", local.s);
	if (git(&st->g, NULL, "update-ref", aside.s, local.s, NULL) != 0 ||
	    station_update_ref(st, remote.s, local.s,
	    "skills-sync: set the unpushed commits aside") == -1)
		goto out;
	buf_addf(&msg, "the skills clone's unpushed commits change what the "
	    "hub changed; set aside as %s", aside.s);
	skills_plan_warn(&sk->plan, msg.s);

	if (skillset_changed(&st->g, mb.s, local.s, &names) == -1 ||
	    skillset_read_tree(&st->g, local.s, &ls, 0) == -1 ||
	    skillset_read_tree(&st->g, mb.s, &ms, 0) == -1 ||
	    skillset_bases_forget(&st->g, &names, &ls, &ms) == -1)
		goto out;
	rv = 0;
out:
	skillset_free(&ls);
	skillset_free(&ms);
	buf_free(&local);
	buf_free(&remote);
	buf_free(&mb);
	buf_free(&aside);
	buf_free(&names);
	buf_free(&msg);
	return rv;
}

/* Bring the branch up to the hub's: fast-forward, replay or set aside. */
static int
hub_integrate(struct skills *sk)
{
	if (sk->flags & SKILLS_DRY_RUN)
		return 0;
	if (sync_integrate(&sk->repo) == 0)
		return 0;
	if (bus_errclass() != EX_DATAERR)
		return -1;
	return set_aside(sk);
}

/*
 * The commit the comparisons are made with: the branch, brought up to
 * the hub's tip (a dry run moves nothing, so it looks ahead).
 */
static int
view_tip(struct skills *sk, struct buf *tip)
{
	struct station *st = &sk->repo;

	if (station_tips(st) == -1)
		return -1;
	buf_reset(tip);
	if (st->tip_local.len == 0 || (sk->flags & SKILLS_DRY_RUN &&
	    st->tip_remote.len > 0 && git_is_ancestor(&st->g, st->tip_local.s,
	    st->tip_remote.s) == 1))
		tip_copy(tip, &st->tip_remote);
	else
		tip_copy(tip, &st->tip_local);
	return 0;
}

/* What skilldir.c needs of the clone. */
static void
dir_ctx(struct skills *sk, struct skilldir_ctx *dc)
{
	dc->g = &sk->repo.g;
	dc->gitdir = sk->repo.gitdir;
	dc->tmp = sk->tmp;
	dc->objects = sk->objects;
	dc->plan = &sk->plan;
	dc->verbose = (sk->flags & SKILLS_VERBOSE) != 0;
}

/*
 * Push: how one directory's skills compare with the branch (cur, which
 * takes what is to be pushed) and with the directory's base.
 */
static int
push_source(struct skills *sk, const char *dir, struct source *src,
    struct skillset *cur, struct skillset *topush)
{
	struct skilldir_ctx dc;
	const struct skillset_ent *e;
	const char *s, *why;
	size_t i;
	int act;

	dir_ctx(sk, &dc);
	if (skilldir_scan(&dc, dir, &src->sd) == -1 ||
	    skillset_base_ref(&sk->repo.g, dir, &src->ref) == -1 ||
	    skillset_base_read(&sk->repo.g, src->ref.s, &src->base) == -1)
		return -1;
	skilldir_note_left_out(&dc, &src->sd);
	skillset_copy(&src->next, &src->base);
	for (i = 0; i < src->sd.found.n; i++) {
		e = &src->sd.found.v[i];
		if (e->kind != SKILLSET_SKILL)
			continue;
		s = e->oid;
		act = skills_plan_push_act(s, skillset_oid(cur, e->name),
		    skillset_oid(&src->base, e->name),
		    sk->flags & SKILLS_FORCE, &why);
		if (act == SKILLS_PUSHED) {
			skillset_put(topush, e->name, s);
			skillset_put(cur, e->name, s);
		}
		if (act == SKILLS_PUSHED || act == SKILLS_PLAN_SAME)
			skillset_put(&src->next, e->name, s);
		else
			skills_plan_note(&sk->plan, act, e->name, why);
	}
	/* forget what is neither here nor on the branch */
	for (i = src->next.n; i-- > 0;) {
		e = &src->next.v[i];
		if (skillset_find(cur, e->name) == NULL &&
		    ((e = skillset_find(&src->sd.found, e->name)) == NULL ||
		    e->kind != SKILLSET_SKILL))
			skillset_del(&src->next, src->next.v[i].name);
	}
	return 0;
}

static void
source_free(struct source *src)
{
	skilldir_free(&src->sd);
	buf_free(&src->ref);
	skillset_free(&src->base);
	skillset_free(&src->next);
}

/*
 * Push what the branch holds that the hub does not: 0 done, 1 the hub
 * could not be reached (it stays queued), 2 the push lost a race to a
 * change of the same paths and the commits were set aside, -1 failed.
 */
static int
hub_push(struct skills *sk)
{
	struct station *st = &sk->repo;

	/* a refusal keeps the commits queued: skills keep their own bases */
	if (sync_push_keep(st) == 0)
		return 0;
	if (bus_errclass() == EX_TEMPFAIL) {
		sk->offline = 1;
		skills_plan_warn(&sk->plan, bus_error());
		return 1;
	}
	/* a refusal of the hub's hook leaves the hub where it was */
	if (bus_errclass() != EX_DATAERR || station_tips(st) == -1 ||
	    st->tip_remote.len == 0 ||
	    git_is_ancestor(&st->g, st->tip_remote.s, st->tip_local.s) != 0)
		return -1;
	return set_aside(sk) == -1 ? -1 : 2;
}

/*
 * Bring the clone's work tree and index along from where the branch
 * was when we began to where it is now; then the journal goes.
 */
static int
finish(struct skills *sk)
{
	struct station *st = &sk->repo;
	struct buf old = BUF_INIT, path = BUF_INIT;
	int rv = -1;

	if (!sk->journaled)
		return 0;
	if (station_tips(st) == -1)
		goto out;
	if (sk->start.len > 0)
		tip_copy(&old, &sk->start);
	else if (git_empty_tree(&st->g, &old) == -1)
		goto out;
	if (st->tip_local.len > 0 && strcmp(old.s, st->tip_local.s) != 0) {
		(void)git(&st->g, NULL, "update-index", "-q", "--refresh",
		    NULL);
		if (git(&st->g, NULL, "read-tree", "-m", "-u", old.s,
		    st->tip_local.s, NULL) != 0) {
			bus_seterr("%s: the work tree cannot follow the branch "
			    "from %s: %s", st->worktree, old.s, bus_error());
			bus_setclass(EX_USAGE);
			goto out;
		}
	}
	buf_addf(&path, "%s/" JOURNAL, st->gitdir);
	unlink(path.s);
	sk->journaled = 0;
	tip_copy(&sk->start, &st->tip_local);
	rv = 0;
out:
	buf_free(&old);
	buf_free(&path);
	return rv;
}

/*
 * Push, one round: how the n directories (abs, and src for each) and
 * the branch (cur) compare, and which skills go (topush); the view of
 * the branch in tip.
 */
static int
push_plan(struct skills *sk, char **abs, struct source *src, size_t n,
    struct skillset *cur, struct skillset *topush, struct buf *tip)
{
	struct skilldir_ctx dc;
	size_t i;

	skills_plan_clear(&sk->plan);
	skillset_free(cur);
	skillset_free(topush);
	for (i = 0; i < n; i++) {
		source_free(&src[i]);
		memset(&src[i], 0, sizeof(src[i]));
	}
	dir_ctx(sk, &dc);
	if (hub_integrate(sk) == -1 || view_tip(sk, tip) == -1 ||
	    skilldir_rules(&dc, tip->s) == -1 ||
	    skillset_read_tree(&sk->repo.g, tip->s, cur, 0) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (push_source(sk, abs[i], &src[i], cur, topush) == -1)
			return -1;
	return 0;
}

/*
 * Push the skills of the n directories to the skills repository: see
 * skills-sync(1) for which go and why.  Returns -1 on a failure that
 * stops the run; a hub out of reach (sk->offline) or conflicts
 * (sk->plan.conflicts) are not.
 */
int
skills_push(struct skills *sk, char *const *dirs, size_t n)
{
	struct station *st = &sk->repo;
	struct source *src = NULL;
	struct skillset cur = SKILLSET_INIT, topush = SKILLSET_INIT;
	struct buf tip = BUF_INIT, names = BUF_INIT;
	char **abs = NULL;
	size_t i, k;
	int rv = -1, round, r;

	abs = xreallocarray(NULL, n + 1, sizeof(*abs));
	src = xreallocarray(NULL, n + 1, sizeof(*src));
	memset(src, 0, (n + 1) * sizeof(*src));
	memset(abs, 0, (n + 1) * sizeof(*abs));
	for (i = 0; i < n; i++)
		if (local_dir(dirs[i], 0, 0, &abs[i]) == -1)
			goto out;
	if (hub_fetch(sk) == -1)
		goto out;
	for (round = 0;; round++) {
		if (push_plan(sk, abs, src, n, &cur, &topush, &tip) == -1)
			goto out;
		if (sk->flags & SKILLS_DRY_RUN) {
			if (skillset_changed(&st->g, st->tip_remote.s, tip.s,
			    &names) == -1)
				goto out;
			for (k = 0; k < topush.n; k++) {
				buf_adds(&names, topush.v[k].name);
				buf_addc(&names, '\0');
			}
			skills_plan_note_once(&sk->plan, SKILLS_PUSHED, &names);
			break;
		}
		if (topush.n > 0 && skillset_commit(st, &topush) == -1)
			goto out;
		/* each directory now agrees with the branch */
		for (i = 0; i < n; i++)
			if (skillset_base_write(&st->g, src[i].ref.s, abs[i],
			    &src[i].next, &src[i].base) == -1)
				goto out;
		if (station_tips(st) == -1 || skillset_changed(&st->g,
		    st->tip_remote.s, st->tip_local.s, &sk->names) == -1)
			goto out;
		if (sk->names.len == 0)
			break;
		if (sk->offline || (r = hub_push(sk)) == 1) {
			skills_plan_note_once(&sk->plan, SKILLS_COMMITTED,
			    &sk->names);
			break;
		}
		if (r == 0) {
			tip_copy(&sk->pushed, &st->tip_local);
			skills_plan_note_once(&sk->plan, SKILLS_PUSHED,
			    &sk->names);
			break;
		}
		/* set aside: the skills it held are compared again */
		if (r == -1)
			goto out;
		if (round + 1 >= ROUNDS) {
			bus_seterr("%s: the hub changed the same skills "
			    "during each of %d tries; run again", st->remote,
			    ROUNDS);
			bus_setclass(EX_TEMPFAIL);
			goto out;
		}
	}
	skills_plan_sort(&sk->plan);
	rv = finish(sk);
out:
	for (i = 0; i < n; i++) {
		free(abs[i]);
		source_free(&src[i]);
	}
	free(abs);
	free(src);
	skillset_free(&cur);
	skillset_free(&topush);
	buf_free(&tip);
	buf_free(&names);
	return rv;
}

/*
 * Pull the skill h of the branch into the directory sd, whose base
 * holds the tree base of it; next takes what the two now agree on.
 * files is scratch space.
 */
static int
pull_skill(struct skills *sk, const struct skilldir_ctx *dc,
    struct skilldir *sd, const struct skillset_ent *h, const char *base,
    struct skillset *next, struct buf *files)
{
	struct buf msg = BUF_INIT;
	const char *w, *why;
	int act;

	act = skills_plan_pull_act(skillset_find(&sd->found, h->name), h->oid,
	    base, sk->flags & SKILLS_FORCE, &why);
	if (act == SKILLS_PLAN_SAME) {
		skillset_put(next, h->name, h->oid);
		return 0;
	}
	if (act != SKILLS_INSTALLED && act != SKILLS_UPDATED) {
		skills_plan_note(&sk->plan, act, h->name, why);
		return 0;
	}
	if (skillset_files(dc->g, h->oid, files) == -1)
		return -1;
	/* what is not synced here must not be lost by an update */
	if (act == SKILLS_UPDATED &&
	    (w = skilldir_in_the_way(sd, h->name, files)) != NULL) {
		if (!(sk->flags & SKILLS_FORCE)) {
			buf_addf(&msg, "unsynced %s in the way", w);
			skills_plan_note(&sk->plan, SKILLS_IN_THE_WAY,
			    h->name, msg.s);
			buf_free(&msg);
			return 0;
		}
		why = why != NULL ? "local changes and files replaced" :
		    "local files replaced";
	}
	if (!(sk->flags & SKILLS_DRY_RUN) && skilldir_install(dc, sd, h->name,
	    files, act == SKILLS_UPDATED) == -1)
		return -1;
	skills_plan_note(&sk->plan, act, h->name, why);
	skillset_put(next, h->name, h->oid);
	return 0;
}

/*
 * Pull: install the skills of the branch into dir, never deleting or
 * overwriting a skill that is only here or changed here (unless forced
 * and changed on the hub too); see skills-sync(1).
 */
int
skills_pull(struct skills *sk, const char *dir)
{
	struct station *st = &sk->repo;
	struct skilldir_ctx dc;
	struct skillset hub = SKILLSET_INIT, next = SKILLSET_INIT;
	struct skillset base = SKILLSET_INIT;
	struct skilldir sd;
	struct buf tip = BUF_INIT, ref = BUF_INIT, files = BUF_INIT;
	const struct skillset_ent *e;
	char *abs = NULL;
	size_t i;
	int rv = -1, dry = sk->flags & SKILLS_DRY_RUN;

	memset(&sd, 0, sizeof(sd));
	dir_ctx(sk, &dc);
	if (local_dir(dir, 1, dry, &abs) == -1 || hub_fetch(sk) == -1)
		goto out;
	/* a pull is a read: it pushes what the clone has queued */
	if (hub_integrate(sk) == -1 || (!sk->offline && !dry &&
	    hub_push(sk) == -1))
		goto out;
	if (view_tip(sk, &tip) == -1 || skilldir_rules(&dc, tip.s) == -1 ||
	    skillset_read_tree(&st->g, tip.s, &hub, 1) == -1)
		goto out;
	if (abs == NULL)
		sd.dir = xstrdup(dir);
	else if (skilldir_scan(&dc, abs, &sd) == -1 ||
	    skillset_base_ref(&st->g, abs, &ref) == -1 ||
	    skillset_base_read(&st->g, ref.s, &base) == -1)
		goto out;
	skilldir_note_left_out(&dc, &sd);
	skillset_copy(&next, &base);
	skillset_sort(&hub);
	for (i = 0; i < hub.n; i++)
		if (pull_skill(sk, &dc, &sd, &hub.v[i], skillset_oid(&base,
		    hub.v[i].name), &next, &files) == -1)
			goto out;
	for (i = 0; i < sd.found.n; i++) {
		e = &sd.found.v[i];
		if (e->kind == SKILLSET_SKILL &&
		    skillset_find(&hub, e->name) == NULL)
			skills_plan_note(&sk->plan, SKILLS_KEPT, e->name,
			    "local only");
	}
	/* forget what is neither here nor on the branch */
	for (i = next.n; i-- > 0;)
		if (skillset_find(&hub, next.v[i].name) == NULL &&
		    skillset_find(&sd.found, next.v[i].name) == NULL)
			skillset_del(&next, next.v[i].name);
	if (!dry && skillset_base_write(&st->g, ref.s, abs, &next,
	    &base) == -1)
		goto out;
	skills_plan_sort(&sk->plan);
	rv = finish(sk);
out:
	skillset_free(&hub);
	skillset_free(&next);
	skillset_free(&base);
	skilldir_free(&sd);
	buf_free(&tip);
	buf_free(&ref);
	buf_free(&files);
	free(abs);
	return rv;
}

/*
 * Tell every other agent on the bus that the skills repository moved
 * to sk->pushed: a "skills" message naming the commit and the skills
 * it changed, committed in the station bus (the caller pushes).
 * Returns how many messages were sent, or -1.
 */
int
skills_notify(struct station *bus, const struct skills *sk, struct buf *tip)
{
	struct changes c = CHANGES_INIT;
	struct buf body = BUF_INIT;
	const char *p;
	int n;

	buf_addf(&body, "skills updated: %s\n", sk->pushed.s);
	for (p = NULL; (p = strvec_next(&sk->names, p)) != NULL;) {
		text_safe(&body, p, strlen(p));
		buf_addc(&body, '\n');
	}
	n = station_stage_others(bus, "skills", body.s, body.len, &c);
	if (n > 0 && station_commit(bus, &c, "skills-sync: notify\n",
	    tip) == -1)
		n = -1;
	changes_free(&c);
	buf_free(&body);
	return n;
}

/*
 * The skills.* settings that git config finds in dir (NULL: the
 * current directory), global ones included.
 */
int
skills_config(struct skills_config *cfg, const char *dir, FILE *trace)
{
	struct git g;
	struct buf out = BUF_INIT;
	char *p, *val, **v;
	int rv;

	memset(cfg, 0, sizeof(*cfg));
	memset(&g, 0, sizeof(g));
	g.dir = dir;
	g.trace = trace;
	rv = git(&g, &out, "config", "-z", "--type=path", "--get-regexp",
	    "^skills\\.", NULL);
	if (rv != 0 && rv != 1) {	/* 1: no such setting */
		bus_setclass(EX_USAGE);
		buf_free(&out);
		return -1;
	}
	for (p = NULL; (p = git_config_next(&out, p, &val)) != NULL; ) {
		if (strcmp(p, "skills.repo") == 0) {
			free(cfg->repo);
			cfg->repo = xstrdup(val);
		} else if (strcmp(p, "skills.remote") == 0) {
			free(cfg->remote);
			cfg->remote = xstrdup(val);
		} else if (strcmp(p, "skills.target") == 0) {
			free(cfg->target);
			cfg->target = xstrdup(val);
		} else if (strcmp(p, "skills.source") == 0) {
			v = xreallocarray(cfg->sources, cfg->nsources + 1,
			    sizeof(*v));
			cfg->sources = v;
			v[cfg->nsources++] = xstrdup(val);
		}
	}
	buf_free(&out);
	return 0;
}

void
skills_config_free(struct skills_config *cfg)
{
	size_t i;

	free(cfg->repo);
	free(cfg->remote);
	free(cfg->target);
	for (i = 0; i < cfg->nsources; i++)
		free(cfg->sources[i]);
	free(cfg->sources);
	memset(cfg, 0, sizeof(*cfg));
}

/*
 * The work tree: finish what a run that died left (its journal names
 * where the branch was), refuse uncommitted changes (a read-tree at
 * the end must not meet them), and write the journal for this run.
 */
static int
worktree_start(struct skills *sk)
{
	struct station *st = &sk->repo;
	struct buf path = BUF_INIT, old = BUF_INIT;
	int rv = -1, r;

	buf_addf(&path, "%s/" JOURNAL, st->gitdir);
	if (!(sk->flags & SKILLS_DRY_RUN) && file_read(path.s, &old,
	    1024) == 0) {
		buf_rtrim(&old);
		if (old.len == 0 && git_empty_tree(&st->g, &old) == -1)
			goto out;
		(void)git(&st->g, NULL, "update-index", "-q", "--refresh",
		    NULL);
		if (st->tip_local.len > 0 && strcmp(old.s,
		    st->tip_local.s) != 0 && git(&st->g, NULL, "read-tree",
		    "-m", "-u", old.s, st->tip_local.s, NULL) != 0) {
			bus_seterr("%s: the work tree cannot follow the branch "
			    "from %s: %s", st->worktree, old.s, bus_error());
			bus_setclass(EX_USAGE);
			goto out;
		}
	}
	if (st->tip_local.len > 0) {
		(void)git(&st->g, NULL, "update-index", "-q", "--refresh",
		    NULL);
		if ((r = git(&st->g, NULL, "diff-index", "--quiet", "HEAD",
		    "--", NULL)) != 0) {
			if (r == 1)
				bus_seterr("%s: the skills clone has "
				    "uncommitted changes; commit or discard "
				    "them first", st->worktree);
			bus_setclass(EX_USAGE);
			goto out;
		}
	}
	if (!(sk->flags & SKILLS_DRY_RUN)) {
		if (file_write_atomic(path.s, st->tip_local.s != NULL ?
		    st->tip_local.s : "", st->tip_local.len, 0666) == -1)
			goto out;
		sk->journaled = 1;
	}
	rv = 0;
out:
	buf_free(&path);
	buf_free(&old);
	return rv;
}

/*
 * Open the skills clone at path on its current branch, with remote
 * (NULL: origin), and take its lock.
 */
int
skills_open(struct skills *sk, const char *path, const char *remote,
    int flags, FILE *trace)
{
	struct station *st = &sk->repo;
	struct git g;
	struct buf head = BUF_INIT, b = BUF_INIT;
	int rv = -1, r;

	memset(sk, 0, sizeof(*sk));
	st->lockfd = -1;
	sk->flags = flags;
	memset(&g, 0, sizeof(g));
	g.dir = path;
	g.trace = trace;
	if ((r = git(&g, &head, "symbolic-ref", "-q", "HEAD", NULL)) != 0) {
		if (r == 1)
			bus_seterr("%s: HEAD is detached; check out a branch "
			    "of the skills repository", path);
		else
			bus_seterr("%s: not a clone of the skills repository: "
			    "%s", path, bus_error());
		bus_setclass(EX_USAGE);
		goto out;
	}
	buf_rtrim(&head);
	if (station_open(st, path, NULL, 0, trace) == -1)
		goto out;
	/* the station's branch is the one checked out, its remote ours */
	free(st->branch);
	free(st->ref);
	free(st->remote);
	free(st->tracking);
	st->branch = xstrdup(strncmp(head.s, "refs/heads/", 11) == 0 ?
	    head.s + 11 : head.s);
	st->ref = xstrdup(head.s);
	st->remote = xstrdup(remote != NULL ? remote : "origin");
	buf_addf(&b, "refs/remotes/%s/%s", st->remote, st->branch);
	st->tracking = buf_detach(&b);
	st->checked_out = 0;	/* the work tree is ours to handle */
	if (station_lock(st) == -1)
		goto out;
	if ((sk->tmp = skilldir_scratch(st->gitdir)) == NULL)
		goto out;
	if (flags & SKILLS_DRY_RUN) {
		buf_addf(&b, "%s/objects", sk->tmp);
		if (mkdir(b.s, 0777) == -1) {
			bus_seterrno("%s", b.s);
			goto out;
		}
		buf_reset(&b);
		if (git(&st->g, &b, "rev-parse", "--path-format=absolute",
		    "--git-path", "objects", NULL) != 0)
			goto out;
		buf_rtrim(&b);
		sk->objects = buf_detach(&b);
	}
	if (station_tips(st) == -1)
		goto out;
	tip_copy(&sk->start, &st->tip_local);
	if (st->worktree != NULL && worktree_start(sk) == -1)
		goto out;
	rv = 0;
out:
	buf_free(&head);
	buf_free(&b);
	return rv;
}

/*
 * Unlock and clean up, bringing the work tree along if a failure left
 * it behind the branch; the error of the run, if any, stays.
 */
void
skills_close(struct skills *sk)
{
	bus_errhold();
	if (sk->journaled)
		(void)finish(sk);
	if (sk->tmp != NULL)
		(void)skilldir_rmtree(sk->tmp);
	station_close(&sk->repo);
	skills_plan_free(&sk->plan);
	free(sk->tmp);
	free(sk->objects);
	buf_free(&sk->start);
	buf_free(&sk->pushed);
	buf_free(&sk->names);
	memset(sk, 0, sizeof(*sk));
	bus_errrelease();
}
