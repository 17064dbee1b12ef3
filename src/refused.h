/*
 * refused.h: a push that the hub's hook refused; what it refuses is set
 * aside under SYNC_REFUSED and the rest delivered (refused.c).
 */
#ifndef REFUSED_H
#define REFUSED_H

struct buf;
struct station;

int	 refused_recover(struct station *, const struct buf *);
void	 refused_reason(const struct buf *, struct buf *);

#endif /* REFUSED_H */
