/*
 * buf: a growable byte buffer with a hard size cap.
 *
 * The buffer always keeps a NUL after the last byte, so text can be used
 * as a C string.  Appending past the cap fails and leaves the buffer
 * unchanged.  buf_free() zeroes the bytes before freeing them, so a buffer
 * that held a secret does not leave it on the heap.
 */
#ifndef LEADER_EXEC_BUF_H
#define LEADER_EXEC_BUF_H

#include <stddef.h>

struct buf {
	char	*data;		/* NUL-terminated; NULL until the first append */
	size_t	 len;		/* bytes in use, excluding the NUL */
	size_t	 cap;		/* bytes allocated */
	size_t	 max;		/* hard cap on len; 0 means BUF_DEFAULT_MAX */
};

#define BUF_DEFAULT_MAX	(1024 * 1024)

/* Initialise an empty buffer that may grow up to max bytes (0: default). */
void	buf_init(struct buf *, size_t max);
/* Append n bytes; 0 on success, -1 when the cap or memory is exhausted. */
int	buf_append(struct buf *, const void *, size_t n);
/* Append a NUL-terminated string; as buf_append. */
int	buf_puts(struct buf *, const char *);
/* Append formatted text; as buf_append. */
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Forget the contents but keep the allocation (bytes are zeroed). */
void	buf_reset(struct buf *);
/* Zero and free the contents; the buffer may be reused after buf_init. */
void	buf_free(struct buf *);

#endif
