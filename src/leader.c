/*
 * leader: one election, end to end.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "creds.h"
#include "deadline.h"
#include "ec2.h"
#include "imds.h"
#include "leader.h"
#include "log.h"
#include "manifest.h"
#include "region.h"
#include "util.h"

#define TAG_ENV_ID	"elasticbeanstalk:environment-id"
#define TAG_ASG		"aws:autoscaling:groupName"
#define MAX_ROUNDS	1000		/* re-reads per run, besides the deadline */
#define REREAD_MIN_MS	200
#define REREAD_MAX_MS	2000
#define RETRACT_MS	5000		/* for a retraction after a failure */

struct run {
	const struct options	*o;
	const struct runenv	*env;
	struct leader_result	*res;
	struct deadline		 dl;
	struct imds		*imds;
	struct ec2		*ec2;
	struct credentials	 creds;
	char			 endpoint[256];
	char			 claim[96];	/* value this run wrote, "" none */
	struct instance		 self;		/* from the self read, no tags */
	int			 have_self;
};

void
leader_result_free(struct leader_result *r)
{
	election_free(&r->election);
	group_free(&r->group);
	r->decided = 0;
}

/*
 * The region: --region, AWS_REGION, AWS_DEFAULT_REGION, then the identity
 * document (doc NULL: not read yet).  Every source passes the one rule,
 * region_valid, before anything is sent; 0, or -1 with e naming it.
 */
static int
choose_region(struct run *r, const char *doc, struct lerr *e)
{
	const struct runenv	*env = r->env;
	const char		*v = r->o->region, *src = "--region";
	enum lerr_class		 cls = LERR_USAGE;

	if (v[0] == '\0' && env->region != NULL && env->region[0] != '\0') {
		v = env->region;
		src = env->region_var;
	} else if (v[0] == '\0') {
		if (doc == NULL)
			return 0;
		v = doc;
		src = "the region of the instance identity document";
		cls = LERR_IMDS;
	}
	if (!region_valid(v) || strlcpy(r->res->region, v,
	    sizeof(r->res->region)) >= sizeof(r->res->region)) {
		r->res->region[0] = '\0';
		lerr_set(e, cls, "%s is not a region name like eu-west-1 "
		    "(lowercase letters and digits in parts joined by single "
		    "hyphens, at most %d characters); nothing was sent", src,
		    REGION_SIZE - 1);
		return -1;
	}
	return 0;
}

/* Instance id and region from IMDS; credentials; the EC2 client. */
static int
connect_services(struct run *r, struct lerr *e)
{
	const struct runenv	*env = r->env;
	struct imds_identity	 id;
	struct ec2_config	 cfg;
	struct ca_paths		 ca;

	if (env->imds_disabled) {
		lerr_set(e, LERR_IMDS, "instance metadata is disabled "
		    "(AWS_EC2_METADATA_DISABLED), but leader-exec needs it to "
		    "know which instance it runs on");
		return -1;
	}
	if (choose_region(r, NULL, e) == -1)
		return -1;
	if ((r->imds = imds_new(env->imds_endpoint ? env->imds_endpoint :
	    IMDS_DEFAULT_ENDPOINT, r->o->allow_imdsv1, e)) == NULL)
		return -1;
	if (imds_get_identity(r->imds, &r->dl, &id, e) == -1 ||
	    choose_region(r, id.region, e) == -1)
		return -1;
	strlcpy(r->res->self_id, id.instance_id, sizeof(r->res->self_id));
	log_msg(LOG_VERBOSE, "instance %s in region %s", r->res->self_id,
	    r->res->region);

	if (creds_resolve(r->imds, &r->dl, r->env->wall_clock(), &r->creds,
	    e) == -1)
		return -1;
	if (ec2_resolve_endpoint(r->res->region, env->ec2_endpoint,
	    env->any_endpoint, r->o->allow_http_endpoint, r->endpoint,
	    sizeof(r->endpoint), e) == -1)
		return -1;
	if (ca_choose(r->endpoint, env->ca_file, env->ca_dir, ca_probe_paths,
	    &ca, e) == -1)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = r->endpoint;
	cfg.region = r->res->region;
	cfg.creds = &r->creds;
	cfg.ca_file = ca.file;
	cfg.ca_dir = ca.dir;
	if ((r->ec2 = ec2_new(&cfg, e)) == NULL)
		return -1;
	log_msg(LOG_VERBOSE, "EC2 endpoint %s%s%s%s%s", r->endpoint,
	    ca.file ? ", CA bundle " : "", ca.file ? ca.file : "",
	    ca.dir ? ", CA directory " : "", ca.dir ? ca.dir : "");
	return 0;
}

