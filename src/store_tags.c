/*
 * store_tags: leadership as a tag on the leader instance (DESIGN.md
 * section 3).  The steps around the pure decision of election.c: read,
 * decide, claim, settle, re-read, confirm or retract.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "ec2.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define MAX_ROUNDS	1000		/* re-reads per run, besides the deadline */
#define REREAD_MIN_MS	200
#define REREAD_MAX_MS	2000
#define RETRACT_MS	5000		/* for a retraction after a failure */

/* What one run of the tags store remembers between steps. */
struct tags_run {
	struct store_ctx	*c;
	char			 claim[96];	/* value this run wrote, "" none */
	long			 wait;		/* next re-read backoff */
	int			 patient;	/* waited for better-ranked */
	int			 settled;	/* own claim seen and settled */
	int			 rechecked;	/* re-read a fresh leader once */
	int			 inherited;	/* confirmed an earlier claim */
};

/* What a step tells the election loop. */
enum step {
	STEP_DONE,		/* res is filled */
	STEP_AGAIN,		/* read and decide again */
	STEP_FAIL		/* e is set */
};

/* The pure decision over res->group. */
static int
decide(struct tags_run *t, int full, struct lerr *e)
{
	struct leader_result	*res = t->c->res;
	struct election_input	 in;

	memset(&in, 0, sizeof(in));
	in.group = &res->group;
	in.self_id = res->self_id;
	in.tag_key = t->c->o->tag_key;
	in.epoch = res->epoch;
	in.now = t->c->env->wall_clock();
	in.patient = t->patient;
	if (election_decide(&in, &res->election) == -1) {
		lerr_set(e, LERR_INTERNAL, "election: %s", res->election.reason);
		return -1;
	}
	res->decided = 1;
	log_msg(LOG_VERBOSE, "%s %s=%s: %zu instances, %zu running, %zu "
	    "holding %s: %s", full ? "group" : "holders of", res->scope_key,
	    res->scope_value, res->group.ninst, res->election.nlive,
	    res->election.nholders, t->c->o->tag_key,
	    election_outcome_name(res->election.outcome));
	return 0;
}

/* Add a tagless copy of self to g (the holders read may not show it). */
static int
add_self(struct group *g, const struct instance *self)
{
	struct group	 one;
	int		 rc;

	memset(&one, 0, sizeof(one));
	if ((one.inst = calloc(1, sizeof(*one.inst))) == NULL)
		return -1;
	memcpy(one.inst[0].id, self->id, sizeof(self->id));
	one.inst[0].state = self->state;
	one.inst[0].launch_time = self->launch_time;
	one.ninst = one.cap = 1;
	rc = group_take(g, &one);
	group_free(&one);
	return rc;
}

/*
 * Read the group and decide; the snapshot and decision go into res.
 * Holders first: while a live instance holds the tag, the running holders
 * and self are all the decision needs, and that answer stays small however
 * large the group.  Only when nobody holds (a claim may follow), or for
 * --status, is every instance read.
 */
static int
read_and_decide(struct tags_run *t, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	struct leader_result	*res = c->res;
	int			 full;

	for (full = !c->have_self || c->o->mode == MODE_STATUS; full < 2;
	    full++) {
		election_free(&res->election);
		group_free(&res->group);
		res->decided = 0;
		if (ec2_describe_group(c->ec2, c->dl, res->scope_key,
		    res->scope_value, c->o->tag_key, !full, &res->group,
		    e) == -1)
			return -1;
		if (!full && group_find(&res->group, c->self->id) == NULL &&
		    add_self(&res->group, c->self) == -1) {
			lerr_set(e, LERR_INTERNAL, "out of memory");
			return -1;
		}
		if (decide(t, full, e) == -1)
			return -1;
		if (res->election.outcome == ELECT_LEADER ||
		    res->election.outcome == ELECT_FOLLOWER)
			break;
	}
	return 0;
}

/* Delete self's claim if it still has value; best effort, own deadline. */
static void
retract(struct tags_run *t, const char *value, const char *why)
{
	struct store_ctx	*c = t->c;
	struct deadline		 dl;
	struct lerr		 e = { LERR_NONE, "" };

	deadline_start(&dl, RETRACT_MS);
	deadline_suspend_abort(1);
	if (ec2_delete_tag(c->ec2, &dl, c->res->self_id, c->o->tag_key, value,
	    &e) == 0) {
		c->res->retracted = 1;
		log_msg(LOG_INFO, "retracted claim %s=%s (%s)", c->o->tag_key,
		    value, why);
	} else
		log_msg(LOG_INFO, "could not retract claim %s=%s: %s",
		    c->o->tag_key, value, e.msg);
	deadline_suspend_abort(0);
}

