/*
 * json: the JSON documents leader-exec reads (IMDS identity document, IMDS
 * role credentials, the EB deployment manifest) and the escaping it needs
 * to write JSON.
 *
 * jsmn cuts a document into tokens; it is lenient about separators and
 * primitives, so doc_parse() checks the text between and inside the
 * tokens against the JSON grammar before anything looks at a value.  The
 * walkers then only visit the keys of the top-level object and skip
 * nested values whole, so a key inside a nested object never matches.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "buf.h"
#include "json.h"
#include "util.h"

#define JSON_MAX_DEPTH		64	/* nested objects and arrays */
#define JSON_KEY_MAX		64	/* longest key worth comparing */
#define MANIFEST_ID_DIGITS	20	/* digits in a DeploymentId */

struct doc {
	const char	*js;
	int		 ntok;
	jsmntok_t	 tok[JSON_MAX_TOKENS];
};

/* A top-level key to look for and the token of its value (-1: absent). */
struct field {
	const char	*name;
	int		 val;
};

/* What may appear in a decoded string value. */
enum charset {
	CS_ANY,		/* anything but NUL */
	CS_ID,		/* A-Z a-z 0-9 '-': instance and account ids */
	CS_REGION,	/* a-z 0-9 '-': goes into a host name */
	CS_HEADER,	/* printable ASCII but space: goes into a header */
	CS_PRINT	/* printable ASCII */
};

enum {
	DEC_OK = 0,
	DEC_INVALID = -1,
	DEC_TOOLONG = -2
};

static void	 seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* First byte of the text of token t (the opening quote of a string). */
static int
tok_begin(const jsmntok_t *t)
{
	return t->type == JSMN_STRING ? t->start - 1 : t->start;
}

/* One past the last byte of the text of token t. */
static int
tok_end(const jsmntok_t *t)
{
	return t->type == JSMN_STRING ? t->end + 1 : t->end;
}

/*
 * The text js[from..to) is whitespace around exactly one sep, or only
 * whitespace when sep is NUL.
 */
static int
gap_ok(const char *js, int from, int to, char sep)
{
	int	 seen = 0;

	if (from > to)
		return 0;
	for (; from < to; from++) {
		if (is_ws(js[from]))
			continue;
		if (sep != '\0' && js[from] == sep && !seen) {
			seen = 1;
			continue;
		}
		return 0;
	}
	return sep == '\0' || seen;
}

/* A JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
number_ok(const char *s, int n)
{
	int	 i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9') {
		while (i < n && is_digit(s[i]))
			i++;
	} else
		return 0;
	if (i < n && s[i] == '.') {
		d = ++i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == d)
			return 0;
	}
	return i == n;
}

static int
primitive_ok(const char *s, int n)
{
	if ((n == 4 && memcmp(s, "true", 4) == 0) ||
	    (n == 5 && memcmp(s, "false", 5) == 0) ||
	    (n == 4 && memcmp(s, "null", 4) == 0))
		return 1;
	return number_ok(s, n);
}

/* jsmn checks escapes but lets raw control characters through. */
static int
string_ok(const char *s, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return 0;
	return 1;
}

/*
 * Check the value at token i and everything nested in it against the
 * grammar; *next is the token after it.  0, or -1 with why set.
 */
