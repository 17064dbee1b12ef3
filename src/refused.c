/*
 * refused.c: a push that the hub's hook refused.  A commit the hub
 * will never take must not jam the station's queue for good: it is
 * set aside, and the hub gets the rest without it.
 *
 * The ref is the truth: a commit set aside is kept under SYNC_REFUSED
 * and its id, so that nothing is lost.  $GIT_DIR/bus-refused (sent.c)
 * says when and why, in the hub's words made safe for a terminal;
 * bus-status (status.c) reads it, and believes a line only while its
 * ref is there.  Both are written before the branch moves off the
 * commit, so a crash loses nothing.
 *
 * Which commit does the hook refuse?  Its words are for people, and
 * git's are English: neither is parsed.  A refusal is told by git's
 * porcelain status of the ref (sync_push_one()), and the commit by
 * asking the hub: pushing prefixes of the queue, by halves, since a
 * prefix that holds a refused commit is refused.  The rest is replayed
 * on the hub's tip with sync.c's queue, what no longer applies set
 * aside too, and pushed again, until the hub took everything else or
 * went away.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "refused.h"
#include "station.h"

#define REASON_MAX	2000	/* bytes of the hub's words kept */

/*
 * Why the hub refused, for people: its "remote:" lines (git's own
 * lines only say that the push failed) joined into one, at most
 * REASON_MAX bytes of them, made safe for a terminal.
 */
void
refused_reason(const struct buf *err, struct buf *why)
{
	struct buf said = BUF_INIT;
	const char *p, *nl, *line;
	size_t n;

	buf_reset(why);
	for (p = err->s; p != NULL && *p != '\0'; p = nl + (*nl != '\0')) {
		nl = p + strcspn(p, "\n");
		if (strncmp(p, "remote:", 7) != 0)
			continue;
		line = p + 7;
		n = (size_t)(nl - line);
		/* git pads the hub's lines with blanks */
		while (n > 0 && (*line == ' ' || *line == '\t'))
			line++, n--;
		while (n > 0 && strchr(" \t\r", line[n - 1]) != NULL)
			n--;
		if (n == 0)
			continue;
		if (said.len > 0)
			buf_adds(&said, " / ");
		buf_add(&said, line, n);
	}
	if (said.len == 0)
		buf_adds(&said, "no reason given");
	text_safe(why, said.s, said.len > REASON_MAX ? REASON_MAX : said.len);
	buf_free(&said);
}

/* What refused_recover() knows as it goes. */
struct recovery {
	struct sync_queue_item *q;	/* the queued commits, oldest first */
	size_t		 n;
	char		*aside;		/* q[i] set aside: the hub refused it */
	struct buf	 tip;		/* the hub's tip, with what it took */
	struct buf	 said;		/* git's stderr of the last refusal */
	struct buf	 report;	/* what was set aside, for the error */
	size_t		 naside;
	struct buf	 away;		/* why the hub is away, once it is */
	int		 tries;		/* pushes that failed otherwise */
	time_t		 start;
};

/* The queued commits still to push, as a chain on the hub's tip. */
struct chain {
	char		**c;		/* the commits, oldest first */
	size_t		*idx;		/* which queued commit each one is */
	size_t		 n;
};

static void
chain_free(struct chain *ch)
{
	size_t i;

	for (i = 0; i < ch->n; i++)
		free(ch->c[i]);
	free(ch->c);
	free(ch->idx);
	memset(ch, 0, sizeof(*ch));
}

/* The first commit set aside before q[i] that changed a path q[i] changes. */
static const struct sync_queue_item *
builds_on(const struct recovery *rc, size_t i)
{
	const struct sync_queue_item *q = rc->q;
	size_t j, k;

	for (j = 0; j < i; j++)
		for (k = 0; rc->aside[j] && k < q[i].c.changes.n; k++)
			if (changes_has(&q[j].c.changes, q[i].c.changes.c[k].path))
				return &q[j];
	return NULL;
}

/*
 * Set q[i] aside, for good: a ref keeps the commit (SYNC_REFUSED and
 * its id), the station's record of refusals says why (sent.c), the
 * report gets it for the error.  Both are written before the branch
 * moves away from the commit, so a crash loses nothing.
 */
