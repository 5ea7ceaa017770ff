/*
 * store_rolling: --rolling K on the s3 store (DESIGN.md section 9).  The
 * steps around the pure decision of slots.c: read the K slot records and
 * self's done marker, read the group (DescribeInstances, and
 * DescribeTargetHealth with --target-group), decide, take a free slot
 * with a conditional PUT (If-None-Match: * or If-Match), check the quorum
 * again with the slots read after the claim, and lead: the command runs
 * supervised under the slot's lease.  After it, the done marker is
 * written and the slot released (a conditional overwrite, never a
 * delete).  A 412 on a claim means another run took that slot first.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "decide_s3.h"
#include "deadline.h"
#include "ec2.h"
#include "elbv2.h"
#include "log.h"
#include "record.h"
#include "s3.h"
#include "slots.h"
#include "store.h"
#include "store_s3.h"
#include "util.h"

#define MAX_ROUNDS	100000		/* polls per run, besides --timeout */
#define POLL_MIN_MS	500		/* between polls, jittered up to */
#define POLL_SPREAD_MS	1000		/* POLL_MIN_MS + POLL_SPREAD_MS */
#define LAST_LOOK_MS	500		/* the last poll before the deadline */
#define FINISH_MS	30000		/* to record the outcome */
#define ABANDON_MS	5000		/* to release after a failure */
#define CONTENT_TYPE	"application/json"
#define SUFFIX_MAX	64		/* ".slot-999.json", ".done-ID.json" */

/* One object as read: the record, whether it exists, its ETag. */
struct obj {
	struct record	 rec;
	int		 have;
	char		 etag[S3_ETAG_MAX];
};

struct roll_run {
	struct store_ctx	*c;
	struct s3		*s3;
	struct elbv2		*elbv2;
	char			 bucket[S3_BUCKET_MAX + 1];
	char			 endpoint[256];
	char			 group[RECORD_GROUP_MAX + 1];
	char			 base[RECORD_KEY_MAX + 1]; /* key less .json */
	int			 k;
	struct obj		*slot;		/* k, as last read */
	const struct record	**view;		/* k, for slots_decide */
	struct obj		 done;		/* self's done marker */
	struct slots_member	*member;	/* of the last group read */
	size_t			 nmember;
	struct group		 g;		/* member ids point into it */
	struct group		 health;	/* targets: healthy = running */
	int			 own;		/* the slot this run holds */
	struct obj		 held;		/* its record and ETag */
	struct slots_result	 last;		/* the last wait's decision */
	int			 waited;	/* last is set */
};

enum step {
	STEP_DONE,
	STEP_AGAIN,
	STEP_FAIL
};

/* The key of slot i (i >= 0) or of self's done marker (i == -1). */
static int
object_key(struct roll_run *t, int i, char *out, size_t outlen)
{
	char	 suffix[SUFFIX_MAX];

	if (i >= 0)
		snprintf(suffix, sizeof(suffix), ".slot-%d.json", i);
	else if ((size_t)snprintf(suffix, sizeof(suffix), ".done-%s.json",
	    t->c->res->self_id) >= sizeof(suffix))
		return -1;
	if ((size_t)snprintf(out, outlen, "%s%s", t->base, suffix) >= outlen ||
	    strlen(out) > RECORD_KEY_MAX || !s3_valid_key(out))
		return -1;
	return 0;
}

/* The base key: record_key()'s .../<name>.json without ".json". */
static int
base_key(struct roll_run *t, struct lerr *e)
{
	struct leader_result	*res = t->c->res;
	char			 err[256], key[RECORD_KEY_MAX + 1];
	size_t			 n;

	if (record_format_group(res->scope_key, res->scope_value, t->group,
	    sizeof(t->group)) == -1 ||
	    record_key(t->c->o->store.prefix, res->scope_key, res->scope_value,
	    t->c->o->name, key, sizeof(key), err, sizeof(err)) == -1) {
		lerr_set(e, LERR_SCOPE, "the S3 slot keys for group %s=%s: %s",
		    res->scope_key, res->scope_value, err);
		return -1;
	}
	n = strlen(key) - strlen(".json");
	key[n] = '\0';
	strlcpy(t->base, key, sizeof(t->base));
	if (object_key(t, t->k - 1, key, sizeof(key)) == -1 ||
	    object_key(t, -1, key, sizeof(key)) == -1) {
		lerr_set(e, LERR_SCOPE, "the S3 slot keys for group %s=%s are "
		    "longer than S3 allows", res->scope_key, res->scope_value);
		return -1;
	}
	return 0;
}

