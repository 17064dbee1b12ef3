/*
 * mcptools.c: bus-mcp's tools: their schemas and descriptions, the
 * arguments of a tools/call checked and made into the argv and stdin
 * of the bus tool that does the work, and that tool's output and exit
 * status made into a CallToolResult.  The tools' own rules, locks and
 * refusals stay theirs: nothing here touches a station.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp.h"
#include "msg.h"

enum arg_kind {
	ARG_STRING,			/* a string: an option or an operand */
	ARG_BODY,			/* a string, for the tool's stdin */
	ARG_BOOL,			/* true: the flag */
	ARG_TIMEOUT,			/* seconds, 0 to 3600: --wait=N */
	ARG_IDS,			/* ids, one a line on stdin, and - */
	ARG_TO,				/* an agent or a list: to[,to...] */
	ARG_FIELDS			/* an object of strings: -F k=v */
};

enum arg_check { CHECK_NONE, CHECK_AGENT, CHECK_ID, CHECK_TYPE };

struct arg {
	const char	*name;
	enum arg_kind	 kind;
	enum arg_check	 check;
	int		 required;
	const char	*flag;		/* NULL: an operand */
};

enum tool_out {
	OUT_IDS,			/* bus-send: the ids it sent */
	OUT_ACK,			/* bus-ack --reply: the replies' ids */
	OUT_MESSAGES,			/* one message a line, as JSON */
	OUT_STATUS,			/* bus-status -f json */
	OUT_WAIT			/* bus-recv --wait: exit 1 is time */
};

struct mcp_tool {
	const char	*name;
	const char	*program;
	const char	*fixed[3];	/* options it always gets */
	const struct arg *args;
	enum tool_out	 out;
	const char	*json;		/* its entry in tools/list */
};

#define MSG_SCHEMA \
	"{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}," \
	"\"ts\":{\"type\":\"string\"},\"from\":{\"type\":\"string\"}," \
	"\"to\":{\"type\":\"string\"},\"type\":{\"type\":\"string\"}," \
	"\"body\":{\"type\":\"string\"},\"re\":{\"type\":\"string\"}}," \
	"\"required\":[\"id\",\"ts\",\"from\",\"to\",\"type\",\"body\"]}"
#define MSGS	"\"messages\":{\"type\":\"array\",\"items\":" MSG_SCHEMA "}"
#define STRS	"{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"
#define STATUS	"\"status\":{\"type\":\"integer\",\"enum\":[0,75]}," \
	"\"note\":{\"type\":\"string\"}"
#define OUTPUT(props, req) \
	",\"outputSchema\":{\"type\":\"object\",\"properties\":{" props "," \
	STATUS "},\"required\":[" req ",\"status\"]}}"
#define INPUT(props, req) \
	",\"inputSchema\":{\"type\":\"object\",\"properties\":{" props "}," \
	"\"required\":[" req "],\"additionalProperties\":false}"
#define NOTE75 " Status 75 means the hub could not be reached or was " \
	"busy: the work is safe in the station and goes out with the next " \
	"sync; it is not an error."
#define STR(d)	"{\"type\":\"string\",\"description\":\"" d "\"}"
#define BOOL(d)	"{\"type\":\"boolean\",\"description\":\"" d "\"}"

