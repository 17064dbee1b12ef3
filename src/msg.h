/*
 * msg.h: a message file (SPEC section 3), its id and ts, and where it
 * may sit in the tree.
 */
#ifndef MSG_H
#define MSG_H

#include <regex.h>
#include <time.h>

#include "util.h"

/* msg.c: a message file (SPEC section 3) and where it may sit */

#define MSG_MAX_SIZE	65536	/* default bus.maxSize */

struct msg_field {
	char		*key;		/* unescaped */
	struct buf	 value;		/* compact JSON text */
};

struct msg {
	char		*id;
	char		*ts;
	char		*from;
	char		*to;
	char		*type;
	struct buf	 body;		/* unescaped; may hold NUL bytes */
	char		*re;		/* NULL when absent */
	struct msg_field *others;	/* unknown members, in file order */
	size_t		 nothers;
};

enum msg_place {
	PLACE_INBOX = 1,
	PLACE_ARCHIVE,			/* archive-X/DAY/ID.json */
	PLACE_ARCHIVE_FLAT		/* archive-X/ID.json, older layout */
};

struct msg_path {
	enum msg_place	 place;
	char		 owner[33];
	char		 day[11];	/* YYYY-MM-DD, PLACE_ARCHIVE only */
	char		 id[129];
};

int	 msg_parse(struct msg *, const char *, size_t, size_t, struct buf *);
void	 msg_free(struct msg *);
int	 msg_field_add(struct msg *, const char *, const char *, size_t);
int	 msg_field_arg(struct msg *, const char *);
const struct buf *msg_field(const struct msg *, const char *);
int	 msg_path_parse(struct msg_path *, const char *, struct buf *);
int	 msg_check_place(const struct msg *, const struct msg_path *,
	    struct buf *);
int	 msg_check_file(const char *, const char *, size_t, struct msg *,
	    struct buf *);
int	 msg_is_keep(const char *);
void	 msg_write(const struct msg *, struct buf *);
int	 msg_new_id(char *, size_t, const char *, time_t);
int	 msg_id_parse(const char *, char *, char *);
int	 msg_ts(char *, size_t, time_t);
int	 msg_new(struct msg *, const char *, const char *, const char *,
	    const char *, size_t, const char *, const char *, time_t);

int	 valid_agent(const char *, size_t);
int	 valid_id(const char *, size_t);
int	 valid_type(const char *, size_t);
int	 valid_ts(const char *, size_t);
int	 valid_day(const char *, size_t);
int	 ts_cmp(const char *, const char *);
time_t	 ts_time(const char *);

/* batch.c: one line of bus-send --batch */

struct batch_msg {
	char		*to;		/* NULL: a blank line */
	char		*type;		/* NULL when absent, and so on */
	char		*body;
	size_t		 bodylen;
	char		*re;
	char		*id;
	struct msg	 extra;		/* only its others: the members
					   besides the above, kept */
};

int	 batch_parse(struct batch_msg *, const char *, size_t);
void	 batch_free(struct batch_msg *);

/* format.c: a message written for its reader */

enum msg_format {
	FORMAT_JSON,			/* the file's members, compact */
	FORMAT_ID,
	FORMAT_PATH,			/* its file in the work tree */
	FORMAT_TEXT			/* for people: made safe */
};

int	 format_parse(const char *, enum msg_format *);
void	 format_put(struct buf *, enum msg_format, const struct msg *,
	    const char *, int);
int	 msg_grep(const struct msg *, const regex_t *);

#endif /* MSG_H */
