/*
 * merge.c: merging profiles by facts, not by lines (SPEC section 6).
 *
 * Three-way, per section (sections are matched by their heading text,
 * case and spacing aside): a fact removed on one side and untouched on
 * the other is removed; a fact added on either side is kept; two facts
 * that say the same thing become one, the more specific kept; a
 * "Key: value" fact changed on both sides keeps ours and is reported.
 * Sections keep our order, new ones follow in theirs'.  Our text is
 * copied as it is, so merging a profile with itself changes nothing;
 * no conflict marker is ever written.
 *
 * "Say the same thing": the normalised texts are equal (case, white
 * space, Markdown emphasis and trailing punctuation ignored), or the
 * words of one are a subset of the other's, or the two share at least
 * OVERLAP of their words (|A and B| / |A or B|).  The last two need at
 * least two words on each side, so that "- tea" does not swallow every
 * fact that mentions tea.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "profile.h"

#define OVERLAP	0.8

/* A fact with what comparisons need, computed once. */
struct item {
	const struct fact *f;
	char		*norm;		/* normalised text */
	char		**words;	/* sorted, unique, into wbuf */
	char		*wbuf;
	size_t		 nwords;
	char		*key;		/* "Key" of a "Key: value" fact, or NULL */
	const char	*text;		/* what to write */
	size_t		 len;
	int		 keep;
	struct item	*match;		/* theirs: ours' fact saying the same */
	int		 looked;	/* match looked for already */
};

#define NONE	((size_t)-1)

/* Strings (words, keys), each numbered in the order first added. */
struct strtab {
	const char	**keys;		/* by slot; NULL: a free slot */
	size_t		 *ids;		/* by slot */
	size_t		  cap;		/* a power of two, or 0 */
	size_t		  n;
};

/* Lists of facts by number: list k is at[off[k]] to at[off[k + 1]]. */
struct lists {
	size_t		*off;
	size_t		*at;
};

/*
 * Ours' facts indexed, so that a fact of theirs is compared only with
 * the few that may say the same thing (see candidates()).
 */
struct index {
	struct strtab	 words;		/* of facts of two words or more */
	struct strtab	 keys;
	struct lists	 has;		/* by word: the facts that have it */
	struct lists	 rarest;	/* by word: facts it is the rarest of */
	struct lists	 keyed;		/* by key: the facts with that key */
	size_t		*seen;		/* by fact: the query it was found by */
	size_t		 query;
	size_t		*found;		/* the facts the last query found */
	size_t		 nfound;
	size_t		*order;		/* scratch: words, rarest first */
	size_t		 norder;
};

struct side {
	struct item	*items;
	size_t		 n;
	struct item	**by_norm;	/* sorted by norm, for lookups */
	struct index	 ix;		/* ours only: see side_index_words() */
};

static void
side_add(struct side *s, const struct fact *f)
{
	struct item *it;

	/* side_of() made room */
	it = &s->items[s->n++];
	memset(it, 0, sizeof(*it));
	it->f = f;
	it->text = f->text;
	it->len = f->len;
	it->norm = profile_norm(f->text, f->len);
	it->key = profile_key(it->norm);
	it->nwords = profile_words(it->norm, &it->wbuf, &it->words);
	it->keep = 1;
}

static void
side_free(struct side *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->items[i].norm);
		free(s->items[i].key);
		free(s->items[i].wbuf);
		free(s->items[i].words);
	}
	free(s->items);
	free(s->by_norm);
	free(s->ix.words.keys);
	free(s->ix.words.ids);
	free(s->ix.keys.keys);
	free(s->ix.keys.ids);
	free(s->ix.has.off);
	free(s->ix.has.at);
	free(s->ix.rarest.off);
	free(s->ix.rarest.at);
	free(s->ix.keyed.off);
	free(s->ix.keyed.at);
	free(s->ix.seen);
	free(s->ix.found);
	free(s->ix.order);
	memset(s, 0, sizeof(*s));
}

static int
cmp_item_norm(const void *a, const void *b)
{
	return strcmp((*(struct item *const *)a)->norm,
	    (*(struct item *const *)b)->norm);
}

