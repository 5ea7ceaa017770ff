/*
 * autoscaling: SetInstanceProtection through the Query layer of ec2.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscaling.h"
#include "aws.h"
#include "buf.h"
#include "ec2.h"
#include "ec2_xml.h"
#include "util.h"

#define AS_SERVICE	"autoscaling"
#define FORM_MAX	4096

struct autoscaling {
	struct ec2_endpoint	 ep;
};

static const char *const throttle_codes[] = {
	"Throttling", "ThrottlingException", "RequestLimitExceeded",
	"ServiceUnavailable", "InternalFailure", "InternalError",
	"RequestTimeout", "ResourceContention",
};

static const char *const auth_codes[] = {
	"InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature",
	"MissingAuthenticationToken", "ExpiredToken", "RequestExpired",
	"UnrecognizedClientException", "InvalidAccessKeyId", "AuthFailure",
};

static const char *const perm_codes[] = {
	"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
};

static const char *const clock_codes[] = { "RequestExpired" };

/* A group or instance unknown to Auto Scaling: the scope is wrong. */
static const char *const scope_codes[] = { "ValidationError" };

static const struct aws_service as_service = {
	"Auto Scaling", AS_SERVICE,
	throttle_codes, nitems(throttle_codes),
	auth_codes, nitems(auth_codes),
	perm_codes, nitems(perm_codes),
	clock_codes, nitems(clock_codes),
	scope_codes, nitems(scope_codes),
	EC2_MAX_ATTEMPTS, EC2_BACKOFF_BASE_MS, EC2_BACKOFF_CAP_MS,
	EC2_REQUEST_MS, EC2_CONNECT_MS
};

int
autoscaling_resolve_endpoint(const char *region, const char *override_as,
    const char *override_any, int allow_http, char *out, size_t outlen,
    struct lerr *e)
{
	return aws_resolve_endpoint(AS_SERVICE, "AWS_ENDPOINT_URL_AUTOSCALING",
	    region, override_as, override_any, allow_http, out, outlen, e);
}

struct autoscaling *
autoscaling_new(const struct autoscaling_config *cfg, struct lerr *e)
{
	struct autoscaling	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (ec2_endpoint_open(&c->ep, &as_service, "Auto Scaling", cfg->endpoint,
	    cfg->region, cfg->creds, cfg->ca_file, cfg->ca_dir, e) == -1) {
		autoscaling_free(c);
		return NULL;
	}
	return c;
}

void
autoscaling_free(struct autoscaling *c)
{
	if (c == NULL)
		return;
	ec2_endpoint_close(&c->ep);
	free(c);
}

void
autoscaling_counts(const struct autoscaling *c, unsigned *requests,
    unsigned *conns)
{
	*requests = *conns = 0;
	if (c != NULL)
		aws_counts(c->ep.aws, requests, conns);
}

int
autoscaling_set_protection(struct autoscaling *c, const struct deadline *dl,
    const char *group, const char *id, int on, struct lerr *e)
{
	struct ec2_query	 q;
	struct ec2_result	 res;
	struct buf		 p;
	int			 rc = -1;

	memset(&res, 0, sizeof(res));
	memset(&q, 0, sizeof(q));
	buf_init(&p, FORM_MAX);
	if (ec2_form_add(&p, "AutoScalingGroupName", group) == -1 ||
	    ec2_form_add(&p, "InstanceIds.member.1", id) == -1 ||
	    ec2_form_add(&p, "ProtectedFromScaleIn", on ? "true" :
	    "false") == -1) {
		lerr_set(e, LERR_INTERNAL, "SetInstanceProtection: request "
		    "too large");
		goto out;
	}
	q.dl = dl;
	q.url = c->ep.url;
	q.host = c->ep.host;
	q.version = AUTOSCALING_API_VERSION;
	q.iam_prefix = "autoscaling";
	q.action = "SetInstanceProtection";
	q.params = &p;
	q.resource = group;
	if (ec2_query(c->ep.aws, &q, &res, e) == -1)
		goto out;
	rc = 0;
out:
	ec2_result_free(&res);
	buf_free(&p);
	return rc;
}
