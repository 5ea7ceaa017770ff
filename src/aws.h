/*
 * aws: the request layer shared by the AWS service clients (ec2.c, s3.c):
 * sign with SigV4 (sigv4.c), send over one reused connection (http.c),
 * retry transient failures with capped exponential backoff and full
 * jitter inside the deadline, and classify the answer into a struct lerr.
 *
 * It knows nothing of any one service: the service module hands it a
 * struct aws_service (signing name, lists of throttle, auth, permission,
 * clock and scope error codes) and, per request, a parser for the body
 * and the names to put in messages.  The service module owns the
 * requests it builds and the meaning of their answers.
 *
 * Pure parts (aws_sign, aws_judge, aws_backoff_cap) take every input as
 * an argument, so tests drive them with fixed clocks and tables.
 */
#ifndef LEADER_EXEC_AWS_H
#define LEADER_EXEC_AWS_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "creds.h"
#include "deadline.h"
#include "err.h"
#include "sigv4.h"

#define AWS_MAX_EXTRA_HEADERS	8
#define AWS_CODE_MAX		128
#define AWS_MSG_MAX		200

/* What a service tells the request layer; static data, borrowed. */
struct aws_service {
	const char		*name;		/* "EC2", "S3": in messages */
	const char		*signing_name;	/* "ec2", "s3": SigV4 scope */
	const char *const	*throttle;	/* retried codes */
	size_t			 nthrottle;
	const char *const	*auth;		/* LERR_CREDS codes */
	size_t			 nauth;
	const char *const	*perm;		/* LERR_PERM codes */
	size_t			 nperm;
	const char *const	*clock;		/* LERR_CREDS, clock hint */
	size_t			 nclock;
	const char *const	*scope;		/* LERR_SCOPE codes (may be 0) */
	size_t			 nscope;
	int			 max_attempts;
	long			 backoff_base_ms;
	long			 backoff_cap_ms;
	long			 request_ms;	/* per attempt, capped by deadline */
	long			 connect_ms;
};

/*
 * The body parser of one request, called by aws_call once per attempt:
 * reset before it, feed with the body as it arrives (may be called with
 * nothing when the body is empty), then finish with the HTTP status.
 * finish returns 1 when the body made sense (for an error status: an
 * error document whose code it copies into code/msg, "" when none), 0
 * when it did not (why says so).  ctx is the service's.
 */
struct aws_parser {
	void	*ctx;
	int	(*reset)(void *ctx);			/* 0, -1 out of memory */
	int	(*feed)(void *ctx, const char *, size_t);	/* 0, -1 */
	int	(*finish)(void *ctx, long status, char *code, size_t codelen,
		    char *msg, size_t msglen, char *why, size_t whylen);
};

/* One request, built by the service module; everything borrowed. */
struct aws_request {
	const char			*method;	/* "GET", "PUT", "POST" */
	const char			*url;		/* full URL as sent */
	const char			*host;		/* Host header value */
	const char			*path;		/* raw path as in url */
	const char			*query;		/* raw query, or "" */
	int				 raw_path;	/* sign path as is (S3) */
	int				 sign_payload;	/* x-amz-content-sha256 */
	const struct sigv4_header	*extra;		/* more signed headers */
	size_t				 nextra;
	const char			*body;
	size_t				 body_len;
	size_t				 max_body;
	/* For messages: "DescribeInstances", "ec2:DescribeInstances". */
	const char			*action;
	const char			*iam_action;
	const char			*resource;	/* "bucket B", or NULL */
	/* 1: an answer over max_body is final (LERR_EC2), not retried. */
	int				 too_large_final;
	/* Error codes the caller handles itself: aws_call returns 1. */
	const char *const		*expect;
	size_t				 nexpect;
};

/* What one attempt produced, as aws_judge sees it. */
struct aws_outcome {
	long		 status;	/* 0: no answer */
	int		 aborted;
	int		 tls_failed;
	int		 too_large;	/* the body exceeded req->max_body */
	int		 parsed;	/* parser's finish returned 1 */
	char		 error[256];	/* transport error */
	char		 parse_err[256];
	char		 code[AWS_CODE_MAX];	/* sanitised error code or "" */
	char		 msg[AWS_MSG_MAX];	/* sanitised message or "" */
	char		 etag[256];	/* ETag response header or "" */
};