/* The ELBv2 client, with --target-group. */
static int
open_elbv2(struct roll_run *t, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	struct elbv2_config	 cfg;
	char			 endpoint[256];

	if (c->o->target_group[0] == '\0')
		return 0;
	if (elbv2_resolve_endpoint(c->o->target_group_region,
	    c->env->elbv2_endpoint, c->env->any_endpoint,
	    c->o->allow_http_endpoint, endpoint, sizeof(endpoint), e) == -1)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = endpoint;
	cfg.region = c->o->target_group_region;
	cfg.creds = c->creds;
	cfg.ca_file = c->env->ca_file;
	cfg.ca_dir = c->env->ca_dir;
	return (t->elbv2 = elbv2_new(&cfg, e)) == NULL ? -1 : 0;
}

static int
open_store(struct roll_run *t, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	struct leader_result	*res = c->res;
	size_t			 k;

	t->k = c->o->rolling;
	t->own = -1;
	k = (size_t)t->k;
	if ((t->slot = calloc(k, sizeof(*t->slot))) == NULL ||
	    (t->view = calloc(k, sizeof(*t->view))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return -1;
	}
	if (store_s3_bucket(c, t->bucket, sizeof(t->bucket), e) == -1 ||
	    base_key(t, e) == -1)
		return -1;
	snprintf(res->record_url, sizeof(res->record_url), "s3://%s/%s"
	    ".slot-*.json", t->bucket, t->base);
	snprintf(res->store_desc, sizeof(res->store_desc), "s3://%s/%s",
	    t->bucket, c->o->store.prefix);
	if (store_s3_client(c, t->endpoint, sizeof(t->endpoint), &t->s3,
	    e) == -1 || open_elbv2(t, e) == -1)
		return -1;
	log_msg(LOG_VERBOSE, "rolling: %d slot%s at s3://%s/%s.slot-N.json "
	    "(%s)", t->k, t->k == 1 ? "" : "s", t->bucket, t->base,
	    t->endpoint);
	return 0;
}

/* GET object i (or the done marker, -1) into o. */
static int
read_obj(struct roll_run *t, const struct deadline *dl, int i,
    struct obj *o, struct lerr *e)
{
	struct buf	 body;
	char		 key[RECORD_KEY_MAX + 1], err[256];
	int		 rc = -1;

	buf_init(&body, S3_MAX_BODY);
	o->have = 0;
	o->etag[0] = '\0';
	if (object_key(t, i, key, sizeof(key)) == -1) {
		lerr_set(e, LERR_INTERNAL, "slot key too long");
		goto out;
	}
	rc = s3_get(t->s3, dl, t->bucket, key, &body, o->etag, e);
	if (rc == S3_ABSENT) {
		rc = 0;
		goto out;
	}
	if (rc == -1)
		goto out;
	if (record_decode(body.data ? body.data : "", body.len, &o->rec, err,
	    sizeof(err)) == -1) {
		lerr_set(e, LERR_EC2, "the S3 object s3://%s/%s cannot be "
		    "used: %s; nothing was run (fix or remove the object)",
		    t->bucket, key, err);
		rc = -1;
		goto out;
	}
	o->have = 1;
out:
	buf_free(&body);
	return rc;
}

/* PUT r into object i (-1: done marker) under cond; o gets the result. */
static int
write_obj(struct roll_run *t, const struct deadline *dl, int i,
    const struct record *r, enum s3_cond cond, struct obj *o,
    struct lerr *e)
{
	struct buf	 body;
	char		 key[RECORD_KEY_MAX + 1], err[256], etag[S3_ETAG_MAX];
	int		 rc = -1;

	buf_init(&body, RECORD_BODY_MAX);
	if (object_key(t, i, key, sizeof(key)) == -1 ||
	    record_encode(r, &body, err, sizeof(err)) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot encode slot %d", i);
		goto out;
	}
	rc = s3_put(t->s3, dl, t->bucket, key, body.data, body.len,
	    CONTENT_TYPE, cond, cond == S3_PUT_IF_MATCH ? o->etag : NULL,
	    etag, e);
	if (rc == 0) {
		o->rec = *r;
		o->have = 1;
		strlcpy(o->etag, etag, sizeof(o->etag));
	}
out:
	buf_free(&body);
	return rc;
}

static int
read_slots(struct roll_run *t, struct lerr *e)
{
	int	 i;

	for (i = 0; i < t->k; i++) {
		if (read_obj(t, t->c->dl, i, &t->slot[i], e) == -1)
			return -1;
		t->view[i] = t->slot[i].have ? &t->slot[i].rec : NULL;
	}
	return 0;
}

/* The group's members: EC2 state, and target health with --target-group. */
static int
read_members(struct roll_run *t, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	struct slots_member	*m;
	size_t			 i;

	free(t->member);
	t->member = NULL;
	t->nmember = 0;
	group_free(&t->g);
	group_free(&t->health);
	if (ec2_describe_group(c->ec2, c->dl, c->res->scope_key,
	    c->res->scope_value, c->o->tag_key, 0, &t->g, e) == -1)
		return -1;
	if (t->elbv2 != NULL && elbv2_describe_target_health(t->elbv2, c->dl,
	    c->o->target_group, &t->health, e) == -1)
		return -1;
	if ((m = calloc(t->g.ninst + 1, sizeof(*m))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < t->g.ninst; i++) {
		m[i].id = t->g.inst[i].id;
		m[i].running = t->g.inst[i].state == STATE_RUNNING;
		m[i].healthy = elbv2_healthy(&t->health, m[i].id);
	}
	/* Self runs this: a lagging DescribeInstances may not show it yet. */
	if (group_find(&t->g, c->res->self_id) == NULL) {
		m[i].id = c->res->self_id;
		m[i].running = 1;
		m[i].healthy = elbv2_healthy(&t->health, m[i].id);
		i++;
	}
	t->member = m;
	t->nmember = i;
	return 0;
}

static int
decide(struct roll_run *t, int own, struct slots_result *d, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	struct slots_input	 in;
	char			 err[256];

	memset(&in, 0, sizeof(in));
	in.slot = t->view;
	in.k = t->k;
	in.done = t->done.have ? &t->done.rec : NULL;
	in.member = t->member;
	in.nmember = t->nmember;
	in.use_health = t->elbv2 != NULL;
	in.self_id = c->res->self_id;
	in.group = t->group;
	in.name = c->o->name;
	in.epoch = c->res->epoch;
	in.now = c->env->wall_clock();
	in.lease = (c->o->lease_ms + 999) / 1000;
	in.quorum = c->o->quorum;
	in.own_slot = own;
	if (slots_decide(&in, d, err, sizeof(err)) == -1) {
		lerr_set(e, LERR_EC2, "the S3 slots s3://%s/%s.slot-*.json: "
		    "%s; nothing was run", t->bucket, t->base, err);
		return -1;
	}
	log_msg(LOG_VERBOSE, "rolling: %s: %s", slots_outcome_name(d->outcome),
	    d->reason);
	return 0;
}

static enum step
set_result(struct roll_run *t, enum leader_verdict v, const char *reason)
{
	struct leader_result	*res = t->c->res;

	res->verdict = v;
	strlcpy(res->reason, reason, sizeof(res->reason));
	return STEP_DONE;
}

/* Sleep a jittered poll interval; -1 at the deadline. */
static enum step
poll_again(struct roll_run *t, const struct slots_result *d, struct lerr *e)
{
	long	 ms = POLL_MIN_MS + random() % POLL_SPREAD_MS;
	long	 left = deadline_left_ms(t->c->dl);

	t->last = *d;
	t->waited = 1;
	/* A last look just before the deadline, not a pause's length early. */
	if (ms >= left && left > LAST_LOOK_MS)
		ms = left - LAST_LOOK_MS;
	if (deadline_pause(t->c->dl, ms, t->c->o->timeout_ms, d->reason,
	    e) == 0)
		return STEP_AGAIN;
	return STEP_FAIL;
}

/*
 * The deadline came while the run waited for the quorum (or during the
 * last look after such a wait): 121, naming the quorum and the count.
 */
static void
quorum_failure(struct roll_run *t, struct lerr *e)
{
	const struct options	*o = t->c->o;
	const struct slots_result *d = &t->last;
	char			 q[16];

	if (e->cls != LERR_DEADLINE || !t->waited ||
	    (d->outcome != SLOTS_WAIT_QUORUM && d->outcome != SLOTS_GIVE_UP))
		return;
	slots_quorum_text(&o->quorum, q, sizeof(q));
	lerr_clear(e);
	lerr_set(e, LERR_QUORUM, "quorum %s not reached before --timeout (%ld "
	    "ms): %d instance%s would remain running and not running the "
	    "command, %d needed (%d running%s); nothing was run", q,
	    o->timeout_ms, d->available, d->available == 1 ? "" : "s",
	    d->needed, d->running, t->elbv2 != NULL ? " and healthy" : "");
}

/* Release the slot this run holds (a conditional overwrite). */
static int
release(struct roll_run *t, const struct deadline *dl, int status,
    struct lerr *e)
{
	struct record	 next;
	char		 err[256];
	int		 rc, i = t->own;

	if (i < 0)
		return 0;
	if (decide_s3_after(&t->held.rec, DS_RUN_HOLD, status,
	    t->c->env->wall_clock(), &next, err, sizeof(err)) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot release slot %d: %s", i,
		    err);
		return -1;
	}
	rc = write_obj(t, dl, i, &next, S3_PUT_IF_MATCH, &t->held, e);
	t->own = -1;
	if (rc == S3_PRECONDITION) {
		lerr_set(e, LERR_LOST, "slot %d was taken over by another "
		    "writer before it could be released", i);
		return -1;
	}
	if (rc == 0)
		log_msg(LOG_VERBOSE, "rolling: released slot %d", i);
	return rc;
}

/* After the claim: read the slots again; the quorum must still hold. */
static enum step
recheck(struct roll_run *t, struct lerr *e)
{
	struct slots_result	 d;

	if (t->c->o->quorum.kind == SLOTS_QUORUM_NONE)
		return STEP_DONE;
	if (read_slots(t, e) == -1 || decide(t, t->own, &d, e) == -1)
		return STEP_FAIL;
	if (d.outcome == SLOTS_KEEP)
		return STEP_DONE;
	log_msg(LOG_INFO, "rolling: %s; releasing slot %d and waiting",
	    d.reason, t->own);
	if (release(t, t->c->dl, 0, e) == -1)
		return STEP_FAIL;
	return poll_again(t, &d, e);
}

/* Take slot d->slot: write d->next, then lead unless the quorum broke. */
static enum step
take(struct roll_run *t, const struct slots_result *d, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	struct leader_result	*res = c->res;
	enum step		 s;
	long long		 sent;
	int			 rc;

	if (c->o->dry_run)
		return set_result(t, VERDICT_NONE, d->reason);
	t->held = t->slot[d->slot];
	sent = now_ms();
	rc = write_obj(t, c->dl, d->slot, &d->next, d->create ?
	    S3_PUT_IF_NONE_MATCH : S3_PUT_IF_MATCH, &t->held, e);
	if (rc == -1)
		return STEP_FAIL;
	if (rc == S3_PRECONDITION) {
		log_msg(LOG_VERBOSE, "rolling: slot %d was taken first; "
		    "reading again", d->slot);
		if (deadline_pause(c->dl, random() % POLL_MIN_MS,
		    c->o->timeout_ms, "a free slot", e) == -1)
			return STEP_FAIL;
		return STEP_AGAIN;
	}
	t->own = d->slot;
	res->claimed = 1;
	if ((s = recheck(t, e)) != STEP_DONE)
		return s;
	res->supervise = 1;
	res->lease_ms = c->o->lease_ms;
	res->lease_written_ms = sent;
	res->term = d->next.term;
	strlcpy(res->leader_id, res->self_id, sizeof(res->leader_id));
	snprintf(res->record_url, sizeof(res->record_url), "s3://%s/%s"
	    ".slot-%d.json", t->bucket, t->base, d->slot);
	res->record = t->held.rec;
	res->have_record = 1;
	log_msg(LOG_INFO, "rolling: took slot %d of %d (term %" PRId64 "): "
	    "%s", d->slot, t->k, d->next.term, d->reason);
	return set_result(t, VERDICT_LEADER, d->reason);
}

/* One read of the slots and the group, and what the decision calls for. */
static enum step
step(struct roll_run *t, struct lerr *e)
{
	struct slots_result	 d;

	if (read_slots(t, e) == -1 || read_members(t, e) == -1 ||
	    decide(t, -1, &d, e) == -1)
		return STEP_FAIL;
	switch (d.outcome) {
	case SLOTS_TAKE:
		return take(t, &d, e);
	case SLOTS_DONE:
		t->c->res->done = 1;
		return set_result(t, VERDICT_FOLLOWER, d.reason);
	case SLOTS_WAIT_FULL:
	case SLOTS_WAIT_QUORUM:
		if (t->c->o->dry_run)
			return set_result(t, VERDICT_NONE, d.reason);
		return poll_again(t, &d, e);
	case SLOTS_KEEP:
	case SLOTS_GIVE_UP:
		break;
	}
	lerr_set(e, LERR_INTERNAL, "unexpected slot decision %s",
	    slots_outcome_name(d.outcome));
	return STEP_FAIL;
}

static int
roll_elect(struct store_ctx *c, void *state, struct lerr *e)
{
	struct roll_run	*t = state;
	int		 round;

	t->c = c;
	if (open_store(t, e) == -1)
		return -1;
	if (c->res->epoch[0] != '\0' &&
	    read_obj(t, c->dl, -1, &t->done, e) == -1)
		return -1;
	for (round = 0; round < MAX_ROUNDS; round++) {
		switch (step(t, e)) {
		case STEP_DONE:
			return 0;
		case STEP_FAIL:
			quorum_failure(t, e);
			return -1;
		case STEP_AGAIN:
			break;
		}
	}
	lerr_set(e, LERR_DEADLINE, "no free slot after %d reads", MAX_ROUNDS);
	return -1;
}

/* Renew the slot's lease: If-Match the record last written. */
static int
roll_renew(struct store_ctx *c, void *state, long budget_ms, struct lerr *e)
{
	struct roll_run	*t = state;
	struct record	 next;
	struct deadline	 dl;
	char		 err[256];
	int		 rc;

	if (t->own < 0 || decide_s3_renew(&t->held.rec, c->res->self_id,
	    c->env->wall_clock(), (c->o->lease_ms + 999) / 1000, &next, err,
	    sizeof(err)) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot renew the slot's lease");
		return -1;
	}
	deadline_start(&dl, budget_ms);
	rc = write_obj(t, &dl, t->own, &next, S3_PUT_IF_MATCH, &t->held, e);
	if (rc == S3_PRECONDITION)
		lerr_set(e, LERR_LOST, "slot %d (%s) was replaced by another "
		    "writer: the slot is lost", t->own, c->res->record_url);
	return rc == 0 ? 0 : -1;
}

/* Self's done marker for the epoch (with an epoch), created or replaced. */
static int
record_done(struct roll_run *t, const struct deadline *dl, int status,
    struct lerr *e)
{
	struct record	 next;
	char		 err[256];
	int		 rc;

	if (t->c->res->epoch[0] == '\0')
		return 0;
	if (slots_done_record(&t->held.rec, status, t->c->env->wall_clock(),
	    &next, err, sizeof(err)) == -1) {
		lerr_set(e, LERR_INTERNAL, "%s", err);
		return -1;
	}
	if (read_obj(t, dl, -1, &t->done, e) == -1)
		return -1;
	rc = write_obj(t, dl, -1, &next, t->done.have ? S3_PUT_IF_MATCH :
	    S3_PUT_IF_NONE_MATCH, &t->done, e);
	if (rc == S3_PRECONDITION)
		lerr_set(e, LERR_EC2, "the done marker of %s changed while it "
		    "was written (another run on this instance?)",
		    t->c->res->self_id);
	return rc == 0 ? 0 : -1;
}

/* After the command: self done (or failed) for the epoch; slot released. */
static int
roll_finish(struct store_ctx *c, void *state, int status, struct lerr *e)
{
	struct roll_run	*t = state;
	struct deadline	 dl;
	int		 rc;

	if (t->own < 0)
		return 0;
	deadline_start(&dl, FINISH_MS);
	deadline_suspend_abort(1);
	rc = record_done(t, &dl, status > 255 ? 255 : status, e);
	if (release(t, &dl, status > 255 ? 255 : status, e) == -1)
		rc = -1;
	deadline_suspend_abort(0);
	if (rc == 0)
		log_msg(LOG_INFO, "rolling: %s (exit status %d); slot "
		    "released", c->res->epoch[0] ? status == 0 ? "recorded "
		    "done" : "recorded failed" : "ran", status);
	return rc;
}

/* A run that failed after its claim: release the slot at once. */
static void
roll_abandon(struct store_ctx *c, void *state)
{
	struct roll_run	*t = state;
	struct deadline	 dl;
	struct lerr	 e = { LERR_NONE, "" };

	if (t->own < 0 || !t->held.have || t->held.rec.state != RECORD_HELD)
		return;
	deadline_start(&dl, ABANDON_MS);
	deadline_suspend_abort(1);
	if (release(t, &dl, 0, &e) == 0)
		log_msg(LOG_INFO, "released %s (the run did not finish)",
		    c->res->record_url);
	else
		log_msg(LOG_INFO, "could not release %s: %s",
		    c->res->record_url, e.msg);
	deadline_suspend_abort(0);
}

static void
roll_close(struct store_ctx *c, void *state)
{
	struct roll_run	*t = state;

	(void)c;
	s3_free(t->s3);
	elbv2_free(t->elbv2);
	group_free(&t->health);
	group_free(&t->g);
	free(t->member);
	free(t->slot);
	free(t->view);
	t->s3 = NULL;
	t->elbv2 = NULL;
	t->member = NULL;
	t->slot = NULL;
	t->view = NULL;
}

const struct store_ops store_rolling = {
	"s3",
	roll_elect,
	roll_abandon,
	roll_renew,
	roll_finish,
	roll_close,
	sizeof(struct roll_run),
};
