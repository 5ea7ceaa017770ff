/*
 * fuzz_record: libFuzzer target for record.c and decide_s3.c.
 *
 * The whole input is a record body for record_decode(); its last bytes
 * also pick the inputs of a decision over the decoded record.  Read from
 * the front, the same bytes are a prefix, scope and name for
 * record_key().  Checked, after record.h and decide_s3.h:
 *  - a refused body leaves the record zeroed and a reason; an accepted
 *    one obeys record_check(), re-encodes within RECORD_BODY_MAX, and
 *    decodes back to itself, re-encoding to the same bytes (a fixpoint);
 *  - a decision either refuses or gives a known outcome with a printable
 *    reason; what it would write obeys record_check(), is held by self in
 *    this group and name, and takes a claim's term above the record's,
 *    or the leader's not below it; DONE only for a done record of this
 *    epoch or the awaited term; nothing is written unless it claims or
 *    leads; a replace needs the ETag;
 *  - a key is refused with out "", or fits RECORD_KEY_MAX, ends in
 *    /NAME.json, holds only [A-Za-z0-9._-/%=] and its scope part
 *    percent-decodes back to KEY=VALUE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "decide_s3.h"
#include "fuzz.h"
#include "record.h"

#define ERRLEN	512

/* Encode r; the body in b (caller frees).  FUZZ_CHECKs success. */
static void
encode(const struct record *r, struct buf *b)
{
	char	 err[ERRLEN];

	buf_init(b, 0);
	FUZZ_CHECK(record_encode(r, b, err, sizeof(err)) == 0);
	FUZZ_CHECK(b->len <= RECORD_BODY_MAX);
}

static void
check_roundtrip(const struct record *r)
{
	struct record	 back;
	struct buf	 b1, b2;
	char		 err[ERRLEN];

	FUZZ_CHECK(record_check(r, err, sizeof(err)) == 0);
	encode(r, &b1);
	FUZZ_CHECK(record_decode(b1.data, b1.len, &back, err,
	    sizeof(err)) == 0);
	encode(&back, &b2);
	FUZZ_CHECK(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0);
	FUZZ_CHECK(back.term == r->term && back.state == r->state &&
	    back.exit_status == r->exit_status &&
	    strcmp(back.group, r->group) == 0 &&
	    strcmp(back.holder, r->holder) == 0);
	buf_free(&b1);
	buf_free(&b2);
}

