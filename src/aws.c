/*
 * aws: sign, send, retry and classify requests for the service clients.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws.h"
#include "region.h"
#include "http.h"
#include "log.h"
#include "util.h"

#define AWS_LINES_MAX	(16 * 1024)

struct aws {
	struct http			*http;
	const struct aws_service	*svc;
	char				 endpoint[256];
	char				 region[32];
	const struct credentials	*creds;
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
aws_endpoint_host(const char *url, char *out, size_t outlen)
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
aws_host_is_loopback(const char *host)
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

/* The checks of an override URL; 0, or -1 with e set. */
static int
check_override(const char *var, const char *o, int allow_http, char *out,
    size_t outlen, struct lerr *e)
{
	const char	*p;
	char		 host[256];
	int		 n;

	if ((strncmp(o, "http://", 7) != 0 && strncmp(o, "https://", 8) != 0) ||
	    aws_endpoint_host(o, host, sizeof(host)) == -1) {
		lerr_set(e, LERR_USAGE, "%s=%s: expected http(s)://host[:port]",
		    var, o);
		return -1;
	}
	if (strncmp(o, "http://", 7) == 0 && !allow_http &&
	    !aws_host_is_loopback(host)) {
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

int
aws_resolve_endpoint(const char *svc, const char *var_svc, const char *region,
    const char *override_svc, const char *override_any, int allow_http,
    char *out, size_t outlen, struct lerr *e)
{
	int	 n;

	if (override_svc != NULL && override_svc[0] != '\0')
		return check_override(var_svc, override_svc, allow_http, out,
		    outlen, e);
	if (override_any != NULL && override_any[0] != '\0')
		return check_override("AWS_ENDPOINT_URL", override_any,
		    allow_http, out, outlen, e);
	/* The region becomes the host name: never anything else. */
	if (!region_valid(region)) {
		lerr_set(e, LERR_USAGE, "region \"%.40s\": not a region name "
		    "(like eu-west-1)", region);
		return -1;
	}
	n = snprintf(out, outlen, "https://%s.%s.amazonaws.com%s", svc,
	    region, strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
	if (n < 0 || (size_t)n >= outlen) {
		lerr_set(e, LERR_USAGE, "region %s is too long", region);
		return -1;
	}
	return 0;
}

void
aws_sanitize(char *dst, size_t size, const char *src)
{
	size_t	 i = 0;

	for (; src != NULL && *src != '\0' && i + 1 < size; src++)
		dst[i++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	if (size > 0)
		dst[i] = '\0';
}

/* Append "Name: value" and its NUL to lines; its offset into off. */
static int
add_line(struct buf *lines, size_t *off, const char *name, const char *value)
{
	*off = lines->len;
	if (buf_printf(lines, "%s: %s", name, value) == -1 ||
	    buf_append(lines, "", 1) == -1)
		return -1;
	return 0;
}

/* The headers to sign: extras, Host, X-Amz-Date, hash, token. */
static size_t
sign_headers(const struct aws_request *req, const struct credentials *cr,
    const struct aws_signed *out, struct sigv4_header *sh)
{
	size_t	 i, n = 0;

	for (i = 0; i < req->nextra; i++)
		sh[n++] = req->extra[i];
	sh[n++] = (struct sigv4_header){ "Host", req->host };
	sh[n++] = (struct sigv4_header){ "X-Amz-Date", out->amz_date };
	if (req->sign_payload)
		sh[n++] = (struct sigv4_header){ "x-amz-content-sha256",
		    out->payload_hash };
	if (cr->session_token[0] != '\0')
		sh[n++] = (struct sigv4_header){ "X-Amz-Security-Token",
		    cr->session_token };
	return n;
}

int
aws_sign(const struct aws_service *svc, const struct aws_request *req,
    const struct credentials *cr, const char *region, time_t now,
    struct aws_signed *out)
{
	struct sigv4_header	 sh[AWS_MAX_EXTRA_HEADERS + 4];
	struct sigv4_credentials sc;
	struct sigv4_request	 sr;
	struct buf		 auth;
	size_t			 off[AWS_MAX_EXTRA_HEADERS + 6], i, nsh;
	int			 rc = -1;

	memset(out, 0, sizeof(*out));
	buf_init(&out->lines, AWS_LINES_MAX);
	buf_init(&auth, 8192);
	if (req->nextra > AWS_MAX_EXTRA_HEADERS)
		goto out;
	sigv4_amz_date(now, out->amz_date);
	sigv4_sha256_hex(req->body, req->body_len, out->payload_hash);
	nsh = sign_headers(req, cr, out, sh);
	sr = (struct sigv4_request){ req->method, req->path, req->query, sh,
	    nsh, req->body, req->body_len, req->raw_path };
	sc = (struct sigv4_credentials){ cr->access_key_id,
	    cr->secret_access_key, cr->session_token };
	if (sigv4_authorization(&sr, &sc, out->amz_date, region,
	    svc->signing_name, &auth) == -1)
		goto out;
	for (i = 0; i < nsh; i++)
		if (add_line(&out->lines, &off[i], sh[i].name,
		    sh[i].value) == -1)
			goto out;
	if (add_line(&out->lines, &off[nsh], "Authorization", auth.data) == -1)
		goto out;
	/* The buffer no longer moves: point into it. */
	for (i = 0; i <= nsh; i++)
		out->headers[i] = out->lines.data + off[i];
	out->headers[nsh + 1] = NULL;
	rc = 0;
out:
	buf_free(&auth);		/* zeroes the signature first */
	if (rc == -1)
		aws_signed_free(out);
	return rc;
}

void
aws_signed_free(struct aws_signed *s)
{
	if (s->lines.data != NULL)
		explicit_bzero(s->lines.data, s->lines.cap);
	buf_free(&s->lines);
	memset(s->headers, 0, sizeof(s->headers));
}

long
aws_backoff_cap(const struct aws_service *svc, int attempt)
{
	long	 cap = svc->backoff_base_ms;
	int	 i;

	for (i = 1; i < attempt && cap < svc->backoff_cap_ms; i++)
		cap <<= 1;
	return cap > svc->backoff_cap_ms ? svc->backoff_cap_ms : cap;
}

/* The verdict on an answer that carried an error code. */
static enum aws_verdict
judge_code(const struct aws_service *svc, const struct aws_request *req,
    const struct aws_outcome *o, struct lerr *e)
{
	const char	*code = o->code;

	if (in_list(code, svc->throttle, svc->nthrottle) || o->status >= 500)
		return AWS_RETRY;
	if (in_list(code, req->expect, req->nexpect))
		return AWS_EXPECTED;
	if (in_list(code, svc->perm, svc->nperm)) {
		lerr_set(e, LERR_PERM, "%s: %s: add %s%s%s to the IAM policy "
		    "of the instance profile (see the README's IAM policy)",
		    req->action, code, req->iam_action,
		    req->resource != NULL ? " on " : "",
		    req->resource != NULL ? req->resource : "");
		return AWS_FAIL;
	}
	if (in_list(code, svc->clock, svc->nclock)) {
		lerr_set(e, LERR_CREDS, "%s: %s: the system clock is off by "
		    "more than 15 minutes; fix time synchronisation (chronyd)",
		    req->action, code);
		return AWS_FAIL;
	}
	if (in_list(code, svc->auth, svc->nauth) || o->status == 401 ||
	    o->status == 403) {
		lerr_set(e, LERR_CREDS, "%s: %s: the credentials were "
		    "rejected (%s)", req->action, code, o->msg);
		return AWS_FAIL;
	}
	if (in_list(code, svc->scope, svc->nscope)) {
		lerr_set(e, LERR_SCOPE, "%s: %s: %s does not exist (%s)",
		    req->action, code, req->resource != NULL ? req->resource :
		    "the resource", o->msg);
		return AWS_FAIL;
	}
	lerr_set(e, LERR_EC2, "%s: %s: %s", req->action, code, o->msg);
	return AWS_FAIL;
}

enum aws_verdict
aws_judge(const struct aws_service *svc, const struct aws_request *req,
    const struct aws_outcome *o, char *why, size_t whylen, struct lerr *e)
{
	if (o->aborted) {
		lerr_set(e, LERR_SIGNAL, "interrupted");
		return AWS_FAIL;
	}
	if (o->tls_failed) {
		/* Another try meets the same certificate. */
		lerr_set(e, LERR_EC2, "%s: %s", req->action, o->error);
		return AWS_FAIL;
	}
	if (o->too_large && req->too_large_final) {
		lerr_set(e, LERR_EC2, "%s: the answer from %s is larger than %zu "
		    "bytes", req->action, req->url, req->max_body);
		return AWS_FAIL;
	}
	if (o->status == 0 || (o->status < 300 && !o->parsed)) {
		/* No answer, or a good status with a cut or garbled body. */
		snprintf(why, whylen, "%s", o->parsed ? o->error :
		    o->parse_err[0] ? o->parse_err : o->error);
		return AWS_RETRY;
	}
	if (o->parsed && o->code[0] != '\0') {
		snprintf(why, whylen, "%s (HTTP %ld)", o->code, o->status);
		return judge_code(svc, req, o, e);
	}
	if (o->status >= 500) {
		snprintf(why, whylen, "HTTP %ld", o->status);
		return AWS_RETRY;
	}
	if (o->status == 401 || o->status == 403) {
		lerr_set(e, LERR_CREDS, "%s: HTTP %ld without an error code: "
		    "the credentials were rejected", req->action, o->status);
		return AWS_FAIL;
	}
	if (o->status >= 300) {
		lerr_set(e, LERR_EC2, "%s: unexpected HTTP %ld from the %s "
		    "endpoint", req->action, o->status, svc->name);
		return AWS_FAIL;
	}
	return AWS_DONE;
}

struct aws *
aws_new(const struct aws_config *cfg, struct lerr *e)
{
	struct http_opts	 ho = { cfg->svc->name, 0, cfg->ca_file,
				    cfg->ca_dir };
	struct aws		*c;
	char			 err[256];

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (strlcpy(c->endpoint, cfg->endpoint, sizeof(c->endpoint)) >=
	    sizeof(c->endpoint) ||
	    strlcpy(c->region, cfg->region, sizeof(c->region)) >=
	    sizeof(c->region)) {
		lerr_set(e, LERR_USAGE, "%s endpoint %s: unusable",
		    cfg->svc->name, cfg->endpoint);
		free(c);
		return NULL;
	}
	c->svc = cfg->svc;
	c->creds = cfg->creds;
	if ((c->http = http_new(&ho, err, sizeof(err))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "%s", err);
		free(c);
		return NULL;
	}
	return c;
}

void
aws_free(struct aws *c)
{
	if (c == NULL)
		return;
	http_free(c->http);
	free(c);
}

void
aws_counts(const struct aws *c, unsigned *requests, unsigned *conns)
{
	http_counts(c->http, requests, conns);
}

static int
parser_sink(void *ctx, const char *data, size_t len)
{
	const struct aws_parser	*p = ctx;

	return p->feed(p->ctx, data, len);
}

/*
 * Sign and send one attempt into o.  -1 when the request could not even
 * be built (e set).
 */
static int
aws_attempt(struct aws *c, const struct deadline *dl,
    const struct aws_request *r, const struct aws_parser *p,
    struct aws_outcome *o, struct lerr *e)
{
	struct http_response	 resp;
	struct http_request	 req;
	struct aws_signed	 s;

	memset(o, 0, sizeof(*o));
	if (aws_sign(c->svc, r, c->creds, c->region, time(NULL), &s) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot sign the %s request",
		    c->svc->name);
		return -1;
	}
	if (p->reset(p->ctx) == -1) {
		aws_signed_free(&s);
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.method = r->method;
	req.url = r->url;
	req.headers = s.headers;
	req.body = r->body;
	req.body_len = r->body_len;
	req.max_body = r->max_body;
	req.sink = parser_sink;
	req.sink_ctx = (void *)(uintptr_t)p;
	/* No single request may outlive the overall deadline. */
	req.connect_timeout_ms = deadline_cap_ms(dl, c->svc->connect_ms);
	req.timeout_ms = deadline_cap_ms(dl, c->svc->request_ms);
	if (req.timeout_ms <= 0)
		req.connect_timeout_ms = req.timeout_ms = 1;
	if (http_do(c->http, &req, &resp) == 0)
		o->parsed = p->finish(p->ctx, resp.status, o->code,
		    sizeof(o->code), o->msg, sizeof(o->msg), o->parse_err,
		    sizeof(o->parse_err));
	else if (resp.sink_failed)
		p->finish(p->ctx, -1, o->code, sizeof(o->code), o->msg,
		    sizeof(o->msg), o->parse_err, sizeof(o->parse_err));
	if (!o->parsed)
		o->code[0] = o->msg[0] = '\0';
	o->status = resp.status;
	o->aborted = resp.aborted;
	o->tls_failed = resp.tls_failed;
	o->too_large = resp.too_large;
	o->resent = resp.reconnected;
	snprintf(o->error, sizeof(o->error), "%s", resp.error);
	snprintf(o->etag, sizeof(o->etag), "%s", resp.etag);
	buf_free(&resp.body);
	aws_signed_free(&s);
	return 0;
}

int
aws_call(struct aws *c, const struct deadline *dl,
    const struct aws_request *r, const struct aws_parser *p,
    struct aws_outcome *o, struct lerr *e)
{
	const struct aws_service *svc = c->svc;
	char			 why[256];
	int			 attempt, unsure = 0;
	enum aws_verdict	 v = AWS_FAIL;

	for (attempt = 1; attempt <= svc->max_attempts; attempt++) {
		long	 backoff;

		if (deadline_left_ms(dl) == 0) {
			lerr_set(e, LERR_DEADLINE, "%s: no answer before the "
			    "deadline (--timeout)", r->action);
			return -1;
		}
		if (aws_attempt(c, dl, r, p, o, e) == -1)
			return -1;
		why[0] = '\0';
		v = aws_judge(svc, r, o, why, sizeof(why), e);
		if (v != AWS_RETRY) {
			o->unsure = unsure || o->resent;
			return v == AWS_DONE ? 0 : v == AWS_EXPECTED ? 1 : -1;
		}
		/* A lost answer or a server error may follow a write. */
		unsure |= o->status == 0 || (o->status >= 500 &&
		    o->status != 503) || o->resent;
		backoff = random() % (aws_backoff_cap(svc, attempt) + 1);
		if (attempt == svc->max_attempts ||
		    backoff >= deadline_left_ms(dl))
			break;
		log_msg(LOG_INFO, "%s: %s; retrying in %ld ms (attempt %d of "
		    "%d)", r->action, why, backoff, attempt + 1,
		    svc->max_attempts);
		if (deadline_sleep_ms(dl, backoff) == -1) {
			lerr_set(e, LERR_SIGNAL, "interrupted");
			return -1;
		}
	}
	/* Attempts left but no time for the next: the deadline ended it. */
	if (deadline_left_ms(dl) == 0 || attempt < svc->max_attempts)
		lerr_set(e, LERR_DEADLINE, "%s at %s: no answer before the "
		    "deadline (--timeout) after %d attempt%s: %s", r->action,
		    r->url, attempt, attempt == 1 ? "" : "s", why);
	else
		lerr_set(e, LERR_EC2, "%s at %s failed after %d attempt%s: %s",
		    r->action, r->url, attempt, attempt == 1 ? "" : "s", why);
	return -1;
}