/* Sort an index of the side's facts by norm: lookups in log time. */
static void
side_index(struct side *s)
{
	size_t i;

	s->by_norm = xreallocarray(NULL, s->n + 1, sizeof(*s->by_norm));
	for (i = 0; i < s->n; i++)
		s->by_norm[i] = &s->items[i];
	if (s->n > 1)
		qsort(s->by_norm, s->n, sizeof(*s->by_norm), cmp_item_norm);
}

/* The side's first fact whose normalised text is norm, or NULL. */
static struct item *
find_norm(const struct side *s, const char *norm)
{
	struct item key, *k = &key, **hit;

	if (s->n == 0)
		return NULL;
	key.norm = (char *)norm;
	hit = bsearch(&k, s->by_norm, s->n, sizeof(*s->by_norm),
	    cmp_item_norm);
	return hit != NULL ? *hit : NULL;
}

/* The facts of a section, blank runs left out. */
static void
side_of(struct side *s, const struct section *sec)
{
	size_t k;

	memset(s, 0, sizeof(*s));
	s->items = xreallocarray(NULL, sec != NULL ? sec->n + 1 : 1,
	    sizeof(*s->items));
	for (k = 0; sec != NULL && k < sec->n; k++)
		if (sec->facts[k].kind != FACT_BLANK)
			side_add(s, &sec->facts[k]);
	side_index(s);
}

static int
has_norm(const struct side *s, const char *norm)
{
	return find_norm(s, norm) != NULL;
}

/* How many words a and b share (both sorted and unique). */
static size_t
shared(const struct item *a, const struct item *b)
{
	size_t i = 0, j = 0, n = 0;
	int c;

	while (i < a->nwords && j < b->nwords) {
		if ((c = strcmp(a->words[i], b->words[j])) == 0)
			n++, i++, j++;
		else if (c < 0)
			i++;
		else
			j++;
	}
	return n;
}

/*
 * Do a and b say the same thing?  1: yes and a is the more specific
 * (or as specific), 2: yes and b is, 0: no.
 */
static int
same_thing(const struct item *a, const struct item *b)
{
	size_t s;

	if (strcmp(a->norm, b->norm) == 0)
		return 1;
	if (a->f->kind != b->f->kind || a->nwords < 2 || b->nwords < 2)
		return 0;
	s = shared(a, b);
	if (s == b->nwords)
		return 1;		/* b's words are a subset of a's */
	if (s == a->nwords)
		return 2;
	if ((double)s / (double)(a->nwords + b->nwords - s) >= OVERLAP)
		return a->len >= b->len ? 1 : 2;
	return 0;
}

