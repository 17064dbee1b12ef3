/*
 * tap.h: a minimal Test Anything Protocol producer for the C unit
 * tests.  ok() prints one "ok N - what" or "not ok N - what" line and
 * the place of a failure; done_testing() prints the plan and gives
 * main's exit status.
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

static int tap_ok(int, const char *, int, const char *, ...)
    __attribute__((format(printf, 4, 5), unused));

static int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define ok(cond, ...)	tap_ok((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

static int __attribute__((unused))
done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed > 0;
}

#endif /* TAP_H */
