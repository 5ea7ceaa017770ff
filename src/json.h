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
#include <stdint.h>

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
/* What json_parse_members() reads for one top-level key. */
enum json_kind {
	JSON_KIND_STRING,	/* a string, decoded into str */
	JSON_KIND_INT,		/* an integer in [min, max], into *num */
	JSON_KIND_INT_OR_NULL	/* as JSON_KIND_INT, or null (isnull set) */
};

struct json_member {
	const char	*name;		/* the key, at most 63 bytes */
	enum json_kind	 kind;
	char		*str;		/* JSON_KIND_STRING: strsize bytes */
	size_t		 strsize;
	int64_t		*num;		/* JSON_KIND_INT*: the value */
	int64_t		 min, max;	/* JSON_KIND_INT*: allowed range */
	int		 isnull;	/* out: the value was null */
};

/*
 * Read the members m[0..n) of the top-level object of js: every one is
 * required, with the type its kind says; a string may be empty, holds
 * no NUL (\u0000 is refused) and must fit str with its NUL; an integer
 * is written without fraction or exponent and must lie in [min, max].
 * Any top-level key given twice is an error, listed or not, as is a key
 * longer than 63 bytes.  Keys not listed are an error unless unknown_ok,
 * then their values (any JSON) are skipped.  Errors name the key, never
 * a value.  0; or -1 with a reason in err, the strings emptied and the
 * numbers zeroed.
 */
int	json_parse_members(const char *js, size_t len, struct json_member *m,
	    size_t n, int unknown_ok, char *err, size_t errlen);
/*
 * 1 when s is valid UTF-8 (RFC 3629: no overlong forms, surrogates or
 * code points above U+10FFFF) without C0 control characters or DEL.
 */
int	json_text_ok(const char *s);
/* Append s as a JSON string literal (quotes included).  0 or -1. */
int	json_write_string(struct buf *, const char *s);

#endif
