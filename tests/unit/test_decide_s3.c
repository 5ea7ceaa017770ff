/*
 * Unit tests for decide_s3.c: the S3 store's decision as a table of
 * records read, the term arithmetic, the drift boundary, and the
 * renewal and post-command transitions.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "decide_s3.h"
#include "record.h"

#define ERRLEN	256
#define NOW	INT64_C(1763800000)	/* 2025-11-22 */
#define LEASE	15
#define GROUP	"elasticbeanstalk:environment-id=e-abc123"
#define NAME	"command"
#define SELF	"i-self"
#define OTHER	"i-other"
#define X	RECORD_EXIT_NONE

/* The record read, in short; renewed = written = lease - LEASE. */
struct rspec {
	int			 present;
	enum record_state	 state;
	const char		*epoch;
	const char		*holder;
	int64_t			 term;
	int			 exit_status;
	int64_t			 lease;		/* lease_expiry */
};

struct dcase {
	const char		*name;		/* the rule the case protects */
	struct rspec		 rec;
	int			 running;	/* holder running per EC2 */
	int64_t			 now;
	const char		*epoch;		/* this run's */
	enum ds_run		 run;
	enum ds_follow		 follow;
	int64_t			 own_term, waited_term;
	enum ds_outcome		 want;
	int			 want_write;
	int64_t			 want_term;
	enum record_state	 want_state;	/* of next, when written */
	int			 want_retry;
	const char		*want_reason;	/* exact, or NULL */
};

#define NONE		{ 0, 0, NULL, NULL, 0, 0, 0 }
#define REC(st, ep, h, t, x, l)	{ 1, RECORD_##st, ep, h, t, x, l }
#define LIVE		(NOW + 5)		/* a lease still running */
#define GONE		(NOW - 60)		/* a lease long expired */

#define TASK		DS_RUN_TASK
#define HOLD		DS_RUN_HOLD
#define CHECK		DS_RUN_CHECK
#define EXIT		DS_FOLLOW_EXIT
#define STANDBY		DS_FOLLOW_STANDBY
#define WAITF		DS_FOLLOW_WAIT