enum aws_verdict {
	AWS_DONE,	/* 2xx and parsed */
	AWS_EXPECTED,	/* an error code in req->expect */
	AWS_RETRY,	/* transient: why says what */
	AWS_FAIL	/* final: e is set */
};

/* The signed headers of one request, ready for http.c. */
struct aws_signed {
	const char	*headers[AWS_MAX_EXTRA_HEADERS + 8];	/* NULL-ended */
	struct buf	 lines;		/* storage of the header lines */
	char		 amz_date[17];
	char		 payload_hash[65];
};

struct aws;

struct aws_config {
	const struct aws_service	*svc;		/* borrowed, static */
	const char			*endpoint;	/* for messages */
	const char			*region;
	const struct credentials	*creds;		/* borrowed */
	const char			*ca_file;	/* NULL: default */
	const char			*ca_dir;	/* NULL: default */
};

/*
 * The endpoint URL for service svc ("ec2", "s3"): override_svc (the
 * service's AWS_ENDPOINT_URL_X, named var_svc in messages), else
 * override_any (AWS_ENDPOINT_URL), else https://SVC.REGION.amazonaws.com
 * (.amazonaws.com.cn for cn-*).  Overrides must be http(s)://host[:port]
 * with at most a trailing '/'; plain http is refused for a host other
 * than loopback unless allow_http.  Pure.  0, or -1 with e set.
 */
int	aws_resolve_endpoint(const char *svc, const char *var_svc,
	    const char *region, const char *override_svc,
	    const char *override_any, int allow_http, char *out, size_t outlen,
	    struct lerr *e);
/* 1 when host ("host" or "host:port") is a loopback name or address. */
int	aws_host_is_loopback(const char *host);
/* The host[:port] of an endpoint URL.  0, or -1 when it has none. */
int	aws_endpoint_host(const char *url, char *out, size_t outlen);
/* Printable ASCII of src, at most size - 1 bytes: safe to show. */
void	aws_sanitize(char *dst, size_t size, const char *src);

/*
 * Sign req at now with creds for region and svc's signing name: out gets
 * Host, X-Amz-Date, the extra headers, x-amz-content-sha256 (with
 * req->sign_payload), X-Amz-Security-Token (with a session token) and
 * Authorization.  Pure.  0, or -1 (out is freed).  Free with
 * aws_signed_free().
 */
int	aws_sign(const struct aws_service *, const struct aws_request *,
	    const struct credentials *, const char *region, time_t now,
	    struct aws_signed *out);
void	aws_signed_free(struct aws_signed *);
/*
 * What an attempt's outcome means for req.  Pure.  AWS_RETRY fills why;
 * AWS_FAIL sets e naming req->action, the IAM action or the resource.
 */
enum aws_verdict aws_judge(const struct aws_service *,
	    const struct aws_request *, const struct aws_outcome *, char *why,
	    size_t whylen, struct lerr *e);
/* The backoff cap before attempt + 1: base << (attempt - 1), capped. */
long	aws_backoff_cap(const struct aws_service *, int attempt);

/* A client, or NULL with e set.  cfg's strings are copied. */
struct aws	*aws_new(const struct aws_config *, struct lerr *e);
void		 aws_free(struct aws *);
/*
 * Send req with retries inside dl, parsing each answer with p.  0 on a
 * 2xx answer (out holds the ETag), 1 when the answer was an error code in
 * req->expect (out->code says which), -1 with e set.
 */
int	aws_call(struct aws *, const struct deadline *,
	    const struct aws_request *, const struct aws_parser *p,
	    struct aws_outcome *out, struct lerr *e);
/* HTTP requests and new connections made so far. */
void	aws_counts(const struct aws *, unsigned *requests, unsigned *conns);

#endif
