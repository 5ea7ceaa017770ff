/*
 * decide_s3: the S3 store's decision and its record transitions.  See
 * decide_s3.h for the rules.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decide_s3.h"
#include "election.h"
#include "err.h"
#include "record.h"
#include "util.h"

static void	 why(struct ds_result *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Set the reason of out. */
static void
why(struct ds_result *out, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

const char *
decide_s3_outcome_name(enum ds_outcome o)
{
	switch (o) {
	case DS_CLAIM_CREATE:	return "claim-create";
	case DS_CLAIM_REPLACE:	return "claim-replace";
	case DS_LEADER:		return "leader";
	case DS_FOLLOWER:	return "follower";
	case DS_WAIT:		return "wait";
	case DS_DONE:		return "done";
	case DS_LEADER_FAILED:	return "leader-failed";
	}
	return "unknown";
}

static const char *
epoch_of(const char *e)
{
	return e != NULL ? e : "";
}

/* How an epoch reads in a reason. */
static const char *
shown(const char *e)
{
	return e[0] != '\0' ? e : "none";
}

static int
check_input(const struct ds_input *in, char *err, size_t errlen)
{
	const char	*e = epoch_of(in->epoch);

	if (in->self_id == NULL || !record_valid_id(in->self_id))
		return err_reason(err, errlen, "self is not an instance id");
	if (in->group == NULL || in->name == NULL)
		return err_reason(err, errlen, "no group or name to decide for");
	if (e[0] != '\0' && !election_valid_epoch(e))
		return err_reason(err, errlen, "invalid epoch");
	if (in->lease < 1 || in->lease > DS_LEASE_MAX)
		return err_reason(err, errlen, "lease out of range (1 to %d s)",
		    DS_LEASE_MAX);
	if (in->now < 0 || in->now > RECORD_TIME_MAX - DS_LEASE_MAX)
		return err_reason(err, errlen, "time out of range");
	if (in->own_term < 0 || in->waited_term < 0)
		return err_reason(err, errlen, "negative term");
	if (in->rec == NULL)
		return 0;
	if (record_check(in->rec, err, errlen) == -1)
		return -1;
	if (strcmp(in->rec->group, in->group) != 0 ||
	    strcmp(in->rec->name, in->name) != 0)
		return err_reason(err, errlen, "the record is for group %s, name "
		    "%s: not this group and name", in->rec->group,
		    in->rec->name);
	return 0;
}

/* The record self writes to lead from now on (state held or idle). */
static void
fill_lead(const struct ds_input *in, int64_t term, struct record *r)
{
	memset(r, 0, sizeof(*r));
	r->version = RECORD_VERSION;
	strlcpy(r->group, in->group, sizeof(r->group));
	strlcpy(r->name, in->name, sizeof(r->name));
	strlcpy(r->epoch, epoch_of(in->epoch), sizeof(r->epoch));
	strlcpy(r->holder, in->self_id, sizeof(r->holder));
	r->term = term;
	r->exit_status = RECORD_EXIT_NONE;
	if (in->run == DS_RUN_CHECK) {
		r->state = RECORD_IDLE;
		r->lease_expiry = in->now;
	} else {
		r->state = RECORD_HELD;
		r->lease_expiry = in->now + in->lease;
	}
	r->renewed = in->now;
	strlcpy(r->writer, in->self_id, sizeof(r->writer));
	r->written = in->now;
}

/*
 * Claim: create the record, or replace the one read with its term + 1.
 * cause says why (no "claim" in it).  0, or -1 with err set.
 */
static int
claim(const struct ds_input *in, struct ds_result *out, int retry,
    const char *cause, char *err, size_t errlen)
{
	const struct record	*rec = in->rec;
	int64_t			 term;

	if (rec != NULL && rec->term == INT64_MAX)
		return err_reason(err, errlen, "the record's term is at its "
		    "maximum (%" PRId64 "): it cannot be claimed again; "
		    "replace the object by hand", INT64_MAX);
	if (rec != NULL && !in->has_etag)
		return err_reason(err, errlen, "the record was read without an "
		    "ETag: it cannot be replaced conditionally");
	term = rec != NULL ? rec->term + 1 : (in->now > 1 ? in->now : 1);
	out->outcome = rec != NULL ? DS_CLAIM_REPLACE : DS_CLAIM_CREATE;
	out->write = 1;
	out->term = term;
	out->retry = retry;
	fill_lead(in, term, &out->next);
	why(out, "%s: %s with term %" PRId64, cause,
	    retry ? "retry" : "claim", term);
	return 0;
}

/*
 * Not leading: FOLLOWER, or WAIT when this run stands by, or waits for
 * the command the holder runs (only a held record has one running).
 */
static void
follow(const struct ds_input *in, struct ds_result *out, const char *cause)
{
	const char	*what;
	int		 runs = in->rec->state == RECORD_HELD;

	/*
	 * An idle record that never ran a command (a --check or --export
	 * claim, say from an earlier hook) is a leader about to take it
	 * under a lease: --wait gives it one lease from its writing.
	 */
	if (in->rec->state == RECORD_IDLE &&
	    in->rec->exit_status == RECORD_EXIT_NONE &&
	    in->now < in->rec->written + in->lease)
		runs = 1;

	out->term = in->rec->term;
	if (in->run != DS_RUN_CHECK && (in->follow == DS_FOLLOW_STANDBY ||
	    (in->follow == DS_FOLLOW_WAIT && runs))) {
		out->outcome = DS_WAIT;
		what = in->follow == DS_FOLLOW_WAIT ?
		    "wait for its command to end" : "stand by";
	} else {
		out->outcome = DS_FOLLOWER;
		what = "follower";
	}
	why(out, "%s: %s", cause, what);
}

/* Self leads under the record read: re-take (held) or keep it as is. */
static int
lead(const struct ds_input *in, struct ds_result *out, const char *cause,
    char *err, size_t errlen)
{
	const struct record	*rec = in->rec;
	int64_t			 term = rec->term;

	out->outcome = DS_LEADER;
	out->term = term;
	if (in->run == DS_RUN_CHECK) {
		why(out, "%s: leader", cause);
		return 0;
	}
	if (strcmp(rec->epoch, epoch_of(in->epoch)) != 0) {
		if (term == INT64_MAX)
			return err_reason(err, errlen, "the record's term is at "
			    "its maximum (%" PRId64 "): replace the object by "
			    "hand", INT64_MAX);
		term++;
	}
	if (!in->has_etag)
		return err_reason(err, errlen, "the record was read without an "
		    "ETag: it cannot be replaced conditionally");
	out->write = 1;
	out->term = term;
	fill_lead(in, term, &out->next);
	why(out, "%s: leader, taking the lease with term %" PRId64, cause,
	    term);
	return 0;
}

static int
decide_held(const struct ds_input *in, struct ds_result *out, int running,
    char *err, size_t errlen)
{
	const struct record	*rec = in->rec;
	const char		*e = epoch_of(in->epoch);
	char			 cause[192];

	if (out->holder_self && in->own_term == rec->term) {
		out->outcome = DS_LEADER;
		out->term = rec->term;
		if (in->run != DS_RUN_CHECK) {
			if (!in->has_etag)
				return err_reason(err, errlen, "the record was "
				    "read without an ETag: it cannot be "
				    "replaced conditionally");
			out->write = 1;
			if (decide_s3_renew(rec, in->self_id, in->now,
			    in->lease, &out->next, err, errlen) == -1)
				return -1;
		}
		why(out, "this run holds the lease (term %" PRId64 "): renew",
		    rec->term);
		return 0;
	}
	if (!running) {
		snprintf(cause, sizeof(cause), "holder %s (term %" PRId64
		    ") is not running", rec->holder, rec->term);
		return claim(in, out, 0, cause, err, errlen);
	}
	if (in->now > rec->lease_expiry + DS_DRIFT_SECONDS) {
		snprintf(cause, sizeof(cause), "lease of %s (term %" PRId64
		    ") expired at %" PRId64 " (now %" PRId64 ", drift "
		    "allowance %d s)", rec->holder, rec->term,
		    rec->lease_expiry, in->now, DS_DRIFT_SECONDS);
		return claim(in, out, 0, cause, err, errlen);
	}
	if (e[0] != '\0' && strcmp(rec->epoch, e) != 0) {
		out->outcome = DS_WAIT;
		out->term = rec->term;
		why(out, "epoch %s's command still runs on %s (term %" PRId64
		    ", lease until %" PRId64 "): wait", shown(rec->epoch),
		    rec->holder, rec->term, rec->lease_expiry);
		return 0;
	}
	snprintf(cause, sizeof(cause), "%s holds the lease (term %" PRId64
	    ", epoch %s, until %" PRId64 ")", out->holder_self ?
	    "another run on this instance" : rec->holder, rec->term,
	    shown(rec->epoch), rec->lease_expiry);
	if (out->holder_self && in->run == DS_RUN_CHECK)
		return lead(in, out, cause, err, errlen);
	follow(in, out, cause);
	return 0;
}

/*
 * A --wait follower that waited on a term sees it end: 1 when decided
 * (DONE or LEADER_FAILED), else 0.
 */
static int
decide_waited(const struct ds_input *in, struct ds_result *out)
{
	const struct record	*rec = in->rec;
	int			 ok;

	if (in->follow != DS_FOLLOW_WAIT || in->waited_term == 0 ||
	    rec->term < in->waited_term)
		return 0;
	if (rec->state == RECORD_DONE || rec->state == RECORD_FAILED)
		ok = rec->state == RECORD_DONE;
	else if (rec->state == RECORD_IDLE &&
	    rec->exit_status != RECORD_EXIT_NONE)
		ok = rec->exit_status == 0;
	else
		return 0;
	out->outcome = ok ? DS_DONE : DS_LEADER_FAILED;
	out->term = rec->term;
	why(out, "the command waited on (term %" PRId64 ") %s on %s "
	    "(term %" PRId64 ", exit %d)", in->waited_term,
	    ok ? "succeeded" : "failed", rec->holder, rec->term,
	    rec->exit_status);
	return 1;
}

static int
decide_idle(const struct ds_input *in, struct ds_result *out, int running,
    char *err, size_t errlen)
{
	const struct record	*rec = in->rec;
	const char		*e = epoch_of(in->epoch);
	char			 cause[192];

	if (e[0] != '\0' && strcmp(rec->epoch, e) != 0) {
		snprintf(cause, sizeof(cause), "%s led epoch %s (term %" PRId64
		    ", idle), not epoch %s", rec->holder, shown(rec->epoch),
		    rec->term, e);
		return claim(in, out, 0, cause, err, errlen);
	}
	if (!running) {
		snprintf(cause, sizeof(cause), "holder %s (term %" PRId64
		    ", idle) is not running", rec->holder, rec->term);
		return claim(in, out, 0, cause, err, errlen);
	}
	snprintf(cause, sizeof(cause), "%s leads (term %" PRId64 ", idle)",
	    out->holder_self ? "this instance" : rec->holder, rec->term);
	if (out->holder_self)
		return lead(in, out, cause, err, errlen);
	follow(in, out, cause);
	return 0;
}

/* done, failed, released. */
static int
decide_ended(const struct ds_input *in, struct ds_result *out, char *err,
    size_t errlen)
{
	const struct record	*rec = in->rec;
	const char		*e = epoch_of(in->epoch);
	const char		*st = record_state_name(rec->state);
	char			 cause[192];
	int			 same = e[0] != '\0' && strcmp(rec->epoch, e) == 0;

	if (rec->state == RECORD_DONE && same) {
		out->outcome = DS_DONE;
		out->term = rec->term;
		why(out, "epoch %s's command succeeded on %s (term %" PRId64
		    "): nothing to do", e, rec->holder, rec->term);
		return 0;
	}
	if (rec->state == RECORD_FAILED && same) {
		snprintf(cause, sizeof(cause), "epoch %s's command failed on "
		    "%s (term %" PRId64 ", exit %d)", e, rec->holder,
		    rec->term, rec->exit_status);
		if (in->run == DS_RUN_CHECK) {
			out->outcome = DS_FOLLOWER;
			out->term = rec->term;
			why(out, "%s: follower (a run with a command retries "
			    "it)", cause);
			return 0;
		}
		return claim(in, out, 1, cause, err, errlen);
	}
	if (rec->state == RECORD_RELEASED)
		snprintf(cause, sizeof(cause), "released by %s (term %" PRId64
		    ")", rec->holder, rec->term);
	else
		snprintf(cause, sizeof(cause), "%s for epoch %s (term %" PRId64
		    "), this run's epoch is %s", st, shown(rec->epoch),
		    rec->term, shown(e));
	return claim(in, out, 0, cause, err, errlen);
}

int
decide_s3(const struct ds_input *in, struct ds_result *out, char *err,
    size_t errlen)
{
	const struct record	*rec = in->rec;
	int			 running, rc;

	memset(out, 0, sizeof(*out));
	if (check_input(in, err, errlen) == -1)
		return -1;
	if (rec == NULL)
		return claim(in, out, 0, "no record", err, errlen);
	out->holder_self = strcmp(rec->holder, in->self_id) == 0;
	running = out->holder_self || in->holder_running;
	if (rec->state == RECORD_HELD)
		rc = decide_held(in, out, running, err, errlen);
	else if (decide_waited(in, out))
		rc = 0;
	else if (rec->state == RECORD_IDLE)
		rc = decide_idle(in, out, running, err, errlen);
	else
		rc = decide_ended(in, out, err, errlen);
	if (rc == -1)
		memset(out, 0, sizeof(*out));
	return rc;
}

int
decide_s3_renew(const struct record *cur, const char *self_id, int64_t now,
    int64_t lease, struct record *out, char *err, size_t errlen)
{
	if (record_check(cur, err, errlen) == -1)
		return -1;
	if (cur->state != RECORD_HELD || self_id == NULL ||
	    strcmp(cur->holder, self_id) != 0)
		return err_reason(err, errlen, "renewal of a lease self does not "
		    "hold");
	if (lease < 1 || lease > DS_LEASE_MAX || now < 0 ||
	    now > RECORD_TIME_MAX - lease)
		return err_reason(err, errlen, "lease or time out of range");
	*out = *cur;
	out->lease_expiry = now + lease;
	out->renewed = now;
	out->written = now;
	strlcpy(out->writer, self_id, sizeof(out->writer));
	return 0;
}

int
decide_s3_after(const struct record *cur, enum ds_run run, int status,
    int64_t now, struct record *out, char *err, size_t errlen)
{
	if (record_check(cur, err, errlen) == -1)
		return -1;
	if (cur->state != RECORD_HELD || run == DS_RUN_CHECK)
		return err_reason(err, errlen, "no command ran under this record");
	if (status < 0 || status > 255)
		return err_reason(err, errlen, "exit status out of range (0 to "
		    "255)");
	if (now < 0 || now > RECORD_TIME_MAX)
		return err_reason(err, errlen, "time out of range");
	*out = *cur;
	if (run == DS_RUN_HOLD)
		out->state = RECORD_RELEASED;
	else if (cur->epoch[0] == '\0')
		out->state = RECORD_IDLE;
	else
		out->state = status == 0 ? RECORD_DONE : RECORD_FAILED;
	out->exit_status = status;
	out->lease_expiry = now;
	out->written = now;
	strlcpy(out->writer, cur->holder, sizeof(out->writer));
	return 0;
}
