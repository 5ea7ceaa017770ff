/*
 * autoscaling: the Auto Scaling Query API calls leader-exec makes
 * (--protect: SetInstanceProtection), signed with SigV4 (service
 * "autoscaling") and sent as form POSTs (Version 2011-01-01) through
 * ec2.c's Query layer over aws.c.
 *
 * Endpoint: AWS_ENDPOINT_URL_AUTOSCALING, else AWS_ENDPOINT_URL, else
 * https://autoscaling.REGION.amazonaws.com.  A refused call is a
 * permission error (113) naming autoscaling:SetInstanceProtection.
 */
#ifndef LEADER_EXEC_AUTOSCALING_H
#define LEADER_EXEC_AUTOSCALING_H

#include <stddef.h>

#include "creds.h"
#include "deadline.h"
#include "err.h"

#define AUTOSCALING_API_VERSION	"2011-01-01"
#define AUTOSCALING_GROUP_MAX	255	/* characters of a group name */

struct autoscaling;

struct autoscaling_config {
	const char			*endpoint;	/* resolved */
	const char			*region;
	const struct credentials	*creds;		/* borrowed */
	const char			*ca_file;	/* NULL: default */
	const char			*ca_dir;	/* NULL: default */
};

/*
 * The endpoint URL from the overrides, as aws_resolve_endpoint() says.
 * Pure.  0, or -1 with e set.
 */
int	autoscaling_resolve_endpoint(const char *region,
	    const char *override_as, const char *override_any, int allow_http,
	    char *out, size_t outlen, struct lerr *e);
/* A client, or NULL with e set.  cfg's strings are copied. */
struct autoscaling *autoscaling_new(const struct autoscaling_config *,
	    struct lerr *e);
void	autoscaling_free(struct autoscaling *);
/*
 * SetInstanceProtection of instance id in group: protected from scale-in
 * when on, else not.  0, or -1 with e set.
 */
int	autoscaling_set_protection(struct autoscaling *,
	    const struct deadline *, const char *group, const char *id, int on,
	    struct lerr *e);
/* HTTP requests and new connections made so far. */
void	autoscaling_counts(const struct autoscaling *, unsigned *requests,
	    unsigned *conns);

#endif
