/*
 * ec2: the EC2 Query API calls leader-exec makes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "buf.h"
#include "ec2.h"
#include "ec2_xml.h"
#include "log.h"
#include "region.h"
#include "sigv4.h"
#include "util.h"

#define EC2_SERVICE	"ec2"
#define FORM_MAX	(16 * 1024)

struct ec2 {
	struct ec2_endpoint	 ep;
};

static const char *const throttle_codes[] = {
	"RequestLimitExceeded", "Throttling", "ThrottlingException",
	"RequestThrottled", "RequestThrottledException", "TooManyRequestsException",
	"SlowDown", "EC2ThrottledException", "BandwidthLimitExceeded",
	"PriorRequestNotComplete", "InternalError", "InternalFailure",
	"ServiceUnavailable", "Unavailable", "RequestTimeout",
};

static const char *const auth_codes[] = {
	"AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch",
	"IncompleteSignature", "MissingAuthenticationToken", "ExpiredToken",
	"RequestExpired", "UnrecognizedClientException",
	"InvalidAccessKeyId", "OptInRequired", "Blocked",
};

static const char *const perm_codes[] = {
	"UnauthorizedOperation", "AccessDenied", "AccessDeniedException",
};

static const char *const clock_codes[] = { "RequestExpired" };

static const struct aws_service ec2_service = {
	"EC2", EC2_SERVICE,
	throttle_codes, nitems(throttle_codes),
	auth_codes, nitems(auth_codes),
	perm_codes, nitems(perm_codes),
	clock_codes, nitems(clock_codes),
	NULL, 0,
	EC2_MAX_ATTEMPTS, EC2_BACKOFF_BASE_MS, EC2_BACKOFF_CAP_MS,
	EC2_REQUEST_MS, EC2_CONNECT_MS
};

int
ec2_endpoint_host(const char *url, char *out, size_t outlen)
{
	return aws_endpoint_host(url, out, outlen);
}

int
ec2_host_is_loopback(const char *host)
{
	return aws_host_is_loopback(host);
}

int
ec2_resolve_endpoint(const char *region, const char *override_ec2,
    const char *override_any, int allow_http, char *out, size_t outlen,
    struct lerr *e)
{
	return aws_resolve_endpoint(EC2_SERVICE, "AWS_ENDPOINT_URL_EC2",
	    region, override_ec2, override_any, allow_http, out, outlen, e);
}

int
ec2_endpoint_open(struct ec2_endpoint *ep, const struct aws_service *svc,
    const char *label, const char *endpoint, const char *region,
    const struct credentials *creds, const char *ca_file, const char *ca_dir,
    struct lerr *e)
{
	struct aws_config	 ac = { svc, endpoint, region, creds, ca_file,
				    ca_dir };

	memset(ep, 0, sizeof(*ep));
	if ((size_t)snprintf(ep->url, sizeof(ep->url), "%s/", endpoint) >=
	    sizeof(ep->url) ||
	    aws_endpoint_host(endpoint, ep->host, sizeof(ep->host)) == -1) {
		lerr_set(e, LERR_USAGE, "%s endpoint %s: unusable", label,
		    endpoint);
		return -1;
	}
	return (ep->aws = aws_new(&ac, e)) == NULL ? -1 : 0;
}

void
ec2_endpoint_close(struct ec2_endpoint *ep)
{
	aws_free(ep->aws);
	ep->aws = NULL;
}

struct ec2 *
ec2_new(const struct ec2_config *cfg, struct lerr *e)
{
	struct ec2	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (ec2_endpoint_open(&c->ep, &ec2_service, "EC2", cfg->endpoint,
	    cfg->region, cfg->creds, cfg->ca_file, cfg->ca_dir, e) == -1) {
		ec2_free(c);
		return NULL;
	}
	return c;
}

void
ec2_free(struct ec2 *c)
{
	if (c == NULL)
		return;
	ec2_endpoint_close(&c->ep);
	free(c);
}

void
ec2_counts(const struct ec2 *c, unsigned *requests, unsigned *conns)
{
	aws_counts(c->ep.aws, requests, conns);
}

int
ec2_form_add(struct buf *f, const char *name, const char *value)
{
	if (buf_puts(f, "&") == -1 ||
	    sigv4_uri_encode(f, name, strlen(name), 0) == -1 ||
	    buf_puts(f, "=") == -1 ||
	    sigv4_uri_encode(f, value, strlen(value), 0) == -1)
		return -1;
	return 0;
}

/* The streaming parser of one call, reset for each attempt. */
struct ec2_parse {
	struct ec2_xml		*x;
	struct ec2_result	*res;
	const char *const	*keep;		/* tags kept per instance */
};

/*
 * Append "&name=value" with value as a literal EC2 filter value: '*' and
 * '?' are wildcards there, so they and '\\' are escaped with '\\'.
 */