static const struct dcase cases[] = {
	/* No record. */
	{ "no record: claim by creating it, term now, a held lease",
	  NONE, 0, NOW, "42", TASK, EXIT, 0, 0,
	  DS_CLAIM_CREATE, 1, NOW, RECORD_HELD, 0,
	  "no record: claim with term 1763800000" },
	{ "no record, --check: the claim leaves the record idle",
	  NONE, 0, NOW, "42", CHECK, EXIT, 0, 0,
	  DS_CLAIM_CREATE, 1, NOW, RECORD_IDLE, 0, NULL },
	{ "no record at time 0: the first term is still 1",
	  NONE, 0, 0, "", TASK, EXIT, 0, 0,
	  DS_CLAIM_CREATE, 1, 1, RECORD_HELD, 0, NULL },
	{ "no record, --hold --standby: claim a held lease",
	  NONE, 0, NOW, "", HOLD, STANDBY, 0, 0,
	  DS_CLAIM_CREATE, 1, NOW, RECORD_HELD, 0, NULL },

	/* released. */
	{ "released: claim over it with term + 1",
	  REC(RELEASED, "", OTHER, 7, 0, NOW), 1, NOW, "", HOLD, STANDBY,
	  0, 0, DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0,
	  "released by i-other (term 7): claim with term 8" },
	{ "released by self: a new tenure still takes a new term",
	  REC(RELEASED, "42", SELF, 7, X, NOW), 1, NOW, "42", TASK, EXIT,
	  0, 0, DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0, NULL },

	/* done. */
	{ "done for this epoch: nothing to do, whoever runs",
	  REC(DONE, "42", OTHER, 7, 0, NOW), 0, NOW, "42", TASK, EXIT, 0, 0,
	  DS_DONE, 0, 7, 0, 0,
	  "epoch 42's command succeeded on i-other (term 7): nothing to do" },
	{ "done for this epoch: a --wait follower that never waited is done",
	  REC(DONE, "42", OTHER, 7, 0, NOW), 1, NOW, "42", TASK, WAITF, 0, 0,
	  DS_DONE, 0, 7, 0, 0, NULL },
	{ "done for this epoch: --check has nothing to claim either",
	  REC(DONE, "42", OTHER, 7, 0, NOW), 1, NOW, "42", CHECK, EXIT, 0, 0,
	  DS_DONE, 0, 7, 0, 0, NULL },
	{ "done for another epoch: claim for this one",
	  REC(DONE, "41", OTHER, 7, 0, NOW), 1, NOW, "42", TASK, EXIT, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0,
	  "done for epoch 41 (term 7), this run's epoch is 42: claim with "
	  "term 8" },
	{ "done, and this run has no epoch: claim",
	  REC(DONE, "41", OTHER, 7, 0, NOW), 1, NOW, "", TASK, EXIT, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0, NULL },

	/* failed. */
	{ "failed for this epoch: a later run claims again, as a retry",
	  REC(FAILED, "42", OTHER, 7, 3, NOW), 1, NOW, "42", TASK, EXIT, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 1,
	  "epoch 42's command failed on i-other (term 7, exit 3): retry with "
	  "term 8" },
	{ "failed for this epoch: a fresh --wait run retries too",
	  REC(FAILED, "42", OTHER, 7, 3, NOW), 1, NOW, "42", TASK, WAITF, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 1, NULL },
	{ "failed for this epoch: --check does not retry, writes nothing",
	  REC(FAILED, "42", OTHER, 7, 3, NOW), 1, NOW, "42", CHECK, EXIT, 0, 0,
	  DS_FOLLOWER, 0, 7, 0, 0, NULL },
	{ "failed for another epoch: a plain claim, not a retry",
	  REC(FAILED, "41", OTHER, 7, 3, NOW), 1, NOW, "42", TASK, EXIT, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0, NULL },

	/* held by another instance. */
	{ "live holder: follower",
	  REC(HELD, "42", OTHER, 7, X, LIVE), 1, NOW, "42", TASK, EXIT, 0, 0,
	  DS_FOLLOWER, 0, 7, 0, 0,
	  "i-other holds the lease (term 7, epoch 42, until 1763800005): "
	  "follower" },
	{ "live holder, --standby: wait to take over",
	  REC(HELD, "", OTHER, 7, X, LIVE), 1, NOW, "", HOLD, STANDBY, 0, 0,
	  DS_WAIT, 0, 7, 0, 0, NULL },
	{ "live holder, --wait: wait for its command to end",
	  REC(HELD, "42", OTHER, 7, X, LIVE), 1, NOW, "42", TASK, WAITF, 0, 0,
	  DS_WAIT, 0, 7, 0, 0,
	  "i-other holds the lease (term 7, epoch 42, until 1763800005): "
	  "wait for its command to end" },
	{ "live holder, --check: follower, never waits",
	  REC(HELD, "42", OTHER, 7, X, LIVE), 1, NOW, "42", CHECK, STANDBY,
	  0, 0, DS_FOLLOWER, 0, 7, 0, 0, NULL },
	{ "a run without epoch follows a live holder of any epoch",
	  REC(HELD, "41", OTHER, 7, X, LIVE), 1, NOW, "", TASK, EXIT, 0, 0,
	  DS_FOLLOWER, 0, 7, 0, 0, NULL },
	{ "holder not running: claim though its lease runs",
	  REC(HELD, "42", OTHER, 7, X, LIVE), 0, NOW, "42", TASK, EXIT, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0,
	  "holder i-other (term 7) is not running: claim with term 8" },
	{ "lease expired beyond the drift allowance: claim",
	  REC(HELD, "42", OTHER, 7, X, NOW - 2), 1, NOW, "42", TASK, EXIT,
	  0, 0, DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0,
	  "lease of i-other (term 7) expired at 1763799998 (now 1763800000, "
	  "drift allowance 1 s): claim with term 8" },
	{ "lease at the drift boundary (now = expiry + drift): still live",
	  REC(HELD, "42", OTHER, 7, X, NOW - DS_DRIFT_SECONDS), 1, NOW, "42",
	  TASK, EXIT, 0, 0, DS_FOLLOWER, 0, 7, 0, 0, NULL },
	{ "lease just not expired (now = expiry): live",
	  REC(HELD, "42", OTHER, 7, X, NOW), 1, NOW, "42", TASK, EXIT, 0, 0,
	  DS_FOLLOWER, 0, 7, 0, 0, NULL },
	{ "lease expired, --standby: take over",
	  REC(HELD, "", OTHER, 7, X, GONE), 1, NOW, "", HOLD, STANDBY, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0, NULL },
	{ "lease expired, --wait: the waiting follower takes over",
	  REC(HELD, "42", OTHER, 7, X, GONE), 1, NOW, "42", TASK, WAITF, 0, 7,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0, NULL },

	/* held for another epoch. */
	{ "live holder of another epoch: an earlier deployment runs: wait",
	  REC(HELD, "41", OTHER, 7, X, LIVE), 1, NOW, "42", TASK, EXIT, 0, 0,
	  DS_WAIT, 0, 7, 0, 0,
	  "epoch 41's command still runs on i-other (term 7, lease until "
	  "1763800005): wait" },
	{ "live holder of another epoch: --check waits too, never steals",
	  REC(HELD, "41", OTHER, 7, X, LIVE), 1, NOW, "42", CHECK, EXIT, 0, 0,
	  DS_WAIT, 0, 7, 0, 0, NULL },
	{ "live holder without epoch, run with one: another epoch: wait",
	  REC(HELD, "", OTHER, 7, X, LIVE), 1, NOW, "42", TASK, EXIT, 0, 0,
	  DS_WAIT, 0, 7, 0, 0, NULL },
	{ "dead holder of another epoch: claim",
	  REC(HELD, "41", OTHER, 7, X, LIVE), 0, NOW, "42", TASK, EXIT, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0, NULL },
	{ "expired holder of another epoch: claim",
	  REC(HELD, "41", OTHER, 7, X, GONE), 1, NOW, "42", TASK, EXIT, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0, NULL },

	/* held by self. */
	{ "self holds the lease this run took: renew, same term",
	  REC(HELD, "42", SELF, 7, X, LIVE), 1, NOW, "42", TASK, EXIT, 7, 0,
	  DS_LEADER, 1, 7, RECORD_HELD, 0,
	  "this run holds the lease (term 7): renew" },
	{ "self's own lease seen expired: re-take is safe (record unchanged)",
	  REC(HELD, "42", SELF, 7, X, GONE), 1, NOW, "42", TASK, EXIT, 7, 0,
	  DS_LEADER, 1, 7, RECORD_HELD, 0, NULL },
	{ "another run on this instance holds a live lease: follower",
	  REC(HELD, "42", SELF, 7, X, LIVE), 1, NOW, "42", TASK, EXIT, 0, 0,
	  DS_FOLLOWER, 0, 7, 0, 0,
	  "another run on this instance holds the lease (term 7, epoch 42, "
	  "until 1763800005): follower" },
	{ "another run on this instance: self counts as running",
	  REC(HELD, "42", SELF, 7, X, LIVE), 0, NOW, "42", TASK, EXIT, 6, 0,
	  DS_FOLLOWER, 0, 7, 0, 0, NULL },
	{ "another run on this instance, --check: leader, lease untouched",
	  REC(HELD, "42", SELF, 7, X, LIVE), 1, NOW, "42", CHECK, EXIT, 0, 0,
	  DS_LEADER, 0, 7, 0, 0, NULL },
	{ "a dead run on this instance left an expired lease: claim anew",
	  REC(HELD, "42", SELF, 7, X, GONE), 1, NOW, "42", TASK, EXIT, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0, NULL },

	/* idle. */
	{ "idle holder running: sticky, follower",
	  REC(IDLE, "", OTHER, 7, 0, NOW - 300), 1, NOW, "", TASK, EXIT, 0, 0,
	  DS_FOLLOWER, 0, 7, 0, 0,
	  "i-other leads (term 7, idle): follower" },
	{ "idle holder running, same epoch: follower",
	  REC(IDLE, "42", OTHER, 7, X, NOW - 300), 1, NOW, "42", TASK, EXIT,
	  0, 0, DS_FOLLOWER, 0, 7, 0, 0, NULL },
	{ "idle holder running, --standby: wait",
	  REC(IDLE, "", OTHER, 7, 0, NOW - 300), 1, NOW, "", HOLD, STANDBY,
	  0, 0, DS_WAIT, 0, 7, 0, 0, NULL },
	{ "idle holder running, fresh --wait: nothing runs: follower",
	  REC(IDLE, "", OTHER, 7, 0, NOW - 300), 1, NOW, "", TASK, WAITF,
	  0, 0, DS_FOLLOWER, 0, 7, 0, 0, NULL },
	{ "idle holder not running: claim",
	  REC(IDLE, "", OTHER, 7, 0, NOW - 300), 0, NOW, "", TASK, EXIT, 0, 0,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0,
	  "holder i-other (term 7, idle) is not running: claim with term 8" },
	{ "idle of another epoch: claim though its holder runs",
	  REC(IDLE, "41", OTHER, 7, X, NOW - 300), 1, NOW, "42", TASK, EXIT,
	  0, 0, DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0,
	  "i-other led epoch 41 (term 7, idle), not epoch 42: claim with "
	  "term 8" },
	{ "idle held by self: leader, re-take the lease, same term",
	  REC(IDLE, "", SELF, 7, 0, NOW - 300), 1, NOW, "", TASK, EXIT, 0, 0,
	  DS_LEADER, 1, 7, RECORD_HELD, 0,
	  "this instance leads (term 7, idle): leader, taking the lease with "
	  "term 7" },
	{ "idle held by self, --check: leader, nothing written",
	  REC(IDLE, "42", SELF, 7, X, NOW - 300), 1, NOW, "42", CHECK, EXIT,
	  0, 0, DS_LEADER, 0, 7, 0, 0, NULL },
	{ "idle held by self with an epoch, run without: re-take, term + 1",
	  REC(IDLE, "41", SELF, 7, X, NOW - 300), 1, NOW, "", TASK, EXIT, 0, 0,
	  DS_LEADER, 1, 8, RECORD_HELD, 0, NULL },

	/* --wait followers that waited on a term. */
	{ "waited on term 7, now done: exit 0",
	  REC(DONE, "42", OTHER, 7, 0, NOW), 1, NOW, "42", TASK, WAITF, 0, 7,
	  DS_DONE, 0, 7, 0, 0, NULL },
	{ "waited on term 7, now failed: the leader's command failed (120)",
	  REC(FAILED, "42", OTHER, 7, 3, NOW), 1, NOW, "42", TASK, WAITF, 0, 7,
	  DS_LEADER_FAILED, 0, 7, 0, 0,
	  "the command waited on (term 7) failed on i-other (term 7, exit 3)" },
	{ "a waited term means nothing without --wait: a retry",
	  REC(FAILED, "42", OTHER, 7, 3, NOW), 1, NOW, "42", TASK, STANDBY, 0,
	  7, DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 1, NULL },
	{ "waited on term 7, a later holder's retry failed too: 120",
	  REC(FAILED, "42", OTHER, 9, 1, NOW), 1, NOW, "42", TASK, WAITF, 0, 7,
	  DS_LEADER_FAILED, 0, 9, 0, 0, NULL },
	{ "waited on term 7, a failure of an older term is not it: retry",
	  REC(FAILED, "42", OTHER, 6, 1, NOW), 1, NOW, "42", TASK, WAITF, 0, 7,
	  DS_CLAIM_REPLACE, 1, 7, RECORD_HELD, 1, NULL },
	{ "waited without epoch, idle with exit 0: done",
	  REC(IDLE, "", OTHER, 7, 0, NOW), 1, NOW, "", TASK, WAITF, 0, 7,
	  DS_DONE, 0, 7, 0, 0, NULL },
	{ "waited without epoch, idle with exit 3: failed",
	  REC(IDLE, "", OTHER, 7, 3, NOW), 1, NOW, "", TASK, WAITF, 0, 7,
	  DS_LEADER_FAILED, 0, 7, 0, 0, NULL },
	{ "waited, idle without exit status (a --check) a lease old: follower",
	  REC(IDLE, "", OTHER, 8, X, NOW), 1, NOW, "", TASK, WAITF, 0, 7,
	  DS_FOLLOWER, 0, 8, 0, 0, NULL },
	{ "--wait, a --check's idle claim younger than a lease: its holder "
	  "may take it under a lease: wait",
	  REC(IDLE, "42", OTHER, 8, X, NOW + LEASE - 2), 1, NOW, "42", TASK,
	  WAITF, 0, 0, DS_WAIT, 0, 8, 0, 0, NULL },
	{ "--wait, a young idle claim that ran (exit 0): nothing to wait for",
	  REC(IDLE, "", OTHER, 8, 0, NOW + LEASE - 2), 1, NOW, "", TASK,
	  WAITF, 0, 0, DS_FOLLOWER, 0, 8, 0, 0, NULL },
	{ "waited on 7, another instance took over (held 8): wait again",
	  REC(HELD, "42", OTHER, 8, X, LIVE), 1, NOW, "42", TASK, WAITF, 0, 7,
	  DS_WAIT, 0, 8, 0, 0, NULL },
	{ "waited, the holder released (a --hold): claim",
	  REC(RELEASED, "", OTHER, 7, 0, NOW), 1, NOW, "", HOLD, WAITF, 0, 7,
	  DS_CLAIM_REPLACE, 1, 8, RECORD_HELD, 0, NULL },
};

