/*
 * thread.c: the threads that re links messages into (SPEC section 5,
 * bus-show -T), and their order.
 *
 * A message names the one it answers, not its replies, so finding the
 * replies means an index.  The station keeps one, $GIT_DIR/bus-threads,
 * made from its branch's tree and brought up to date from the tree it
 * was last brought to: a message file never changes, so the files added
 * since are all there is to read.  Its first line is "bus-threads 1
 * TREE"; then two lines per reply, sorted bytewise:
 *
 *	<ID RE		ID answers RE
 *	>RE ID		RE is answered by ID
 *
 * A thread is read from the mapped file by binary search, a few pages a
 * message, so its cost grows with the thread, not with the archive.
 * The index is the station's own: lost or damaged, it is made again.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "station.h"

#define INDEX_FILE	"bus-threads"
#define INDEX_MAGIC	"bus-threads 1 "

struct index {
	char		*map;		/* the file; NULL when empty */
	size_t		 len;
	size_t		 body;		/* the offset of the first pair */
};

/* A set of ids: open addressing, for the walk through a thread. */
struct idset {
	const char	**slot;
	size_t		 cap;
	size_t		 n;
};

static size_t
id_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of id in set: where it is, or the free one it would take. */
static size_t
idset_slot(const struct idset *set, const char *id)
{
	size_t i;

	for (i = id_hash(id) & (set->cap - 1); set->slot[i] != NULL &&
	    strcmp(set->slot[i], id) != 0; i = (i + 1) & (set->cap - 1))
		;
	return i;
}

/* Add a copy of id: 1 when it is new, 0 when it was there. */
static int
idset_add(struct idset *set, const char *id)
{
	const char **old = set->slot;
	size_t i, cap = set->cap;

	if (2 * (set->n + 1) > set->cap) {
		set->cap = cap == 0 ? 64 : 2 * cap;
		set->slot = xcalloc(set->cap, sizeof(*set->slot));
		for (i = 0; i < cap; i++)
			if (old[i] != NULL)
				set->slot[idset_slot(set, old[i])] = old[i];
		free(old);
	}
	i = idset_slot(set, id);
	if (set->slot[i] != NULL)
		return 0;
	set->slot[i] = xstrdup(id);
	set->n++;
	return 1;
}

static void
idset_free(struct idset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free((char *)set->slot[i]);
	free(set->slot);
	memset(set, 0, sizeof(*set));
}

static void
index_unmap(struct index *ix)
{
	if (ix->map != NULL)
		munmap(ix->map, ix->len);
	memset(ix, 0, sizeof(*ix));
}

/*
 * Map the index at path, and the tree it was made from into tree; an
 * index that is missing or not ours reads as empty, from no tree.
 */
static void
index_map(const char *path, struct index *ix, struct buf *tree)
{
	struct stat sb;
	const char *nl;
	size_t hex;
	int fd;

	memset(ix, 0, sizeof(*ix));
	buf_reset(tree);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &sb) == 0 && sb.st_size > 0 &&
	    (ix->map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE,
	    fd, 0)) == MAP_FAILED)
		ix->map = NULL;
	close(fd);
	if (ix->map == NULL)
		return;
	ix->len = (size_t)sb.st_size;
	nl = memchr(ix->map, '\n', ix->len);
	hex = nl == NULL ? 0 : (size_t)(nl - ix->map) - strlen(INDEX_MAGIC);
	if (nl == NULL || ix->map[ix->len - 1] != '\n' ||
	    (size_t)(nl - ix->map) <= strlen(INDEX_MAGIC) ||
	    memcmp(ix->map, INDEX_MAGIC, strlen(INDEX_MAGIC)) != 0 ||
	    strspn(ix->map + strlen(INDEX_MAGIC), "0123456789abcdef") !=
	    hex) {
		index_unmap(ix);
		return;
	}
	buf_add(tree, ix->map + strlen(INDEX_MAGIC), hex);
	ix->body = (size_t)(nl - ix->map) + 1;
}

/*
 * The pairs of the messages in tree that are not in old ("" for none):
 * the files added between them, read in one cat-file --batch; a file
 * that is not a valid message is passed over.
 */
static int
index_added(struct station *st, const char *old, const char *tree,
    struct strvec *pairs)
{
	static const char *const opts[] = { "--diff-filter=A", "--no-renames",
	    NULL };
	struct buf diff = BUF_INIT, data = BUF_INIT, why = BUF_INIT;
	struct strvec oids = STRVEC_INIT;
	struct cat_obj *obj = NULL;
	struct msg_path mp;
	struct msg m;
	char *meta, *path;
	size_t i;
	int rv = -1;

