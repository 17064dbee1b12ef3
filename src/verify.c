/*
 * verify.c: a station that checks what it fetches (bus.requireSigned
 * set in the station, SPEC section 7).
 *
 * The hub may run no hook of ours (a git host), so a station that
 * wants signed mode applies the hub's rules itself to every commit a
 * fetch brings: each is signed by a key that .bus/allowed_signers of
 * its parent lists for an agent (verified against a file rebuilt from
 * the parsed lines, as the hook does), and that agent changes only
 * what is its own.  History cannot be refused without jamming the
 * station for good (a git host's history is never rewritten), so the
 * station takes it, says which commits failed, and keeps the messages
 * they put in its own inbox out of every listing: the record
 * $GIT_DIR/bus-untrusted holds "path\tcommit" lines.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "station.h"

#define UNTRUSTED	"bus-untrusted"
#define VERIFIED	"bus-verified"
#define SIGNERS_PATH	".bus/allowed_signers"

/*
 * The record of untrusted message files, whole: empty when there is
 * none.
 */
static int
untrusted_read(const struct station *st, struct buf *out)
{
	struct buf path = BUF_INIT;
	int rv = 0;

	buf_reset(out);
	station_path(st, UNTRUSTED, &path);
	if (file_read(path.s, out, 0) == -1) {
		buf_reset(out);
		rv = errno == ENOENT ? 0 : -1;
	}
	buf_free(&path);
	return rv;
}

/*
 * The commit that put path in the record, or NULL: a pointer into
 * record, up to its newline.
 */
static const char *
untrusted_find(const struct buf *record, const char *path)
{
	const char *p, *nl;
	size_t n = strlen(path);

	for (p = record->s; p != NULL && (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1)
		if (strncmp(p, path, n) == 0 && p[n] == '\t')
			return p + n + 1;
	return NULL;
}

/*
 * What the last check left: the commit it reached and the blob of the
 * allowed_signers that it trusts ("-" for none), in $GIT_DIR/bus-verified.
 * Kept apart from the remote-tracking ref, which git fetch moves before
 * the check runs: a check that failed or was killed is done again.
 */
static int
state_read(const struct station *st, struct buf *commit, struct buf *blob)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	char *sp;
	int rv = 0;

	station_path(st, VERIFIED, &path);
	if (file_read(path.s, &text, 1024) == -1) {
		rv = errno == ENOENT ? 0 : -1;
		goto out;
	}
	buf_rtrim(&text);
	if ((sp = strchr(text.s, ' ')) != NULL) {
		*sp = '\0';
		buf_adds(commit, text.s);
		buf_adds(blob, strcmp(sp + 1, "-") == 0 ? "" : sp + 1);
	}
out:
	buf_free(&path);
	buf_free(&text);
	return rv;
}

static int
state_write(const struct station *st, const char *commit, const char *blob)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rv;

	station_path(st, VERIFIED, &path);
	buf_addf(&text, "%s %s\n", commit, *blob != '\0' ? blob : "-");
	rv = file_write_atomic(path.s, text.s, text.len, 0666);
	buf_free(&path);
	buf_free(&text);
	return rv;
}

/*
 * Before a fetch: a station that never checked marks where it stands,
 * so that a check killed after the fetch moved the remote-tracking ref
 * is done again, from here, by the next command.
 */
int
verify_begin(struct station *st, const char *tip)
{
	struct buf base = BUF_INIT, trusted = BUF_INIT, name = BUF_INIT;
	struct buf oids = BUF_INIT;
	const char *v[1];
	int rv = -1;

	if (!st->require_signed || *tip == '\0')
		return 0;
	if (state_read(st, &base, &trusted) == -1)
		goto out;
	if (base.len > 0) {
		rv = 0;
		goto out;
	}
	buf_addf(&name, "%s:" SIGNERS_PATH, tip);
	v[0] = name.s;
	if (git_oids(&st->g, v, 1, &oids, v) == -1)
		goto out;
	rv = state_write(st, tip, v[0]);
out:
	buf_free(&base);
	buf_free(&trusted);
	buf_free(&name);
	buf_free(&oids);
	return rv;
}

/*
 * Note every message file that commit adds or changes (against parent,
 * empty: none), in any inbox or archive, as untrusted: lines
 * "path\tcommit\n" onto lines, unless record has them already.
 */
static int
note_changed(struct station *st, const char *commit, const char *parent,
    const struct buf *record, struct buf *lines)
{
	const char *opts[] = { "--no-commit-id", "--name-only",
	    "--diff-filter=AMT", NULL };
	struct buf out = BUF_INIT;
	struct strvec env = STRVEC_INIT;
	struct git g;
	const char *p;
	int rv;

	station_git_noindex(st, &g, &env);
	rv = git_diff_tree(&g, parent, commit, opts, &out);
	strvec_clear(&env);
	if (rv == -1) {
		buf_free(&out);
		return -1;
	}
	for (p = NULL; (p = strvec_next(&out, p)) != NULL; )
		if ((strncmp(p, "inbox-", 6) == 0 ||
		    strncmp(p, "archive-", 8) == 0) &&
		    strpbrk(p, "\t\n") == NULL &&
		    untrusted_find(record, p) == NULL)
			buf_addf(lines, "%s\t%s\n", p, commit);
	buf_free(&out);
	return 0;
}

