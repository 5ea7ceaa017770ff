/*
 * store_s3: leadership as one record in S3, written only with
 * conditional PUTs (DESIGN.md section 7).  The steps around the pure
 * decision of decide_s3.c: read the record, ask EC2 whether its holder
 * runs, decide, write under If-None-Match or If-Match; a 412 means
 * "someone else wrote first": read again.  No settle time: at most one
 * writer of each version of the record ever succeeds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ca.h"
#include "decide_s3.h"
#include "deadline.h"
#include "ec2.h"
#include "log.h"
#include "record.h"
#include "s3.h"
#include "store.h"
#include "store_s3.h"
#include "util.h"

#define MAX_ROUNDS	1000		/* reads per election, besides --timeout */
#define POLL_MIN_MS	500		/* waiting for an earlier epoch's run */
#define POLL_MAX_MS	5000
#define FINISH_MS	30000		/* to record the outcome after the run */
#define ABANDON_MS	5000		/* to release after a failed election */
#define CONTENT_TYPE	"application/json"

struct s3_run {
	struct store_ctx	*c;
	struct s3		*s3;
	char			 bucket[S3_BUCKET_MAX + 1];
	char			 key[RECORD_KEY_MAX + 1];
	char			 group[RECORD_GROUP_MAX + 1];
	char			 endpoint[256];
	char			 etag[S3_ETAG_MAX];	/* of rec */
	struct record		 rec;		/* as last read or written */
	int			 have_rec;
	int64_t			 own_term;	/* the term this run holds */
	int64_t			 waited_term;	/* --wait: the term waited on */
};

/* What the next step of the election is. */
enum step {
	STEP_DONE,
	STEP_AGAIN,
	STEP_FAIL
};

int
store_s3_bucket(const struct store_ctx *c, char *bucket, size_t len,
    struct lerr *e)
{
	const struct store_spec	*st = &c->o->store;

	if (!st->eb_bucket) {
		strlcpy(bucket, st->bucket, len);
		return 0;
	}
	if (c->account_id == NULL || c->account_id[0] == '\0') {
		lerr_set(e, LERR_SCOPE, "--store s3: the instance identity "
		    "document has no accountId to name Elastic Beanstalk's "
		    "bucket; pass --store s3://BUCKET");
		return -1;
	}
	return s3_eb_bucket(c->res->region, c->account_id, bucket, len, e);
}

int
store_s3_client(const struct store_ctx *c, char *endpoint, size_t len,
    struct s3 **out, struct lerr *e)
{
	struct s3_config	 cfg;
	struct ca_paths		 ca;

	if (s3_resolve_endpoint(c->res->region, c->env->s3_endpoint,
	    c->env->any_endpoint, c->o->allow_http_endpoint, endpoint, len,
	    e) == -1 ||
	    ca_choose(endpoint, c->env->ca_file, c->env->ca_dir,
	    ca_probe_paths, &ca, e) == -1)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = endpoint;
	cfg.region = c->res->region;
	cfg.creds = c->creds;
	cfg.ca_file = ca.file;
	cfg.ca_dir = ca.dir;
	return (*out = s3_new(&cfg, e)) == NULL ? -1 : 0;
}

/* The client, the bucket and the record's key; once per run. */
static int
open_store(struct s3_run *t, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	struct leader_result	*res = c->res;
	char			 err[256];

	if (t->s3 != NULL)
		return 0;
	if (store_s3_bucket(c, t->bucket, sizeof(t->bucket), e) == -1)
		return -1;
	if (record_format_group(res->scope_key, res->scope_value, t->group,
	    sizeof(t->group)) == -1 ||
	    record_key(c->o->store.prefix, res->scope_key, res->scope_value,
	    c->o->name, t->key, sizeof(t->key), err, sizeof(err)) == -1) {
		lerr_set(e, LERR_SCOPE, "the S3 record's key for group %s=%s: "
		    "%s", res->scope_key, res->scope_value, err);
		return -1;
	}
	snprintf(res->record_url, sizeof(res->record_url), "s3://%s/%s",
	    t->bucket, t->key);
	snprintf(res->store_desc, sizeof(res->store_desc), "s3://%s/%s",
	    t->bucket, c->o->store.prefix);
	if (store_s3_client(c, t->endpoint, sizeof(t->endpoint), &t->s3,
	    e) == -1)
		return -1;
	log_msg(LOG_VERBOSE, "S3 record %s at %s", res->record_url,
	    t->endpoint);
	return 0;
}

