/*
 * record: the S3 store's leadership record and its object key.  See
 * record.h for the format and the rules.  JSON itself is json.c's: this
 * file only says which members there are and what they may hold.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "election.h"
#include "err.h"
#include "json.h"
#include "record.h"
#include "util.h"

/* The record's names must be the command line's names. */
typedef char record_name_max_is_cli_name_max[
    RECORD_NAME_MAX == CLI_NAME_MAX ? 1 : -1];

static const char *const state_names[] = {
	[RECORD_HELD] = "held",
	[RECORD_IDLE] = "idle",
	[RECORD_DONE] = "done",
	[RECORD_FAILED] = "failed",
	[RECORD_RELEASED] = "released"
};

const char *
record_state_name(enum record_state s)
{
	if ((size_t)s < nitems(state_names))
		return state_names[s];
	return "unknown";
}

int
record_valid_id(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '-'))
			return 0;
	return n >= 1 && n < INSTANCE_ID_MAX;
}

/* Scope and group text: 1 or more bytes of UTF-8, no control character. */
static int
valid_text(const char *s, size_t max)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= max && json_text_ok(s);
}

static int
check_times(const struct record *r, char *err, size_t errlen)
{
	static const char *const names[] = {
		"lease_expiry", "renewed", "written"
	};
	int64_t		 t[3];
	size_t		 i;

	t[0] = r->lease_expiry;
	t[1] = r->renewed;
	t[2] = r->written;
	for (i = 0; i < nitems(t); i++)
		if (t[i] < 0 || t[i] > RECORD_TIME_MAX)
			return err_reason(err, errlen, "%s out of range (0 to %"
			    PRId64 ")", names[i], RECORD_TIME_MAX);
	if (r->state == RECORD_HELD && r->renewed > r->lease_expiry)
		return err_reason(err, errlen, "held record renewed after its "
		    "lease expiry");
	return 0;
}

/* The exit status a state allows. */
static int
check_exit(const struct record *r, char *err, size_t errlen)
{
	int	 x = r->exit_status;

	if (x != RECORD_EXIT_NONE && (x < 0 || x > 255))
		return err_reason(err, errlen, "exit out of range (0 to 255 or "
		    "null)");
	switch (r->state) {
	case RECORD_HELD:
		if (x != RECORD_EXIT_NONE)
			return err_reason(err, errlen, "a held record has an exit "
			    "status");
		break;
	case RECORD_DONE:
		if (x != 0)
			return err_reason(err, errlen, "a done record needs exit 0");
		break;
	case RECORD_FAILED:
		if (x < 1)
			return err_reason(err, errlen, "a failed record needs exit "
			    "1 to 255");
		break;
	default:
		break;
	}
	if ((r->state == RECORD_DONE || r->state == RECORD_FAILED) &&
	    r->epoch[0] == '\0')
		return err_reason(err, errlen, "a %s record needs an epoch",
		    record_state_name(r->state));
	return 0;
}

int
record_check(const struct record *r, char *err, size_t errlen)
{
	if (r->version != RECORD_VERSION)
		return err_reason(err, errlen, "unknown record version %d (this "
		    "leader-exec reads version %d)", r->version,
		    RECORD_VERSION);
	if (memchr(r->group, '\0', sizeof(r->group)) == NULL ||
	    !valid_text(r->group, RECORD_GROUP_MAX) ||
	    strchr(r->group, '=') == NULL)
		return err_reason(err, errlen, "group is not KEY=VALUE of 1 to %d "
		    "bytes of UTF-8 text", RECORD_GROUP_MAX);
	if (memchr(r->name, '\0', sizeof(r->name)) == NULL ||
	    !election_valid_word(r->name, RECORD_NAME_MAX))
		return err_reason(err, errlen, "name is not 1 to %d characters of "
		    "[A-Za-z0-9._-]", RECORD_NAME_MAX);
	if (memchr(r->epoch, '\0', sizeof(r->epoch)) == NULL ||
	    (r->epoch[0] != '\0' && !election_valid_epoch(r->epoch)))
		return err_reason(err, errlen, "epoch is not empty or 1 to %d "
		    "characters of [A-Za-z0-9._-]", ELECTION_EPOCH_MAX);
	if (memchr(r->holder, '\0', sizeof(r->holder)) == NULL ||
	    !record_valid_id(r->holder))
		return err_reason(err, errlen, "holder is not an instance id");
	if (memchr(r->writer, '\0', sizeof(r->writer)) == NULL ||
	    !record_valid_id(r->writer))
		return err_reason(err, errlen, "writer is not an instance id");
	if (r->term < 1)
		return err_reason(err, errlen, "term out of range (1 to %" PRId64
		    ")", INT64_MAX);
	if ((size_t)r->state >= nitems(state_names))
		return err_reason(err, errlen, "state is not one of held, idle, "
		    "done, failed, released");
	if (check_exit(r, err, errlen) == -1 ||
	    check_times(r, err, errlen) == -1)
		return -1;
	return 0;
}

