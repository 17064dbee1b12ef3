/*
 * error.c: the library's last error message.
 *
 * Library functions fail by returning -1 after calling bus_seterr();
 * main() prints bus_error() with its own name in front.  Cleanup after
 * a failure runs with the error held (bus_errhold()), so that what it
 * says about its own trouble cannot replace the reason for the failure.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static char errmsg[1024];
static int errclass = EX_SOFTWARE;
static int held;		/* > 0: the error stays as it is */

/*
 * The message may quote the previous one (bus_seterr("x: %s",
 * bus_error())), so it is made in a second buffer first.
 */
static void
set(const char *fmt, va_list ap)
{
	char tmp[sizeof(errmsg)];

	if (held > 0)
		return;
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	memcpy(errmsg, tmp, sizeof(errmsg));
	errclass = EX_SOFTWARE;
}

void
bus_seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(fmt, ap);
	va_end(ap);
}

/* Like bus_seterr(), with ": strerror(errno)" appended. */
void
bus_seterrno(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;
	size_t n;

	if (held > 0)
		return;
	va_start(ap, fmt);
	set(fmt, ap);
	va_end(ap);
	n = strlen(errmsg);
	snprintf(errmsg + n, sizeof(errmsg) - n, ": %s", strerror(saved));
	errno = saved;
}

/*
 * Say what kind of failure the last error was, after bus_seterr():
 * main() turns the kind into its exit status.
 */
void
bus_setclass(int class)
{
	if (held == 0)
		errclass = class;
}

/*
 * Keep the error (message and kind) as it is until the matching
 * bus_errrelease(): for the cleanup of a failure, whose own errors
 * are secondary.  Holds nest.
 */
void
bus_errhold(void)
{
	held++;
}

void
bus_errrelease(void)
{
	if (held > 0)
		held--;
}

int
bus_errclass(void)
{
	return errclass;
}

const char *
bus_error(void)
{
	return errmsg[0] != '\0' ? errmsg : "unknown error";
}
