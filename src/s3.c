/*
 * s3: GetObject and conditional PutObject over aws.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "ec2_xml.h"
#include "s3.h"
#include "sigv4.h"
#include "util.h"

#define S3_SERVICE	"s3"

struct s3 {
	struct aws	*aws;
	char		 endpoint[256];
};

static const char *const throttle_codes[] = {
	"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout",
	"ConditionalRequestConflict", "OperationAborted", "Throttling",
	"ThrottlingException", "RequestThrottled", "TooManyRequestsException",
};

static const char *const auth_codes[] = {
	"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
	"InvalidToken", "TokenRefreshRequired", "InvalidSecurity",
	"MissingSecurityHeader", "AuthFailure", "InvalidClientTokenId",
};

static const char *const perm_codes[] = {
	"AccessDenied", "AllAccessDisabled",
};

static const char *const clock_codes[] = { "RequestTimeTooSkewed" };

static const char *const scope_codes[] = { "NoSuchBucket" };

static const struct aws_service s3_svc = {
	"S3", S3_SERVICE,
	throttle_codes, nitems(throttle_codes),
	auth_codes, nitems(auth_codes),
	perm_codes, nitems(perm_codes),
	clock_codes, nitems(clock_codes),
	scope_codes, nitems(scope_codes),
	S3_MAX_ATTEMPTS, S3_BACKOFF_BASE_MS, S3_BACKOFF_CAP_MS,
	S3_REQUEST_MS, S3_CONNECT_MS
};

const struct aws_service *
s3_service(void)
{
	return &s3_svc;
}

int
s3_resolve_endpoint(const char *region, const char *override_s3,
    const char *override_any, int allow_http, char *out, size_t outlen,
    struct lerr *e)
{
	return aws_resolve_endpoint(S3_SERVICE, "AWS_ENDPOINT_URL_S3",
	    region, override_s3, override_any, allow_http, out, outlen, e);
}

static int
is_lower_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* 1 when s is four dot-separated runs of digits. */
static int
looks_ipv4(const char *s, size_t n)
{
	size_t	 i, dots = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return dots == 3;
}

int
s3_valid_bucket(const char *name)
{
	size_t	 n = strlen(name), i;

	if (n < 3 || n > S3_BUCKET_MAX || !is_lower_digit(name[0]) ||
	    !is_lower_digit(name[n - 1]) || strstr(name, "..") != NULL ||
	    looks_ipv4(name, n) || strncmp(name, "xn--", 4) == 0 ||
	    (n > 8 && strcmp(name + n - 8, "-s3alias") == 0))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_lower_digit(name[i]) && name[i] != '.' &&
		    name[i] != '-')
			return 0;
	return 1;
}