/* The missing bucket named, with what EB does about it. */
static void
explain_missing_bucket(struct s3_run *t, struct lerr *e)
{
	if (e->cls != LERR_SCOPE || !t->c->o->store.eb_bucket)
		return;
	snprintf(e->msg + strlen(e->msg), sizeof(e->msg) - strlen(e->msg),
	    " (Elastic Beanstalk creates %s with the first environment of "
	    "the account in the region; or pass --store s3://BUCKET)",
	    t->bucket);
}

/* Name the record in an error about reading or writing it. */
static void
name_record(struct s3_run *t, struct lerr *e)
{
	size_t	 n = strlen(e->msg);

	if (strstr(e->msg, t->c->res->record_url) == NULL)
		snprintf(e->msg + n, sizeof(e->msg) - n, " (the record %s)",
		    t->c->res->record_url);
}

/* GET the record into t->rec; 0 (t->have_rec says whether it exists). */
static int
read_record(struct s3_run *t, const struct deadline *dl, struct lerr *e)
{
	struct buf	 body;
	char		 err[256];
	int		 rc;

	buf_init(&body, S3_MAX_BODY);
	t->have_rec = 0;
	t->etag[0] = '\0';
	rc = s3_get(t->s3, dl, t->bucket, t->key, &body, t->etag, e);
	if (rc == S3_ABSENT) {
		rc = 0;
		goto out;
	}
	if (rc == -1) {
		explain_missing_bucket(t, e);
		name_record(t, e);
		goto out;
	}
	if (record_decode(body.data ? body.data : "", body.len, &t->rec, err,
	    sizeof(err)) == -1) {
		lerr_set(e, LERR_EC2, "the S3 record %s cannot be used: %s; "
		    "nothing was run (fix or remove the object)",
		    t->c->res->record_url, err);
		rc = -1;
		goto out;
	}
	t->have_rec = 1;
	rc = 0;
out:
	buf_free(&body);
	return rc;
}

/* 1 when the record's holder runs (self always does), per EC2. */
static int
holder_running(struct s3_run *t, const struct deadline *dl, int *running,
    struct lerr *e)
{
	struct group		 g;
	const struct instance	*in;

	*running = 0;
	if (!t->have_rec)
		return 0;
	if (strcmp(t->rec.holder, t->c->res->self_id) == 0) {
		*running = 1;
		return 0;
	}
	if (t->rec.state != RECORD_HELD && t->rec.state != RECORD_IDLE)
		return 0;
	memset(&g, 0, sizeof(g));
	if (ec2_describe_instance(t->c->ec2, dl, t->rec.holder, &g, e) == -1)
		return -1;
	in = group_find(&g, t->rec.holder);
	*running = in != NULL && in->state == STATE_RUNNING;
	group_free(&g);
	return 0;
}

/* How this run leads and follows, from the options. */
static void
modes(const struct options *o, enum ds_run *run, enum ds_follow *follow)
{
	*run = o->mode != MODE_RUN ? DS_RUN_CHECK : o->hold ? DS_RUN_HOLD :
	    DS_RUN_TASK;
	*follow = o->standby ? DS_FOLLOW_STANDBY : o->wait ? DS_FOLLOW_WAIT :
	    DS_FOLLOW_EXIT;
}