/* Sleep before the next read; -1 with e set at the deadline or a signal. */
static int
pause_for(struct tags_run *t, long ms, const char *waiting_for,
    struct lerr *e)
{
	return deadline_pause(t->c->dl, ms, t->c->o->timeout_ms, waiting_for,
	    e);
}

/* A re-read after a growing backoff. */
static enum step
reread(struct tags_run *t, const char *waiting_for, struct lerr *e)
{
	if (pause_for(t, t->wait, waiting_for, e) == -1)
		return STEP_FAIL;
	t->wait = t->wait * 2 > REREAD_MAX_MS ? REREAD_MAX_MS : t->wait * 2;
	return STEP_AGAIN;
}

static enum step
set_result(struct tags_run *t, enum leader_verdict v, const char *reason)
{
	struct leader_result	*res = t->c->res;

	res->verdict = v;
	if (res->election.leader != NULL) {
		strlcpy(res->leader_id, res->election.leader->id,
		    sizeof(res->leader_id));
		res->term = res->election.leader_term;
	}
	strlcpy(res->reason, reason, sizeof(res->reason));
	return STEP_DONE;
}

/*
 * After a claim: poll until it shows, then settle, then decide.  The
 * settle time starts when the claim is seen, so a rival that read just
 * before it became visible, and claimed too, is visible to the deciding
 * read whenever the lag is below the settle time.  STEP_DONE here means
 * "nothing to wait for": go on to the decision.
 */
static enum step
await_own_claim(struct tags_run *t, const char *seen, struct lerr *e)
{
	const struct options	*o = t->c->o;

	if (t->claim[0] == '\0' || t->c->res->election.outcome == ELECT_STALE)
		return STEP_DONE;
	if (seen == NULL || strcmp(seen, t->claim) != 0) {
		log_msg(LOG_VERBOSE, "own claim %s not visible yet; re-reading",
		    t->claim);
		return reread(t, "own claim never became visible", e);
	}
	if (t->settled)
		return STEP_DONE;
	log_msg(LOG_VERBOSE, "own claim visible; settling %ld ms before "
	    "deciding", o->settle_ms);
	if (pause_for(t, o->settle_ms, "claim made but not yet confirmed",
	    e) == -1)
		return STEP_FAIL;
	t->settled = 1;
	return STEP_AGAIN;
}

/*
 * Self leads.  By a claim this run did not write (an earlier run's,
 * possibly one being retracted whose DeleteTags is not visible yet),
 * while that claim is young (3 settle periods, plus a second for
 * whole-second terms), believe it only if it is still there after one
 * settle period (tests/model: FIX_INHERIT 2).
 */
static enum step
on_leader(struct tags_run *t, struct lerr *e)
{
	const struct options	*o = t->c->o;
	const struct election	*el = &t->c->res->election;

	if (t->claim[0] == '\0' && !t->inherited &&
	    el->leader_term > t->c->env->wall_clock() -
	    3 * ((o->settle_ms + 999) / 1000) - 1) {
		t->inherited = 1;
		log_msg(LOG_VERBOSE, "self leads by a claim of an earlier run "
		    "(term %" PRId64 "); confirming it after %ld ms",
		    el->leader_term, o->settle_ms);
		if (pause_for(t, o->settle_ms, "confirming an inherited claim",
		    e) == -1)
			return STEP_FAIL;
		return STEP_AGAIN;
	}
	return set_result(t, VERDICT_LEADER, el->reason);
}

/*
 * Another instance leads.  A claim younger than the settle time may yet
 * lose to a rival and be retracted; look once more so that the leader
 * reported (LEADER_EXEC_LEADER_ID, --export) is the settled one.  Nothing
 * runs either way.  A losing claim of self's is retracted.
 */
