/*
 * send.c: what bus-send stages: messages to agents that exist, by name,
 * to all, or from a batch; all of them in one commit, or none.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "station.h"

/* The agents on the bus, for the sender's checks; away: see send_begin(). */
int
send_begin(struct send *s, struct station *st, int fetched, const char *away)
{
	memset(s, 0, sizeof(*s));
	s->st = st;
	s->fetched = fetched;
	s->away = away;
	s->now = time(NULL);
	return station_agents(st, &s->agents);
}

void
send_free(struct send *s)
{
	changes_free(&s->staged);
	buf_free(&s->ids);
	buf_free(&s->agents);
	buf_free(&s->chosen);
}

/*
 * Is to an agent on the bus?  An agent that joined since our last
 * fetch is found by fetching once: 1 yes, 0 no, -1 on error.
 */
static int
known(struct send *s, const char *to)
{
	if (agent_listed(&s->agents, to))
		return 1;
	if (s->away != NULL) {
		bus_seterr("inbox-%s: not known here, and %s", to, s->away);
		bus_setclass(EX_TEMPFAIL);
		return -1;
	}
	if (!s->fetched) {
		s->fetched = 1;
		if (sync_fetch(s->st) == -1) {
			if (bus_errclass() == EX_TEMPFAIL) {
				bus_seterr("inbox-%s: not known here, and %s",
				    to, bus_error());
				bus_setclass(EX_TEMPFAIL);
			}
			return -1;
		}
		if (sync_integrate(s->st) == -1 ||
		    station_agents(s->st, &s->agents) == -1)
			return -1;
	}
	return agent_listed(&s->agents, to);
}

/*
 * Stage one message; the recipient must exist.  where names the input
 * line of a --batch message in errors ("stdin:3: "), or is "".
 */
static int
stage(struct send *s, const char *where, const char *to,
    const struct send_what *w)
{
	struct msg m;
	size_t i;
	int k;

	if (!valid_agent(to, strlen(to)) || (k = known(s, to)) == 0) {
		bus_seterr("%sinbox-%s: no such agent", where, to);
		bus_setclass(EX_NOUSER);
		return -1;
	}
	if (k == -1)
		return -1;
	k = msg_new(&m, s->st->agent, to, w->type, w->body, w->bodylen, w->re,
	    w->id, s->now);
	for (i = 0; k == 0 && i < w->nfields; i++)
		k = msg_field_add(&m, w->fields[i].key, w->fields[i].value.s,
		    w->fields[i].value.len);
	if (k == -1 || station_stage(s->st, &m, &s->staged) == -1) {
		k = bus_errclass();
		bus_seterr("%s%s", where, bus_error());
		bus_setclass(k);
		msg_free(&m);	/* msg_new() zeroes m, even when it fails */
		return -1;
	}
	/* a chosen id may be taken: checked for all at once, later */
	if (w->id != NULL) {
		buf_add(&s->chosen, where, strlen(where) + 1);
		buf_addf(&s->chosen, "%s:%s", s->st->ref,
		    s->staged.c[s->staged.n - 1].path);
		buf_addc(&s->chosen, '\0');
	}
	buf_addf(&s->ids, "%s\n", m.id);
	msg_free(&m);
	return 0;
}

/* To every agent on the bus but the sender. */
int
send_all(struct send *s, const struct send_what *w)
{
	const char *p;

	for (p = NULL; (p = strvec_next(&s->agents, p)) != NULL; )
		if (strcmp(p, s->st->agent) != 0 &&
		    stage(s, "", p, w) == -1)
			return -1;
	if (s->staged.n == 0) {
		bus_seterr("no other agent on the bus");
		bus_setclass(EX_NOUSER);
		return -1;
	}
	return 0;
}

/* To each agent of a comma-separated list. */
int
send_list(struct send *s, const char *list, const struct send_what *w)
{
	char *copy = xstrdup(list), *to, *next;
	int rv = 0;

	for (to = copy; to != NULL && rv == 0; to = next) {
		if ((next = strchr(to, ',')) != NULL)
			*next++ = '\0';
		rv = stage(s, "", to, w);
	}
	free(copy);
	return rv;
}

/* --batch: one message per NDJSON line of in (which is cut into lines). */
int
send_batch(struct send *s, struct buf *in)
{
	struct buf where = BUF_INIT;
	struct batch_msg b;
	struct send_what w;
	char *line, *nl;
	size_t n = 0;
	int rv = 0;

	for (line = in->s; rv == 0 && line != NULL && line < in->s + in->len;
	    line = nl) {
		if ((nl = memchr(line, '\n', (size_t)(in->s + in->len -
		    line))) != NULL)
			*nl++ = '\0';
		buf_reset(&where);
		buf_addf(&where, "stdin:%zu: ", ++n);
		if (batch_parse(&b, line, strlen(line)) == -1) {
			bus_seterr("%s%s", where.s, bus_error());
			bus_setclass(EX_DATAERR);
			rv = -1;
		} else if (b.to != NULL) {
			w.type = b.type != NULL ? b.type : "note";
			w.body = b.body;
			w.bodylen = b.bodylen;
			w.re = b.re;
			w.id = b.id;
			w.fields = b.extra.others;
			w.nfields = b.extra.nothers;
			rv = stage(s, where.s, b.to, &w);
		}
		batch_free(&b);
	}
	buf_free(&where);
	return rv;
}

/*
 * A message file is never replaced: refuse a chosen id that its
 * recipient's inbox holds already, all of them with one git call.
 */
int
send_check_chosen(struct send *s)
{
	struct strvec names = STRVEC_INIT, where = STRVEC_INIT;
	struct buf out = BUF_INIT;
	const char **oids = NULL, *p;
	size_t i;
	int rv = -1;

	for (p = NULL; (p = strvec_next(&s->chosen, p)) != NULL; ) {
		strvec_push(&where, p);
		strvec_push(&names, p = strvec_next(&s->chosen, p));
	}
	if (names.n == 0)
		return 0;
	oids = xreallocarray(NULL, names.n, sizeof(*oids));
	if (git_oids(&s->st->g, names.v, names.n, &out, oids) == -1)
		goto out;
	for (i = 0; i < names.n && *oids[i] == '\0'; i++)
		;
	if (i < names.n) {
		bus_seterr("%s%s: that message exists already", where.v[i],
		    strchr(names.v[i], ':') + 1);
		bus_setclass(EX_DATAERR);
	} else
		rv = 0;
out:
	free(oids);
	strvec_clear(&names);
	strvec_clear(&where);
	buf_free(&out);
	return rv;
}

/* Commit what is staged, in one commit; its tip into tip. */
int
send_commit(struct send *s, struct buf *tip)
{
	struct buf msg = BUF_INIT;
	int rv;

	buf_addf(&msg, "bus-send: %zu message%s from %s\n", s->staged.n,
	    s->staged.n == 1 ? "" : "s", s->st->agent);
	rv = station_commit(s->st, &s->staged, msg.s, tip);
	buf_free(&msg);
	return rv;
}
