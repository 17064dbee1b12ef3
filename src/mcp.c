/*
 * mcp.c: bus-mcp's server: JSON-RPC 2.0 over stdio, one message a
 * line (MCP's stdio transport), in one poll loop over stdin and the
 * pipes of the tool calls in flight.  Each tools/call runs a bus tool
 * as a child (mcptools.c) and is answered when it ends, so a wait
 * blocks neither ping nor another call, and a tool that crashes is a
 * failed call, not a dead server.  The server holds no lock: the tools
 * take the station's lock themselves.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mcp.h"

#define CHUNK		65536
#define TICK_MS		200	/* poll's timeout while calls are in flight */

static const char *const versions[] = {
	"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", NULL
};

#define INSTRUCTIONS \
	"This server is the agent's station on git-bus, a message bus " \
	"between agents. Call bus_recv at the start of a task and between " \
	"steps to read the messages sent to you, act on them, then bus_ack " \
	"them (reply: true to tell the sender). bus_send sends a note, a " \
	"question or a task to other agents by name; bus_status says what " \
	"became of what you sent; bus_show shows any message or thread by " \
	"id; bus_wait waits for mail when you have nothing else to do. A " \
	"status of 75 means the hub is away: the work is kept and sent " \
	"later. Never put secrets on the bus."

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Set up m: -C dir and -a agent for every tool (either may be NULL),
 * and the tools' directory, bus-mcp's own (argv0 where /proc has none).
 */
void
mcp_init(struct mcp *m, const char *dir, const char *agent,
    const char *argv0)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	memset(m, 0, sizeof(*m));
	strvec_init(&m->common);
	if (dir != NULL) {
		strvec_push(&m->common, "-C");
		strvec_push(&m->common, dir);
	}
	if (agent != NULL) {
		strvec_push(&m->common, "-a");
		strvec_push(&m->common, agent);
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0)
		self[n] = '\0';
	else if (argv0 != NULL && strchr(argv0, '/') != NULL &&
	    realpath(argv0, self) != NULL)
		;
	else
		return;
	if ((slash = strrchr(self, '/')) != NULL) {
		*slash = '\0';
		m->tooldir = xstrdup(self[0] != '\0' ? self : "/");
	}
}

/* Write one message, a line, and flush it. */
static int
put(struct mcp *m, struct buf *msg)
{
	buf_addc(msg, '\n');
	if (fwrite(msg->s, 1, msg->len, m->out) != msg->len ||
	    fflush(m->out) == EOF) {
		bus_seterrno("stdout");
		return -1;
	}
	return 0;
}

/* Answer id (as written; NULL: null) with result. */
static int
answer(struct mcp *m, const char *id, const char *result)
{
	struct buf b = BUF_INIT;
	int rv;

	buf_addf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":%s}",
	    id != NULL ? id : "null", result);
	rv = put(m, &b);
	buf_free(&b);
	return rv;
}

/* Answer id (NULL: null) with the error code and message. */
static int
fail(struct mcp *m, const char *id, int code, const char *msg)
{
	struct buf b = BUF_INIT, safe = BUF_INIT;
	int rv;

	text_safe(&safe, msg, strlen(msg));
	buf_addf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{\"code\":%d,"
	    "\"message\":", id != NULL ? id : "null", code);
	json_put_string(&b, safe.s, safe.len);
	buf_adds(&b, "}}");
	rv = put(m, &b);
	buf_free(&b);
	buf_free(&safe);
	return rv;
}

/* The token of member key of the object at obj, or -1. */
static int
member(const struct json *j, int obj, const char *key)
{
	int k, i;

	if (obj < 0 || j->tok[obj].type != JSMN_OBJECT)
		return -1;
	for (k = 0, i = obj + 1; k < j->tok[obj].size;
	    k++, i = json_next(j, i + 1))
		if (json_key_is(j, i, key))
			return i + 1;
	return -1;
}

static int
is_null(const struct json *j, int i)
{
	return i >= 0 && j->tok[i].type == JSMN_PRIMITIVE &&
	    j->s[j->tok[i].start] == 'n';
}

