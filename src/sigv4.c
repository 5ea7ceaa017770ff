/*
 * sigv4: AWS Signature Version 4, built in stages (see sigv4.h).
 *
 * The only file of the project that includes OpenSSL.  Pure: the date is
 * an argument, nothing here reads the clock, the environment or the
 * network.  Every function that appends to a caller's buffer leaves it
 * as it was when it fails.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "sigv4.h"
#include "util.h"

#define SIGV4_ALGORITHM		"AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR	"aws4_request"
#define SHA256_LEN		32
#define SHA256_BLOCK		64	/* HMAC block size of SHA-256 */

/* A header as signed: the caller's strings, sorted by lowercase name. */
struct sorted_header {
	const char	*name;
	const char	*value;
	size_t		 pos;		/* index in the request: keeps order */
};

/* A canonical query pair: offsets of NUL-terminated encoded strings. */
struct query_pair {
	size_t		 koff;
	size_t		 voff;
	const char	*key;
	const char	*value;
};

static const char	 hexlower[] = "0123456789abcdef";
static const char	 hexupper[] = "0123456789ABCDEF";

/* Drop whatever was appended to b after len (used on failure). */
static void
rollback(struct buf *b, size_t len)
{
	if (b->data != NULL && b->len > len) {
		explicit_bzero(b->data + len, b->len - len);
		b->len = len;
		b->data[len] = '\0';
	}
}

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* The whitespace Python's str.split() drops, as botocore folds values. */
static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

static unsigned char
to_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void
hex_encode(const uint8_t *p, size_t len, char *out)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hexlower[p[i] >> 4];
		out[2 * i + 1] = hexlower[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static int
sha256(const void *data, size_t len, uint8_t md[SHA256_LEN])
{
	unsigned int	 mdlen = 0;

	if (data == NULL)
		data = "";
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != SHA256_LEN)
		return -1;
	return 0;
}

static int
hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
    uint8_t md[SHA256_LEN])
{
	unsigned int	 mdlen = 0;

	if (keylen > INT_MAX)
		return -1;
	if (HMAC(EVP_sha256(), key, (int)keylen, data, len, md,
	    &mdlen) == NULL || mdlen != SHA256_LEN)
		return -1;
	return 0;
}

/*
 * The HMAC chain.  The first key is "AWS4" + secret; HMAC replaces a key
 * longer than its block by the key's hash (RFC 2104), so a long secret is
 * hashed here in two pieces rather than copied into a heap buffer.
 */
static int
derive_key(const char *secret, const char *date8, const char *region,
    const char *service, uint8_t key[SHA256_LEN])
{
	EVP_MD_CTX	*ctx = NULL;
	uint8_t		 ksecret[SHA256_BLOCK];
	uint8_t		 kdate[SHA256_LEN], kregion[SHA256_LEN];
	uint8_t		 kservice[SHA256_LEN];
	size_t		 slen, klen;
	unsigned int	 mdlen = 0;
	int		 rc = -1;

	slen = strlen(secret);
	if (slen <= sizeof(ksecret) - 4) {
		memcpy(ksecret, "AWS4", 4);
		memcpy(ksecret + 4, secret, slen);
		klen = 4 + slen;
	} else {
		if ((ctx = EVP_MD_CTX_new()) == NULL)
			goto out;
		if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(ctx, "AWS4", 4) != 1 ||
		    EVP_DigestUpdate(ctx, secret, slen) != 1 ||
		    EVP_DigestFinal_ex(ctx, ksecret, &mdlen) != 1 ||
		    mdlen != SHA256_LEN)
			goto out;
		klen = SHA256_LEN;
	}
	if (hmac_sha256(ksecret, klen, date8, strlen(date8), kdate) == -1 ||
	    hmac_sha256(kdate, sizeof(kdate), region, strlen(region),
	    kregion) == -1 ||
	    hmac_sha256(kregion, sizeof(kregion), service, strlen(service),
	    kservice) == -1 ||
	    hmac_sha256(kservice, sizeof(kservice), SIGV4_TERMINATOR,
	    strlen(SIGV4_TERMINATOR), key) == -1)
		goto out;
	rc = 0;
 out:
	EVP_MD_CTX_free(ctx);
	explicit_bzero(ksecret, sizeof(ksecret));
	explicit_bzero(kdate, sizeof(kdate));
	explicit_bzero(kregion, sizeof(kregion));
	explicit_bzero(kservice, sizeof(kservice));
	if (rc == -1)
		explicit_bzero(key, SHA256_LEN);
	return rc;
}

