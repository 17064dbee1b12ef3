/*
 * t-merge: properties of the profile merge on thousands of random
 * profiles and edits: a profile merged with itself is unchanged; a
 * result merged again with either side is unchanged; a fact that base
 * and both sides hold is never lost; no conflict marker appears.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "tap.h"

#define CASES	3000

static unsigned long rng = 12345;
static unsigned long serial;

static unsigned long
rnd(unsigned long n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (rng >> 33) % n;
}

/* A fact no other fact resembles: three words of its own. */
static void
new_fact(struct buf *b)
{
	serial++;
	if (rnd(4) == 0)
		buf_addf(b, "- key%lu: value%lu\n", serial, rnd(1000));
	else
		buf_addf(b, "- w%lua w%lub w%luc\n", serial, serial, serial);
}

static void
random_profile(struct buf *b)
{
	unsigned long s, f, ns = 1 + rnd(4), nf;

	buf_reset(b);
	for (s = 0; s < ns; s++) {
		buf_addf(b, "# Section %lu\n\n", s);
		for (f = 0, nf = rnd(6); f < nf; f++)
			new_fact(b);
		buf_addc(b, '\n');
	}
}

/* An edit of a profile: facts dropped, added, values changed. */
static void
edit(const struct buf *in, struct buf *out)
{
	const char *p = in->s, *nl;

	buf_reset(out);
	for (; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (strncmp(p, "- ", 2) == 0) {
			unsigned long r = rnd(10);

			if (r == 0)
				continue;			/* dropped */
			if (r == 1 && strncmp(p, "- key", 5) == 0) {
				buf_add(out, p, (size_t)(strchr(p, ':') - p));
				buf_addf(out, ": changed%lu\n", rnd(1000));
				continue;
			}
			buf_add(out, p, (size_t)(nl - p) + 1);
			if (r == 2)
				new_fact(out);			/* added */
			continue;
		}
		buf_add(out, p, (size_t)(nl - p) + 1);
	}
}

static void
merge(const struct buf *b, const struct buf *o, const struct buf *t,
    struct buf *out)
{
	struct profile pb, po, pt;
	struct buf report = BUF_INIT;

	profile_parse(&pb, b->s, b->len);
	profile_parse(&po, o->s, o->len);
	profile_parse(&pt, t->s, t->len);
	buf_reset(out);
	profile_merge(&pb, &po, &pt, out, &report);
	buf_grow(out, 0);
	profile_free(&pb);
	profile_free(&po);
	profile_free(&pt);
	buf_free(&report);
}

static int
same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->s, b->s, a->len) == 0);
}

/* Is every fact line of base that o and t both kept in r? */
static int
nothing_lost(const struct buf *base, const struct buf *o,
    const struct buf *t, const struct buf *r)
{
	const char *p, *nl;
	char line[256];

	for (p = base->s; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (strncmp(p, "- ", 2) != 0 || (size_t)(nl - p) >= 200)
			continue;
		snprintf(line, sizeof(line), "\n%.*s", (int)(nl - p + 1), p);
		if (strstr(o->s, line) && strstr(t->s, line) &&
		    !strstr(r->s, line))
			return 0;
	}
	return 1;
}

int
main(void)
{
	struct buf b = BUF_INIT, o = BUF_INIT, t = BUF_INIT, r = BUF_INIT;
	struct buf again = BUF_INIT;
	int i, self = 0, idem_t = 0, idem_o = 0, lost = 0, marks = 0;

	for (i = 0; i < CASES; i++) {
		random_profile(&b);
		edit(&b, &o);
		edit(&b, &t);
		merge(&b, &b, &b, &r);
		self += !same(&r, &b);
		merge(&b, &o, &t, &r);
		merge(&b, &r, &t, &again);
		idem_t += !same(&again, &r);
		merge(&b, &r, &o, &again);
		idem_o += !same(&again, &r);
		lost += !nothing_lost(&b, &o, &t, &r);
		marks += strstr(r.s, "<<<<<<<") != NULL ||
		    strstr(r.s, ">>>>>>>") != NULL;
	}
	ok(self == 0, "%d profiles merged with themselves are unchanged "
	    "(%d changed)", CASES, self);
	ok(idem_t == 0, "a result merged again with theirs is unchanged "
	    "(%d changed)", idem_t);
	ok(idem_o == 0, "a result merged again with ours is unchanged "
	    "(%d changed)", idem_o);
	ok(lost == 0, "no fact that base and both sides hold is lost "
	    "(%d cases lost one)", lost);
	ok(marks == 0, "no conflict marker, ever");
	buf_free(&b);
	buf_free(&o);
	buf_free(&t);
	buf_free(&r);
	buf_free(&again);
	return done_testing();
}
