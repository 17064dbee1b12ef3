/*
 * sync.c: a station and its hub.  Fetch; fast-forward, or replay the
 * station's unpushed commits on the hub's new tip (replay.c); push,
 * retrying a push that lost a race with jittered backoff, within
 * bounds; in queue mode to the agent's queue as well (sequence.c).
 *
 * A push that the hub's hook refused is refused.c's: it sets aside
 * what the hook refuses and delivers the rest, with this file's queue
 * and push.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout.h"
#include "refused.h"
#include "station.h"

#define PUSH_TRIES	10
#define PUSH_SECONDS	60

/*
 * git could not fetch from or push to the hub (what: "fetch from"),
 * its words in the error: say so, and whether trying again may help
 * (EX_TEMPFAIL) or not (EX_UNAVAILABLE: no such repository, access
 * denied), with what the user can do when that is known.
 */
static void
hub_failed(const struct station *st, const char *what)
{
	const char *hint;
	int class = git_transport_class(bus_error(), st->hub_local, &hint);

	bus_seterr("cannot %s %s: %s%s%s", what, st->remote, bus_error(),
	    hint != NULL ? "; " : "", hint != NULL ? hint : "");
	bus_setclass(class);
}

/*
 * git fetch of the hub's branch into the remote-tracking ref and, with
 * presence, of the agents' presence refs (presence.c) into
 * PRESENCE_HUB: one connection.  A name under refs/remotes/ could be a
 * branch's, so they have a namespace of their own; --prune takes away
 * those the hub no longer has, first, which also makes way for a ref
 * that a gone one's name is a directory of.  git's exit status.
 */
static int
fetch(struct station *st, int presence, struct buf *err, int *news)
{
	struct strvec args = STRVEC_INIT;
	int rv;

	/* history that merely holds a hostile path is never refused */
	layout_fsck_args(&args);
	strvec_push(&args, "fetch");
	/* not -q: its report says whether a ref moved (ahead.c) */
	strvec_push(&args, "--no-tags");
	strvec_push(&args, "--no-write-fetch-head");
	/* a bus has no submodules: without this, git reads the whole
	   index to look for them, even when nothing is new */
	strvec_push(&args, "--no-recurse-submodules");
	/* run after a fetch that brought something: maintain() */
	strvec_push(&args, "--no-auto-maintenance");
	if (presence)
		strvec_push(&args, "--prune");
	strvec_push(&args, st->remote);
	strvec_pushf(&args, "+%s:%s", st->ref, st->tracking);
	if (presence) {
		strvec_push(&args, "+" PRESENCE_REF "*:" PRESENCE_HUB "*");
		/* the hub's write path (sequence.c), in the same fetch */
		strvec_push(&args, "+refs/bus/mode/*:refs/bus/hub-mode/*");
	}
	rv = ahead_fetch(st, args.v, err, news);
	strvec_clear(&args);
	return rv;
}

/*
 * The auto maintenance that git fetch runs after every fetch, run only
 * after one that brought something: a fetch that moved no ref added
 * nothing to pack.  It holds the station's lock (git.c): a gc packs
 * refs, and racing the next command it could make that command fail.
 * Detached, it would hold the lock after this command ends, a delay
 * that nobody sees coming; in the foreground it is part of the fetch.
 * Its failure is not the fetch's, as it is not in git fetch.
 */
static void
maintain(struct station *st)
{
	(void)git(&st->g, NULL, "-c", "gc.autoDetach=false", "-c",
	    "maintenance.autoDetach=false", "maintenance", "run", "--auto",
	    "--quiet", NULL);
}

/*
 * Fetch the hub's branch and, in a bus station, the agents' presence.
 * A presence ref that git cannot store here (two names that differ
 * only in case, on a file system that folds case) must not jam the
 * station: the branch is fetched again alone, and the presence refs
 * are skipped with a warning.
 */
