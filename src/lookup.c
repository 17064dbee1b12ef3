/*
 * lookup.c: finding a message by its id in a mailbox of the station's
 * branch, without reading the whole archive.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "station.h"

/*
 * Is id in agent's archive on the station's branch?  Its day is looked
 * up where the id says (a generated id starts with its time), then in
 * the flat layout, and only then in every day of the archive: one
 * ls-tree and one cat-file, however long the archive.  1 yes, 0 no,
 * -1 on error.
 */
int
lookup_archived(struct station *st, const char *agent, const char *id)
{
	struct buf names = BUF_INIT, out = BUF_INIT, days = BUF_INIT;
	struct buf dir = BUF_INIT;
	struct strvec v = STRVEC_INIT;
	struct cat_obj *obj = NULL;
	size_t n = 0, i;
	const char *p;
	int found = -1;

	if (strlen(id) >= 9 && id[8] == 'T')
		buf_addf(&names, "%s:archive-%s/%.4s-%.2s-%.2s/%s.json%c",
		    st->ref, agent, id, id + 4, id + 6, id, '\0');
	buf_addf(&names, "%s:archive-%s/%s.json%c", st->ref, agent, id, '\0');
	buf_addf(&dir, "archive-%s/", agent);
	if (git(&st->g, &days, "ls-tree", "-z", "-d", "--name-only", st->ref,
	    "--", dir.s, NULL) != 0)
		goto out;
	for (p = NULL; (p = strvec_next(&days, p)) != NULL; )
		buf_addf(&names, "%s:%s/%s.json%c", st->ref, p, id, '\0');
	n = strvec_split(&v, &names);
	obj = xreallocarray(NULL, n, sizeof(*obj));
	if (git_cat_batch(&st->g, v.v, n, &out, obj) == -1)
		goto out;
	for (i = 0, found = 0; i < n; i++)
		if (!obj[i].missing)
			found = 1;
out:
	strvec_clear(&v);
	free(obj);
	buf_free(&names);
	buf_free(&out);
	buf_free(&days);
	buf_free(&dir);
	return found;
}
