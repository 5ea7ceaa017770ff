/*
 * Unit tests for record.c: the S3 store's record body (exact encoding,
 * round trips, strict decoding of hostile, truncated, oversized and
 * wrong-version bodies) and the object key of a group and name.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "record.h"

#define ERRLEN	256

/* A body from its twelve values, pasted as JSON text. */
#define BODY(v, group, name, epoch, holder, term, state, exit, lease,	\
    renewed, writer, written)						\
	"{\"v\":" v ",\"group\":" group ",\"name\":" name		\
	",\"epoch\":" epoch ",\"holder\":" holder ",\"term\":" term	\
	",\"state\":" state ",\"exit\":" exit ",\"lease_expiry\":" lease \
	",\"renewed\":" renewed ",\"writer\":" writer ",\"written\":"	\
	written "}"

/* The values of a valid held record; each case below changes one. */
#define V	"1"
#define GRP	"\"k=v\""
#define NAM	"\"command\""
#define EP	"\"42\""
#define HOL	"\"i-1\""
#define TRM	"7"
#define ST	"\"held\""
#define EX	"null"
#define LSE	"115"
#define REN	"100"
#define WRI	"\"i-1\""
#define WRT	"100"

#define EB_GROUP	"elasticbeanstalk:environment-id=e-abc123"

static const char sample_body[] =
    "{\"v\":1,\"group\":\"" EB_GROUP "\",\"name\":\"command\","
    "\"epoch\":\"42\",\"holder\":\"i-0abc\",\"term\":1763800000,"
    "\"state\":\"held\",\"exit\":null,\"lease_expiry\":1763800015,"
    "\"renewed\":1763800000,\"writer\":\"i-0abc\",\"written\":1763800000}";

static void
sample(struct record *r)
{
	memset(r, 0, sizeof(*r));
	r->version = RECORD_VERSION;
	strcpy(r->group, EB_GROUP);
	strcpy(r->name, "command");
	strcpy(r->epoch, "42");
	strcpy(r->holder, "i-0abc");
	r->term = 1763800000;
	r->state = RECORD_HELD;
	r->exit_status = RECORD_EXIT_NONE;
	r->lease_expiry = 1763800015;
	r->renewed = 1763800000;
	strcpy(r->writer, "i-0abc");
	r->written = 1763800000;
}

static void
assert_same(const struct record *a, const struct record *b)
{
	ck_assert_int_eq(a->version, b->version);
	ck_assert_str_eq(a->group, b->group);
	ck_assert_str_eq(a->name, b->name);
	ck_assert_str_eq(a->epoch, b->epoch);
	ck_assert_str_eq(a->holder, b->holder);
	ck_assert_int_eq(a->term, b->term);
	ck_assert_int_eq(a->state, b->state);
	ck_assert_int_eq(a->exit_status, b->exit_status);
	ck_assert_int_eq(a->lease_expiry, b->lease_expiry);
	ck_assert_int_eq(a->renewed, b->renewed);
	ck_assert_str_eq(a->writer, b->writer);
	ck_assert_int_eq(a->written, b->written);
}

static int
decode(const char *body, struct record *r, char *err)
{
	return record_decode(body, strlen(body), r, err, ERRLEN);
}

static int
all_zero(const void *p, size_t n)
{
	const unsigned char	*s = p;

	while (n-- > 0)
		if (*s++ != 0)
			return 0;
	return 1;
}

/* The encoding is exact, compact and in the documented key order. */
START_TEST(test_encode_exact)
{
	struct record	 r;
	struct buf	 b;
	char		 err[ERRLEN];

	sample(&r);
	buf_init(&b, 0);
	ck_assert_int_eq(record_encode(&r, &b, err, sizeof(err)), 0);
	ck_assert_str_eq(b.data, sample_body);
	buf_free(&b);
}
END_TEST

