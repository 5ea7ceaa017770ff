/*
 * store_tags: leadership as a tag on the leader instance (DESIGN.md
 * section 3).  The steps around the pure decision of election.c: read,
 * decide, claim, settle, re-read, confirm or retract.
 *
 * With --hold, --standby or --wait the claim carries a lease (DESIGN.md
 * section 8): "<term>+<expiry>[@<epoch>]", renewed by rewriting the own
 * tag (CreateTags overwrites), released by DeleteTags of the value; a
 * task that ran records "<term>=0[@<epoch>]" (succeeded: still a holder,
 * sticky) or "<term>=<status>[@<epoch>]" (failed: no holder).  A
 * standby or --wait follower reads the holders every lease/3 and takes
 * over when the lease expires (+ drift), the claim is deleted or the
 * holder stops running.  Safe under section 3's condition, settle >= 2
 * x the lag of tag writes + the time a CreateTags takes, and while a
 * renewal becomes visible before the expiry it replaces (lag < 2/3 of
 * the lease, less the drift allowance).
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
#define FINISH_MS	30000		/* to record the run's outcome */
#define POLL_MIN_MS	500		/* a standby's or --wait's poll */

/* What one run of the tags store remembers between steps. */
struct tags_run {
	struct store_ctx	*c;
	char			 claim[96];	/* value this run wrote, "" none */
	long			 wait;		/* next re-read backoff */
	int			 patient;	/* waited for better-ranked */
	int			 settled;	/* own claim seen and settled */
	int			 rechecked;	/* re-read a fresh leader once */
	int			 inherited;	/* confirmed an earlier claim */
	char			 pending[96];	/* a lease written but not
						   confirmed (it may have
						   landed), "" none */
	int64_t			 term;		/* of claim */
	char			 waited_id[INSTANCE_ID_MAX]; /* --wait */
	int64_t			 waited_term;
	long long		 unleased_ms;	/* --wait: when the holder
						   was first seen without
						   lease or outcome, 0 */
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

/* --hold, --standby, --wait: claims carry a lease. */
static int
leased(const struct options *o)
{
	return o->hold || o->standby || o->wait;
}

/* The own claim of term with a lease from now, or a status, or neither. */
static int
format_own(struct tags_run *t, int64_t term, int lease, int status,
    char *out, size_t outlen)
{
	struct store_ctx	*c = t->c;
	struct election_claim	 cl;

	memset(&cl, 0, sizeof(cl));
	cl.term = term;
	cl.status = status;
	cl.epoch = c->res->epoch;
	if (lease)
		cl.expiry = c->env->wall_clock() +
		    (c->o->lease_ms + 999) / 1000;
	return election_format_claim(&cl, out, outlen);
}

/* Self leads under a lease this run wrote: the command is supervised. */
static void
supervise_lease(struct tags_run *t)
{
	struct leader_result	*res = t->c->res;

	if (!leased(t->c->o) || t->claim[0] == '\0')
		return;
	res->supervise = 1;
	res->lease_ms = t->c->o->lease_ms;
}

/*
 * Sleep a standby's or --wait follower's poll, lease/3, for as long as it
 * takes: --timeout bounds each election step, not the wait.
 */
static enum step
poll_again(struct tags_run *t, const char *why, struct lerr *e)
{
	const struct options	*o = t->c->o;
	long			 ms = o->lease_ms / 3;

	log_msg(LOG_VERBOSE, "%s; polling in %ld ms", why,
	    ms < POLL_MIN_MS ? POLL_MIN_MS : ms);
	if (deadline_sleep_ms_unbounded(ms < POLL_MIN_MS ? POLL_MIN_MS :
	    ms) == -1) {
		lerr_set(e, LERR_SIGNAL, "interrupted");
		return STEP_FAIL;
	}
	deadline_start(t->c->dl, o->timeout_ms);
	t->rechecked = 0;
	return STEP_AGAIN;
}

/* The member of the snapshot with id, or NULL. */
static const struct election_member *
member(const struct election *el, const char *id)
{
	size_t	 i;

	for (i = 0; i < el->nmembers; i++)
		if (strcmp(el->members[i].inst->id, id) == 0)
			return &el->members[i];
	return NULL;
}

/*
 * --wait, nobody holds: the holder waited on finished its command and it
 * failed (its claim "<term>=<status>"): 120.  0 otherwise (it went away:
 * take over).
 */
static int
waited_failed(struct tags_run *t, struct lerr *e)
{
	const struct election_member	*m;

	if (!t->c->o->wait || t->waited_term == 0 ||
	    (m = member(&t->c->res->election, t->waited_id)) == NULL ||
	    m->term != t->waited_term || m->status <= 0)
		return 0;
	lerr_set(e, LERR_LEADER_FAILED, "the command waited on (term %"
	    PRId64 ") failed on %s (exit %d)", m->term, t->waited_id,
	    m->status);
	return -1;
}

/*
 * --wait, a holder leads: 1 while its command may still run (a lease; or
 * a claim without lease or outcome, such as --export's in an earlier
 * hook, for one lease, time for the leader to take it under a lease),
 * else 0: it succeeded ("=0"), or it runs no command under a lease.
 */
static int
still_running(struct tags_run *t, const struct election_member *lead)
{
	if (lead->expiry > 0)
		return 1;
	if (lead->status == 0)
		return 0;
	if (t->unleased_ms == 0 || strcmp(t->waited_id, lead->inst->id) != 0 ||
	    t->waited_term != lead->term)
		t->unleased_ms = now_ms();
	return now_ms() - t->unleased_ms < t->c->o->lease_ms;
}

/*
 * Another instance leads (or another run on this one holds a lease): a
 * standby polls until it goes; a --wait follower polls while the
 * leader's command may run (still_running) and is done after.
 */
static enum step
follow(struct tags_run *t, const struct election_member *lead,
    struct lerr *e)
{
	const struct options	*o = t->c->o;
	struct leader_result	*res = t->c->res;
	const char		*id = lead->inst->id;
	int			 running;