/* Read, and decide over what was read. */
static int
read_and_decide(struct s3_run *t, struct ds_result *d, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	struct ds_input		 in;
	char			 err[256];
	int			 running;

	if (read_record(t, c->dl, e) == -1 ||
	    holder_running(t, c->dl, &running, e) == -1)
		return -1;
	c->res->have_record = t->have_rec;
	if (t->have_rec)
		c->res->record = t->rec;
	memset(&in, 0, sizeof(in));
	in.rec = t->have_rec ? &t->rec : NULL;
	in.has_etag = t->etag[0] != '\0';
	in.group = t->group;
	in.name = c->o->name;
	in.self_id = c->res->self_id;
	in.holder_running = running;
	in.now = c->env->wall_clock();
	in.epoch = c->res->epoch;
	modes(c->o, &in.run, &in.follow);
	in.lease = (c->o->lease_ms + 999) / 1000;
	in.own_term = t->own_term;
	in.waited_term = t->waited_term;
	if (decide_s3(&in, d, err, sizeof(err)) == -1) {
		lerr_set(e, LERR_EC2, "the S3 record %s: %s; nothing was run",
		    c->res->record_url, err);
		return -1;
	}
	log_msg(LOG_VERBOSE, "record %s: %s", c->res->record_url,
	    decide_s3_outcome_name(d->outcome));
	return 0;
}

/*
 * PUT next under cond.  0 written (t->rec, t->etag updated; *sent_ms is
 * when the request went out), S3_PRECONDITION, or -1 with e set.
 */
static int
write_record(struct s3_run *t, const struct deadline *dl,
    const struct record *next, enum s3_cond cond, long long *sent_ms,
    struct lerr *e)
{
	struct buf	 body;
	char		 err[256], etag[S3_ETAG_MAX];
	int		 rc = -1;

	buf_init(&body, RECORD_BODY_MAX);
	if (record_encode(next, &body, err, sizeof(err)) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot encode the S3 record: %s",
		    err);
		goto out;
	}
	if (sent_ms != NULL)
		*sent_ms = now_ms();
	rc = s3_put(t->s3, dl, t->bucket, t->key, body.data, body.len,
	    CONTENT_TYPE, cond, cond == S3_PUT_IF_MATCH ? t->etag : NULL, etag,
	    e);
	if (rc == 0) {
		t->rec = *next;
		t->have_rec = 1;
		strlcpy(t->etag, etag, sizeof(t->etag));
	} else if (rc == -1) {
		explain_missing_bucket(t, e);
		name_record(t, e);
	}
out:
	buf_free(&body);
	return rc;
}

static enum step
set_result(struct s3_run *t, enum leader_verdict v, const char *reason)
{
	struct leader_result	*res = t->c->res;

	res->verdict = v;
	if (t->have_rec && t->rec.state != RECORD_RELEASED) {
		strlcpy(res->leader_id, t->rec.holder, sizeof(res->leader_id));
		res->term = t->rec.term;
	}
	res->have_record = t->have_rec;
	if (t->have_rec)
		res->record = t->rec;
	strlcpy(res->reason, reason, sizeof(res->reason));
	return STEP_DONE;
}

/* Claim (create or replace) or re-take: write d->next, then lead. */
static enum step
claim(struct s3_run *t, const struct ds_result *d, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	struct leader_result	*res = c->res;
	enum s3_cond		 cond;
	char			 why[300];
	long long		 sent;
	int			 rc;

	if (c->o->dry_run) {
		snprintf(why, sizeof(why), "%s (dry run: not written)",
		    d->reason);
		return set_result(t, VERDICT_NONE, why);
	}
	cond = d->outcome == DS_CLAIM_CREATE ? S3_PUT_IF_NONE_MATCH :
	    S3_PUT_IF_MATCH;
	rc = write_record(t, c->dl, &d->next, cond, &sent, e);
	if (rc == -1)
		return STEP_FAIL;
	if (rc == S3_PRECONDITION) {
		log_msg(LOG_VERBOSE, "record %s changed since it was read; "
		    "reading again", res->record_url);
		return STEP_AGAIN;
	}
	t->own_term = d->next.term;
	res->claimed = 1;
	res->retry = d->retry;
	res->lease_written_ms = sent;
	if (d->next.state == RECORD_HELD) {
		res->supervise = 1;
		res->lease_ms = c->o->lease_ms;
	}
	log_msg(LOG_INFO, "%s; wrote %s (term %" PRId64 ", %s)", d->reason,
	    res->record_url, d->next.term, record_state_name(d->next.state));
	return set_result(t, VERDICT_LEADER, d->reason);
}