/* A request id: a string, or an integer as written (no . e E). */
static int
valid_rpc_id(const struct json *j, int i)
{
	const char *s = j->s + j->tok[i].start;
	size_t n = (size_t)(j->tok[i].end - j->tok[i].start);

	if (j->tok[i].type == JSMN_STRING)
		return 1;
	return j->tok[i].type == JSMN_PRIMITIVE &&
	    strchr("-0123456789", s[0]) != NULL &&
	    memchr(s, '.', n) == NULL && memchr(s, 'e', n) == NULL &&
	    memchr(s, 'E', n) == NULL;
}

static void
call_free(struct mcp_call *c)
{
	free(c->id);
	strvec_clear(&c->argv);
	strvec_clear(&c->asked);
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->err);
	free(c);
}

/* Stop call c: SIGTERM now, SIGKILL after the grace; answer nothing. */
static void
call_cancel(struct mcp_call *c)
{
	if (c->cancelled)
		return;
	c->cancelled = 1;
	run_signal(&c->job, SIGTERM);
	c->kill_at = now_ms() + MCP_GRACE_MS;
}

/* notifications/cancelled: the call in flight named, if any, stops. */
static void
cancelled(struct mcp *m, const struct json *j, int params)
{
	struct buf id = BUF_INIT;
	struct mcp_call *c;
	int i;

	if ((i = member(j, params, "requestId")) == -1 ||
	    !valid_rpc_id(j, i))
		return;
	json_put_compact(&id, j, i);
	for (c = m->calls; c != NULL; c = c->next)
		if (strcmp(c->id, id.s) == 0)
			call_cancel(c);
	buf_free(&id);
}

/* initialize: the client's version when we speak it, else our newest. */
static int
initialize(struct mcp *m, const char *id, const struct json *j, int params)
{
	struct buf v = BUF_INIT, res = BUF_INIT;
	const char *const *p;
	const char *chosen = MCP_VERSION;
	int i, rv;

	if ((i = member(j, params, "protocolVersion")) != -1 &&
	    j->tok[i].type == JSMN_STRING) {
		json_unescape(j, i, &v);
		for (p = versions; *p != NULL; p++)
			if (v.s != NULL && strcmp(v.s, *p) == 0)
				chosen = *p;
	}
	buf_addf(&res, "{\"protocolVersion\":\"%s\",\"capabilities\":"
	    "{\"tools\":{\"listChanged\":false}},\"serverInfo\":{\"name\":"
	    "\"bus-mcp\",\"title\":\"git-bus\",\"version\":\"%s\"},"
	    "\"instructions\":\"%s\"}", chosen, PACKAGE_VERSION, INSTRUCTIONS);
	rv = answer(m, id, res.s);
	buf_free(&v);
	buf_free(&res);
	return rv;
}

/* tools/call: check it, then start the tool, or answer at once. */
static int
tools_call(struct mcp *m, const char *id, const struct json *j, int params)
{
	struct buf name = BUF_INIT, why = BUF_INIT, res = BUF_INIT;
	struct mcp_call *c = NULL;
	int n, a, rv;

	if (params == -1 || j->tok[params].type != JSMN_OBJECT)
		return fail(m, id, -32602, "params: not an object");
	if ((n = member(j, params, "name")) == -1 ||
	    j->tok[n].type != JSMN_STRING)
		return fail(m, id, -32602, "params: no tool name");
	if ((a = member(j, params, "arguments")) != -1 && is_null(j, a))
		a = -1;
	if (a != -1 && j->tok[a].type != JSMN_OBJECT)
		return fail(m, id, -32602, "arguments: not an object");
	json_unescape(j, n, &name);
	c = xcalloc(1, sizeof(*c));
	strvec_init(&c->argv);
	strvec_init(&c->asked);
	if ((c->tool = mcptools_find(name.s, name.len)) == NULL) {
		buf_addf(&why, "Unknown tool: %s", name.s);
		rv = fail(m, id, -32602, why.s);
		goto out;
	}
	if (mcptools_args(m, c, j, a, &why) == -1) {
		mcptools_error(&res, why.s);
		rv = answer(m, id, res.s);
		goto out;
	}
	c->r.argv = c->argv.v;
	c->r.in = c->in.len > 0 ? c->in.s : NULL;
	c->r.inlen = c->in.len;
	c->r.out = &c->out;
	c->r.err = &c->err;
	c->r.new_group = 1;
	if (run_start(&c->r, &c->job) == -1) {
		mcptools_error(&res, bus_error());
		rv = answer(m, id, res.s);
		goto out;
	}
	c->id = xstrdup(id);
	c->next = m->calls;
	m->calls = c;
	c = NULL;
	rv = 0;
out:
	if (c != NULL)
		call_free(c);
	buf_free(&name);
	buf_free(&why);
	buf_free(&res);
	return rv;
}

