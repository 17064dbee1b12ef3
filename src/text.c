/*
 * text.c: text from elsewhere: whether it is UTF-8, how to print it
 * safely on a terminal, sizes as git config writes them, counts of
 * days.
 *
 * A message's fields come from other machines.  Printed raw, an ESC
 * or a C1 control could move the cursor, retitle the window or worse,
 * so every control character, DEL, C1 control (U+0080 to U+009F) and
 * byte of invalid UTF-8 is written as a visible \xNN instead.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

void
text_safe(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			buf_addc(b, p[i++]);
			continue;
		}
		if (p[i] >= 0x80 && (k = utf8_len(s + i, n - i)) > 0 &&
		    !(p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			buf_add(b, s + i, k);
			i += k;
			continue;
		}
		buf_adds(b, "\\x");
		buf_addc(b, hex[p[i] >> 4]);
		buf_addc(b, hex[p[i] & 0xf]);
		i++;
	}
}

/*
 * The length of the well-formed UTF-8 sequence at s (at most n bytes),
 * or 0: refuses stray continuation bytes, truncated sequences, overlong
 * forms, encoded surrogates and code points above U+10FFFF.
 */
size_t
utf8_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char c = p[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

int
utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = utf8_len(s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* "65536", "64k", "1m": a size in bytes, as git config writes one. */
int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1024 * 1024, end++;
	if (*end != '\0' || v == 0 || v > BUS_MAX_SIZE)
		return -1;
	*out = (size_t)v;
	return 0;
}

/*
 * "30": a count of days that archive days are kept (bus-gc --keep,
 * bus.retainDays), 0 to KEEP_DAYS_MAX; *why says what is wrong with
 * anything else.
 */
int
parse_days(const char *s, long *out, const char **why)
{
	long long v;

	v = strtonum(s, 0, KEEP_DAYS_MAX, why);
	if (*why != NULL)
		return -1;
	*out = (long)v;
	return 0;
}

/*
 * The UTC day, YYYY-MM-DD into day (11 bytes), days days before the
 * day of now: an archive day before it is older than days days.
 */
int
day_before(char *day, time_t now, long days)
{
	struct tm tm;
	time_t t = now - (time_t)days * 86400;

	if (days < 0 || days > KEEP_DAYS_MAX || gmtime_r(&t, &tm) == NULL ||
	    strftime(day, 11, "%Y-%m-%d", &tm) != 10) {
		bus_seterr("%ld days before now: no such day", days);
		return -1;
	}
	return 0;
}