static void
fill(struct record *r, const struct rspec *s)
{
	memset(r, 0, sizeof(*r));
	r->version = RECORD_VERSION;
	strcpy(r->group, GROUP);
	strcpy(r->name, NAME);
	strcpy(r->epoch, s->epoch);
	strcpy(r->holder, s->holder);
	r->term = s->term;
	r->state = s->state;
	r->exit_status = s->exit_status;
	r->lease_expiry = s->lease;
	r->renewed = s->lease - LEASE;
	strcpy(r->writer, s->holder);
	r->written = r->renewed;
}

static void
input(struct ds_input *in, const struct record *rec, const char *epoch,
    int64_t now)
{
	memset(in, 0, sizeof(*in));
	in->rec = rec;
	in->has_etag = rec != NULL;
	in->group = GROUP;
	in->name = NAME;
	in->self_id = SELF;
	in->now = now;
	in->epoch = epoch;
	in->lease = LEASE;
}

/* The record written to lead: self's, this run's epoch, a fresh lease. */
static void
assert_next(const struct dcase *c, const struct ds_result *out)
{
	const struct record	*n = &out->next;
	char			 err[ERRLEN];
	struct buf		 b;

	ck_assert_int_eq(n->term, c->want_term);
	ck_assert_int_eq(n->state, c->want_state);
	ck_assert_str_eq(n->holder, SELF);
	ck_assert_str_eq(n->writer, SELF);
	ck_assert_str_eq(n->group, GROUP);
	ck_assert_str_eq(n->name, NAME);
	ck_assert_str_eq(n->epoch, c->epoch);
	ck_assert_int_eq(n->exit_status, RECORD_EXIT_NONE);
	ck_assert_int_eq(n->renewed, c->now);
	ck_assert_int_eq(n->written, c->now);
	ck_assert_int_eq(n->lease_expiry, c->want_state == RECORD_HELD ?
	    c->now + LEASE : c->now);
	/* What is written is a record leader-exec reads back. */
	buf_init(&b, 0);
	ck_assert_msg(record_encode(n, &b, err, sizeof(err)) == 0, "%s", err);
	buf_free(&b);
}

