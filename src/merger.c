/*
 * merger.c: an external profile merger (an LLM command, say).  It gets
 * the paths of BASE, OURS and THEIRS and prints the merged profile; its
 * result is taken only when it exits 0 in time and the text is sane.
 * Otherwise the caller falls back to the built-in merge.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "run.h"

#define MERGER_MAX_ARGS	32

/*
 * Split cmd into words as a shell would split a simple command (white
 * space; '...' literal; "..." with \" and \\; \ escaping one character)
 * but never run a shell.  The words go into argv, fewer than max of
 * them.  Returns the count, or -1 on an unclosed quote.
 */
static int
split_command(const char *cmd, struct strvec *argv, size_t max)
{
	struct buf store = BUF_INIT;	/* the words, each ended by a NUL */
	const char *p = cmd;
	size_t n = 0;
	int inword, rv = -1;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		if (n + 1 >= max) {
			bus_seterr("%s: too many words", cmd);
			goto out;
		}
		n++;
		for (inword = 1; inword && *p != '\0'; p++) {
			if (*p == ' ' || *p == '\t' || *p == '\n') {
				inword = 0;
				break;
			} else if (*p == '\'') {
				while (*++p != '\'' && *p != '\0')
					buf_addc(&store, *p);
			} else if (*p == '"') {
				while (*++p != '"' && *p != '\0') {
					if (*p == '\\' && (p[1] == '"' ||
					    p[1] == '\\'))
						p++;
					buf_addc(&store, *p);
				}
			} else if (*p == '\\' && p[1] != '\0')
				buf_addc(&store, *++p);
			else
				buf_addc(&store, *p);
			if (*p == '\0') {
				bus_seterr("%s: unclosed quote", cmd);
				goto out;
			}
		}
		buf_addc(&store, '\0');
	}
	rv = (int)strvec_split(argv, &store);
out:
	buf_free(&store);
	return rv;
}

static int
temp_with(const char *data, size_t len, char *path, size_t size)
{
	const char *dir = getenv("TMPDIR");

	snprintf(path, size, "%s/bus-merge.XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp");
	if (file_write_temp(path, data, len) == -1)
		return -1;
	return 0;
}

/*
 * Run the merger cmd on base, ours and theirs (len bytes each), for at
 * most timeout seconds.  Returns 0 with the result in out, or -1 with
 * the reason in the error, when the result cannot be taken.
 */
static int
merger_run(const char *cmd, int timeout, const struct buf *base,
    const struct buf *ours, const struct buf *theirs, struct buf *out)
{
	char pb[4096], po[4096], pt[4096];
	struct strvec argv = STRVEC_INIT;
	struct buf err = BUF_INIT;
	struct run r;
	size_t limit;
	int n, rv = -1;

	pb[0] = po[0] = pt[0] = '\0';
	if ((n = split_command(cmd, &argv, MERGER_MAX_ARGS)) <= 0) {
		if (n == 0)
			bus_seterr("the merger command is empty");
		goto out;
	}
	if (temp_with(base->s, base->len, pb, sizeof(pb)) == -1 ||
	    temp_with(ours->s, ours->len, po, sizeof(po)) == -1 ||
	    temp_with(theirs->s, theirs->len, pt, sizeof(pt)) == -1)
		goto out;
	strvec_push(&argv, pb);
	strvec_push(&argv, po);
	strvec_push(&argv, pt);
	memset(&r, 0, sizeof(r));
	r.argv = argv.v;
	r.out = out;
	r.err = &err;
	r.timeout_ms = timeout * 1000;
	/* what it forks (an LLM client, a sleep) dies with it on timeout */
	r.new_group = 1;
	buf_reset(out);
	if (run(&r) == -1)
		goto out;
	limit = 4 * (base->len + ours->len + theirs->len) + 4096;
	if (r.timed_out)
		bus_seterr("the merger ran past %d seconds", timeout);
	else if (r.status != 0)
		bus_seterr("the merger exited %d", r.status);
	else if (out->len == 0)
		bus_seterr("the merger printed nothing");
	else if (!utf8_valid(out->s, out->len) || memchr(out->s, '\0',
	    out->len) != NULL)
		bus_seterr("the merger's output is not UTF-8 text");
	else if (out->len > limit)
		bus_seterr("the merger's output is larger than 4 times its "
		    "inputs");
	else if (strstr(out->s, "<<<<<<<") != NULL ||
	    strstr(out->s, ">>>>>>>") != NULL)
		bus_seterr("the merger's output has conflict markers");
	else
		rv = 0;
out:
	if (pb[0] != '\0')
		unlink(pb);
	if (po[0] != '\0')
		unlink(po);
	if (pt[0] != '\0')
		unlink(pt);
	strvec_clear(&argv);
	buf_free(&err);
	return rv;
}

#define MERGER_SECONDS	60

/*
 * Merge base, ours and theirs into out: with the external merger cmd
 * when it is given and its result can be taken, else (saying why in
 * report) with the built-in merge.
 */
void
profile_merge_bytes(const char *cmd, const struct buf *base,
    const struct buf *ours, const struct buf *theirs, struct buf *out,
    struct buf *report)
{
	struct profile pb, po, pt;

	const char *t = getenv("BUS_MERGER_TIMEOUT");
	int seconds = t != NULL && atoi(t) > 0 ? atoi(t) : MERGER_SECONDS;

	if (cmd != NULL && *cmd != '\0') {
		if (merger_run(cmd, seconds, base, ours, theirs, out) == 0)
			return;
		buf_addf(report, "%s; using the built-in merge\n",
		    bus_error());
	}
	buf_reset(out);
	profile_parse(&pb, base->s != NULL ? base->s : "", base->len);
	profile_parse(&po, ours->s != NULL ? ours->s : "", ours->len);
	profile_parse(&pt, theirs->s != NULL ? theirs->s : "", theirs->len);
	profile_merge(&pb, &po, &pt, out, report);
	profile_free(&pb);
	profile_free(&po);
	profile_free(&pt);
	buf_grow(out, 0);
}