static const struct arg send_args[] = {
	{ "to", ARG_TO, CHECK_AGENT, 1, NULL },
	{ "body", ARG_BODY, CHECK_NONE, 1, NULL },
	{ "type", ARG_STRING, CHECK_TYPE, 0, "-t" },
	{ "re", ARG_STRING, CHECK_ID, 0, "-r" },
	{ "fields", ARG_FIELDS, CHECK_NONE, 0, "-F" },
	{ NULL, 0, 0, 0, NULL }
};
static const struct arg recv_args[] = {
	{ "type", ARG_STRING, CHECK_TYPE, 0, "--type" },
	{ "from", ARG_STRING, CHECK_AGENT, 0, "--from" },
	{ "archive", ARG_BOOL, CHECK_NONE, 0, "--archive" },
	{ "since", ARG_STRING, CHECK_NONE, 0, "--since" },
	{ "until", ARG_STRING, CHECK_NONE, 0, "--until" },
	{ "grep", ARG_STRING, CHECK_NONE, 0, "--grep" },
	{ NULL, 0, 0, 0, NULL }
};
static const struct arg ack_args[] = {
	{ "ids", ARG_IDS, CHECK_ID, 1, NULL },
	{ "reply", ARG_BOOL, CHECK_NONE, 0, "--reply" },
	{ NULL, 0, 0, 0, NULL }
};
static const struct arg status_args[] = {
	{ "ids", ARG_IDS, CHECK_ID, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};
static const struct arg show_args[] = {
	{ "id", ARG_STRING, CHECK_ID, 1, NULL },
	{ "thread", ARG_BOOL, CHECK_NONE, 0, "-T" },
	{ NULL, 0, 0, 0, NULL }
};
static const struct arg wait_args[] = {
	{ "timeout", ARG_TIMEOUT, CHECK_NONE, 1, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static const struct mcp_tool tools[] = {
	{ "bus_send", "bus-send", { NULL }, send_args, OUT_IDS,
	    "{\"name\":\"bus_send\",\"title\":\"Send a message\","
	    "\"description\":\"Send a message to another agent, or to "
	    "several, on the bus. Returns the id of each message sent (one "
	    "per recipient); pass an id as re to reply to it." NOTE75 "\""
	    INPUT("\"to\":{\"description\":\"an agent name, or a list of "
	    "them\",\"anyOf\":[{\"type\":\"string\"},{\"type\":\"array\","
	    "\"items\":{\"type\":\"string\"},\"minItems\":1}]},"
	    "\"body\":" STR("the text of the message") ","
	    "\"type\":" STR("the kind of message: note (the default), "
	    "question, task, ack...") ","
	    "\"re\":" STR("the id of the message this answers") ","
	    "\"fields\":{\"type\":\"object\",\"additionalProperties\":"
	    "{\"type\":\"string\"},\"description\":\"more members, such "
	    "as subject, each a string\"}", "\"to\",\"body\"")
	    OUTPUT("\"ids\":" STRS, "\"ids\"") },
	{ "bus_recv", "bus-recv", { "-f", "json", NULL }, recv_args,
	    OUT_MESSAGES,
	    "{\"name\":\"bus_recv\",\"title\":\"Receive messages\","
	    "\"description\":\"The unread messages sent to this agent, "
	    "oldest first. Call it at the start of a task and between "
	    "steps; they stay unread until acknowledged with bus_ack. With "
	    "archive, the messages already read instead." NOTE75 "\""
	    INPUT("\"type\":" STR("only messages of this type") ","
	    "\"from\":" STR("only messages from this agent") ","
	    "\"archive\":" BOOL("the read messages, not the unread") ","
	    "\"since\":" STR("with archive: not before this time, "
	    "2026-05-01 or 2026-05-01T12:00:00Z") ","
	    "\"until\":" STR("with archive: not after this time") ","
	    "\"grep\":" STR("only messages whose body or subject match "
	    "this POSIX extended regular expression"), "")
	    OUTPUT(MSGS, "\"messages\"") },
	{ "bus_ack", "bus-ack", { NULL }, ack_args, OUT_ACK,
	    "{\"name\":\"bus_ack\",\"title\":\"Acknowledge messages\","
	    "\"description\":\"Mark messages read (moved to the archive) "
	    "once dealt with; with reply, also send each sender an ack "
	    "message answering it. Returns the ids acknowledged and the "
	    "replies' ids." NOTE75 "\""
	    INPUT("\"ids\":{\"type\":\"array\",\"items\":{\"type\":"
	    "\"string\"},\"minItems\":1,\"description\":\"ids of unread "
	    "messages\"},\"reply\":" BOOL("send an ack to each sender"),
	    "\"ids\"")
	    OUTPUT("\"acked\":" STRS ",\"replies\":" STRS,
	    "\"acked\",\"replies\"") },
	{ "bus_status", "bus-status", { "-f", "json", NULL }, status_args,
	    OUT_STATUS,
	    "{\"name\":\"bus_status\",\"title\":\"What became of sent "
	    "messages\",\"description\":\"Where each message this agent sent "
	    "is: queued, delivered, read, acked or refused; without ids, the "
	    "latest sends and every agent's unread count, last message, "
	    "heartbeat and state." NOTE75 "\""
	    INPUT("\"ids\":{\"type\":\"array\",\"items\":{\"type\":"
	    "\"string\"},\"description\":\"ids of sent messages\"}", "")
	    OUTPUT("\"messages\":{\"type\":\"array\",\"items\":{\"type\":"
	    "\"object\"}},\"agents\":{\"type\":\"array\",\"items\":{\"type\":"
	    "\"object\"}}", "\"messages\",\"agents\"") },
	{ "bus_show", "bus-show", { "-f", "json", NULL }, show_args,
	    OUT_MESSAGES,
	    "{\"name\":\"bus_show\",\"title\":\"Show a message\","
	    "\"description\":\"Any message on the bus by its id, read or "
	    "not, whoever it was for; with thread, the whole conversation "
	    "that re links it into, in thread order.\""
	    INPUT("\"id\":" STR("a message id") ",\"thread\":"
	    BOOL("the whole thread"), "\"id\"")
	    OUTPUT(MSGS, "\"messages\"") },
	{ "bus_wait", "bus-recv", { "-f", "json", NULL }, wait_args,
	    OUT_WAIT,
	    "{\"name\":\"bus_wait\",\"title\":\"Wait for messages\","
	    "\"description\":\"Wait until a message arrives for this agent, "
	    "at most timeout seconds, then return the unread messages as "
	    "bus_recv does (at once if some are unread already); "
	    "timed_out is true when none came. Call it when idle and "
	    "expecting an answer.\""
	    INPUT("\"timeout\":{\"type\":\"integer\",\"minimum\":0,"
	    "\"maximum\":3600,\"description\":\"seconds\"}", "\"timeout\"")
	    OUTPUT(MSGS ",\"timed_out\":{\"type\":\"boolean\"}",
	    "\"messages\",\"timed_out\"") },
	{ NULL, NULL, { NULL }, NULL, 0, NULL }
};

/* The tools array of tools/list. */
void
mcptools_list(struct buf *b)
{
	const struct mcp_tool *t;

	buf_addc(b, '[');
	for (t = tools; t->name != NULL; t++)
		buf_addf(b, "%s%s", t == tools ? "" : ",", t->json);
	buf_addc(b, ']');
}

const struct mcp_tool *
mcptools_find(const char *name, size_t len)
{
	const struct mcp_tool *t;

	for (t = tools; t->name != NULL; t++)
		if (strlen(t->name) == len && memcmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

/* Is it bus_wait, which the end of input cancels? */
int
mcptools_waits(const struct mcp_tool *t)
{
	return t->out == OUT_WAIT;
}

/* Say in why what is wrong with argument a, its value shown safely. */
static int
refuse(struct buf *why, const struct arg *a, const char *what,
    const char *v, size_t n)
{
	buf_addf(why, "%s: ", a->name);
	if (v != NULL) {
		buf_addc(why, '"');
		text_safe(why, v, n > 80 ? 80 : n);
		buf_adds(why, n > 80 ? "...\": " : "\": ");
	}
	buf_adds(why, what);
	return -1;
}

/* The string token i into v, checked as a's check asks. */
static int
take_string(const struct arg *a, const struct json *j, int i,
    struct buf *v, struct buf *why)
{
	buf_reset(v);
	if (j->tok[i].type != JSMN_STRING)
		return refuse(why, a, "not a string", NULL, 0);
	json_unescape(j, i, v);
	if (a->kind != ARG_BODY && memchr(v->s, '\0', v->len) != NULL)
		return refuse(why, a, "holds a NUL byte", NULL, 0);
	if ((a->check == CHECK_AGENT && !valid_agent(v->s, v->len)) ||
	    (a->check == CHECK_ID && !valid_id(v->s, v->len)) ||
	    (a->check == CHECK_TYPE && !valid_type(v->s, v->len)))
		return refuse(why, a, a->check == CHECK_AGENT ?
		    "not an agent name" : a->check == CHECK_ID ?
		    "not a message id" : "not a message type", v->s, v->len);
	return 0;
}

/* A list of strings (or with ARG_TO one string) into v, sep between. */
static int
take_list(const struct arg *a, const struct json *j, int i, int sep,
    struct buf *v, struct mcp_call *c, struct buf *why)
{
	struct buf one = BUF_INIT;
	int k, e, rv = -1;

	if (a->kind == ARG_TO && j->tok[i].type == JSMN_STRING) {
		if (take_string(a, j, i, v, why) == -1)
			return -1;
		return 0;
	}
	if (j->tok[i].type != JSMN_ARRAY)
		return refuse(why, a, a->kind == ARG_TO ?
		    "not a string or an array of strings" :
		    "not an array of strings", NULL, 0);
	if (j->tok[i].size == 0 && a->required)
		return refuse(why, a, "empty", NULL, 0);
	for (k = 0, e = i + 1; k < j->tok[i].size; k++, e = json_next(j, e)) {
		if (take_string(a, j, e, &one, why) == -1)
			goto out;
		buf_addf(v, "%s%s", k > 0 && sep != '\n' ? "," : "", one.s);
		if (sep == '\n') {
			buf_addc(v, '\n');
			strvec_push(&c->asked, one.s);
		}
	}
	rv = 0;
out:
	buf_free(&one);
	return rv;
}

/* The object of strings at i as -F name=value options. */
static int
take_fields(const struct arg *a, const struct json *j, int i,
    struct strvec *opts, struct buf *why)
{
	struct buf k = BUF_INIT, v = BUF_INIT;
	int n, e, rv = -1;

	if (j->tok[i].type != JSMN_OBJECT)
		return refuse(why, a, "not an object", NULL, 0);
	for (n = 0, e = i + 1; n < j->tok[i].size;
	    n++, e = json_next(j, e + 1)) {
		buf_reset(&k);
		json_unescape(j, e, &k);
		if (k.len == 0 || memchr(k.s, '=', k.len) != NULL ||
		    memchr(k.s, '\0', k.len) != NULL) {
			refuse(why, a, "not a member name", k.s, k.len);
			goto out;
		}
		if (take_string(a, j, e + 1, &v, why) == -1)
			goto out;
		strvec_push(opts, a->flag);
		strvec_pushf(opts, "%s=%s", k.s, v.s);
	}
	rv = 0;
out:
	buf_free(&k);
	buf_free(&v);
	return rv;
}

/* bus_wait's timeout: an integer from 0 to 3600, as --wait=N. */
static int
take_timeout(const struct arg *a, const struct json *j, int i,
    struct strvec *opts, struct buf *why)
{
	const char *s = j->s + j->tok[i].start;
	size_t n = (size_t)(j->tok[i].end - j->tok[i].start);
	long v = 0;
	size_t p;

	if (j->tok[i].type != JSMN_PRIMITIVE || strchr("-0123456789",
	    s[0]) == NULL)
		return refuse(why, a, "not an integer", NULL, 0);
	for (p = s[0] == '-'; p < n && v <= 3600; p++) {
		if (s[p] < '0' || s[p] > '9')
			return refuse(why, a, "not an integer", s, n);
		v = v * 10 + (s[p] - '0');
	}
	if (s[0] == '-' || v > 3600)
		return refuse(why, a, "not from 0 to 3600 seconds", s, n);
	strvec_pushf(opts, "--wait=%ld", v);
	return 0;
}

/* Argument a, at token i, into the options, operands or stdin. */
static int
take_one(const struct arg *a, const struct json *j, int i,
    struct mcp_call *c, struct strvec *opts, struct strvec *ops,
    struct buf *why)
{
	struct buf v = BUF_INIT;
	int rv = -1;

	switch (a->kind) {
	case ARG_BOOL:
		if (j->tok[i].type != JSMN_PRIMITIVE ||
		    (j->s[j->tok[i].start] != 't' &&
		    j->s[j->tok[i].start] != 'f')) {
			refuse(why, a, "not true or false", NULL, 0);
			goto out;
		}
		if (j->s[j->tok[i].start] == 't')
			strvec_push(opts, a->flag);
		break;
	case ARG_TIMEOUT:
		if (take_timeout(a, j, i, opts, why) == -1)
			goto out;
		break;
	case ARG_FIELDS:
		if (take_fields(a, j, i, opts, why) == -1)
			goto out;
		break;
	case ARG_BODY:
		if (take_string(a, j, i, &c->in, why) == -1)
			goto out;
		break;
	case ARG_IDS:
	case ARG_TO:
		if (take_list(a, j, i, a->kind == ARG_IDS ? '\n' : ',',
		    a->kind == ARG_IDS ? &c->in : &v, c, why) == -1)
			goto out;
		if (a->kind == ARG_TO || c->asked.n > 0)
			strvec_push(ops, a->kind == ARG_TO ? v.s : "-");
		break;
	case ARG_STRING:
		if (take_string(a, j, i, &v, why) == -1)
			goto out;
		if (a->flag != NULL)
			strvec_push(opts, a->flag);
		strvec_push(a->flag != NULL ? opts : ops, v.s);
		break;
	}
	rv = 0;
out:
	buf_free(&v);
	return rv;
}

/* The tool's program: next to bus-mcp when it is there, else on PATH. */
static void
program(const struct mcp *m, const char *name, struct strvec *argv)
{
	struct buf p = BUF_INIT;

	if (m->tooldir != NULL) {
		buf_addf(&p, "%s/%s", m->tooldir, name);
		if (access(p.s, X_OK) == 0) {
			strvec_push(argv, p.s);
			buf_free(&p);
			return;
		}
	}
	buf_free(&p);
	strvec_push(argv, name);
}

/*
 * The arguments (the object at token args, or none when args is -1)
 * of a call to c->tool made into c's argv and stdin.  Returns -1 with
 * the reason in why when they are not what the tool takes.
 */
int
mcptools_args(const struct mcp *m, struct mcp_call *c,
    const struct json *j, int args, struct buf *why)
{
	struct strvec opts = STRVEC_INIT, ops = STRVEC_INIT;
	const struct arg *a;
	unsigned seen = 0;
	int k, i, rv = -1;

	for (k = 0, i = args + 1; args != -1 && k < j->tok[args].size;
	    k++, i = json_next(j, i + 1)) {
		for (a = c->tool->args; a->name != NULL; a++)
			if (json_key_is(j, i, a->name))
				break;
		if (a->name == NULL) {
			buf_adds(why, "unknown argument: ");
			json_put_compact(why, j, i);
			goto out;
		}
		if (j->tok[i + 1].type == JSMN_PRIMITIVE &&
		    j->s[j->tok[i + 1].start] == 'n')
			continue;		/* null: as if not given */
		if (take_one(a, j, i + 1, c, &opts, &ops, why) == -1)
			goto out;
		seen |= 1u << (a - c->tool->args);
	}
	for (a = c->tool->args; a->name != NULL; a++)
		if (a->required && !(seen & 1u << (a - c->tool->args))) {
			buf_addf(why, "%s: missing", a->name);
			goto out;
		}
	program(m, c->tool->program, &c->argv);
	strvec_pushv(&c->argv, m->common.v);
	strvec_pushv(&c->argv, c->tool->fixed);
	strvec_pushv(&c->argv, opts.v);
	strvec_push(&c->argv, "--");
	strvec_pushv(&c->argv, ops.v);
	rv = 0;
out:
	strvec_clear(&opts);
	strvec_clear(&ops);
	return rv;
}

/* A CallToolResult with one text block, text; sc its structured part. */
static void
put_result(struct buf *res, const struct buf *text, const struct buf *sc,
    int error)
{
	buf_adds(res, "{\"content\":[{\"type\":\"text\",\"text\":");
	if (json_put_string(res, text->s != NULL ? text->s : "",
	    text->len) == -1)
		buf_adds(res, "\"(not UTF-8)\"");
	buf_adds(res, "}]");
	if (sc != NULL)
		buf_addf(res, ",\"structuredContent\":%s", sc->s);
	if (error)
		buf_adds(res, ",\"isError\":true");
	buf_addc(res, '}');
}

/* A result with isError and the message why. */
void
mcptools_error(struct buf *res, const char *why)
{
	struct buf text = BUF_INIT;

	buf_adds(&text, why);
	put_result(res, &text, NULL, 1);
	buf_free(&text);
}

/* One line of the tool's output as JSON into sc, its text into text. */
static int
put_line(struct buf *sc, struct buf *text, const char *line, size_t n,
    int is_msg)
{
	struct json j;
	struct msg m;
	struct buf why = BUF_INIT;

	if (json_parse(&j, line, n) == -1 || j.tok[0].type != JSMN_OBJECT) {
		json_free(&j);
		return -1;
	}
	json_put_compact(sc, &j, 0);
	json_free(&j);
	memset(&m, 0, sizeof(m));
	if (is_msg && msg_parse(&m, line, n, BUS_MAX_SIZE, &why) == 0)
		format_put(text, FORMAT_TEXT, &m, NULL, '\n');
	else if (!is_msg) {
		text_safe(text, line, n);
		buf_addc(text, '\n');
	}
	msg_free(&m);
	buf_free(&why);
	return 0;
}

/*
 * The tool's output lines into sc as the array named name, and their
 * readable form into text.  With split (bus-status), the lines naming
 * an agent go to the array "agents" instead.
 */
static void
put_lines(struct mcp_call *c, struct buf *sc, struct buf *text,
    const char *name, int split)
{
	struct buf agents = BUF_INIT;
	const char *line, *nl, *end = c->out.s + c->out.len;
	size_t n = 0, na = 0;
	struct buf *to;

	buf_addf(sc, "\"%s\":[", name);
	for (line = c->out.s; line != NULL && line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		if (nl == line)
			continue;
		to = split && memmem(line, (size_t)(nl - line),
		    "{\"agent\":", 9) == line ? &agents : sc;
		if ((to == sc ? n : na) > 0)
			buf_addc(to, ',');
		if (c->tool->out == OUT_IDS || c->tool->out == OUT_ACK) {
			json_put_string(sc, line, (size_t)(nl - line));
			buf_addf(text, "%.*s\n", (int)(nl - line), line);
		} else if (put_line(to, text, line, (size_t)(nl - line),
		    !split) == -1) {
			if ((to == sc ? n : na) > 0)
				to->len--;
			continue;
		}
		*(to == sc ? &n : &na) += 1;
	}
	buf_addc(sc, ']');
	if (split)
		buf_addf(sc, ",\"agents\":[%s]", agents.s != NULL ?
		    agents.s : "");
	buf_free(&agents);
}

/* Put c->asked into sc as the array "acked". */
static void
put_asked(const struct mcp_call *c, struct buf *sc, struct buf *text)
{
	size_t i;

	buf_adds(sc, "\"acked\":[");
	for (i = 0; i < c->asked.n; i++) {
		buf_addf(sc, "%s\"%s\"", i > 0 ? "," : "", c->asked.v[i]);
		buf_addf(text, "acked %s\n", c->asked.v[i]);
	}
	buf_adds(sc, "],");
}

/* The tool's stderr, each line made safe, without the last newline. */
static void
safe_lines(struct buf *b, const struct buf *err)
{
	const char *line, *nl, *end = err->s + err->len;

	for (line = err->s; line != NULL && line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		if (b->len > 0)
			buf_addc(b, '\n');
		text_safe(b, line, (size_t)(nl - line));
	}
}

/*
 * The result of call c, whose tool has ended, into res: a failure of
 * the tool is a result with isError and the tool's message; a 75 a
 * result with the note in it.
 */
void
mcptools_result(struct mcp_call *c, struct buf *res)
{
	struct buf sc = BUF_INIT, text = BUF_INIT, err = BUF_INIT;
	int st = c->r.status, timed_out = c->tool->out == OUT_WAIT && st == 1;

	safe_lines(&err, &c->err);
	if (st != 0 && st != 75 && !timed_out) {
		if (err.len == 0)
			buf_addf(&err, "%s: exit status %d", c->tool->program,
			    st);
		mcptools_error(res, err.s);
		goto out;
	}
	buf_addc(&sc, '{');
	if (c->tool->out == OUT_ACK)
		put_asked(c, &sc, &text);
	put_lines(c, &sc, &text, c->tool->out == OUT_IDS ? "ids" :
	    c->tool->out == OUT_ACK ? "replies" : "messages",
	    c->tool->out == OUT_STATUS);
	if (c->tool->out == OUT_WAIT)
		buf_addf(&sc, ",\"timed_out\":%s", timed_out ? "true" : "false");
	buf_addf(&sc, ",\"status\":%d", st == 75 ? 75 : 0);
	if (text.len == 0)
		buf_adds(&text, timed_out ? "No message came in time.\n" :
		    "Nothing.\n");
	if (st == 75) {
		buf_adds(&sc, ",\"note\":");
		json_put_string(&sc, err.s != NULL ? err.s : "", err.len);
		buf_addf(&text, "\nStatus 75: %s\n", err.s != NULL ?
		    err.s : "");
	}
	buf_addc(&sc, '}');
	put_result(res, &text, &sc, 0);
out:
	buf_free(&sc);
	buf_free(&text);
	buf_free(&err);
}
