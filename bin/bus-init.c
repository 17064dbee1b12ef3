/*
 * bus-init: make a hub, or a station for one agent (SPEC section 5).
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "station.h"
#include "common/version.h"

static void
usage(FILE *fp, int code)
{
	fputs("usage: bus-init [-qv] --hub [--direct] dir\n"
	    "       bus-init [-qv] [--bare | --full] [--sign-key file] -a agent "
	    "hub [dir]\n"
	    "       bus-init --version\n", fp);
	exit(code);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "bare", no_argument, NULL, 'B' },
		{ "direct", no_argument, NULL, 'D' },
		{ "full", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "hub", no_argument, NULL, 'H' },
		{ "sign-key", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf where = BUF_INIT;
	const char *agent = NULL, *key = NULL;
	FILE *trace = NULL;
	enum station_tree tree = TREE_SPARSE;
	int c, hub = 0, direct = 0;

	version_option(argc, argv);
	while ((c = getopt_long(argc, argv, "a:hqv", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': agent = optarg; break;
		case 'B': tree = TREE_BARE; break;
		case 'D': direct = 1; break;
		case 'F': tree = TREE_FULL; break;
		case 'H': hub = 1; break;
		case 'h': usage(stdout, EX_OK); break;
		case 'q':
			break;
		case 'S': key = optarg; break;
		case 'v': trace = stderr; break;
		default: usage(stderr, EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;

	if (hub) {
		if (argc != 1 || agent != NULL || tree != TREE_SPARSE ||
		    key != NULL)
			usage(stderr, EX_USAGE);
		if (hub_create(argv[0], direct, trace) == -1)
			errx(bus_errclass(), "%s", bus_error());
		return EX_OK;
	}
	if (agent == NULL || argc < 1 || argc > 2 || direct)
		usage(stderr, EX_USAGE);
	if (station_create(agent, argv[0], argc == 2 ? argv[1] : NULL, tree,
	    key, trace, &where) == -1) {
		if (where.len > 0 && bus_errclass() == EX_TEMPFAIL)
			puts(where.s);
		errx(bus_errclass(), "%s", bus_error());
	}
	puts(where.s);
	buf_free(&where);
	return EX_OK;
}