START_TEST(test_table)
{
	const struct dcase	*c = &cases[_i];
	struct ds_input		 in;
	struct ds_result	 out;
	struct record		 rec;
	char			 err[ERRLEN];

	if (c->rec.present)
		fill(&rec, &c->rec);
	input(&in, c->rec.present ? &rec : NULL, c->epoch, c->now);
	in.holder_running = c->running;
	in.run = c->run;
	in.follow = c->follow;
	in.own_term = c->own_term;
	in.waited_term = c->waited_term;
	ck_assert_msg(decide_s3(&in, &out, err, sizeof(err)) == 0, "%s: %s",
	    c->name, err);
	ck_assert_msg(out.outcome == c->want, "%s: got %s (%s)", c->name,
	    decide_s3_outcome_name(out.outcome), out.reason);
	ck_assert_msg(out.write == c->want_write, "%s: write %d", c->name,
	    out.write);
	ck_assert_msg(out.term == c->want_term, "%s: term %lld", c->name,
	    (long long)out.term);
	ck_assert_int_eq(out.retry, c->want_retry);
	ck_assert_int_eq(out.holder_self,
	    c->rec.present && strcmp(c->rec.holder, SELF) == 0);
	if (c->want_reason != NULL)
		ck_assert_str_eq(out.reason, c->want_reason);
	ck_assert(out.reason[0] != '\0');
	if (out.write)
		assert_next(c, &out);
}
END_TEST

