/*
 * ec2: the EC2 Query API calls leader-exec makes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "ec2.h"
#include "ec2_xml.h"
#include "http.h"
#include "log.h"
#include "region.h"
#include "sigv4.h"
#include "util.h"

#define EC2_SERVICE	"ec2"
#define FORM_MAX	(16 * 1024)

struct ec2 {
	struct http			*http;
	char				 url[256];	/* endpoint + "/" */
	char				 host[256];
	char				 region[32];
	const struct credentials	*creds;
};

/* How a failed attempt is treated. */
enum verdict {
	V_DONE,		/* success */
	V_RETRY,	/* transient: try again after a backoff */
	V_FAIL		/* final: e is set */
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

static int
in_list(const char *code, const char *const *list, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return 1;
	return 0;
}

int
ec2_endpoint_host(const char *url, char *out, size_t outlen)
{
	const char	*p, *end;

	if ((p = strstr(url, "://")) == NULL)
		return -1;
	p += 3;
	end = p + strcspn(p, "/?#");
	if (end == p || (size_t)(end - p) >= outlen || strchr(p, '@') != NULL)
		return -1;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return 0;
}

int
ec2_host_is_loopback(const char *host)
{
	size_t	 n;
	int	 dots = 0;
	const char *p;

	if (strncmp(host, "[::1]", 5) == 0)
		return host[5] == '\0' || host[5] == ':';
	n = strcspn(host, ":");
	if (n == 9 && strncmp(host, "localhost", 9) == 0)
		return 1;
	if (strncmp(host, "127.", 4) != 0)
		return 0;
	/* 127.a.b.c with digits only. */
	for (p = host + 4; p < host + n; p++) {
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			return 0;
	}
	return dots == 2;
}

int
ec2_resolve_endpoint(const char *region, const char *override_ec2,
    const char *override_any, int allow_http, char *out, size_t outlen,
    struct lerr *e)
{
	const char	*o = NULL, *var = NULL, *p;
	char		 host[256];
	int		 n;

