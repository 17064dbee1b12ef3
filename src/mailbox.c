/*
 * mailbox.c: the messages on a station's branch: which agents have an
 * inbox, what an inbox holds, and staging the changes that deliver a
 * new message or archive a read one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station.h"

/*
 * The agents on the branch: one per inbox-<agent>/ directory at the
 * top of the tree, as a NUL-separated list in out.
 */
int
station_agents(struct station *st, struct buf *out)
{
	struct buf list = BUF_INIT;
	const char *p;
	size_t n;

	buf_reset(out);
	if (git(&st->g, &list, "ls-tree", "-z", "-d", "--name-only",
	    st->ref, NULL) != 0) {
		buf_free(&list);
		return -1;
	}
	for (p = NULL; (p = strvec_next(&list, p)) != NULL; ) {
		n = strlen(p);
		if (n > 6 && strncmp(p, "inbox-", 6) == 0 &&
		    valid_agent(p + 6, n - 6))
			buf_add(out, p + 6, n - 5);
	}
	buf_free(&list);
	return 0;
}

/* Does path exist on the branch? */
int
station_has(struct station *st, const char *path)
{
	struct buf spec = BUF_INIT;
	int rv;

	buf_addf(&spec, "%s:%s", st->ref, path);
	rv = git(&st->g, NULL, "cat-file", "-e", spec.s, NULL);
	buf_free(&spec);
	return rv == 0;
}

/* Is agent one of the NUL-separated list? */
int
agent_listed(const struct buf *agents, const char *agent)
{
	const char *p;

	for (p = NULL; (p = strvec_next(agents, p)) != NULL; )
		if (strcmp(p, agent) == 0)
			return 1;
	return 0;
}

/*
 * Write message m (canonical form) as a blob and add it to the
 * changes, in the inbox of its recipient.  Our own output is checked
 * like anybody's, so that the hub never has to refuse it.
 */
int
station_stage(struct station *st, const struct msg *m, struct changes *c)
{
	struct buf text = BUF_INIT, why = BUF_INIT, path = BUF_INIT;
	struct msg check;
	int rv = -1;

	msg_write(m, &text);
	if (msg_parse(&check, text.s, text.len, st->maxsize, &why) == -1) {
		buf_rtrim(&why);
		/* the id is new to the user: name the recipient */
		bus_seterr("the message to %s: %s", m->to, why.s);
		bus_setclass(EX_DATAERR);
		goto out;
	}
	msg_free(&check);
	buf_addf(&path, "inbox-%s/%s.json", m->to, m->id);
	if (changes_has(c, path.s)) {
		bus_seterr("%s: the same message twice", path.s);
		bus_setclass(EX_DATAERR);
		goto out;
	}
	changes_add_data(c, path.s, text.s, text.len);
	sent_note(c, m);
	rv = 0;
out:
	buf_free(&text);
	buf_free(&why);
	buf_free(&path);
	return rv;
}

/*
 * Stage a message of type with body from the station's agent to every
 * other agent on the branch.  Returns how many were staged, or -1.
 */
int
station_stage_others(struct station *st, const char *type, const char *body,
    size_t len, struct changes *c)
{
	struct buf agents = BUF_INIT;
	struct msg m;
	const char *p;
	time_t now = time(NULL);
	int n = 0;

	if (station_agents(st, &agents) == -1)
		return -1;
	for (p = NULL; (p = strvec_next(&agents, p)) != NULL; ) {
		if (strcmp(p, st->agent) == 0)
			continue;
		if (msg_new(&m, st->agent, p, type, body, len, NULL, NULL,
		    now) == -1) {
			n = -1;
			break;
		}
		if (station_stage(st, &m, c) == -1)
			n = -1;
		msg_free(&m);
		if (n == -1)
			break;
		n++;
	}
	buf_free(&agents);
	return n;
}

/* Each line of why, as "path: line", onto bad. */
static void
why_lines(struct buf *bad, const char *path, const struct buf *why)
{
	const char *line, *nl;

	for (line = why->s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1)
		buf_addf(bad, "%s: %.*s\n", path, (int)(nl - line), line);
}

/*
 * May the tree entry ls_line ("mode type oid", up to its tab) at path
 * be read as a message?  A symlink, a submodule, an executable, a path
 * outside the mailboxes or one added by a commit this station could not
 * verify is not: 0, or -1 with "path: why" added to bad.
 */
int
station_msg_admit(struct station *st, const char *ls_line, const char *path,
    struct buf *bad)
{
	struct buf why = BUF_INIT;
	struct msg_path mp;
	const char *from;
	int rv = -1;

