/*
 * sigv4: AWS Signature Version 4, built in stages that tests check one by
 * one.  Pure: the time is an input, nothing here reads the clock, the
 * environment or the network.  The only file that includes OpenSSL.
 *
 * Stages, as in the AWS documentation:
 *   1. sigv4_canonical_request()   method, URI, query, headers, payload hash
 *   2. sigv4_string_to_sign()      algorithm, date, scope, hash of stage 1
 *   3. sigv4_signing_key()         HMAC chain over date, region, service
 *   4. sigv4_signature()           hex HMAC of stage 2 under stage 3
 *   5. sigv4_authorization()       the Authorization header value
 * sigv4_authorization() runs all five for a request.  Appending functions
 * leave their buffer unchanged when they fail.
 */
#ifndef LEADER_EXEC_SIGV4_H
#define LEADER_EXEC_SIGV4_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

struct sigv4_header {
	const char	*name;		/* as sent; lowercased when signed */
	const char	*value;		/* as sent; trimmed when signed */
};

struct sigv4_request {
	const char			*method;	/* "GET", "POST" */
	const char			*path;		/* raw path, e.g. "/" */
	const char			*query;		/* raw query without '?', or "" */
	const struct sigv4_header	*headers;	/* every header to sign */
	size_t				 nheaders;
	const void			*body;
	size_t				 body_len;
	/*
	 * S3: path is already URI-encoded as sent and signed unchanged (no
	 * dot-segment removal, no second encoding).  0 for other services.
	 */
	int				 raw_path;
};

struct sigv4_credentials {
	const char	*access_key_id;
	const char	*secret_access_key;
	const char	*session_token;		/* NULL or "" when none */
};

/* "20150830T123600Z" for t (UTC); out must hold 17 bytes. */
void	sigv4_amz_date(time_t t, char out[17]);
/* Lowercase hex SHA-256 of data; out must hold 65 bytes. */
void	sigv4_sha256_hex(const void *data, size_t len, char out[65]);
/*
 * Append the SigV4 URI encoding of s[0..len) to out: everything but
 * A-Z a-z 0-9 - . _ ~ as %XX (uppercase), and '/' too unless keep_slash.
 * Also the encoding of an application/x-www-form-urlencoded body for the
 * EC2 Query API.  0 or -1 (out full).
 */
int	sigv4_uri_encode(struct buf *out, const char *s, size_t len,
	    int keep_slash);
/* Stage 1: the canonical request into out (appended).  0 or -1. */
int	sigv4_canonical_request(const struct sigv4_request *, struct buf *out);
/* The signed-header list ("content-type;host;x-amz-date") into out. */
int	sigv4_signed_headers(const struct sigv4_request *, struct buf *out);
/* Stage 2: the string to sign into out (appended).  0 or -1. */
int	sigv4_string_to_sign(const char *amz_date, const char *region,
	    const char *service, const char *canonical_request,
	    struct buf *out);
/* Stage 3: the derived signing key. */
void	sigv4_signing_key(const char *secret, const char *date8,
	    const char *region, const char *service, uint8_t key[32]);
/* Stage 4: hex signature of string_to_sign; out must hold 65 bytes. */
void	sigv4_signature(const uint8_t key[32], const char *string_to_sign,
	    char out[65]);
/*
 * Stages 1-5: the Authorization header value for req, signed at amz_date
 * ("YYYYMMDDTHHMMSSZ"), into out (appended).  The caller must already
 * have put Host, X-Amz-Date and, with a session token, X-Amz-Security-Token
 * among req->headers.  Intermediate secrets are zeroed.  0 or -1.
 */
int	sigv4_authorization(const struct sigv4_request *,
	    const struct sigv4_credentials *, const char *amz_date,
	    const char *region, const char *service, struct buf *out);

#endif
