/*
 * json-get: a test helper.  "json-get KEY" reads one JSON object per
 * line on stdin and writes the unescaped string value of KEY of each,
 * raw, so that tests can compare bodies byte for byte.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "msg.h"

int
main(int argc, char *argv[])
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct json j;
	char *line, *nl;
	int i, k;

	if (argc != 2) {
		fputs("usage: json-get key\n", stderr);
		return 64;
	}
	if (fd_read_all(0, &in, 0) == -1)
		return 74;
	for (line = in.s; line != NULL && line < in.s + in.len; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (*line == '\0')
			continue;
		if (json_parse(&j, line, strlen(line)) == -1) {
			fprintf(stderr, "json-get: %s\n", bus_error());
			return 65;
		}
		for (i = 1, k = 0; k < j.tok[0].size;
		    k++, i = json_next(&j, i + 1))
			if (json_key_is(&j, i, argv[1]))
				json_unescape(&j, i + 1, &out);
		json_free(&j);
	}
	if (out.len > 0 && write(1, out.s, out.len) != (ssize_t)out.len)
		return 74;
	buf_free(&in);
	buf_free(&out);
	return 0;
}
