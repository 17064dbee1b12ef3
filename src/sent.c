/*
 * sent.c: the station's record of the messages it sent, so that
 * bus-status finds each one without searching history.
 *
 * $GIT_DIR/bus-sent holds one line a message, "ts TAB to TAB id TAB
 * type", appended once the commit holding the messages exists, and is
 * read from its end: recent sends cost the same however long the
 * record is.  It is a hint, never the truth: bus-status takes the state
 * of a message from the trees.
 *
 * $GIT_DIR/bus-refused is its sibling: one line a commit that the hub's
 * hook refused and refused.c set aside under SYNC_REFUSED, "commit TAB ts
 * TAB reason", the hub's words made safe for a terminal.  The ref is
 * the truth (what is set aside); the line says why, for bus-status and
 * for people, without a git process.  A line whose ref is gone (the
 * commit was dropped) is left alone and means nothing.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "station.h"

#define SENT_FILE	"bus-sent"
#define SENT_CHUNK	65536
#define REFUSED_FILE	"bus-refused"
#define REFUSED_MAX	(1024 * 1024)	/* bytes read from its end */

/* Note m, staged in c, for sent_append() once c is committed. */
void
sent_note(struct changes *c, const struct msg *m)
{
	buf_addf(&c->sent, "%s\t%s\t%s\t%s\n", m->ts, m->to, m->id, m->type);
}

static void
sent_path(const struct station *st, struct buf *path)
{
	station_path(st, SENT_FILE, path);
}

/* Append lines to the record of sent messages, in one write. */
int
sent_append(const struct station *st, const struct buf *lines)
{
	struct buf path = BUF_INIT;
	int rv;

	sent_path(st, &path);
	rv = file_append(path.s, lines->s, lines->len);
	buf_free(&path);
	return rv;
}

/*
 * Note that the hub refused commit, for why (one line of text that is
 * safe for a terminal: text_safe() leaves no tab or newline in it).
 */
int
sent_refused(const struct station *st, const char *commit, const char *why)
{
	struct buf line = BUF_INIT, path = BUF_INIT;
	char ts[32];
	int rv;

	if (msg_ts(ts, sizeof(ts), time(NULL)) == -1)
		return -1;
	buf_addf(&line, "%s\t%s\t%s\n", commit, ts, why);
	station_path(st, REFUSED_FILE, &path);
	rv = file_append(path.s, line.s, line.len);
	buf_free(&path);
	buf_free(&line);
	return rv;
}

/*
 * Open a record for reading, its size into *sb: the descriptor, -2
 * when there is no record yet, -1 on error.
 */
