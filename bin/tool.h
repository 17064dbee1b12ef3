/*
 * tool.h: what the tools that work in a station share in main().
 */
#ifndef TOOL_H
#define TOOL_H

#include "bus.h"

void	 tool_guard(struct station *);
void	 tool_fail(struct station *) __attribute__((noreturn));

#endif /* TOOL_H */