static int
sign_hex(const uint8_t key[SHA256_LEN], const char *sts, char out[65])
{
	uint8_t	 md[SHA256_LEN];

	if (hmac_sha256(key, SHA256_LEN, sts, strlen(sts), md) == -1) {
		out[0] = '\0';
		return -1;
	}
	hex_encode(md, sizeof(md), out);
	return 0;
}

void
sigv4_amz_date(time_t t, char out[17])
{
	struct tm	 tm;

	out[0] = '\0';
	if (gmtime_r(&t, &tm) == NULL)
		return;
	/* Years past 9999 (or before 1000) do not fit the format. */
	if (strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		out[0] = '\0';
}

void
sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	uint8_t	 md[SHA256_LEN];

	if (sha256(data, len, md) == -1) {
		out[0] = '\0';
		return;
	}
	hex_encode(md, sizeof(md), out);
}

static int
encode_byte(struct buf *out, unsigned char c, int keep_slash)
{
	char	 pct[3];

	if (is_unreserved(c) || (c == '/' && keep_slash))
		return buf_append(out, &c, 1);
	pct[0] = '%';
	pct[1] = hexupper[c >> 4];
	pct[2] = hexupper[c & 0x0f];
	return buf_append(out, pct, sizeof(pct));
}

int
sigv4_uri_encode(struct buf *out, const char *s, size_t len, int keep_slash)
{
	size_t	 start = out->len, i;

	for (i = 0; i < len; i++) {
		if (encode_byte(out, (unsigned char)s[i], keep_slash) == -1) {
			rollback(out, start);
			return -1;
		}
	}
	return 0;
}

/*
 * The canonical URI: the path as sent, with empty and "." segments
 * dropped and ".." removing the segment before it (RFC 3986 5.2.4), then
 * each segment encoded once more, as SigV4 wants for every service but
 * S3.  A trailing "/", "." or ".." leaves a trailing slash.
 */
static int
append_canonical_uri(struct buf *out, const char *path)
{
	const char	*seg, *end;
	size_t		 start = out->len, len, i;
	int		 trailing = 0;

	seg = path;
	while (*seg != '\0') {
		if (*seg == '/') {
			seg++;
			trailing = 1;
			continue;
		}
		if ((end = strchr(seg, '/')) == NULL)
			end = seg + strlen(seg);
		len = (size_t)(end - seg);
		trailing = 0;
		if (len == 1 && seg[0] == '.') {
			trailing = 1;
		} else if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			/* Encoded segments hold no '/': pop the last one. */
			for (i = out->len; i > start; i--)
				if (out->data[i - 1] == '/')
					break;
			if (i > start)
				rollback(out, i - 1);
			trailing = 1;
		} else if (buf_append(out, "/", 1) == -1 ||
		    sigv4_uri_encode(out, seg, len, 0) == -1) {
			return -1;
		}
		seg = end;
	}
	if (out->len == start || trailing)
		return buf_append(out, "/", 1);
	return 0;
}

/*
 * One key or value of the query: percent-escapes the caller already made
 * are decoded first, so "%e1%88%b4", "%E1%88%B4" and the raw bytes all
 * sign alike; a '%' not followed by two hex digits is taken literally.
 * '+' is a literal plus, not a space.
 */
static int
append_query_component(struct buf *out, const char *s, size_t len)
{
	size_t		 i;
	unsigned char	 c;
	int		 hi, lo;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%' && i + 2 < len &&
		    (hi = hex_value((unsigned char)s[i + 1])) != -1 &&
		    (lo = hex_value((unsigned char)s[i + 2])) != -1) {
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (encode_byte(out, c, 0) == -1)
			return -1;
	}
	return 0;
}

static int
query_pair_cmp(const void *a, const void *b)
{
	const struct query_pair	*pa = a, *pb = b;
	int			 r;

	if ((r = strcmp(pa->key, pb->key)) != 0)
		return r;
	return strcmp(pa->value, pb->value);
}