	if (git_diff_tree(&st->g, old, tree, opts, &diff) == -1)
		goto out;
	/* ":oldmode newmode oldoid newoid A\0path\0" */
	for (meta = NULL; (meta = strvec_next(&diff, meta)) != NULL &&
	    (path = strvec_next(&diff, meta)) != NULL; meta = path) {
		buf_reset(&why);
		if (strncmp(meta, ":000000 100644 ", 15) != 0 ||
		    msg_path_parse(&mp, path, &why) == -1 ||
		    strchr(meta + 15, ' ') == NULL)
			continue;
		strvec_pushf(&oids, "%.*s", (int)strcspn(strchr(meta + 15,
		    ' ') + 1, " "), strchr(meta + 15, ' ') + 1);
	}
	obj = xreallocarray(NULL, oids.n + 1, sizeof(*obj));
	if (git_cat_batch(&st->g, oids.v, oids.n, &data, obj) == -1)
		goto out;
	for (i = 0; i < oids.n; i++) {
		if (obj[i].missing || msg_parse(&m, obj[i].data, obj[i].size,
		    st->maxsize, &why) == -1)
			continue;
		if (m.re != NULL) {
			strvec_pushf(pairs, "<%s %s", m.id, m.re);
			strvec_pushf(pairs, ">%s %s", m.re, m.id);
		}
		msg_free(&m);
	}
	rv = 0;
out:
	strvec_clear(&oids);
	free(obj);
	buf_free(&diff);
	buf_free(&data);
	buf_free(&why);
	return rv;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Bring the index at path up to tree: its pairs and those of the
 * messages added since, sorted and each once, written atomically.  Two
 * commands writing it at once both write the truth.
 */
static int
index_write(struct station *st, const char *path, struct index *ix,
    const char *old, const char *tree)
{
	struct strvec pairs = STRVEC_INIT;
	struct buf text = BUF_INIT;
	const char *p, *nl, *end = ix->map + ix->len;
	size_t i;
	int rv = -1;

	if (index_added(st, old, tree, &pairs) == -1) {
		/* the tree it was made from is gone: make it anew */
		if (*old == '\0' || index_added(st, "", tree, &pairs) == -1)
			goto out;
		index_unmap(ix);
	}
	for (p = ix->map + ix->body; ix->map != NULL && p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		strvec_pushf(&pairs, "%.*s", (int)(nl - p), p);
	}
	qsort(pairs.v, pairs.n, sizeof(*pairs.v), cmp_str);
	buf_addf(&text, "%s%s\n", INDEX_MAGIC, tree);
	for (i = 0; i < pairs.n; i++)
		if (i == 0 || strcmp(pairs.v[i], pairs.v[i - 1]) != 0)
			buf_addf(&text, "%s\n", pairs.v[i]);
	rv = file_write_atomic(path, text.s, text.len, 0666);
out:
	strvec_clear(&pairs);
	buf_free(&text);
	return rv;
}

/* The index, up to date with the station's branch, mapped into ix. */
static int
index_open(struct station *st, struct index *ix)
{
	struct buf path = BUF_INIT, tree = BUF_INIT, spec = BUF_INIT;
	struct buf old = BUF_INIT;
	int rv = -1;

	station_path(st, INDEX_FILE, &path);
	buf_addf(&spec, "%s^{tree}", st->ref);
	if (git(&st->g, &tree, "rev-parse", "--verify", "-q", spec.s,
	    NULL) != 0) {
		bus_seterr("%s: no such branch in the station", st->branch);
		goto out;
	}
	buf_rtrim(&tree);
	index_map(path.s, ix, &old);
	if (strcmp(old.s != NULL ? old.s : "", tree.s) != 0) {
		if (index_write(st, path.s, ix, old.s != NULL ? old.s : "",
		    tree.s) == -1)
			goto out;
		index_unmap(ix);
		index_map(path.s, ix, &old);
	}
	rv = 0;
out:
	buf_free(&path);
	buf_free(&tree);
	buf_free(&spec);
	buf_free(&old);
	return rv;
}

/*
 * The ids the index pairs with id in the relation rel ('<': the one it
 * answers, '>': its replies), each pushed onto out: the first line not
 * before "<rel>id " is found by halving, as look(1) does.
 */
static void
index_look(const struct index *ix, int rel, const char *id,
    struct strvec *out)
{
	struct buf key = BUF_INIT;
	const char *end = ix->map + ix->len, *line, *nl;
	size_t lo = ix->body, hi = ix->len, mid, len;
	int c;

	if (ix->map == NULL)
		return;
	buf_addf(&key, "%c%s ", rel, id);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		while (mid > lo && ix->map[mid - 1] != '\n')
			mid--;
		line = ix->map + mid;
		nl = memchr(line, '\n', (size_t)(end - line));
		len = (size_t)(nl - line);
		c = memcmp(line, key.s, len < key.len ? len : key.len);
		if (c < 0 || (c == 0 && len < key.len))
			lo = (size_t)(nl - ix->map) + 1;
		else
			hi = mid;
	}
	for (line = ix->map + lo; line < end && (size_t)(end - line) >
	    key.len && memcmp(line, key.s, key.len) == 0; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		strvec_pushf(out, "%.*s", (int)(nl - line - key.len),
		    line + key.len);
	}
	buf_free(&key);
}

