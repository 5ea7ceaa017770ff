/*
 * fuzz_json: libFuzzer target for json.c.
 *
 * The whole input is a document for json_parse_identity(),
 * json_parse_credentials() and json_parse_manifest(), and (up to its
 * first NUL) a string for json_write_string().  Checked, after json.h:
 * accepted values fit their fields and charsets, a refused document
 * leaves the struct zeroed and a printable reason, the manifest epoch is
 * canonical decimal that fits a small buffer exactly when it fits a large
 * one, and the writer gives a JSON literal that decodes back to its input
 * (invalid UTF-8 as U+FFFD), is accepted by the parser, and is written
 * whole or not at all when the buffer's cap is small.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "json.h"

#define ERRLEN		256
#define EPOCHLEN	65	/* as struct options: ELECTION_EPOCH_MAX + 1 */

/* Every byte of s is allowed by pred. */
static int
all_of(const char *s, int (*pred)(unsigned char))
{
	for (; *s != '\0'; s++)
		if (!pred((unsigned char)*s))
			return 0;
	return 1;
}

static int
is_id(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

static int
is_region(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static int
is_header(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e;
}

static int
is_print(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e;
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* The string fills part of its field and is NUL-terminated there. */
#define FITS(a)	(memchr((a), '\0', sizeof(a)) != NULL)

static void
check_err(const char *err, int rc)
{
	size_t	 n = strlen(err);

	if (rc == 0)
		FUZZ_CHECK(n == 0);
	else
		FUZZ_CHECK(n > 0 && printable(err, n));
}

static void
fuzz_identity(const char *js, size_t len)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];
	int			 rc;

	rc = json_parse_identity(js, len, &id, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	check_err(err, rc);
	if (rc == -1) {
		FUZZ_CHECK(all_zero(&id, sizeof(id)));
		return;
	}
	FUZZ_CHECK(FITS(id.instance_id) && FITS(id.region) &&
	    FITS(id.account_id));
	FUZZ_CHECK(id.instance_id[0] != '\0' && all_of(id.instance_id, is_id));
	FUZZ_CHECK(id.region[0] != '\0' && all_of(id.region, is_region));
	FUZZ_CHECK(all_of(id.account_id, is_id));
}

static void
fuzz_credentials(const char *js, size_t len)
{
	struct imds_credentials	*cr;
	char			 err[ERRLEN];
	int			 rc;

	/* On the heap, so ASan bounds every field's neighbour too. */
	if ((cr = malloc(sizeof(*cr))) == NULL)
		return;
	memset(cr, 0xa5, sizeof(*cr));
	rc = json_parse_credentials(js, len, cr, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	check_err(err, rc);
	if (rc == -1) {
		FUZZ_CHECK(all_zero(cr, sizeof(*cr)));
		free(cr);
		return;
	}
	FUZZ_CHECK(FITS(cr->code) && FITS(cr->access_key_id) &&
	    FITS(cr->secret_access_key) && FITS(cr->token) &&
	    FITS(cr->expiration));
	FUZZ_CHECK(strcmp(cr->code, "Success") == 0);
	FUZZ_CHECK(cr->access_key_id[0] != '\0' &&
	    all_of(cr->access_key_id, is_header));
	FUZZ_CHECK(cr->secret_access_key[0] != '\0' &&
	    all_of(cr->secret_access_key, is_header));
	FUZZ_CHECK(cr->token[0] != '\0' && all_of(cr->token, is_header));
	FUZZ_CHECK(all_of(cr->expiration, is_print));
	free(cr);
}

/* Parse the manifest into a heap buffer of exactly epochlen bytes. */
static int
manifest(const char *js, size_t len, size_t epochlen, char *out,
    size_t outlen)
{
	char	*epoch, err[ERRLEN];
	int	 rc;

	if ((epoch = malloc(epochlen == 0 ? 1 : epochlen)) == NULL)
		return -2;
	memset(epoch, 'x', epochlen == 0 ? 1 : epochlen);
	rc = json_parse_manifest(js, len, epoch, epochlen, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	check_err(err, rc);
	if (epochlen > 0)
		FUZZ_CHECK(memchr(epoch, '\0', epochlen) != NULL);
	if (rc == -1 && epochlen > 0)
		FUZZ_CHECK(epoch[0] == '\0');
	if (rc == 0) {
		FUZZ_CHECK(epoch[0] != '\0' && all_of(epoch, is_digit));
		FUZZ_CHECK(epoch[0] != '0' || epoch[1] == '\0');
		FUZZ_CHECK(strlen(epoch) <= 20);
		FUZZ_CHECK(strlen(epoch) < outlen);
		memcpy(out, epoch, strlen(epoch) + 1);
	}
	free(epoch);
	return rc;
}

static void
fuzz_manifest(const char *js, size_t len, size_t small)
{
	char	 big[EPOCHLEN], tiny[EPOCHLEN];
	int	 rc_big, rc_small;

	rc_big = manifest(js, len, sizeof(big), big, sizeof(big));
	rc_small = manifest(js, len, small, tiny, sizeof(tiny));
	if (rc_big == -2 || rc_small == -2)
		return;
	/* A small buffer only refuses epochs that do not fit it. */
	if (rc_small == 0)
		FUZZ_CHECK(rc_big == 0 && strcmp(big, tiny) == 0);
	else if (rc_big == 0)
		FUZZ_CHECK(strlen(big) + 1 > small);
}

/* Append code point cp as UTF-8. */
static size_t
put_utf8(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decode the first valid UTF-8 sequence at s into *cp (written
 * independently of json.c after RFC 3629): its length, or 0 if the
 * bytes there are not valid UTF-8.
 */
static size_t
get_utf8(const unsigned char *s, unsigned long *cp)
{
	size_t	 n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		*cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		*cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		*cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && *cp < 0x80) || (n == 3 && *cp < 0x800) ||
	    (n == 4 && *cp < 0x10000) || *cp > 0x10ffff ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Decode the JSON literal lit (n bytes, quotes included) as the writer
 * may produce it into out (room for n bytes).  Its length, or -1 when
 * lit holds something the writer must not produce.
 */
static long
decode_literal(const char *lit, size_t n, char *out)
{
	unsigned long	 cp;
	size_t		 i, o = 0, k;
	unsigned int	 v;

	if (n < 2 || lit[0] != '"' || lit[n - 1] != '"')
		return -1;
	for (i = 1; i < n - 1; ) {
		unsigned char	 c = (unsigned char)lit[i];

		if (c == '"' || c < 0x20 || c == 0x7f)
			return -1;
		if (c != '\\') {
			if ((k = get_utf8((const unsigned char *)lit + i,
			    &cp)) == 0 || i + k > n - 1)
				return -1;
			memcpy(out + o, lit + i, k);
			o += k;
			i += k;
			continue;
		}
		if (++i >= n - 1)
			return -1;
		switch (lit[i++]) {
		case '"':
			out[o++] = '"';
			break;
		case '\\':
			out[o++] = '\\';
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'u':
			if (i + 4 > n - 1 || sscanf(lit + i, "%4x", &v) != 1)
				return -1;
			i += 4;
			/* Only controls and U+FFFD need \u from the writer. */
			if (!(v < 0x20 || v == 0x7f || v == 0xfffd))
				return -1;
			o += put_utf8(v, out + o);
			break;
		default:
			return -1;
		}
	}
	return (long)o;
}

/* 1 when the n bytes at s are valid UTF-8. */
static int
valid_utf8(const char *s, size_t n)
{
	unsigned char	 tmp[5];
	unsigned long	 cp;
	size_t		 i = 0, k;

	while (i < n) {
		/* get_utf8() may look 4 bytes ahead: copy, NUL-padded. */
		memset(tmp, 0, sizeof(tmp));
		memcpy(tmp, s + i, n - i < 4 ? n - i : 4);
		if ((k = get_utf8(tmp, &cp)) == 0 || k > n - i)
			return 0;
		i += k;
	}
	return 1;
}

static void
fuzz_write(const char *s, size_t small)
{
	struct buf	 b;
	char		*out, *js;
	size_t		 n = strlen(s), before;
	long		 m;
	char		 err[ERRLEN], epoch[EPOCHLEN];
	int		 rc;

	/* Unbounded: the literal decodes back to s (if s is UTF-8). */
	buf_init(&b, 0);
	FUZZ_CHECK(buf_puts(&b, "{\"k\":") == 0);
	before = b.len;
	FUZZ_CHECK(json_write_string(&b, s) == 0);
	FUZZ_CHECK(b.len > before && b.data[b.len] == '\0');
	if ((out = malloc(b.len - before + 1)) != NULL) {
		m = decode_literal(b.data + before, b.len - before, out);
		FUZZ_CHECK(m >= 0);
		FUZZ_CHECK(valid_utf8(out, (size_t)m));
		if (valid_utf8(s, n))
			FUZZ_CHECK((size_t)m == n && memcmp(out, s, n) == 0);
		free(out);
	}
	/* json.c's own parser accepts what its writer wrote. */
	FUZZ_CHECK(buf_puts(&b, "}") == 0);
	js = b.data;
	rc = json_parse_manifest(js, b.len, epoch, sizeof(epoch), err,
	    sizeof(err));
	FUZZ_CHECK(rc == -1 && strcmp(err, "no DeploymentId") == 0);
	buf_free(&b);

	/* A small cap: all or nothing, and the buffer stays a C string. */
	buf_init(&b, small);
	FUZZ_CHECK(buf_puts(&b, "x") == 0);
	rc = json_write_string(&b, s);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(b.len <= small && b.data[b.len] == '\0');
	if (rc == -1)
		FUZZ_CHECK(b.len == 1 && strcmp(b.data, "x") == 0);
	else
		FUZZ_CHECK(b.data[1] == '"' && b.data[b.len - 1] == '"');
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*js = (const char *)data;
	char		*s;
	uint8_t		 last = size > 0 ? data[size - 1] : 0;

	fuzz_identity(js, size);
	fuzz_credentials(js, size);
	fuzz_manifest(js, size, last % 24);
	if ((s = malloc(size + 1)) != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		fuzz_write(s, 1 + last % 48);
		free(s);
	}
	return 0;
}
