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

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

#define OVERLAP	0.8

/* A fact with what comparisons need, computed once. */
struct item {
	const struct fact *f;
	char		*norm;		/* normalised text */
	char		**words;	/* sorted, unique */
	size_t		 nwords;
	char		*key;		/* "Key" of a "Key: value" fact, or NULL */
	const char	*text;		/* what to write */
	size_t		 len;
	int		 keep;
	struct item	*match;		/* theirs: ours' fact saying the same */
	int		 looked;	/* match looked for already */
};

struct side {
	struct item	*items;
	size_t		 n;
	struct item	**by_norm;	/* sorted by norm, for lookups */
};

static int
is_word(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/*
 * The text of a fact for comparing: without its list marker, emphasis
 * marks, case and runs of white space, and trailing punctuation.
 */
static char *
normalise(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i = 0;
	int space = 0;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	/* a list marker: "-", "*", "+" or "12." "12)" */
	if (i < n && strchr("-*+", s[i]) != NULL && i + 1 < n &&
	    isspace((unsigned char)s[i + 1]))
		i += 2;
	else {
		size_t k = i;

		while (k < n && isdigit((unsigned char)s[k]))
			k++;
		if (k > i && k < n && (s[k] == '.' || s[k] == ')'))
			i = k + 1;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (strchr("*_`~", c) != NULL)
			continue;
		if (isspace(c)) {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_addc(&b, ' ');
		space = 0;
		buf_addc(&b, c < 0x80 ? tolower(c) : c);
	}
	while (b.len > 0 && strchr(".,;:!?", b.s[b.len - 1]) != NULL)
		b.len--;
	buf_grow(&b, 0);
	b.s[b.len] = '\0';
	return buf_detach(&b);
}

static int
cmp_word(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
split_words(struct item *it)
{
	const char *p = it->norm, *q;
	size_t i, u = 0;

	while (*p != '\0') {
		while (*p != '\0' && !is_word((unsigned char)*p))
			p++;
		for (q = p; *q != '\0' && is_word((unsigned char)*q); q++)
			;
		if (q == p)
			break;
		it->words = xreallocarray(it->words, it->nwords + 1,
		    sizeof(*it->words));
		it->words[it->nwords] = xstrndup(p, (size_t)(q - p));
		it->nwords++;
		p = q;
	}
	if (it->nwords > 1)
		qsort(it->words, it->nwords, sizeof(*it->words), cmp_word);
	for (i = 0; i < it->nwords; i++) {
		if (u > 0 && strcmp(it->words[u - 1], it->words[i]) == 0) {
			free(it->words[i]);
			continue;
		}
		it->words[u++] = it->words[i];
	}
	it->nwords = u;
}

/* "Key: value": the key, normalised, when the fact has that shape. */
static char *
fact_key(const char *norm)
{
	const char *colon = strstr(norm, ": ");
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - norm)) == 0 || n > 40 ||
	    memchr(norm, ' ', n) != NULL)
		return NULL;
	return strndup(norm, n);
}

static void
side_add(struct side *s, const struct fact *f)
{
	struct item *it;

	it = xreallocarray(s->items, s->n + 1, sizeof(*it));
	s->items = it;
	it += s->n++;
	memset(it, 0, sizeof(*it));
	it->f = f;
	it->text = f->text;
	it->len = f->len;
	it->norm = normalise(f->text, f->len);
	it->key = fact_key(it->norm);
	split_words(it);
	it->keep = 1;
}