static size_t
str_hash(const char *s)
{
	size_t h = 2166136261u;		/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of s in t: where it is, or the free one where it would go. */
static size_t
tab_slot(const struct strtab *t, const char *s)
{
	size_t i = str_hash(s) & (t->cap - 1);

	while (t->keys[i] != NULL && strcmp(t->keys[i], s) != 0)
		i = (i + 1) & (t->cap - 1);
	return i;
}

/* The number of s in t, or NONE. */
static size_t
tab_find(const struct strtab *t, const char *s)
{
	size_t i;

	if (t->cap == 0)
		return NONE;
	i = tab_slot(t, s);
	return t->keys[i] != NULL ? t->ids[i] : NONE;
}

/* The number of s, new if s is; t keeps the pointer, not a copy. */
static size_t
tab_add(struct strtab *t, const char *s)
{
	struct strtab g;
	size_t i, k;

	/* at most half full, so that probe runs stay short */
	if (2 * (t->n + 1) > t->cap) {
		g.cap = t->cap == 0 ? 64 : 2 * t->cap;
		g.keys = xcalloc(g.cap, sizeof(*g.keys));
		g.ids = xcalloc(g.cap, sizeof(*g.ids));
		g.n = t->n;
		for (k = 0; k < t->cap; k++) {
			if (t->keys[k] == NULL)
				continue;
			i = tab_slot(&g, t->keys[k]);
			g.keys[i] = t->keys[k];
			g.ids[i] = t->ids[k];
		}
		free(t->keys);
		free(t->ids);
		*t = g;
	}
	i = tab_slot(t, s);
	if (t->keys[i] == NULL) {
		t->keys[i] = s;
		t->ids[i] = t->n++;
	}
	return t->ids[i];
}

/*
 * The lists of numbers 0 to n - 1 from np pairs (num[j], fact[j]),
 * facts ascending: a counting sort, so each list stays in file order.
 */
static void
lists_make(struct lists *l, size_t n, const size_t *num, const size_t *fact,
    size_t np)
{
	size_t j;

	l->off = xcalloc(n + 2, sizeof(*l->off));
	l->at = xreallocarray(NULL, np + 1, sizeof(*l->at));
	for (j = 0; j < np; j++)
		l->off[num[j] + 2]++;
	for (j = 2; j < n + 2; j++)
		l->off[j] += l->off[j - 1];
	/* off[k + 1] is where list k starts, then where it has got to */
	for (j = 0; j < np; j++)
		l->at[l->off[num[j] + 1]++] = fact[j];
}

/* Is word a rarer than word b in ours?  Ties go to the first seen. */
static int
rarer(const struct index *x, size_t a, size_t b)
{
	size_t fa = a != NONE ? x->has.off[a + 1] - x->has.off[a] : 0;
	size_t fb = b != NONE ? x->has.off[b + 1] - x->has.off[b] : 0;

	return fa < fb || (fa == fb && a < b);
}

/*
 * Index the side's facts by word (facts of two words or more: only
 * those can say the same thing without the same text), by their
 * rarest word, and by key.
 */
static void
side_index_words(struct side *s)
{
	struct index *x = &s->ix;
	size_t *num, *fact, i, j, e, r, np = 0, tot = s->n;

	for (i = 0; i < s->n; i++)
		if (s->items[i].nwords >= 2)
			tot += s->items[i].nwords;
	num = xreallocarray(NULL, tot + 1, sizeof(*num));
	fact = xreallocarray(NULL, tot + 1, sizeof(*fact));
	for (i = 0; i < s->n; i++)
		for (j = 0; s->items[i].nwords >= 2 &&
		    j < s->items[i].nwords; j++) {
			num[np] = tab_add(&x->words, s->items[i].words[j]);
			fact[np++] = i;
		}
	lists_make(&x->has, x->words.n, num, fact, np);
	/* the pairs of a fact are together: keep its rarest, in place */
	for (j = 0, r = 0; j < np; j = e) {
		num[r] = num[j];
		for (e = j + 1; e < np && fact[e] == fact[j]; e++)
			if (rarer(x, num[e], num[r]))
				num[r] = num[e];
		fact[r++] = fact[j];
	}
	lists_make(&x->rarest, x->words.n, num, fact, r);
	for (i = 0, np = 0; i < s->n; i++)
		if (s->items[i].key != NULL) {
			num[np] = tab_add(&x->keys, s->items[i].key);
			fact[np++] = i;
		}
	lists_make(&x->keyed, x->keys.n, num, fact, np);
	x->seen = xcalloc(s->n + 1, sizeof(*x->seen));
	x->found = xreallocarray(NULL, s->n + 1, sizeof(*x->found));
	free(num);
	free(fact);
}

/* Add the facts at[0] to at[n - 1] to those found, once each. */
static void
found_add(struct index *x, const size_t *at, size_t n)
{
	for (; n > 0; n--, at++)
		if (x->seen[*at] != x->query) {
			x->seen[*at] = x->query;
			x->found[x->nfound++] = *at;
		}
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The facts of s that may say what t says or have its key, a few more
 * perhaps, none missing: those with its key or its text; and, for a
 * fact of two words or more, those that share one of its b - c + 1
 * rarest words, where c = ceil(4b/5) of its b words, and those whose
 * rarest word is one of t's.  For the other fact's words hold all of
 * t's (one is enough to find it); or t's hold all of the other's, its
 * rarest included; or they share OVERLAP (4/5) of the words of both,
 * so at least c of t's: all but b - c, and one of any b - c + 1 of t's
 * words is shared.  Rarest first keeps the lists short.
 */
static void
candidates(struct side *s, const struct item *t)
{
	struct index *x = &s->ix;
	size_t i, j, k, lo, hi, mid, c, w;

	x->nfound = 0;
	x->query++;
	if (t->key != NULL && (k = tab_find(&x->keys, t->key)) != NONE)
		found_add(x, x->keyed.at + x->keyed.off[k],
		    x->keyed.off[k + 1] - x->keyed.off[k]);
	for (lo = 0, hi = s->n; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(s->by_norm[mid]->norm, t->norm) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->n && strcmp(s->by_norm[lo]->norm, t->norm) == 0; lo++) {
		k = (size_t)(s->by_norm[lo] - s->items);
		found_add(x, &k, 1);
	}
	if (t->nwords < 2)
		return;
	if (x->norder < t->nwords) {
		x->order = xreallocarray(x->order, t->nwords,
		    sizeof(*x->order));
		x->norder = t->nwords;
	}
	/* t's words by rarity in s: an insertion sort, facts are short */
	for (i = 0; i < t->nwords; i++) {
		w = tab_find(&x->words, t->words[i]);
		for (j = i; j > 0 && rarer(x, w, x->order[j - 1]); j--)
			x->order[j] = x->order[j - 1];
		x->order[j] = w;
		if (w != NONE)
			found_add(x, x->rarest.at + x->rarest.off[w],
			    x->rarest.off[w + 1] - x->rarest.off[w]);
	}
	c = (4 * t->nwords + 4) / 5;
	for (i = 0; i < t->nwords - c + 1; i++)
		if ((w = x->order[i]) != NONE)
			found_add(x, x->has.at + x->has.off[w],
			    x->has.off[w + 1] - x->has.off[w]);
}

static int
same_key(const struct item *a, const struct item *b)
{
	return a->key != NULL && b->key != NULL && strcmp(a->key, b->key) == 0;
}

/*
 * The facts of ours that have t's key or say what t says, in file
 * order, in ours->ix.found; how many.  The same facts the comparison
 * of t with every fact of ours would find, for a fraction of the cost.
 */
static size_t
matches(struct side *ours, const struct item *t)
{
	struct index *x = &ours->ix;
	size_t j, n = 0;

	candidates(ours, t);
	for (j = 0; j < x->nfound; j++)
		if (same_key(t, &ours->items[x->found[j]]) ||
		    same_thing(&ours->items[x->found[j]], t) != 0)
			x->found[n++] = x->found[j];
	if (n > 1)
		qsort(x->found, n, sizeof(*x->found), cmp_size);
	x->nfound = n;
	return n;
}

/*
 * Append text; a line the output left open (the end of a file without
 * a final newline) is ended first, only when something follows it.
 */
static void
emit(struct buf *out, const char *text, size_t len)
{
	if (out->len > 0 && out->s[out->len - 1] != '\n' && len > 0)
		buf_addc(out, '\n');
	buf_add(out, text, len);
}

/* Does the text so far end with a blank line (or is it empty)? */
static int
ends_blank(const struct buf *out)
{
	return out->len == 0 || (out->len >= 2 &&
	    out->s[out->len - 1] == '\n' && out->s[out->len - 2] == '\n');
}

/*
 * Append a fact that comes from theirs into our text: anything but a
 * list item gets a blank line before it, so that it stays a block of
 * its own when read again.
 */
static void
emit_new(struct buf *out, const struct item *it)
{
	if (it->f->kind != FACT_ITEM && !ends_blank(out))
		emit(out, "\n", 1);
	emit(out, it->text, it->len);
}

/*
 * Ours' fact that says what the fact t of theirs says, looked for once
 * and kept: where theirs' new facts go depends on it.
 */
static struct item *
neighbour(struct side *ours, struct item *t)
{
	if (t->match != NULL || t->looked)
		return t->match;
	t->looked = 1;
	/* the first in file order, kept or not */
	if (matches(ours, t) > 0)
		t->match = &ours->items[ours->ix.found[0]];
	return t->match;
}

/* Removed by theirs, untouched by us: removed. */
static void
drop_removed(const struct side *base, struct side *ours,
    const struct side *theirs)
{
	size_t i;

	for (i = 0; i < ours->n; i++)
		if (has_norm(base, ours->items[i].norm) &&
		    !has_norm(theirs, ours->items[i].norm))
			ours->items[i].keep = 0;
}

/*
 * A Key: value changed on both sides, as each side wrote it: the
 * comparison is on normalised text, the user reads the original.
 */
static void
say_kept(struct buf *report, const struct item *oi, const struct item *ti)
{
	buf_adds(report, "kept ours \"");
	profile_shown(oi->f->text, oi->f->len, report);
	buf_adds(report, "\", not theirs \"");
	profile_shown(ti->f->text, ti->f->len, report);
	buf_adds(report, "\"\n");
}

/*
 * A fact ti of theirs that base does not have is added: kept, unless
 * one of ours says the same thing already (ti->match is then that
 * fact, whose text may become theirs).
 */
static void
take_added(const struct side *base, struct side *ours, struct item *ti,
    struct buf *report)
{
	struct item *oi;
	size_t j, n;
	int s;

	ti->keep = 0;
	if ((ti->match = find_norm(ours, ti->norm)) != NULL ||
	    has_norm(base, ti->norm))
		return;
	ti->keep = 1;
	/* the first of ours in file order that takes it */
	n = matches(ours, ti);
	for (j = 0; j < n && ti->keep; j++) {
		oi = &ours->items[ours->ix.found[j]];
		if (!oi->keep)
			continue;
		if (same_key(ti, oi)) {
			/* Key: value, changed on both sides */
			if (!has_norm(base, oi->norm))
				say_kept(report, oi, ti);
			else {
				/* only theirs changed it */
				oi->text = ti->text;
				oi->len = ti->len;
			}
			ti->keep = 0;
			ti->match = oi;
		} else if ((s = same_thing(oi, ti)) != 0) {
			/*
			 * Theirs is more specific: it takes our fact's
			 * place, unless another fact of theirs took it
			 * already; then both stay, for neither says what
			 * the other does.
			 */
			if (s == 2 && oi->text != oi->f->text)
				continue;
			if (s == 2) {
				oi->text = ti->text;
				oi->len = ti->len;
			}
			ti->keep = 0;
			ti->match = oi;
		}
	}
}

/*
 * Where each added fact of theirs goes: after[i] is the kept fact of
 * ours it follows (that of the nearest fact before it in theirs that
 * has one), or NULL: at the top of the section.
 */
static struct item **
place_added(struct side *ours, struct side *theirs)
{
	struct item **after, *m;
	size_t i, k;

	after = xcalloc(theirs->n + 1, sizeof(*after));
	for (i = 0; i < theirs->n; i++) {
		after[i] = NULL;
		if (!theirs->items[i].keep)
			continue;
		for (k = i; k-- > 0;) {
			if (theirs->items[k].keep) {
				/* another new fact: go where it goes */
				after[i] = after[k];
				break;
			}
			m = neighbour(ours, &theirs->items[k]);
			if (m != NULL && m->keep) {
				after[i] = m;
				break;
			}
		}
	}
	return after;
}

/*
 * Write the merged section: its heading (head's), ours' (o, may be
 * NULL) blank lines under it, theirs' new facts that go at the top,
 * then ours in order with its blank runs, each kept fact followed by
 * theirs' new facts after it.  A section only theirs has is written
 * as they wrote it, blank lines and all.
 */
static void
write_section(const struct section *o, const struct section *head,
    const struct side *ours, const struct side *theirs,
    struct item *const *after, struct buf *out)
{
	const struct fact *f;
	struct lists by = { NULL, NULL };
	size_t i, k, j, at, top, lead, np = 0, *num, *fact;

	if (head->head != NULL) {
		/* a section new to our text starts after a blank line */
		if (o == NULL && !ends_blank(out))
			emit(out, "\n", 1);
		emit(out, head->head, head->headlen);
	}
	for (k = 0, at = 0; o == NULL && k < head->n; k++) {
		f = &head->facts[k];
		if (f->kind == FACT_BLANK || theirs->items[at++].keep)
			emit(out, f->text, f->len);
	}
	if (o == NULL)
		return;
	for (lead = 0; lead < o->n && o->facts[lead].kind == FACT_BLANK;
	    lead++)
		emit(out, o->facts[lead].text, o->facts[lead].len);
	top = out->len;
	/* theirs' new facts by the fact of ours they follow, in order */
	num = xreallocarray(NULL, theirs->n + 1, sizeof(*num));
	fact = xreallocarray(NULL, theirs->n + 1, sizeof(*fact));
	for (i = 0; i < theirs->n; i++) {
		if (!theirs->items[i].keep)
			continue;
		if (after[i] == NULL)
			emit_new(out, &theirs->items[i]);
		else {
			num[np] = (size_t)(after[i] - ours->items);
			fact[np++] = i;
		}
	}
	/* a section of blank lines only: they end it again */
	if (lead == o->n && lead > 0 && out->len > top)
		emit(out, o->facts[lead - 1].text, o->facts[lead - 1].len);
	lists_make(&by, ours->n, num, fact, np);
	/* ours' facts are its section's, blank runs left out, in order */
	for (k = lead, at = 0; k < o->n; k++) {
		f = &o->facts[k];
		if (f->kind == FACT_BLANK) {
			emit(out, f->text, f->len);
			continue;
		}
		if (!ours->items[at++].keep)
			continue;
		emit(out, ours->items[at - 1].text, ours->items[at - 1].len);
		for (j = by.off[at - 1]; j < by.off[at]; j++)
			emit_new(out, &theirs->items[by.at[j]]);
	}
	free(num);
	free(fact);
	free(by.off);
	free(by.at);
}

/*
 * Merge one section: ours (may be NULL: a section only theirs has),
 * theirs (may be NULL) and base (may be NULL), onto out.
 */
static void
merge_section(const struct section *b, const struct section *o,
    const struct section *t, struct buf *out, struct buf *report)
{
	struct side base, ours, theirs;
	struct item **after;
	size_t i;

	side_of(&base, b);
	side_of(&ours, o);
	side_of(&theirs, t);
	side_index_words(&ours);
	if (t != NULL)
		drop_removed(&base, &ours, &theirs);
	for (i = 0; i < theirs.n; i++)
		take_added(&base, &ours, &theirs.items[i], report);
	after = place_added(&ours, &theirs);
	write_section(o, o != NULL ? o : t, &ours, &theirs, after, out);
	free(after);
	side_free(&base);
	side_free(&ours);
	side_free(&theirs);
}

static int
same_text(const struct profile *a, const struct profile *b)
{
	return a != NULL && b != NULL && a->len == b->len &&
	    (a->len == 0 || memcmp(a->text, b->text, a->len) == 0);
}

/* Do sections a and b hold the same facts, byte for byte? */
static int
same_facts(const struct section *a, const struct section *b)
{
	size_t k;

	for (k = 0; a->n == b->n && k < a->n; k++)
		if (a->facts[k].len != b->facts[k].len ||
		    memcmp(a->facts[k].text, b->facts[k].text, a->facts[k].len))
			return 0;
	return a->n == b->n;
}

/*
 * Three-way merge of profiles (base may be an empty profile): the
 * result goes to out; a Key: value changed on both sides is reported,
 * one line each, to report.
 */
void
profile_merge(const struct profile *base, const struct profile *ours,
    const struct profile *theirs, struct buf *out, struct buf *report)
{
	const struct section *b, *t;
	char *key;
	size_t i;

	/*
	 * One side as base left it: the other side is the result, as it
	 * is.  This is what makes stations converge: one that only
	 * takes the hub's profile takes its bytes, order and all.
	 */
	if (same_text(ours, base) || same_text(ours, theirs)) {
		buf_add(out, theirs->text, theirs->len);
		return;
	}
	if (same_text(theirs, base)) {
		buf_add(out, ours->text, ours->len);
		return;
	}
	for (i = 0; i < ours->n; i++) {
		key = profile_section_key(&ours->sections[i]);
		b = profile_section(base, key);
		t = profile_section(theirs, key);
		/* a section theirs dropped whole and we left as it was */
		if (b != NULL && t == NULL && ours->sections[i].head != NULL &&
		    same_facts(b, &ours->sections[i])) {
			free(key);
			continue;
		}
		merge_section(b, &ours->sections[i], t, out, report);
		free(key);
	}
	/* sections only theirs has, in their order, unless we removed them */
	for (i = 0; i < theirs->n; i++) {
		key = profile_section_key(&theirs->sections[i]);
		if (profile_section(ours, key) == NULL &&
		    profile_section(base, key) == NULL)
			merge_section(NULL, NULL, &theirs->sections[i], out,
			    report);
		free(key);
	}
}
