/*
 * imds: the EC2 instance metadata service, IMDSv2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "imds.h"
#include "log.h"
#include "util.h"

#define IMDS_MAX_BODY	(64 * 1024)
#define TOKEN_MAX	256

struct imds {
	struct http	*http;
	char		 endpoint[256];
	char		 token[TOKEN_MAX];	/* "" until fetched */
	int		 allow_v1;
	int		 v1;			/* fell back to IMDSv1 */
};

struct imds *
imds_new(const char *endpoint, int allow_v1, struct lerr *e)
{
	struct http_opts	 ho = { "IMDS", 1, NULL, NULL };
	struct imds		*m;
	char			 err[256];
	size_t			 n;

	if (strncmp(endpoint, "http://", 7) != 0 &&
	    strncmp(endpoint, "https://", 8) != 0) {
		lerr_set(e, LERR_USAGE, "AWS_EC2_METADATA_SERVICE_ENDPOINT %s: "
		    "expected http://host[:port]", endpoint);
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (strlcpy(m->endpoint, endpoint, sizeof(m->endpoint)) >=
	    sizeof(m->endpoint)) {
		lerr_set(e, LERR_USAGE, "AWS_EC2_METADATA_SERVICE_ENDPOINT is "
		    "too long");
		free(m);
		return NULL;
	}
	/* The paths below start with '/'. */
	n = strlen(m->endpoint);
	while (n > 0 && m->endpoint[n - 1] == '/')
		m->endpoint[--n] = '\0';
	m->allow_v1 = allow_v1;
	if ((m->http = http_new(&ho, err, sizeof(err))) == NULL) {
		lerr_set(e, LERR_INTERNAL, "%s", err);
		free(m);
		return NULL;
	}
	return m;
}

void
imds_free(struct imds *m)
{
	if (m == NULL)
		return;
	http_free(m->http);
	explicit_bzero(m->token, sizeof(m->token));
	free(m);
}

void
imds_counts(const struct imds *m, unsigned *requests, unsigned *conns)
{
	http_counts(m->http, requests, conns);
}

/*
 * One request with bounded retries on transport failures and 5xx.
 * 0 with an HTTP answer in resp; -1 with e set.
 */
static int
imds_request(struct imds *m, const struct deadline *dl, const char *method,
    const char *path, const char *const *headers, struct http_response *resp,
    struct lerr *e)
{
	struct http_request	 req;
	char			 url[512];
	int			 attempt;

	snprintf(url, sizeof(url), "%s%s", m->endpoint, path);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = headers;
	req.max_body = IMDS_MAX_BODY;
	for (attempt = 1; ; attempt++) {
		long	 left = deadline_left_ms(dl);

		if (left == 0) {
			lerr_set(e, LERR_DEADLINE, "instance metadata at %s: "
			    "no answer before the deadline (--timeout)",
			    m->endpoint);
			return -1;
		}
		req.connect_timeout_ms = left < IMDS_CONNECT_MS ? left :
		    IMDS_CONNECT_MS;
		req.timeout_ms = left < IMDS_REQUEST_MS ? left :
		    IMDS_REQUEST_MS;
		if (http_do(m->http, &req, resp) == 0 && resp->status < 500)
			return 0;
		if (resp->aborted) {
			lerr_set(e, LERR_SIGNAL, "interrupted");
			return -1;
		}
		if (attempt >= IMDS_ATTEMPTS)
			break;
		log_msg(LOG_VERBOSE, "instance metadata %s %s: %s; retrying",
		    method, path, resp->status ? "server error" : resp->error);
		buf_free(&resp->body);
		if (deadline_sleep_ms(dl, 100L << attempt) == -1) {
			lerr_set(e, LERR_SIGNAL, "interrupted");
			return -1;
		}
	}
	if (resp->status >= 500)
		lerr_set(e, LERR_IMDS, "instance metadata at %s: %s %s answered "
		    "HTTP %ld %d times; the metadata service is failing",
		    m->endpoint, method, path, resp->status, IMDS_ATTEMPTS);
	else
		lerr_set(e, LERR_IMDS, "instance metadata at %s unreachable "
		    "(%s); run on an EC2 instance, or point "
		    "AWS_EC2_METADATA_SERVICE_ENDPOINT at the metadata service",
		    m->endpoint, resp->error);
	buf_free(&resp->body);
	return -1;
}

/* Fetch a session token (or settle on IMDSv1 when allowed). */
static int
imds_fetch_token(struct imds *m, const struct deadline *dl, struct lerr *e)
{
	static const char *const hdrs[] = {
	    "X-aws-ec2-metadata-token-ttl-seconds: " IMDS_TOKEN_TTL, NULL };
	struct http_response	 resp;
	struct lerr		 te = { LERR_NONE, "" };
	int			 rc = -1;

	explicit_bzero(m->token, sizeof(m->token));
	if (imds_request(m, dl, "PUT", "/latest/api/token", hdrs, &resp,
	    &te) == -1) {
		if (m->allow_v1 && te.cls == LERR_IMDS) {
			log_msg(LOG_INFO, "IMDSv2 token unavailable (%s); "
			    "using IMDSv1 as --allow-imdsv1 permits", te.msg);
			m->v1 = 1;
			return 0;
		}
		if (te.cls == LERR_IMDS && strstr(te.msg, "imed out") != NULL)
			lerr_set(e, LERR_IMDS, "%s; inside a container the "
			    "token reply needs a hop limit of 2 (aws ec2 "
			    "modify-instance-metadata-options "
			    "--http-put-response-hop-limit 2)", te.msg);
		else if (e->cls == LERR_NONE)
			*e = te;
		return -1;
	}
	if (resp.status == 200 && resp.body.len > 0 &&
	    resp.body.len < sizeof(m->token) &&
	    strcspn(resp.body.data, "\r\n") == resp.body.len) {
		memcpy(m->token, resp.body.data, resp.body.len + 1);
		rc = 0;
	} else if (m->allow_v1 && (resp.status == 403 || resp.status == 404 ||
	    resp.status == 405)) {
		log_msg(LOG_INFO, "IMDSv2 token refused (HTTP %ld); using "
		    "IMDSv1 as --allow-imdsv1 permits", resp.status);
		m->v1 = 1;
		rc = 0;
	} else
		lerr_set(e, LERR_IMDS, "instance metadata at %s: token request "
		    "answered HTTP %ld%s", m->endpoint, resp.status,
		    resp.status == 200 ? " with an unusable token" :
		    resp.status == 403 ? " (IMDS disabled for this instance?)" :
		    "");
	buf_free(&resp.body);
	return rc;
}

/* GET path with the token; one new token on 401.  Body into out. */
static int
imds_get(struct imds *m, const struct deadline *dl, const char *path,
    struct buf *out, long *status, struct lerr *e)
{
	struct http_response	 resp;
	char			 hdr[TOKEN_MAX + 32];
	const char		*hdrs[2] = { NULL, NULL };
	int			 retoken;

	for (retoken = 0; retoken < 2; retoken++) {
		if (!m->v1 && m->token[0] == '\0' &&
		    imds_fetch_token(m, dl, e) == -1)
			return -1;
		if (!m->v1) {
			snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s",
			    m->token);
			hdrs[0] = hdr;
		}
		if (imds_request(m, dl, "GET", path, hdrs, &resp, e) == -1) {
			explicit_bzero(hdr, sizeof(hdr));
			return -1;
		}
		explicit_bzero(hdr, sizeof(hdr));
		if (resp.status != 401 || m->v1)
			break;
		log_msg(LOG_VERBOSE, "instance metadata: token rejected (401); "
		    "fetching a new one");
		buf_free(&resp.body);
		m->token[0] = '\0';
	}
	if (resp.status == 401) {
		lerr_set(e, LERR_IMDS, "instance metadata at %s: GET %s "
		    "answered 401 even with a fresh token", m->endpoint, path);
		buf_free(&resp.body);
		return -1;
	}
	*status = resp.status;
	*out = resp.body;
	return 0;
}