/* The renewal written by a run that holds the lease keeps everything else. */
START_TEST(test_renew)
{
	struct record	 cur, next;
	struct rspec	 s = REC(HELD, "42", SELF, 7, X, NOW + 5);
	char		 err[ERRLEN];

	fill(&cur, &s);
	strcpy(cur.writer, OTHER);
	ck_assert_int_eq(decide_s3_renew(&cur, SELF, NOW + 4, LEASE, &next,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(next.lease_expiry, NOW + 4 + LEASE);
	ck_assert_int_eq(next.renewed, NOW + 4);
	ck_assert_int_eq(next.written, NOW + 4);
	ck_assert_str_eq(next.writer, SELF);
	ck_assert_int_eq(next.term, 7);
	ck_assert_int_eq(next.state, RECORD_HELD);
	ck_assert_str_eq(next.epoch, "42");
	ck_assert_str_eq(next.holder, SELF);

	ck_assert_int_eq(decide_s3_renew(&cur, OTHER, NOW, LEASE, &next, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "renewal of a lease self does not hold");
	ck_assert_int_eq(decide_s3_renew(&cur, SELF, NOW, 0, &next, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "lease or time out of range");
	ck_assert_int_eq(decide_s3_renew(&cur, SELF, RECORD_TIME_MAX, LEASE,
	    &next, err, sizeof(err)), -1);
	cur.state = RECORD_IDLE;
	ck_assert_int_eq(decide_s3_renew(&cur, SELF, NOW, LEASE, &next, err,
	    sizeof(err)), -1);
}
END_TEST

struct after_case {
	const char		*name;		/* the rule the case protects */
	const char		*epoch;
	enum ds_run		 run;
	int			 status;
	enum record_state	 want;
};

static const struct after_case after_cases[] = {
	{ "with an epoch, success is done", "42", DS_RUN_TASK, 0,
	  RECORD_DONE },
	{ "with an epoch, a failure is failed", "42", DS_RUN_TASK, 3,
	  RECORD_FAILED },
	{ "with an epoch, a death by SIGKILL is failed", "42", DS_RUN_TASK,
	  137, RECORD_FAILED },
	{ "--epoch none: idle after success", "", DS_RUN_TASK, 0,
	  RECORD_IDLE },
	{ "--epoch none: idle after failure too", "", DS_RUN_TASK, 2,
	  RECORD_IDLE },
	{ "--hold: released after success", "42", DS_RUN_HOLD, 0,
	  RECORD_RELEASED },
	{ "--hold: released after failure", "", DS_RUN_HOLD, 1,
	  RECORD_RELEASED }
};

/* After the command: the state, its exit status, the lease ended. */
START_TEST(test_after)
{
	const struct after_case	*c = &after_cases[_i];
	struct record		 cur, next, back;
	struct rspec		 s = REC(HELD, c->epoch, SELF, 7, X, NOW + 5);
	char			 err[ERRLEN];
	struct buf		 b;

	fill(&cur, &s);
	ck_assert_msg(decide_s3_after(&cur, c->run, c->status, NOW + 3, &next,
	    err, sizeof(err)) == 0, "%s: %s", c->name, err);
	ck_assert_msg(next.state == c->want, "%s: %s", c->name,
	    record_state_name(next.state));
	ck_assert_int_eq(next.exit_status, c->status);
	ck_assert_int_eq(next.term, 7);
	ck_assert_str_eq(next.epoch, c->epoch);
	ck_assert_str_eq(next.holder, SELF);
	ck_assert_str_eq(next.writer, SELF);
	ck_assert_int_eq(next.lease_expiry, NOW + 3);
	ck_assert_int_eq(next.written, NOW + 3);
	ck_assert_int_eq(next.renewed, cur.renewed);
	buf_init(&b, 0);
	ck_assert_int_eq(record_encode(&next, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(record_decode(b.data, b.len, &back, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(back.state, c->want);
	buf_free(&b);
}
END_TEST

START_TEST(test_after_refuses)
{
	struct record	 cur, next;
	struct rspec	 s = REC(HELD, "42", SELF, 7, X, NOW + 5);
	char		 err[ERRLEN];

	fill(&cur, &s);
	ck_assert_int_eq(decide_s3_after(&cur, DS_RUN_CHECK, 0, NOW, &next,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no command ran under this record");
	ck_assert_int_eq(decide_s3_after(&cur, DS_RUN_TASK, 256, NOW, &next,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "exit status out of range (0 to 255)");
	ck_assert_int_eq(decide_s3_after(&cur, DS_RUN_TASK, -1, NOW, &next,
	    err, sizeof(err)), -1);
	cur.state = RECORD_IDLE;
	ck_assert_int_eq(decide_s3_after(&cur, DS_RUN_TASK, 0, NOW, &next,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no command ran under this record");
}
END_TEST

/* Term arithmetic: a claim over INT64_MAX is refused, loudly. */
START_TEST(test_term_overflow)
{
	struct rspec		 released = REC(RELEASED, "", OTHER, INT64_MAX,
				    X, NOW);
	struct rspec		 idle = REC(IDLE, "41", SELF, INT64_MAX, X,
				    NOW);
	struct rspec		 near = REC(RELEASED, "", OTHER,
				    INT64_MAX - 1, X, NOW);
	struct record		 rec;
	struct ds_input		 in;
	struct ds_result	 out;
	char			 err[ERRLEN];

	fill(&rec, &released);
	input(&in, &rec, "", NOW);
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the record's term is at its maximum "
	    "(9223372036854775807): it cannot be claimed again; replace the "
	    "object by hand");
	ck_assert_int_eq(out.write, 0);

	/* A re-take that changes the epoch needs a new term as well. */
	fill(&rec, &idle);
	input(&in, &rec, "", NOW);
	in.holder_running = 1;
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);
	ck_assert_int_eq(out.write, 0);

	/* The last term there is can still be claimed. */
	fill(&rec, &near);
	input(&in, &rec, "", NOW);
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), 0);
	ck_assert_int_eq(out.outcome, DS_CLAIM_REPLACE);
	ck_assert_int_eq(out.term, INT64_MAX);
}
END_TEST

/* Inputs the decision refuses instead of guessing. */
START_TEST(test_refuses)
{
	struct rspec		 s = REC(RELEASED, "42", OTHER, 7, X, NOW);
	struct record		 rec;
	struct ds_input		 in;
	struct ds_result	 out;
	char			 err[ERRLEN];

	fill(&rec, &s);
	input(&in, &rec, "42", NOW);
	in.has_etag = 0;
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the record was read without an ETag: it "
	    "cannot be replaced conditionally");

	input(&in, &rec, "42", NOW);
	in.group = "elasticbeanstalk:environment-id=e-other";
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the record is for group " GROUP ", name "
	    "command: not this group and name");
	input(&in, &rec, "42", NOW);
	in.name = "cron";
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);

	input(&in, &rec, "42", NOW);
	in.self_id = "i-self/..";
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "self is not an instance id");
	input(&in, &rec, "4 2", NOW);
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "invalid epoch");
	input(&in, &rec, "42", NOW);
	in.lease = 0;
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);
	input(&in, &rec, "42", NOW);
	in.lease = DS_LEASE_MAX + 1;
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);
	input(&in, &rec, "42", -1);
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);
	input(&in, &rec, "42", NOW);
	in.waited_term = -1;
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);

	/* A record that breaks the field rules is never decided on. */
	rec.term = 0;
	input(&in, &rec, "42", NOW);
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "term out of range (1 to 9223372036854775807)");

	/* A create needs no ETag. */
	input(&in, NULL, "42", NOW);
	ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), 0);
	ck_assert_int_eq(out.outcome, DS_CLAIM_CREATE);
}
END_TEST