/* A request or notification with a valid id (or none), by method. */
static int
dispatch(struct mcp *m, const char *id, const struct json *j, int method,
    int params)
{
	struct buf res = BUF_INIT, why = BUF_INIT;
	int rv;

	if (params != -1 && is_null(j, params))
		params = -1;
	if (id == NULL) {			/* a notification */
		if (json_key_is(j, method, "notifications/cancelled"))
			cancelled(m, j, params);
		return 0;
	}
	if (params != -1 && j->tok[params].type != JSMN_OBJECT)
		return fail(m, id, -32602, "params: not an object");
	if (json_key_is(j, method, "initialize"))
		return initialize(m, id, j, params);
	if (json_key_is(j, method, "ping"))
		return answer(m, id, "{}");
	if (json_key_is(j, method, "tools/call"))
		return tools_call(m, id, j, params);
	if (json_key_is(j, method, "tools/list")) {
		buf_adds(&res, "{\"tools\":");
		mcptools_list(&res);
		buf_addc(&res, '}');
		rv = answer(m, id, res.s);
	} else {
		buf_adds(&why, "Method not found: ");
		json_unescape(j, method, &why);
		rv = fail(m, id, -32601, why.s);
	}
	buf_free(&res);
	buf_free(&why);
	return rv;
}

/* One line of input: a JSON-RPC message, or the error it deserves. */
static int
handle(struct mcp *m, const char *s, size_t len)
{
	struct buf id = BUF_INIT, why = BUF_INIT;
	struct json j;
	int i, method, rv;

	if (json_parse(&j, s, len) == -1) {
		buf_addf(&why, "Parse error: %s", bus_error());
		rv = fail(m, NULL, -32700, why.s);
		buf_free(&why);
		return rv;
	}
	if (j.tok[0].type != JSMN_OBJECT) {
		rv = fail(m, NULL, -32600, j.tok[0].type == JSMN_ARRAY ?
		    "Invalid request: batches are not supported" :
		    "Invalid request: not an object");
		goto out;
	}
	if ((i = member(&j, 0, "id")) != -1 && !valid_rpc_id(&j, i)) {
		rv = fail(m, NULL, -32600,
		    "Invalid request: id: not a string or an integer");
		goto out;
	}
	if (i != -1)
		json_put_compact(&id, &j, i);
	method = member(&j, 0, "method");
	if (method == -1 && (member(&j, 0, "result") != -1 ||
	    member(&j, 0, "error") != -1)) {
		rv = 0;				/* a response: we ask nothing */
		goto out;
	}
	if ((i = member(&j, 0, "jsonrpc")) == -1 ||
	    !json_key_is(&j, i, "2.0") || method == -1 ||
	    j.tok[method].type != JSMN_STRING) {
		rv = id.s == NULL && method != -1 ? 0 : fail(m, id.s, -32600,
		    method == -1 || j.tok[method].type != JSMN_STRING ?
		    "Invalid request: no method" :
		    "Invalid request: jsonrpc: not \"2.0\"");
		goto out;
	}
	rv = dispatch(m, id.s, &j, method, member(&j, 0, "params"));
out:
	json_free(&j);
	buf_free(&id);
	return rv;
}

/*
 * n bytes of input: whole lines are handled as they come; a line over
 * MCP_LINE_MAX is answered -32700 once and skipped to its newline
 * without being kept.
 */
static int
feed(struct mcp *m, const char *s, size_t n)
{
	const char *nl;
	size_t take;

	while (n > 0) {
		nl = memchr(s, '\n', n);
		take = nl != NULL ? (size_t)(nl - s) : n;
		if (!m->skipping)
			buf_add(&m->line, s, take);
		if (!m->skipping && m->line.len > MCP_LINE_MAX) {
			m->skipping = 1;
			buf_free(&m->line);
			if (fail(m, NULL, -32700, "Parse error: a message "
			    "over 8 MiB") == -1)
				return -1;
		}
		s += take;
		n -= take;
		if (nl == NULL)
			break;
		s++;
		n--;
		if (!m->skipping && m->line.len > 0 &&
		    m->line.s[m->line.len - 1] == '\r')
			m->line.len--;
		if (!m->skipping && m->line.len > 0 &&
		    handle(m, m->line.s, m->line.len) == -1)
			return -1;
		m->skipping = 0;
		buf_reset(&m->line);
	}
	return 0;
}