int
record_encode(const struct record *r, struct buf *b, char *err,
    size_t errlen)
{
	size_t	 start = b->len;
	int	 rc = -1;

	if (record_check(r, err, errlen) == -1)
		return -1;
	if (buf_printf(b, "{\"v\":%d,\"group\":", r->version) == -1 ||
	    json_write_string(b, r->group) == -1 ||
	    buf_puts(b, ",\"name\":") == -1 ||
	    json_write_string(b, r->name) == -1 ||
	    buf_puts(b, ",\"epoch\":") == -1 ||
	    json_write_string(b, r->epoch) == -1 ||
	    buf_puts(b, ",\"holder\":") == -1 ||
	    json_write_string(b, r->holder) == -1 ||
	    buf_printf(b, ",\"term\":%" PRId64 ",\"state\":\"%s\"", r->term,
	    record_state_name(r->state)) == -1 ||
	    (r->exit_status == RECORD_EXIT_NONE ?
	    buf_puts(b, ",\"exit\":null") :
	    buf_printf(b, ",\"exit\":%d", r->exit_status)) == -1 ||
	    buf_printf(b, ",\"lease_expiry\":%" PRId64 ",\"renewed\":%" PRId64
	    ",\"writer\":", r->lease_expiry, r->renewed) == -1 ||
	    json_write_string(b, r->writer) == -1 ||
	    buf_printf(b, ",\"written\":%" PRId64 "}", r->written) == -1) {
		err_reason(err, errlen, "out of memory or buffer full writing the "
		    "record");
		goto out;
	}
	if (b->len - start > RECORD_BODY_MAX) {
		err_reason(err, errlen, "record body over %d bytes",
		    RECORD_BODY_MAX);
		goto out;
	}
	rc = 0;
 out:
	if (rc == -1 && b->data != NULL && b->len > start) {
		b->len = start;
		b->data[start] = '\0';
	}
	return rc;
}

/* Rows of the member tables of the decoders below. */
#define STR(key, field)	{ key, JSON_KIND_STRING, field, sizeof(field), \
			    NULL, 0, 0, 0 }
#define NUM(key, kind, v, lo, hi) \
			{ key, kind, NULL, 0, v, lo, hi, 0 }

/* The version alone, whatever else the body holds: 0, or -1 with err. */
static int
decode_version(const char *body, size_t len, char *err, size_t errlen)
{
	struct json_member	 m[] = {
		NUM("v", JSON_KIND_INT, NULL, INT64_MIN, INT64_MAX)
	};
	int64_t			 v = 0;

	m[0].num = &v;
	if (json_parse_members(body, len, m, nitems(m), 1, err,
	    errlen) == -1) {
		if (err != NULL && strcmp(err, "v missing") == 0)
			err_reason(err, errlen, "not a leader-exec record (no "
			    "version v)");
		return -1;
	}
	if (v != RECORD_VERSION)
		return err_reason(err, errlen, "unknown record version %" PRId64
		    " (this leader-exec reads version %d)", v,
		    RECORD_VERSION);
	return 0;
}

static int
state_from_name(const char *s, enum record_state *st)
{
	size_t	 i;

	for (i = 0; i < nitems(state_names); i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*st = (enum record_state)i;
			return 0;
		}
	}
	return -1;
}

int
record_decode(const char *body, size_t len, struct record *r, char *err,
    size_t errlen)
{
	char			 state[16];
	int64_t			 v = 0, ex = 0;
	struct json_member	 m[] = {
		NUM("v", JSON_KIND_INT, NULL, RECORD_VERSION, RECORD_VERSION),
		STR("group", r->group),
		STR("name", r->name),
		STR("epoch", r->epoch),
		STR("holder", r->holder),
		NUM("term", JSON_KIND_INT, &r->term, 1, INT64_MAX),
		STR("state", state),
		NUM("exit", JSON_KIND_INT_OR_NULL, NULL, 0, 255),
		NUM("lease_expiry", JSON_KIND_INT, &r->lease_expiry, 0,
		    RECORD_TIME_MAX),
		NUM("renewed", JSON_KIND_INT, &r->renewed, 0, RECORD_TIME_MAX),
		STR("writer", r->writer),
		NUM("written", JSON_KIND_INT, &r->written, 0, RECORD_TIME_MAX)
	};
	int			 rc = -1;

	memset(r, 0, sizeof(*r));
	m[0].num = &v;
	m[7].num = &ex;
	err_reason(err, errlen, "%s", "");
	if (body == NULL || len == 0) {
		err_reason(err, errlen, "empty record body");
		goto out;
	}
	if (len > RECORD_BODY_MAX) {
		err_reason(err, errlen, "record body of %zu bytes is over the %d "
		    "byte limit", len, RECORD_BODY_MAX);
		goto out;
	}
	if (decode_version(body, len, err, errlen) == -1 ||
	    json_parse_members(body, len, m, nitems(m), 1, err,
	    errlen) == -1)
		goto out;
	if (state_from_name(state, &r->state) == -1) {
		err_reason(err, errlen, "state is not one of held, idle, done, "
		    "failed, released");
		goto out;
	}
	r->version = (int)v;
	r->exit_status = m[7].isnull ? RECORD_EXIT_NONE : (int)ex;
	if (record_check(r, err, errlen) == -1)
		goto out;
	rc = 0;
 out:
	if (rc == -1)
		memset(r, 0, sizeof(*r));
	return rc;
}

