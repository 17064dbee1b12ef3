/*
 * json-get: a test helper.  "json-get KEY" reads one JSON object per
 * line on stdin and writes the unescaped string value of KEY of each,
 * raw, so that tests can compare bodies byte for byte.  More KEYs are
 * a path into nested values: "json-get hooks Stop 0 hooks 0 command",
 * a KEY of digits indexing an array.  A line that is not strict JSON
 * is exit 65; a path that leads nowhere, or not to a string, prints
 * nothing for that line.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "msg.h"

/* The token that the path keys lead to from token i, or -1. */
static int
lookup(struct json *j, int i, char **keys)
{
	int k, n, idx;

	for (; *keys != NULL; keys++) {
		n = j->tok[i].size;
		if (j->tok[i].type == JSMN_OBJECT) {
			for (i++, k = 0; k < n && !json_key_is(j, i, *keys);
			    k++, i = json_next(j, i + 1))
				;
			if (k == n)
				return -1;
			i++;
		} else if (j->tok[i].type == JSMN_ARRAY &&
		    strspn(*keys, "0123456789") == strlen(*keys) &&
		    (idx = atoi(*keys)) < n) {
			for (i++, k = 0; k < idx; k++)
				i = json_next(j, i);
		} else
			return -1;
	}
	return i;
}

int
main(int argc, char *argv[])
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct json j;
	char *line, *nl;
	int i;

	if (argc < 2) {
		fputs("usage: json-get key ...\n", stderr);
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
		if ((i = lookup(&j, 0, argv + 1)) != -1 &&
		    j.tok[i].type == JSMN_STRING)
			json_unescape(&j, i, &out);
		json_free(&j);
	}
	if (out.len > 0 && write(1, out.s, out.len) != (ssize_t)out.len)
		return 74;
	buf_free(&in);
	buf_free(&out);
	return 0;
}