int
sync_fetch(struct station *st)
{
	struct buf err = BUF_INIT, before = BUF_INIT;
	int rv, news;

	/* a station in signed mode checks what the fetch brings: verify.c */
	if (st->require_signed) {
		if (station_tips(st) == -1)
			return -1;
		tip_copy(&before, &st->tip_remote);
		if (verify_begin(st, before.s != NULL ? before.s : "") == -1) {
			buf_free(&before);
			return -1;
		}
	}
	rv = fetch(st, st->is_bus, &err, &news);
	if (rv > 0 && st->is_bus && err.s != NULL &&
	    strstr(err.s, PRESENCE_HUB) != NULL) {
		buf_adds(&st->skipped, PRESENCE_REF "*: this station cannot "
		    "store them: ");
		text_safe(&st->skipped, bus_error(), strlen(bus_error()));
		buf_addc(&st->skipped, '\n');
		rv = fetch(st, 0, &err, &news);
	}
	if (rv == 0 && news)
		maintain(st);
	if (rv != 0) {
		if (rv > 0)
			hub_failed(st, "fetch from");
		else
			bus_setclass(EX_TEMPFAIL);
		rv = -1;
	} else if (st->require_signed)
		rv = station_tips(st) == -1 || verify_fetched(st, before.s !=
		    NULL ? before.s : "", st->tip_remote.s != NULL ?
		    st->tip_remote.s : "") == -1 ? -1 : 0;
	buf_free(&err);
	buf_free(&before);
	return rv;
}

/*
 * After a failed fetch, why: 0 the hub is empty (no ref at all, as a
 * git host makes a new repository), 1 it has refs but not the bus
 * branch, -1 anything else (it cannot be reached, say), the fetch's
 * error kept.
 */
int
sync_hub_refs(struct station *st)
{
	struct buf out = BUF_INIT, line = BUF_INIT;
	int r;

	buf_addf(&line, "\t%s\n", st->ref);
	bus_setclass(EX_TEMPFAIL);
	bus_errhold();		/* the fetch's error is the one to keep */
	if ((r = git(&st->g, &out, "ls-remote", st->remote, NULL)) == 0)
		r = out.len == 0 ? 0 : strstr(out.s, line.s) == NULL ? 1 : -1;
	else
		r = -1;
	bus_errrelease();
	buf_free(&out);
	buf_free(&line);
	return r;
}

/*
 * Bring the branch up to the remote-tracking ref: nothing when it is
 * already there or ahead (unpushed work), a fast-forward when it is
 * behind, a replay of the unpushed commits when both moved.
 */
int
sync_integrate(struct station *st)
{
	struct buf local = BUF_INIT, remote = BUF_INIT;
	int rv = -1, r;

	if (station_tips_copy(st, &local, &remote) == -1)
		goto out;
	if (remote.len == 0 || strcmp(local.s, remote.s) == 0) {
		rv = 0;
		goto out;
	}
	if (local.len == 0) {
		rv = station_advance(st, remote.s, "", NULL, "bus: start");
		goto out;
	}
	if ((r = git_is_ancestor(&st->g, remote.s, local.s)) != 0) {
		rv = r == 1 ? 0 : -1;
		goto out;
	}
	if ((r = git_is_ancestor(&st->g, local.s, remote.s)) == 1)
		rv = station_advance(st, remote.s, local.s, NULL,
		    "bus: fast-forward");
	else if (r == 0)
		rv = sync_replay(st, local.s, remote.s);
out:
	buf_free(&local);
	buf_free(&remote);
	return rv;
}

/* Commits on the branch that the hub does not have yet? */
static int
sync_queued(struct station *st)
{
	if (station_tips(st) == -1)
		return -1;
	return st->tip_local.len > 0 && (st->tip_remote.len == 0 ||
	    strcmp(st->tip_local.s, st->tip_remote.s) != 0);
}

/* Milliseconds on the monotonic clock. */
static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait before the try-th retry (from 0) of a push that lost a race: a
 * random while, up to 2^try times as long as a push to this hub takes
 * (st->push_ms, the last one's time, which is the hub's pace: while k
 * stations race, a push waits about k of them).  The window doubles up
 * to 64 pushes, so that 16 stations sending at once spread out within
 * the bounds instead of racing again together; never under 20 ms.
 */