int
imds_get_identity(struct imds *m, const struct deadline *dl,
    struct imds_identity *id, struct lerr *e)
{
	static const char	 path[] =
	    "/latest/dynamic/instance-identity/document";
	struct buf		 body;
	long			 status;
	char			 err[256];
	int			 rc = -1;

	if (imds_get(m, dl, path, &body, &status, e) == -1)
		return -1;
	if (status != 200)
		lerr_set(e, LERR_IMDS, "instance metadata: GET %s answered "
		    "HTTP %ld", path, status);
	else if (json_parse_identity(body.data, body.len, id, err,
	    sizeof(err)) == -1)
		lerr_set(e, LERR_IMDS, "instance metadata: identity document: "
		    "%s", err);
	else
		rc = 0;
	buf_free(&body);
	return rc;
}

/* A role name: one line of letters, digits and +=,.@_- (IAM's rules). */
static int
valid_role(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > 128)
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+=,.@_-", s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

int
imds_get_credentials(struct imds *m, const struct deadline *dl,
    struct imds_credentials *c, struct lerr *e)
{
	static const char	 base[] =
	    "/latest/meta-data/iam/security-credentials/";
	struct buf		 body;
	char			 path[256], err[256];
	long			 status;
	size_t			 len;
	int			 rc = -1;

	if (imds_get(m, dl, base, &body, &status, e) == -1)
		return -1;
	if (status == 404) {
		lerr_set(e, LERR_CREDS, "no credentials: AWS_ACCESS_KEY_ID is "
		    "not set and the instance has no IAM role (attach an "
		    "instance profile, e.g. aws-elasticbeanstalk-ec2-role)");
		goto out;
	}
	if (status != 200) {
		lerr_set(e, LERR_IMDS, "instance metadata: GET %s answered "
		    "HTTP %ld", base, status);
		goto out;
	}
	len = body.data ? strcspn(body.data, "\r\n") : 0;
	if (!valid_role(body.data, len)) {
		lerr_set(e, LERR_IMDS, "instance metadata: no valid role name "
		    "under %s", base);
		goto out;
	}
	snprintf(path, sizeof(path), "%s%.*s", base, (int)len, body.data);
	buf_free(&body);
	if (imds_get(m, dl, path, &body, &status, e) == -1)
		return -1;
	if (status != 200)
		lerr_set(e, LERR_CREDS, "instance metadata: GET %s answered "
		    "HTTP %ld", path, status);
	else if (json_parse_credentials(body.data, body.len, c, err,
	    sizeof(err)) == -1)
		lerr_set(e, LERR_CREDS, "instance metadata: role credentials: "
		    "%s", err);
	else
		rc = 0;
out:
	buf_free(&body);
	return rc;
}
