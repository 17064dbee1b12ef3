/*
 * buf.c: a growable byte buffer.
 *
 * The length is authoritative (the bytes may hold NULs) and s[len] is
 * always NUL, so a buffer of text can be used as a C string.
 *
 * Also the x-allocators: the one place in the library that may exit.  An
 * allocation that fails leaves nothing sane to return to, and an error
 * path for every allocation would be code no test ever runs; like git's
 * xmalloc, they report "out of memory" and exit 70 (EX_SOFTWARE).
 */
#include "config.h"

#include <err.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void	 nomem(void) __attribute__((noreturn));

static void
nomem(void)
{
	errx(EX_SOFTWARE, "out of memory");
}

/* Make room for n more bytes and the terminating NUL. */
void
buf_grow(struct buf *b, size_t n)
{
	size_t want, cap;
	char *s;

	if (n > SIZE_MAX - b->len - 1)
		nomem();
	want = b->len + n + 1;
	if (want <= b->cap)
		return;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	s = xreallocarray(b->s, cap, 1);
	s[b->len] = '\0';	/* a new buffer is a valid empty string */
	b->s = s;
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_addc(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	buf_grow(b, 64);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	/* only a result past INT_MAX bytes makes it fail: no memory for it */
	if (n < 0)
		nomem();
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/* Empty the buffer but keep its memory. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/* Drop trailing white space (newlines from a command's output). */
void
buf_rtrim(struct buf *b)
{
	while (b->len > 0 && (b->s[b->len - 1] == '\n' ||
	    b->s[b->len - 1] == '\r' || b->s[b->len - 1] == ' ' ||
	    b->s[b->len - 1] == '\t'))
		b->len--;
	if (b->s != NULL)
		b->s[b->len] = '\0';
}

/* Hand the string over to the caller, who frees it; never NULL. */
char *
buf_detach(struct buf *b)
{
	char *s;

	buf_grow(b, 0);
	s = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* The x-allocators: as their namesakes, but they never return NULL. */
void *
xmalloc(size_t size)
{
	void *p;

	if ((p = malloc(size)) == NULL)
		nomem();
	return p;
}

void *
xreallocarray(void *ptr, size_t n, size_t size)
{
	void *p;

	if ((p = reallocarray(ptr, n, size)) == NULL)
		nomem();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n, size)) == NULL)
		nomem();
	return p;
}

char *
xstrdup(const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL)
		nomem();
	return d;
}

char *
xstrndup(const char *s, size_t n)
{
	char *d;

	if ((d = strndup(s, n)) == NULL)
		nomem();
	return d;
}
