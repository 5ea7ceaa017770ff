/*
 * imds: the EC2 instance metadata service, IMDSv2.
 *
 * A session token is fetched with PUT /latest/api/token, then used on each
 * GET; a 401 fetches a new token once.  Connection failures and 5xx are
 * retried a bounded number of times inside the deadline.  IMDSv1 (GET
 * without a token) is used only when the caller allows it and the token
 * request failed.  The token is zeroed when the client is freed.
 */
#ifndef LEADER_EXEC_IMDS_H
#define LEADER_EXEC_IMDS_H

#include "deadline.h"
#include "err.h"
#include "json.h"

#define IMDS_DEFAULT_ENDPOINT	"http://169.254.169.254"
#define IMDS_TOKEN_TTL		"60"
#define IMDS_CONNECT_MS		1000
#define IMDS_REQUEST_MS		3000
#define IMDS_ATTEMPTS		3

struct imds;

/*
 * A client for endpoint (scheme://host[:port], no path).  NULL with e set
 * when the endpoint is malformed or memory runs out.
 */
struct imds	*imds_new(const char *endpoint, int allow_v1, struct lerr *e);
void		 imds_free(struct imds *);
/* The identity document: instance id and region.  0, or -1 with e set. */
int		 imds_get_identity(struct imds *, const struct deadline *,
		    struct imds_identity *, struct lerr *e);
/*
 * The credentials of the instance profile role.  0, or -1 with e set
 * (LERR_CREDS when no role is attached or the role has none).
 */
int		 imds_get_credentials(struct imds *, const struct deadline *,
		    struct imds_credentials *, struct lerr *e);
/* HTTP requests and new connections made so far. */
void		 imds_counts(const struct imds *, unsigned *, unsigned *);

#endif