/* Every state and exit status decodes back to the record encoded. */
START_TEST(test_round_trip)
{
	static const struct {
		enum record_state	 state;
		int			 exit_status;
		const char		*epoch;
	} rows[] = {
		{ RECORD_HELD, RECORD_EXIT_NONE, "42" },
		{ RECORD_IDLE, RECORD_EXIT_NONE, "" },
		{ RECORD_IDLE, 3, "" },
		{ RECORD_DONE, 0, "42" },
		{ RECORD_FAILED, 255, "v1.2-rc_3" },
		{ RECORD_RELEASED, 0, "" },
		{ RECORD_RELEASED, RECORD_EXIT_NONE, "7" }
	};
	struct record	 r, back;
	struct buf	 b;
	char		 err[ERRLEN];
	size_t		 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sample(&r);
		r.state = rows[i].state;
		r.exit_status = rows[i].exit_status;
		strcpy(r.epoch, rows[i].epoch);
		/* Unicode and JSON-special bytes in the group survive. */
		strcpy(r.group, "Name=caf\xc3\xa9 \"quoted\" back\\slash/=x");
		r.term = INT64_MAX;
		r.lease_expiry = RECORD_TIME_MAX;
		buf_init(&b, 0);
		ck_assert_int_eq(record_encode(&r, &b, err, sizeof(err)), 0);
		ck_assert_int_eq(record_decode(b.data, b.len, &back, err,
		    sizeof(err)), 0);
		assert_same(&r, &back);
		buf_free(&b);
	}
}
END_TEST

/*
 * Forward compatibility: whitespace, any key order, escapes and keys
 * this version does not know (any value) are accepted.
 */