/* Input ended: what is left of a line, then waits are cancelled. */
static int
ended(struct mcp *m)
{
	struct mcp_call *c;

	m->eof = 1;
	if (!m->skipping && m->line.len > 0 &&
	    handle(m, m->line.s, m->line.len) == -1)
		return -1;
	buf_free(&m->line);
	for (c = m->calls; c != NULL; c = c->next)
		if (mcptools_waits(c->tool))
			call_cancel(c);
	return 0;
}

/* Answer and forget the calls whose tool has ended; kill the late. */
static int
reap(struct mcp *m)
{
	struct mcp_call **pc, *c;
	struct buf res = BUF_INIT;
	int rv = 0, done;

	for (pc = &m->calls; (c = *pc) != NULL;) {
		if (c->kill_at > 0 && now_ms() >= c->kill_at) {
			run_signal(&c->job, SIGKILL);
			c->kill_at = 0;
		}
		if ((done = run_done(&c->job)) == 0) {
			pc = &c->next;
			continue;
		}
		buf_reset(&res);
		if (done == -1)
			mcptools_error(&res, bus_error());
		else
			mcptools_result(c, &res);
		if (!c->cancelled && rv == 0)
			rv = answer(m, c->id, res.s);
		*pc = c->next;
		call_free(c);
	}
	buf_free(&res);
	return rv;
}

/* One round: poll stdin and the calls' pipes, move what is ready. */
static int
round_once(struct mcp *m, int infd, struct pollfd **pfd, size_t *cap)
{
	struct mcp_call *c;
	char chunk[CHUNK];
	size_t n = 0, need = 1;
	ssize_t r;
	int at;

	for (c = m->calls; c != NULL; c = c->next)
		need += 3;
	if (need > *cap) {
		*pfd = xreallocarray(*pfd, need, sizeof(**pfd));
		*cap = need;
	}
	if (!m->eof)
		(*pfd)[n++] = (struct pollfd){ infd, POLLIN, 0 };
	for (c = m->calls; c != NULL; c = c->next)
		n += (size_t)run_pollfds(&c->job, *pfd + n);
	if (poll(*pfd, (nfds_t)n, m->calls != NULL ? TICK_MS : -1) == -1) {
		if (errno == EINTR)
			return 0;
		bus_seterrno("poll");
		return -1;
	}
	at = m->eof ? 0 : 1;
	for (c = m->calls; c != NULL; c = c->next)
		run_io(&c->job, *pfd + at, (int)n - at);
	if (!m->eof && (*pfd)[0].revents != 0) {
		r = read(infd, chunk, sizeof(chunk));
		if (r == -1 && errno != EINTR && errno != EAGAIN) {
			bus_seterrno("stdin");
			return -1;
		}
		if (r > 0 && feed(m, chunk, (size_t)r) == -1)
			return -1;
		if (r == 0 && ended(m) == -1)
			return -1;
	}
	return reap(m);
}

/*
 * Serve requests from infd, answering on out, until infd ends and the
 * last call in flight is answered (bus_wait calls are cancelled at the
 * end of input).  Returns 0, or -1 when stdin or stdout failed.
 */
int
mcp_serve(struct mcp *m, int infd, FILE *out)
{
	struct sigaction ign, old;
	struct pollfd *pfd = NULL;
	size_t cap = 0;
	int rv = 0;

	m->out = out;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	while (rv == 0 && (!m->eof || m->calls != NULL))
		rv = round_once(m, infd, &pfd, &cap);
	sigaction(SIGPIPE, &old, NULL);
	free(pfd);
	return rv;
}

void
mcp_free(struct mcp *m)
{
	struct mcp_call *c;

	while ((c = m->calls) != NULL) {
		m->calls = c->next;
		run_signal(&c->job, SIGKILL);
		while (run_done(&c->job) == 0)
			usleep(10000);
		call_free(c);
	}
	strvec_clear(&m->common);
	free(m->tooldir);
	buf_free(&m->line);
}
