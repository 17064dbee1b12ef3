/*
 * t-strvec: the string vector (argv, environments, the lists of "git
 * ... -z"): pushing, filling from a NUL-separated buffer, walking one
 * in place, clearing and reusing; v[n] is NULL at every step.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "util.h"

/* The strings of sv joined by "|", for comparing with one literal. */
static const char *
joined(const struct strvec *sv)
{
	static struct buf b = BUF_INIT;
	size_t i;

	buf_reset(&b);
	for (i = 0; i < sv->n; i++)
		buf_addf(&b, "%s%s", i > 0 ? "|" : "", sv->v[i]);
	return b.s != NULL ? b.s : "";
}

/* The strings strvec_next() walks in b, joined by "|". */
static const char *
walked(const struct buf *b, size_t *count)
{
	static struct buf out = BUF_INIT;
	const char *p;

	buf_reset(&out);
	*count = 0;
	for (p = NULL; (p = strvec_next(b, p)) != NULL; (*count)++)
		buf_addf(&out, "%s%s", *count > 0 ? "|" : "", p);
	return out.s != NULL ? out.s : "";
}

static void
test_empty(void)
{
	struct strvec sv = STRVEC_INIT, si;

	ok(sv.n == 0 && sv.v != NULL && sv.v[0] == NULL,
	    "STRVEC_INIT: n 0, v not NULL, v[0] NULL");
	strvec_clear(&sv);
	ok(sv.n == 0 && sv.v != NULL && sv.v[0] == NULL,
	    "clear of a vector never pushed to leaves it empty");
	strvec_init(&si);
	ok(si.n == 0 && si.v != NULL && si.v[0] == NULL && si.cap == 0,
	    "strvec_init: the same as STRVEC_INIT");
	strvec_pushv(&si, NULL);
	ok(si.n == 0 && si.v[0] == NULL, "pushv of NULL pushes nothing");
	strvec_clear(&si);
}

static void
test_push(void)
{
	struct strvec sv = STRVEC_INIT;
	char word[8];
	const char *got;

	strlcpy(word, "abc", sizeof(word));
	got = strvec_push(&sv, word);
	ok(sv.n == 1 && strcmp(sv.v[0], "abc") == 0 && sv.v[1] == NULL,
	    "push one: n 1, v[0] \"abc\", v[1] NULL");
	ok(got == sv.v[0] && got != word, "push returns its own copy");
	word[0] = 'X';
	ok(strcmp(sv.v[0], "abc") == 0, "the copy does not change with "
	    "the original");
	strvec_push(&sv, "");
	ok(sv.n == 2 && strcmp(sv.v[1], "") == 0 && sv.v[2] == NULL,
	    "push an empty string: it is kept, v[2] NULL");
	strvec_clear(&sv);
	ok(sv.n == 0 && sv.v[0] == NULL, "clear: n 0, v[0] NULL");
}

static void
test_many(void)
{
	struct strvec sv = STRVEC_INIT;
	char want[32];
	size_t i, bad = 0, nulls = 0;

	for (i = 0; i < 1000; i++) {
		strvec_pushf(&sv, "arg%zu", i);
		if (sv.v[sv.n] != NULL)
			nulls++;
	}
	ok(sv.n == 1000, "1000 pushes: n %zu", sv.n);
	ok(sv.cap > sv.n, "cap %zu has room for the NULL", sv.cap);
	ok(nulls == 0, "v[n] NULL after every push");
	for (i = 0; i < sv.n; i++) {
		snprintf(want, sizeof(want), "arg%zu", i);
		if (strcmp(sv.v[i], want) != 0)
			bad++;
	}
	ok(bad == 0, "each of the 1000 in order: v[0] %s, v[999] %s",
	    sv.v[0], sv.v[999]);
	strvec_clear(&sv);
	ok(sv.n == 0 && sv.cap == 0 && sv.v[0] == NULL,
	    "clear after many: empty again");
}

static void
test_pushf(void)
{
	struct strvec sv = STRVEC_INIT;
	char big[5000];
	const char *got;

	got = strvec_pushf(&sv, "GIT_DIR=%s", "/x/y");
	ok(strcmp(got, "GIT_DIR=/x/y") == 0 && got == sv.v[0],
	    "pushf formats: %s", got);
	strvec_pushf(&sv, "%d-%s-%c", 42, "z", 'q');
	ok(strcmp(sv.v[1], "42-z-q") == 0, "pushf with several conversions");
	strvec_pushf(&sv, "%s", "");
	ok(sv.n == 3 && strcmp(sv.v[2], "") == 0 && sv.v[3] == NULL,
	    "pushf of an empty result");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strvec_pushf(&sv, "<%s>", big);
	ok(strlen(sv.v[3]) == sizeof(big) + 1 && sv.v[3][0] == '<' &&
	    sv.v[3][sizeof(big)] == '>', "pushf longer than any first guess");
	ok(sv.n == 4 && sv.v[4] == NULL, "four pushed, v[4] NULL");
	strvec_clear(&sv);
}

