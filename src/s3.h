/*
 * s3: the S3 calls of the strict store: GetObject and conditional
 * PutObject of one small object, signed with SigV4 (service s3, signed
 * payload hash in x-amz-content-sha256, session token) and sent through
 * aws.c, which retries and classifies.
 *
 * Addressing: virtual-hosted (https://BUCKET.s3.REGION.amazonaws.com/KEY)
 * for AWS endpoints; path style (ENDPOINT/BUCKET/KEY) when the endpoint
 * host is an IP address or localhost, or the bucket name has a dot.
 *
 * Answers: 404 NoSuchKey on a read is "absent" (S3_ABSENT); a write whose
 * condition fails (412 PreconditionFailed, or 404 NoSuchKey for If-Match
 * as moto answers) is S3_PRECONDITION; both are results, not errors.
 * 409 ConditionalRequestConflict, 500, 503 SlowDown and resets are retried
 * inside the deadline.  AccessDenied is LERR_PERM naming s3:GetObject or
 * s3:PutObject and the bucket; NoSuchBucket LERR_SCOPE naming the bucket
 * (the caller adds what it knows, e.g. that EB creates it);
 * InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken LERR_CREDS;
 * RequestTimeTooSkewed LERR_CREDS with the clock hint; anything else
 * LERR_EC2 (the service class, 114) naming S3.
 *
 * A write is retried only when S3 did not answer it (reset, timeout) or
 * answered 409/5xx, so a retried conditional write may meet its own first
 * attempt: an If-None-Match create that did land answers S3_PRECONDITION
 * on the retry.  The caller must re-read after S3_PRECONDITION and judge
 * the record by its contents (holder, term), never assume it lost.
 *
 * The caller owns the bucket, key and body strings; s3.c copies nothing
 * beyond one call.  Errors are set once (lerr_set: first wins); a caller
 * that knows more (EB creates elasticbeanstalk-REGION-ACCOUNTID with the
 * environment) rewrites e->msg after a LERR_SCOPE.
 */
#ifndef LEADER_EXEC_S3_H
#define LEADER_EXEC_S3_H

#include <stddef.h>

#include "buf.h"
#include "creds.h"
#include "deadline.h"
#include "err.h"

#define S3_MAX_ATTEMPTS		6
#define S3_BACKOFF_BASE_MS	200
#define S3_BACKOFF_CAP_MS	5000
#define S3_REQUEST_MS		10000
#define S3_CONNECT_MS		3000
#define S3_MAX_BODY		(64 * 1024)	/* object bodies read */
#define S3_BUCKET_MAX		63
#define S3_KEY_MAX		1024
#define S3_ETAG_MAX		256		/* with its quotes */
#define S3_URL_MAX		(S3_KEY_MAX * 3 + 512)

/* Results of s3_get and s3_put besides 0 (found, written) and -1. */
#define S3_ABSENT		1	/* s3_get: no such key */
#define S3_PRECONDITION		2	/* s3_put: the condition failed */

enum s3_cond {
	S3_PUT_ALWAYS,		/* unconditional */
	S3_PUT_IF_NONE_MATCH,	/* If-None-Match: *: create only */
	S3_PUT_IF_MATCH		/* If-Match: ETAG: replace only that */
};

struct s3_config {
	const char			*endpoint;	/* s3_resolve_endpoint */
	const char			*region;
	const struct credentials	*creds;		/* borrowed */
	const char			*ca_file;	/* NULL: default */
	const char			*ca_dir;	/* NULL: default */
};

/* Where one request goes: built by s3_target(), pure. */
struct s3_target {
	char	 url[S3_URL_MAX];	/* as sent */
	char	 host[320];		/* Host header */
	char	 path[S3_KEY_MAX * 3 + 80];	/* encoded path, as signed */
	int	 path_style;		/* 1: /BUCKET/KEY, 0: virtual-hosted */
};

struct s3;
struct aws_service;

/*
 * The endpoint URL: override_s3 (AWS_ENDPOINT_URL_S3), else override_any
 * (AWS_ENDPOINT_URL), else https://s3.REGION.amazonaws.com
 * (.amazonaws.com.cn for cn-*), with the rules of ec2_resolve_endpoint.
 * Pure.  0, or -1 with e set.
 */
int	s3_resolve_endpoint(const char *region, const char *override_s3,
	    const char *override_any, int allow_http, char *out, size_t outlen,
	    struct lerr *e);
/*
 * 1 when name is a bucket name S3 accepts: 3 to 63 of a-z 0-9 . -,
 * starting and ending with a letter or digit, no "..", not an IPv4
 * address, not starting with "xn--" or ending with "-s3alias".
 */
int	s3_valid_bucket(const char *name);
/*
 * 1 when key is a key leader-exec writes: 1 to S3_KEY_MAX bytes, no
 * control characters, not starting with '/', no empty, "." or ".."
 * segment (which URLs would rewrite).
 */
int	s3_valid_key(const char *key);
/*
 * Elastic Beanstalk's bucket elasticbeanstalk-REGION-ACCOUNTID into out.
 * account must be 12 digits and region a region name.  0, or -1 with e
 * set (LERR_SCOPE).
 */
int	s3_eb_bucket(const char *region, const char *account, char *out,
	    size_t outlen, struct lerr *e);
/*
 * The URL, Host and signed path of bucket/key at endpoint (key NULL: the
 * bucket itself).  Pure.  0, or -1 with e set (bad bucket or key).
 */
int	s3_target(const char *endpoint, const char *bucket, const char *key,
	    struct s3_target *out, struct lerr *e);

/* A client, or NULL with e set.  cfg's strings are copied. */
struct s3	*s3_new(const struct s3_config *, struct lerr *e);
void		 s3_free(struct s3 *);
/*
 * GetObject of bucket/key: the body (at most S3_MAX_BODY bytes) into
 * body, which must have been buf_init()ed (it is freed and set up again;
 * the caller frees it; data is NULL for an empty object), and its ETag,
 * quotes kept, into etag (S3_ETAG_MAX bytes).  0, S3_ABSENT (404
 * NoSuchKey; body empty), or -1 with e set.  A larger object is
 * LERR_EC2 at once, naming its URL ("is larger than").
 */
int	s3_get(struct s3 *, const struct deadline *, const char *bucket,
	    const char *key, struct buf *body, char *etag, struct lerr *e);
/*
 * PutObject of body[0..len) to bucket/key under cond (if_match: the ETag
 * for S3_PUT_IF_MATCH, as s3_get gave it; else NULL), Content-Type
 * content_type (NULL: application/octet-stream).  0 with the new ETag in
 * etag (S3_ETAG_MAX bytes), S3_PRECONDITION, or -1 with e set.
 */
int	s3_put(struct s3 *, const struct deadline *, const char *bucket,
	    const char *key, const char *body, size_t len,
	    const char *content_type, enum s3_cond cond, const char *if_match,
	    char *etag, struct lerr *e);
/* The S3 data aws.c classifies answers with (for tests). */
const struct aws_service *s3_service(void);
/* HTTP requests and new connections made so far. */
void	s3_counts(const struct s3 *, unsigned *requests, unsigned *conns);

#endif