/*
 * The canonical query string: "k=v" pairs split on '&' (empty pieces
 * skipped, a missing '=' meaning an empty value), key and value encoded,
 * sorted by encoded key then encoded value, joined by '&'.
 */
static int
append_canonical_query(struct buf *out, const char *query)
{
	struct buf		 enc;
	struct query_pair	*pairs = NULL;
	const char		*p, *amp, *eq;
	size_t			 npairs = 0, maxpairs = 1, i;
	int			 rc = -1;

	if (query == NULL || *query == '\0')
		return 0;
	buf_init(&enc, out->max);
	for (p = query; *p != '\0'; p++)
		if (*p == '&')
			maxpairs++;
	if ((pairs = reallocarray(NULL, maxpairs, sizeof(*pairs))) == NULL)
		goto out;

	/* Encoded keys and values go into enc, each ending in a NUL. */
	for (p = query; *p != '\0'; p = *amp == '&' ? amp + 1 : amp) {
		if ((amp = strchr(p, '&')) == NULL)
			amp = p + strlen(p);
		if (amp == p)
			continue;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		pairs[npairs].koff = enc.len;
		if (append_query_component(&enc, p, (size_t)(eq - p)) == -1 ||
		    buf_append(&enc, "", 1) == -1)
			goto out;
		pairs[npairs].voff = enc.len;
		if (eq < amp && append_query_component(&enc, eq + 1,
		    (size_t)(amp - eq - 1)) == -1)
			goto out;
		if (buf_append(&enc, "", 1) == -1)
			goto out;
		npairs++;
	}
	if (npairs == 0) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < npairs; i++) {
		pairs[i].key = enc.data + pairs[i].koff;
		pairs[i].value = enc.data + pairs[i].voff;
	}
	qsort(pairs, npairs, sizeof(*pairs), query_pair_cmp);
	for (i = 0; i < npairs; i++) {
		if ((i > 0 && buf_append(out, "&", 1) == -1) ||
		    buf_puts(out, pairs[i].key) == -1 ||
		    buf_append(out, "=", 1) == -1 ||
		    buf_puts(out, pairs[i].value) == -1)
			goto out;
	}
	rc = 0;
 out:
	free(pairs);
	buf_free(&enc);
	return rc;
}

/* ASCII case-insensitive strcmp, so the locale plays no part. */
static int
name_cmp(const char *a, const char *b)
{
	unsigned char	 ca, cb;

	for (;; a++, b++) {
		ca = to_lower((unsigned char)*a);
		cb = to_lower((unsigned char)*b);
		if (ca != cb || ca == '\0')
			return (int)ca - (int)cb;
	}
}

static int
sorted_header_cmp(const void *a, const void *b)
{
	const struct sorted_header	*ha = a, *hb = b;
	int				 r;

	if ((r = name_cmp(ha->name, hb->name)) != 0)
		return r;
	return ha->pos < hb->pos ? -1 : ha->pos > hb->pos;
}

/* A token as RFC 9110 allows for a field name: no controls, space, ':'. */
static int
valid_header_name(const char *name)
{
	const unsigned char	*p;

	if (name == NULL || *name == '\0')
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p <= ' ' || *p == ':' || *p >= 0x7f)
			return 0;
	return 1;
}

/*
 * The request's headers sorted by lowercase name, headers of the same
 * name kept in the order they were given.  *out is allocated (NULL when
 * there are none); the caller frees it.
 */
static int
sort_headers(const struct sigv4_request *req, struct sorted_header **out)
{
	struct sorted_header	*h;
	size_t			 i;

	*out = NULL;
	if (req->nheaders == 0)
		return 0;
	if (req->headers == NULL)
		return -1;
	if ((h = reallocarray(NULL, req->nheaders, sizeof(*h))) == NULL)
		return -1;
	for (i = 0; i < req->nheaders; i++) {
		if (!valid_header_name(req->headers[i].name) ||
		    req->headers[i].value == NULL) {
			free(h);
			return -1;
		}
		h[i].name = req->headers[i].name;
		h[i].value = req->headers[i].value;
		h[i].pos = i;
	}
	qsort(h, req->nheaders, sizeof(*h), sorted_header_cmp);
	*out = h;
	return 0;
}

static int
append_lower(struct buf *out, const char *s)
{
	unsigned char	 c;

	for (; *s != '\0'; s++) {
		c = to_lower((unsigned char)*s);
		if (buf_append(out, &c, 1) == -1)
			return -1;
	}
	return 0;
}

