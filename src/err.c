/*
 * err: an error travelling back to main.c, which reports it once.
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

void
lerr_set(struct lerr *e, enum lerr_class cls, const char *fmt, ...)
{
	va_list	 ap;

	if (e == NULL || e->cls != LERR_NONE)
		return;
	e->cls = cls;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

int
err_reason(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
lerr_clear(struct lerr *e)
{
	e->cls = LERR_NONE;
	e->msg[0] = '\0';
}

const char *
lerr_class_name(enum lerr_class cls)
{
	switch (cls) {
	case LERR_NONE:		return "none";
	case LERR_USAGE:	return "usage";
	case LERR_IMDS:		return "metadata";
	case LERR_CREDS:	return "credentials";
	case LERR_PERM:		return "permission";
	case LERR_EC2:		return "ec2";
	case LERR_SCOPE:	return "scope";
	case LERR_DEADLINE:	return "deadline";
	case LERR_SIGNAL:	return "signal";
	case LERR_INTERNAL:	return "internal";
	case LERR_LOST:		return "leadership lost";
	case LERR_LEADER_FAILED: return "leader failed";
	case LERR_QUORUM:	return "quorum not reached";
	}
	return "unknown";
}