/* The epoch: --epoch, else the EB deployment manifest, else none. */
static int
find_epoch(struct run *r, struct lerr *e)
{
	const char	*path;
	int		 found;

	if (r->o->epoch_set) {
		strlcpy(r->res->epoch, r->o->epoch, sizeof(r->res->epoch));
		r->res->epoch_source = "--epoch";
		return 0;
	}
	path = r->o->manifest ? r->o->manifest : r->env->manifest ?
	    r->env->manifest : MANIFEST_DEFAULT_PATH;
	found = manifest_read_epoch(path, r->res->epoch, sizeof(r->res->epoch),
	    e);
	if (found == -1)
		return -1;
	if (found == 1 && !election_valid_epoch(r->res->epoch)) {
		lerr_set(e, LERR_SCOPE, "deployment manifest %s: DeploymentId "
		    "unusable as an epoch; pass --epoch", path);
		return -1;
	}
	if (found == 0)
		r->res->epoch[0] = '\0';
	r->res->epoch_source = found ? "deployment manifest" : "none";
	log_msg(LOG_VERBOSE, "epoch %s (%s)", found ? r->res->epoch : "none",
	    found ? path : "no deployment manifest");
	return 0;
}

/* Own tags (DescribeInstances of self) decide the group, unless --scope. */
static int
find_scope(struct run *r, struct lerr *e)
{
	struct leader_result	*res = r->res;
	struct group		 self;
	const struct instance	*in = NULL;
	const char		*v;
	long			 wait = REREAD_MIN_MS;
	int			 rc = -1, round;

	if (r->o->scope_set) {
		strlcpy(res->scope_key, r->o->scope_key, sizeof(res->scope_key));
		strlcpy(res->scope_value, r->o->scope_value,
		    sizeof(res->scope_value));
		res->scope_source = "--scope";
		return 0;
	}
	memset(&self, 0, sizeof(self));
	for (round = 0; round < MAX_ROUNDS; round++) {
		if (ec2_describe_instance(r->ec2, &r->dl, res->self_id, &self,
		    e) == -1)
			goto out;
		if ((in = group_find(&self, res->self_id)) != NULL)
			break;
		log_msg(LOG_VERBOSE, "self %s not yet visible to "
		    "DescribeInstances; re-reading", res->self_id);
		if (deadline_left_ms(&r->dl) <= wait) {
			lerr_set(e, LERR_DEADLINE, "DescribeInstances never "
			    "showed this instance (%s) before the deadline",
			    res->self_id);
			goto out;
		}
		if (deadline_sleep_ms(&r->dl, wait) == -1) {
			lerr_set(e, LERR_SIGNAL, "interrupted");
			goto out;
		}
		wait = wait * 2 > REREAD_MAX_MS ? REREAD_MAX_MS : wait * 2;
	}
	if (in == NULL) {
		lerr_set(e, LERR_DEADLINE, "DescribeInstances never showed "
		    "this instance (%s)", res->self_id);
		goto out;
	}
	memcpy(r->self.id, in->id, sizeof(r->self.id));
	r->self.state = in->state;
	r->self.launch_time = in->launch_time;
	r->have_self = 1;
	if ((v = instance_tag(in, TAG_ENV_ID)) != NULL && v[0] != '\0') {
		strlcpy(res->scope_key, TAG_ENV_ID, sizeof(res->scope_key));
		res->scope_source = "own Elastic Beanstalk environment tag";
	} else if ((v = instance_tag(in, TAG_ASG)) != NULL && v[0] != '\0') {
		strlcpy(res->scope_key, TAG_ASG, sizeof(res->scope_key));
		res->scope_source = "own Auto Scaling group tag";
	} else {
		lerr_set(e, LERR_SCOPE, "instance %s has neither an %s nor an "
		    "%s tag; pass --scope tag:KEY=VALUE to name its group",
		    res->self_id, TAG_ENV_ID, TAG_ASG);
		goto out;
	}
	/* A cut value would be another group: refuse, never truncate. */
	if (strlcpy(res->scope_value, v, sizeof(res->scope_value)) >=
	    sizeof(res->scope_value)) {
		lerr_set(e, LERR_SCOPE, "instance %s: its %s tag is longer than "
		    "%d bytes", res->self_id, res->scope_key, TAG_VALUE_SIZE - 1);
		goto out;
	}
	rc = 0;
out:
	group_free(&self);
	return rc;
}