START_TEST(test_decode_lenient_parts)
{
	static const char body[] =
	    " {\n \"written\" : 100, \"future\": {\"a\": [1, 2, {\"term\": 0}]},"
	    " \"writer\":\"i-1\", \"renewed\":100, \"lease_expiry\":115,"
	    " \"exit\":null, \"state\":\"held\", \"term\":7,"
	    " \"holder\":\"i-1\", \"epoch\":\"\", \"name\":\"command\","
	    " \"group\":\"caf\\u00e9=\\u002f\", \"v\":1, \"z\":null }\n";
	struct record	 r;
	char		 err[ERRLEN];

	ck_assert_int_eq(decode(body, &r, err), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(r.group, "caf\xc3\xa9=/");
	ck_assert_str_eq(r.epoch, "");
	ck_assert_int_eq(r.term, 7);
	ck_assert_int_eq(r.state, RECORD_HELD);
	ck_assert_int_eq(r.exit_status, RECORD_EXIT_NONE);
}
END_TEST

struct bad_case {
	const char	*name;		/* the rule the case protects */
	const char	*body;
	const char	*want;		/* the exact reason */
};

static const struct bad_case bad_cases[] = {
	{ "a later version is refused by number, before anything else",
	  "{\"v\":2,\"whatever\":true}",
	  "unknown record version 2 (this leader-exec reads version 1)" },
	{ "a later version with v1 fields is still refused",
	  BODY("2", GRP, NAM, EP, HOL, TRM, ST, EX, LSE, REN, WRI, WRT),
	  "unknown record version 2 (this leader-exec reads version 1)" },
	{ "version 0 is unknown",
	  BODY("0", GRP, NAM, EP, HOL, TRM, ST, EX, LSE, REN, WRI, WRT),
	  "unknown record version 0 (this leader-exec reads version 1)" },
	{ "the lowest int64 version is read exactly, then refused",
	  "{\"v\":-9223372036854775808}",
	  "unknown record version -9223372036854775808 (this leader-exec "
	  "reads version 1)" },
	{ "a version below int64 is out of range, not wrapped",
	  "{\"v\":-9223372036854775809}",
	  "v out of range (-9223372036854775808 to 9223372036854775807)" },
	{ "no version: not a record",
	  "{\"group\":\"k=v\"}", "not a leader-exec record (no version v)" },
	{ "the version is a number",
	  BODY("\"1\"", GRP, NAM, EP, HOL, TRM, ST, EX, LSE, REN, WRI, WRT),
	  "v is not an integer" },
	{ "a missing field names it",
	  "{\"v\":1,\"group\":\"k=v\",\"name\":\"command\",\"epoch\":\"\","
	  "\"holder\":\"i-1\",\"state\":\"idle\",\"exit\":null,"
	  "\"lease_expiry\":1,\"renewed\":1,\"writer\":\"i-1\","
	  "\"written\":1}", "term missing" },
	{ "term is an integer, not a string",
	  BODY(V, GRP, NAM, EP, HOL, "\"7\"", ST, EX, LSE, REN, WRI, WRT),
	  "term is not an integer" },
	{ "term has no fraction",
	  BODY(V, GRP, NAM, EP, HOL, "7.0", ST, EX, LSE, REN, WRI, WRT),
	  "term is not an integer" },
	{ "term has no exponent",
	  BODY(V, GRP, NAM, EP, HOL, "7e1", ST, EX, LSE, REN, WRI, WRT),
	  "term is not an integer" },
	{ "term 0 is not a fencing token",
	  BODY(V, GRP, NAM, EP, HOL, "0", ST, EX, LSE, REN, WRI, WRT),
	  "term out of range (1 to 9223372036854775807)" },
	{ "a negative term is refused",
	  BODY(V, GRP, NAM, EP, HOL, "-7", ST, EX, LSE, REN, WRI, WRT),
	  "term out of range (1 to 9223372036854775807)" },
	{ "a term past INT64_MAX is refused, not wrapped",
	  BODY(V, GRP, NAM, EP, HOL, "9223372036854775808", ST, EX, LSE,
	  REN, WRI, WRT),
	  "term out of range (1 to 9223372036854775807)" },
	{ "a huge term is refused",
	  BODY(V, GRP, NAM, EP, HOL, "123456789012345678901234567890", ST,
	  EX, LSE, REN, WRI, WRT),
	  "term out of range (1 to 9223372036854775807)" },
	{ "null is not a term",
	  BODY(V, GRP, NAM, EP, HOL, "null", ST, EX, LSE, REN, WRI, WRT),
	  "term is not an integer" },
	{ "an unknown state is refused",
	  BODY(V, GRP, NAM, EP, HOL, TRM, "\"running\"", EX, LSE, REN, WRI,
	  WRT),
	  "state is not one of held, idle, done, failed, released" },
	{ "exit is at most 255",
	  BODY(V, GRP, NAM, EP, HOL, TRM, "\"done\"", "256", LSE, REN, WRI,
	  WRT), "exit out of range (0 to 255)" },
	{ "exit is an integer or null",
	  BODY(V, GRP, NAM, EP, HOL, TRM, "\"done\"", "\"0\"", LSE, REN, WRI,
	  WRT), "exit is not an integer or null" },
	{ "done means exit 0",
	  BODY(V, GRP, NAM, EP, HOL, TRM, "\"done\"", "3", LSE, REN, WRI,
	  WRT), "a done record needs exit 0" },
	{ "failed means a non-zero exit",
	  BODY(V, GRP, NAM, EP, HOL, TRM, "\"failed\"", "0", LSE, REN, WRI,
	  WRT), "a failed record needs exit 1 to 255" },
	{ "held has no exit status yet",
	  BODY(V, GRP, NAM, EP, HOL, TRM, ST, "0", LSE, REN, WRI, WRT),
	  "a held record has an exit status" },
	{ "done needs an epoch",
	  BODY(V, GRP, NAM, "\"\"", HOL, TRM, "\"done\"", "0", LSE, REN, WRI,
	  WRT), "a done record needs an epoch" },
	{ "a held lease is not renewed after it expires",
	  BODY(V, GRP, NAM, EP, HOL, TRM, ST, EX, "99", REN, WRI, WRT),
	  "held record renewed after its lease expiry" },
	{ "times are not negative",
	  BODY(V, GRP, NAM, EP, HOL, TRM, ST, EX, LSE, "-1", WRI, WRT),
	  "renewed out of range (0 to 253402300799)" },
	{ "times end in year 9999",
	  BODY(V, GRP, NAM, EP, HOL, TRM, ST, EX, "253402300800", REN, WRI,
	  WRT), "lease_expiry out of range (0 to 253402300799)" },
	{ "the holder is an instance id",
	  BODY(V, GRP, NAM, EP, "\"i-1/../x\"", TRM, ST, EX, LSE, REN, WRI,
	  WRT), "holder is not an instance id" },
	{ "an empty holder is refused",
	  BODY(V, GRP, NAM, EP, "\"\"", TRM, ST, EX, LSE, REN, WRI, WRT),
	  "holder is not an instance id" },
	{ "an over-long holder is refused",
	  BODY(V, GRP, NAM, EP, "\"i-0123456789abcdef0123456789abcdef\"",
	  TRM, ST, EX, LSE, REN, WRI, WRT),
	  "holder too long (at most 31 bytes)" },
	{ "the writer is an instance id",
	  BODY(V, GRP, NAM, EP, HOL, TRM, ST, EX, LSE, REN, "\"i 1\"", WRT),
	  "writer is not an instance id" },
	{ "the holder is a string",
	  BODY(V, GRP, NAM, EP, "17", TRM, ST, EX, LSE, REN, WRI, WRT),
	  "holder is not a string" },
	{ "a name is a word",
	  BODY(V, GRP, "\"a b\"", EP, HOL, TRM, ST, EX, LSE, REN, WRI, WRT),
	  "name is not 1 to 64 characters of [A-Za-z0-9._-]" },
	{ "an epoch is a word",
	  BODY(V, GRP, NAM, "\"4@2\"", HOL, TRM, ST, EX, LSE, REN, WRI, WRT),
	  "epoch is not empty or 1 to 64 characters of [A-Za-z0-9._-]" },
	{ "the group is KEY=VALUE",
	  BODY(V, "\"kv\"", NAM, EP, HOL, TRM, ST, EX, LSE, REN, WRI, WRT),
	  "group is not KEY=VALUE of 1 to 1537 bytes of UTF-8 text" },
	{ "no control character in the group, even escaped",
	  BODY(V, "\"k=\\u0007\"", NAM, EP, HOL, TRM, ST, EX, LSE, REN, WRI,
	  WRT), "group is not KEY=VALUE of 1 to 1537 bytes of UTF-8 text" },
	{ "no invalid UTF-8 in the group",
	  BODY(V, "\"k=\xff\"", NAM, EP, HOL, TRM, ST, EX, LSE, REN, WRI,
	  WRT), "group is not KEY=VALUE of 1 to 1537 bytes of UTF-8 text" },
	{ "no raw control character in a string",
	  BODY(V, "\"k=\tv\"", NAM, EP, HOL, TRM, ST, EX, LSE, REN, WRI,
	  WRT), "control character in a string" },
	{ "no NUL escaped in a string",
	  BODY(V, GRP, NAM, EP, "\"i-\\u0000\"", TRM, ST, EX, LSE, REN, WRI,
	  WRT), "holder: \\u0000 not allowed" },
	{ "a known key twice is refused",
	  "{\"v\":1,\"term\":7,\"term\":8}", "duplicate key term" },
	{ "an unknown key twice is refused too",
	  "{\"v\":1,\"x\":1,\"x\":2}", "duplicate key x" },
	{ "a key with \\u0000 is refused",
	  "{\"v\":1,\"v\\u0000\":1}", "a key is invalid: \\u0000 not allowed" },
	{ "keys are compared decoded",
	  "{\"v\":1,\"\\u0076\":1}", "duplicate key v" },
	{ "an over-long key is refused",
	  "{\"v\":1,\"" "0123456789012345678901234567890123456789"
	  "012345678901234567890123\":1}", "a key is longer than 63 bytes" },
	{ "trailing garbage is refused",
	  BODY(V, GRP, NAM, EP, HOL, TRM, ST, EX, LSE, REN, WRI, WRT) " x",
	  "invalid JSON" },
	{ "a second object is refused",
	  BODY(V, GRP, NAM, EP, HOL, TRM, ST, EX, LSE, REN, WRI, WRT) "{}",
	  "invalid JSON" },
	{ "a trailing comma is refused",
	  "{\"v\":1,}", "invalid JSON" },
	{ "the body is an object",
	  "[1]", "top-level value is not an object" },
	{ "whitespace alone is empty",
	  " \n", "empty document" },
	{ "truncated in a string",
	  "{\"v\":1,\"group\":\"k=", "truncated JSON" },
	{ "nesting is bounded",
	  "{\"v\":1,\"x\":"
	  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	  "}", "nested too deeply" }
};

/* Hostile bodies are refused with the exact reason, the record zeroed. */
START_TEST(test_decode_refuses)
{
	const struct bad_case	*c = &bad_cases[_i];
	struct record		 r;
	char			 err[ERRLEN];

	memset(&r, 0xa5, sizeof(r));
	ck_assert_msg(decode(c->body, &r, err) == -1, "%s: accepted",
	    c->name);
	ck_assert_msg(strcmp(err, c->want) == 0, "%s: got \"%s\"", c->name,
	    err);
	ck_assert(all_zero(&r, sizeof(r)));
}
END_TEST

/* Every proper prefix of a valid body is refused, none crashes. */
START_TEST(test_decode_truncated)
{
	struct record	 r;
	char		 err[ERRLEN], *copy;
	size_t		 n, len = strlen(sample_body);

	ck_assert_int_eq(decode(sample_body, &r, err), 0);
	for (n = 0; n < len; n++) {
		/* An exact-size heap copy, so a read past the end is caught. */
		copy = malloc(n > 0 ? n : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, sample_body, n);
		memset(&r, 0xa5, sizeof(r));
		ck_assert_int_eq(record_decode(copy, n, &r, err, sizeof(err)),
		    -1);
		ck_assert(err[0] != '\0');
		ck_assert(all_zero(&r, sizeof(r)));
		free(copy);
	}
}
END_TEST

/* A valid record padded with whitespace to n bytes. */
static char *
padded(size_t n)
{
	size_t	 len = strlen(sample_body);
	char	*s;

	ck_assert(n >= len);
	s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, sample_body, len - 1);
	memset(s + len - 1, ' ', n - len);
	s[n - 1] = '}';
	s[n] = '\0';
	return s;
}