/*
 * Fencing: over a long run of claims by changing holders, epochs and
 * states, every claim's term is above every term seen before, and a
 * leader's term never falls.
 */
START_TEST(test_terms_never_repeat)
{
	static const char *const ids[] = { SELF, OTHER, "i-third" };
	static const char *const epochs[] = { "", "41", "42" };
	struct record		 rec;
	struct ds_input		 in;
	struct ds_result	 out;
	char			 err[ERRLEN];
	int64_t			 highest = 0, now = NOW;
	unsigned		 seed = 7, i, claims = 0;
	int			 have = 0;

	for (i = 0; i < 2000; i++) {
		seed = seed * 1103515245u + 12345u;
		now += 1 + (seed >> 16) % 20;
		input(&in, have ? &rec : NULL, epochs[(seed >> 8) % 3], now);
		in.self_id = ids[(seed >> 4) % 3];
		in.holder_running = (seed >> 12) % 4 != 0;
		in.run = (enum ds_run)((seed >> 20) % 3);
		ck_assert_int_eq(decide_s3(&in, &out, err, sizeof(err)), 0);
		if (out.outcome == DS_CLAIM_CREATE ||
		    out.outcome == DS_CLAIM_REPLACE) {
			ck_assert_int_gt(out.term, highest);
			claims++;
		}
		if (out.outcome == DS_LEADER)
			ck_assert_int_ge(out.term, highest);
		if (out.write) {
			rec = out.next;
			have = 1;
			if (out.term > highest)
				highest = out.term;
		}
		/* Sometimes the command ends: done, failed, idle, released. */
		if (have && rec.state == RECORD_HELD && (seed >> 24) % 2 == 0)
			ck_assert_int_eq(decide_s3_after(&rec,
			    (seed >> 25) % 2 ? DS_RUN_HOLD : DS_RUN_TASK,
			    (int)((seed >> 26) % 3), now, &rec, err,
			    sizeof(err)), 0);
	}
	ck_assert_uint_gt(claims, 100);
}
END_TEST

