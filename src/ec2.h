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

struct aws_service;

/*
 * A Query API endpoint's client (EC2, Auto Scaling, ELBv2 embed one): the
 * signed client and the endpoint's URL and Host header.
 */
struct ec2_endpoint {
	struct aws	*aws;
	char		 url[256];	/* endpoint + "/" */
	char		 host[256];
};

/*
 * Open ep for service svc at endpoint (label names the service in
 * errors), signing with creds (borrowed) for region; ca_file, ca_dir NULL
 * for libcurl's defaults.  0, or -1 with e set; ec2_endpoint_close() after
 * either.
 */
int	ec2_endpoint_open(struct ec2_endpoint *ep, const struct aws_service *svc,
	    const char *label, const char *endpoint, const char *region,
	    const struct credentials *creds, const char *ca_file,
	    const char *ca_dir, struct lerr *e);
void	ec2_endpoint_close(struct ec2_endpoint *ep);

/* One Query API call (EC2, ELBv2): what ec2_query() sends; borrowed. */
struct ec2_query {
	const struct deadline	*dl;
	const char		*url;		/* endpoint + "/" */
	const char		*host;		/* Host header */
	const char		*version;	/* "2016-11-15" */
	const char		*iam_prefix;	/* "ec2": "ec2:Action" */
	const char		*action;	/* "DescribeInstances" */
	const struct buf	*params;	/* "&Name=value..." encoded */
	const char *const	*keep;		/* tags kept per instance, NULL-
						   terminated; NULL: all */
	const char		*expect;	/* an error code returned as 1 */
	const char		*resource;	/* for messages, or NULL */
};

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
 * (.amazonaws.com.cn for cn-*; region must pass region_valid, else
 * LERR_USAGE).  Overrides must be http(s)://host[:port]
 * with at most a trailing '/'; plain http is refused for a host other than
 * loopback (127.0.0.0/8, localhost, [::1]) unless allow_http.  Pure.  0,
 * or -1 with e set.
 */
int	ec2_resolve_endpoint(const char *region, const char *override_ec2,
	    const char *override_any, int allow_http, char *out, size_t outlen,
	    struct lerr *e);
/*
 * Send q's form POST (Action, Version, params) through aws with retries
 * and parse the answer with ec2_xml.c into res (release it with
 * ec2_result_free()).  0, 1 when the answer was the error q->expect, or
 * -1 with e set.
 */
int	ec2_query(struct aws *aws, const struct ec2_query *q,
	    struct ec2_result *res, struct lerr *e);
/* Append "&name=value" to a form, both URI-encoded.  0, or -1. */
int	ec2_form_add(struct buf *f, const char *name, const char *value);
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
 * the tags keep_tag and key are kept per instance.  value is sent as a
 * literal (EC2's wildcards '*' and '?' escaped) and only instances whose
 * tag key is exactly value are kept, whatever the endpoint matched.  With holders_only, only running
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