/* Append n bytes to out (a key of at most max bytes); 0 or -1. */
static int
key_put(char *out, size_t max, size_t *pos, const char *s, size_t n)
{
	if (n > max - *pos)
		return -1;
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
	return 0;
}

/* Append s percent-encoded: every byte outside [A-Za-z0-9._-] as %XX. */
static int
key_put_escaped(char *out, size_t max, size_t *pos, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;
	char			 e[3];

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-') {
			if (key_put(out, max, pos, s, 1) == -1)
				return -1;
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 0xf];
		if (key_put(out, max, pos, e, 3) == -1)
			return -1;
	}
	return 0;
}

/*
 * The prefix without leading and trailing '/': its start and length in
 * *p and *n.  0 when its segments are valid words other than "." and
 * "..", else -1.
 */
static int
prefix_trim(const char *prefix, const char **p, size_t *n)
{
	char		 seg[RECORD_PREFIX_MAX + 1];
	const char	*s, *e, *slash;
	size_t		 len;

	*p = "";
	*n = 0;
	if (prefix == NULL)
		return 0;
	if (strlen(prefix) > RECORD_PREFIX_MAX)
		return -1;
	for (s = prefix; *s == '/'; s++)
		;
	for (e = s + strlen(s); e > s && e[-1] == '/'; e--)
		;
	*p = s;
	*n = (size_t)(e - s);
	while (s < e) {
		slash = memchr(s, '/', (size_t)(e - s));
		len = (size_t)((slash != NULL ? slash : e) - s);
		memcpy(seg, s, len);
		seg[len] = '\0';
		if (!election_valid_word(seg, RECORD_PREFIX_MAX) ||
		    strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0)
			return -1;
		s += len + (slash != NULL);
	}
	return 0;
}

int
record_key(const char *prefix, const char *scope_key,
    const char *scope_value, const char *name, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char	*p;
	size_t		 n, pos = 0, max;
	int		 rc = -1;

	if (outlen == 0)
		return err_reason(err, errlen, "no room for the object key");
	out[0] = '\0';
	max = outlen - 1 < RECORD_KEY_MAX ? outlen - 1 : RECORD_KEY_MAX;
	if (prefix_trim(prefix, &p, &n) == -1) {
		err_reason(err, errlen, "S3 key prefix is not up to %d bytes of "
		    "'/'-separated [A-Za-z0-9._-] segments (no . or ..)",
		    RECORD_PREFIX_MAX);
		goto out;
	}
	if (!valid_text(scope_key, TAG_KEY_SIZE - 1) ||
	    !valid_text(scope_value, TAG_VALUE_SIZE - 1)) {
		err_reason(err, errlen, "scope is not a tag key and value of "
		    "UTF-8 text without control characters");
		goto out;
	}
	if (!election_valid_word(name, RECORD_NAME_MAX)) {
		err_reason(err, errlen, "name is not 1 to %d characters of "
		    "[A-Za-z0-9._-]", RECORD_NAME_MAX);
		goto out;
	}
	if ((n > 0 && (key_put(out, max, &pos, p, n) == -1 ||
	    key_put(out, max, &pos, "/", 1) == -1)) ||
	    key_put_escaped(out, max, &pos, scope_key) == -1 ||
	    key_put(out, max, &pos, "=", 1) == -1 ||
	    key_put_escaped(out, max, &pos, scope_value) == -1 ||
	    key_put(out, max, &pos, "/", 1) == -1 ||
	    key_put(out, max, &pos, name, strlen(name)) == -1 ||
	    key_put(out, max, &pos, ".json", 5) == -1) {
		err_reason(err, errlen, "S3 object key longer than %zu bytes", max);
		goto out;
	}
	rc = 0;
 out:
	if (rc == -1)
		out[0] = '\0';
	return rc;
}

int
record_format_group(const char *scope_key, const char *scope_value,
    char *out, size_t outlen)
{
	int	 n;

	if (outlen == 0)
		return -1;
	if (!valid_text(scope_key, TAG_KEY_SIZE - 1) ||
	    !valid_text(scope_value, TAG_VALUE_SIZE - 1))
		n = -1;
	else
		n = snprintf(out, outlen, "%s=%s", scope_key, scope_value);
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}