/*
 * A value as signed: leading and trailing whitespace dropped, every inner
 * run of whitespace (folded line breaks included) made one space.
 */
static int
append_trimmed(struct buf *out, const char *v)
{
	const char	*run;
	int		 gap = 0;

	while (is_space((unsigned char)*v))
		v++;
	while (*v != '\0') {
		if (is_space((unsigned char)*v)) {
			gap = 1;
			v++;
			continue;
		}
		if (gap && buf_append(out, " ", 1) == -1)
			return -1;
		gap = 0;
		for (run = v; *v != '\0' && !is_space((unsigned char)*v); v++)
			;
		if (buf_append(out, run, (size_t)(v - run)) == -1)
			return -1;
	}
	return 0;
}

static int
append_signed_headers(const struct sorted_header *h, size_t n,
    struct buf *out)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (i > 0 && name_cmp(h[i - 1].name, h[i].name) == 0)
			continue;
		if ((i > 0 && buf_append(out, ";", 1) == -1) ||
		    append_lower(out, h[i].name) == -1)
			return -1;
	}
	return 0;
}

/* "name:value\n" per distinct name; values of a repeated name joined by ','. */
static int
append_canonical_headers(const struct sorted_header *h, size_t n,
    struct buf *out)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (i > 0 && name_cmp(h[i - 1].name, h[i].name) == 0) {
			if (buf_append(out, ",", 1) == -1)
				return -1;
		} else {
			if ((i > 0 && buf_append(out, "\n", 1) == -1) ||
			    append_lower(out, h[i].name) == -1 ||
			    buf_append(out, ":", 1) == -1)
				return -1;
		}
		if (append_trimmed(out, h[i].value) == -1)
			return -1;
	}
	if (n > 0 && buf_append(out, "\n", 1) == -1)
		return -1;
	return 0;
}

int
sigv4_canonical_request(const struct sigv4_request *req, struct buf *out)
{
	struct sorted_header	*h = NULL;
	const char		*path;
	char			 hash[65];
	size_t			 start = out->len;
	int			 rc = -1;

	path = req->path != NULL ? req->path : "";
	if (req->method == NULL || *req->method == '\0' ||
	    (req->body == NULL && req->body_len > 0))
		goto out;
	if (sort_headers(req, &h) == -1)
		goto out;
	sigv4_sha256_hex(req->body, req->body_len, hash);
	if (hash[0] == '\0')
		goto out;
	if (buf_puts(out, req->method) == -1 ||
	    buf_append(out, "\n", 1) == -1 ||
	    (req->raw_path ? buf_puts(out, *path != '\0' ? path : "/") :
	    append_canonical_uri(out, path)) == -1 ||
	    buf_append(out, "\n", 1) == -1 ||
	    append_canonical_query(out, req->query) == -1 ||
	    buf_append(out, "\n", 1) == -1 ||
	    append_canonical_headers(h, req->nheaders, out) == -1 ||
	    buf_append(out, "\n", 1) == -1 ||
	    append_signed_headers(h, req->nheaders, out) == -1 ||
	    buf_append(out, "\n", 1) == -1 ||
	    buf_puts(out, hash) == -1)
		goto out;
	rc = 0;
 out:
	free(h);
	if (rc == -1)
		rollback(out, start);
	return rc;
}

int
sigv4_signed_headers(const struct sigv4_request *req, struct buf *out)
{
	struct sorted_header	*h = NULL;
	size_t			 start = out->len;
	int			 rc = -1;

	if (sort_headers(req, &h) == -1)
		goto out;
	if (append_signed_headers(h, req->nheaders, out) == -1)
		goto out;
	rc = 0;
 out:
	free(h);
	if (rc == -1)
		rollback(out, start);
	return rc;
}

/* "YYYYMMDDTHHMMSSZ", digits where digits belong. */
static int
valid_amz_date(const char *d)
{
	size_t	 i;

	if (d == NULL || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return 0;
	for (i = 0; i < 15; i++)
		if (i != 8 && (d[i] < '0' || d[i] > '9'))
			return 0;
	return 1;
}

/* A credential-scope part: not empty, no '/', no space or control. */
static int
valid_scope_part(const char *s)
{
	const unsigned char	*p;

	if (s == NULL || *s == '\0')
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p == '/' || *p == ',' || *p == 0x7f)
			return 0;
	return 1;
}