static enum step
on_follower(struct tags_run *t, const char *seen, struct lerr *e)
{
	const struct options	*o = t->c->o;
	const struct election	*el = &t->c->res->election;
	char			 value[96];

	if (t->claim[0] == '\0' && !t->rechecked &&
	    el->leader_term >= t->c->env->wall_clock() -
	    (o->settle_ms + 999) / 1000 - 1) {
		t->rechecked = 1;
		log_msg(LOG_VERBOSE, "%s's claim is fresh; re-reading after %ld "
		    "ms", el->leader->id, o->settle_ms);
		if (pause_for(t, o->settle_ms, "waiting for a fresh claim to "
		    "settle", e) == -1)
			return STEP_FAIL;
		return STEP_AGAIN;
	}
	if (el->retract && !o->dry_run && seen != NULL) {
		strlcpy(value, seen, sizeof(value));
		retract(t, value, "another claim ranks first");
	}
	t->claim[0] = '\0';
	return set_result(t, VERDICT_FOLLOWER, el->reason);
}

/* Nobody holds and self may claim: write the claim, then await it. */
static enum step
on_claim(struct tags_run *t, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	const struct options	*o = c->o;
	const struct election	*el = &c->res->election;
	char			 value[96], why[300];

	if (election_format_tag(el->claim_term, c->res->epoch, value,
	    sizeof(value)) == -1) {
		lerr_set(e, LERR_INTERNAL, "claim too long");
		return STEP_FAIL;
	}
	if (o->dry_run) {
		snprintf(why, sizeof(why), "%s (dry run: not claimed)",
		    el->reason);
		return set_result(t, VERDICT_NONE, why);
	}
	/*
	 * Recorded first: a CreateTags that reports failure may still have
	 * landed, and the error path retracts what is recorded (DeleteTags
	 * with the value).
	 */
	strlcpy(t->claim, value, sizeof(t->claim));
	if (ec2_create_tag(c->ec2, c->dl, c->res->self_id, o->tag_key, value,
	    e) == -1)
		return STEP_FAIL;
	c->res->claimed = 1;
	t->settled = 0;
	log_msg(LOG_INFO, "%s; claimed %s=%s, settling %ld ms once it is "
	    "visible", el->reason, o->tag_key, value, o->settle_ms);
	t->wait = REREAD_MIN_MS;
	if (pause_for(t, t->wait, "claim made but not yet visible", e) == -1)
		return STEP_FAIL;
	return STEP_AGAIN;
}

/* One read and the step its decision calls for. */
static enum step
step(struct tags_run *t, struct lerr *e)
{
	const struct options	*o = t->c->o;
	const struct election	*el = &t->c->res->election;
	const char		*seen;
	enum step		 s;

	if (read_and_decide(t, e) == -1)
		return STEP_FAIL;
	if (o->mode == MODE_STATUS)
		return set_result(t, el->outcome == ELECT_LEADER ?
		    VERDICT_LEADER : el->leader ? VERDICT_FOLLOWER :
		    VERDICT_NONE, el->reason);
	seen = el->self ? instance_tag(el->self, o->tag_key) : NULL;
	if ((s = await_own_claim(t, seen, e)) != STEP_DONE)
		return s;
	switch (el->outcome) {
	case ELECT_STALE:
		log_msg(LOG_VERBOSE, "%s; re-reading", el->reason);
		return reread(t, el->reason, e);
	case ELECT_LEADER:
		return on_leader(t, e);
	case ELECT_FOLLOWER:
		return on_follower(t, seen, e);
	case ELECT_WAIT:
		if (o->dry_run)
			return set_result(t, VERDICT_NONE, el->reason);
		log_msg(LOG_INFO, "%s", el->reason);
		if (pause_for(t, o->settle_ms, "waiting for a senior instance "
		    "to claim", e) == -1)
			return STEP_FAIL;
		t->patient = 1;
		return STEP_AGAIN;
	case ELECT_CLAIM:
		return on_claim(t, e);
	}
	lerr_set(e, LERR_INTERNAL, "unknown election outcome");
	return STEP_FAIL;
}

/* The election loop: DESIGN.md section 3, steps 1 to 4. */
static int
tags_elect(struct store_ctx *c, void *state, struct lerr *e)
{
	struct tags_run	*t = state;
	int		 round;

	t->c = c;
	t->wait = REREAD_MIN_MS;
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
	lerr_set(e, LERR_DEADLINE, "no decision after %d reads", MAX_ROUNDS);
	return -1;
}

/* An unconfirmed claim must not block the others. */
static void
tags_abandon(struct store_ctx *c, void *state)
{
	struct tags_run	*t = state;

	t->c = c;
	if (t->claim[0] != '\0')
		retract(t, t->claim, "the election did not finish");
}

const struct store_ops store_tags = {
	"tags",
	tags_elect,
	tags_abandon,
	NULL,
	NULL,
	NULL,
	sizeof(struct tags_run),
};