static int
set_aside(struct station *st, struct recovery *rc, size_t i, const char *why)
{
	struct sync_queue_item *q = &rc->q[i];
	struct buf ref = BUF_INIT, subject = BUF_INIT;
	int rv = -1;

	buf_addf(&ref, SYNC_REFUSED "%s", q->c.id);
	if (git(&st->g, NULL, "update-ref", "-m", "bus: the hub refused it",
	    ref.s, q->c.id, NULL) != 0 || sent_refused(st, q->c.id, why) == -1)
		goto out;
	rc->aside[i] = 1;
	rc->naside++;
	text_safe(&subject, q->message, strcspn(q->message, "\n"));
	buf_addf(&rc->report, "%s%.12s (%.72s): %.300s", rc->report.len > 0 ?
	    "; " : "", q->c.id, subject.s != NULL ? subject.s : "", why);
	rv = 0;
out:
	buf_free(&ref);
	buf_free(&subject);
	return rv;
}

/*
 * The queued commits from q[i] on, as a chain on the hub's tip: each
 * as it is while it sits on the one before, else replayed.  One whose
 * changes no longer apply is set aside: it builds on a commit set
 * aside, or the hub changed its paths meanwhile.
 */
static int
chain_build(struct station *st, struct recovery *rc, size_t i,
    struct chain *ch)
{
	struct buf prev = BUF_INIT, made = BUF_INIT, why = BUF_INIT;
	struct commit_spec spec;
	const struct sync_queue_item *dep;
	int rv = -1;

	chain_free(ch);
	buf_adds(&prev, rc->tip.s);
	for (; i < rc->n; i++) {
		if (rc->aside[i])
			continue;
		buf_reset(&made);
		if (strcmp(rc->q[i].c.parent, prev.s) == 0)
			buf_adds(&made, rc->q[i].c.id);
		else if (sync_check_preimages(&st->g, prev.s, &rc->q[i].c.changes,
		    1, NULL) == -1) {
			if (bus_errclass() != EX_DATAERR)
				goto out;
			buf_reset(&why);
			if ((dep = builds_on(rc, i)) != NULL)
				buf_addf(&why, "builds on %.12s, set aside too",
				    dep->c.id);
			else
				buf_adds(&why, bus_error());
			if (set_aside(st, rc, i, why.s) == -1)
				goto out;
			continue;
		} else {
			sync_queue_spec(&rc->q[i], prev.s, &spec);
			if (station_make_commits(st, &spec, 1, &made) == -1)
				goto out;
		}
		ch->c = xreallocarray(ch->c, ch->n + 1, sizeof(*ch->c));
		ch->idx = xreallocarray(ch->idx, ch->n + 1, sizeof(*ch->idx));
		ch->c[ch->n] = xstrdup(made.s);
		ch->idx[ch->n++] = i;
		buf_reset(&prev);
		buf_adds(&prev, made.s);
	}
	rv = 0;
out:
	buf_free(&prev);
	buf_free(&made);
	buf_free(&why);
	return rv;
}

/*
 * Find the first commit of the chain that the hub refuses, by halves:
 * push a prefix of it (each one a fast-forward of what the hub took);
 * taken, the hub's tip moves there, refused, the answer is in it.  A
 * prefix of refused commits is refused, so log2(n) pushes find it,
 * whatever the length of the queue.  refused is the length of a
 * prefix known to be refused (git's stderr in rc->said), or 0.  *next
 * says where the next chain begins: after the commit set aside, at
 * the first one not taken when the hub moved, rc->n when done.
 */