	if (override_ec2 != NULL && override_ec2[0] != '\0') {
		o = override_ec2;
		var = "AWS_ENDPOINT_URL_EC2";
	} else if (override_any != NULL && override_any[0] != '\0') {
		o = override_any;
		var = "AWS_ENDPOINT_URL";
	}
	if (o == NULL) {
		/* The region becomes the host name: never anything else. */
		if (!region_valid(region)) {
			lerr_set(e, LERR_USAGE, "region \"%.40s\": not a region "
			    "name (like eu-west-1)", region);
			return -1;
		}
		n = snprintf(out, outlen, "https://ec2.%s.amazonaws.com%s",
		    region, strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
		if (n < 0 || (size_t)n >= outlen) {
			lerr_set(e, LERR_USAGE, "region %s is too long", region);
			return -1;
		}
		return 0;
	}
	if ((strncmp(o, "http://", 7) != 0 && strncmp(o, "https://", 8) != 0) ||
	    ec2_endpoint_host(o, host, sizeof(host)) == -1) {
		lerr_set(e, LERR_USAGE, "%s=%s: expected http(s)://host[:port]",
		    var, o);
		return -1;
	}
	if (strncmp(o, "http://", 7) == 0 && !allow_http &&
	    !ec2_host_is_loopback(host)) {
		lerr_set(e, LERR_USAGE, "%s=%s: plain http to a host other than "
		    "loopback would send signed requests unencrypted; use "
		    "https, or pass --allow-http-endpoint", var, o);
		return -1;
	}
	p = strstr(o, "://") + 3 + strlen(host);
	if (*p != '\0' && strcmp(p, "/") != 0) {
		lerr_set(e, LERR_USAGE, "%s=%s: a path is not supported, use "
		    "http(s)://host[:port]", var, o);
		return -1;
	}
	n = snprintf(out, outlen, "%.*s", (int)(p - o), o);
	if (n < 0 || (size_t)n >= outlen) {
		lerr_set(e, LERR_USAGE, "%s is too long", var);
		return -1;
	}
	return 0;
}

struct ec2 *
ec2_new(const struct ec2_config *cfg, struct lerr *e)
{
	struct http_opts	 ho = { "EC2", 0, cfg->ca_file, cfg->ca_dir };
	struct ec2		*c;
	char			 err[256];

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return NULL;
	}
	if ((size_t)snprintf(c->url, sizeof(c->url), "%s/", cfg->endpoint) >=
	    sizeof(c->url) ||
	    ec2_endpoint_host(cfg->endpoint, c->host, sizeof(c->host)) == -1 ||
	    strlcpy(c->region, cfg->region, sizeof(c->region)) >=
	    sizeof(c->region)) {
		lerr_set(e, LERR_USAGE, "EC2 endpoint %s: unusable",
		    cfg->endpoint);
		free(c);
		return NULL;
	}
	c->creds = cfg->creds;
	if ((c->http = http_new(&ho, err, sizeof(err))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "%s", err);
		free(c);
		return NULL;
	}
	return c;
}

void
ec2_free(struct ec2 *c)
{
	if (c == NULL)
		return;
	http_free(c->http);
	free(c);
}

void
ec2_counts(const struct ec2 *c, unsigned *requests, unsigned *conns)
{
	http_counts(c->http, requests, conns);
}

/* Append "&name=value" to a form, both encoded. */
static int
form_add(struct buf *f, const char *name, const char *value)
{
	if (buf_puts(f, "&") == -1 ||
	    sigv4_uri_encode(f, name, strlen(name), 0) == -1 ||
	    buf_puts(f, "=") == -1 ||
	    sigv4_uri_encode(f, value, strlen(value), 0) == -1)
		return -1;
	return 0;
}

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
	rc = form_add(f, name, lit.data);
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

/* Printable ASCII only, at most n bytes: safe to show to the user. */
static void
sanitize(char *dst, size_t size, const char *src)
{
	size_t	 i = 0;

	for (; src != NULL && *src != '\0' && i + 1 < size; src++)
		dst[i++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	if (size > 0)
		dst[i] = '\0';
}

static int
xml_sink(void *ctx, const char *data, size_t len)
{
	return ec2_xml_feed(ctx, data, len, 0);
}

/*
 * Sign and send one attempt; the parsed answer goes to res.  Returns
 * -1 when the request could not even be built (e set).
 */
static int
ec2_attempt(struct ec2 *c, const struct deadline *dl, const struct buf *form,
    struct ec2_result *res, const char *const *keep, struct http_response *resp,
    int *parsed, char *parse_err, size_t parse_errlen, struct lerr *e)
{
	const struct credentials *cr = c->creds;
	struct sigv4_header	 sh[4];
	struct sigv4_credentials sc;
	struct sigv4_request	 sr;
	struct http_request	 req;
	struct ec2_xml		*x = NULL;
	struct buf		 auth, hauth, htok;
	const char		*hdrs[6];
	char			 amz_date[17], hdate[40], hhost[300];
	size_t			 nh = 0, nsh = 0;
	int			 rc = -1;

	buf_init(&auth, 8192);
	buf_init(&hauth, 8192);
	buf_init(&htok, 8192);
	sigv4_amz_date(time(NULL), amz_date);
	sh[nsh++] = (struct sigv4_header){ "Content-Type",
	    "application/x-www-form-urlencoded; charset=utf-8" };
	sh[nsh++] = (struct sigv4_header){ "Host", c->host };
	sh[nsh++] = (struct sigv4_header){ "X-Amz-Date", amz_date };
	if (cr->session_token[0] != '\0')
		sh[nsh++] = (struct sigv4_header){ "X-Amz-Security-Token",
		    cr->session_token };
	sr = (struct sigv4_request){ "POST", "/", "", sh, nsh, form->data,
	    form->len };
	sc = (struct sigv4_credentials){ cr->access_key_id,
	    cr->secret_access_key, cr->session_token };
	if (sigv4_authorization(&sr, &sc, amz_date, c->region, EC2_SERVICE,
	    &auth) == -1 ||
	    buf_printf(&hauth, "Authorization: %s", auth.data) == -1 ||
	    (nsh == 4 && buf_printf(&htok, "X-Amz-Security-Token: %s",
	    cr->session_token) == -1)) {
		lerr_set(e, LERR_INTERNAL, "cannot sign the EC2 request");
		goto out;
	}
	snprintf(hdate, sizeof(hdate), "X-Amz-Date: %s", amz_date);
	snprintf(hhost, sizeof(hhost), "Host: %s", c->host);
	hdrs[nh++] = "Content-Type: application/x-www-form-urlencoded; "
	    "charset=utf-8";
	hdrs[nh++] = hhost;
	hdrs[nh++] = hdate;
	hdrs[nh++] = hauth.data;
	if (nsh == 4)
		hdrs[nh++] = htok.data;
	hdrs[nh] = NULL;

	if ((x = ec2_xml_new_keep(res, keep)) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = c->url;
	req.headers = hdrs;
	req.body = form->data;
	req.body_len = form->len;
	req.max_body = EC2_MAX_BODY;
	req.sink = xml_sink;
	req.sink_ctx = x;
	/* No single request may outlive the overall deadline. */
	req.connect_timeout_ms = deadline_cap_ms(dl, EC2_CONNECT_MS);
	req.timeout_ms = deadline_cap_ms(dl, EC2_REQUEST_MS);
	if (req.timeout_ms <= 0)
		req.connect_timeout_ms = req.timeout_ms = 1;
	*parsed = 0;
	parse_err[0] = '\0';
	if (http_do(c->http, &req, resp) == 0) {
		if (ec2_xml_feed(x, NULL, 0, 1) == 0)
			*parsed = 1;
		else
			snprintf(parse_err, parse_errlen, "%s",
			    ec2_xml_error(x));
	} else if (resp->sink_failed)
		snprintf(parse_err, parse_errlen, "%s", ec2_xml_error(x));
	rc = 0;
out:
	ec2_xml_free(x);
	buf_free(&auth);
	buf_free(&hauth);
	buf_free(&htok);
	return rc;
}

/* Decide what an attempt's outcome means. */
static enum verdict
ec2_judge(const char *action, const struct http_response *resp, int parsed,
    const char *parse_err, const struct ec2_result *res, char *why,
    size_t whylen, struct lerr *e)
{
	char	 code[128], msg[200];

	if (resp->aborted) {
		lerr_set(e, LERR_SIGNAL, "interrupted");
		return V_FAIL;
	}
	if (resp->tls_failed) {
		/* Another try meets the same certificate. */
		lerr_set(e, LERR_EC2, "%s: %s", action, resp->error);
		return V_FAIL;
	}
	if (resp->status == 0 || (resp->status < 300 && !parsed)) {
		/* No answer, or a good status with a cut or garbled body. */
		snprintf(why, whylen, "%s", parsed ? resp->error :
		    parse_err[0] ? parse_err : resp->error);
		return V_RETRY;
	}
	if (parsed && res->is_error) {
		sanitize(code, sizeof(code), res->error_code);
		sanitize(msg, sizeof(msg), res->error_message);
		snprintf(why, whylen, "%s (HTTP %ld)", code, resp->status);
		if (in_list(code, throttle_codes, nitems(throttle_codes)) ||
		    resp->status >= 500)
			return V_RETRY;
		if (in_list(code, perm_codes, nitems(perm_codes))) {
			lerr_set(e, LERR_PERM, "%s: %s: add ec2:%s to the "
			    "IAM policy of the instance profile (see the "
			    "README's IAM policy)", action, code, action);
			return V_FAIL;
		}
		if (strcmp(code, "RequestExpired") == 0) {
			lerr_set(e, LERR_CREDS, "%s: RequestExpired: the "
			    "system clock is off by more than 15 minutes; fix "
			    "time synchronisation (chronyd)", action);
			return V_FAIL;
		}
		if (in_list(code, auth_codes, nitems(auth_codes)) ||
		    resp->status == 401 || resp->status == 403) {
			lerr_set(e, LERR_CREDS, "%s: %s: the credentials were "
			    "rejected (%s)", action, code, msg);
			return V_FAIL;
		}
		lerr_set(e, LERR_EC2, "%s: %s: %s", action, code, msg);
		return V_FAIL;
	}
	if (resp->status >= 500) {
		snprintf(why, whylen, "HTTP %ld", resp->status);
		return V_RETRY;
	}
	if (resp->status == 401 || resp->status == 403) {
		lerr_set(e, LERR_CREDS, "%s: HTTP %ld without an error code: "
		    "the credentials were rejected", action, resp->status);
		return V_FAIL;
	}
	if (resp->status >= 300) {
		lerr_set(e, LERR_EC2, "%s: unexpected HTTP %ld from the EC2 "
		    "endpoint", action, resp->status);
		return V_FAIL;
	}
	return V_DONE;
}

/*
 * One Query API call with retries: Action, Version and the encoded
 * parameters in params.  On success res holds the parsed answer.
 */
static int
ec2_call(struct ec2 *c, const struct deadline *dl, const char *action,
    const struct buf *params, const char *const *keep, struct ec2_result *res,
    struct lerr *e)
{
	struct http_response	 resp;
	struct buf		 form;
	char			 why[256], parse_err[256];
	int			 attempt, parsed = 0;
	enum verdict		 v = V_FAIL;

	buf_init(&form, FORM_MAX);
	if (buf_printf(&form, "Action=%s&Version=%s", action,
	    EC2_API_VERSION) == -1 ||
	    buf_append(&form, params->data, params->len) == -1) {
		lerr_set(e, LERR_INTERNAL, "%s: request too large", action);
		goto out;
	}
	for (attempt = 1; attempt <= EC2_MAX_ATTEMPTS; attempt++) {
		long	 backoff, cap;

		if (deadline_left_ms(dl) == 0) {
			lerr_set(e, LERR_DEADLINE, "%s: no answer before the "
			    "deadline (--timeout)", action);
			goto out;
		}
		ec2_result_free(res);
		memset(res, 0, sizeof(*res));
		if (ec2_attempt(c, dl, &form, res, keep, &resp, &parsed,
		    parse_err, sizeof(parse_err), e) == -1)
			goto out;
		why[0] = '\0';
		v = ec2_judge(action, &resp, parsed, parse_err, res, why,
		    sizeof(why), e);
		buf_free(&resp.body);
		if (v != V_RETRY)
			goto out;
		cap = EC2_BACKOFF_BASE_MS << (attempt - 1);
		if (cap > EC2_BACKOFF_CAP_MS)
			cap = EC2_BACKOFF_CAP_MS;
		backoff = random() % (cap + 1);
		if (attempt == EC2_MAX_ATTEMPTS ||
		    backoff >= deadline_left_ms(dl))
			break;
		log_msg(LOG_INFO, "%s: %s; retrying in %ld ms (attempt %d of "
		    "%d)", action, why, backoff, attempt + 1, EC2_MAX_ATTEMPTS);
		if (deadline_sleep_ms(dl, backoff) == -1) {
			lerr_set(e, LERR_SIGNAL, "interrupted");
			goto out;
		}
	}
	if (deadline_left_ms(dl) == 0)
		lerr_set(e, LERR_DEADLINE, "%s at %s: no answer before the "
		    "deadline (--timeout) after %d attempt%s: %s", action, c->url,
		    attempt, attempt == 1 ? "" : "s", why);
	else
		lerr_set(e, LERR_EC2, "%s at %s failed after %d attempt%s: %s",
		    action, c->url, attempt, attempt == 1 ? "" : "s", why);
	v = V_FAIL;
out:
	buf_free(&form);
	return v == V_DONE ? 0 : -1;
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
	if (form_add(&p, "InstanceId.1", id) == -1) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		goto out;
	}
	if (ec2_call(c, dl, "DescribeInstances", &p, NULL, &res, e) == -1) {
		/* Just launched and not yet known to the API: not an error. */
		if (res.error_code != NULL &&
		    strcmp(res.error_code, "InvalidInstanceID.NotFound") == 0) {
			lerr_clear(e);
			rc = 0;
		}
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
		if (form_add(&p, "Filter.1.Name", filter.data) == -1 ||
		    form_add_literal(&p, "Filter.1.Value.1", value) == -1 ||
		    (holders_only &&
		    (form_add(&p, "Filter.2.Name", "tag-key") == -1 ||
		    form_add_literal(&p, "Filter.2.Value.1", keep_tag) == -1 ||
		    form_add(&p, "Filter.3.Name", "instance-state-name") == -1 ||
		    form_add(&p, "Filter.3.Value.1", "running") == -1)) ||
		    form_add(&p, "MaxResults", max) == -1 ||
		    (token != NULL && form_add(&p, "NextToken", token) == -1)) {
			lerr_set(e, LERR_INTERNAL, "request too large");
			goto out;
		}
		if (ec2_call(c, dl, "DescribeInstances", &p, keep, &res,
		    e) == -1)
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
	if (form_add(&p, "ResourceId.1", id) == -1 ||
	    form_add(&p, "Tag.1.Key", key) == -1 ||
	    form_add(&p, "Tag.1.Value", value) == -1) {
		lerr_set(e, LERR_INTERNAL, "request too large");
		goto out;
	}
	if (ec2_call(c, dl, action, &p, NULL, &res, e) == -1)
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