/* What walk() finds: each commit, oldest first, and what it rests on. */
struct walked {
	char		**commit;	/* into list */
	const char	**parent;	/* the first; "" for a root */
	const char	**was;		/* the parent's allowed_signers blob */
	const char	**now;		/* the commit's; "" for none */
	char		 *merge;	/* it has a second parent */
	size_t		  n;
};

/*
 * The commits of base..new with their first parents and the blobs of
 * .bus/allowed_signers in each and in its parent: one rev-list and one
 * cat-file, however many commits.
 */
static int
walk(struct station *st, const char *base, const char *new, struct buf *list,
    struct buf *oids, struct walked *w)
{
	struct buf range = BUF_INIT, empty = BUF_INIT;
	struct strvec names = STRVEC_INIT;
	const char **q = NULL;
	char *p, *nl, *sp;
	size_t i;
	int rv = -1;

	buf_addf(&range, "%s..%s", base, new);
	if (git(&st->g, list, "rev-list", "--reverse", "--topo-order",
	    "--parents", range.s, NULL) != 0)
		goto out;
	for (p = list->s; p != NULL && (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1) {
		*nl = '\0';
		w->commit = xreallocarray(w->commit, w->n + 1,
		    sizeof(*w->commit));
		w->parent = xreallocarray(w->parent, w->n + 1,
		    sizeof(*w->parent));
		w->merge = xreallocarray(w->merge, w->n + 1,
		    sizeof(*w->merge));
		w->commit[w->n] = p;
		w->parent[w->n] = "";
		w->merge[w->n] = 0;
		if ((sp = strchr(p, ' ')) != NULL) {
			*sp++ = '\0';
			w->merge[w->n] = strchr(sp, ' ') != NULL;
			sp[strcspn(sp, " ")] = '\0';	/* the first parent */
			w->parent[w->n] = sp;
		}
		/* a root rests on the empty tree, which lists no signers */
		if (*w->parent[w->n] == '\0' && empty.len == 0 &&
		    git_empty_tree(&st->g, &empty) == -1)
			goto out;
		strvec_pushf(&names, "%s:" SIGNERS_PATH,
		    *w->parent[w->n] != '\0' ? w->parent[w->n] : empty.s);
		strvec_pushf(&names, "%s:" SIGNERS_PATH, p);
		w->n++;
	}
	q = xreallocarray(NULL, names.n + 1, sizeof(*q));
	w->was = xreallocarray(NULL, w->n + 1, sizeof(*w->was));
	w->now = xreallocarray(NULL, w->n + 1, sizeof(*w->now));
	if (git_oids(&st->g, names.v, names.n, oids, q) == -1)
		goto out;
	for (i = 0; i < w->n; i++) {
		w->was[i] = q[2 * i];
		w->now[i] = q[2 * i + 1];
	}
	rv = 0;
out:
	free(q);
	strvec_clear(&names);
	buf_free(&range);
	buf_free(&empty);
	return rv;
}

/*
 * Check the commits that a fetch brought, from where the last check
 * ended (else from old, the remote-tracking ref before the fetch) to
 * new, as the hub's hook would, signatures required.  Problems go to
 * st->unverified.  A commit is untrusted when a rule fails for it, or
 * when its parent's allowed_signers is not the one the station trusts
 * (a commit that failed changed it, say): its message files are
 * recorded in $GIT_DIR/bus-untrusted, and the tools leave them out.
 * A station that does not ask for signed mode checks nothing; a new
 * one trusts what it was made from.  A merge of the hub's sequencer
 * (queue mode) bears no signature: it is trusted when doing it again
 * from its queue's signed commits, which the walk lists too (they are
 * new, reached through its second parent), gives its tree
 * (checkmerge.c).
 */
int
verify_fetched(struct station *st, const char *old, const char *new)
{
	struct check ck;
	struct buf base = BUF_INIT, trusted = BUF_INIT, range = BUF_INIT;
	struct buf list = BUF_INIT, oids = BUF_INIT;
	struct buf record = BUF_INIT, lines = BUF_INIT, path = BUF_INIT;
	struct buf one = BUF_INIT;
	const char *args[2], *tip[1];
	struct walked w;
	size_t i;
	int rv = -1, bad;

	memset(&ck, 0, sizeof(ck));
	memset(&w, 0, sizeof(w));
	if (!st->require_signed || *new == '\0')
		return 0;
	if (state_read(st, &base, &trusted) == -1)
		goto out;
	if (base.len == 0) {
		/* no check yet: trust what the station had */
		buf_adds(&base, *old != '\0' ? old : new);
		buf_addf(&one, "%s:" SIGNERS_PATH, base.s);
		tip[0] = one.s;
		if (git_oids(&st->g, tip, 1, &oids, tip) == -1)
			goto out;
		buf_adds(&trusted, tip[0]);
	}
	if (strcmp(base.s, new) == 0) {
		rv = state_write(st, new, trusted.s);
		goto out;
	}
	/* the hub went back: the mark stays where it was checked */
	if ((bad = git_is_ancestor(&st->g, new, base.s)) != 0) {
		rv = bad == 1 ? 0 : -1;
		goto out;
	}
	ck.g = &st->g;
	ck.require_signed = 1;
	ck.age_unknown = 1;	/* the hub's bus.retainDays is its own */
	ck.maxsize = st->maxsize;
	ck.merges = 1;		/* the sequencer's, done again */
	ck.known = base.s;
	buf_addf(&range, "%s..%s", base.s, new);
	args[0] = range.s;
	args[1] = NULL;
	if (check_commits(&ck, args) == -1 ||
	    walk(st, base.s, new, &list, &oids, &w) == -1 ||
	    untrusted_read(st, &record) == -1)
		goto out;
	buf_add(&st->unverified, ck.report.s, ck.report.len);
	for (i = 0; i < w.n; i++) {
		/* a merge is signed by none: checkmerge.c did it again */
		bad = (!w.merge[i] && check_signer(&ck, w.commit[i]) ==
		    NULL) || check_commit_bad(&ck, w.commit[i]);
		if (strcmp(w.was[i], trusted.s) != 0) {
			buf_addf(&st->unverified, "%s: checked against a "
			    SIGNERS_PATH " that no verified commit wrote\n",
			    w.commit[i]);
			bad = 1;
		}
		if (bad) {
			if (note_changed(st, w.commit[i], w.parent[i], &record,
			    &lines) == -1)
				goto out;
		} else if (strcmp(w.now[i], w.was[i]) != 0) {
			/* a verified change of the file: trusted from now */
			buf_reset(&trusted);
			buf_adds(&trusted, w.now[i]);
		}
	}
	station_path(st, UNTRUSTED, &path);
	if (file_append(path.s, lines.s, lines.len) == -1)
		goto out;
	st->untrusted_read = 0;		/* read it again when asked */
	rv = state_write(st, new, trusted.s);
out:
	check_free(&ck);
	free(w.commit);
	free(w.parent);
	free(w.was);
	free(w.now);
	free(w.merge);
	buf_free(&base);
	buf_free(&trusted);
	buf_free(&range);
	buf_free(&list);
	buf_free(&oids);
	buf_free(&record);
	buf_free(&lines);
	buf_free(&path);
	buf_free(&one);
	return rv;
}

/*
 * The commit that made path untrusted (a pointer into the station's
 * copy of the record, up to its newline), or NULL.  The record is read
 * once per command, and only in a station that asks for signed mode.
 */
const char *
verify_path_untrusted(struct station *st, const char *path)
{
	if (!st->require_signed)
		return NULL;
	if (!st->untrusted_read) {
		if (untrusted_read(st, &st->untrusted) == -1)
			buf_reset(&st->untrusted);
		st->untrusted_read = 1;
	}
	return untrusted_find(&st->untrusted, path);
}

/*
 * Who signed each of the n commits that are no change of the branch
 * (presence commits, presence.c), verified against the allowed_signers
 * this station trusts: the one its last check ended with, else the
 * hub's tip's.  Into who[i], allocated: the agent, or NULL for a
 * commit no key of it signed.
 */
int
verify_signed_by(struct station *st, const char *const *commits, size_t n,
    char **who)
{
	struct check ck;
	struct buf base = BUF_INIT, trusted = BUF_INIT, name = BUF_INIT;
	const char *a;
	size_t i;
	int rv = -1;

	memset(&ck, 0, sizeof(ck));
	for (i = 0; i < n; i++)
		who[i] = NULL;
	if (state_read(st, &base, &trusted) == -1 || station_tips(st) == -1)
		goto out;
	if (base.len > 0 && trusted.len == 0) {
		rv = 0;			/* it trusts no signers file */
		goto out;
	}
	if (trusted.len > 0)
		buf_adds(&name, trusted.s);
	else if (st->tip_remote.len > 0)
		buf_addf(&name, "%s:" SIGNERS_PATH, st->tip_remote.s);
	else {
		rv = 0;
		goto out;
	}
	ck.g = &st->g;
	ck.require_signed = 1;
	if (check_sig_against(&ck, commits, n, name.s) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if ((a = check_signer(&ck, commits[i])) != NULL)
			who[i] = xstrdup(a);
	rv = 0;
out:
	check_free(&ck);
	buf_free(&base);
	buf_free(&trusted);
	buf_free(&name);
	return rv;
}
