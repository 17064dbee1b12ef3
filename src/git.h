/*
 * git.h: the one place git runs (git.c), and commits made by one git
 * fast-import (commit.c).
 */
#ifndef GIT_H
#define GIT_H

#include "util.h"

/* git.c: run git with prompts off and a stable locale */

struct git {
	const char	*dir;		/* the repository: git -C dir */
	FILE		*trace;		/* -v: each command echoed here */
	const char *const *env;		/* more "NAME=value" for git, or NULL */
	int		 lockfd;	/* > 2: the station's lock, held by the
					   commands that write refs or the index */
	struct git_cat	*cat;		/* git_cat_open()'s, or NULL */
};

int	 git_run(const struct git *, const struct buf *, struct buf *,
	    struct buf *, const char *const *);
/* One of the commands that git_run_all() runs at once. */
struct git_call {
	const struct git *g;
	const char *const *args;	/* as git_run() takes them */
	struct buf	*out;		/* as git_run() takes them */
	struct buf	*err;
	int		 status;	/* git's exit status, -1: not run */
};

int	 git_run_all(struct git_call *, size_t);
int	 git(const struct git *, struct buf *, const char *, ...)
	    __attribute__((sentinel));
int	 git_empty_tree(const struct git *, struct buf *);
int	 git_diff_tree(const struct git *, const char *, const char *,
	    const char *const *, struct buf *);
int	 git_is_ancestor(const struct git *, const char *, const char *);
int	 git_own_range(const struct git *, const char *, const char *,
	    struct strvec *);
char	*git_config_next(struct buf *, char *, char **);
int	 git_config_bool(const char *);
int	 git_transport_class(const char *, int, const char **);

struct cat_obj {
	const char	*data;		/* into the output buffer */
	size_t		 size;
	int		 missing;
};

int	 git_cat_open(struct git *);
int	 git_cat_close(struct git *);
int	 git_cat_batch(const struct git *, const char *const *, size_t,
	    struct buf *, struct cat_obj *);
int	 git_cat_check(const struct git *, const char *const *, size_t,
	    struct buf *, struct cat_obj *);
int	 git_oids(const struct git *, const char *const *, size_t,
	    struct buf *, const char **);

/* commit.c: commits made by git fast-import, without an index */

struct change {
	char		*path;
	char		*mode;		/* NULL: the path is removed */
	char		*oid;		/* the blob; NULL while data holds it */
	char		*old;		/* the blob it replaces, if known */
	struct buf	 data;
	int		 has_data;	/* data holds the blob's bytes */
};

struct changes {
	struct change	*c;
	size_t		 n;
	struct buf	 sent;		/* sent.c lines of staged messages */
};

#define CHANGES_INIT	{ NULL, 0, BUF_INIT }

struct commit_spec {
	const char	*parent;	/* first commit only; NULL: none */
	const char	*author;	/* "Name <email> time zone"; NULL: */
	const char	*committer;	/* the committer's */
	const char	*message;
	struct changes	*changes;
	const char	*merge;		/* a second parent; NULL: none */
};

void	 changes_add(struct changes *, const char *, const char *,
	    const char *);
void	 changes_add_data(struct changes *, const char *, const char *,
	    size_t);
void	 changes_add_blob(struct changes *, const char *, const char *,
	    const char *, size_t);
void	 changes_copy(struct changes *, const struct change *);
void	 changes_free(struct changes *);
int	 changes_has(const struct changes *, const char *);
int	 changes_diff(const struct git *, const char *, const char *,
	    struct changes *);

/* A commit of a line of them, with its changes (own_commits_read()). */
struct own_commit {
	char		*id;
	char		*parent;	/* its first parent; "" for a root */
	struct changes	 changes;	/* against it */
};

int	 own_commits_read(const struct git *, const char *, const char *,
	    struct own_commit **, size_t *);
int	 own_commits_diff(const struct git *, struct own_commit *, size_t);
void	 own_commit_clear(struct own_commit *);
void	 own_commits_free(struct own_commit *, size_t);
int	 commits_import(const struct git *, const char *, int,
	    struct commit_spec *, size_t, struct buf *);

#endif /* GIT_H */