START_TEST(test_outcome_names)
{
	ck_assert_str_eq(decide_s3_outcome_name(DS_CLAIM_CREATE),
	    "claim-create");
	ck_assert_str_eq(decide_s3_outcome_name(DS_CLAIM_REPLACE),
	    "claim-replace");
	ck_assert_str_eq(decide_s3_outcome_name(DS_LEADER), "leader");
	ck_assert_str_eq(decide_s3_outcome_name(DS_FOLLOWER), "follower");
	ck_assert_str_eq(decide_s3_outcome_name(DS_WAIT), "wait");
	ck_assert_str_eq(decide_s3_outcome_name(DS_DONE), "done");
	ck_assert_str_eq(decide_s3_outcome_name(DS_LEADER_FAILED),
	    "leader-failed");
}
END_TEST

static Suite *
decide_suite(void)
{
	Suite	*s = suite_create("decide_s3");
	TCase	*core = tcase_create("Core");
	TCase	*limits = tcase_create("Limits");

	tcase_add_loop_test(core, test_table, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(core, test_renew);
	tcase_add_loop_test(core, test_after, 0,
	    (int)(sizeof(after_cases) / sizeof(after_cases[0])));
	tcase_add_test(core, test_outcome_names);
	tcase_add_test(limits, test_after_refuses);
	tcase_add_test(limits, test_term_overflow);
	tcase_add_test(limits, test_refuses);
	tcase_add_test(limits, test_terms_never_repeat);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(decide_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
