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

int
creds_header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/*
 * Copy an environment variable into dst; -1 when it does not fit or holds
 * a byte an HTTP header cannot carry (issue 11 item 10).  The value is
 * never echoed.
 */
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
	if (!creds_header_safe(dst)) {
		explicit_bzero(dst, size);
		lerr_set(e, LERR_CREDS, "%s contains a space, a control "
		    "character (such as CR or LF) or a non-ASCII byte, which "
		    "no HTTP header can carry; set it to the credential alone",
		    name);
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
	/*
	 * Static stability, as the AWS SDKs do it: IMDS that cannot refresh
	 * keeps serving the last credentials, and EC2 may still take them.
	 * Warn, try them, let EC2 answer (ExpiredToken: exit 112).
	 */
	if (exp != 0 && exp <= now)
		log_msg(LOG_INFO, "warning: instance role credentials expired "
		    "at %s (%lld s ago) and the metadata service has not "
		    "refreshed them; trying them anyway, as the AWS SDKs do",
		    ic.expiration, (long long)(now - exp));
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
