/*
 * fuzz.h: helpers shared by the libFuzzer targets in tests/fuzz.
 *
 * FUZZ_CHECK aborts with the broken rule, so libFuzzer reports a violated
 * invariant as a crash and keeps the input.  touch() reads a whole string
 * so AddressSanitizer sees a dangling or unterminated pointer at once.
 * The reader takes bytes off the front of the input, so a target can let
 * the fuzzer choose shapes (chunk sizes, counts) as well as contents.
 */
#ifndef LEADER_EXEC_FUZZ_H
#define LEADER_EXEC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* Keeps the compiler from dropping reads done only for ASan's sake. */
static volatile size_t	 fuzz_sink;

/* Read every byte of s (NULL allowed); its length. */
static inline size_t
touch(const char *s)
{
	size_t	 n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	fuzz_sink += n + (n > 0 ? (unsigned char)s[n - 1] : 0);
	return n;
}

/* 1 when the n bytes at s are all printable ASCII. */
static inline int
printable(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* 1 when the n bytes at s are all zero. */
static inline int
all_zero(const void *p, size_t n)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (s[i] != 0)
			return 0;
	return 1;
}

/* The unread part of the fuzzer's input. */
struct reader {
	const uint8_t	*p;
	size_t		 left;
};

/* The next byte, or 0 once the input is used up. */
static inline uint8_t
take_byte(struct reader *r)
{
	if (r->left == 0)
		return 0;
	r->left--;
	return *r->p++;
}

/* The next 8 bytes as an int64_t (missing bytes count as 0). */
static inline int64_t
take_i64(struct reader *r)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | take_byte(r);
	return (int64_t)v;
}

/*
 * A NUL-terminated heap copy of the next string: a length byte (at most
 * max) and that many bytes, cut at the first NUL.  NULL when out of memory.
 */
static inline char *
take_string(struct reader *r, size_t max)
{
	size_t	 n = take_byte(r) % (max + 1), i;
	char	*s;

	if (n > r->left)
		n = r->left;
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		s[i] = (char)take_byte(r);
	s[n] = '\0';
	return s;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