static int
bisect(struct station *st, struct recovery *rc, const struct chain *ch,
    size_t refused, size_t *next)
{
	struct buf err = BUF_INIT, why = BUF_INIT;
	size_t taken = 0, bad = refused > 0 ? refused : ch->n + 1, m;
	int rv = -1, r;

	*next = rc->n;
	while (taken < ch->n) {
		if (bad == taken + 1) {
			refused_reason(&rc->said, &why);
			if (set_aside(st, rc, ch->idx[taken], why.s) == -1)
				goto out;
			*next = ch->idx[taken] + 1;
			break;
		}
		m = bad > ch->n ? ch->n : taken + (bad - taken) / 2;
		switch (sync_push_one(st, ch->c[m - 1], &err)) {
		case SYNC_PUSH_ERROR:
			goto out;
		case SYNC_PUSH_DONE:
			taken = m;
			buf_reset(&rc->tip);
			buf_adds(&rc->tip, ch->c[m - 1]);
			continue;
		case SYNC_PUSH_REFUSED:
			bad = m;
			tip_copy(&rc->said, &err);
			continue;
		case SYNC_PUSH_FAILED:
		case SYNC_PUSH_AWAY:
			break;
		}
		if ((r = sync_push_retry(st, &rc->tries, rc->start, &rc->tip,
		    &rc->away)) == -1)
			goto out;
		if (r == 1) {
			*next = ch->idx[taken];
			break;
		}
		if (r == 2) {
			/* the rest stays queued, as the chain holds it */
			buf_reset(&rc->tip);
			buf_adds(&rc->tip, ch->c[ch->n - 1]);
			break;
		}
	}
	rv = 0;
out:
	buf_free(&err);
	buf_free(&why);
	return rv;
}

/*
 * The hub's hook refused the push of the queued commits (first holds
 * git's stderr).  Which of them does it refuse?  Its words are for
 * people, so ask it instead: bisect() pushes parts of the queue until
 * it finds the first commit refused on its own, which is set aside;
 * the rest is replayed without it (chain_build(), which sets aside
 * too what no longer applies) and pushed again, until the hub took
 * everything else.  The branch then holds the hub's tip, or, if the
 * hub went away meanwhile, that tip and the rest, still queued.
 * Returns 0 when the hub took everything after all, else -1:
 * EX_DATAERR naming what was set aside and why, or EX_TEMPFAIL when
 * some is still queued.
 */
int
refused_recover(struct station *st, const struct buf *first)
{
	struct recovery rc;
	struct chain ch = { NULL, NULL, 0 };
	struct buf local = BUF_INIT, why = BUF_INIT;
	size_t i;
	int rv = -1;

	memset(&rc, 0, sizeof(rc));
	rc.start = time(NULL);
	if (station_tips_copy(st, &local, &rc.tip) == -1)
		goto out;
	if (rc.tip.len == 0) {
		/* an empty hub has no tip to put the branch on */
		refused_reason(first, &why);
		bus_seterr("the hub refused the push; the commits stay queued: "
		    "%s", why.s);
		bus_setclass(EX_DATAERR);
		goto out;
	}
	if (sync_queue_read(st, local.s, rc.tip.s, &rc.q, &rc.n) == -1)
		goto out;
	if (rc.n > 0)
		rc.aside = xcalloc(rc.n, sizeof(*rc.aside));
	tip_copy(&rc.said, first);
	for (i = 0; i < rc.n && rc.away.len == 0; ) {
		if (chain_build(st, &rc, i, &ch) == -1)
			goto out;
		if (ch.n == 0)
			break;
		/* a chain ending on the branch is what the hub refused */
		if (bisect(st, &rc, &ch, strcmp(ch.c[ch.n - 1], local.s) == 0 ?
		    ch.n : 0, &i) == -1)
			goto out;
	}

	if (strcmp(rc.tip.s, local.s) != 0 && station_advance(st, rc.tip.s,
	    local.s, NULL, "bus: set aside what the hub refused") == -1)
		goto out;
	if (rc.away.len > 0) {
		if (rc.naside > 0)
			bus_seterr("the hub refused the push; set aside under "
			    SYNC_REFUSED ": %s; then %s; the rest stays queued",
			    rc.report.s, rc.away.s);
		else
			bus_seterr("the hub refused the push, then %s; the "
			    "commits stay queued", rc.away.s);
		bus_setclass(EX_TEMPFAIL);
	} else if (rc.naside > 0) {
		bus_seterr("the hub refused the push; set aside under "
		    SYNC_REFUSED ": %s", rc.report.s);
		bus_setclass(EX_DATAERR);
	} else
		rv = 0;
out:
	sync_queue_free(rc.q, rc.n);
	free(rc.aside);
	chain_free(&ch);
	buf_free(&rc.tip);
	buf_free(&rc.said);
	buf_free(&rc.report);
	buf_free(&rc.away);
	buf_free(&local);
	buf_free(&why);
	return rv;
}
