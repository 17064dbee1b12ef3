/*
 * checkref.c: the hub's rules for the refs a push updates (SPEC
 * sections 2 and 7), as the pre-receive hook applies them.  The bus
 * branch: never deleted, never rewritten, and every commit new to it
 * checked (check.c, checksig.c).  An agent's presence ref,
 * refs/bus/presence/<agent> (presence.c): never deleted, always one
 * commit with no parent holding presence.json alone, about that agent,
 * which has an inbox; in signed mode, signed by that agent's key.  An
 * agent's queue, refs/bus/queue/<agent> (sequence.c): never deleted,
 * only fast-forwarded, that agent has an inbox in its tip (a join makes
 * it), its new commits checked
 * as bus commits on the branch's commits they build on, and in signed
 * mode signed by that agent.  Any other name under refs/bus/ is the
 * bus's and refused; refs elsewhere are not the bus's business.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "station.h"

static int
zero_oid(const char *oid)
{
	return oid[strspn(oid, "0")] == '\0';
}

/*
 * The bus branch's tip once the push is done, into tip: its new value
 * (new, not NULL, when the push moves it) or the one it has; empty
 * when there is none.
 */
static int
branch_tip(const struct check *ck, const char *ref, const char *new,
    struct buf *tip)
{
	int r;

	buf_reset(tip);
	if (new != NULL) {
		buf_adds(tip, new);
		return 0;
	}
	if ((r = git(ck->g, tip, "rev-parse", "-q", "--verify", ref,
	    NULL)) != 0 && r != 1)
		return -1;
	buf_rtrim(tip);
	return 0;
}

/*
 * Who signed each presence commit news[i], against the
 * .bus/allowed_signers of the branch's tip: into who[i] (NULL: nobody
 * that the file lists for an agent).
 */
static int
presence_signers(const struct check *ck, const struct strvec *news,
    const char *tip, char **who)
{
	struct check sig;
	struct buf name = BUF_INIT;
	const char *a;
	size_t i;
	int rv;

	memset(&sig, 0, sizeof(sig));
	sig.g = ck->g;
	sig.require_signed = 1;
	buf_addf(&name, "%s:.bus/allowed_signers", tip);
	if ((rv = check_sig_against(&sig, news->v, news->n, name.s)) == 0)
		for (i = 0; i < news->n; i++)
			who[i] = (a = check_signer(&sig, news->v[i])) != NULL ?
			    xstrdup(a) : NULL;
	check_free(&sig);
	buf_free(&name);
	return rv;
}

/*
 * The presence refs refs[i] that the push sets to news[i], against
 * the branch's tip after the push (tip, empty when none): one
 * cat-file for the inboxes, two for the commits (presence_load()),
 * and in signed mode one git log.
 */
static int
check_presence(struct check *ck, const struct strvec *refs,
    const struct strvec *news, const char *tip)
{
	struct strvec inboxes = STRVEC_INIT;
	struct buf out = BUF_INIT;
	struct presence *ps;
	const char **oids, *agent;
	char **who;
	size_t i, n = refs->n;
	int rv = -1;

	ps = xcalloc(n, sizeof(*ps));
	oids = xcalloc(n, sizeof(*oids));
	who = xcalloc(n, sizeof(*who));
	for (i = 0; i < n; i++)
		strvec_pushf(&inboxes, "%s:inbox-%s", tip,
		    refs->v[i] + strlen(PRESENCE_REF));
	if (*tip != '\0' && (git_oids(ck->g, inboxes.v, n, &out,
	    oids) == -1 || (ck->require_signed && presence_signers(ck, news,
	    tip, who) == -1)))
		goto out;
	if (presence_load(ck->g, news->v, n, ps) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		agent = refs->v[i] + strlen(PRESENCE_REF);
		if (*tip == '\0' || *oids[i] == '\0')
			check_problem(ck, NULL, refs->v[i], "%s has no inbox "
			    "on the bus branch", agent);
		else if (ps[i].why != NULL)
			check_problem(ck, NULL, refs->v[i], "%s", ps[i].why);
		else if (strcmp(ps[i].agent, agent) != 0)
			check_problem(ck, NULL, refs->v[i], PRESENCE_FILE
			    ": agent is %s, not %s", ps[i].agent, agent);
		else if (ck->require_signed && (who[i] == NULL ||
		    strcmp(who[i], agent) != 0))
			check_problem(ck, NULL, refs->v[i], "signed commits "
			    "are required, and this one is signed by %s, not "
			    "by a key that .bus/allowed_signers lists for %s",
			    who[i] != NULL ? who[i] : "no listed key", agent);
	}
	rv = 0;
out:
	for (i = 0; i < n; i++) {
		presence_free(&ps[i]);
		free(who[i]);
	}
	free(ps);
	free(oids);
	free(who);
	strvec_clear(&inboxes);
	buf_free(&out);
	return rv;
}

