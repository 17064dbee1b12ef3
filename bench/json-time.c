/*
 * json-time: parse a JSON file with the strict parser many times and
 * print the median time of one parse, in microseconds.  Used by
 * json-scale.sh to show that parsing is linear in the input.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "json.h"
#include "msg.h"

#define RUNS	21

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	struct buf b = BUF_INIT;
	struct timespec t0, t1;
	struct json j;
	double us[RUNS];
	int i;

	if (argc != 2) {
		fputs("usage: json-time file\n", stderr);
		return 64;
	}
	if (file_read(argv[1], &b, 0) == -1)
		errx(66, "%s: %s", argv[1], bus_error());
	for (i = 0; i < RUNS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (json_parse(&j, b.s, b.len) == -1)
			errx(65, "%s: %s", argv[1], bus_error());
		json_free(&j);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
	}
	qsort(us, RUNS, sizeof(us[0]), cmp_double);
	printf("%.0f\n", us[RUNS / 2]);
	buf_free(&b);
	return 0;
}
