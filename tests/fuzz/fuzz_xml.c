/*
 * fuzz_xml: libFuzzer target for ec2_xml.c.
 *
 * Input: a flags byte, four chunk-size bytes, then the document.  Flags
 * bit 0 picks the tag filter of the streaming parse (NULL or
 * "leader-exec:command"); bit 1 feeds every piece as not final and ends
 * with an empty final piece.  The chunk sizes are used in turn (0 feeds
 * an empty piece); all four 0 feeds the document whole.
 *
 * Each document is parsed whole without a filter, whole with the filter
 * and streamed in the chosen pieces, and the rules of ec2_xml.h are
 * checked: every field of every result is read (so ASan sees a bad
 * pointer), the bounds hold, accepted documents have valid ids and an
 * error Code, the split points and the filter never change whether a
 * document is accepted, splitting never changes the result, the filter
 * keeps exactly the tags with its key, errors are one line of printable
 * ASCII, and every feed after the last one fails.  ec2_parse_time() is
 * checked against timegm() on the start of the document.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ec2_xml.h"
#include "fuzz.h"

#define FILTER		"leader-exec:command"
#define HEADER		5
#define FLAG_FILTER	0x01
#define FLAG_EMPTY_LAST	0x02
#define ERRLEN		256

/* UTF-8 code points in s, as ec2_xml.c counts tag lengths. */
static size_t
chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int
id_ok(const char *id)
{
	size_t	 i;

	for (i = 0; id[i] != '\0'; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
			return 0;
	return i > 0;
}

/* Read every field of r and check the bounds; ok: r was accepted. */
static void
check_result(const struct ec2_result *r, const char *filter, int ok)
{
	const struct group	*g = &r->group;
	const struct instance	*in;
	size_t			 i, j;

	FUZZ_CHECK(g->ninst <= g->cap && g->ninst <= GROUP_MAX_INSTANCES);
	FUZZ_CHECK(g->ninst == 0 || g->inst != NULL);
	for (i = 0; i < g->ninst; i++) {
		in = &g->inst[i];
		FUZZ_CHECK(memchr(in->id, '\0', sizeof(in->id)) != NULL);
		touch(in->id);
		FUZZ_CHECK(in->state >= STATE_UNKNOWN &&
		    in->state <= STATE_STOPPED);
		touch(instance_state_name(in->state));
		FUZZ_CHECK(in->launch_time == -1 || in->launch_time >= 0);
		FUZZ_CHECK(in->ntags <= INSTANCE_MAX_TAGS);
		FUZZ_CHECK(in->ntags == 0 || in->tags != NULL);
		for (j = 0; j < in->ntags; j++) {
			FUZZ_CHECK(in->tags[j].key != NULL);
			FUZZ_CHECK(in->tags[j].value != NULL);
			touch(in->tags[j].key);
			touch(in->tags[j].value);
			FUZZ_CHECK(chars(in->tags[j].key) <= TAG_KEY_CHARS);
			FUZZ_CHECK(chars(in->tags[j].value) <= TAG_VALUE_CHARS);
			if (filter != NULL)
				FUZZ_CHECK(strcmp(in->tags[j].key,
				    filter) == 0);
		}
		if (ok)
			FUZZ_CHECK(id_ok(in->id));
	}
	touch(g->next_token);
	touch(r->error_code);
	touch(r->error_message);
	touch(r->request_id);
	FUZZ_CHECK(r->ret >= -1 && r->ret <= 1);
	if (!ok)
		return;
	FUZZ_CHECK(g->next_token == NULL || g->next_token[0] != '\0');
	FUZZ_CHECK(!r->is_error || r->error_code != NULL);
	FUZZ_CHECK(r->is_error || r->error_code == NULL);
}

static int
same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * 1 when b holds what a holds, b's tags being those of a's with key
 * filter (all of them when filter is NULL), in the same order.
 */
static int
same_result(const struct ec2_result *a, const struct ec2_result *b,
    const char *filter)
{
	const struct instance	*ia, *ib;
	size_t			 i, j, k;

	if (a->is_error != b->is_error || a->ret != b->ret ||
	    !same_string(a->error_code, b->error_code) ||
	    !same_string(a->error_message, b->error_message) ||
	    !same_string(a->request_id, b->request_id) ||
	    !same_string(a->group.next_token, b->group.next_token) ||
	    a->group.ninst != b->group.ninst)
		return 0;
	for (i = 0; i < a->group.ninst; i++) {
		ia = &a->group.inst[i];
		ib = &b->group.inst[i];
		if (strcmp(ia->id, ib->id) != 0 || ia->state != ib->state ||
		    ia->launch_time != ib->launch_time)
			return 0;
		for (j = k = 0; j < ia->ntags; j++) {
			if (filter != NULL &&
			    strcmp(ia->tags[j].key, filter) != 0)
				continue;
			if (k >= ib->ntags ||
			    strcmp(ia->tags[j].key, ib->tags[k].key) != 0 ||
			    strcmp(ia->tags[j].value, ib->tags[k].value) != 0)
				return 0;
			k++;
		}
		if (k != ib->ntags)
			return 0;
	}
	return 1;
}

static void
check_error(const char *err, int rc)
{
	size_t	 n = strlen(err);

	if (rc == 0)
		FUZZ_CHECK(n == 0);
	else
		FUZZ_CHECK(n > 0 && printable(err, n));
}

/*
 * Stream doc into r in the pieces chunk[] describes.  0 or -1 as the
 * last feed; -2 when the parser cannot be allocated.
 */
static int
stream(const char *doc, size_t len, const uint8_t chunk[4], int flags,
    const char *filter, struct ec2_result *r)
{
	struct ec2_xml	*x;
	size_t		 off = 0, n, i = 0;
	int		 rc = 0, whole, final = 0;

	if ((x = ec2_xml_new(r, filter)) == NULL)
		return -2;
	whole = chunk[0] == 0 && chunk[1] == 0 && chunk[2] == 0 &&
	    chunk[3] == 0;
	while (rc == 0 && off < len) {
		n = whole ? len - off : chunk[i++ % 4];
		if (n > len - off)
			n = len - off;
		final = !(flags & FLAG_EMPTY_LAST) && off + n == len;
		rc = ec2_xml_feed(x, doc + off, n, final);
		off += n;
	}
	if (rc == 0 && !final)
		rc = ec2_xml_feed(x, NULL, 0, 1);
	FUZZ_CHECK(rc == 0 || rc == -1);
	check_error(ec2_xml_error(x), rc);
	/* After the final piece or a failure, every feed fails. */
	FUZZ_CHECK(ec2_xml_feed(x, "<a/>", 4, 0) == -1);
	FUZZ_CHECK(ec2_xml_feed(x, NULL, 0, 1) == -1);
	check_error(ec2_xml_error(x), -1);
	ec2_xml_free(x);
	return rc;
}

/* ec2_parse_time() on the start of the input agrees with timegm(). */
static void
check_time(const uint8_t *data, size_t len)
{
	char		 s[40];
	struct tm	 tm;
	long long	 t;
	size_t		 n = len < sizeof(s) - 1 ? len : sizeof(s) - 1;

	memcpy(s, data, n);
	s[n] = '\0';
	if ((t = ec2_parse_time(s)) == -1)
		return;
	FUZZ_CHECK(t >= 0);
	memset(&tm, 0, sizeof(tm));
	FUZZ_CHECK(sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec) == 6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	FUZZ_CHECK((long long)timegm(&tm) == t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec2_result	 all, filtered, streamed;
	uint8_t			 chunk[4] = { 0, 0, 0, 0 };
	const char		*doc, *filter;
	char			 err[ERRLEN];
	size_t			 len;
	int			 flags = 0, rc_all, rc_filtered, rc_stream;

	check_time(data, size);
	if (size >= HEADER) {
		flags = data[0];
		memcpy(chunk, data + 1, sizeof(chunk));
		doc = (const char *)data + HEADER;
		len = size - HEADER;
	} else {
		doc = (const char *)data;
		len = size;
	}
	filter = (flags & FLAG_FILTER) ? FILTER : NULL;

	rc_all = ec2_xml_parse(doc, len, NULL, &all, err, sizeof(err));
	FUZZ_CHECK(rc_all == 0 || rc_all == -1);
	check_error(err, rc_all);
	check_result(&all, NULL, rc_all == 0);

	rc_filtered = ec2_xml_parse(doc, len, FILTER, &filtered, err,
	    sizeof(err));
	check_error(err, rc_filtered);
	check_result(&filtered, FILTER, rc_filtered == 0);
	/* The filter never changes whether a document is accepted. */
	FUZZ_CHECK(rc_filtered == rc_all);
	if (rc_all == 0)
		FUZZ_CHECK(same_result(&all, &filtered, FILTER));

	rc_stream = stream(doc, len, chunk, flags, filter, &streamed);
	if (rc_stream != -2) {
		check_result(&streamed, filter, rc_stream == 0);
		/* Nor do the split points; nor the result, when accepted. */
		FUZZ_CHECK(rc_stream == rc_all);
		if (rc_stream == 0)
			FUZZ_CHECK(same_result(filter ? &filtered : &all,
			    &streamed, NULL));
	}

	ec2_result_free(&streamed);
	ec2_result_free(&filtered);
	ec2_result_free(&all);
	/* A freed result is empty and may be freed again. */
	FUZZ_CHECK(all.group.ninst == 0 && all.group.inst == NULL &&
	    all.error_code == NULL && all.ret == -1);
	ec2_result_free(&all);
	return 0;
}
