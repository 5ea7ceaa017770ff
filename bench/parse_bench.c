/*
 * parse_bench: leader-exec's DescribeInstances parser alone, on saved
 * responses (one file per page, in order), the way leader-exec reads a
 * group: each page streamed through ec2_xml_feed() in pieces of the size
 * libcurl hands over (16 KiB), only the leadership tag kept, the pages'
 * instances moved into one group with group_take().
 *
 *   gcc -O2 -std=c99 -D_GNU_SOURCE -include build/config.h -Isrc \
 *       bench/parse_bench.c src/ec2_xml.c src/group.c src/buf.c \
 *       compat/strlcpy.c $(pkg-config --cflags --libs expat) -o parse_bench
 *   parse_bench [-n RUNS] [-c CHUNK] [-t TAGKEY] [-m] FILE...
 *
 * -m reads the files into memory once, so the timed loop is the parser
 * alone (no read(2)); otherwise each run streams from the files (page
 * cache), as leader-exec streams from the socket, and the documents never
 * sit in memory whole.  Prints one JSON line: instances, bytes, CPU ms per
 * run (min, median, max), wall ms median, peak RSS in KiB (ru_maxrss) and
 * the RSS before the first run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ec2_xml.h"
#include "group.h"
#include "slurp.h"

#define MAX_FILES	256
#define MAX_RUNS	100000

static double
ms_of(clockid_t id)
{
	struct timespec	 ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long
maxrss_kib(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
feed_piecewise(struct ec2_xml *x, const char *p, size_t len, size_t chunk)
{
	size_t	 n;

	while (len > 0) {
		n = len < chunk ? len : chunk;
		if (ec2_xml_feed(x, p, n, 0) == -1)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* One page into all; -1 on a parse error (message printed). */
static int
parse_page(const char *path, const char *mem, size_t memlen, char *cbuf,
    size_t chunk, const char *tag, struct group *all, size_t *bytes)
{
	struct ec2_result	 res;
	struct ec2_xml		*x;
	ssize_t			 n;
	int			 fd = -1, rc = -1;

	memset(&res, 0, sizeof(res));
	if ((x = ec2_xml_new(&res, tag)) == NULL) {
		fprintf(stderr, "parse_bench: out of memory\n");
		return -1;
	}
	if (mem != NULL) {
		if (feed_piecewise(x, mem, memlen, chunk) == -1)
			goto bad;
		*bytes += memlen;
	} else {
		if ((fd = open(path, O_RDONLY)) == -1) {
			fprintf(stderr, "parse_bench: %s: %s\n", path,
			    strerror(errno));
			goto out;
		}
		while ((n = read(fd, cbuf, chunk)) > 0) {
			*bytes += (size_t)n;
			if (ec2_xml_feed(x, cbuf, (size_t)n, 0) == -1)
				goto bad;
		}
		if (n == -1) {
			fprintf(stderr, "parse_bench: %s: %s\n", path,
			    strerror(errno));
			goto out;
		}
	}
	if (ec2_xml_feed(x, NULL, 0, 1) == -1)
		goto bad;
	if (res.is_error) {
		fprintf(stderr, "parse_bench: %s: an error document (%s)\n",
		    path, res.error_code ? res.error_code : "?");
		goto out;
	}
	if (group_take(all, &res.group) == -1) {
		fprintf(stderr, "parse_bench: out of memory\n");
		goto out;
	}
	rc = 0;
	goto out;
bad:
	fprintf(stderr, "parse_bench: %s: %s\n", path, ec2_xml_error(x));
out:
	if (fd != -1)
		close(fd);
	ec2_xml_free(x);
	ec2_result_free(&res);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char	*tag = "leader-exec:command";
	char		*mem[MAX_FILES], *cbuf;
	size_t		 memlen[MAX_FILES], chunk = 16384, bytes = 0, ninst = 0;
	double		*cpu, *wall, c0, w0;
	long		 rss0;
	int		 ch, i, f, nfiles, runs = 20, in_memory = 0;

	while ((ch = getopt(argc, argv, "c:mn:t:")) != -1) {
		switch (ch) {
		case 'c':
			chunk = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			in_memory = 1;
			break;
		case 'n':
			runs = atoi(optarg);
			break;
		case 't':
			tag = optarg[0] ? optarg : NULL;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > MAX_FILES || runs < 1 || runs > MAX_RUNS ||
	    chunk < 1 || chunk > (1 << 24))
		goto usage;
	nfiles = argc;
	if ((cpu = calloc((size_t)runs, sizeof(*cpu))) == NULL ||
	    (wall = calloc((size_t)runs, sizeof(*wall))) == NULL ||
	    (cbuf = malloc(chunk)) == NULL)
		return 1;
	for (f = 0; f < nfiles; f++) {
		mem[f] = NULL;
		memlen[f] = 0;
		if (in_memory && (mem[f] = slurp(argv[f], &memlen[f])) == NULL) {
			fprintf(stderr, "parse_bench: cannot read %s\n", argv[f]);
			return 1;
		}
	}
	rss0 = maxrss_kib();
	for (i = 0; i < runs; i++) {
		struct group	 all;

		memset(&all, 0, sizeof(all));
		bytes = 0;
		c0 = ms_of(CLOCK_PROCESS_CPUTIME_ID);
		w0 = ms_of(CLOCK_MONOTONIC);
		for (f = 0; f < nfiles; f++)
			if (parse_page(argv[f], mem[f], memlen[f], cbuf, chunk,
			    tag, &all, &bytes) == -1)
				return 1;
		cpu[i] = ms_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
		wall[i] = ms_of(CLOCK_MONOTONIC) - w0;
		ninst = all.ninst;
		group_free(&all);
	}
	qsort(cpu, (size_t)runs, sizeof(*cpu), cmp_double);
	qsort(wall, (size_t)runs, sizeof(*wall), cmp_double);
	printf("{\"files\": %d, \"instances\": %zu, \"bytes\": %zu, "
	    "\"runs\": %d, \"chunk\": %zu, \"in_memory\": %s, "
	    "\"cpu_ms_min\": %.3f, \"cpu_ms_median\": %.3f, "
	    "\"cpu_ms_max\": %.3f, \"wall_ms_median\": %.3f, "
	    "\"rss_before_kib\": %ld, \"peak_rss_kib\": %ld}\n", nfiles, ninst,
	    bytes, runs, chunk, in_memory ? "true" : "false", cpu[0],
	    cpu[runs / 2], cpu[runs - 1], wall[runs / 2], rss0, maxrss_kib());
	for (f = 0; f < nfiles; f++)
		free(mem[f]);
	free(cpu);
	free(wall);
	free(cbuf);
	return 0;
usage:
	fprintf(stderr, "usage: parse_bench [-n runs] [-c chunk] [-t tagkey] "
	    "[-m] file...\n");
	return 2;
}
