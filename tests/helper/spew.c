/*
 * spew: a test helper for the process runner.  "spew N" writes N bytes
 * to stdout and N to stderr, interleaved, without reading its stdin,
 * so a runner that writes all input before reading would deadlock.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	char chunk[4096];
	long n, left;
	size_t k;

	if (argc != 2 || (n = atol(argv[1])) < 0) {
		fputs("usage: spew bytes\n", stderr);
		return 64;
	}
	memset(chunk, 'x', sizeof(chunk));
	for (left = n; left > 0; left -= (long)k) {
		k = left > (long)sizeof(chunk) ? sizeof(chunk) : (size_t)left;
		if (write(1, chunk, k) != (ssize_t)k ||
		    write(2, chunk, k) != (ssize_t)k)
			return 1;
	}
	return 0;
}