/* An object id as a hook's input gives it: hex digits only. */
static int
hex_oid(const char *oid)
{
	return *oid != '\0' && strspn(oid, "0123456789abcdef") == strlen(oid);
}

/*
 * The line of a hook's input at *pos into u, *pos moved past it: 1, 0
 * when it is not "old new ref" (each read within the line alone), -1
 * when no line is left.
 */
int
ref_update_next(const char **pos, struct ref_update *u)
{
	const char *nl;
	char line[sizeof(u->old) + sizeof(u->new) + sizeof(u->ref)];
	size_t len;

	if (*pos == NULL || (nl = strchr(*pos, '\n')) == NULL)
		return -1;
	len = (size_t)(nl - *pos);
	if (len >= sizeof(line)) {
		*pos = nl + 1;
		return 0;
	}
	memcpy(line, *pos, len);
	line[len] = '\0';
	*pos = nl + 1;
	return sscanf(line, "%127s %127s %1023s", u->old, u->new, u->ref) == 3;
}

/* diff-tree of one commit, its header "commit parent...\0" first */
#define ONE_COMMIT_ARGS	"diff-tree", "-r", "-z", "--no-renames", "--root", \
	"--format=%H %P"

/*
 * The usual push of the branch: one commit on its old tip (ck->ff_from).
 * One diff-tree of that commit (ck->ff_new) alone gives its changes and,
 * in the same output, its parents; when they are ff_from and no other,
 * that commit is all that rev-list old..new would list, and rev-list
 * need not run.  A hook has that diff-tree run already, beside its
 * settings (check_ref_ask()).  1 with its changes in raw as diff-tree
 * --stdin prints them, 0 when the push is not that (a commit that
 * changes nothing prints nothing at all, nor does a merge), -1 on
 * error.
 */
int
check_one_commit(struct check *ck, struct buf *raw)
{
	const char *dt[] = { ONE_COMMIT_ARGS, ck->ff_new, NULL };
	struct buf ran = BUF_INIT, want = BUF_INIT;
	const struct buf *out = &ran;
	const char *rest, *end, *nul;
	int rv = -1;

	/* an argument, which must not be taken for an option */
	if (!hex_oid(ck->ff_new))
		return 0;
	buf_addf(&want, "%s %s", ck->ff_new, ck->ff_from);
	if (ck->asked != NULL && ck->asked->one != NULL &&
	    strcmp(ck->asked->one, ck->ff_new) == 0)
		out = &ck->asked->diff;
	else if (git_run(ck->g, NULL, &ran, NULL, dt) != 0)
		goto out;
	/* "commit parent...\0", then "\n" and the records */
	rv = 0;
	if (out->len == 0 || (nul = memchr(out->s, '\0', out->len)) == NULL ||
	    strcmp(out->s, want.s) != 0)
		goto out;
	end = out->s + out->len;
	rest = nul + 1;
	if (rest < end && *rest == '\n')
		rest++;
	buf_reset(raw);
	buf_add(raw, ck->ff_new, strlen(ck->ff_new) + 1);
	buf_add(raw, rest, (size_t)(end - rest));
	rv = 1;
out:
	buf_free(&ran);
	buf_free(&want);
	return rv;
}

