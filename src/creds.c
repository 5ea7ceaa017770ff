/*
 * creds: the credentials that sign EC2 calls.
 */
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "ec2_xml.h"
#include "log.h"
#include "util.h"

void
creds_clear(struct credentials *c)
{
	explicit_bzero(c, sizeof(*c));
}

/* Copy an environment variable into dst; -1 when it does not fit. */
static int
copy_env(char *dst, size_t size, const char *name, struct lerr *e)
{
	const char	*v = getenv(name);

	if (v == NULL)
		v = "";
	if (strlcpy(dst, v, size) >= size) {
		lerr_set(e, LERR_CREDS, "%s is longer than %zu characters",
		    name, size - 1);
		return -1;
	}
	return 0;
}

static int
creds_from_env(struct credentials *c, struct lerr *e)
{
	if (copy_env(c->access_key_id, sizeof(c->access_key_id),
	    "AWS_ACCESS_KEY_ID", e) == -1 ||
	    copy_env(c->secret_access_key, sizeof(c->secret_access_key),
	    "AWS_SECRET_ACCESS_KEY", e) == -1 ||
	    copy_env(c->session_token, sizeof(c->session_token),
	    "AWS_SESSION_TOKEN", e) == -1)
		return -1;
	if (c->secret_access_key[0] == '\0') {
		lerr_set(e, LERR_CREDS, "AWS_ACCESS_KEY_ID is set but "
		    "AWS_SECRET_ACCESS_KEY is not");
		return -1;
	}
	c->source = "environment";
	return 0;
}

static int
creds_from_imds(struct imds *m, const struct deadline *dl, int64_t now,
    struct credentials *c, struct lerr *e)
{
	struct imds_credentials	 ic;
	long long		 exp = 0;
	int			 rc = -1;

	memset(&ic, 0, sizeof(ic));
	if (imds_get_credentials(m, dl, &ic, e) == -1)
		goto out;
	if (ic.expiration[0] != '\0' &&
	    (exp = ec2_parse_time(ic.expiration)) == -1) {
		lerr_set(e, LERR_CREDS, "instance role credentials: "
		    "unreadable Expiration");
		goto out;
	}
	if (exp != 0 && exp <= now) {
		lerr_set(e, LERR_CREDS, "instance role credentials expired at "
		    "%s; the metadata service is not refreshing them",
		    ic.expiration);
		goto out;
	}
	if (strlcpy(c->access_key_id, ic.access_key_id,
	    sizeof(c->access_key_id)) >= sizeof(c->access_key_id) ||
	    strlcpy(c->secret_access_key, ic.secret_access_key,
	    sizeof(c->secret_access_key)) >= sizeof(c->secret_access_key) ||
	    strlcpy(c->session_token, ic.token, sizeof(c->session_token)) >=
	    sizeof(c->session_token)) {
		lerr_set(e, LERR_CREDS, "instance role credentials too long");
		goto out;
	}
	c->expiration = exp;
	c->source = "instance role";
	rc = 0;
out:
	explicit_bzero(&ic, sizeof(ic));
	return rc;
}

int
creds_resolve(struct imds *m, const struct deadline *dl, int64_t now,
    struct credentials *c, struct lerr *e)
{
	const char	*akid = getenv("AWS_ACCESS_KEY_ID");
	int		 rc;

	memset(c, 0, sizeof(*c));
	if (akid != NULL && akid[0] != '\0')
		rc = creds_from_env(c, e);
	else if (m == NULL) {
		lerr_set(e, LERR_CREDS, "no credentials: AWS_ACCESS_KEY_ID is "
		    "not set and instance metadata is disabled");
		rc = -1;
	} else
		rc = creds_from_imds(m, dl, now, c, e);
	if (rc == -1) {
		creds_clear(c);
		return -1;
	}
	log_msg(LOG_VERBOSE, "credentials from the %s", c->source);
	return 0;
}
