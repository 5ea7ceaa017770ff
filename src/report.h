/*
 * report: what leader-exec prints on stdout, rendered into a buffer:
 * --status as text or JSON, and --export lines.  Pure.
 */
#ifndef LEADER_EXEC_REPORT_H
#define LEADER_EXEC_REPORT_H

#include "buf.h"
#include "cli.h"
#include "leader.h"

/*
 * Append s with every control character escaped: \n \r \t \\ and
 * \\xHH for the rest of 0x00-0x1f and 0x7f, so a tag value can never
 * start a line of its own.  0 or -1.
 */
int	report_escape_text(struct buf *, const char *s);
/* The --status text table (tag keys and values escaped).  0 or -1. */
int	report_status_text(const struct options *, const struct leader_result *,
	    struct buf *);
/* The --status --json document (one object, one line).  0 or -1. */
int	report_status_json(const struct options *, const struct leader_result *,
	    struct buf *);
/*
 * The --export lines for is_leader (shell-safe single-quoted values).
 * 0 or -1.
 */
int	report_export(const struct options *, const struct leader_result *,
	    int is_leader, struct buf *);
/* "2026-11-22T10:23:18Z" for t into out (size >= 21); "-" if t < 0. */
void	report_time(int64_t t, char *out, size_t outlen);

#endif
