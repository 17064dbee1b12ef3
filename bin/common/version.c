/*
 * version.c: --version, the same for every tool.  Given alone, it
 * prints "bus-send (git-bus) 0.1" from configure's version and exits
 * 0.  It is looked for before getopt, so that each main spends one
 * line on it and no tool's options or operands change: "bus-send bob
 * --version" still sends the text "--version".
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "version.h"

void
version_option(int argc, char *argv[])
{
	const char *name = getprogname();

	if (argc != 2 || strcmp(argv[1], "--version") != 0)
		return;
	/* run by git as git-bus-send, it is still bus-send */
	if (strncmp(name, "git-", 4) == 0)
		name += 4;
	if (printf("%s (%s) %s\n", name, PACKAGE_NAME, PACKAGE_VERSION) < 0 ||
	    fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	exit(EX_OK);
}
