/*
 * leader: one election, end to end.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscaling.h"
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
#define MAX_ROUNDS	1000		/* self re-reads, besides the deadline */
#define REREAD_MIN_MS	200
#define REREAD_MAX_MS	2000
#define CREDS_REFRESH_S	300		/* refresh role credentials this early */
#define PROTECT_MS	20000		/* to set or clear the protection */

/* One run: its clients, credentials and store; main.c holds it opaque. */
struct leader_session {
	const struct options	*o;
	const struct runenv	*env;
	struct leader_result	*res;
	struct deadline		 dl;
	struct imds		*imds;
	struct ec2		*ec2;
	struct credentials	 creds;
	char			 endpoint[256];
	struct instance		 self;		/* from the self read, no tags */
	int			 have_self;
	char			 account_id[32];	/* identity document */
	const struct store_ops	*ops;		/* the store elected with */
	void			*state;		/* its state, owned */
	struct store_ctx	 ctx;		/* what it works with */
	struct autoscaling	*as;		/* --protect, opened on use */
	char			 asg[AUTOSCALING_GROUP_MAX + 1];
	int			 protected;	/* set and not yet cleared */
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
choose_region(struct leader_session *r, const char *doc, struct lerr *e)
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
connect_services(struct leader_session *r, struct lerr *e)
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
	strlcpy(r->account_id, id.account_id, sizeof(r->account_id));
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
find_epoch(struct leader_session *r, struct lerr *e)
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
find_scope(struct leader_session *r, struct lerr *e)
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

/* The store's election, with the run's context. */
static int
elect(struct leader_session *r, const struct store_ops *ops, struct lerr *e)
{
	struct store_ctx	*c = &r->ctx;

	if ((r->state = calloc(1, ops->state_size)) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return -1;
	}
	r->ops = ops;
	c->o = r->o;
	c->env = r->env;
	c->res = r->res;
	c->dl = &r->dl;
	c->ec2 = r->ec2;
	c->self = &r->self;
	c->have_self = r->have_self;
	c->creds = &r->creds;
	c->account_id = r->account_id;
	r->res->store = ops->name;
	strlcpy(r->res->store_desc, ops->name, sizeof(r->res->store_desc));
	if (ops->elect(c, r->state, e) == -1) {
		ops->abandon(c, r->state);
		return -1;
	}
	return 0;
}

/*
 * Instance-role credentials run out after a few hours, and a supervised
 * command may run longer: fetch new ones once fewer than
 * CREDS_REFRESH_S seconds are left.  The clients borrow r->creds, so the
 * new values take effect on their next request.
 */
static int
refresh_credentials(struct leader_session *r, long budget_ms, struct lerr *e)
{
	struct deadline	 dl;
	int64_t		 now = r->env->wall_clock();

	if (r->creds.expiration == 0 || r->imds == NULL ||
	    r->creds.expiration - now > CREDS_REFRESH_S)
		return 0;
	deadline_start(&dl, budget_ms / 2);
	log_msg(LOG_VERBOSE, "instance role credentials expire in %" PRId64
	    " s; fetching new ones", r->creds.expiration - now);
	return creds_resolve(r->imds, &dl, now, &r->creds, e);
}

int
leader_renew(struct leader_session *r, long budget_ms, struct lerr *e)
{
	if (r->ops == NULL || r->ops->renew == NULL) {
		lerr_set(e, LERR_INTERNAL, "the %s store has no lease to renew",
		    r->ops ? r->ops->name : "(no)");
		return -1;
	}
	if (refresh_credentials(r, budget_ms, e) == -1)
		return -1;
	return r->ops->renew(&r->ctx, r->state, budget_ms, e);
}

void
leader_abandon(struct leader_session *r)
{
	if (r != NULL && r->ops != NULL)
		r->ops->abandon(&r->ctx, r->state);
}

int
leader_finish(struct leader_session *r, int status, struct lerr *e)
{
	if (r->ops == NULL || r->ops->finish == NULL)
		return 0;
	if (refresh_credentials(r, 10000, e) == -1)
		return -1;
	return r->ops->finish(&r->ctx, r->state, status, e);
}

/* The own Auto Scaling group (its aws:autoscaling:groupName tag). */
static int
own_asg(struct leader_session *r, const struct deadline *dl, struct lerr *e)
{
	struct group		 g;
	const struct instance	*in;
	const char		*v;
	int			 rc = -1;

	memset(&g, 0, sizeof(g));
	if (ec2_describe_instance(r->ec2, dl, r->res->self_id, &g, e) == -1)
		goto out;
	if ((in = group_find(&g, r->res->self_id)) == NULL ||
	    (v = instance_tag(in, TAG_ASG)) == NULL || v[0] == '\0') {
		lerr_set(e, LERR_SCOPE, "--protect: instance %s has no %s tag, "
		    "so it is in no Auto Scaling group to be protected in",
		    r->res->self_id, TAG_ASG);
		goto out;
	}
	if (strlcpy(r->asg, v, sizeof(r->asg)) >= sizeof(r->asg)) {
		lerr_set(e, LERR_SCOPE, "--protect: the %s tag of %s is too "
		    "long", TAG_ASG, r->res->self_id);
		r->asg[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	group_free(&g);
	return rc;
}

/* The Auto Scaling client and the group, once. */
static int
open_autoscaling(struct leader_session *r, const struct deadline *dl,
    struct lerr *e)
{
	struct autoscaling_config	 cfg;
	struct ca_paths			 ca;
	char				 endpoint[256];

	if (r->as != NULL)
		return 0;
	if (own_asg(r, dl, e) == -1 ||
	    autoscaling_resolve_endpoint(r->res->region, r->env->as_endpoint,
	    r->env->any_endpoint, r->o->allow_http_endpoint, endpoint,
	    sizeof(endpoint), e) == -1 ||
	    ca_choose(endpoint, r->env->ca_file, r->env->ca_dir,
	    ca_probe_paths, &ca, e) == -1)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = endpoint;
	cfg.region = r->res->region;
	cfg.creds = &r->creds;
	cfg.ca_file = ca.file;
	cfg.ca_dir = ca.dir;
	if ((r->as = autoscaling_new(&cfg, e)) == NULL)
		return -1;
	log_msg(LOG_VERBOSE, "Auto Scaling group %s at %s", r->asg, endpoint);
	return 0;
}

int
leader_protect(struct leader_session *r, int on, struct lerr *e)
{
	struct deadline	 dl;

	if (r == NULL || !r->o->protect || (!on && !r->protected))
		return 0;
	deadline_start(&dl, PROTECT_MS);
	if (!on)
		deadline_suspend_abort(1);
	if (refresh_credentials(r, PROTECT_MS, e) == -1 ||
	    open_autoscaling(r, &dl, e) == -1 ||
	    autoscaling_set_protection(r->as, &dl, r->asg, r->res->self_id,
	    on, e) == -1) {
		deadline_suspend_abort(0);
		return -1;
	}
	deadline_suspend_abort(0);
	r->protected = on;
	log_msg(LOG_INFO, "scale-in protection of %s in Auto Scaling group %s "
	    "%s", r->res->self_id, r->asg, on ? "set" : "cleared");
	return 0;
}

/* The request counts into res, for the log and --status. */
static void
count_requests(struct leader_session *r)
{
	struct leader_result	*res = r->res;

	if (r->imds != NULL)
		imds_counts(r->imds, &res->imds_requests, &res->imds_conns);
	if (r->ec2 != NULL)
		ec2_counts(r->ec2, &res->ec2_requests, &res->ec2_conns);
	log_msg(LOG_VERBOSE, "HTTP requests: %u to IMDS over %u connection%s, "
	    "%u to EC2 over %u connection%s", res->imds_requests,
	    res->imds_conns, res->imds_conns == 1 ? "" : "s",
	    res->ec2_requests, res->ec2_conns, res->ec2_conns == 1 ? "" : "s");
}

void
leader_close(struct leader_session *r)
{
	if (r == NULL)
		return;
	if (r->ops != NULL && r->ops->close != NULL)
		r->ops->close(&r->ctx, r->state);
	if (r->state != NULL) {
		explicit_bzero(r->state, r->ops->state_size);
		free(r->state);
	}
	autoscaling_free(r->as);
	ec2_free(r->ec2);
	imds_free(r->imds);
	creds_clear(&r->creds);
	explicit_bzero(r, sizeof(*r));
	free(r);
}

int
leader_run(const struct options *o, const struct runenv *env,
    struct leader_result *res, struct leader_session **session,
    struct lerr *e)
{
	struct leader_session	*r;
	int		 rc = -1;

	memset(res, 0, sizeof(*res));
	res->verdict = VERDICT_NONE;
	res->epoch_source = "none";
	if (session != NULL)
		*session = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return -1;
	}
	r->o = o;
	r->env = env;
	r->res = res;
	deadline_start(&r->dl, o->timeout_ms);

	if (connect_services(r, e) == -1 || find_epoch(r, e) == -1 ||
	    find_scope(r, e) == -1)
		goto out;
	log_msg(LOG_VERBOSE, "group %s=%s (%s), name %s, epoch %s",
	    res->scope_key, res->scope_value, res->scope_source, o->name,
	    res->epoch[0] ? res->epoch : "none");
	if (elect(r, o->rolling > 0 ? &store_rolling :
	    o->store.kind == STORE_S3 ? &store_s3 : &store_tags, e) == -1)
		goto out;
	rc = 0;
out:
	count_requests(r);
	if (rc == 0 && session != NULL)
		*session = r;
	else
		leader_close(r);
	return rc;
}
