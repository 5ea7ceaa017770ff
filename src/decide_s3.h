/*
 * decide_s3: what the S3 store does, as a pure function of what it read.
 *
 * Input: the record at the group's key (or none) and whether the read gave
 * an ETag, self's instance id, whether the record's holder is running
 * (DescribeInstances), now, this run's epoch and mode.  Output: claim
 * (with the record to write and the condition to write it under), lead,
 * follow, wait, nothing to do, or the awaited command failed, and why.
 * No I/O, no clock, no allocation.  store_s3.c does the reads and the
 * conditional writes around it; a 412 on a write means "re-read and
 * decide again", never "leader".
 *
 * Rules (DESIGN.md section 7), in this order:
 *  - No record: claim, creating it (If-None-Match: *).
 *  - held: live while its holder runs and the lease has not expired with
 *    the drift allowance (now <= lease_expiry + DS_DRIFT_SECONDS).  The
 *    process that holds it (own_term == term, holder self) renews.  Not
 *    live: claim (If-Match).  Live and of another epoch (this run has one
 *    and the record's differs): an earlier deployment's command still
 *    runs: DS_WAIT in every mode.  Live otherwise (a run without epoch
 *    matches any): follower, or DS_WAIT with --standby or --wait; a held
 *    record of self that this process does not hold (another run on this
 *    instance, or one that died with its lease unexpired) counts as
 *    another holder, except that --check/--export report it as DS_LEADER
 *    without writing.
 *  - A --wait follower that has waited on term W (waited_term) and now
 *    sees a record at term >= W that is not held: done, or idle with exit
 *    0, is DS_DONE; failed, or idle with a non-zero exit, is
 *    DS_LEADER_FAILED (exit 120).  Otherwise the rules below apply.
 *  - idle: of another epoch (this run has one): claim.  Holder not
 *    running: claim.  Holder self: DS_LEADER, re-taking the lease
 *    (If-Match) unless this is a --check/--export.  Otherwise follower
 *    (sticky leadership; also with --wait, as no command runs), or
 *    DS_WAIT with --standby; and DS_WAIT with --wait while an idle
 *    record without exit status (a --check/--export claim, which its
 *    holder may be about to take under a lease) is younger than a lease
 *    (now < written + lease).
 *  - done of this run's epoch: DS_DONE.  failed of this run's epoch:
 *    claim again, a retry (retry set), except that --check/--export
 *    report follower and write nothing.  done or failed of another epoch,
 *    or a run without epoch: claim.  released: claim.
 *
 * Terms: a claim over a record takes its term + 1, so every claim (a
 * change of holder or epoch, and also a new tenure of the same holder
 * after a failure, release or expiry) gets a term never used before on
 * this record; INT64_MAX cannot be claimed over and is an error.  A new
 * record starts at max(1, now), so a record deleted by hand and made
 * anew does not restart below terms handed out recently.  A re-take of
 * an idle record by its holder keeps the term (sticky leadership) unless
 * the epoch changes; renewals and the post-command transitions keep it.
 *
 * Drift: DS_DRIFT_SECONDS = 1.  The holder writes lease_expiry =
 * floor(its now) + lease at the start of a renewal; a follower whose
 * clock reads delta seconds ahead of the holder's takes over no earlier
 * than holder time renewal + lease + DS_DRIFT_SECONDS - delta (the
 * whole-second roundings cancel).  The supervisor stops the child by
 * renewal + renew deadline + kill-after, counted from the start of the
 * last successful renewal.  With its invariant renew deadline +
 * kill-after + DS_DRIFT_SECONDS < lease, the child is gone before any
 * follower takes over as long as the clocks of two instances differ by
 * at most 2 x DS_DRIFT_SECONDS = 2 s.  EC2 instances keep time with the
 * Amazon Time Sync Service, within a millisecond in practice; one second
 * costs one second of takeover time and still leaves the defaults (lease
 * 15) room for a 10 s renew deadline and a 3 s kill-after.
 */
#ifndef LEADER_EXEC_DECIDE_S3_H
#define LEADER_EXEC_DECIDE_S3_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define DS_DRIFT_SECONDS	1
#define DS_LEASE_MAX		86400	/* longest lease written, seconds */