static int
check_value(const struct doc *d, int i, int depth, int *next,
    const char **why)
{
	const jsmntok_t	*t, *c;
	int		 j, k, pos;

	*why = "invalid JSON";
	if (i >= d->ntok)
		return -1;
	t = &d->tok[i];
	switch (t->type) {
	case JSMN_STRING:
		if (!string_ok(d->js + t->start, t->end - t->start)) {
			*why = "control character in a string";
			return -1;
		}
		*next = i + 1;
		return 0;
	case JSMN_PRIMITIVE:
		if (!primitive_ok(d->js + t->start, t->end - t->start))
			return -1;
		*next = i + 1;
		return 0;
	case JSMN_OBJECT:
	case JSMN_ARRAY:
		break;
	default:
		return -1;
	}
	if (depth >= JSON_MAX_DEPTH) {
		*why = "nested too deeply";
		return -1;
	}
	pos = t->start + 1;
	j = i + 1;
	for (k = 0; k < t->size; k++) {
		if (j >= d->ntok)
			return -1;
		c = &d->tok[j];
		if (!gap_ok(d->js, pos, tok_begin(c), k > 0 ? ',' : '\0'))
			return -1;
		if (t->type == JSMN_OBJECT) {
			if (c->type != JSMN_STRING || c->size != 1)
				return -1;
			if (!string_ok(d->js + c->start, c->end - c->start)) {
				*why = "control character in a string";
				return -1;
			}
			pos = tok_end(c);
			if (++j >= d->ntok)
				return -1;
			c = &d->tok[j];
			if (!gap_ok(d->js, pos, tok_begin(c), ':'))
				return -1;
		}
		if (check_value(d, j, depth + 1, &j, why) == -1)
			return -1;
		pos = tok_end(c);
	}
	*why = "invalid JSON";
	if (t->end < 1 || !gap_ok(d->js, pos, t->end - 1, '\0'))
		return -1;
	*next = j;
	return 0;
}

/*
 * Tokenize js and check that it is one well-formed JSON object.  0, or -1
 * with a reason in err.
 */
static int
doc_parse(struct doc *d, const char *js, size_t len, char *err,
    size_t errlen)
{
	jsmn_parser	 p;
	const char	*why;
	size_t		 i;
	int		 r, next;

	d->js = js;
	d->ntok = 0;
	if (js == NULL) {
		seterr(err, errlen, "empty document");
		return -1;
	}
	if (len > INT_MAX) {
		seterr(err, errlen, "document too large");
		return -1;
	}
	if (memchr(js, '\0', len) != NULL) {
		seterr(err, errlen, "NUL byte in document");
		return -1;
	}
	for (i = 0; i < len && is_ws(js[i]); i++)
		;
	if (i == len) {
		seterr(err, errlen, "empty document");
		return -1;
	}
	if (js[i] != '{') {
		seterr(err, errlen, "top-level value is not an object");
		return -1;
	}

	jsmn_init(&p);
	r = jsmn_parse(&p, js, len, d->tok, JSON_MAX_TOKENS);
	if (r == JSMN_ERROR_NOMEM) {
		seterr(err, errlen, "too many tokens");
		return -1;
	}
	if (r == JSMN_ERROR_PART) {
		seterr(err, errlen, "truncated JSON");
		return -1;
	}
	if (r < 1) {
		seterr(err, errlen, "invalid JSON");
		return -1;
	}
	d->ntok = r;
	if (d->tok[0].type != JSMN_OBJECT ||
	    !gap_ok(js, d->tok[0].end, (int)len, '\0')) {
		seterr(err, errlen, "invalid JSON");
		return -1;
	}
	if (check_value(d, 0, 0, &next, &why) == -1) {
		seterr(err, errlen, "%s", why);
		return -1;
	}
	if (next != r) {
		seterr(err, errlen, "invalid JSON");
		return -1;
	}
	return 0;
}

/* The token after the value at i and everything nested in it. */
static int
tok_skip(const struct doc *d, int i)
{
	int	 pending = 1;

	while (pending > 0 && i < d->ntok) {
		pending += d->tok[i].size;
		pending--;
		i++;
	}
	return i;
}

