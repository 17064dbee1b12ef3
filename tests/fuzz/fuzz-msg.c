/*
 * fuzz-msg: libFuzzer target for the strict JSON layer and the message
 * validator.  Besides "no crash, no sanitizer report", it checks
 * properties that must hold for every input:
 *
 *  - a valid message written in canonical form parses again, to the
 *    same canonical bytes, and sits validly at inbox-<to>/<id>.json;
 *  - every string of a valid JSON document, unescaped and written back
 *    with json_put_string, parses again to the same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_message(const char *s, size_t n)
{
	struct buf why = BUF_INIT, out = BUF_INIT, again = BUF_INIT;
	struct buf path = BUF_INIT;
	struct msg m, m2;
	struct msg_path mp;

	if (msg_parse(&m, s, n, MSG_MAX_SIZE, &why) == -1) {
		if (why.len == 0)
			abort();	/* refused without a reason */
		goto out;
	}
	msg_write(&m, &out);
	if (msg_parse(&m2, out.s, out.len, out.len, &why) == -1)
		abort();	/* canonical form does not parse */
	msg_write(&m2, &again);
	if (again.len != out.len || memcmp(again.s, out.s, out.len) != 0)
		abort();	/* canonical form is not a fixed point */
	buf_addf(&path, "inbox-%s/%s.json", m.to, m.id);
	if (msg_path_parse(&mp, path.s, &why) == -1 ||
	    msg_check_place(&m2, &mp, &why) == -1)
		abort();	/* the place its fields name is refused */
	msg_free(&m2);
	msg_free(&m);
out:
	buf_free(&why);
	buf_free(&out);
	buf_free(&again);
	buf_free(&path);
}

static void
check_strings(const char *s, size_t n)
{
	struct json j, j2;
	struct buf raw = BUF_INIT, lit = BUF_INIT, back = BUF_INIT;
	int i;

	if (json_parse(&j, s, n) == -1)
		return;
	for (i = 0; i < j.ntok; i++) {
		if (j.tok[i].type != JSMN_STRING)
			continue;
		buf_reset(&raw);
		buf_reset(&lit);
		buf_reset(&back);
		json_unescape(&j, i, &raw);
		if (json_put_string(&lit, raw.s, raw.len) == -1)
			abort();	/* unescaped text is not UTF-8 */
		if (json_parse(&j2, lit.s, lit.len) == -1)
			abort();	/* our own string literal is refused */
		json_unescape(&j2, 0, &back);
		json_free(&j2);
		if (back.len != raw.len ||
		    (raw.len > 0 && memcmp(back.s, raw.s, raw.len) != 0))
			abort();	/* round trip changed the bytes */
	}
	json_free(&j);
	buf_free(&raw);
	buf_free(&lit);
	buf_free(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_message((const char *)data, size);
	check_strings((const char *)data, size);
	return 0;
}
