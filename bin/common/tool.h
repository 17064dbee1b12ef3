/*
 * tool.h: what the tools that work in a station share in main().
 */
#ifndef TOOL_H
#define TOOL_H

#include "station.h"

void	 tool_guard(struct station *);
void	 tool_fail(struct station *) __attribute__((noreturn));
int	 tool_sync(struct station *, int);
int	 tool_finish(struct station *, int, int);

#endif /* TOOL_H */