/* What this run does once it leads. */
enum ds_run {
	DS_RUN_TASK,	/* a command, once: then done/failed with an epoch,
			   idle without (--epoch none) */
	DS_RUN_HOLD,	/* --hold: a service; released when it exits */
	DS_RUN_CHECK	/* --check, --export: nothing runs; a claim
			   writes an idle record */
};

/* What this run does when another instance leads. */
enum ds_follow {
	DS_FOLLOW_EXIT,		/* report follower and exit */
	DS_FOLLOW_STANDBY,	/* --standby: wait until the holder goes */
	DS_FOLLOW_WAIT		/* --wait: wait until its command ends */
};

enum ds_outcome {
	DS_CLAIM_CREATE,	/* write next with If-None-Match: * */
	DS_CLAIM_REPLACE,	/* write next with If-Match: the ETag read */
	DS_LEADER,		/* self holds a live record: lead (after
				   writing next with If-Match when write) */
	DS_FOLLOWER,		/* another holder leads: be a follower */
	DS_WAIT,		/* poll again (within --timeout) */
	DS_DONE,		/* the epoch's (or the awaited) command
				   succeeded: nothing to do, exit 0 */
	DS_LEADER_FAILED	/* --wait: the awaited command failed: 120 */
};

struct ds_input {
	const struct record	*rec;		/* NULL: no object at the key */
	int			 has_etag;	/* the read gave an ETag */
	const char		*group;		/* record_format_group() */
	const char		*name;		/* leadership name */
	const char		*self_id;
	int			 holder_running; /* rec's holder is running
						    (self always counts) */
	int64_t			 now;		/* unix seconds */
	const char		*epoch;		/* NULL or "": none */
	enum ds_run		 run;
	enum ds_follow		 follow;
	int64_t			 lease;		/* 1 to DS_LEASE_MAX seconds */
	int64_t			 own_term;	/* term this process holds
						   (after its own claim); 0 */
	int64_t			 waited_term;	/* --wait: term of the live
						   holder waited on; 0 */
};

struct ds_result {
	enum ds_outcome		 outcome;
	int			 write;		/* next must be written: with
						   If-None-Match for CREATE,
						   else If-Match */
	struct record		 next;		/* valid when write */
	int64_t			 term;		/* self's (CLAIM_*, LEADER),
						   else the record's */
	int			 retry;		/* claim retries a failed epoch */
	int			 holder_self;	/* the record's holder is self */
	char			 reason[256];	/* one line, for the log */
};

/*
 * Decide for in (rules above) into out.  0; or -1 with a reason in err
 * and out zeroed when the inputs are invalid (self id, epoch, name,
 * group, lease, now, a negative term), the record fails record_check()
 * or belongs to another group or name, a replace is due but the read gave
 * no ETag, or the term would overflow.
 */
int	decide_s3(const struct ds_input *in, struct ds_result *out, char *err,
	    size_t errlen);
/*
 * The renewal of the lease cur that self holds: the same record with
 * lease_expiry = now + lease, renewed = written = now, writer self.
 * cur must be held by self_id.  0, or -1 with a reason in err.
 */
int	decide_s3_renew(const struct record *cur, const char *self_id,
	    int64_t now, int64_t lease, struct record *out, char *err,
	    size_t errlen);
/*
 * The record to write after the command of run (not DS_RUN_CHECK) exited
 * with status (0 to 255, 128 + N for signal N) under the held record cur:
 * --hold released; with an epoch done (status 0) or failed; without
 * (--epoch none) idle.  exit_status = status, lease_expiry = written =
 * now (the lease ends), writer the holder; term, epoch and renewed kept.
 * 0, or -1 with a reason in err.
 */
int	decide_s3_after(const struct record *cur, enum ds_run run,
	    int status, int64_t now, struct record *out, char *err,
	    size_t errlen);
/* "claim-create", "claim-replace", "leader", "follower", "wait", ... */
const char *decide_s3_outcome_name(enum ds_outcome);

#endif