static int
open_record(const char *path, struct stat *sb)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return -2;
		bus_seterrno("%s", path);
		return -1;
	}
	if (fstat(fd, sb) == -1) {
		bus_seterrno("%s", path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The record of refusals into out, whole lines, oldest first; nothing
 * when there is none.  Only its last REFUSED_MAX bytes are read: the
 * refusals that matter are the recent ones.
 */
int
sent_refusals(const struct station *st, struct buf *out)
{
	struct buf path = BUF_INIT;
	struct stat sb;
	off_t from;
	size_t cut;
	char *nl;
	int fd = -1, rv = -1;

	buf_reset(out);
	station_path(st, REFUSED_FILE, &path);
	if ((fd = open_record(path.s, &sb)) < 0) {
		rv = fd == -2 ? 0 : -1;
		goto out;
	}
	from = sb.st_size > REFUSED_MAX ? sb.st_size - REFUSED_MAX : 0;
	if (lseek(fd, from, SEEK_SET) == -1 ||
	    fd_read_all(fd, out, REFUSED_MAX) == -1) {
		bus_seterrno("%s", path.s);
		goto out;
	}
	/* a line cut at the start, or unfinished at the end, is left out */
	if (from > 0 && (nl = memchr(out->s, '\n', out->len)) != NULL) {
		cut = (size_t)(nl + 1 - out->s);
		memmove(out->s, nl + 1, out->len - cut);
		out->len -= cut;
	}
	while (out->len > 0 && out->s[out->len - 1] != '\n')
		out->len--;
	if (out->s != NULL)
		out->s[out->len] = '\0';
	rv = 0;
out:
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	return rv;
}

/*
 * Split one record line (NUL-terminated, no newline) in place.  A line
 * that is not four well-formed fields is skipped, not fatal: the
 * record is only a hint.
 */
static int
sent_split(char *line, struct sent *s)
{
	char *f[4];
	int i;

	for (i = 0; i < 4; i++) {
		f[i] = line;
		line = strchr(line, '\t');
		if ((line == NULL) != (i == 3))
			return -1;
		if (line != NULL)
			*line++ = '\0';
	}
	s->ts = f[0];
	s->to = f[1];
	s->id = f[2];
	s->type = f[3];
	if (!valid_ts(s->ts, strlen(s->ts)) ||
	    !valid_agent(s->to, strlen(s->to)) ||
	    !valid_id(s->id, strlen(s->id)) ||
	    !valid_type(s->type, strlen(s->type)))
		return -1;
	return 0;
}

/*
 * Give fn each complete line of text[0..len), last first; text[0] is
 * the start of a line.  Returns fn's first positive answer, or 0.
 */
static int
sent_lines(char *text, size_t len, int (*fn)(const struct sent *, void *),
    void *arg)
{
	struct sent s;
	char *end = text + len, *start;
	int stop;

	while (end > text) {
		end[-1] = '\0';		/* the newline */
		for (start = end - 1; start > text && start[-1] != '\n';
		    start--)
			;
		if (sent_split(start, &s) == 0 && (stop = fn(&s, arg)) > 0)
			return stop;
		end = start;
	}
	return 0;
}

/*
 * Call fn for each recorded message, the latest first, until it
 * returns a positive value, which is then returned; 0 when it never
 * did, -1 on error.  The file is read from its
 * end in chunks, so the cost is in the lines fn asks for.
 */
int
sent_scan(const struct station *st, int (*fn)(const struct sent *, void *),
    void *arg)
{
	struct buf path = BUF_INIT, carry = BUF_INIT, chunk = BUF_INIT;
	struct stat sb;
	off_t pos;
	size_t want, first;
	ssize_t n;
	int fd = -1, rv = -1;
	char *nl;

	sent_path(st, &path);
	if ((fd = open_record(path.s, &sb)) < 0) {
		rv = fd == -2 ? 0 : -1;
		goto out;
	}
	/* an unfinished last line (a crash mid-append) is left out */
	for (pos = sb.st_size; pos > 0; ) {
		want = pos > SENT_CHUNK ? SENT_CHUNK : (size_t)pos;
		pos -= (off_t)want;
		buf_reset(&chunk);
		buf_grow(&chunk, want + carry.len);
		do
			n = pread(fd, chunk.s, want, pos);
		while (n == -1 && errno == EINTR);
		if (n != (ssize_t)want) {
			bus_seterrno("%s", path.s);
			goto out;
		}
		chunk.len = want;
		buf_add(&chunk, carry.s, carry.len);
		/* the bytes before the first newline may continue a line */
		first = 0;
		if (pos > 0) {
			if ((nl = memchr(chunk.s, '\n', chunk.len)) == NULL) {
				buf_reset(&carry);
				buf_add(&carry, chunk.s, chunk.len);
				continue;
			}
			first = (size_t)(nl + 1 - chunk.s);
		}
		buf_reset(&carry);
		buf_add(&carry, chunk.s, first);
		if ((nl = memrchr(chunk.s + first, '\n', chunk.len - first)) ==
		    NULL)
			continue;
		chunk.len = (size_t)(nl + 1 - chunk.s);
		if ((rv = sent_lines(chunk.s + first, chunk.len - first, fn,
		    arg)) != 0)
			goto out;
	}
	rv = 0;
out:
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	buf_free(&carry);
	buf_free(&chunk);
	return rv;
}