/*
 * Sleep before polling again for a record that may change.  A standby or
 * a --wait follower polls every lease/3 (at the default lease of 15 s,
 * 12 reads a minute) for as long as it takes: --timeout bounds each
 * election step, not the wait, so the deadline starts anew after the
 * sleep.  Anything else waits within --timeout.
 */
static enum step
poll_again(struct s3_run *t, const char *waiting_for, struct lerr *e)
{
	const struct options	*o = t->c->o;
	long			 ms = o->lease_ms / 5;
	int			 unbounded = o->standby || o->wait;

	if (unbounded)
		ms = o->lease_ms / 3;
	ms = ms < POLL_MIN_MS ? POLL_MIN_MS : ms > POLL_MAX_MS && !unbounded ?
	    POLL_MAX_MS : ms;
	if (unbounded) {
		if (deadline_sleep_ms_unbounded(ms) == -1) {
			lerr_set(e, LERR_SIGNAL, "interrupted");
			return STEP_FAIL;
		}
		deadline_start(t->c->dl, o->timeout_ms);
		return STEP_AGAIN;
	}
	if (deadline_pause(t->c->dl, ms, o->timeout_ms, waiting_for, e) == -1)
		return STEP_FAIL;
	return STEP_AGAIN;
}

/* --status: the whole group next to the record, read-only. */
static int
read_group(struct s3_run *t, struct lerr *e)
{
	struct leader_result	*res = t->c->res;
	struct election_input	 in;

	if (ec2_describe_group(t->c->ec2, t->c->dl, res->scope_key,
	    res->scope_value, t->c->o->tag_key, 0, &res->group, e) == -1)
		return -1;
	memset(&in, 0, sizeof(in));
	in.group = &res->group;
	in.self_id = res->self_id;
	in.tag_key = t->c->o->tag_key;
	in.epoch = res->epoch;
	in.now = t->c->env->wall_clock();
	if (election_decide(&in, &res->election) == -1) {
		lerr_set(e, LERR_INTERNAL, "election: %s", res->election.reason);
		return -1;
	}
	res->decided = 1;
	return 0;
}

/* One read and what its decision calls for. */
static enum step
step(struct s3_run *t, struct lerr *e)
{
	struct ds_result	 d;
	const struct options	*o = t->c->o;

	if (read_and_decide(t, &d, e) == -1)
		return STEP_FAIL;
	if (o->mode == MODE_STATUS && read_group(t, e) == -1)
		return STEP_FAIL;
	if (o->mode == MODE_STATUS)
		return set_result(t, d.outcome == DS_LEADER ? VERDICT_LEADER :
		    d.outcome == DS_FOLLOWER ? VERDICT_FOLLOWER : VERDICT_NONE,
		    d.reason);
	switch (d.outcome) {
	case DS_CLAIM_CREATE:
	case DS_CLAIM_REPLACE:
		return claim(t, &d, e);
	case DS_LEADER:
		if (d.write)
			return claim(t, &d, e);
		return set_result(t, VERDICT_LEADER, d.reason);
	case DS_FOLLOWER:
		return set_result(t, VERDICT_FOLLOWER, d.reason);
	case DS_DONE:
		t->c->res->done = 1;
		return set_result(t, VERDICT_FOLLOWER, d.reason);
	case DS_WAIT:
		if (o->dry_run)
			return set_result(t, VERDICT_NONE, d.reason);
		if (t->have_rec && t->waited_term == 0)
			t->waited_term = t->rec.term;
		log_msg(LOG_VERBOSE, "%s; polling", d.reason);
		return poll_again(t, d.reason, e);
	case DS_LEADER_FAILED:
		lerr_set(e, LERR_LEADER_FAILED, "%s", d.reason);
		return STEP_FAIL;
	}
	lerr_set(e, LERR_INTERNAL, "unknown S3 decision");
	return STEP_FAIL;
}

