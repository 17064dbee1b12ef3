/*
 * layout.h: the paths a bus tree may hold (SPEC section 2), and which
 * of the paths that arrive from a hub are safe to touch a file system.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#include <stddef.h>

enum layout_kind {
	LAYOUT_OK,		/* a layout path, a regular file: written */
	LAYOUT_UNKNOWN,		/* a safe name outside the layout: skipped */
	LAYOUT_DANGEROUS	/* never touches a file system */
};

enum layout_kind layout_classify(const char *, const char *, const char **);
const char	*layout_bad_name(const char *, size_t);
int		 layout_is_dotgit(const char *, size_t);
const char	*layout_bad_content(const char *, const char *, size_t);

struct strvec;
void		 layout_fsck_args(struct strvec *);

#endif /* LAYOUT_H */