/* The pure decision over res->group. */
static int
decide(struct run *r, int patient, int full, struct lerr *e)
{
	struct leader_result	*res = r->res;
	struct election_input	 in;

	memset(&in, 0, sizeof(in));
	in.group = &res->group;
	in.self_id = res->self_id;
	in.tag_key = r->o->tag_key;
	in.epoch = res->epoch;
	in.now = r->env->wall_clock();
	in.patient = patient;
	if (election_decide(&in, &res->election) == -1) {
		lerr_set(e, LERR_INTERNAL, "election: %s", res->election.reason);
		return -1;
	}
	res->decided = 1;
	log_msg(LOG_VERBOSE, "%s %s=%s: %zu instances, %zu running, %zu "
	    "holding %s: %s", full ? "group" : "holders of", res->scope_key,
	    res->scope_value, res->group.ninst, res->election.nlive,
	    res->election.nholders, r->o->tag_key,
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
read_and_decide(struct run *r, int patient, struct lerr *e)
{
	struct leader_result	*res = r->res;
	int			 full;

	for (full = !r->have_self || r->o->mode == MODE_STATUS; full < 2;
	    full++) {
		leader_result_free(res);
		if (ec2_describe_group(r->ec2, &r->dl, res->scope_key,
		    res->scope_value, r->o->tag_key, !full, &res->group,
		    e) == -1)
			return -1;
		if (!full && group_find(&res->group, r->self.id) == NULL &&
		    add_self(&res->group, &r->self) == -1) {
			lerr_set(e, LERR_INTERNAL, "out of memory");
			return -1;
		}
		if (decide(r, patient, full, e) == -1)
			return -1;
		if (res->election.outcome == ELECT_LEADER ||
		    res->election.outcome == ELECT_FOLLOWER)
			break;
	}
	return 0;
}


/* Delete self's claim if it still has value; best effort, own deadline. */
static void
retract(struct run *r, const char *value, const char *why)
{
	struct deadline	 dl;
	struct lerr	 e = { LERR_NONE, "" };

	deadline_start(&dl, RETRACT_MS);
	deadline_suspend_abort(1);
	if (ec2_delete_tag(r->ec2, &dl, r->res->self_id, r->o->tag_key, value,
	    &e) == 0) {
		r->res->retracted = 1;
		log_msg(LOG_INFO, "retracted claim %s=%s (%s)", r->o->tag_key,
		    value, why);
	} else
		log_msg(LOG_INFO, "could not retract claim %s=%s: %s",
		    r->o->tag_key, value, e.msg);
	deadline_suspend_abort(0);
}

/* Sleep before the next read; -1 with e set at the deadline or a signal. */
static int
pause_for(struct run *r, long ms, const char *waiting_for, struct lerr *e)
{
	if (deadline_left_ms(&r->dl) <= ms) {
		lerr_set(e, LERR_DEADLINE, "no certain answer before the "
		    "deadline (--timeout %ld s): %s", r->o->timeout_ms / 1000,
		    waiting_for);
		return -1;
	}
	if (deadline_sleep_ms(&r->dl, ms) == -1) {
		lerr_set(e, LERR_SIGNAL, "interrupted");
		return -1;
	}
	return 0;
}

static void
set_result(struct run *r, enum leader_verdict v, const char *reason)
{
	struct leader_result	*res = r->res;

	res->verdict = v;
	if (res->election.leader != NULL) {
		strlcpy(res->leader_id, res->election.leader->id,
		    sizeof(res->leader_id));
		res->term = res->election.leader_term;
	}
	strlcpy(res->reason, reason, sizeof(res->reason));
}

/* The election loop: DESIGN.md section 3, steps 1 to 4. */
static int
elect(struct run *r, struct lerr *e)
{
	const struct options	*o = r->o;
	struct leader_result	*res = r->res;
	const struct election	*el = &res->election;
	char			 value[96], why[300];
	const char		*seen;
	long			 wait = REREAD_MIN_MS;
	int			 round, patient = 0, settled = 0, rechecked = 0;
	int			 inherited = 0;

	for (round = 0; round < MAX_ROUNDS; round++) {
		if (read_and_decide(r, patient, e) == -1)
			return -1;
		if (o->mode == MODE_STATUS) {
			set_result(r, el->outcome == ELECT_LEADER ?
			    VERDICT_LEADER : el->leader ? VERDICT_FOLLOWER :
			    VERDICT_NONE, el->reason);
			return 0;
		}
		/*
		 * After a claim: poll until it shows, then settle, then decide.
		 * The settle time starts when the claim is seen, so a rival that
		 * read just before it became visible, and claimed too, is
		 * visible to the deciding read whenever the lag is below the
		 * settle time.
		 */
		seen = el->self ? instance_tag(el->self, o->tag_key) : NULL;
		if (r->claim[0] != '\0' && el->outcome != ELECT_STALE &&
		    (seen == NULL || strcmp(seen, r->claim) != 0)) {
			log_msg(LOG_VERBOSE, "own claim %s not visible yet; "
			    "re-reading", r->claim);
			if (pause_for(r, wait, "own claim never became visible",
			    e) == -1)
				return -1;
			wait = wait * 2 > REREAD_MAX_MS ? REREAD_MAX_MS : wait * 2;
			continue;
		}
		if (r->claim[0] != '\0' && el->outcome != ELECT_STALE &&
		    !settled) {
			log_msg(LOG_VERBOSE, "own claim visible; settling %ld ms "
			    "before deciding", o->settle_ms);
			if (pause_for(r, o->settle_ms, "claim made but not yet "
			    "confirmed", e) == -1)
				return -1;
			settled = 1;
			continue;
		}
		switch (el->outcome) {
		case ELECT_STALE:
			log_msg(LOG_VERBOSE, "%s; re-reading", el->reason);
			if (pause_for(r, wait, el->reason, e) == -1)
				return -1;
			wait = wait * 2 > REREAD_MAX_MS ? REREAD_MAX_MS : wait * 2;
			continue;
		case ELECT_LEADER:
			/*
			 * Self leads by a claim this run did not write: an
			 * earlier run's, possibly one being retracted whose
			 * DeleteTags is not visible yet.  While such a claim is
			 * young (3 settle periods, plus a second for whole-second
			 * terms), believe it only if it is still there after one
			 * settle period (tests/model: FIX_INHERIT 2).
			 */
			if (r->claim[0] == '\0' && !inherited &&
			    el->leader_term > r->env->wall_clock() -
			    3 * ((o->settle_ms + 999) / 1000) - 1) {
				inherited = 1;
				log_msg(LOG_VERBOSE, "self leads by a claim of an "
				    "earlier run (term %" PRId64 "); confirming it "
				    "after %ld ms", el->leader_term, o->settle_ms);
				if (pause_for(r, o->settle_ms, "confirming an "
				    "inherited claim", e) == -1)
					return -1;
				continue;
			}
			set_result(r, VERDICT_LEADER, el->reason);
			return 0;
		case ELECT_FOLLOWER:
			/*
			 * A claim younger than the settle time may yet lose to
			 * a rival and be retracted; look once more so that the
			 * leader reported (LEADER_EXEC_LEADER_ID, --export) is
			 * the settled one.  Nothing runs either way.
			 */
			if (r->claim[0] == '\0' && !rechecked &&
			    el->leader_term >= r->env->wall_clock() -
			    (o->settle_ms + 999) / 1000 - 1) {
				rechecked = 1;
				log_msg(LOG_VERBOSE, "%s's claim is fresh; "
				    "re-reading after %ld ms", el->leader->id,
				    o->settle_ms);
				if (pause_for(r, o->settle_ms, "waiting for a "
				    "fresh claim to settle", e) == -1)
					return -1;
				continue;
			}
			if (el->retract && !o->dry_run && seen != NULL) {
				strlcpy(value, seen, sizeof(value));
				retract(r, value, "another claim ranks first");
			}
			r->claim[0] = '\0';
			set_result(r, VERDICT_FOLLOWER, el->reason);
			return 0;
		case ELECT_WAIT:
			if (o->dry_run) {
				set_result(r, VERDICT_NONE, el->reason);
				return 0;
			}
			log_msg(LOG_INFO, "%s", el->reason);
			if (pause_for(r, o->settle_ms, "waiting for a senior "
			    "instance to claim", e) == -1)
				return -1;
			patient = 1;
			continue;
		case ELECT_CLAIM:
			if (election_format_tag(el->claim_term, res->epoch,
			    value, sizeof(value)) == -1) {
				lerr_set(e, LERR_INTERNAL, "claim too long");
				return -1;
			}
			if (o->dry_run) {
				snprintf(why, sizeof(why), "%s (dry run: not "
				    "claimed)", el->reason);
				set_result(r, VERDICT_NONE, why);
				return 0;
			}
			/*
			 * Recorded first: a CreateTags that reports failure
			 * may still have landed, and the error path retracts
			 * what is recorded (DeleteTags with the value).
			 */
			strlcpy(r->claim, value, sizeof(r->claim));
			if (ec2_create_tag(r->ec2, &r->dl, res->self_id,
			    o->tag_key, value, e) == -1)
				return -1;
			res->claimed = 1;
			settled = 0;
			log_msg(LOG_INFO, "%s; claimed %s=%s, settling %ld ms "
			    "once it is visible", el->reason, o->tag_key, value,
			    o->settle_ms);
			wait = REREAD_MIN_MS;
			if (pause_for(r, wait, "claim made but not yet visible",
			    e) == -1)
				return -1;
			continue;
		}
	}
	lerr_set(e, LERR_DEADLINE, "no decision after %d reads", MAX_ROUNDS);
	return -1;
}

int
leader_run(const struct options *o, const struct runenv *env,
    struct leader_result *res, struct lerr *e)
{
	struct run	 r;
	int		 rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.env = env;
	r.res = res;
	res->verdict = VERDICT_NONE;
	res->epoch_source = "none";
	deadline_start(&r.dl, o->timeout_ms);

	if (connect_services(&r, e) == -1 || find_epoch(&r, e) == -1 ||
	    find_scope(&r, e) == -1)
		goto out;
	log_msg(LOG_VERBOSE, "group %s=%s (%s), name %s, epoch %s",
	    res->scope_key, res->scope_value, res->scope_source, o->name,
	    res->epoch[0] ? res->epoch : "none");
	if (elect(&r, e) == -1) {
		/* An unconfirmed claim must not block the others. */
		if (r.claim[0] != '\0')
			retract(&r, r.claim, "the election did not finish");
		goto out;
	}
	rc = 0;
out:
	if (r.imds != NULL)
		imds_counts(r.imds, &res->imds_requests, &res->imds_conns);
	if (r.ec2 != NULL)
		ec2_counts(r.ec2, &res->ec2_requests, &res->ec2_conns);
	log_msg(LOG_VERBOSE, "HTTP requests: %u to IMDS over %u connection%s, "
	    "%u to EC2 over %u connection%s", res->imds_requests,
	    res->imds_conns, res->imds_conns == 1 ? "" : "s",
	    res->ec2_requests, res->ec2_conns, res->ec2_conns == 1 ? "" : "s");
	ec2_free(r.ec2);
	imds_free(r.imds);
	creds_clear(&r.creds);
	return rc;
}
