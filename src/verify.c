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

#include "bus.h"

#define UNTRUSTED	"bus-untrusted"

static void
untrusted_path(const struct station *st, struct buf *path)
{
	buf_reset(path);
	buf_addf(path, "%s/" UNTRUSTED, st->gitdir);
}

/*
 * Note the files that commit adds to this agent's inbox as untrusted,
 * onto lines ("path\tcommit\n").
 */
static int
note_added(struct station *st, const char *commit, struct buf *lines)
{
	struct buf out = BUF_INIT, spec = BUF_INIT;
	const char *p;
	int rv = -1;

	buf_addf(&spec, "inbox-%s/", st->agent);
	if (git(&st->g, &out, "diff-tree", "-r", "-z", "--no-commit-id",
	    "--name-only", "--diff-filter=A", "--root", commit, "--",
	    spec.s, NULL) != 0)
		goto out;
	for (p = out.s; p != NULL && p < out.s + out.len; p += strlen(p) + 1)
		if (strchr(p, '\n') == NULL && strchr(p, '\t') == NULL)
			buf_addf(lines, "%s\t%s\n", p, commit);
	rv = 0;
out:
	buf_free(&out);
	buf_free(&spec);
	return rv;
}

/*
 * Check the commits of old..new as the hub's hook would, signatures
 * required.  What fails goes to st->unverified, one line a problem;
 * the messages the failing commits add to this agent's inbox are
 * recorded as untrusted.  A station that does not ask for signed mode,
 * or a first fetch (nothing to compare with: the station trusts what
 * it was made from), checks nothing.
 */
int
verify_fetched(struct station *st, const char *old, const char *new)
{
	struct check ck;
	struct buf range = BUF_INIT, list = BUF_INIT, lines = BUF_INIT;
	struct buf path = BUF_INIT;
	const char *args[2];
	char *p, *nl;
	int rv = -1;

	if (!st->require_signed || *old == '\0' || *new == '\0' ||
	    strcmp(old, new) == 0)
		return 0;
	memset(&ck, 0, sizeof(ck));
	ck.g = &st->g;
	ck.require_signed = 1;
	ck.maxsize = st->maxsize;
	buf_addf(&range, "%s..%s", old, new);
	args[0] = range.s;
	args[1] = NULL;
	if (check_commits(&ck, args) == -1)
		goto out;
	if (ck.problems == 0) {
		rv = 0;
		goto out;
	}
	buf_add(&st->unverified, ck.report.s, ck.report.len);
	if (git(&st->g, &list, "rev-list", range.s, NULL) != 0)
		goto out;
	for (p = list.s; p != NULL && (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1) {
		*nl = '\0';
		if ((check_signer(&ck, p) == NULL ||
		    check_commit_bad(&ck, p)) && note_added(st, p,
		    &lines) == -1)
			goto out;
	}
	untrusted_path(st, &path);
	rv = file_append(path.s, lines.s, lines.len);
out:
	check_free(&ck);
	buf_free(&range);
	buf_free(&list);
	buf_free(&lines);
	buf_free(&path);
	return rv;
}

/*
 * The record of untrusted inbox files, for station_read_dir(): empty
 * when there is none.
 */
int
verify_untrusted(const struct station *st, struct buf *out)
{
	struct buf path = BUF_INIT;
	int rv = 0;

	buf_reset(out);
	untrusted_path(st, &path);
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
const char *
verify_is_untrusted(const struct buf *record, const char *path)
{
	const char *p, *nl;
	size_t n = strlen(path);

	for (p = record->s; p != NULL && (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1)
		if (strncmp(p, path, n) == 0 && p[n] == '\t')
			return p + n + 1;
	return NULL;
}
