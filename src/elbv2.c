/*
 * elbv2: DescribeTargetHealth over aws.c (see elbv2.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "buf.h"
#include "ec2.h"
#include "ec2_xml.h"
#include "elbv2.h"
#include "util.h"

#define ELBV2_MAX_ATTEMPTS	6
#define ELBV2_BACKOFF_BASE_MS	200
#define ELBV2_BACKOFF_CAP_MS	5000
#define ELBV2_REQUEST_MS	10000
#define ELBV2_CONNECT_MS	3000
#define PARAMS_MAX		1024

struct elbv2 {
	struct ec2_endpoint	 ep;
};

static const char *const throttle_codes[] = {
	"Throttling", "ThrottlingException", "RequestLimitExceeded",
	"TooManyRequestsException", "ServiceUnavailable", "InternalFailure",
	"InternalError", "RequestTimeout",
};

static const char *const auth_codes[] = {
	"InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature",
	"MissingAuthenticationToken", "ExpiredToken", "RequestExpired",
	"UnrecognizedClientException", "AuthFailure",
};

static const char *const perm_codes[] = {
	"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
};

static const char *const clock_codes[] = { "RequestExpired" };

static const char *const scope_codes[] = {
	"TargetGroupNotFound", "ValidationError",
};

static const struct aws_service elbv2_service = {
	"ELBv2", ELBV2_SERVICE,
	throttle_codes, nitems(throttle_codes),
	auth_codes, nitems(auth_codes),
	perm_codes, nitems(perm_codes),
	clock_codes, nitems(clock_codes),
	scope_codes, nitems(scope_codes),
	ELBV2_MAX_ATTEMPTS, ELBV2_BACKOFF_BASE_MS, ELBV2_BACKOFF_CAP_MS,
	ELBV2_REQUEST_MS, ELBV2_CONNECT_MS
};

int
elbv2_resolve_endpoint(const char *region, const char *override,
    const char *override_any, int allow_http, char *out, size_t outlen,
    struct lerr *e)
{
	return aws_resolve_endpoint(ELBV2_SERVICE,
	    "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", region, override,
	    override_any, allow_http, out, outlen, e);
}

struct elbv2 *
elbv2_new(const struct elbv2_config *cfg, struct lerr *e)
{
	struct elbv2	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (ec2_endpoint_open(&c->ep, &elbv2_service, "ELBv2", cfg->endpoint,
	    cfg->region, cfg->creds, cfg->ca_file, cfg->ca_dir, e) == -1) {
		elbv2_free(c);
		return NULL;
	}
	return c;
}

void
elbv2_free(struct elbv2 *c)
{
	if (c == NULL)
		return;
	ec2_endpoint_close(&c->ep);
	free(c);
}

int
elbv2_describe_target_health(struct elbv2 *c, const struct deadline *dl,
    const char *arn, struct group *out, struct lerr *e)
{
	struct ec2_result	 res;
	struct ec2_query	 q;
	struct buf		 p;
	char			 what[300];
	int			 rc = -1;

	memset(&res, 0, sizeof(res));
	buf_init(&p, PARAMS_MAX);
	if (ec2_form_add(&p, "TargetGroupArn", arn) == -1) {
		lerr_set(e, LERR_INTERNAL, "target group ARN too long");
		goto out;
	}
	snprintf(what, sizeof(what), "target group %s", arn);
	memset(&q, 0, sizeof(q));
	q.dl = dl;
	q.url = c->ep.url;
	q.host = c->ep.host;
	q.version = ELBV2_API_VERSION;
	q.iam_prefix = ELBV2_SERVICE;
	q.action = "DescribeTargetHealth";
	q.params = &p;
	q.resource = what;
	if (ec2_query(c->ep.aws, &q, &res, e) != 0)
		goto out;
	if (group_take(out, &res.group) == -1) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	ec2_result_free(&res);
	buf_free(&p);
	return rc;
}

int
elbv2_healthy(const struct group *targets, const char *id)
{
	const struct instance	*t = group_find(targets, id);

	return t != NULL && t->state == STATE_RUNNING;
}
