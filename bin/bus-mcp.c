/*
 * bus-mcp: the bus as a Model Context Protocol server over stdio, for
 * an agent's harness: each tool call runs the bus tool that does it
 * (src/mcp.c, src/mcptools.c).
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "mcp.h"
#include "msg.h"
#include "common/version.h"

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-mcp [-a agent] [-C dir]\n"
	    "       bus-mcp --version\n", fp);
	exit(code);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mcp m;
	const char *agent = NULL, *dir = NULL;
	int c, rv;

	version_option(argc, argv);
	while ((c = getopt_long(argc, argv, "a:C:h", longopts, NULL)) != -1)
		switch (c) {
		case 'a': agent = optarg; break;
		case 'C': dir = optarg; break;
		case 'h': usage(stdout, EX_OK); break;
		default: usage(stderr, EX_USAGE);
		}
	if (optind != argc)
		usage(stderr, EX_USAGE);
	if (agent != NULL && !valid_agent(agent, strlen(agent)))
		errx(EX_USAGE, "%s: not an agent name", agent);
	mcp_init(&m, dir, agent, argv[0]);
	rv = mcp_serve(&m, STDIN_FILENO, stdout);
	if (rv == -1)
		warnx("%s", bus_error());
	mcp_free(&m);
	return rv == -1 ? EX_IOERR : EX_OK;
}
