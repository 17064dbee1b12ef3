/*
 * util.h: what every module uses: the last error, byte buffers and
 * allocation, files, text from elsewhere.
 *
 * The library never prints and never exits (allocation failure aside):
 * a function that fails returns -1 (or NULL) and leaves a message for
 * bus_error() to return; main() decides what to say and which exit
 * status to use.
 */
#ifndef UTIL_H
#define UTIL_H

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sysexits.h>

/* error.c: the last error, for main() to report */

/*
 * The kind of a failure is the exit status it gives (SPEC section 4),
 * named as in sysexits.h: EX_USAGE bad invocation or set-up,
 * EX_DATAERR invalid data (also a commit the hub refused), EX_NOINPUT
 * no such message, EX_NOUSER unknown agent, EX_UNAVAILABLE the hub will
 * never take this, EX_SOFTWARE anything else, EX_TEMPFAIL try again
 * (the hub away, the station busy).  bus(7) has the table.
 */

void		 bus_seterr(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 bus_seterrno(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 bus_setclass(int);
int		 bus_errclass(void);
void		 bus_errhold(void);
void		 bus_errrelease(void);
const char	*bus_error(void);

/* The largest input the bus reads whole: a JSON text, a message. */
#define BUS_MAX_SIZE	(64 * 1024 * 1024)

/* buf.c: a growable byte buffer; len is authoritative, s[len] is NUL */

struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT	{ NULL, 0, 0 }

void	 buf_grow(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, int);
void	 buf_adds(struct buf *, const char *);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vaddf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
void	 buf_rtrim(struct buf *);
char	*buf_detach(struct buf *);

/* buf.c too: allocations that exit on failure, the library's only exit */
void	*xmalloc(size_t);
void	*xreallocarray(void *, size_t, size_t);
void	*xcalloc(size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

/*
 * strvec.c: argv vectors and NUL-separated lists: v[n] is NULL and v
 * is never NULL; the strings are the vector's own copies.
 */

struct strvec {
	const char	**v;
	size_t		  n;
	size_t		  cap;
};

extern const char *strvec_empty[];
#define STRVEC_INIT	{ strvec_empty, 0, 0 }

void	 strvec_init(struct strvec *);
const char *strvec_push(struct strvec *, const char *);
const char *strvec_pushf(struct strvec *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 strvec_pushv(struct strvec *, const char *const *);
size_t	 strvec_split(struct strvec *, const struct buf *);
void	 strvec_clear(struct strvec *);
char	*strvec_next(const struct buf *, const char *);

/* file.c: whole-file reads and atomic writes */

int	 file_read(const char *, struct buf *, size_t);
int	 fd_read_all(int, struct buf *, size_t);
int	 file_write_atomic(const char *, const void *, size_t, mode_t);
int	 file_write(const char *, const void *, size_t);
int	 file_write_temp(char *, const void *, size_t);
int	 file_append(const char *, const void *, size_t);
const char *path_base(const char *);
int	 read_operands(FILE *, int, void (*)(const char *, void *), void *);
int	 each_operand(int, char *const [], int,
	    void (*)(const char *, void *), void *);

/* text.c: text from elsewhere: UTF-8, terminal-safe, sizes, days */

#define KEEP_DAYS_MAX	100000	/* days kept, at most: some 270 years */

void	 text_safe(struct buf *, const char *, size_t);
int	 utf8_valid(const char *, size_t);
size_t	 utf8_len(const char *, size_t);
int	 parse_size(const char *, size_t *);
int	 parse_days(const char *, long *, const char **);
int	 day_before(char *, time_t, long);

#endif /* UTIL_H */
