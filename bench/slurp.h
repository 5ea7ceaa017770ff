/*
 * slurp: read a whole file into memory, for the bench programs
 * (parse_bench.c, scan_proto.c).  NUL-terminated copy of the file and its
 * length, or NULL when it cannot be read; the caller says why and frees.
 */
#ifndef LEADER_EXEC_BENCH_SLURP_H
#define LEADER_EXEC_BENCH_SLURP_H

#include <stdio.h>
#include <stdlib.h>

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*p = NULL;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) == -1 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) == -1 ||
	    (p = malloc((size_t)n + 1)) == NULL ||
	    fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	fclose(f);
	p[n] = '\0';
	*len = (size_t)n;
	return p;
}

#endif