static int
form_add_literal(struct buf *f, const char *name, const char *value)
{
	struct buf	 lit;
	int		 rc = -1;

	buf_init(&lit, 2 * strlen(value) + 1);
	for (; *value != '\0'; value++)
		if ((strchr("*?\\", *value) != NULL &&
		    buf_append(&lit, "\\", 1) == -1) ||
		    buf_append(&lit, value, 1) == -1)
			goto out;
	if (buf_append(&lit, "", 1) == -1)
		goto out;
	rc = ec2_form_add(f, name, lit.data);
out:
	buf_free(&lit);
	return rc;
}

/*
 * Drop from g[from..] every instance whose tag key is not exactly value:
 * whatever the endpoint made of the filter, only the group counts.
 */
static void
keep_exact(struct group *g, size_t from, const char *key, const char *value)
{
	size_t	 i, n = from;

	for (i = from; i < g->ninst; i++) {
		const char	*v = instance_tag(&g->inst[i], key);

		if (v != NULL && strcmp(v, value) == 0) {
			if (n != i) {
				g->inst[n] = g->inst[i];
				memset(&g->inst[i], 0, sizeof(g->inst[i]));
			}
			n++;
		} else {
			log_msg(LOG_VERBOSE, "DescribeInstances: %s is not "
			    "tagged exactly %s; ignored", g->inst[i].id, key);
			instance_free(&g->inst[i]);
		}
	}
	g->ninst = n;
}


static int
ec2_parse_reset(void *ctx)
{
	struct ec2_parse	*p = ctx;

	ec2_xml_free(p->x);
	ec2_result_free(p->res);
	memset(p->res, 0, sizeof(*p->res));
	return (p->x = ec2_xml_new_keep(p->res, p->keep)) == NULL ? -1 : 0;
}

static int
ec2_parse_feed(void *ctx, const char *data, size_t len)
{
	struct ec2_parse	*p = ctx;

	return ec2_xml_feed(p->x, data, len, 0);
}

static int
ec2_parse_finish(void *ctx, long status, char *code, size_t codelen,
    char *msg, size_t msglen, char *why, size_t whylen)
{
	struct ec2_parse	*p = ctx;

	if (status == -1 || ec2_xml_feed(p->x, NULL, 0, 1) == -1) {
		snprintf(why, whylen, "%s", ec2_xml_error(p->x));
		return 0;
	}
	if (p->res->is_error) {
		aws_sanitize(code, codelen, p->res->error_code);
		aws_sanitize(msg, msglen, p->res->error_message);
	}
	return 1;
}

int
ec2_query(struct aws *aws, const struct ec2_query *q, struct ec2_result *res,
    struct lerr *e)
{
	struct ec2_parse	 ps = { NULL, res, q->keep };
	struct aws_parser	 p = { &ps, ec2_parse_reset, ec2_parse_feed,
				    ec2_parse_finish };
	struct sigv4_header	 ctype = { "Content-Type",
				    "application/x-www-form-urlencoded; "
				    "charset=utf-8" };
	struct aws_request	 r;
	struct aws_outcome	 o;
	struct buf		 form;
	char			 iam[80];
	int			 rc = -1;

	buf_init(&form, FORM_MAX);
	if (buf_printf(&form, "Action=%s&Version=%s", q->action,
	    q->version) == -1 ||
	    buf_append(&form, q->params->data, q->params->len) == -1) {
		lerr_set(e, LERR_INTERNAL, "%s: request too large", q->action);
		goto out;
	}
	snprintf(iam, sizeof(iam), "%s:%s", q->iam_prefix, q->action);
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.url = q->url;
	r.host = q->host;
	r.path = "/";
	r.query = "";
	r.extra = &ctype;
	r.nextra = 1;
	r.body = form.data;
	r.body_len = form.len;
	r.max_body = EC2_MAX_BODY;
	r.action = q->action;
	r.iam_action = iam;
	r.resource = q->resource;
	r.expect = &q->expect;
	r.nexpect = q->expect != NULL;
	rc = aws_call(aws, q->dl, &r, &p, &o, e);
out:
	ec2_xml_free(ps.x);
	buf_free(&form);
	return rc;
}

/*
 * One EC2 call with retries: Action, Version and the encoded parameters
 * in params.  On success res holds the parsed answer.  0, 1 when the
 * answer was the error code expect (NULL: none), or -1.
 */
static int
ec2_call(struct ec2 *c, const struct deadline *dl, const char *action,
    const struct buf *params, const char *const *keep, const char *expect,
    struct ec2_result *res, struct lerr *e)
{
	struct ec2_query	 q;

	memset(&q, 0, sizeof(q));
	q.dl = dl;
	q.url = c->ep.url;
	q.host = c->ep.host;
	q.version = EC2_API_VERSION;
	q.iam_prefix = "ec2";
	q.action = action;
	q.params = params;
	q.keep = keep;
	q.expect = expect;
	return ec2_query(c->ep.aws, &q, res, e);
}

