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

struct leader_session;

/*
 * Run one election as o says.  0 with res filled, or -1 with e set (res
 * still holds what was learnt, for --status and logs).  Free res with
 * leader_result_free() in both cases.  On success, when session is not
 * NULL, *session keeps the clients, credentials and store state open for
 * leader_renew() and leader_finish() (res->supervise says whether the
 * leader must be supervised); close it with leader_close() before exec.
 */
int	leader_run(const struct options *o, const struct runenv *env,
	    struct leader_result *res, struct leader_session **session,
	    struct lerr *e);
/* Renew the leader's lease within budget_ms: 0, or -1 with e set. */
int	leader_renew(struct leader_session *, long budget_ms, struct lerr *e);
/* Record the command's outcome (exit status or 128 + N): 0 or -1. */
int	leader_finish(struct leader_session *, int status, struct lerr *e);
/*
 * --protect: set (on) or clear Auto Scaling scale-in protection on self
 * in its group (the aws:autoscaling:groupName tag).  Nothing without
 * --protect, or when clearing what was never set.  0, or -1 with e set
 * (113 naming autoscaling:SetInstanceProtection when refused).
 */
int	leader_protect(struct leader_session *, int on, struct lerr *e);
/* The leader will not run after all: release what it holds (best effort). */
void	leader_abandon(struct leader_session *);
/* Zero the credentials, free everything; NULL is fine. */
void	leader_close(struct leader_session *);
void	leader_result_free(struct leader_result *);

#endif