	if (o->standby)
		return poll_again(t, "a live holder leads; standing by", e);
	if (!o->wait)
		return STEP_DONE;
	running = still_running(t, lead);
	strlcpy(t->waited_id, id, sizeof(t->waited_id));
	t->waited_term = lead->term;
	if (running)
		return poll_again(t, lead->expiry > 0 ? "the leader's command "
		    "runs; waiting" : "the leader has not started the command "
		    "under a lease yet; waiting", e);
	res->done = 1;
	snprintf(res->reason, sizeof(res->reason), "the command waited on "
	    "(term %" PRId64 ") %s on %s", lead->term, lead->status == 0 ?
	    "succeeded" : "ran without a lease", id);
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
 * Self leads by a claim this run did not write, and leases are asked
 * for.  A lease of another run on this instance that has not expired is
 * another holder (it may still run its command: follow it).  A claim
 * without lease (a one-shot run's, or a task that succeeded) is re-taken
 * under a lease, keeping its term.
 */
static enum step
retake(struct tags_run *t, struct lerr *e)
{
	struct store_ctx		*c = t->c;
	const struct election		*el = &c->res->election;
	const struct election_member	*m = member(el, c->res->self_id);
	char				 value[96];
	enum step			 s;

	if (m == NULL) {
		lerr_set(e, LERR_INTERNAL, "self missing from the snapshot");
		return STEP_FAIL;
	}
	if (m->expiry > 0) {
		log_msg(LOG_INFO, "%s=%s: another run on this instance holds "
		    "the lease", c->o->tag_key, m->tag);
		if ((s = follow(t, m, e)) != STEP_DONE)
			return s;
		return set_result(t, VERDICT_FOLLOWER, "another run on this "
		    "instance holds the lease");
	}
	if (format_own(t, m->term, 1, -1, value, sizeof(value)) == -1) {
		lerr_set(e, LERR_INTERNAL, "claim too long");
		return STEP_FAIL;
	}
	strlcpy(t->claim, value, sizeof(t->claim));
	c->res->lease_written_ms = now_ms();
	if (ec2_create_tag(c->ec2, c->dl, c->res->self_id, c->o->tag_key,
	    value, e) == -1)
		return STEP_FAIL;
	t->term = m->term;
	c->res->claimed = 1;
	log_msg(LOG_INFO, "re-took %s=%s under a lease", c->o->tag_key, value);
	supervise_lease(t);
	return set_result(t, VERDICT_LEADER, el->reason);
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
	if (leased(o) && t->claim[0] == '\0')
		return retake(t, e);
	supervise_lease(t);
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
	enum step		 s;

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
	if (leased(o) && !o->dry_run && (s = follow(t, member(el,
	    el->leader->id), e)) != STEP_DONE)
		return s;
	return set_result(t, VERDICT_FOLLOWER, t->c->res->done ?
	    t->c->res->reason : el->reason);
}

/* Nobody holds and self may claim: write the claim, then await it. */
static enum step
on_claim(struct tags_run *t, struct lerr *e)
{
	struct store_ctx	*c = t->c;
	const struct options	*o = c->o;
	const struct election	*el = &c->res->election;
	char			 value[96], why[300];

	if (format_own(t, el->claim_term, leased(o), -1, value,
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
	c->res->lease_written_ms = now_ms();
	if (ec2_create_tag(c->ec2, c->dl, c->res->self_id, o->tag_key, value,
	    e) == -1)
		return STEP_FAIL;
	t->term = el->claim_term;
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
	if (el->nholders == 0 && waited_failed(t, e) == -1)
		return STEP_FAIL;
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

/* Delete the own claim, and a rewrite of it that may have landed. */
static void
drop_claims(struct tags_run *t, const char *why)
{
	if (t->pending[0] != '\0' && strcmp(t->pending, t->claim) != 0)
		retract(t, t->pending, why);
	if (t->claim[0] != '\0')
		retract(t, t->claim, why);
	t->claim[0] = t->pending[0] = '\0';
}

/* An unconfirmed claim must not block the others. */
static void
tags_abandon(struct store_ctx *c, void *state)
{
	struct tags_run	*t = state;

	t->c = c;
	drop_claims(t, "the election did not finish");
}

/* Rewrite the own claim as value within dl; claim follows on success. */
static int
rewrite_claim(struct tags_run *t, const struct deadline *dl,
    const char *value, struct lerr *e)
{
	strlcpy(t->pending, value, sizeof(t->pending));
	if (ec2_create_tag(t->c->ec2, dl, t->c->res->self_id, t->c->o->tag_key,
	    value, e) == -1)
		return -1;
	strlcpy(t->claim, value, sizeof(t->claim));
	t->pending[0] = '\0';
	return 0;
}

/* Renew the lease: the own claim rewritten with expiry now + lease. */
static int
tags_renew(struct store_ctx *c, void *state, long budget_ms, struct lerr *e)
{
	struct tags_run	*t = state;
	struct deadline	 dl;
	char		 value[96];

	t->c = c;
	if (format_own(t, t->term, 1, -1, value, sizeof(value)) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot renew the lease: claim too "
		    "long");
		return -1;
	}
	deadline_start(&dl, budget_ms);
	if (rewrite_claim(t, &dl, value, e) == -1)
		return -1;
	log_msg(LOG_VERBOSE, "renewed %s=%s", c->o->tag_key, value);
	return 0;
}

/*
 * After the command: --hold releases (DeleteTags of the value, and of a
 * renewal that may have landed unconfirmed); a task records its outcome,
 * the claim without lease when it succeeded, "=<status>" when it failed.
 */
static int
tags_finish(struct store_ctx *c, void *state, int status, struct lerr *e)
{
	struct tags_run	*t = state;
	struct deadline	 dl;
	char		 value[96];
	int		 rc;

	t->c = c;
	if (!c->res->supervise || t->claim[0] == '\0')
		return 0;
	if (c->o->hold) {
		drop_claims(t, "released: the command exited");
		return 0;
	}
	if (format_own(t, t->term, 0, status > 255 ? 255 : status, value,
	    sizeof(value)) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot record the outcome: claim "
		    "too long");
		return -1;
	}
	deadline_start(&dl, FINISH_MS);
	deadline_suspend_abort(1);
	rc = rewrite_claim(t, &dl, value, e);
	deadline_suspend_abort(0);
	if (rc == -1)
		return -1;
	log_msg(LOG_INFO, "recorded %s (exit status %d) as %s=%s", status == 0 ?
	    "done" : "failed", status, c->o->tag_key, value);
	return 0;
}

const struct store_ops store_tags = {
	"tags",
	tags_elect,
	tags_abandon,
	tags_renew,
	tags_finish,
	NULL,
	sizeof(struct tags_run),
};
