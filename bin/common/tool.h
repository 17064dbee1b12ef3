/*
 * tool.h: the one way a tool works in a station, from main(): open and
 * lock it, sync, do the work, push, finish; what happens when the hub
 * is away or refuses is policy.c's table, the same for every tool.
 */
#ifndef TOOL_H
#define TOOL_H

#include <time.h>

#include "station.h"

struct tool {
	struct station	 st;
	int		 status;	/* the exit status so far */
	int		 quiet;		/* -q: no notes on going on */
	struct buf	 away;		/* why the hub could not be reached */
	void		(*on_fail)(void); /* tool_fail() calls it first */
};

#define TOOL_INIT	{ .st = { .lockfd = -1 }, .away = BUF_INIT }

void	 tool_open(struct tool *, const char *, const char *, FILE *);
void	 tool_sync(struct tool *, int);
void	 tool_push(struct tool *);
int	 tool_wait(struct tool *, time_t);
void	 tool_fail(struct tool *) __attribute__((noreturn));
int	 tool_finish(struct tool *);

#endif /* TOOL_H */
