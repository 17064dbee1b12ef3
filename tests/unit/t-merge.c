/*
 * t-merge: properties of the profile merge on thousands of random
 * profiles and edits: a profile merged with itself is unchanged; a
 * result merged again with either side is unchanged; a fact that base
 * and both sides hold is never lost; no conflict marker appears.
 *
 * And the merge, whose pairing of facts uses an index, gives what the
 * reference gives, byte for byte: the merge as it was when it compared
 * every fact with every other, kept below as it was.
 */
#include "config.h"

#include <ctype.h>
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

/*
 * ---------------------------------------------------------------------
 * THE REFERENCE: profile_merge() as it was before its pairing used an
 * index (src/merge.c of 84158cd, copied whole, only renamed ref_merge
 * and made static).  It compares each fact of theirs with every fact
 * of ours, in file order.  Do not "fix" it: it is what the indexed
 * merge must give, byte for byte, report line for report line.
 * ---------------------------------------------------------------------
 */
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
			if (!has_norm(base, oi->norm)) {
				buf_adds(report, "kept ours \"");
				profile_shown(oi->f->text, oi->f->len, report);
				buf_adds(report, "\", not theirs \"");
				profile_shown(ti->f->text, ti->f->len, report);
				buf_adds(report, "\"\n");
			} else {
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
	size_t i, k, at, top, lead = 0;

	if (head->head != NULL) {
		/* a section new to our text starts after a blank line */
		if (o == NULL && out->len > 0 && !(out->len >= 2 &&
		    out->s[out->len - 1] == '\n' &&
		    out->s[out->len - 2] == '\n'))
			emit(out, "\n", 1);
		emit(out, head->head, head->headlen);
	}
	if (o == NULL) {
		for (k = 0, at = 0; k < head->n; k++) {
			f = &head->facts[k];
			if (f->kind == FACT_BLANK || theirs->items[at++].keep)
				emit(out, f->text, f->len);
		}
		return;
	}
	for (; lead < o->n && o->facts[lead].kind == FACT_BLANK; lead++)
		emit(out, o->facts[lead].text, o->facts[lead].len);
	top = out->len;
	for (i = 0; i < theirs->n; i++)
		if (theirs->items[i].keep && after[i] == NULL)
			emit_new(out, &theirs->items[i]);
	if (lead == o->n && lead > 0 && out->len > top)
		emit(out, o->facts[lead - 1].text, o->facts[lead - 1].len);
	for (k = lead; k < o->n; k++) {
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
static void
ref_merge(const struct profile *base, const struct profile *ours,
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

/* ------------------------- end of the reference ------------------------- */
/*
 * The indexed merge against the reference, on random profiles made to
 * pair: words from a small vocabulary, so that facts share words, hold
 * each other's or differ by one; near-duplicates (a word dropped,
 * added, moved, capitalised, emphasised, punctuated); Key: value facts
 * with few keys; paragraphs and list items; reordered, duplicated,
 * dropped and added facts; sections renamed, dropped and added.
 */

#define SAME_CASES	800
#define MAXS		4
#define MAXF		160
#define FACTLEN		200

struct gsec {
	char	head[48];		/* "": the preamble */
	char	fact[MAXF][FACTLEN];	/* each with its line ends */
	int	n;
};

struct gprof {
	struct gsec	s[MAXS];
	int		n;
};

static const char *const vocab[] = {
	"tea", "coffee", "green", "black", "strong", "milk", "sugar",
	"morning", "evening", "likes", "hates", "short", "answers", "vim",
	"tabs", "caf\xc3\xa9", "paris", "rust", "C", "go"
};
static const char *const keyname[] = {
	"Editor", "Shell", "Name", "Timezone", "editor"
};
static const char *const headname[] = {
	"User", "Food", "Work", "Tools", "user", "Food  and  drink"
};

#define NVOCAB	(sizeof(vocab) / sizeof(vocab[0]))

/* A word of the vocabulary, now and then dressed up. */
static void
gen_word(struct buf *b)
{
	const char *w = vocab[rnd(NVOCAB)];

	switch (rnd(12)) {
	case 0:
		buf_addf(b, "**%s**", w);
		break;
	case 1:
		buf_addf(b, "%c%s", w[0] >= 'a' && w[0] <= 'z' ?
		    w[0] - 'a' + 'A' : w[0], w + 1);
		break;
	default:
		buf_adds(b, w);
	}
}

static void
gen_fact(char *out)
{
	struct buf b = BUF_INIT;
	static const char *const mark[] = { "- ", "* ", "+ ", "1. ", "2) " };
	unsigned long r = rnd(10), k, nw;

	if (r < 3) {
		buf_addf(&b, "%s%s: ", r < 2 ? "- " : "",
		    keyname[rnd(sizeof(keyname) / sizeof(keyname[0]))]);
		gen_word(&b);
		if (rnd(3) == 0) {
			buf_addc(&b, ' ');
			gen_word(&b);
		}
	} else {
		if (r < 9)
			buf_adds(&b, mark[rnd(5)]);
		for (k = 0, nw = 1 + rnd(rnd(2) ? 4 : 8); k < nw; k++) {
			if (k > 0)
				buf_adds(&b, rnd(8) ? " " : "  ");
			gen_word(&b);
		}
		if (rnd(4) == 0)
			buf_addc(&b, ".!,"[rnd(3)]);
	}
	/* a paragraph ends with a blank line, so it stays one fact */
	buf_adds(&b, r == 2 || r == 9 ? "\n\n" : "\n");
	strlcpy(out, b.s, FACTLEN);
	buf_free(&b);
}

/* A fact like in, one word dropped, added, moved or dressed up. */
static void
near_fact(const char *in, char *out)
{
	char w[24][FACTLEN], *p;
	const char *q = in, *end = in + strcspn(in, "\n");
	struct buf b = BUF_INIT;
	unsigned long n = 0, i, op = rnd(5), at;

	while (q < end && n < 24) {
		size_t l = strcspn(q, " \n");

		snprintf(w[n++], FACTLEN, "%.*s", (int)l, q);
		q += l;
		q += strspn(q, " ");
	}
	at = n > 1 ? 1 + rnd(n - 1) : 0;	/* not the list marker */
	for (i = 0; i < n; i++) {
		if (op == 0 && i == at && n > 2)
			continue;			/* dropped */
		if (b.len > 0)
			buf_addc(&b, ' ');
		if (op == 3 && i == at && (p = w[i])[0] != '\0')
			buf_addf(&b, "_%s_", p);
		else
			buf_adds(&b, w[op == 2 && i == at && at + 1 < n ?
			    at + 1 : op == 2 && i == at + 1 ? at : i]);
		if (op == 1 && i == at)
			buf_addf(&b, " %s", vocab[rnd(NVOCAB)]);
	}
	if (op == 4)
		buf_addc(&b, '.');
	buf_adds(&b, end[0] == '\n' && end[1] == '\n' ? "\n\n" : "\n");
	strlcpy(out, b.s, FACTLEN);
	buf_free(&b);
}

static void
gen_profile(struct gprof *g, int big)
{
	int s, f, nf;

	memset(g, 0, sizeof(*g));
	g->n = 1 + (int)rnd(MAXS);
	for (s = 0; s < g->n; s++) {
		if (s > 0 || rnd(3) == 0)
			snprintf(g->s[s].head, sizeof(g->s[s].head), "%s%s",
			    s > 0 ? "" : "Prefs ", headname[rnd(6)]);
		nf = big ? 60 + (int)rnd(90) : (int)rnd(14);
		for (f = 0; f < nf; f++) {
			if (f > 0 && rnd(4) == 0)
				near_fact(g->s[s].fact[rnd((unsigned long)f)],
				    g->s[s].fact[f]);
			else
				gen_fact(g->s[s].fact[f]);
		}
		g->s[s].n = nf;
	}
}

/* Put fact text at position at of sec, if there is room. */
static void
put_fact(struct gsec *sec, int at, const char *text)
{
	if (sec->n == MAXF)
		return;
	memmove(sec->fact[at + 1], sec->fact[at],
	    (size_t)(sec->n - at) * FACTLEN);
	strlcpy(sec->fact[at], text, FACTLEN);
	sec->n++;
}

/* An edit: facts dropped, changed, added, moved; sections too. */
static void
gen_edit(const struct gprof *in, struct gprof *out)
{
	char tmp[FACTLEN];
	struct gsec *sec;
	int s, f;

	*out = *in;
	for (s = 0; s < out->n; s++) {
		sec = &out->s[s];
		for (f = 0; f < sec->n; f++) {
			switch (rnd(16)) {
			case 0:			/* dropped */
				memmove(sec->fact[f], sec->fact[f + 1],
				    (size_t)(sec->n - f - 1) * FACTLEN);
				sec->n--;
				break;
			case 1:			/* reworded */
				near_fact(sec->fact[f], tmp);
				strlcpy(sec->fact[f], tmp, FACTLEN);
				break;
			case 2:			/* a near-duplicate added */
				near_fact(sec->fact[f], tmp);
				put_fact(sec, f + 1, tmp);
				f++;
				break;
			case 3:			/* a new fact */
				gen_fact(tmp);
				put_fact(sec, f + 1, tmp);
				f++;
				break;
			case 4:			/* moved down one */
				if (f + 1 < sec->n) {
					memcpy(tmp, sec->fact[f], FACTLEN);
					memcpy(sec->fact[f], sec->fact[f + 1],
					    FACTLEN);
					memcpy(sec->fact[f + 1], tmp, FACTLEN);
				}
				break;
			case 5:			/* copied elsewhere */
				put_fact(sec, (int)rnd((unsigned long)sec->n +
				    1), sec->fact[f]);
				break;
			}
		}
		if (sec->n == 0 || rnd(5) == 0) {
			gen_fact(tmp);
			put_fact(sec, (int)rnd((unsigned long)sec->n + 1), tmp);
		}
	}
	if (rnd(6) == 0 && out->n > 1)		/* a section dropped */
		out->s[--out->n].n = 0;
	else if (rnd(6) == 0 && out->n < MAXS) {	/* one added */
		memset(&out->s[out->n], 0, sizeof(out->s[out->n]));
		snprintf(out->s[out->n].head, sizeof(out->s[0].head), "%s",
		    headname[rnd(6)]);
		gen_fact(out->s[out->n].fact[0]);
		out->s[out->n++].n = 1;
	}
	if (rnd(8) == 0 && out->n > 0 && out->s[out->n - 1].head[0] != '\0')
		out->s[out->n - 1].head[0] ^= 0x20;	/* case changed */
}

static void
gen_write(const struct gprof *g, struct buf *b)
{
	int s, f;

	buf_reset(b);
	for (s = 0; s < g->n; s++) {
		if (g->s[s].head[0] != '\0')
			buf_addf(b, "# %s\n\n", g->s[s].head);
		for (f = 0; f < g->s[s].n; f++)
			buf_adds(b, g->s[s].fact[f]);
		buf_addc(b, '\n');
	}
}

/* Both merges of base, ours and theirs: do they give the same? */
static int
same_as_reference(const struct buf *b, const struct buf *o,
    const struct buf *t, int *reports)
{
	struct profile pb, po, pt;
	struct buf out = BUF_INIT, rep = BUF_INIT;
	struct buf rout = BUF_INIT, rrep = BUF_INIT;
	int eq;

	profile_parse(&pb, b->s, b->len);
	profile_parse(&po, o->s, o->len);
	profile_parse(&pt, t->s, t->len);
	profile_merge(&pb, &po, &pt, &out, &rep);
	ref_merge(&pb, &po, &pt, &rout, &rrep);
	eq = same(&out, &rout) && same(&rep, &rrep);
	*reports += rep.len > 0;
	if (!eq)
		printf("# differs:\n# base:\n%s\n# ours:\n%s\n# theirs:\n%s\n"
		    "# merged:\n%s\n# reference:\n%s\n# report:\n%s\n"
		    "# reference report:\n%s\n", b->s, o->s, t->s,
		    out.s != NULL ? out.s : "", rout.s != NULL ? rout.s : "",
		    rep.s != NULL ? rep.s : "", rrep.s != NULL ? rrep.s : "");
	profile_free(&pb);
	profile_free(&po);
	profile_free(&pt);
	buf_free(&out);
	buf_free(&rep);
	buf_free(&rout);
	buf_free(&rrep);
	return eq;
}

/* SAME_CASES random cases, each merged both ways and without base. */
static void
test_same_as_reference(void)
{
	static struct gprof gb, go, gt;
	struct buf b = BUF_INIT, o = BUF_INIT, t = BUF_INIT;
	struct buf none = BUF_INIT;
	int i, differ = 0, merges = 0, reports = 0, shown = 0, ok1;

	rng = 20261201;
	buf_adds(&none, "");
	for (i = 0; i < SAME_CASES; i++) {
		gen_profile(&gb, i % 10 == 9);
		gen_edit(&gb, &go);
		gen_edit(&gb, &gt);
		gen_write(&gb, &b);
		gen_write(&go, &o);
		gen_write(&gt, &t);
		ok1 = same_as_reference(&b, &o, &t, &reports) &&
		    same_as_reference(&b, &t, &o, &reports) &&
		    same_as_reference(&none, &o, &t, &reports);
		merges += 3;
		if (!ok1 && shown++ < 1)
			printf("# case %d\n", i);
		differ += !ok1;
	}
	ok(differ == 0, "%d random cases (%d merges): the bytes and the "
	    "report lines of the reference, all-pairs merge (%d differ)",
	    SAME_CASES, merges, differ);
	ok(reports > SAME_CASES / 10, "the cases hold Key: value conflicts "
	    "(%d merges reported one)", reports);
	buf_free(&b);
	buf_free(&o);
	buf_free(&t);
	buf_free(&none);
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
	test_same_as_reference();
	buf_free(&b);
	buf_free(&o);
	buf_free(&t);
	buf_free(&r);
	buf_free(&again);
	return done_testing();
}
