/*
 * util: portability shims and tiny helpers shared by every module.
 */
#ifndef LEADER_EXEC_UTIL_H
#define LEADER_EXEC_UTIL_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stddef.h>
#include <string.h>

#ifndef HAVE_STRLCPY
size_t	strlcpy(char *, const char *, size_t);
#endif

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#endif