int
s3_valid_key(const char *key)
{
	const char	*seg, *end;
	size_t		 n = strlen(key), i, len;

	if (n == 0 || n > S3_KEY_MAX || key[0] == '/')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return 0;
	for (seg = key; ; seg = end + 1) {
		end = strchr(seg, '/');
		len = end != NULL ? (size_t)(end - seg) : strlen(seg);
		if (len == 0 || (len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
		if (end == NULL)
			return 1;
	}
}

int
s3_eb_bucket(const char *region, const char *account, char *out,
    size_t outlen, struct lerr *e)
{
	size_t	 i;
	int	 n;

	for (i = 0; account[i] >= '0' && account[i] <= '9'; i++)
		;
	if (i != 12 || account[i] != '\0') {
		lerr_set(e, LERR_SCOPE, "account id \"%.40s\" is not 12 "
		    "digits: cannot name Elastic Beanstalk's bucket", account);
		return -1;
	}
	n = snprintf(out, outlen, "elasticbeanstalk-%s-%s", region, account);
	if (n < 0 || (size_t)n >= outlen || !s3_valid_bucket(out)) {
		lerr_set(e, LERR_SCOPE, "region \"%.40s\" gives no valid "
		    "bucket name elasticbeanstalk-REGION-ACCOUNTID", region);
		return -1;
	}
	return 0;
}

/* Path style for IP and localhost endpoints and dotted bucket names. */
static int
wants_path_style(const char *host, const char *bucket)
{
	size_t	 n = strcspn(host, ":");

	return host[0] == '[' || looks_ipv4(host, n) ||
	    aws_host_is_loopback(host) || strchr(bucket, '.') != NULL;
}

int
s3_target(const char *endpoint, const char *bucket, const char *key,
    struct s3_target *t, struct lerr *e)
{
	struct buf	 path;
	char		 host[256];
	const char	*scheme_end;
	int		 n, rc = -1;

	memset(t, 0, sizeof(*t));
	buf_init(&path, sizeof(t->path) - 1);
	if (!s3_valid_bucket(bucket)) {
		lerr_set(e, LERR_USAGE, "\"%.80s\" is not a valid S3 bucket "
		    "name", bucket);
		goto out;
	}
	if (key != NULL && !s3_valid_key(key)) {
		lerr_set(e, LERR_USAGE, "\"%.80s\" is not a usable S3 key", key);
		goto out;
	}
	if (aws_endpoint_host(endpoint, host, sizeof(host)) == -1 ||
	    (scheme_end = strstr(endpoint, "://")) == NULL) {
		lerr_set(e, LERR_USAGE, "S3 endpoint %s: unusable", endpoint);
		goto out;
	}
	t->path_style = wants_path_style(host, bucket);
	if ((t->path_style && buf_printf(&path, "/%s", bucket) == -1) ||
	    buf_puts(&path, "/") == -1 || (key != NULL &&
	    sigv4_uri_encode(&path, key, strlen(key), 1) == -1))
		goto toolong;
	if (t->path_style)
		n = snprintf(t->host, sizeof(t->host), "%s", host);
	else
		n = snprintf(t->host, sizeof(t->host), "%s.%s", bucket, host);
	if (n < 0 || (size_t)n >= sizeof(t->host))
		goto toolong;
	memcpy(t->path, path.data, path.len + 1);
	n = snprintf(t->url, sizeof(t->url), "%.*s%s%s",
	    (int)(scheme_end + 3 - endpoint), endpoint, t->host, t->path);
	if (n < 0 || (size_t)n >= sizeof(t->url))
		goto toolong;
	rc = 0;
	goto out;
toolong:
	lerr_set(e, LERR_USAGE, "S3 URL for %s/%.80s too long", bucket,
	    key != NULL ? key : "");
out:
	buf_free(&path);
	return rc;
}

struct s3 *
s3_new(const struct s3_config *cfg, struct lerr *e)
{
	struct aws_config	 ac = { &s3_svc, cfg->endpoint,
				    cfg->region, cfg->creds, cfg->ca_file,
				    cfg->ca_dir };
	struct s3		*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (strlcpy(c->endpoint, cfg->endpoint, sizeof(c->endpoint)) >=
	    sizeof(c->endpoint)) {
		lerr_set(e, LERR_USAGE, "S3 endpoint %s: unusable",
		    cfg->endpoint);
		free(c);
		return NULL;
	}
	if ((c->aws = aws_new(&ac, e)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
s3_free(struct s3 *c)
{
	if (c == NULL)
		return;
	aws_free(c->aws);
	free(c);
}

void
s3_counts(const struct s3 *c, unsigned *requests, unsigned *conns)
{
	aws_counts(c->aws, requests, conns);
}

/* The body of one call, collected; error documents parsed at the end. */
struct s3_parse {
	struct buf	*body;
};

static int
s3_parse_reset(void *ctx)
{
	struct s3_parse	*p = ctx;

	buf_reset(p->body);
	return 0;
}

static int
s3_parse_feed(void *ctx, const char *data, size_t len)
{
	struct s3_parse	*p = ctx;

	return buf_append(p->body, data, len);
}

static int
s3_parse_finish(void *ctx, long status, char *code, size_t codelen,
    char *msg, size_t msglen, char *why, size_t whylen)
{
	struct s3_parse		*p = ctx;
	struct ec2_result	 r;
	int			 ok;

	if (status == -1) {
		snprintf(why, whylen, "object larger than %d bytes",
		    S3_MAX_BODY);
		return 0;
	}
	if (status >= 200 && status < 300)
		return 1;
	memset(&r, 0, sizeof(r));
	ok = p->body->len > 0 && s3_error_parse(p->body->data, p->body->len,
	    &r, why, whylen) == 0;
	if (!ok) {
		/* Some front ends (moto's auth) answer the Query API form. */
		ec2_result_free(&r);
		ok = p->body->len > 0 && ec2_xml_parse(p->body->data,
		    p->body->len, NULL, &r, NULL, 0) == 0 && r.is_error;
	}
	if (ok) {
		aws_sanitize(code, codelen, r.error_code);
		aws_sanitize(msg, msglen, r.error_message);
	} else if (status == 412) {
		/* The status alone says it. */
		snprintf(code, codelen, "PreconditionFailed");
		ok = 1;
	}
	ec2_result_free(&r);
	return ok;
}

/* One request to bucket/key with the conditions in extra. */
static int
s3_call(struct s3 *c, const struct deadline *dl, const char *method,
    const char *action, const char *bucket, const char *key,
    const struct sigv4_header *extra, size_t nextra, const char *body,
    size_t len, const char *const *expect, size_t nexpect,
    struct buf *out, char *etag, struct lerr *e)
{
	struct s3_parse		 ps = { out };
	struct aws_parser	 p = { &ps, s3_parse_reset, s3_parse_feed,
				    s3_parse_finish };
	struct aws_request	 r;
	struct aws_outcome	 o;
	struct s3_target	*t;
	char			 label[32], iam[32], resource[96];
	int			 rc = -1;

	if ((t = malloc(sizeof(*t))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return -1;
	}
	if (s3_target(c->endpoint, bucket, key, t, e) == -1)
		goto out;
	snprintf(label, sizeof(label), "S3 %s", action);
	snprintf(iam, sizeof(iam), "s3:%s", action);
	snprintf(resource, sizeof(resource), "bucket %s", bucket);
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.url = t->url;
	r.host = t->host;
	r.path = t->path;
	r.query = "";
	r.raw_path = 1;
	r.sign_payload = 1;
	r.extra = extra;
	r.nextra = nextra;
	r.body = body;
	r.body_len = len;
	r.max_body = S3_MAX_BODY;
	r.too_large_final = 1;
	r.action = label;
	r.iam_action = iam;
	r.resource = resource;
	r.expect = expect;
	r.nexpect = nexpect;
	if ((rc = aws_call(c->aws, dl, &r, &p, &o, e)) != 0)
		goto out;
	if (o.etag[0] == '\0' || strlen(o.etag) >= S3_ETAG_MAX) {
		lerr_set(e, LERR_EC2, "%s of %s/%s: the answer has no usable "
		    "ETag", label, bucket, key);
		rc = -1;
		goto out;
	}
	memcpy(etag, o.etag, strlen(o.etag) + 1);
out:
	free(t);
	return rc;
}

int
s3_get(struct s3 *c, const struct deadline *dl, const char *bucket,
    const char *key, struct buf *body, char *etag, struct lerr *e)
{
	static const char *const expect[] = { "NoSuchKey" };
	int	 rc;

	buf_free(body);
	buf_init(body, S3_MAX_BODY);
	rc = s3_call(c, dl, "GET", "GetObject", bucket, key, NULL, 0, NULL,
	    0, expect, nitems(expect), body, etag, e);
	if (rc == 1) {
		buf_reset(body);
		return S3_ABSENT;
	}
	return rc;
}

int
s3_put(struct s3 *c, const struct deadline *dl, const char *bucket,
    const char *key, const char *body, size_t len, const char *content_type,
    enum s3_cond cond, const char *if_match, char *etag, struct lerr *e)
{
	/* moto answers If-Match on a missing key with NoSuchKey. */
	static const char *const expect[] = { "PreconditionFailed",
	    "NoSuchKey" };
	struct sigv4_header	 h[2];
	struct buf		 answer;
	size_t			 nh = 0;
	int			 rc;

	h[nh++] = (struct sigv4_header){ "Content-Type",
	    content_type != NULL ? content_type : "application/octet-stream" };
	if (cond == S3_PUT_IF_NONE_MATCH)
		h[nh++] = (struct sigv4_header){ "If-None-Match", "*" };
	else if (cond == S3_PUT_IF_MATCH) {
		if (if_match == NULL || if_match[0] == '\0' ||
		    strlen(if_match) >= S3_ETAG_MAX ||
		    strpbrk(if_match, "\r\n") != NULL) {
			lerr_set(e, LERR_INTERNAL, "S3 PutObject: If-Match "
			    "without a usable ETag");
			return -1;
		}
		h[nh++] = (struct sigv4_header){ "If-Match", if_match };
	}
	buf_init(&answer, S3_MAX_BODY);
	rc = s3_call(c, dl, "PUT", "PutObject", bucket, key, h, nh, body, len,
	    expect, cond == S3_PUT_IF_MATCH ? 2 : cond ==
	    S3_PUT_IF_NONE_MATCH ? 1 : 0, &answer, etag, e);
	buf_free(&answer);
	return rc == 1 ? S3_PRECONDITION : rc;
}
