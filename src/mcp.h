/*
 * mcp.h: bus-mcp, a Model Context Protocol server over stdio: the
 * framing, JSON-RPC and the calls in flight (mcp.c); the tools, their
 * schemas, and the bus tool each call runs (mcptools.c).
 */
#ifndef MCP_H
#define MCP_H

#include "json.h"
#include "run.h"

#define MCP_LINE_MAX	(8 * 1024 * 1024)	/* bytes of one request */
#define MCP_GRACE_MS	2000		/* from SIGTERM to SIGKILL */
#define MCP_VERSION	"2025-11-25"	/* the newest protocol we speak */

struct mcp_tool;

/* A tools/call in flight: the bus tool it runs, and whom to answer. */
struct mcp_call {
	char		*id;		/* the request's id, as written */
	const struct mcp_tool *tool;
	struct strvec	 argv;
	struct buf	 in;		/* the tool's stdin */
	struct buf	 out;
	struct buf	 err;
	struct strvec	 asked;		/* bus_ack: the ids */
	struct run	 r;
	struct run_job	 job;
	long long	 kill_at;	/* SIGTERM sent: SIGKILL then, or 0 */
	int		 cancelled;	/* answer nothing */
	struct mcp_call	*next;
};

struct mcp {
	struct strvec	 common;	/* -C dir, -a name: for every tool */
	char		*tooldir;	/* the tools' directory, or NULL */
	FILE		*out;		/* protocol messages only */
	struct buf	 line;		/* the request being read */
	int		 skipping;	/* in a line over MCP_LINE_MAX */
	int		 eof;		/* stdin ended */
	struct mcp_call	*calls;		/* in flight */
};

/* mcp.c */
void	 mcp_init(struct mcp *, const char *, const char *, const char *);
int	 mcp_serve(struct mcp *, int, FILE *);
void	 mcp_free(struct mcp *);

/* mcptools.c */
void	 mcptools_list(struct buf *);
const struct mcp_tool *mcptools_find(const char *, size_t);
int	 mcptools_waits(const struct mcp_tool *);
int	 mcptools_args(const struct mcp *, struct mcp_call *,
	    const struct json *, int, struct buf *);
void	 mcptools_result(struct mcp_call *, struct buf *);
void	 mcptools_error(struct buf *, const char *);

#endif /* MCP_H */