/*
 * Every id in the threads of ids: those that re links them to, either
 * way, each once (the ids themselves first).  Cycles end where an id
 * comes round again; the walk is a queue, not a recursion, so a chain of
 * any length is safe.
 */
int
thread_ids(struct station *st, const char *const *ids, size_t n,
    struct strvec *out)
{
	struct index ix;
	struct idset seen = { NULL, 0, 0 };
	struct strvec near = STRVEC_INIT;
	size_t i, j;

	if (index_open(st, &ix) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (idset_add(&seen, ids[i]))
			strvec_push(out, ids[i]);
	for (i = 0; i < out->n; i++) {
		strvec_clear(&near);
		index_look(&ix, '<', out->v[i], &near);
		index_look(&ix, '>', out->v[i], &near);
		for (j = 0; j < near.n; j++)
			if (valid_id(near.v[j], strlen(near.v[j])) &&
			    idset_add(&seen, near.v[j]))
				strvec_push(out, near.v[j]);
	}
	idset_free(&seen);
	strvec_clear(&near);
	index_unmap(&ix);
	return 0;
}

/* A message of the thread: the files of one id, sh->msgs[first..+n). */
struct node {
	size_t		 first;
	size_t		 n;
	const struct msg *m;		/* the first's: its ts, id and re */
	int		 done;
};

static int
by_time(const void *x, const void *y)
{
	const struct node *a = *(const struct node *const *)x;
	const struct node *b = *(const struct node *const *)y;
	int c = ts_cmp(a->m->ts, b->m->ts);

	return c != 0 ? c : strcmp(a->m->id, b->m->id);
}

static const char *
re_of(const struct node *x)
{
	return x->m->re != NULL ? x->m->re : "";
}

/* Replies grouped by the id they answer, each group by time. */
static int
by_re(const void *x, const void *y)
{
	int c = strcmp(re_of(*(const struct node *const *)x),
	    re_of(*(const struct node *const *)y));

	return c != 0 ? c : by_time(x, y);
}

/* The first of the n nodes in byre that answer id. */
static size_t
replies_of(struct node *const *byre, size_t n, const char *id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(re_of(byre[mid]), id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Put the files of root and of every reply under it, depth first, onto
 * order: each reply after the message it answers, whatever the clocks
 * said, siblings by time.  An explicit stack (room for twice the nodes:
 * each is pushed as a root or as a reply, once), and each node taken
 * once, so that neither a long chain nor a cycle can hurt.
 */
static void
walk(struct node *root, struct node *const *byre, size_t nn,
    struct node **stack, size_t *order, size_t *norder)
{
	struct node *x;
	size_t top = 0, i, j, end;

	stack[top++] = root;
	while (top > 0) {
		if ((x = stack[--top])->done)
			continue;
		x->done = 1;
		for (i = 0; i < x->n; i++)
			order[(*norder)++] = x->first + i;
		i = replies_of(byre, nn, x->m->id);
		for (end = i; end < nn && strcmp(re_of(byre[end]),
		    x->m->id) == 0; end++)
			;
		/* the oldest reply on top */
		for (j = end; j > i; j--)
			if (!byre[j - 1]->done)
				stack[top++] = byre[j - 1];
	}
}

/*
 * The messages of sh (sorted by id, as show_lookup() leaves them) in
 * thread order, as indices into sh->msgs, into order[sh->n].  The roots
 * are the messages that answer none of the others, oldest first; a
 * cycle has none, and starts from its oldest message.
 */
void
thread_order(const struct show *sh, size_t *order)
{
	struct node *nodes, **bytime, **byre, **stack;
	size_t nn = 0, i, norder = 0, first;

	nodes = xcalloc(sh->n + 1, sizeof(*nodes));
	for (i = 0; i < sh->n; i += nodes[nn++].n) {
		nodes[nn].first = i;
		nodes[nn].m = &sh->msgs[i].im.m;
		nodes[nn].n = show_find(sh, sh->msgs[i].im.m.id, &first);
	}
	bytime = xcalloc(nn + 1, sizeof(*bytime));
	byre = xcalloc(nn + 1, sizeof(*byre));
	stack = xcalloc(2 * nn + 1, sizeof(*stack));
	for (i = 0; i < nn; i++)
		bytime[i] = byre[i] = &nodes[i];
	qsort(bytime, nn, sizeof(*bytime), by_time);
	qsort(byre, nn, sizeof(*byre), by_re);
	for (i = 0; i < nn; i++)
		if (bytime[i]->m->re == NULL ||
		    show_find(sh, bytime[i]->m->re, &first) == 0)
			walk(bytime[i], byre, nn, stack, order, &norder);
	for (i = 0; i < nn; i++)
		walk(bytime[i], byre, nn, stack, order, &norder);
	free(nodes);
	free(bytime);
	free(byre);
	free(stack);
}