#define ASK_MAX		8	/* queues asked about with the settings */

/*
 * What check_ref_updates() will want to know about a push (input, the
 * hook's "old new ref" lines) that does not depend on the settings,
 * asked at the same time as settings, the command that reads them, so
 * that all cost one git process's time:
 * - whether each queue's old tip is an ancestor of its new one
 *   (queue_grows()), into asked->grows as "old new 1" or "old new 0".
 *   A queue moved from where a branch of the same push was is not
 *   asked about: its check is not needed then (check_queue());
 * - when the push moves one branch, the diff-tree of its new commit
 *   (check_one_commit()), into asked->one and asked->diff.
 * Returns settings' status.
 */
int
check_ref_ask(const struct git *g, const char *input,
    struct git_call *settings, struct check_asked *asked)
{
	struct ref_update u[ASK_MAX], b;
	char one[128] = "";
	const char *args[ASK_MAX][5], *dt[] = { ONE_COMMIT_ARGS, one, NULL };
	const char *pos;
	struct git_call calls[ASK_MAX + 2];
	struct buf err[ASK_MAX], heads = BUF_INIT, dterr = BUF_INIT;
	size_t n = 0, i, k, branches = 0;
	int r;

	calls[0] = *settings;
	/*
	 * " old old ... ": where the push's branches were; and the new
	 * commit of a push that moves one branch, for its diff-tree
	 */
	buf_addc(&heads, ' ');
	for (pos = input; (r = ref_update_next(&pos, &b)) != -1; )
		if (r == 1 && strncmp(b.ref, "refs/heads/", 11) == 0) {
			buf_addf(&heads, "%s ", b.old);
			if (branches++ == 0 && !zero_oid(b.old) &&
			    !zero_oid(b.new) && strcmp(b.old, b.new) != 0 &&
			    hex_oid(b.new))
				strlcpy(one, b.new, sizeof(one));
		}
	if (branches != 1)
		*one = '\0';
	for (pos = input; n < ASK_MAX &&
	    (r = ref_update_next(&pos, &u[n])) != -1; ) {
		if (r == 0 || strncmp(u[n].ref, QUEUE_REF,
		    strlen(QUEUE_REF)) != 0 || zero_oid(u[n].old) ||
		    zero_oid(u[n].new) || strcmp(u[n].old, u[n].new) == 0 ||
		    strstr(heads.s, u[n].old) != NULL)
			continue;
		args[n][0] = "merge-base";
		args[n][1] = "--is-ancestor";
		args[n][2] = u[n].old;
		args[n][3] = u[n].new;
		args[n][4] = NULL;
		err[n] = (struct buf)BUF_INIT;
		calls[n + 1] = (struct git_call){ g, args[n], NULL, &err[n],
		    -1 };
		n++;
	}
	k = n + 1;
	if (*one != '\0')
		calls[k++] = (struct git_call){ g, dt, &asked->diff, &dterr,
		    -1 };
	(void)git_run_all(calls, k);
	settings->status = calls[0].status;
	for (i = 0; i < n; i++) {
		if (calls[i + 1].status == 0 || calls[i + 1].status == 1)
			strvec_pushf(&asked->grows, "%s %s %d", u[i].old,
			    u[i].new, calls[i + 1].status == 0);
		buf_free(&err[i]);
	}
	if (k > n + 1 && calls[n + 1].status == 0)
		asked->one = xstrdup(one);
	buf_free(&heads);
	buf_free(&dterr);
	return settings->status;
}

void
check_asked_free(struct check_asked *asked)
{
	strvec_clear(&asked->grows);
	free(asked->one);
	asked->one = NULL;
	buf_free(&asked->diff);
}

/* The answer check_ref_ask() has for old and new: 1, 0, or -1 none. */
static int
asked_grows(const struct check *ck, const char *old, const char *new)
{
	size_t i, lo = strlen(old), ln = strlen(new);
	const char *a;

	for (i = 0; ck->asked != NULL && i < ck->asked->grows.n; i++) {
		a = ck->asked->grows.v[i];
		if (strncmp(a, old, lo) == 0 && a[lo] == ' ' &&
		    strncmp(a + lo + 1, new, ln) == 0 && a[lo + 1 + ln] == ' ')
			return a[lo + ln + 2] == '1';
	}
	return -1;
}