static int
hex4(const char *s, unsigned int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		*v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			*v |= (unsigned int)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			*v |= (unsigned int)(s[i] - 'a' + 10);
		else if (s[i] >= 'A' && s[i] <= 'F')
			*v |= (unsigned int)(s[i] - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* Encode code point cp as UTF-8 into out; the number of bytes. */
static size_t
utf8_encode(unsigned int cp, unsigned char out[4])
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decode the body of a JSON string (s, n bytes, without the quotes) into
 * dst as a C string.  DEC_OK; DEC_INVALID with why set; or DEC_TOOLONG.
 * On failure dst is zeroed, as it may hold part of a secret.
 */
static int
str_decode(const char *s, size_t n, char *dst, size_t dstlen,
    const char **why)
{
	unsigned char	 u[4];
	unsigned int	 cp, lo;
	size_t		 i = 0, o = 0, k;
	int		 rc = DEC_INVALID;

	*why = "invalid string";
	if (dstlen == 0)
		return DEC_TOOLONG;
	while (i < n) {
		if (s[i] != '\\') {
			u[0] = (unsigned char)s[i++];
			k = 1;
		} else {
			if (++i >= n)
				goto fail;
			switch (s[i++]) {
			case '"':
				u[0] = '"';
				break;
			case '\\':
				u[0] = '\\';
				break;
			case '/':
				u[0] = '/';
				break;
			case 'b':
				u[0] = '\b';
				break;
			case 'f':
				u[0] = '\f';
				break;
			case 'n':
				u[0] = '\n';
				break;
			case 'r':
				u[0] = '\r';
				break;
			case 't':
				u[0] = '\t';
				break;
			case 'u':
				if (n - i < 4 || hex4(s + i, &cp) == -1) {
					*why = "invalid \\u escape";
					goto fail;
				}
				i += 4;
				if (cp == 0) {
					*why = "\\u0000 not allowed";
					goto fail;
				}
				if (cp >= 0xdc00 && cp <= 0xdfff) {
					*why = "unpaired surrogate";
					goto fail;
				}
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (n - i < 6 || s[i] != '\\' ||
					    s[i + 1] != 'u' ||
					    hex4(s + i + 2, &lo) == -1 ||
					    lo < 0xdc00 || lo > 0xdfff) {
						*why = "unpaired surrogate";
						goto fail;
					}
					i += 6;
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
				}
				k = utf8_encode(cp, u);
				goto put;
			default:
				*why = "invalid escape";
				goto fail;
			}
			k = 1;
		}
 put:
		if (k >= dstlen - o) {
			rc = DEC_TOOLONG;
			goto fail;
		}
		memcpy(dst + o, u, k);
		o += k;
	}
	dst[o] = '\0';
	explicit_bzero(u, sizeof(u));
	return DEC_OK;

 fail:
	explicit_bzero(u, sizeof(u));
	explicit_bzero(dst, dstlen);
	return rc;
}

static int
charset_ok(const char *s, enum charset cs)
{
	unsigned char	 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		switch (cs) {
		case CS_ANY:
			break;
		case CS_ID:
			if (!((c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-'))
				return 0;
			break;
		case CS_REGION:
			if (!((c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '-'))
				return 0;
			break;
		case CS_HEADER:
			if (c < 0x21 || c > 0x7e)
				return 0;
			break;
		case CS_PRINT:
			if (c < 0x20 || c > 0x7e)
				return 0;
			break;
		}
	}
	return 1;
}

/*
 * Find the values of the wanted keys among the keys of the top-level
 * object.  A wanted key given twice is an error.  0, or -1 with err set.
 */
static int
doc_fields(const struct doc *d, struct field *f, size_t nf, char *err,
    size_t errlen)
{
	char		 key[JSON_KEY_MAX];
	const char	*why;
	const jsmntok_t	*t;
	size_t		 j;
	int		 i, k;

	for (j = 0; j < nf; j++)
		f[j].val = -1;
	i = 1;
	for (k = 0; k < d->tok[0].size && i + 1 < d->ntok; k++) {
		t = &d->tok[i];
		if (str_decode(d->js + t->start, (size_t)(t->end - t->start),
		    key, sizeof(key), &why) == DEC_OK) {
			for (j = 0; j < nf; j++) {
				if (strcmp(key, f[j].name) != 0)
					continue;
				if (f[j].val != -1) {
					seterr(err, errlen, "duplicate %s",
					    f[j].name);
					return -1;
				}
				f[j].val = i + 1;
			}
		}
		i = tok_skip(d, i + 1);
	}
	return 0;
}

/*
 * Copy the string value of field f into dst.  Absent is an error when
 * required, else dst is "".  Only the field name ever goes into err.
 * 0, or -1 with err set and dst zeroed.
 */
static int
copy_string(const struct doc *d, const struct field *f, char *dst,
    size_t dstlen, int required, enum charset cs, char *err, size_t errlen)
{
	const jsmntok_t	*t;
	const char	*why;
	int		 rc;

	dst[0] = '\0';
	if (f->val == -1) {
		if (!required)
			return 0;
		seterr(err, errlen, "%s missing", f->name);
		return -1;
	}
	t = &d->tok[f->val];
	if (t->type != JSMN_STRING) {
		seterr(err, errlen, "%s is not a string", f->name);
		return -1;
	}
	rc = str_decode(d->js + t->start, (size_t)(t->end - t->start), dst,
	    dstlen, &why);
	if (rc == DEC_TOOLONG) {
		seterr(err, errlen, "%s too long (at most %zu bytes)",
		    f->name, dstlen - 1);
		return -1;
	}
	if (rc != DEC_OK) {
		seterr(err, errlen, "%s: %s", f->name, why);
		return -1;
	}
	if (required && dst[0] == '\0') {
		seterr(err, errlen, "%s is empty", f->name);
		return -1;
	}
	if (!charset_ok(dst, cs)) {
		explicit_bzero(dst, dstlen);
		seterr(err, errlen, "%s contains characters not allowed",
		    f->name);
		return -1;
	}
	return 0;
}

int
json_parse_identity(const char *js, size_t len, struct imds_identity *id,
    char *err, size_t errlen)
{
	struct doc	 d;
	struct field	 f[] = {
		{ "instanceId", -1 },
		{ "region", -1 },
		{ "accountId", -1 }
	};

	memset(id, 0, sizeof(*id));
	seterr(err, errlen, "%s", "");
	if (doc_parse(&d, js, len, err, errlen) == -1 ||
	    doc_fields(&d, f, nitems(f), err, errlen) == -1 ||
	    copy_string(&d, &f[0], id->instance_id, sizeof(id->instance_id),
	    1, CS_ID, err, errlen) == -1 ||
	    copy_string(&d, &f[1], id->region, sizeof(id->region), 1,
	    CS_REGION, err, errlen) == -1 ||
	    copy_string(&d, &f[2], id->account_id, sizeof(id->account_id), 0,
	    CS_ID, err, errlen) == -1) {
		memset(id, 0, sizeof(*id));
		return -1;
	}
	return 0;
}

/* Show a code from the document: printable ASCII only. */
static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

int
json_parse_credentials(const char *js, size_t len,
    struct imds_credentials *cr, char *err, size_t errlen)
{
	struct doc	 d;
	struct field	 f[] = {
		{ "Code", -1 },
		{ "AccessKeyId", -1 },
		{ "SecretAccessKey", -1 },
		{ "Token", -1 },
		{ "Expiration", -1 }
	};
	char		 code[sizeof(cr->code)];
	int		 rc = -1;

	memset(cr, 0, sizeof(*cr));
	seterr(err, errlen, "%s", "");
	if (doc_parse(&d, js, len, err, errlen) == -1 ||
	    doc_fields(&d, f, nitems(f), err, errlen) == -1)
		goto out;
	if (copy_string(&d, &f[0], cr->code, sizeof(cr->code), 1, CS_ANY,
	    err, errlen) == -1)
		goto out;
	if (strcmp(cr->code, "Success") != 0) {
		memcpy(code, cr->code, sizeof(code));
		sanitize(code);
		seterr(err, errlen, "credentials not available: Code=%s",
		    code);
		goto out;
	}
	if (copy_string(&d, &f[1], cr->access_key_id,
	    sizeof(cr->access_key_id), 1, CS_HEADER, err, errlen) == -1 ||
	    copy_string(&d, &f[2], cr->secret_access_key,
	    sizeof(cr->secret_access_key), 1, CS_HEADER, err, errlen) == -1 ||
	    copy_string(&d, &f[3], cr->token, sizeof(cr->token), 1,
	    CS_HEADER, err, errlen) == -1 ||
	    copy_string(&d, &f[4], cr->expiration, sizeof(cr->expiration), 0,
	    CS_PRINT, err, errlen) == -1)
		goto out;
	rc = 0;
 out:
	if (rc == -1)
		explicit_bzero(cr, sizeof(*cr));
	return rc;
}

int
json_parse_manifest(const char *js, size_t len, char *epoch,
    size_t epochlen, char *err, size_t errlen)
{
	struct doc	 d;
	struct field	 f[] = {
		{ "DeploymentId", -1 }
	};
	char		 text[MANIFEST_ID_DIGITS + 2];
	const jsmntok_t	*t;
	const char	*why, *p;
	size_t		 n;
	int		 rc;

	if (epochlen > 0)
		epoch[0] = '\0';
	seterr(err, errlen, "%s", "");
	if (doc_parse(&d, js, len, err, errlen) == -1 ||
	    doc_fields(&d, f, nitems(f), err, errlen) == -1)
		return -1;
	if (f[0].val == -1) {
		seterr(err, errlen, "no DeploymentId");
		return -1;
	}
	t = &d.tok[f[0].val];
	if (t->type == JSMN_PRIMITIVE) {
		n = (size_t)(t->end - t->start);
		for (p = js + t->start; p < js + t->end; p++) {
			if (!is_digit(*p)) {
				seterr(err, errlen, "DeploymentId is not a "
				    "non-negative integer");
				return -1;
			}
		}
		if (n > MANIFEST_ID_DIGITS) {
			seterr(err, errlen, "DeploymentId has more than %d "
			    "digits", MANIFEST_ID_DIGITS);
			return -1;
		}
		memcpy(text, js + t->start, n);
		text[n] = '\0';
	} else if (t->type == JSMN_STRING) {
		rc = str_decode(js + t->start, (size_t)(t->end - t->start),
		    text, sizeof(text), &why);
		if (rc == DEC_TOOLONG) {
			seterr(err, errlen, "DeploymentId has more than %d "
			    "digits", MANIFEST_ID_DIGITS);
			return -1;
		}
		if (rc != DEC_OK || text[0] == '\0' ||
		    strspn(text, "0123456789") != strlen(text)) {
			seterr(err, errlen, "DeploymentId is not a string of "
			    "digits");
			return -1;
		}
		if (strlen(text) > MANIFEST_ID_DIGITS) {
			seterr(err, errlen, "DeploymentId has more than %d "
			    "digits", MANIFEST_ID_DIGITS);
			return -1;
		}
	} else {
		seterr(err, errlen, "DeploymentId is not a non-negative "
		    "integer");
		return -1;
	}

	/* "007" and 7 name the same deployment. */
	for (p = text; p[0] == '0' && p[1] != '\0'; p++)
		;
	if (strlcpy(epoch, p, epochlen) >= epochlen) {
		if (epochlen > 0)
			epoch[0] = '\0';
		seterr(err, errlen, "DeploymentId does not fit in %zu bytes",
		    epochlen);
		return -1;
	}
	return 0;
}

/*
 * Length of the valid UTF-8 sequence at s (n bytes left), or 0 when there
 * is none; then *bad is the length of the broken prefix to replace with
 * one U+FFFD.
 */
static size_t
utf8_len(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 need, i;

	*bad = 1;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		if (s[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else
		return 0;
	for (i = 1; i < need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

int
json_write_string(struct buf *b, const char *s)
{
	const unsigned char	*p;
	const char		*rep;
	size_t			 start, n, k, bad;
	char			 esc[8];
	int			 rc = -1;

	if (b == NULL || s == NULL)
		return -1;
	start = b->len;
	p = (const unsigned char *)s;
	n = strlen(s);
	if (buf_append(b, "\"", 1) == -1)
		goto out;
	while (n > 0) {
		rep = NULL;
		switch (*p) {
		case '"':
			rep = "\\\"";
			break;
		case '\\':
			rep = "\\\\";
			break;
		case '\b':
			rep = "\\b";
			break;
		case '\f':
			rep = "\\f";
			break;
		case '\n':
			rep = "\\n";
			break;
		case '\r':
			rep = "\\r";
			break;
		case '\t':
			rep = "\\t";
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				rep = esc;
			}
			break;
		}
		if (rep != NULL) {
			k = 1;
			if (buf_puts(b, rep) == -1)
				goto out;
		} else if ((k = utf8_len(p, n, &bad)) > 0) {
			if (buf_append(b, p, k) == -1)
				goto out;
		} else {
			k = bad;
			if (buf_puts(b, "\\ufffd") == -1)
				goto out;
		}
		p += k;
		n -= k;
	}
	if (buf_append(b, "\"", 1) == -1)
		goto out;
	rc = 0;
 out:
	/* All or nothing: take back a partial literal. */
	if (rc == -1 && b->data != NULL && b->len > start) {
		explicit_bzero(b->data + start, b->len - start);
		b->len = start;
	}
	return rc;
}

int
json_text_ok(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), k, bad;

	while (n > 0) {
		if (*p < 0x20 || *p == 0x7f ||
		    (k = utf8_len(p, n, &bad)) == 0)
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

/* Decode the key at token i into key.  0, or -1 with err set. */
static int
key_at(const struct doc *d, int i, char key[JSON_KEY_MAX], char *err,
    size_t errlen)
{
	const jsmntok_t	*t = &d->tok[i];
	const char	*why;
	int		 rc;

	rc = str_decode(d->js + t->start, (size_t)(t->end - t->start), key,
	    JSON_KEY_MAX, &why);
	if (rc == DEC_TOOLONG) {
		seterr(err, errlen, "a key is longer than %d bytes",
		    JSON_KEY_MAX - 1);
		return -1;
	}
	if (rc != DEC_OK) {
		seterr(err, errlen, "a key is invalid: %s", why);
		return -1;
	}
	return 0;
}

/*
 * The integer written at s (n bytes, already a valid JSON number) into
 * *v: 0; -1 when it has a fraction or exponent; -2 beyond int64_t.
 */
static int
int_parse(const char *s, size_t n, int64_t *v)
{
	uint64_t	 mag = 0, lim = (uint64_t)INT64_MAX;
	size_t		 i = 0;
	int		 neg = 0;

	if (n > 0 && s[0] == '-') {
		neg = 1;
		lim++;
		i++;
	}
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		if (mag > (lim - (uint64_t)(s[i] - '0')) / 10)
			return -2;
		mag = mag * 10 + (uint64_t)(s[i] - '0');
	}
	if (!neg)
		*v = (int64_t)mag;
	else if (mag == lim)
		*v = INT64_MIN;
	else
		*v = -(int64_t)mag;
	return 0;
}

static int
member_int(const struct doc *d, int v, struct json_member *m, char *err,
    size_t errlen)
{
	const jsmntok_t	*t = &d->tok[v];
	const char	*what;
	int64_t		 x = 0;
	int		 rc = -1;

	what = m->kind == JSON_KIND_INT ? "an integer" : "an integer or null";
	if (t->type == JSMN_PRIMITIVE) {
		if (m->kind == JSON_KIND_INT_OR_NULL && t->end - t->start == 4 &&
		    memcmp(d->js + t->start, "null", 4) == 0) {
			m->isnull = 1;
			*m->num = 0;
			return 0;
		}
		rc = int_parse(d->js + t->start, (size_t)(t->end - t->start),
		    &x);
	}
	if (rc == -1) {
		seterr(err, errlen, "%s is not %s", m->name, what);
		return -1;
	}
	if (rc == -2 || x < m->min || x > m->max) {
		seterr(err, errlen, "%s out of range (%" PRId64 " to %" PRId64
		    ")", m->name, m->min, m->max);
		return -1;
	}
	m->isnull = 0;
	*m->num = x;
	return 0;
}

static int
member_string(const struct doc *d, int v, struct json_member *m, char *err,
    size_t errlen)
{
	const jsmntok_t	*t = &d->tok[v];
	const char	*why;
	int		 rc;

	if (t->type != JSMN_STRING) {
		seterr(err, errlen, "%s is not a string", m->name);
		return -1;
	}
	rc = str_decode(d->js + t->start, (size_t)(t->end - t->start), m->str,
	    m->strsize, &why);
	if (rc == DEC_TOOLONG) {
		seterr(err, errlen, "%s too long (at most %zu bytes)", m->name,
		    m->strsize > 0 ? m->strsize - 1 : 0);
		return -1;
	}
	if (rc != DEC_OK) {
		seterr(err, errlen, "%s: %s", m->name, why);
		return -1;
	}
	return 0;
}

/*
 * Check the top-level keys of d: none twice, none unlisted unless
 * unknown_ok.  keytok[] gets the token of each key.  0, or -1 with err.
 */
static int
members_keys(const struct doc *d, const struct json_member *m, size_t n,
    int unknown_ok, int *keytok, char *err, size_t errlen)
{
	char	 key[JSON_KEY_MAX], other[JSON_KEY_MAX];
	size_t	 j;
	int	 i, k, l;

	for (i = 1, k = 0; k < d->tok[0].size; k++) {
		if (i + 1 >= d->ntok) {
			seterr(err, errlen, "invalid JSON");
			return -1;
		}
		keytok[k] = i;
		if (key_at(d, i, key, err, errlen) == -1)
			return -1;
		for (l = 0; l < k; l++) {
			if (key_at(d, keytok[l], other, err, errlen) == -1)
				return -1;
			if (strcmp(key, other) == 0) {
				sanitize(key);
				seterr(err, errlen, "duplicate key %s", key);
				return -1;
			}
		}
		for (j = 0; j < n && strcmp(key, m[j].name) != 0; j++)
			;
		if (j == n && !unknown_ok) {
			sanitize(key);
			seterr(err, errlen, "unknown key %s", key);
			return -1;
		}
		i = tok_skip(d, i + 1);
	}
	return 0;
}

int
json_parse_members(const char *js, size_t len, struct json_member *m,
    size_t n, int unknown_ok, char *err, size_t errlen)
{
	struct doc	 d;
	char		 key[JSON_KEY_MAX];
	int		 keytok[JSON_MAX_TOKENS / 2];
	size_t		 j;
	int		 k, rc = -1;

	seterr(err, errlen, "%s", "");
	if (doc_parse(&d, js, len, err, errlen) == -1 ||
	    members_keys(&d, m, n, unknown_ok, keytok, err, errlen) == -1)
		goto out;
	for (j = 0; j < n; j++) {
		for (k = 0; k < d.tok[0].size; k++) {
			if (key_at(&d, keytok[k], key, err, errlen) == -1)
				goto out;
			if (strcmp(key, m[j].name) == 0)
				break;
		}
		if (k == d.tok[0].size) {
			seterr(err, errlen, "%s missing", m[j].name);
			goto out;
		}
		if (m[j].kind == JSON_KIND_STRING ?
		    member_string(&d, keytok[k] + 1, &m[j], err, errlen) :
		    member_int(&d, keytok[k] + 1, &m[j], err, errlen))
			goto out;
	}
	rc = 0;
 out:
	for (j = 0; rc == -1 && j < n; j++) {
		if (m[j].str != NULL && m[j].strsize > 0)
			explicit_bzero(m[j].str, m[j].strsize);
		if (m[j].num != NULL)
			*m[j].num = 0;
		m[j].isnull = 0;
	}
	return rc;
}