int
ec2_describe_instance(struct ec2 *c, const struct deadline *dl,
    const char *id, struct group *out, struct lerr *e)
{
	struct ec2_result	 res;
	struct buf		 p;
	int			 rc = -1;

	memset(&res, 0, sizeof(res));
	buf_init(&p, FORM_MAX);
	if (ec2_form_add(&p, "InstanceId.1", id) == -1) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		goto out;
	}
	/* Just launched and not yet known to the API: not an error. */
	switch (ec2_call(c, dl, "DescribeInstances", &p, NULL,
	    "InvalidInstanceID.NotFound", &res, e)) {
	case -1:
		goto out;
	case 1:
		rc = 0;
		goto out;
	}
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
ec2_describe_group(struct ec2 *c, const struct deadline *dl, const char *key,
    const char *value, const char *keep_tag, int holders_only,
    struct group *out, struct lerr *e)
{
	struct ec2_result	 res;
	struct buf		 p, filter;
	const char		*keep[3] = { keep_tag, key, NULL };
	char			*token = NULL;
	size_t			 from;
	int			 page, rc = -1;

	memset(&res, 0, sizeof(res));
	buf_init(&p, FORM_MAX);
	buf_init(&filter, FORM_MAX);
	if (buf_printf(&filter, "tag:%s", key) == -1) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		goto out;
	}
	for (page = 1; page <= EC2_MAX_PAGES; page++) {
		char	 max[16];

		buf_reset(&p);
		snprintf(max, sizeof(max), "%d", EC2_PAGE_SIZE);
		if (ec2_form_add(&p, "Filter.1.Name", filter.data) == -1 ||
		    form_add_literal(&p, "Filter.1.Value.1", value) == -1 ||
		    (holders_only &&
		    (ec2_form_add(&p, "Filter.2.Name", "tag-key") == -1 ||
		    form_add_literal(&p, "Filter.2.Value.1", keep_tag) == -1 ||
		    ec2_form_add(&p, "Filter.3.Name", "instance-state-name") == -1 ||
		    ec2_form_add(&p, "Filter.3.Value.1", "running") == -1)) ||
		    ec2_form_add(&p, "MaxResults", max) == -1 ||
		    (token != NULL && ec2_form_add(&p, "NextToken", token) == -1)) {
			lerr_set(e, LERR_INTERNAL, "request too large");
			goto out;
		}
		if (ec2_call(c, dl, "DescribeInstances", &p, keep, NULL,
		    &res, e) == -1)
			goto out;
		from = out->ninst;
		if (group_take(out, &res.group) == -1) {
			lerr_set(e, LERR_INTERNAL, "out of memory");
			goto out;
		}
		keep_exact(out, from, key, value);
		if (res.group.next_token == NULL ||
		    res.group.next_token[0] == '\0') {
			rc = 0;
			goto out;
		}
		if (token != NULL && strcmp(token, res.group.next_token) == 0) {
			lerr_set(e, LERR_EC2, "DescribeInstances: the same "
			    "NextToken twice; the endpoint is misbehaving");
			goto out;
		}
		free(token);
		token = res.group.next_token;
		res.group.next_token = NULL;
		ec2_result_free(&res);
		memset(&res, 0, sizeof(res));
		log_msg(LOG_VERBOSE, "DescribeInstances: page %d read, %zu "
		    "instances so far", page, out->ninst);
	}
	lerr_set(e, LERR_EC2, "DescribeInstances: more than %d pages; the "
	    "group is too large", EC2_MAX_PAGES);
out:
	free(token);
	ec2_result_free(&res);
	buf_free(&p);
	buf_free(&filter);
	return rc;
}

/* CreateTags or DeleteTags of one tag on one instance. */
static int
ec2_tag_call(struct ec2 *c, const struct deadline *dl, const char *action,
    const char *id, const char *key, const char *value, struct lerr *e)
{
	struct ec2_result	 res;
	struct buf		 p;
	int			 rc = -1;

	memset(&res, 0, sizeof(res));
	buf_init(&p, FORM_MAX);
	if (ec2_form_add(&p, "ResourceId.1", id) == -1 ||
	    ec2_form_add(&p, "Tag.1.Key", key) == -1 ||
	    ec2_form_add(&p, "Tag.1.Value", value) == -1) {
		lerr_set(e, LERR_INTERNAL, "request too large");
		goto out;
	}
	if (ec2_call(c, dl, action, &p, NULL, NULL, &res, e) == -1)
		goto out;
	if (res.ret == 0) {
		lerr_set(e, LERR_EC2, "%s: the endpoint answered false", action);
		goto out;
	}
	rc = 0;
out:
	ec2_result_free(&res);
	buf_free(&p);
	return rc;
}

int
ec2_create_tag(struct ec2 *c, const struct deadline *dl, const char *id,
    const char *key, const char *value, struct lerr *e)
{
	return ec2_tag_call(c, dl, "CreateTags", id, key, value, e);
}

int
ec2_delete_tag(struct ec2 *c, const struct deadline *dl, const char *id,
    const char *key, const char *value, struct lerr *e)
{
	return ec2_tag_call(c, dl, "DeleteTags", id, key, value, e);
}