int
sigv4_string_to_sign(const char *amz_date, const char *region,
    const char *service, const char *canonical_request, struct buf *out)
{
	char	 hash[65];
	size_t	 start = out->len;

	if (!valid_amz_date(amz_date) || !valid_scope_part(region) ||
	    !valid_scope_part(service) || canonical_request == NULL)
		return -1;
	sigv4_sha256_hex(canonical_request, strlen(canonical_request), hash);
	if (hash[0] == '\0')
		return -1;
	if (buf_printf(out, "%s\n%s\n%.8s/%s/%s/%s\n%s", SIGV4_ALGORITHM,
	    amz_date, amz_date, region, service, SIGV4_TERMINATOR,
	    hash) == -1) {
		rollback(out, start);
		return -1;
	}
	return 0;
}

void
sigv4_signing_key(const char *secret, const char *date8, const char *region,
    const char *service, uint8_t key[32])
{
	(void)derive_key(secret, date8, region, service, key);
}

void
sigv4_signature(const uint8_t key[32], const char *string_to_sign,
    char out[65])
{
	(void)sign_hex(key, string_to_sign, out);
}

/*
 * Exactly one header called name (any case) whose value, without
 * surrounding whitespace, is want.  NULL want: present once, any value.
 */
static int
has_header(const struct sigv4_request *req, const char *name,
    const char *want)
{
	const char	*v, *e;
	size_t		 i, found = 0;

	for (i = 0; i < req->nheaders; i++) {
		if (req->headers[i].name == NULL ||
		    name_cmp(req->headers[i].name, name) != 0)
			continue;
		if (found++ > 0 || (v = req->headers[i].value) == NULL)
			return 0;
		if (want == NULL)
			continue;
		while (is_space((unsigned char)*v))
			v++;
		e = v + strlen(v);
		while (e > v && is_space((unsigned char)e[-1]))
			e--;
		if ((size_t)(e - v) != strlen(want) ||
		    memcmp(v, want, (size_t)(e - v)) != 0)
			return 0;
	}
	return found == 1;
}

int
sigv4_authorization(const struct sigv4_request *req,
    const struct sigv4_credentials *creds, const char *amz_date,
    const char *region, const char *service, struct buf *out)
{
	struct buf	 creq, sts;
	uint8_t		 key[SHA256_LEN];
	char		 date8[9], sig[65];
	size_t		 start = out->len;
	int		 rc = -1;

	buf_init(&creq, 0);
	buf_init(&sts, 0);
	explicit_bzero(key, sizeof(key));

	if (creds == NULL || !valid_scope_part(creds->access_key_id) ||
	    creds->secret_access_key == NULL || !valid_amz_date(amz_date))
		goto out;
	if (req->headers == NULL && req->nheaders > 0)
		goto out;
	/* Refuse what AWS would reject with a less helpful answer. */
	if (!has_header(req, "host", NULL) ||
	    !has_header(req, "x-amz-date", amz_date))
		goto out;
	if (creds->session_token != NULL && *creds->session_token != '\0' &&
	    !has_header(req, "x-amz-security-token", creds->session_token))
		goto out;
	memcpy(date8, amz_date, 8);
	date8[8] = '\0';

	if (sigv4_canonical_request(req, &creq) == -1 ||
	    sigv4_string_to_sign(amz_date, region, service, creq.data,
	    &sts) == -1)
		goto out;
	if (derive_key(creds->secret_access_key, date8, region, service,
	    key) == -1 || sign_hex(key, sts.data, sig) == -1)
		goto out;
	if (buf_printf(out, "%s Credential=%s/%s/%s/%s/%s, SignedHeaders=",
	    SIGV4_ALGORITHM, creds->access_key_id, date8, region, service,
	    SIGV4_TERMINATOR) == -1 ||
	    sigv4_signed_headers(req, out) == -1 ||
	    buf_printf(out, ", Signature=%s", sig) == -1)
		goto out;
	rc = 0;
 out:
	explicit_bzero(key, sizeof(key));
	buf_free(&creq);
	buf_free(&sts);
	if (rc == -1)
		rollback(out, start);
	return rc;
}