	if (strncmp(ls_line, "100644 blob ", 12) != 0)
		buf_addf(bad, "%s: not a regular file\n", path);
	else if (msg_path_parse(&mp, path, &why) == -1)
		buf_addf(bad, "%s: %s", path, why.s);
	else if ((from = verify_path_untrusted(st, path)) != NULL)
		buf_addf(bad, "%s: added by commit %.12s, which this "
		    "station could not verify (bus.requireSigned)\n", path,
		    from);
	else
		rv = 0;
	buf_free(&why);
	return rv;
}

/*
 * Parse the blob obj (oid) read at path, admitted by station_msg_admit(),
 * into im: 0, or -1 with "path: why" lines added to bad when it is not
 * a valid message, or not one that belongs there.
 */
int
station_msg_take(struct station *st, const char *path, const char *oid,
    const struct cat_obj *obj, struct inbox_msg *im, struct buf *bad)
{
	struct buf why = BUF_INIT;
	struct msg_path mp;
	int rv = -1;

	memset(im, 0, sizeof(*im));
	msg_path_parse(&mp, path, &why);
	if (obj->missing || msg_parse(&im->m, obj->data, obj->size,
	    st->maxsize, &why) == -1) {
		why_lines(bad, path, &why);
		goto out;
	}
	if (msg_check_place(&im->m, &mp, &why) == -1) {
		why_lines(bad, path, &why);
		msg_free(&im->m);
		goto out;
	}
	im->path = xstrdup(path);
	im->oid = xstrdup(oid);
	buf_add(&im->raw, obj->data, obj->size);
	rv = 0;
out:
	buf_free(&why);
	return rv;
}

static int
msg_order(const void *x, const void *y)
{
	const struct inbox_msg *a = x, *b = y;
	int c = ts_cmp(a->m.ts, b->m.ts);

	return c != 0 ? c : strcmp(a->m.id, b->m.id);
}

/*
 * Read the entries of an ls-tree listing (NUL-separated "mode type
 * oid\tpath") as messages into box, oldest first, with one git cat-file
 * --batch, however many there are.  Files that are not valid messages
 * are not returned; their paths and reasons go to bad, one "path:
 * reason" a line.
 */
static int
read_listing(struct station *st, const struct buf *list, struct inbox *box,
    struct buf *bad)
{
	struct buf out = BUF_INIT;
	struct strvec paths = STRVEC_INIT, oids = STRVEC_INIT;
	struct inbox_msg *im;
	struct cat_obj *obj = NULL;
	char *p, *tab;
	size_t i;
	int rv = -1;

	for (p = NULL; (p = strvec_next(list, p)) != NULL; ) {
		if ((tab = strchr(p, '\t')) == NULL ||
		    strcmp(path_base(tab + 1), ".keep") == 0)
			continue;
		if (station_msg_admit(st, p, tab + 1, bad) == -1)
			continue;
		strvec_push(&paths, tab + 1);
		strvec_pushf(&oids, "%.*s", (int)(tab - p - 12), p + 12);
	}
	obj = xreallocarray(NULL, paths.n + 1, sizeof(*obj));
	if (git_cat_batch(&st->g, oids.v, oids.n, &out, obj) == -1)
		goto out;
	for (i = 0; i < paths.n; i++) {
		im = xreallocarray(box->msgs, box->n + 1, sizeof(*im));
		box->msgs = im;
		if (station_msg_take(st, paths.v[i], oids.v[i], &obj[i],
		    &im[box->n], bad) == 0)
			box->n++;
	}
	if (box->n > 1)
		qsort(box->msgs, box->n, sizeof(*box->msgs), msg_order);
	rv = 0;
out:
	strvec_clear(&paths);
	strvec_clear(&oids);
	free(obj);
	buf_free(&out);
	return rv;
}

/*
 * The git command that lists directory dir of the branch, into args
 * (room for 8), its pathspec kept in spec.
 */
void
station_list_args(const struct station *st, const char *dir,
    struct buf *spec, const char **args)
{
	buf_reset(spec);
	buf_addf(spec, "%s/", dir);
	args[0] = "ls-tree";
	args[1] = "-z";
	args[2] = "--full-tree";
	args[3] = st->ref;
	args[4] = "--";
	args[5] = spec->s;
	args[6] = NULL;
}

/*
 * Read the messages in a directory of the branch (an inbox) into box,
 * as read_listing() does: one git ls-tree, unless the fetch read it
 * (ahead.c), and one git cat-file --batch.
 */