static void
test_pushv(void)
{
	struct strvec sv = STRVEC_INIT;
	const char *v[] = { "git", "-C", "dir", NULL };
	const char *none[] = { NULL };

	strvec_push(&sv, "first");
	strvec_pushv(&sv, v);
	ok(sv.n == 4 && strcmp(joined(&sv), "first|git|-C|dir") == 0 &&
	    sv.v[4] == NULL, "pushv appends each: %s", joined(&sv));
	ok(sv.v[1] != v[0], "pushv copies");
	strvec_pushv(&sv, none);
	ok(sv.n == 4 && sv.v[4] == NULL, "pushv of an empty vector");
	strvec_clear(&sv);
}

static void
test_split(void)
{
	struct strvec sv = STRVEC_INIT;
	struct buf b = BUF_INIT;
	size_t n;

	n = strvec_split(&sv, &b);
	ok(n == 0 && sv.n == 0 && sv.v[0] == NULL,
	    "split of a buffer never written (s NULL): nothing");
	buf_adds(&b, "");
	n = strvec_split(&sv, &b);
	ok(b.s != NULL && n == 0 && sv.n == 0, "split of an empty buffer: "
	    "nothing");

	buf_add(&b, "a\0bc\0def\0", 9);
	n = strvec_split(&sv, &b);
	ok(n == 3 && sv.n == 3 && strcmp(joined(&sv), "a|bc|def") == 0 &&
	    sv.v[3] == NULL, "trailing NUL ends the last, no empty string "
	    "after it: %s", joined(&sv));
	strvec_clear(&sv);

	buf_reset(&b);
	buf_add(&b, "a\0bc\0def", 8);
	n = strvec_split(&sv, &b);
	ok(n == 3 && strcmp(joined(&sv), "a|bc|def") == 0,
	    "no trailing NUL: the last string still counts");
	strvec_clear(&sv);

	buf_reset(&b);
	buf_add(&b, "\0\0x\0", 4);
	n = strvec_split(&sv, &b);
	ok(n == 3 && strcmp(sv.v[0], "") == 0 && strcmp(sv.v[1], "") == 0 &&
	    strcmp(sv.v[2], "x") == 0 && sv.v[3] == NULL,
	    "empty strings inside are kept: 2 empty, then x");
	strvec_clear(&sv);

	buf_reset(&b);
	buf_add(&b, "\0", 1);
	n = strvec_split(&sv, &b);
	ok(n == 1 && sv.n == 1 && strcmp(sv.v[0], "") == 0,
	    "a lone NUL is one empty string");

	buf_reset(&b);
	buf_add(&b, "one\0two\0", 8);
	n = strvec_split(&sv, &b);
	ok(n == 2 && sv.n == 3 && strcmp(joined(&sv), "|one|two") == 0,
	    "split appends to what is there: %s", joined(&sv));
	ok(sv.v[1] != b.s, "split copies");
	strvec_clear(&sv);
	buf_free(&b);
}

static void
test_next(void)
{
	struct buf b = BUF_INIT;
	char *p;
	size_t n;

	ok(strvec_next(&b, NULL) == NULL, "next in a buffer never written: "
	    "NULL");
	buf_adds(&b, "");
	ok(strvec_next(&b, NULL) == NULL, "next in an empty buffer: NULL");

	buf_add(&b, "a\0bc\0", 5);
	ok(strcmp(walked(&b, &n), "a|bc") == 0 && n == 2,
	    "walk with trailing NUL: 2 strings");
	buf_reset(&b);
	buf_add(&b, "a\0bc", 4);
	ok(strcmp(walked(&b, &n), "a|bc") == 0 && n == 2,
	    "walk without trailing NUL: 2 strings");
	buf_reset(&b);
	buf_add(&b, "\0\0", 2);
	ok(strcmp(walked(&b, &n), "|") == 0 && n == 2,
	    "walk two empty strings");

	p = strvec_next(&b, NULL);
	ok(p == b.s, "the first is b.s itself, not a copy");

	/* a caller that cuts the string it has is given the rest next */
	buf_reset(&b);
	buf_add(&b, "040000 tree x\tname\0next\0", 24);
	p = strvec_next(&b, NULL);
	*strchr(p, '\t') = '\0';
	p = strvec_next(&b, p);
	ok(p != NULL && strcmp(p, "name") == 0, "after a cut: the second "
	    "half (%s)", p != NULL ? p : "NULL");
	p = strvec_next(&b, p);
	ok(p != NULL && strcmp(p, "next") == 0, "then the next string");
	ok(strvec_next(&b, p) == NULL, "then the end");
	buf_free(&b);
}

static void
test_reuse(void)
{
	struct strvec sv = STRVEC_INIT;
	int i;

	for (i = 0; i < 3; i++) {
		strvec_push(&sv, "x");
		strvec_pushf(&sv, "round %d", i);
		ok(sv.n == 2 && strcmp(sv.v[1], i == 0 ? "round 0" :
		    i == 1 ? "round 1" : "round 2") == 0 && sv.v[2] == NULL,
		    "reuse after clear, round %d: %s", i, joined(&sv));
		strvec_clear(&sv);
	}
	ok(sv.n == 0 && sv.v[0] == NULL, "empty after the last clear");
}

int
main(void)
{
	test_empty();
	test_push();
	test_many();
	test_pushf();
	test_pushv();
	test_split();
	test_next();
	test_reuse();
	return done_testing();
}