/* The body cap: RECORD_BODY_MAX bytes pass, one more is refused. */
START_TEST(test_decode_size_cap)
{
	struct record	 r;
	char		 err[ERRLEN], *s;

	s = padded(RECORD_BODY_MAX);
	ck_assert_int_eq(record_decode(s, RECORD_BODY_MAX, &r, err,
	    sizeof(err)), 0);
	free(s);
	s = padded(RECORD_BODY_MAX + 1);
	ck_assert_int_eq(record_decode(s, RECORD_BODY_MAX + 1, &r, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "record body of 16385 bytes is over the 16384 "
	    "byte limit");
	free(s);
	ck_assert_int_eq(record_decode(NULL, 0, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "empty record body");
	ck_assert_int_eq(record_decode(sample_body, 5, &r, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "truncated JSON");
}
END_TEST

/* Under the byte cap, a body of many small unknown keys hits the token cap. */
START_TEST(test_decode_token_cap)
{
	struct buf	 b;
	struct record	 r;
	char		 err[ERRLEN];
	int		 i;

	buf_init(&b, 0);
	ck_assert_int_eq(buf_puts(&b, "{\"v\":1"), 0);
	for (i = 0; i < 300; i++)
		ck_assert_int_eq(buf_printf(&b, ",\"k%d\":0", i), 0);
	ck_assert_int_eq(buf_puts(&b, "}"), 0);
	ck_assert_uint_lt(b.len, RECORD_BODY_MAX);
	ck_assert_int_eq(record_decode(b.data, b.len, &r, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "too many tokens");
	buf_free(&b);
}
END_TEST

/* A NUL inside the body is refused, not taken for its end. */
START_TEST(test_decode_nul)
{
	struct record	 r;
	char		 err[ERRLEN];
	char		 body[sizeof(sample_body)];

	memcpy(body, sample_body, sizeof(body));
	body[30] = '\0';
	ck_assert_int_eq(record_decode(body, sizeof(body) - 1, &r, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "NUL byte in document");
}
END_TEST

/* Encoding refuses an invalid record and leaves the buffer as it was. */
START_TEST(test_encode_refuses)
{
	struct record	 r;
	struct buf	 b;
	char		 err[ERRLEN];

	buf_init(&b, 0);
	ck_assert_int_eq(buf_puts(&b, "keep"), 0);
	sample(&r);
	r.term = 0;
	ck_assert_int_eq(record_encode(&r, &b, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "term out of range (1 to 9223372036854775807)");
	sample(&r);
	r.version = 2;
	ck_assert_int_eq(record_encode(&r, &b, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown record version 2 (this leader-exec "
	    "reads version 1)");
	sample(&r);
	strcpy(r.epoch, "");
	r.state = RECORD_FAILED;
	r.exit_status = 1;
	ck_assert_int_eq(record_encode(&r, &b, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "a failed record needs an epoch");
	sample(&r);
	r.state = (enum record_state)9;
	ck_assert_int_eq(record_encode(&r, &b, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "state is not one of held, idle, done, failed, "
	    "released");
	sample(&r);
	memset(r.holder, 'x', sizeof(r.holder));
	ck_assert_int_eq(record_encode(&r, &b, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "holder is not an instance id");
	ck_assert_str_eq(b.data, "keep");
	ck_assert_uint_eq(b.len, 4);
	buf_free(&b);

	/* A buffer too small for the body: all or nothing. */
	buf_init(&b, 64);
	ck_assert_int_eq(buf_puts(&b, "keep"), 0);
	sample(&r);
	ck_assert_int_eq(record_encode(&r, &b, err, sizeof(err)), -1);
	ck_assert_str_eq(b.data, "keep");
	ck_assert_uint_eq(b.len, 4);
	buf_free(&b);
}
END_TEST

START_TEST(test_state_names)
{
	ck_assert_str_eq(record_state_name(RECORD_HELD), "held");
	ck_assert_str_eq(record_state_name(RECORD_IDLE), "idle");
	ck_assert_str_eq(record_state_name(RECORD_DONE), "done");
	ck_assert_str_eq(record_state_name(RECORD_FAILED), "failed");
	ck_assert_str_eq(record_state_name(RECORD_RELEASED), "released");
	ck_assert_str_eq(record_state_name((enum record_state)5), "unknown");
}
END_TEST

START_TEST(test_valid_id)
{
	char	 id[INSTANCE_ID_MAX + 1];

	ck_assert_int_eq(record_valid_id("i-0d4f4f3c2b1a09876"), 1);
	ck_assert_int_eq(record_valid_id(""), 0);
	ck_assert_int_eq(record_valid_id("i_1"), 0);
	ck_assert_int_eq(record_valid_id("i-1\n"), 0);
	memset(id, 'a', INSTANCE_ID_MAX - 1);
	id[INSTANCE_ID_MAX - 1] = '\0';
	ck_assert_int_eq(record_valid_id(id), 1);
	id[INSTANCE_ID_MAX - 1] = 'a';
	id[INSTANCE_ID_MAX] = '\0';
	ck_assert_int_eq(record_valid_id(id), 0);
}
END_TEST

struct key_case {
	const char	*name;		/* the rule the case protects */
	const char	*prefix, *key, *value, *lname;
	const char	*want;		/* the key, or NULL: refused */
};

static const struct key_case key_cases[] = {
	{ "EB's prefix; ':' of the scope key percent-encoded",
	  "leader-exec/", "elasticbeanstalk:environment-id", "e-abc123",
	  "command",
	  "leader-exec/elasticbeanstalk%3Aenvironment-id=e-abc123/"
	  "command.json" },
	{ "a prefix without its trailing '/' gives the same key",
	  "leader-exec", "elasticbeanstalk:environment-id", "e-abc123",
	  "command",
	  "leader-exec/elasticbeanstalk%3Aenvironment-id=e-abc123/"
	  "command.json" },
	{ "no prefix: the key starts with the scope",
	  NULL, "aws:autoscaling:groupName", "asg-1", "cron",
	  "aws%3Aautoscaling%3AgroupName=asg-1/cron.json" },
	{ "an empty prefix is no prefix",
	  "", "k", "v", "n", "k=v/n.json" },
	{ "leading and trailing slashes are dropped",
	  "//a/b.c_d-e//", "k", "v", "n", "a/b.c_d-e/k=v/n.json" },
	{ "'=', '/', '%', space and UTF-8 in a tag stay unambiguous",
	  NULL, "team=x/y", "50% caf\xc3\xa9", "n",
	  "team%3Dx%2Fy=50%25%20caf%C3%A9/n.json" },
	{ "[A-Za-z0-9._-] is kept as is",
	  NULL, "Az09._-", "..", "a.b", "Az09._-=../a.b.json" },
	{ "an empty segment in the prefix is refused",
	  "a//b", "k", "v", "n", NULL },
	{ "a '..' segment in the prefix is refused",
	  "a/../b", "k", "v", "n", NULL },
	{ "a '.' segment in the prefix is refused",
	  "./a", "k", "v", "n", NULL },
	{ "other characters in the prefix are refused",
	  "my prefix", "k", "v", "n", NULL },
	{ "an empty scope key is refused", NULL, "", "v", "n", NULL },
	{ "an empty scope value is refused", NULL, "k", "", "n", NULL },
	{ "a control character in the scope is refused",
	  NULL, "k", "v\n", "n", NULL },
	{ "invalid UTF-8 in the scope is refused",
	  NULL, "k", "\xc3", "n", NULL },
	{ "a name is a word", NULL, "k", "v", "a/b", NULL },
	{ "an empty name is refused", NULL, "k", "v", "", NULL }
};

/* The object key of a group and name, exactly. */
START_TEST(test_key)
{
	const struct key_case	*c = &key_cases[_i];
	char			 out[RECORD_KEY_MAX + 1], err[ERRLEN];
	int			 rc;

	err[0] = '\0';
	rc = record_key(c->prefix, c->key, c->value, c->lname, out,
	    sizeof(out), err, sizeof(err));
	if (c->want == NULL) {
		ck_assert_msg(rc == -1, "%s: gave %s", c->name, out);
		ck_assert_str_eq(out, "");
		ck_assert(err[0] != '\0');
	} else {
		ck_assert_msg(rc == 0, "%s: %s", c->name, err);
		ck_assert_str_eq(out, c->want);
	}
}
END_TEST

/* The key is bounded by S3's 1024 bytes and by the caller's buffer. */
START_TEST(test_key_bounds)
{
	char	 out[RECORD_KEY_MAX + 1], err[ERRLEN];
	char	 key[TAG_KEY_SIZE], value[TAG_VALUE_SIZE];
	char	 prefix[RECORD_PREFIX_MAX + 2], grp[RECORD_GROUP_MAX + 1];
	size_t	 i;

	/* 512 '%' (1536 bytes encoded) and 512 x U+00E9: too long. */
	memset(key, '%', TAG_KEY_SIZE - 1);
	key[TAG_KEY_SIZE - 1] = '\0';
	for (i = 0; i + 1 < (TAG_VALUE_SIZE - 1); i += 2)
		memcpy(value + i, "\xc3\xa9", 2);
	value[(TAG_VALUE_SIZE - 1)] = '\0';
	ck_assert_int_eq(record_key(NULL, key, value, "n", out, sizeof(out),
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "S3 object key longer than 1024 bytes");
	ck_assert_str_eq(out, "");

	/* Exactly as long as the buffer allows, and one byte short. */
	ck_assert_int_eq(record_key("p", "k", "v", "n", out, 12, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(record_key("p", "k", "v", "n", out, 13, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(out, "p/k=v/n.json");
	ck_assert_int_eq(record_key("p", "k", "v", "n", out, 0, err,
	    sizeof(err)), -1);

	/* The prefix: RECORD_PREFIX_MAX bytes pass, one more is refused. */
	memset(prefix, 'p', RECORD_PREFIX_MAX);
	prefix[RECORD_PREFIX_MAX] = '\0';
	ck_assert_int_eq(record_key(prefix, "k", "v", "n", out, sizeof(out),
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(out), RECORD_PREFIX_MAX + 11);
	prefix[RECORD_PREFIX_MAX] = 'p';
	prefix[RECORD_PREFIX_MAX + 1] = '\0';
	ck_assert_int_eq(record_key(prefix, "k", "v", "n", out, sizeof(out),
	    err, sizeof(err)), -1);

	/* The largest scope leader-exec accepts fits as a group. */
	memset(key, 'k', TAG_KEY_SIZE - 1);
	memset(value, 'v', (TAG_VALUE_SIZE - 1));
	ck_assert_int_eq(record_format_group(key, value, grp, sizeof(grp)), 0);
	ck_assert_uint_eq(strlen(grp), RECORD_GROUP_MAX);
}
END_TEST

START_TEST(test_format_group)
{
	char	 out[RECORD_GROUP_MAX + 1];

	ck_assert_int_eq(record_format_group("elasticbeanstalk:environment-id",
	    "e-abc123", out, sizeof(out)), 0);
	ck_assert_str_eq(out, EB_GROUP);
	ck_assert_int_eq(record_format_group("k", "v", out, 4), 0);
	ck_assert_str_eq(out, "k=v");
	ck_assert_int_eq(record_format_group("k", "v", out, 3), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(record_format_group("", "v", out, sizeof(out)), -1);
	ck_assert_int_eq(record_format_group("k", "\x7f", out, sizeof(out)),
	    -1);
}
END_TEST

static Suite *
record_suite(void)
{
	Suite	*s = suite_create("record");
	TCase	*core = tcase_create("Core");
	TCase	*limits = tcase_create("Limits");

	tcase_add_test(core, test_encode_exact);
	tcase_add_test(core, test_round_trip);
	tcase_add_test(core, test_decode_lenient_parts);
	tcase_add_loop_test(core, test_decode_refuses, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(core, test_state_names);
	tcase_add_test(core, test_valid_id);
	tcase_add_loop_test(core, test_key, 0,
	    (int)(sizeof(key_cases) / sizeof(key_cases[0])));
	tcase_add_test(core, test_format_group);
	tcase_add_test(limits, test_decode_truncated);
	tcase_add_test(limits, test_decode_size_cap);
	tcase_add_test(limits, test_decode_token_cap);
	tcase_add_test(limits, test_decode_nul);
	tcase_add_test(limits, test_encode_refuses);
	tcase_add_test(limits, test_key_bounds);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(record_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
