/*
 * leader: one election, end to end.  Reads the instance's identity and
 * credentials, finds its group, then runs the steps around the pure
 * decision of election.c: read, decide, claim, settle, re-read, confirm
 * or retract.  Returns what main.c needs to act; exits and execs nothing.
 */
#ifndef LEADER_EXEC_LEADER_H
#define LEADER_EXEC_LEADER_H

#include <stdint.h>

#include "cli.h"
#include "err.h"
#include "store.h"

/*
 * Run one election as o says.  0 with res filled, or -1 with e set (res
 * still holds what was learnt, for --status and logs).  Free res with
 * leader_result_free() in both cases.
 */
int	leader_run(const struct options *o, const struct runenv *env,
	    struct leader_result *res, struct lerr *e);
void	leader_result_free(struct leader_result *);

#endif
