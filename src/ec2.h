/*
 * ec2: the EC2 Query API calls leader-exec makes, signed with SigV4 and
 * sent as form POSTs (Version 2016-11-15) over one reused connection.
 *
 * Throttling, 5xx, transport failures and unreadable answers are retried
 * with capped exponential backoff and full jitter inside the deadline.
 * Authentication and permission errors are reported at once, naming the
 * IAM action that is missing.
 */
#ifndef LEADER_EXEC_EC2_H
#define LEADER_EXEC_EC2_H

#include <stddef.h>

#include "creds.h"
#include "deadline.h"
#include "err.h"
#include "group.h"

#define EC2_API_VERSION		"2016-11-15"
#define EC2_MAX_ATTEMPTS	6
#define EC2_BACKOFF_BASE_MS	200
#define EC2_BACKOFF_CAP_MS	5000
#define EC2_PAGE_SIZE		1000
#define EC2_MAX_PAGES		200
#define EC2_MAX_BODY		(64 * 1024 * 1024)
#define EC2_REQUEST_MS		10000
#define EC2_CONNECT_MS		3000

struct ec2;
struct aws;
struct buf;
struct ec2_result;

/*
 * A Query API service sharing EC2's form POSTs and XML answers (Auto
 * Scaling: autoscaling.c).  Borrowed.
 */
struct ec2_query {
	struct aws	*aws;		/* the service's signed client */
	const char	*url;		/* endpoint + "/" */
	const char	*host;		/* Host header */
	const char	*version;	/* the API's Version */
	const char	*iam_prefix;	/* "ec2", "autoscaling": in messages */
};

/*
 * One Query API call with retries: Action, Version and the encoded
 * parameters in params (each "&name=value").  On success res holds the
 * parsed answer (free with ec2_result_free).  0, 1 when the answer was
 * the error code expect (NULL: none), or -1 with e set naming
 * "iam_prefix:action" when it is refused.
 */
int	ec2_query_call(const struct ec2_query *, const struct deadline *,
	    const char *action, const struct buf *params, const char *keep_tag,
	    const char *expect, struct ec2_result *res, struct lerr *e);
/* Append "&name=value" to a form, both URI-encoded.  0, or -1. */
int	ec2_form_add(struct buf *f, const char *name, const char *value);

struct ec2_config {
	const char			*endpoint;	/* from ec2_resolve_endpoint */
	const char			*region;
	const struct credentials	*creds;		/* borrowed */
	const char			*ca_file;	/* NULL: default */
	const char			*ca_dir;	/* NULL: default */
};

/*
 * The endpoint URL: override_ec2 (AWS_ENDPOINT_URL_EC2), else
 * override_any (AWS_ENDPOINT_URL), else https://ec2.REGION.amazonaws.com
 * (.amazonaws.com.cn for cn-*).  Overrides must be http(s)://host[:port]
 * with at most a trailing '/'; plain http is refused for a host other than
 * loopback (127.0.0.0/8, localhost, [::1]) unless allow_http.  Pure.  0,
 * or -1 with e set.
 */
int	ec2_resolve_endpoint(const char *region, const char *override_ec2,
	    const char *override_any, int allow_http, char *out, size_t outlen,
	    struct lerr *e);
/* 1 when host ("host" or "host:port") is a loopback name or address. */
int	ec2_host_is_loopback(const char *host);
/* The host[:port] of an endpoint URL, as signed in the Host header. */
int	ec2_endpoint_host(const char *url, char *out, size_t outlen);

/* A client, or NULL with e set.  cfg's strings are copied. */
struct ec2	*ec2_new(const struct ec2_config *, struct lerr *e);
void		 ec2_free(struct ec2 *);
/*
 * DescribeInstances of one instance with all its tags into out (empty
 * when EC2 does not show it yet).  0, or -1 with e set.
 */
int	ec2_describe_instance(struct ec2 *, const struct deadline *,
	    const char *id, struct group *out, struct lerr *e);
/*
 * DescribeInstances of every instance tagged key=value, all pages; only
 * the tag keep_tag is kept per instance.  With holders_only, only running
 * instances that carry keep_tag (a small answer however large the group);
 * else every instance in any state.  0, or -1 with e set.
 */
int	ec2_describe_group(struct ec2 *, const struct deadline *,
	    const char *key, const char *value, const char *keep_tag,
	    int holders_only, struct group *out, struct lerr *e);
/* CreateTags of key=value on instance id.  0, or -1 with e set. */
int	ec2_create_tag(struct ec2 *, const struct deadline *, const char *id,
	    const char *key, const char *value, struct lerr *e);
/*
 * DeleteTags of key on instance id, only while its value is value (so a
 * newer claim is never deleted).  0, or -1 with e set.
 */
int	ec2_delete_tag(struct ec2 *, const struct deadline *, const char *id,
	    const char *key, const char *value, struct lerr *e);
/* HTTP requests and new connections made so far. */
void	ec2_counts(const struct ec2 *, unsigned *requests, unsigned *conns);

#endif