static void
side_free(struct side *s)
{
	size_t i, k;

	for (i = 0; i < s->n; i++) {
		free(s->items[i].norm);
		free(s->items[i].key);
		for (k = 0; k < s->items[i].nwords; k++)
			free(s->items[i].words[k]);
		free(s->items[i].words);
	}
	free(s->items);
	free(s->by_norm);
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

/* The section of pr whose heading reads as key, or NULL. */
static const struct section *
find_section(const struct profile *pr, const char *key)
{
	size_t i;
	char *k;
	int eq;

	for (i = 0; pr != NULL && i < pr->n; i++) {
		if (pr->sections[i].head == NULL) {
			if (*key == '\0')
				return &pr->sections[i];
			continue;
		}
		k = normalise(pr->sections[i].head, pr->sections[i].headlen);
		eq = strcmp(k, key) == 0;
		free(k);
		if (eq)
			return &pr->sections[i];
	}
	return NULL;
}

static char *
section_key(const struct section *sec)
{
	return sec->head != NULL ? normalise(sec->head, sec->headlen) :
	    strdup("");
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

/*
 * Append a fact that comes from theirs into our text: anything but a
 * list item gets a blank line before it, so that it stays a block of
 * its own when read again.
 */
static void
emit_new(struct buf *out, const struct item *it)
{
	if (it->f->kind != FACT_ITEM && out->len > 0 &&
	    !(out->len >= 2 && out->s[out->len - 1] == '\n' &&
	    out->s[out->len - 2] == '\n'))
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
	size_t k;

	if (t->match != NULL || t->looked)
		return t->match;
	t->looked = 1;
	for (k = 0; k < ours->n && t->match == NULL; k++)
		if ((t->key != NULL && ours->items[k].key != NULL &&
		    strcmp(t->key, ours->items[k].key) == 0) ||
		    same_thing(&ours->items[k], t) != 0)
			t->match = &ours->items[k];
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
 * A fact ti of theirs that base does not have is added: kept, unless
 * one of ours says the same thing already (ti->match is then that
 * fact, whose text may become theirs).
 */
static void
take_added(const struct side *base, struct side *ours, struct item *ti,
    struct buf *report)
{
	struct item *oi;
	size_t k;
	int s;

	ti->keep = 0;
	if ((ti->match = find_norm(ours, ti->norm)) != NULL ||
	    has_norm(base, ti->norm))
		return;
	ti->keep = 1;
	for (k = 0; k < ours->n && ti->keep; k++) {
		oi = &ours->items[k];
		if (!oi->keep)
			continue;
		if (ti->key != NULL && oi->key != NULL &&
		    strcmp(ti->key, oi->key) == 0) {
			/* Key: value, changed on both sides */
			if (!has_norm(base, oi->norm))
				buf_addf(report, "%s: kept ours, "
				    "\"%s\"; theirs said \"%s\"\n",
				    oi->key, oi->norm, ti->norm);
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
 * Write the merged section: its heading (head's), theirs' new facts
 * that go at the top, then ours (o, may be NULL) in order with its
 * blank runs, each kept fact followed by theirs' new facts after it.
 */
static void
write_section(const struct section *o, const struct section *head,
    const struct side *ours, const struct side *theirs,
    struct item *const *after, struct buf *out)
{
	const struct fact *f;
	size_t i, k, at;

	if (head->head != NULL) {
		/* a section new to our text starts after a blank line */
		if (o == NULL && out->len > 0 && !(out->len >= 2 &&
		    out->s[out->len - 1] == '\n' &&
		    out->s[out->len - 2] == '\n'))
			emit(out, "\n", 1);
		emit(out, head->head, head->headlen);
	}
	for (i = 0; i < theirs->n; i++)
		if (theirs->items[i].keep && after[i] == NULL)
			emit_new(out, &theirs->items[i]);
	for (k = 0; o != NULL && k < o->n; k++) {
		f = &o->facts[k];
		if (f->kind == FACT_BLANK) {
			emit(out, f->text, f->len);
			continue;
		}
		for (at = 0; at < ours->n && ours->items[at].f != f; at++)
			;
		if (at == ours->n || !ours->items[at].keep)
			continue;
		emit(out, ours->items[at].text, ours->items[at].len);
		for (i = 0; i < theirs->n; i++)
			if (theirs->items[i].keep &&
			    after[i] == &ours->items[at])
				emit_new(out, &theirs->items[i]);
	}
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
		key = section_key(&ours->sections[i]);
		b = find_section(base, key);
		t = find_section(theirs, key);
		/* a section theirs dropped whole and we left as it was */
		if (b != NULL && t == NULL && base != NULL && ours->n > 0 &&
		    b->n == ours->sections[i].n) {
			struct buf a = BUF_INIT, c = BUF_INIT;
			size_t k;

			for (k = 0; k < b->n; k++)
				buf_add(&a, b->facts[k].text, b->facts[k].len);
			for (k = 0; k < ours->sections[i].n; k++)
				buf_add(&c, ours->sections[i].facts[k].text,
				    ours->sections[i].facts[k].len);
			if (a.len == c.len && (a.len == 0 ||
			    memcmp(a.s, c.s, a.len) == 0) &&
			    ours->sections[i].head != NULL) {
				buf_free(&a);
				buf_free(&c);
				free(key);
				continue;
			}
			buf_free(&a);
			buf_free(&c);
		}
		merge_section(b, &ours->sections[i], t, out, report);
		free(key);
	}
	/* sections only theirs has, in their order, unless we removed them */
	for (i = 0; i < theirs->n; i++) {
		key = section_key(&theirs->sections[i]);
		if (find_section(ours, key) == NULL &&
		    find_section(base, key) == NULL)
			merge_section(NULL, NULL, &theirs->sections[i], out,
			    report);
		free(key);
	}
}
