/*
 * profile.h: the shared profile: parsed into facts (profile.c), merged
 * by facts (merge.c) or by a merger (merger.c), synced through the bus
 * (usersync.c).
 */
#ifndef PROFILE_H
#define PROFILE_H

#include "util.h"

struct station;

/* profile.c: the shared profile as sections of facts */

enum fact_kind {
	FACT_BLANK,			/* a run of blank lines */
	FACT_PARA,			/* a paragraph */
	FACT_ITEM,			/* a list item, nested items included */
	FACT_FENCE,			/* a fenced code block, whole */
	FACT_FRONT			/* front matter, whole */
};

struct fact {
	enum fact_kind	 kind;
	const char	*text;		/* into the profile's text */
	size_t		 len;		/* with its line ends */
};

struct section {
	const char	*head;		/* the heading line; NULL: preamble */
	size_t		 headlen;
	struct fact	*facts;
	size_t		 n;
};

struct profile {
	char		*text;		/* a copy of the input */
	size_t		 len;
	struct section	*sections;
	size_t		 n;
};

void	 profile_parse(struct profile *, const char *, size_t);
void	 profile_write(const struct profile *, struct buf *);
void	 profile_free(struct profile *);
char	*profile_section_key(const struct section *);
const struct section *profile_section(const struct profile *, const char *);
char	*profile_norm(const char *, size_t);
void	 profile_shown(const char *, size_t, struct buf *);
char	*profile_key(const char *);
size_t	 profile_words(const char *, char **, char ***);

/* merge.c: merging profiles by facts */

void	 profile_merge(const struct profile *, const struct profile *,
	    const struct profile *, struct buf *, struct buf *);

/* merger.c: an external profile merger */

void	 profile_merge_bytes(const char *, const struct buf *,
	    const struct buf *, const struct buf *, struct buf *,
	    struct buf *);

/* usersync.c: a station's shared profile */

int	 profile_sync(struct station *, const char *, const char *, int,
	    struct buf *, int *);

#endif /* PROFILE_H */
