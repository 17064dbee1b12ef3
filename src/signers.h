/*
 * signers.h: .bus/allowed_signers in the bus's strict grammar (SPEC
 * section 7), and the file rebuilt from it for ssh-keygen(1).
 */
#ifndef SIGNERS_H
#define SIGNERS_H

#include <stddef.h>

struct buf;

/* One key line: an agent, its key, and the options it may carry. */
struct signers_entry {
	size_t		 line;		/* in the file, from 1 */
	char		 agent[33];
	char		*namespaces;	/* "git,file"; NULL: any */
	char		 valid_after[16]; /* YYYYMMDD[HHMM[SS]]Z */
	char		 valid_before[16];
	const char	*keytype;	/* static: one the bus takes */
	char		*key;		/* base64, canonical */
};

struct signers {
	struct signers_entry *v;	/* in file order */
	size_t		 n;
};

#define SIGNERS_INIT	{ NULL, 0 }

int	 signers_parse(struct signers *, const char *, size_t, struct buf *);
int	 signers_write_temp(const struct signers *, const char *,
	    struct buf *);
int	 signers_has(const struct signers *, const char *, size_t);
int	 signers_holds(const struct signers *, const struct signers_entry *);
void	 signers_free(struct signers *);

#endif /* SIGNERS_H */
