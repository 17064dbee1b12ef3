/*
 * version.h: --version, the same for every tool.
 */
#ifndef VERSION_H
#define VERSION_H

void	 version_option(int, char *[]);

#endif /* VERSION_H */
