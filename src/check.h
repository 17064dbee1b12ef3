/*
 * check.h: the protocol's rules for changes, as the hooks and bus-check
 * apply them.
 */
#ifndef CHECK_H
#define CHECK_H

/*
 * Text that bus-check's program holds, by which bus-init knows a hook
 * that is a copy of it (setup.c) from a hook of the user's own.
 */
#define BUS_CHECK_MARK	"git-bus: bus-check, installed as a hook by bus-init"

#include "git.h"

/*
 * check.c, checksig.c, checkgc.c and checkmerge.c: the protocol's rules
 * for changes, as the hooks apply them; checkref.c: the hub's rules for the refs a
 * push updates
 */

struct signer {
	char		*commit;
	char		*agent;
};

/*
 * What a pre-receive hook asks while it reads its settings
 * (check_ref_ask()), for check_ref_updates() to use.
 */
struct check_asked {
	struct strvec	 grows;		/* "old new 1" or "old new 0":
					   whether a queue's old tip is an
					   ancestor of its new one */
	char		*one;		/* the commit diffed in diff, or
					   NULL */
	struct buf	 diff;		/* one's diff-tree, as
					   check_one_commit() runs it */
};

#define CHECK_ASKED_INIT	{ STRVEC_INIT, NULL, BUF_INIT }

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
	const char	*ff_from;	/* check_commits(): the range must
					   build on this commit, */
	const char	*ff_ref;	/* the ref it updates */
	const char	*ff_new;	/* the range's new end */
	const struct check_asked *asked; /* asked with the settings, in
					   a pre-receive hook, or NULL */
	int		 merges;	/* check_commits(): a merge passes
					   when it is the sequencer's fold
					   of one queue (checkmerge.c); a
					   hook leaves it 0: none does */
	const char	*known;		/* the range's old end, checked
					   before: under clock skew rev-list
					   may list a merge it holds, whose
					   queue then left the range */
	/* removing archive days (checkgc.c): */
	int		 age_unknown;	/* in a station, which cannot know
					   the hub's bus.retainDays: the
					   hub judges the age of a day */
	int		 own_only;	/* a pre-commit hook: days of own's
					   archive only */
	const char	*own;		/* the station's agent, or NULL */
	long		 retain_days;	/* bus.retainDays: 0 none may go */
	const char	*retain_off;	/* why none may, when 0 */
};

int	 check_commits(struct check *, const char *const *);
int	 check_staged(struct check *);
int	 check_tree(struct check *, const char *);
/* One "old new ref" line of a pre- or post-receive hook's input. */
struct ref_update {
	char		 old[128];
	char		 new[128];
	char		 ref[1024];
};

int	 ref_update_next(const char **, struct ref_update *);
int	 check_ref_updates(struct check *, const char *, const char *);
int	 check_ref_ask(const struct git *, const char *, struct git_call *,
	    struct check_asked *);
void	 check_asked_free(struct check_asked *);
const char *check_signer(const struct check *, const char *);
int	 check_sig_against(struct check *, const char *const *, size_t,
	    const char *);
int	 check_commit_bad(const struct check *, const char *);
void	 check_free(struct check *);
void	 check_retain(struct check *, const char *);

/* sequence.c: the hub's sequencer, folding the queue refs (post-receive) */

int	 sequence_run(const struct git *, const char *, const char *);
int	 sequence_folded(const char *, const char *);

/*
 * For check.c, checksig.c, checkgc.c and checkmerge.c only: what the
 * parts of the rules share.  check.c reads the changes and applies the
 * layout and message rules; checksig.c verifies who signed each commit
 * and applies the rules for .bus/allowed_signers; checkgc.c judges the
 * removal of archive days; checkmerge.c the sequencer's merges.
 */

/* One changed path of one commit, as diff-tree -r --raw shows it. */
struct check_delta {
	const char	*commit;	/* where it happens; NULL: the index */
	char		 status;	/* A, D, M, T */
	char		 mode[8];	/* the new mode */
	char		*oldoid;
	char		*newoid;
	char		*path;
	size_t		 blob;		/* its index in the blob batch, + 1 */
	int		 gc;		/* a removal from an archive, for
					   checkgc.c */
};

void	 check_problem(struct check *, const struct check_delta *,
	    const char *, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
int	 check_sig_verify(struct check *, const struct strvec *);
int	 check_one_commit(struct check *, struct buf *);
int	 check_sig_file(struct check *, const struct check_delta *, size_t);
int	 check_gc(struct check *, const struct check_delta *, size_t);
int	 check_merges(struct check *, const struct strvec *,
	    const struct strvec *, const struct check_delta *, size_t);

#endif /* CHECK_H */