static int
s3_elect(struct store_ctx *c, void *state, struct lerr *e)
{
	struct s3_run	*t = state;
	int		 round;

	t->c = c;
	if (open_store(t, e) == -1)
		return -1;
	for (round = 0; round < MAX_ROUNDS; round++) {
		switch (step(t, e)) {
		case STEP_DONE:
			return 0;
		case STEP_FAIL:
			return -1;
		case STEP_AGAIN:
			break;
		}
	}
	lerr_set(e, LERR_DEADLINE, "no decision after %d reads of %s",
	    MAX_ROUNDS, c->res->record_url);
	return -1;
}

/*
 * Renew the held lease: If-Match the record last written.  A 412 means
 * another writer replaced it: leadership is gone, and no later renewal
 * can bring it back.
 */
static int
s3_renew(struct store_ctx *c, void *state, long budget_ms, struct lerr *e)
{
	struct s3_run		*t = state;
	struct record		 next;
	struct deadline		 dl;
	char			 err[256];
	int			 rc;

	if (decide_s3_renew(&t->rec, c->res->self_id, c->env->wall_clock(),
	    (c->o->lease_ms + 999) / 1000, &next, err, sizeof(err)) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot renew the lease: %s", err);
		return -1;
	}
	deadline_start(&dl, budget_ms);
	if ((rc = write_record(t, &dl, &next, S3_PUT_IF_MATCH, NULL, e)) == 0)
		return 0;
	if (rc == S3_PRECONDITION)
		lerr_set(e, LERR_LOST, "the S3 record %s was replaced by "
		    "another writer: leadership lost", c->res->record_url);
	return -1;
}

/* Record the command's outcome: done/failed (epoch), idle (none). */
static int
s3_finish(struct store_ctx *c, void *state, int status, struct lerr *e)
{
	struct s3_run		*t = state;
	struct record		 next;
	struct deadline		 dl;
	char			 err[256];
	int			 rc;

	if (!c->res->supervise || t->own_term == 0)
		return 0;
	if (decide_s3_after(&t->rec, c->o->hold ? DS_RUN_HOLD : DS_RUN_TASK,
	    status, c->env->wall_clock(),
	    &next, err, sizeof(err)) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot record the outcome: %s",
		    err);
		return -1;
	}
	deadline_start(&dl, FINISH_MS);
	deadline_suspend_abort(1);
	rc = write_record(t, &dl, &next, S3_PUT_IF_MATCH, NULL, e);
	deadline_suspend_abort(0);
	if (rc == S3_PRECONDITION) {
		lerr_set(e, LERR_LOST, "the S3 record %s was replaced by "
		    "another writer before the outcome could be recorded",
		    c->res->record_url);
		return -1;
	}
	if (rc == -1)
		return -1;
	c->res->record = t->rec;
	log_msg(LOG_INFO, "recorded %s (exit status %d) in %s",
	    record_state_name(next.state), status, c->res->record_url);
	return 0;
}

/* A claim written by a run that then failed: release it at once. */
static void
s3_abandon(struct store_ctx *c, void *state)
{
	struct s3_run		*t = state;
	struct record		 next;
	struct deadline		 dl;
	struct lerr		 e = { LERR_NONE, "" };
	char			 err[256];

	if (t->own_term == 0 || !t->have_rec || t->rec.state != RECORD_HELD)
		return;
	next = t->rec;
	next.state = RECORD_RELEASED;
	next.lease_expiry = next.written = c->env->wall_clock();
	if (record_check(&next, err, sizeof(err)) == -1)
		return;
	deadline_start(&dl, ABANDON_MS);
	deadline_suspend_abort(1);
	if (write_record(t, &dl, &next, S3_PUT_IF_MATCH, NULL, &e) == 0)
		log_msg(LOG_INFO, "released %s (the run did not finish)",
		    c->res->record_url);
	else
		log_msg(LOG_INFO, "could not release %s: %s",
		    c->res->record_url, e.msg[0] ? e.msg : "changed meanwhile");
	deadline_suspend_abort(0);
}

static void
s3_close(struct store_ctx *c, void *state)
{
	struct s3_run	*t = state;

	(void)c;
	s3_free(t->s3);
	t->s3 = NULL;
}

const struct store_ops store_s3 = {
	"s3",
	s3_elect,
	s3_abandon,
	s3_renew,
	s3_finish,
	s3_close,
	sizeof(struct s3_run),
};
