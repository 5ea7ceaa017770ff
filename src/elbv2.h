/*
 * elbv2: the one Elastic Load Balancing v2 call leader-exec makes,
 * DescribeTargetHealth (Query API, Version 2015-12-01, SigV4 service
 * elasticloadbalancing), over the shared request layer aws.c and parsed
 * by ec2_xml.c.  Used by --rolling --target-group: an instance counts as
 * running only while its target is healthy.
 */
#ifndef LEADER_EXEC_ELBV2_H
#define LEADER_EXEC_ELBV2_H

#include <stddef.h>

#include "creds.h"
#include "deadline.h"
#include "err.h"
#include "group.h"

#define ELBV2_API_VERSION	"2015-12-01"
#define ELBV2_SERVICE		"elasticloadbalancing"

struct elbv2;

struct elbv2_config {
	const char			*endpoint;	/* elbv2_resolve_endpoint */
	const char			*region;
	const struct credentials	*creds;		/* borrowed */
	const char			*ca_file;	/* NULL: default */
	const char			*ca_dir;	/* NULL: default */
};

/*
 * The endpoint URL: override (AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2),
 * else override_any (AWS_ENDPOINT_URL), else
 * https://elasticloadbalancing.REGION.amazonaws.com (.amazonaws.com.cn in
 * cn-*), with aws_resolve_endpoint()'s rules.  Pure.  0, or -1 with e set.
 */
int	elbv2_resolve_endpoint(const char *region, const char *override,
	    const char *override_any, int allow_http, char *out, size_t outlen,
	    struct lerr *e);
/* A client, or NULL with e set.  cfg's strings are copied. */
struct elbv2	*elbv2_new(const struct elbv2_config *, struct lerr *e);
void		 elbv2_free(struct elbv2 *);
/*
 * DescribeTargetHealth of every target registered in the target group
 * arn into out (one instance per target, state STATE_RUNNING when
 * healthy: see ec2_xml.h); release with group_free().  0, or -1 with e
 * set (a missing group is LERR_SCOPE, a missing permission LERR_PERM
 * naming elasticloadbalancing:DescribeTargetHealth).
 */
int	elbv2_describe_target_health(struct elbv2 *, const struct deadline *,
	    const char *arn, struct group *out, struct lerr *e);
/* 1 when the target id is in targets and healthy. */
int	elbv2_healthy(const struct group *targets, const char *id);

#endif
