/*
 * log: progress and reasons on stderr, one line each.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static int	 log_level = LOG_INFO;

void
log_set_level(int lvl)
{
	log_level = lvl;
}

int
log_enabled(enum log_level lvl)
{
	return (int)lvl <= log_level;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;

	if (!log_enabled(lvl))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line, so lines of concurrent runs do not interleave. */
	fprintf(stderr, "leader-exec: %s\n", line);
	fflush(stderr);
}
