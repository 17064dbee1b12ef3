/*
 * file.c: reading whole files within a bound, and writing them
 * atomically (temporary file in the same directory, fsync, rename,
 * fsync the directory), the way maildir delivery does.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/*
 * Append everything readable from fd to b.  With max > 0, fail with
 * EFBIG as soon as more than max bytes arrive, so a huge input costs
 * no more than max + 1 bytes of memory.
 */
int
fd_read_all(int fd, struct buf *b, size_t max)
{
	size_t start = b->len;
	ssize_t n;

	for (;;) {
		buf_grow(b, 8192);
		n = read(fd, b->s + b->len, b->cap - b->len - 1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			bus_seterrno("read");
			return -1;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->s[b->len] = '\0';
		if (max > 0 && b->len - start > max) {
			bus_seterr("larger than %zu bytes", max);
			errno = EFBIG;
			return -1;
		}
	}
	return 0;
}

/* Read the file at path into b (replacing its contents). */
int
file_read(const char *path, struct buf *b, size_t max)
{
	int fd, rv;

	buf_reset(b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		bus_seterrno("open");
		return -1;
	}
	rv = fd_read_all(fd, b, max);
	close(fd);
	return rv;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Replace path with the given bytes so that a reader, or a crash,
 * sees either the old file or the whole new one.
 */
int
file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash;
	int fd = -1, dfd = -1, rv = -1;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >=
	    sizeof(tmp)) {
		bus_seterr("%s: path too long", path);
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		bus_seterrno("%s", tmp);
		return -1;
	}
	if (write_all(fd, data, len) == -1 || fchmod(fd, mode) == -1 ||
	    fsync(fd) == -1) {
		bus_seterrno("%s", tmp);
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		bus_seterrno("%s", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		bus_seterrno("rename %s", path);
		goto out;
	}
	tmp[0] = '\0';

	/* Make the rename itself durable. */
	if ((slash = strrchr(path, '/')) == NULL)
		strlcpy(dir, ".", sizeof(dir));
	else if (slash == path)
		strlcpy(dir, "/", sizeof(dir));
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		(void)fsync(dfd);
	rv = 0;
out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	if (tmp[0] != '\0')
		unlink(tmp);
	return rv;
}

/*
 * Write a work tree file: its directories made as needed, no fsync.
 * The commit is the durable record; a torn file here is rewritten by
 * the next command (see station_recover).  A symlink at path is never
 * followed (ELOOP): the caller decides what to do with one.
 */
int
file_write(const char *path, const void *data, size_t len)
{
	char dir[PATH_MAX], *slash;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0666)) == -1 && errno == ENOENT) {
		if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir)) {
			bus_seterr("%s: path too long", path);
			return -1;
		}
		/* make each missing parent, outermost first */
		for (slash = strchr(dir + 1, '/'); slash != NULL;
		    slash = strchr(slash + 1, '/')) {
			*slash = '\0';
			if (mkdir(dir, 0777) == -1 && errno != EEXIST) {
				bus_seterrno("%s", dir);
				return -1;
			}
			*slash = '/';
		}
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0666);
	}
	if (fd == -1) {
		bus_seterrno("%s", path);
		return -1;
	}
	if (write_all(fd, data, len) == -1) {
		bus_seterrno("%s", path);
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		bus_seterrno("%s", path);
		return -1;
	}
	return 0;
}

/*
 * Append data to the file at path (made if need be) in one write, so
 * that lines appended by two processes never interleave.
 */
int
file_append(const char *path, const void *data, size_t len)
{
	ssize_t n;
	int fd, rv = -1;

	if (len == 0)
		return 0;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0666)) == -1) {
		bus_seterrno("%s", path);
		return -1;
	}
	do
		n = write(fd, data, len);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)len)
		rv = 0;
	else
		bus_seterrno("%s", path);
	close(fd);
	return rv;
}

/*
 * Call fn with each operand read from fp, as a tool does for the
 * operand "-": one a line, or NUL-separated when nul; empty ones are
 * skipped.  Returns -1 when fp could not be read.
 */
int
read_operands(FILE *fp, int nul, void (*fn)(const char *, void *), void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int sep = nul ? '\0' : '\n';

	while ((n = getdelim(&line, &cap, sep, fp)) != -1) {
		if (n > 0 && line[n - 1] == sep)
			line[--n] = '\0';
		if (n > 0)
			fn(line, arg);
	}
	free(line);
	if (ferror(fp)) {
		bus_seterrno("read");
		return -1;
	}
	return 0;
}

/*
 * Call fn with each of the argc operands in argv, and for "-" with each
 * read from stdin (read_operands()).  Returns -1 when stdin could not
 * be read.
 */
int
each_operand(int argc, char *const argv[], int nul,
    void (*fn)(const char *, void *), void *arg)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") != 0)
			fn(argv[i], arg);
		else if (read_operands(stdin, nul, fn, arg) == -1)
			return -1;
	return 0;
}

/*
 * Write data to a new file made from the mkstemp(3) template path
 * (which receives its name); for handing data to another program.
 */
int
file_write_temp(char *path, const void *data, size_t len)
{
	int fd;

	if ((fd = mkstemp(path)) == -1) {
		bus_seterrno("%s", path);
		path[0] = '\0';
		return -1;
	}
	if (write_all(fd, data, len) == -1) {
		bus_seterrno("%s", path);
		close(fd);
		unlink(path);
		path[0] = '\0';
		return -1;
	}
	if (close(fd) == -1) {
		bus_seterrno("%s", path);
		unlink(path);
		path[0] = '\0';
		return -1;
	}
	return 0;
}

/* The last component of a path, like basename(3) but never writing. */
const char *
path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}
