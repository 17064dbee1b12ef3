/*
 * checksig.c: signed mode's part of the rules for changes (SPEC section
 * 7): who signed each commit, verified with git's own ssh verification
 * against the .bus/allowed_signers of its parent, and the rules for
 * that file itself: its strict grammar in any mode and, in signed mode,
 * which agent may change which of its lines.
 *
 * check.c reads the changes and applies the layout and message rules;
 * where one of those depends on the signer (an agent changes only what
 * is its own), it asks check_signer().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "msg.h"
#include "signers.h"

#define SIGNERS	".bus/allowed_signers"

/*
 * The agent whose good signature commit bears, or NULL: what signed
 * mode knows of a commit once check_commits() has run.
 */
const char *
check_signer(const struct check *ck, const char *commit)
{
	size_t lo = 0, hi = ck->nsigners, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(ck->signers[mid].commit, commit)) == 0)
			return ck->signers[mid].agent;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Each "line N: reason" line of why as a problem of the signers file. */
static void
grammar_problems(struct check *ck, const struct check_delta *d, char *why,
    const char *after)
{
	char *line, *nl;

	for (line = why; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		check_problem(ck, d, SIGNERS, "%s%s", line, after);
	}
}

/*
 * .bus/allowed_signers as a change leaves it: a regular file in the
 * strict grammar of signers.c, whoever changes it.  In signed mode,
 * moreover, a listed agent may change or drop only its own lines (a
 * new key), and may list a key for a new agent, one that has no inbox
 * yet and no line.  It may not touch another agent's lines, nor give
 * itself another name: so no agent can come to sign as another.  The
 * lines are compared as parsed: a comment is nobody's.  Of the nd
 * deltas in ds, only those of the file are looked at.
 */
int
check_sig_file(struct check *ck, const struct check_delta *ds, size_t nd)
{
	struct signers olds = SIGNERS_INIT, news = SIGNERS_INIT;
	struct buf out = BUF_INIT, why = BUF_INIT, name = BUF_INIT;
	struct buf oids = BUF_INIT;
	const struct signers_entry *e;
	const char *v[2], *who, *oid1;
	struct cat_obj obj[2];
	size_t i, k, n;
	int rv = -1;

	for (i = 0; i < nd; i++) {
		const struct check_delta *d = &ds[i];

		if (strcmp(d->path, SIGNERS) != 0)
			continue;
		if (d->status != 'D' && strcmp(d->mode, "100644") != 0) {
			check_problem(ck, d, SIGNERS, "not a regular file "
			    "(mode %s)", d->mode);
			continue;
		}
		n = 0;
		if (d->status != 'A')
			v[n++] = d->oldoid;
		if (d->status != 'D')
			v[n++] = d->newoid;
		if (git_cat_batch(ck->g, v, n, &out, obj) == -1)
			goto out;
		signers_free(&olds);
		signers_free(&news);
		buf_reset(&why);
		if (d->status != 'D' && obj[n - 1].missing) {
			check_problem(ck, d, SIGNERS, "blob %s is missing",
			    d->newoid);
			continue;
		}
		/* the lines that parse are still checked for ownership */
		if (d->status != 'D' && signers_parse(&news, obj[n - 1].data,
		    obj[n - 1].size, &why) == -1)
			grammar_problems(ck, d, why.s, "");
		who = ck->require_signed && d->commit != NULL ?
		    check_signer(ck, d->commit) : NULL;
		/* unsigned, or its parent's file is broken: refused already */
		if (who == NULL || (d->status != 'A' && (obj[0].missing ||
		    signers_parse(&olds, obj[0].data, obj[0].size,
		    &why) == -1)))
			continue;
		for (k = 0; k < olds.n; k++) {
			e = &olds.v[k];
			if (strcmp(e->agent, who) != 0 &&
			    !signers_holds(&news, e))
				check_problem(ck, d, SIGNERS, "signed by %s, "
				    "who may change only its own lines, not "
				    "%s's", who, e->agent);
		}
		for (k = 0; k < news.n; k++) {
			e = &news.v[k];
			if (strcmp(e->agent, who) == 0 ||
			    signers_holds(&olds, e))
				continue;
			/* a new agent: no line and no inbox yet */
			buf_reset(&name);
			buf_addf(&name, "%s^:inbox-%s", d->commit, e->agent);
			v[0] = name.s;
			if (git_oids(ck->g, v, 1, &oids, &oid1) == -1)
				goto out;
			if (signers_has(&olds, e->agent, strlen(e->agent)) ||
			    *oid1 != '\0')
				check_problem(ck, d, SIGNERS, "signed by %s, "
				    "who may not give a key to %s", who,
				    e->agent);
		}
	}
	rv = 0;
out:
	signers_free(&olds);
	signers_free(&news);
	buf_free(&out);
	buf_free(&why);
	buf_free(&name);
	buf_free(&oids);
	return rv;
}