/* Does queue ref grow from old to new?  1 yes, 0 no (a problem), -1. */
static int
queue_grows(struct check *ck, const char *ref, const char *old,
    const char *new)
{
	int r;

	if (zero_oid(old))
		return 1;
	if ((r = asked_grows(ck, old, new)) == -1)
		r = git_is_ancestor(ck->g, old, new);
	if (r == 1)
		return 1;
	if (r == -1)
		return -1;
	check_problem(ck, NULL, ref, "not a fast-forward: a queue only grows");
	return 0;
}

/*
 * One queue ref's update (old to new; the branch's tip after the push,
 * tip; from, the branch's tip before, when the push moves it): a
 * fast-forward, of an agent with an inbox, whose new commits are bus
 * commits and, in signed mode, signed by that agent.
 */
static int
check_queue(struct check *ck, const char *ref, const char *old,
    const char *new, const char *tip, const char *from)
{
	struct strvec args = STRVEC_INIT, rl = STRVEC_INIT;
	struct buf out = BUF_INIT, inbox = BUF_INIT;
	const char *agent = ref + strlen(QUEUE_REF), *who, *oid = "";
	char *line, *nl;
	int r, rv = -1;

	/*
	 * A station pushes its commits as the branch and as its queue at
	 * once (sync.c).  When the branch takes them (from: its old tip,
	 * when it moved in this push), they are checked as the branch's,
	 * and the queue need only grow; it does without a look when it was
	 * the tip that the branch moved from, as a current station's is.
	 */
	if (from != NULL && strcmp(new, tip) == 0)
		return zero_oid(old) || strcmp(old, from) == 0 ? 0 :
		    queue_grows(ck, ref, old, new) == -1 ? -1 : 0;
	/* its inbox: on the branch, or made by the queue (a join) */
	buf_addf(&inbox, "%s:inbox-%s", new, agent);
	if (git_oids(ck->g, (const char *[]){ inbox.s }, 1, &out,
	    &oid) == -1)
		goto out;
	if (*oid == '\0') {
		check_problem(ck, NULL, ref, "%s has no inbox in the queue's "
		    "tip", agent);
		rv = 0;
		goto out;
	}
	if ((r = queue_grows(ck, ref, old, new)) != 1) {
		rv = r;
		goto out;
	}
	/* the queue's new commits: those the branch and old lack */
	if (git_own_range(ck->g, new, tip, &args) == -1)
		goto out;
	if (!zero_oid(old))
		strvec_pushf(&args, "^%s", old);
	if (check_commits(ck, args.v) == -1)
		goto out;
	rv = 0;
	if (!ck->require_signed)
		goto out;
	buf_reset(&out);
	strvec_push(&rl, "rev-list");
	strvec_pushv(&rl, args.v);
	if (git_run(ck->g, NULL, &out, NULL, rl.v) != 0) {
		rv = -1;
		goto out;
	}
	for (line = out.s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		if ((who = check_signer(ck, line)) != NULL &&
		    strcmp(who, agent) != 0)
			check_problem(ck, NULL, ref, "commit %.12s is signed "
			    "by %s, and only %s pushes to its queue", line,
			    who, agent);
	}
out:
	strvec_clear(&args);
	strvec_clear(&rl);
	buf_free(&out);
	buf_free(&inbox);
	return rv;
}

/*
 * One update of a ref under refs/bus/: a presence ref's new value goes
 * to refs and news, a queue ref's "old new ref" to queues, to be
 * checked once the branch's tip is known; anything else there is a
 * problem.
 */
static void
bus_ref(struct check *ck, const char *old, const char *new, const char *ref,
    struct strvec *refs, struct strvec *news, struct strvec *queues)
{
	const char *agent = ref + strlen(PRESENCE_REF);
	int queue = strncmp(ref, QUEUE_REF, strlen(QUEUE_REF)) == 0;

