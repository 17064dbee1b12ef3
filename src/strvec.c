/*
 * strvec.c: a NULL-terminated vector of strings that owns them, for
 * argv and environment vectors and for lists read from "git ... -z";
 * and strvec_next(), which walks such a list in place when a copy
 * would be only a way to loop.
 *
 * As git's strvec: v is never NULL and v[n] is always NULL, even for a
 * vector that has never been pushed to (it then points at a shared
 * empty vector), so v can go to posix_spawn or git_run() as it is.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *strvec_empty[] = { NULL };

void
strvec_init(struct strvec *sv)
{
	sv->v = strvec_empty;
	sv->n = sv->cap = 0;
}

/* Take s, which the vector now owns; returns it. */
static const char *
push_owned(struct strvec *sv, char *s)
{
	size_t cap;

	/* room for s and the NULL; xreallocarray checks the product */
	if (sv->n + 2 > sv->cap) {
		cap = sv->cap < 8 ? 8 : sv->cap * 2;
		sv->v = xreallocarray(sv->v == strvec_empty ? NULL : sv->v,
		    cap, sizeof(*sv->v));
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return s;
}

/* A copy of s at the end; returns the copy. */
const char *
strvec_push(struct strvec *sv, const char *s)
{
	return push_owned(sv, xstrdup(s));
}

const char *
strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return push_owned(sv, buf_detach(&b));
}

/* A copy of each string of the NULL-terminated v; none when v is NULL. */
void
strvec_pushv(struct strvec *sv, const char *const *v)
{
	for (; v != NULL && *v != NULL; v++)
		strvec_push(sv, *v);
}

/*
 * A copy of each NUL-separated string of b (the output of "git ... -z":
 * a trailing NUL ends the last string, it does not start an empty one).
 * Returns how many were pushed.
 */
size_t
strvec_split(struct strvec *sv, const struct buf *b)
{
	const char *p;
	size_t n = 0;

	for (p = NULL; (p = strvec_next(b, p)) != NULL; n++)
		strvec_push(sv, p);
	return n;
}

/* Free the strings and the vector; sv is then empty and can be reused. */
void
strvec_clear(struct strvec *sv)
{
	size_t i;

	if (sv->v != strvec_empty) {
		for (i = 0; i < sv->n; i++)
			free((char *)sv->v[i]);
		free(sv->v);
	}
	strvec_init(sv);
}

/*
 * The string after p in the NUL-separated list b, the first when p is
 * NULL, or NULL after the last: for (p = NULL; (p = strvec_next(b, p))
 * != NULL;).  As with strchr(), the result is as writable as b->s: a
 * caller may cut the string it is given in two, and is then given the
 * second half next.
 */
char *
strvec_next(const struct buf *b, const char *p)
{
	if (b->s == NULL)
		return NULL;
	p = p == NULL ? b->s : p + strlen(p) + 1;
	return p < b->s + b->len ? b->s + (p - b->s) : NULL;
}
