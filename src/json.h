/*
 * json.h: strict RFC 8259 JSON on top of the jsmn tokenizer.
 */
#ifndef JSON_H
#define JSON_H

#include "util.h"

/* jsmn is compiled once, in jsmn.c, with these settings. */
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_HEADER
#include <jsmn.h>

/* json.c: strict RFC 8259 on top of the jsmn tokenizer */

#define JSON_MAX_DEPTH	64
#define JSON_MAX_SIZE	BUS_MAX_SIZE

struct json {
	const char	*s;		/* the document; not owned */
	size_t		 len;
	jsmntok_t	*tok;
	int		 ntok;
};

int	 json_parse(struct json *, const char *, size_t);
void	 json_free(struct json *);
int	 json_next(const struct json *, int);
int	 json_key_is(const struct json *, int, const char *);
int	 json_unescape(const struct json *, int, struct buf *);
int	 json_put_string(struct buf *, const char *, size_t);
int	 json_put_compact(struct buf *, const struct json *, int);

#endif /* JSON_H */
