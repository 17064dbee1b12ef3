/*
 * check.h: the protocol's rules for changes, as the hooks and bus-check
 * apply them.
 */
#ifndef CHECK_H
#define CHECK_H

#include "git.h"

/* check.c: the protocol's rules for changes, as the hooks apply them */

struct signer {
	char		*commit;
	char		*agent;
};

struct check {
	const struct git *g;
	int		 require_signed; /* bus.requireSigned */
	struct signer	*signers;	/* good signatures, by commit */
	size_t		 nsigners;
	size_t		 maxsize;	/* bus.maxSize */
	struct buf	 report;	/* "path: reason" lines */
	size_t		 problems;
	size_t		 hexlen;	/* of an object id, once known */
	struct buf	 bad;		/* commits with a problem, NUL-
					   separated (may repeat) */
};

int	 check_commits(struct check *, const char *const *);
int	 check_staged(struct check *);
int	 check_tree(struct check *, const char *);
int	 check_ref_updates(struct check *, char *, const char *);
const char *check_signer(const struct check *, const char *);
int	 check_commit_bad(const struct check *, const char *);
void	 check_free(struct check *);

#endif /* CHECK_H */