int
station_read_dir(struct station *st, const char *dir, struct inbox *box,
    struct buf *bad)
{
	const char *args[8];
	struct buf list = BUF_INIT, spec = BUF_INIT, err = BUF_INIT;
	int rv = -1;

	memset(box, 0, sizeof(*box));
	station_list_args(st, dir, &spec, args);
	if (ahead_list(st, dir, &list) ||
	    git_run(&st->g, NULL, &list, &err, args) == 0) {
		box->found = list.len > 0;  /* an agent's inbox holds a .keep */
		rv = read_listing(st, &list, box, bad);
	}
	buf_free(&list);
	buf_free(&spec);
	buf_free(&err);
	return rv;
}

/*
 * The day directories of the archive listing top (non-recursive, as
 * ls-tree prints it) from the day since to the day until ("" for no
 * bound), as pathspecs onto days; the other entries, the flat layout's
 * files, copied onto flat.
 */
static void
archive_days(const struct buf *top, const char *since, const char *until,
    struct strvec *days, struct buf *flat)
{
	const char *p, *tab, *day;

	for (p = NULL; (p = strvec_next(top, p)) != NULL; ) {
		if ((tab = strchr(p, '\t')) == NULL)
			continue;
		day = path_base(tab + 1);
		if (strncmp(p, "040000 tree ", 12) != 0 ||
		    !valid_day(day, strlen(day)))
			buf_add(flat, p, strlen(p) + 1);
		else if (strncmp(day, since, strlen(since)) >= 0 &&
		    (*until == '\0' || strncmp(day, until, 10) <= 0))
			strvec_pushf(days, "%s/", tab + 1);
	}
}

/*
 * Read agent's archive into box, as read_listing() does: with no bound
 * on the days (since and until are days, YYYY-MM-DD, or ""), one git
 * ls-tree -r of it all; else one listing of its days, then one of the
 * days in the bounds only (a thousand a process).  The flat layout's
 * files are read whatever their day.
 */
int
station_read_archive(struct station *st, const char *agent,
    const char *since, const char *until, struct inbox *box, struct buf *bad)
{
	struct buf list = BUF_INIT, top = BUF_INIT, dir = BUF_INIT;
	struct strvec days = STRVEC_INIT, args = STRVEC_INIT;
	size_t i, j;
	int rv = -1;

	memset(box, 0, sizeof(*box));
	buf_addf(&dir, "archive-%s/", agent);
	if (*since == '\0' && *until == '\0') {
		if (git(&st->g, &list, "ls-tree", "-r", "-z", "--full-tree",
		    st->ref, "--", dir.s, NULL) != 0)
			goto out;
	} else {
		if (git(&st->g, &top, "ls-tree", "-z", "--full-tree", st->ref,
		    "--", dir.s, NULL) != 0)
			goto out;
		archive_days(&top, since, until, &days, &list);
		for (i = 0; i < days.n; i = j) {
			strvec_clear(&args);
			strvec_pushv(&args, (const char *const []){ "ls-tree",
			    "-r", "-z", "--full-tree", st->ref, "--", NULL });
			for (j = i; j < days.n && j - i < 1000; j++)
				strvec_push(&args, days.v[j]);
			if (git_run(&st->g, NULL, &list, NULL, args.v) != 0)
				goto out;
		}
	}
	box->found = list.len > 0 || top.len > 0;
	rv = read_listing(st, &list, box, bad);
out:
	buf_free(&list);
	buf_free(&top);
	buf_free(&dir);
	strvec_clear(&days);
	strvec_clear(&args);
	return rv;
}

/*
 * Stage the move of im out of the agent's inbox into its archive, under
 * the UTC day of its ts: the same blob, so the hooks see a move.
 */
void
station_archive(const struct station *st, const struct inbox_msg *im,
    struct changes *c)
{
	struct buf path = BUF_INIT;

	buf_addf(&path, "archive-%s/%.10s/%s.json", st->agent, im->m.ts,
	    im->m.id);
	changes_add(c, im->path, NULL, NULL);
	changes_add_blob(c, path.s, im->oid, im->raw.s, im->raw.len);
	buf_free(&path);
}

void
inbox_msg_free(struct inbox_msg *im)
{
	msg_free(&im->m);
	free(im->path);
	free(im->oid);
	buf_free(&im->raw);
}

void
inbox_free(struct inbox *box)
{
	size_t i;

	for (i = 0; i < box->n; i++)
		inbox_msg_free(&box->msgs[i]);
	free(box->msgs);
	memset(box, 0, sizeof(*box));
}
