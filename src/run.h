/*
 * run.h: running a program with posix_spawn, never through a shell.
 */
#ifndef RUN_H
#define RUN_H

#include "util.h"

/* run.c: run a program with posix_spawn, never through a shell */

struct run {
	const char *const *argv;	/* argv[0] is looked up in PATH */
	const char *const *env_set;	/* "NAME=value" entries, or NULL */
	const char *const *env_unset;	/* "NAME" entries, or NULL */
	const void	*in;		/* stdin bytes; NULL: /dev/null */
	size_t		 inlen;
	struct buf	*out;		/* captured stdout; NULL: /dev/null */
	struct buf	*err;		/* captured stderr; NULL: ours */
	int		 timeout_ms;	/* > 0: kill the child after this */
	int		 keep_fd;	/* > 2: a descriptor the child keeps */
	int		 new_group;	/* lead a process group, all killed
					   on timeout (else in ours) */

	/* results */
	int		 status;	/* exit status, or 128 + signal */
	int		 signal;	/* the signal that killed it, or 0 */
	int		 timed_out;	/* killed because of timeout_ms */
};

int	 run(struct run *);
char	*run_find(const char *);

#endif /* RUN_H */