static void
backoff(const struct station *st, int try)
{
	long pace = st->push_ms < 20 ? 20 : st->push_ms > 1000 ? 1000 :
	    st->push_ms;
	unsigned int cap = (unsigned int)pace << (try < 6 ? try + 1 : 6);
	unsigned int ms = arc4random_uniform(cap) + 10;
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * Does the hub fold queues (sequence.c)?  It says so by a ref that the
 * station's last fetch brought (QUEUE_MODE_HUB): 1 yes, 0 no, -1 error.
 */
static int
queue_mode(struct station *st)
{
	if (!st->is_bus || st->agent == NULL)
		return 0;
	/* read with the tips (station_tips()), after each fetch */
	if (st->queue_mode == -1) {
		st->tips_known = 0;
		if (station_tips(st) == -1)
			return -1;
	}
	return st->queue_mode;
}

/*
 * git push of commit (NULL: none) to dst, and to also (NULL: none),
 * and beat (NULL: none) as the agent's presence ref, forcing the beat;
 * 0 pushed, or git's status.
 */
static int
push_run(struct station *st, const char *commit, const char *dst,
    const char *also, const char *beat, struct buf *out, struct buf *err)
{
	struct strvec args = STRVEC_INIT;
	long start;
	int r;

	/* no -q: it leaves out the lines of refs that did not move */
	strvec_pushv(&args, (const char *const []){ "push", "--porcelain",
	    st->remote, NULL });
	if (commit != NULL)
		strvec_pushf(&args, "%s:%s", commit, dst);
	if (commit != NULL && also != NULL)
		strvec_pushf(&args, "%s:%s", commit, also);
	if (beat != NULL)
		strvec_pushf(&args, "+%s:" PRESENCE_REF "%s", beat, st->agent);
	buf_reset(out);
	buf_reset(err);
	start = now_ms();
	r = git_run(&st->g, NULL, out, err, args.v);
	st->push_ms = now_ms() - start;
	strvec_clear(&args);
	return r;
}

/*
 * The flag of ref in git push --porcelain's out ("F\tfrom:to\t..."):
 * ' ' fast-forward, '*' new, '=' already there, '!' rejected, and so
 * on; 0 when out has no line for it.
 */
static int
push_flag(const struct buf *out, const char *ref)
{
	const char *p, *colon, *tab;
	size_t n = strlen(ref);

	for (p = out->s; p != NULL; p = (p = strchr(p, '\n')) != NULL ?
	    p + 1 : NULL) {
		if (p[0] == '\0' || p[1] != '\t' ||
		    (tab = strchr(p + 2, '\t')) == NULL ||
		    (colon = memchr(p + 2, ':', tab - (p + 2))) == NULL)
			continue;
		if ((size_t)(tab - colon - 1) == n &&
		    strncmp(colon + 1, ref, n) == 0)
			return p[0];
	}
	return 0;
}

/*
 * Push commit (NULL: none) as the hub's branch and beat (NULL: none)
 * as the agent's presence ref; git's stderr, where the hub's words
 * are, to err.  A refusal by the hook is told by git's porcelain
 * status of the ref, never by the hook's own words.  On a hub in queue
 * mode the same push gives commit to the agent's queue too: when the
 * branch moved meanwhile (git refuses it as a non-fast-forward, or the
 * hub lost the race), the queue takes it, and the hub's post-receive
 * hook returns once its sequencer folded it into the branch; the
 * tracking ref is set to commit, which the next fetch fast-forwards to
 * the fold.  A station that was current moves the branch itself, as in
 * direct mode, and the sequencer has nothing to do.  A queue that does
 * not take it (a replayed commit on a queue that a sequencer that did
 * not run left holding the original) leaves the branch to decide, as
 * in direct mode.
 */
static enum sync_pushed
push_refs(struct station *st, const char *commit, const char *beat,
    struct buf *err)
{
	struct buf out = BUF_INIT, queue = BUF_INIT;
	enum sync_pushed rv;
	int r, q = 0, flag;

	if (commit != NULL && (q = queue_mode(st)) == -1)
		return SYNC_PUSH_ERROR;
	if (q)
		buf_addf(&queue, QUEUE_REF "%s", st->agent);
	r = push_run(st, commit, st->ref, q ? queue.s : NULL, beat, &out,
	    err);
	if (q && r > 0 && strstr(out.s != NULL ? out.s : "",
	    "(pre-receive hook declined)") == NULL) {
		if ((flag = push_flag(&out, st->ref)) != 0 &&
		    strchr(" *=", flag) != NULL)
			r = 0;		/* the branch took it */
		else if ((flag = push_flag(&out, queue.s)) != 0 &&
		    strchr(" *", flag) != NULL)
			r = git(&st->g, NULL, "update-ref", st->tracking,
			    commit, NULL) == 0 ? 0 : -1;
	}
	if (r == 0) {
		/* git push moved the tracking ref too (or we did) */
		if (commit != NULL) {
			buf_reset(&st->tip_remote);
			buf_adds(&st->tip_remote, commit);
		}
		rv = SYNC_PUSH_DONE;
	} else if (r == -1)
		rv = SYNC_PUSH_ERROR;
	else if (strstr(out.s != NULL ? out.s : "",
	    "(pre-receive hook declined)") != NULL)
		rv = SYNC_PUSH_REFUSED;
	else if (out.len == 0)
		rv = SYNC_PUSH_AWAY;	/* no porcelain: no answer at all */
	else
		rv = SYNC_PUSH_FAILED;
	buf_free(&out);
	buf_free(&queue);
	return rv;
}

/* Push commit as the hub's branch (see push_refs()). */
enum sync_pushed
sync_push_one(struct station *st, const char *commit, struct buf *err)
{
	return push_refs(st, commit, NULL, err);
}

/*
 * Push commit as the hub's branch, with the station's beat when one is
 * pending (presence.c): one connection for both.  The hook takes or
 * refuses a push whole, so a refusal of the two says nothing of which
 * it refused: the branch is pushed again alone, and the beat waits for
 * sync_push_beat().
 */
static enum sync_pushed
push_with_beat(struct station *st, const char *commit, struct buf *err)
{
	enum sync_pushed r;

	if (st->beat.len == 0 || st->beat_sent)
		return push_refs(st, commit, NULL, err);
	if ((r = push_refs(st, commit, st->beat.s, err)) == SYNC_PUSH_DONE)
		st->beat_sent = 1;
	else if (r == SYNC_PUSH_REFUSED)
		r = push_refs(st, commit, NULL, err);
	return r;
}

/*
 * The station's pending beat (st->beat), unless the branch's push took
 * it along: pushed on its own, a connection of its own.  The station
 * then knows the hub has it.  A refusal by the hub's hook is EX_DATAERR
 * and names the ref; the beat stays pending for the next bus-sync.
 */
int
sync_push_beat(struct station *st)
{
	struct buf err = BUF_INIT, why = BUF_INIT, ref = BUF_INIT;
	int rv = -1;

	if (st->beat.len == 0)
		return 0;
	buf_addf(&ref, PRESENCE_REF "%s", st->agent);
	if (!st->beat_sent)
		switch (push_refs(st, NULL, st->beat.s, &err)) {
		case SYNC_PUSH_DONE:
			break;
		case SYNC_PUSH_REFUSED:
			refused_reason(&err, &why);
			bus_seterr("the hub refused %s, this station's "
			    "heartbeat: %s", ref.s, why.s);
			bus_setclass(EX_DATAERR);
			goto out;
		case SYNC_PUSH_ERROR:
			goto out;
		default:
			hub_failed(st, "push the heartbeat to");
			goto out;
		}
	buf_reset(&ref);
	buf_addf(&ref, PRESENCE_HUB "%s", st->agent);
	if (git(&st->g, NULL, "update-ref", ref.s, st->beat.s, NULL) != 0)
		goto out;
	buf_reset(&st->beat);
	st->beat_sent = 0;
	rv = 0;
out:
	buf_free(&err);
	buf_free(&why);
	buf_free(&ref);
	return rv;
}

/*
 * A push failed, not by the hook: the hub is away, or it moved off tip
 * (its tip as last known).  Within push_branch()'s bounds (*tries
 * pushes failed so far, the first at start): wait, fetch, and say 1
 * when the hub moved (tip is now its new tip, where the rest must go),
 * 0 to try the same push again, 2 when the hub is away (away says
 * why), -1 on error.
 */
int
sync_push_retry(struct station *st, int *tries, time_t start,
    struct buf *tip, struct buf *away)
{
	if (++*tries >= PUSH_TRIES || time(NULL) - start >= PUSH_SECONDS) {
		buf_adds(away, "the push kept failing: ");
		text_safe(away, bus_error(), strlen(bus_error()));
		return 2;
	}
	backoff(st, *tries);
	if (sync_fetch(st) == -1) {
		if (bus_errclass() != EX_TEMPFAIL &&
		    bus_errclass() != EX_UNAVAILABLE)
			return -1;
		buf_adds(away, bus_error());
		return 2;
	}
	if (station_tips(st) == -1)
		return -1;
	if (strcmp(st->tip_remote.s, tip->s) == 0)
		return 0;
	tip_copy(tip, &st->tip_remote);
	return 1;
}

/*
 * Push the branch.  A push that lost the race (the hub moved) fetches,
 * replays our commits on the new tip and tries again: at most
 * PUSH_TRIES times within PUSH_SECONDS.  Fails with EX_TEMPFAIL, the
 * work still committed in the station, when the hub cannot be reached
 * or keeps refusing.  What the hub's hook refuses is set aside, so
 * that it never blocks what comes after it (refused.c); with keep, it
 * stays queued and the push fails with EX_DATAERR.
 */
static int
push_branch(struct station *st, int keep)
{
	struct buf local = BUF_INIT, remote = BUF_INIT, err = BUF_INIT;
	struct buf why = BUF_INIT;
	time_t start = time(NULL);
	int try, rv = -1, r, moved = 0;

	for (try = 0; try < PUSH_TRIES; try++) {
		if ((r = sync_queued(st)) <= 0) {
			rv = r;
			goto out;
		}
		tip_copy(&local, &st->tip_local);
		switch (push_with_beat(st, local.s, &err)) {
		case SYNC_PUSH_DONE:
			rv = 0;
			goto out;
		case SYNC_PUSH_REFUSED:
			if (!keep) {
				rv = refused_recover(st, &err);
				goto out;
			}
			refused_reason(&err, &why);
			bus_seterr("the hub refused the push; the commits stay "
			    "queued: %s", why.s);
			bus_setclass(EX_DATAERR);
			goto out;
		case SYNC_PUSH_ERROR:
			goto out;
		case SYNC_PUSH_AWAY:
			/* a hub that did not answer is not fetched from */
			hub_failed(st, "push to");
			goto out;
		case SYNC_PUSH_FAILED:
			break;
		}
		if (time(NULL) - start >= PUSH_SECONDS)
			break;
		/*
		 * Refused, or the hub could not be reached.  A station
		 * commits on the tip it fetched last, so a first refusal
		 * is mostly news (the hub moved since): fetch at once.
		 * After that, wait a random while first, so that the
		 * stations that won go quiet.  Then fetch and, if the hub
		 * moved, replay on its new tip: the push follows at once,
		 * while that tip is fresh.  If the hub did not move, the
		 * push failed for another reason (another push held the
		 * hub's ref lock, say), which may pass too.
		 */
		if (try > 0)
			backoff(st, try - 1);
		if (sync_fetch(st) == -1)
			goto out;
		if (station_tips(st) == -1)
			goto out;
		tip_copy(&remote, &st->tip_remote);
		if ((moved = git_is_ancestor(&st->g, remote.s, local.s) == 0) &&
		    sync_integrate(st) == -1)
			goto out;
	}
	buf_rtrim(&err);
	if (moved)
		/* what becomes of the work is the policy's note (policy.c) */
		bus_seterr("the push lost the race to other stations %d "
		    "times", try);
	else
		bus_seterr("the hub refused the push: %s", err.len > 0 ?
		    err.s : "no reason given");
	bus_setclass(EX_TEMPFAIL);
out:
	buf_free(&local);
	buf_free(&remote);
	buf_free(&err);
	buf_free(&why);
	return rv;
}

/* The push of a bus station: what the hub's hook refuses is set aside. */
int
sync_push(struct station *st)
{
	return push_branch(st, 0);
}

/*
 * The push of a clone that keeps its own books on its unpushed commits
 * (the skills clone: skills.c sets them aside itself, and takes back
 * what its bases learnt from them): a refusal leaves them queued.
 */
int
sync_push_keep(struct station *st)
{
	return push_branch(st, 1);
}

/*
 * Has the hub's branch moved since our last fetch?  One ls-remote, no
 * object transfer: cheap enough to poll.  1 yes (or the hub lost its
 * branch, which is news too), 0 no, -1 the hub cannot be reached.
 */
int
sync_hub_moved(struct station *st)
{
	struct buf out = BUF_INIT, ours = BUF_INIT;
	int moved = -1;

	if (git(&st->g, &out, "ls-remote", "--", st->remote, st->ref,
	    NULL) != 0) {
		bus_setclass(EX_TEMPFAIL);
		goto out;
	}
	if (station_tips(st) == 0)
		tip_copy(&ours, &st->tip_remote);
	moved = ours.len == 0 || out.len < ours.len ||
	    strncmp(out.s, ours.s, ours.len) != 0;
out:
	buf_free(&out);
	buf_free(&ours);
	return moved;
}

/* How many commits are in a..b (a may be empty: all of b). */
long
sync_count(struct station *st, const char *a, const char *b)
{
	struct buf out = BUF_INIT, range = BUF_INIT;
	long n = 0;

	if (*b == '\0' || (a != NULL && strcmp(a, b) == 0))
		return 0;
	if (a != NULL && *a != '\0')
		buf_addf(&range, "%s..%s", a, b);
	else
		buf_adds(&range, b);
	if (git(&st->g, &out, "rev-list", "--count", range.s, NULL) == 0)
		n = atol(out.s);
	buf_free(&out);
	buf_free(&range);
	return n;
}

