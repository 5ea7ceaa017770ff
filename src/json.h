/*
 * json: the JSON documents leader-exec reads (IMDS identity document, IMDS
 * role credentials, the EB deployment manifest) and the escaping it needs
 * to write JSON.  The only file that includes jsmn.  Pure: buffers in,
 * plain structs out.  Bounded: documents over JSON_MAX_TOKENS tokens are
 * refused.
 */
#ifndef LEADER_EXEC_JSON_H
#define LEADER_EXEC_JSON_H

#include <stddef.h>

#include "buf.h"

#define JSON_MAX_TOKENS	512

struct imds_identity {
	char	instance_id[32];
	char	region[32];
	char	account_id[32];		/* "" when absent */
};

struct imds_credentials {
	char	code[32];		/* "Success" */
	char	access_key_id[128];
	char	secret_access_key[128];
	char	token[4096];
	char	expiration[40];		/* ISO 8601 as served, "" if absent */
};

/*
 * Top-level object with instanceId and region (strings, non-empty,
 * fitting the fields; ids [A-Za-z0-9-], region [a-z0-9-] since it becomes
 * part of a host name).  The struct is zeroed on failure.  0, or -1 with a
 * reason in err.
 */
int	json_parse_identity(const char *, size_t, struct imds_identity *,
	    char *err, size_t errlen);
/*
 * Top-level object with Code, AccessKeyId, SecretAccessKey, Token and
 * Expiration.  A Code other than "Success" is an error naming the code.
 * Key, secret and token must be printable ASCII without spaces (they go
 * into HTTP headers).  Nothing of a secret is ever copied into err, and
 * the struct is zeroed on failure.  0, or -1 with a reason.
 */
int	json_parse_credentials(const char *, size_t,
	    struct imds_credentials *, char *err, size_t errlen);
/*
 * The EB deployment manifest: DeploymentId as an integer or a string of
 * digits (other fields are ignored, whatever their type) into epoch as
 * decimal text.  0, or -1 with a reason in err.
 */
int	json_parse_manifest(const char *, size_t, char *epoch, size_t epochlen,
	    char *err, size_t errlen);
/* Append s as a JSON string literal (quotes included).  0 or -1. */
int	json_write_string(struct buf *, const char *s);

#endif