static int
cmp_signer(const void *a, const void *b)
{
	return strcmp(((const struct signer *)a)->commit,
	    ((const struct signer *)b)->commit);
}

/*
 * Where the rebuilt allowed_signers files go: $TMPDIR, or else the
 * repository's git directory (on the hub, the hook's own).
 */
static int
signers_dir(const struct check *ck, struct buf *dir)
{
	const char *t = getenv("TMPDIR");

	buf_reset(dir);
	if (t != NULL && *t != '\0') {
		buf_adds(dir, t);
		return 0;
	}
	if (git(ck->g, dir, "rev-parse", "--absolute-git-dir", NULL) != 0)
		return -1;
	buf_rtrim(dir);
	return 0;
}

/*
 * The commits from the i-th on (of n) whose parent lists the same
 * signers as the i-th's, marked done: their ids, one a line, into revs;
 * returns how many.
 */
static size_t
same_signers(const char *const *commit, const struct cat_obj *obj, int *done,
    size_t i, size_t n, struct buf *revs)
{
	size_t j, group = 0;

	buf_reset(revs);
	for (j = i; j < n; j++) {
		if (done[j] || obj[j].missing ||
		    obj[j].size != obj[i].size ||
		    memcmp(obj[j].data, obj[i].data, obj[i].size) != 0)
			continue;
		buf_add(revs, commit[j], strcspn(commit[j], " "));
		buf_addc(revs, '\n');
		done[j] = 1;
		group++;
	}
	return group;
}

/*
 * Parse the signers file o that the parents of a group of commits list,
 * commit the first of them.  A file that breaks the grammar verifies
 * none of them: each broken line is a problem, said once for the group.
 */
static int
group_signers(struct check *ck, struct signers *ss, const struct cat_obj *o,
    const char *commit, size_t group)
{
	struct buf why = BUF_INIT, where = BUF_INIT;
	int rv;

	if ((rv = signers_parse(ss, o->data, o->size, &why)) == -1) {
		buf_addf(&where, " (in the parent of commit %.12s", commit);
		if (group > 1)
			buf_addf(&where, " and of %zu more", group - 1);
		buf_addc(&where, ')');
		grammar_problems(ck, NULL, why.s, where.s);
	}
	buf_free(&why);
	buf_free(&where);
	return rv;
}

/*
 * git log over revs (commit ids, one a line), its ssh verification
 * reading ss rebuilt into a temporary file in dir, removed after:
 * "commit status principal" lines into res.
 */
static int
log_signatures(const struct check *ck, const struct signers *ss,
    const char *dir, const struct buf *revs, struct buf *res)
{
	struct buf tmp = BUF_INIT, opt = BUF_INIT;
	const char *args[] = { "-c", "gpg.format=ssh", "-c", NULL, "log",
	    "--no-walk=unsorted", "--stdin", "--format=%H %G? %GS", NULL };
	int rv = -1;

	if (signers_write_temp(ss, dir, &tmp) == -1)
		goto out;
	buf_addf(&opt, "gpg.ssh.allowedSignersFile=%s", tmp.s);
	args[3] = opt.s;
	buf_reset(res);
	rv = git_run(ck->g, revs, res, NULL, args) != 0 ? -1 : 0;
	unlink(tmp.s);
out:
	buf_free(&tmp);
	buf_free(&opt);
	return rv;
}

/*
 * git log's "commit status principal" lines, for commits checked
 * against ss: a good signature by a key that ss lists for an agent goes
 * to ck->signers, any other is a problem.
 */
static void
take_signatures(struct check *ck, const struct signers *ss, char *res)
{
	char *h, *nl, *st;
	const char *gs;

	for (h = res; h != NULL && (nl = strchr(h, '\n')) != NULL;
	    h = nl + 1) {
		*nl = '\0';
		if ((st = strchr(h, ' ')) == NULL)
			continue;
		*st++ = '\0';
		gs = st[0] != '\0' && st[1] == ' ' ? st + 2 : "";
		if (st[0] != 'G' || !valid_agent(gs, strlen(gs)) ||
		    !signers_has(ss, gs, strlen(gs))) {
			check_problem(ck, NULL, h, "not signed by a key that "
			    ".bus/allowed_signers of its parent lists "
			    "for an agent (%c)", st[0]);
			continue;
		}
		ck->signers = xreallocarray(ck->signers, ck->nsigners + 1,
		    sizeof(*ck->signers));
		ck->signers[ck->nsigners].commit = xstrdup(h);
		ck->signers[ck->nsigners].agent = xstrdup(gs);
		ck->nsigners++;
	}
}