	if (queue)
		agent = ref + strlen(QUEUE_REF);
	if (!queue && strncmp(ref, PRESENCE_REF, strlen(PRESENCE_REF)) != 0)
		check_problem(ck, NULL, ref, "under refs/bus/ a push may "
		    "set only " PRESENCE_REF "<agent> and " QUEUE_REF
		    "<agent>");
	else if (!valid_agent(agent, strlen(agent)))
		check_problem(ck, NULL, ref, "not an agent name "
		    "[a-z0-9][a-z0-9-]{0,31}");
	else if (zero_oid(new))
		check_problem(ck, NULL, ref, queue ? "a queue is never "
		    "deleted" : "a presence ref is never deleted; the next "
		    "beat replaces it");
	else if (strcmp(old, new) == 0)
		return;
	else if (queue) {
		strvec_push(queues, old);
		strvec_push(queues, new);
		strvec_push(queues, ref);
	} else {
		strvec_push(refs, ref);
		strvec_push(news, new);
	}
}

/*
 * A pre-receive hook's input: "old new ref" lines.  For the bus branch
 * (branch_ref): no deletion, no rewritten history, and every commit
 * new to the hub checked.  For refs/bus/: the presence refs checked,
 * the rest refused.  Other refs are not the bus's business.
 */
int
check_ref_updates(struct check *ck, const char *input,
    const char *branch_ref)
{
	struct strvec refs = STRVEC_INIT, news = STRVEC_INIT;
	struct strvec queues = STRVEC_INIT;
	struct buf tip = BUF_INIT, moved = BUF_INIT, from = BUF_INIT;
	struct ref_update u;
	char range[260];
	const char *args[2], *pos, *line;
	size_t i;
	int r, rv = -1;

	pos = input;
	while (line = pos, (r = ref_update_next(&pos, &u)) != -1) {
		if (r == 0) {
			bus_seterr("unexpected hook input: %.*s",
			    (int)strcspn(line, "\n"), line);
			goto out;
		}
		if (strncmp(u.ref, "refs/bus/", 9) == 0)
			bus_ref(ck, u.old, u.new, u.ref, &refs, &news,
			    &queues);
		if (strcmp(u.ref, branch_ref) != 0)
			continue;
		if (zero_oid(u.new)) {
			check_problem(ck, NULL, u.ref, "the bus branch is "
			    "never deleted");
			continue;
		}
		buf_reset(&moved);
		buf_adds(&moved, u.new);
		buf_reset(&from);
		buf_adds(&from, u.old);
		if (strcmp(u.old, u.new) == 0)
			continue;
		/*
		 * The commits new to the bus branch, which may already be
		 * on another ref of the hub: old..new, building on old, or
		 * all that new reaches when the branch is being made.
		 */
		snprintf(range, sizeof(range), "%s..%s", u.old, u.new);
		args[0] = zero_oid(u.old) ? u.new : range;
		args[1] = NULL;
		ck->ff_from = zero_oid(u.old) ? NULL : u.old;
		ck->ff_ref = u.ref;
		ck->ff_new = u.new;
		r = check_commits(ck, args);
		ck->ff_from = NULL;
		ck->ff_new = NULL;
		if (r == -1)
			goto out;
	}
	if ((refs.n > 0 || queues.n > 0) && branch_tip(ck, branch_ref,
	    moved.len > 0 ? moved.s : NULL, &tip) == -1)
		goto out;
	if (refs.n > 0 && check_presence(ck, &refs, &news, tip.s != NULL ?
	    tip.s : "") == -1)
		goto out;
	for (i = 0; i + 2 < queues.n; i += 3)
		if (check_queue(ck, queues.v[i + 2], queues.v[i],
		    queues.v[i + 1], tip.s != NULL ? tip.s : "",
		    from.s) == -1)
			goto out;
	rv = 0;
out:
	strvec_clear(&refs);
	strvec_clear(&news);
	strvec_clear(&queues);
	buf_free(&tip);
	buf_free(&moved);
	buf_free(&from);
	return rv;
}
