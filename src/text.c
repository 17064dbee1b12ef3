/*
 * text.c: untrusted text made safe to print on a terminal.
 *
 * A message's fields come from other machines.  Printed raw, an ESC
 * or a C1 control could move the cursor, retitle the window or worse,
 * so every control character, DEL, C1 control (U+0080 to U+009F) and
 * byte of invalid UTF-8 is written as a visible \xNN instead.
 */
#include "config.h"

#include "bus.h"

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