/*
 * Verify the commits in revs (ids, one a line) against ss with one git
 * log, the rebuilt file in dir (found first when empty): their good
 * signatures go to ck->signers, the others are problems.
 */
static int
verify_revs(struct check *ck, const struct signers *ss, struct buf *dir,
    const struct buf *revs)
{
	struct buf res = BUF_INIT;
	int rv = -1;

	if ((dir->len > 0 || signers_dir(ck, dir) == 0) &&
	    log_signatures(ck, ss, dir->s, revs, &res) == 0) {
		take_signatures(ck, ss, res.s);
		rv = 0;
	}
	buf_free(&res);
	return rv;
}

/* The good signatures in order, for check_signer(). */
static void
sort_signers(struct check *ck)
{
	if (ck->nsigners > 1)
		qsort(ck->signers, ck->nsigners, sizeof(*ck->signers),
		    cmp_signer);
}

/*
 * Verify the signatures of the n commits against one allowed_signers,
 * the blob signers names (a blob's id, or "rev:path"), as
 * check_sig_verify() does against their parents': for the commits
 * that are no change of the branch, the presence commits (presence.c),
 * which the bus branch's signers sign.  Good signatures by a listed
 * agent go to ck->signers; a missing or broken file verifies none.
 */
int
check_sig_against(struct check *ck, const char *const *commits, size_t n,
    const char *signers)
{
	struct signers ss = SIGNERS_INIT;
	struct buf out = BUF_INIT, revs = BUF_INIT, dir = BUF_INIT;
	struct cat_obj obj;
	size_t i;
	int rv = -1;

	if (n == 0)
		return 0;
	if (git_cat_batch(ck->g, &signers, 1, &out, &obj) == -1)
		goto out;
	if (obj.missing || group_signers(ck, &ss, &obj, commits[0],
	    n) == -1) {
		rv = 0;
		goto out;
	}
	for (i = 0; i < n; i++)
		buf_addf(&revs, "%s\n", commits[i]);
	if (verify_revs(ck, &ss, &dir, &revs) == -1)
		goto out;
	sort_signers(ck);
	rv = 0;
out:
	signers_free(&ss);
	buf_free(&out);
	buf_free(&revs);
	buf_free(&dir);
	return rv;
}

/*
 * Verify the signatures of the commits in pairs ("commit parent"),
 * each against the .bus/allowed_signers of its parent, with git's own
 * ssh verification: one git log per distinct signers file (usually
 * one).  git reads not that file but one rebuilt from its parsed lines
 * (signers.c), so that nothing ssh-keygen would read otherwise than
 * the bus does reaches it; a file that breaks the grammar verifies no
 * commit, and each broken line is a problem.  Good signatures by a
 * listed agent go to ck->signers; the others are problems.
 */
int
check_sig_verify(struct check *ck, const struct strvec *pairs)
{
	struct strvec names = STRVEC_INIT;
	struct buf out = BUF_INIT, revs = BUF_INIT, dir = BUF_INIT;
	struct buf empty = BUF_INIT;
	struct signers ss = SIGNERS_INIT;
	struct cat_obj *obj = NULL;
	const char *const *commit = pairs->v;
	const char *sp;
	size_t n = pairs->n, i, group;
	int rv = -1, *done = NULL;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		/* a root has no parent: the empty tree lists no signers */
		if ((sp = strchr(commit[i], ' ')) == NULL && empty.len == 0 &&
		    git_empty_tree(ck->g, &empty) == -1)
			goto out;
		strvec_pushf(&names, "%s:" SIGNERS,
		    sp != NULL ? sp + 1 : empty.s);
	}
	obj = xreallocarray(NULL, n, sizeof(*obj));
	done = xcalloc(n, sizeof(*done));
	if (git_cat_batch(ck->g, names.v, n, &out, obj) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		if (obj[i].missing) {
			check_problem(ck, NULL, commit[i], "signed commits are "
			    "required, and its parent lists no "
			    ".bus/allowed_signers");
			done[i] = 1;
			continue;
		}
		group = same_signers(commit, obj, done, i, n, &revs);
		signers_free(&ss);
		if (group_signers(ck, &ss, &obj[i], commit[i], group) == -1)
			continue;
		if (verify_revs(ck, &ss, &dir, &revs) == -1)
			goto out;
	}
	sort_signers(ck);
	rv = 0;
out:
	signers_free(&ss);
	strvec_clear(&names);
	free(obj);
	free(done);
	buf_free(&out);
	buf_free(&revs);
	buf_free(&dir);
	buf_free(&empty);
	return rv;
}
