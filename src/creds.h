/*
 * creds: the credentials that sign EC2 calls, from the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or else
 * the instance profile role through IMDS.  Never logged; zeroed by
 * creds_clear(); never put into the command's environment.
 */
#ifndef LEADER_EXEC_CREDS_H
#define LEADER_EXEC_CREDS_H

#include <stdint.h>

#include "deadline.h"
#include "err.h"
#include "imds.h"

struct credentials {
	char	access_key_id[128];
	char	secret_access_key[128];
	char	session_token[4096];		/* "" when none */
	int64_t	expiration;			/* unix seconds, 0 unknown */
	const char *source;			/* "environment", "instance role" */
};

/*
 * Resolve credentials: the environment first, then imds (may be NULL when
 * metadata is disabled).  Values from the environment must pass
 * creds_header_safe (LERR_CREDS naming the variable, never its value).
 * now is the wall clock in unix seconds: role credentials past their
 * Expiration are used with a warning on stderr (the SDKs' static
 * stability), and EC2's answer decides.  0, or -1 with e set.
 */
int	creds_resolve(struct imds *, const struct deadline *, int64_t now,
	    struct credentials *, struct lerr *e);
/* 1 when s is printable ASCII without spaces: fit for an HTTP header. */
int	creds_header_safe(const char *s);
/* Zero every byte of c. */
void	creds_clear(struct credentials *c);

#endif
