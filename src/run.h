/*
 * run.h: running a program with posix_spawn, never through a shell.
 */
#ifndef RUN_H
#define RUN_H

#include <poll.h>

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
	int		 hold_in;	/* run_start(): stdin stays open,
					   for run_talk() (in: "") */

	/* results */
	int		 status;	/* exit status, or 128 + signal */
	int		 signal;	/* the signal that killed it, or 0 */
	int		 timed_out;	/* killed because of timeout_ms */
};

int	 run(struct run *);
char	*run_find(const char *);

/*
 * A program run alongside others, its pipes pumped by the caller's own
 * poll loop (which must have SIGPIPE ignored); timeout_ms is not used:
 * the caller decides when to signal it.
 */
struct run_job {
	struct run	*r;
	pid_t		 pid;		/* -1 once reaped */
	int		 fd[3];		/* our ends of its stdin, stdout and
					   stderr pipes, or -1 */
	size_t		 off;		/* of r->in written so far */
};

int	 run_start(struct run *, struct run_job *);
int	 run_pollfds(const struct run_job *, struct pollfd *);
void	 run_io(struct run_job *, const struct pollfd *, int);
int	 run_done(struct run_job *);
void	 run_signal(const struct run_job *, int);
int	 run_all(struct run *, size_t);
int	 run_talk(struct run_job *, const void *, size_t,
	    int (*)(const struct buf *, void *), void *);
int	 run_finish(struct run_job *);

#endif /* RUN_H */