/* A decision over r (or no record) with inputs chosen by byte c, d. */
static void
fuzz_decide(const struct record *r, uint8_t c, uint8_t d)
{
	static const char *const epochs[] = { "", "42", "41" };
	static const int64_t	 shifts[] = { -2, -1, 0, 1, 2, 3, -100, 100 };
	struct ds_input		 in;
	struct ds_result	 out;
	char			 err[ERRLEN];
	int			 rc;

	memset(&in, 0, sizeof(in));
	in.rec = r;
	in.has_etag = c & 1;
	in.holder_running = (c >> 1) & 1;
	in.run = (enum ds_run)((c >> 2) % 3);
	in.follow = (enum ds_follow)((c >> 4) % 3);
	in.group = r != NULL && (c & 0x40) ? r->group : "k=v";
	in.name = r != NULL && (c & 0x80) ? r->name : "command";
	in.self_id = r != NULL && (d & 1) ? r->holder : "i-self";
	in.epoch = r != NULL && (d & 2) ? r->epoch : epochs[(d >> 2) % 3];
	in.lease = 1 + (d >> 4);
	in.now = r != NULL ? r->lease_expiry + shifts[(d >> 5) % 8] : 1000;
	if (in.now < 0)
		in.now = 0;
	in.own_term = r != NULL && (d & 0x10) ? r->term : 0;
	in.waited_term = r != NULL && (d & 0x80) ? r->term : 0;

	rc = decide_s3(&in, &out, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		FUZZ_CHECK(err[0] != '\0' && !out.write);
		return;
	}
	FUZZ_CHECK(out.outcome >= DS_CLAIM_CREATE &&
	    out.outcome <= DS_LEADER_FAILED);
	FUZZ_CHECK(out.reason[0] != '\0' &&
	    printable(out.reason, strlen(out.reason)));
	FUZZ_CHECK((out.outcome == DS_CLAIM_CREATE) == (r == NULL));
	if (out.outcome == DS_CLAIM_CREATE || out.outcome == DS_CLAIM_REPLACE)
		FUZZ_CHECK(out.write && (r == NULL || out.term > r->term));
	else if (out.outcome == DS_LEADER)
		FUZZ_CHECK(out.term >= r->term);
	else
		FUZZ_CHECK(!out.write && out.term == r->term);
	if (out.outcome == DS_DONE)
		FUZZ_CHECK(r->state == RECORD_DONE ||
		    (in.waited_term > 0 && r->state == RECORD_IDLE));
	if (out.write) {
		FUZZ_CHECK(r == NULL || in.has_etag);
		FUZZ_CHECK(out.next.term == out.term);
		FUZZ_CHECK(strcmp(out.next.holder, in.self_id) == 0 &&
		    strcmp(out.next.group, in.group) == 0 &&
		    strcmp(out.next.name, in.name) == 0);
		check_roundtrip(&out.next);
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	    c == '/' || c == '%' || c == '=';
}

static void
fuzz_key(struct reader *rd)
{
	char	 out[RECORD_KEY_MAX + 1], err[ERRLEN], want[600];
	char	 dec[RECORD_KEY_MAX + 1];
	char	*prefix, *key, *value, *name;
	size_t	 n, i, o, nlen, start;
	int	 rc, hi, lo;

	prefix = take_string(rd, 40);
	key = take_string(rd, 140);
	value = take_string(rd, 260);
	name = take_string(rd, 70);
	if (prefix == NULL || key == NULL || value == NULL || name == NULL)
		goto out;
	rc = record_key(prefix[0] == 'N' ? NULL : prefix, key, value, name,
	    out, sizeof(out), err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	n = strlen(out);
	if (rc == -1) {
		FUZZ_CHECK(n == 0 && err[0] != '\0');
		goto out;
	}
	FUZZ_CHECK(n <= RECORD_KEY_MAX);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(key_char(out[i]));
	nlen = strlen(name);
	FUZZ_CHECK(n > nlen + 6 && out[n - nlen - 6] == '/' &&
	    strncmp(out + n - nlen - 5, name, nlen) == 0 &&
	    strcmp(out + n - 5, ".json") == 0);
	FUZZ_CHECK(out[0] != '/' && strstr(out, "//") == NULL);
	/* The segment before the name decodes back to KEY=VALUE. */
	for (start = n - nlen - 6; start > 0 && out[start - 1] != '/'; start--)
		;
	for (i = start, o = 0; i < n - nlen - 6; i++) {
		if (out[i] == '%') {
			hi = hexval(out[i + 1]);
			lo = hexval(out[i + 2]);
			FUZZ_CHECK(hi >= 0 && lo >= 0);
			dec[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			dec[o++] = out[i];
	}
	dec[o] = '\0';
	FUZZ_CHECK(strlen(key) + strlen(value) + 2 <= sizeof(want));
	memcpy(want, key, strlen(key));
	want[strlen(key)] = '=';
	memcpy(want + strlen(key) + 1, value, strlen(value) + 1);
	FUZZ_CHECK(strcmp(dec, want) == 0);
	FUZZ_CHECK(record_format_group(key, value, dec, sizeof(dec)) == 0 &&
	    strcmp(dec, want) == 0);
 out:
	free(prefix);
	free(key);
	free(value);
	free(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record	 r;
	struct reader	 rd = { data, size };
	char		 err[ERRLEN];
	uint8_t		 c = size > 0 ? data[size - 1] : 0;
	uint8_t		 d = size > 1 ? data[size - 2] : 0;
	int		 rc;

	memset(&r, 0xa5, sizeof(r));
	rc = record_decode((const char *)data, size, &r, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		FUZZ_CHECK(err[0] != '\0' && printable(err, strlen(err)));
		FUZZ_CHECK(all_zero(&r, sizeof(r)));
		fuzz_decide(NULL, c, d);
	} else {
		FUZZ_CHECK(err[0] == '\0');
		check_roundtrip(&r);
		fuzz_decide(&r, c, d);
	}
	fuzz_key(&rd);
	return 0;
}
