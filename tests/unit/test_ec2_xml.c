/*
 * Unit tests for ec2_xml.c: EC2 Query API responses into plain structs.
 *
 * Fixtures live in $TEST_DATA_DIR (default "tests/data").  The moto-*.xml
 * ones are raw bodies captured from moto_server 5.2 on 127.0.0.1 (boto3
 * run_instances with tags, then SigV4-signed DescribeInstances, CreateTags
 * and DeleteTags requests; moto-error-403.xml is its answer to an unknown
 * key with INITIAL_NO_AUTH_ACTION_COUNT=0).  The others are written after
 * the AWS documentation, pretty-printed like AWS answers, with decoys.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ec2_xml.h"

#define ENV_ID	"elasticbeanstalk:environment-id"

static const char *const fixtures[] = {
	"describe-3-reservations.xml",
	"describe-page1.xml",
	"describe-prefixed.xml",
	"error-unauthorized.xml",
	"error-response-403.xml",
	"createtags.xml",
	"deletetags-false.xml",
	"moto-describe.xml",
	"moto-describe-page1.xml",
	"moto-error-notfound.xml",
	"moto-error-403.xml",
	"moto-createtags.xml",
	"moto-deletetags.xml"
};

static const unsigned int seeds[] = { 1, 2, 3, 42, 20260101 };

/* Read a fixture whole; aborts the test when it is missing. */
static char *
load(const char *name, size_t *lenp)
{
	const char	*dir;
	char		 path[1024];
	FILE		*f;
	char		*data;
	long		 n;

	if ((dir = getenv("TEST_DATA_DIR")) == NULL)
		dir = "tests/data";
	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, name),
	    (int)sizeof(path));
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	data = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	*lenp = (size_t)n;
	return data;
}

/*
 * Feed doc in pieces: chunk 0 means whole, a positive chunk that fixed
 * size, a negative one random sizes 1..64 from srand(-chunk).  The error
 * text (or "") goes to err.
 */
static int
feed(const char *doc, size_t len, const char *filter, struct ec2_result *r,
    int chunk, char *err, size_t errlen)
{
	struct ec2_xml	*x;
	size_t		 off = 0, n;
	int		 rc = 0;

	x = ec2_xml_new(r, filter);
	ck_assert_ptr_nonnull(x);
	if (chunk < 0)
		srand((unsigned int)-chunk);
	while (rc == 0 && off < len) {
		if (chunk == 0)
			n = len;
		else if (chunk > 0)
			n = (size_t)chunk;
		else
			n = 1 + (size_t)(rand() % 64);
		if (n > len - off)
			n = len - off;
		rc = ec2_xml_feed(x, doc + off, n, 0);
		off += n;
	}
	if (rc == 0)
		rc = ec2_xml_feed(x, NULL, 0, 1);
	snprintf(err, errlen, "%s", rc == 0 ? "" : ec2_xml_error(x));
	ec2_xml_free(x);
	return rc;
}

/* Parse a fixture whole into r; the test fails unless it parses. */
static void
parse_fixture(const char *name, const char *filter, struct ec2_result *r)
{
	char	*doc, err[256];
	size_t	 len;

	doc = load(name, &len);
	ck_assert_msg(ec2_xml_parse(doc, len, filter, r, err, sizeof(err)) == 0,
	    "%s: %s", name, err);
	ck_assert_str_eq(err, "");
	free(doc);
}

/* Parse a string; returns rc and leaves the error text in err. */
static int
parse_str(const char *doc, const char *filter, struct ec2_result *r,
    char *err, size_t errlen)
{
	return ec2_xml_parse(doc, strlen(doc), filter, r, err, errlen);
}

/* Everything a result holds, as one canonical string (caller frees). */
static char *
dump(const struct ec2_result *r, int rc, const char *err)
{
	struct buf		 b;
	const struct instance	*in;
	size_t			 i, j;

	buf_init(&b, 16 * 1024 * 1024);
	ck_assert_int_eq(buf_printf(&b, "rc=%d err=%s error=%d code=%s "
	    "message=%s request=%s ret=%d next=%s n=%zu\n", rc, err,
	    r->is_error, r->error_code ? r->error_code : "(null)",
	    r->error_message ? r->error_message : "(null)",
	    r->request_id ? r->request_id : "(null)", r->ret,
	    r->group.next_token ? r->group.next_token : "(null)",
	    r->group.ninst), 0);
	for (i = 0; i < r->group.ninst; i++) {
		in = &r->group.inst[i];
		ck_assert_int_eq(buf_printf(&b, "%s %d %lld", in->id,
		    (int)in->state, (long long)in->launch_time), 0);
		for (j = 0; j < in->ntags; j++)
			ck_assert_int_eq(buf_printf(&b, " [%s=%s]",
			    in->tags[j].key, in->tags[j].value), 0);
		ck_assert_int_eq(buf_puts(&b, "\n"), 0);
	}
	if (b.data == NULL)
		return strdup("");
	return b.data;
}

/* Rule: DescribeInstances yields every instance of every reservation. */
START_TEST(test_describe_reservations)
{
	struct ec2_result	 r;
	const struct group	*g;

	parse_fixture("describe-3-reservations.xml", NULL, &r);
	g = &r.group;
	ck_assert_int_eq(r.is_error, 0);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_ptr_null(r.error_code);
	ck_assert_ptr_null(r.error_message);
	ck_assert_str_eq(r.request_id, "8f7724cf-496f-496e-8fe3-example");
	ck_assert_uint_eq(g->ninst, 6);
	ck_assert_str_eq(g->inst[0].id, "i-1234567890abcdef0");
	ck_assert_str_eq(g->inst[1].id, "i-0b22a22eec53b9321");
	ck_assert_str_eq(g->inst[2].id, "i-0c33b33ffc64c0432");
	ck_assert_str_eq(g->inst[3].id, "i-0d44c44aad75d1543");
	ck_assert_str_eq(g->inst[4].id, "i-0e55d55bbe86e2654");
	ck_assert_str_eq(g->inst[5].id, "i-0f66e66ccf97f3765");
	ec2_result_free(&r);
}
END_TEST

/* Rule: instanceState/name maps onto the six EC2 states. */
START_TEST(test_describe_states)
{
	struct ec2_result	 r;
	const struct group	*g;

	parse_fixture("describe-3-reservations.xml", NULL, &r);
	g = &r.group;
	ck_assert_uint_eq(g->ninst, 6);
	ck_assert_int_eq(g->inst[0].state, STATE_RUNNING);
	ck_assert_int_eq(g->inst[1].state, STATE_PENDING);
	ck_assert_int_eq(g->inst[2].state, STATE_STOPPING);
	ck_assert_int_eq(g->inst[3].state, STATE_STOPPED);
	ck_assert_int_eq(g->inst[4].state, STATE_SHUTTING_DOWN);
	ck_assert_int_eq(g->inst[5].state, STATE_TERMINATED);
	ec2_result_free(&r);
}
END_TEST

/* Rule: launchTime becomes exact unix seconds, fraction or not. */
START_TEST(test_describe_launch_time)
{
	struct ec2_result	 r;
	const struct group	*g;

	parse_fixture("describe-3-reservations.xml", NULL, &r);
	g = &r.group;
	ck_assert_uint_eq(g->ninst, 6);
	ck_assert_int_eq(g->inst[0].launch_time, 1440938160);
	ck_assert_int_eq(g->inst[1].launch_time, 1456790399);
	ck_assert_int_eq(g->inst[2].launch_time, 1577836800);
	ck_assert_int_eq(g->inst[3].launch_time, 1709208000);
	ck_assert_int_eq(g->inst[4].launch_time, 951805815);
	ck_assert_int_eq(g->inst[5].launch_time, 1577836799);
	ec2_result_free(&r);
}
END_TEST

/* Rule: without a filter every tag is kept, in order, decoded. */
START_TEST(test_describe_tags_all)
{
	struct ec2_result	 r;
	const struct group	*g;

	parse_fixture("describe-3-reservations.xml", NULL, &r);
	g = &r.group;
	ck_assert_uint_eq(g->ninst, 6);
	ck_assert_uint_eq(g->inst[0].ntags, 3);
	ck_assert_str_eq(g->inst[0].tags[0].key, ENV_ID);
	ck_assert_str_eq(g->inst[0].tags[0].value, "e-abc123");
	ck_assert_str_eq(g->inst[0].tags[1].key, "Name");
	ck_assert_str_eq(g->inst[0].tags[1].value, "web-1");
	ck_assert_str_eq(g->inst[0].tags[2].key,
	    "aws:cloudformation:stack-name");
	ck_assert_str_eq(g->inst[0].tags[2].value, "awseb-e-abc123-stack");
	ck_assert_uint_eq(g->inst[1].ntags, 1);
	ck_assert_str_eq(instance_tag(&g->inst[1], ENV_ID), "e-abc123");
	ck_assert_uint_eq(g->inst[2].ntags, 0);
	ck_assert_ptr_null(g->inst[2].tags);
	ck_assert_uint_eq(g->inst[3].ntags, 0);
	ck_assert_uint_eq(g->inst[4].ntags, 2);
	ck_assert_str_eq(instance_tag(&g->inst[4], ENV_ID), "");
	ck_assert_str_eq(instance_tag(&g->inst[4], "Name"),
	    "  spaced & <escaped> ");
	ck_assert_uint_eq(g->inst[5].ntags, 2);
	ck_assert_str_eq(instance_tag(&g->inst[5], "Name"),
	    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
	ck_assert_str_eq(instance_tag(&g->inst[5], ENV_ID), "e-other");
	ec2_result_free(&r);
}
END_TEST

/* Rule: with a filter only tags with exactly that key are kept. */
START_TEST(test_describe_tags_filtered)
{
	struct ec2_result	 r;
	const struct group	*g;
	size_t			 i;

	parse_fixture("describe-3-reservations.xml", ENV_ID, &r);
	g = &r.group;
	ck_assert_uint_eq(g->ninst, 6);
	ck_assert_uint_eq(g->inst[0].ntags, 1);
	ck_assert_str_eq(g->inst[0].tags[0].value, "e-abc123");
	ck_assert_uint_eq(g->inst[1].ntags, 1);
	ck_assert_str_eq(g->inst[1].tags[0].value, "e-abc123");
	ck_assert_uint_eq(g->inst[2].ntags, 0);
	ck_assert_uint_eq(g->inst[3].ntags, 0);
	ck_assert_uint_eq(g->inst[4].ntags, 1);
	ck_assert_str_eq(g->inst[4].tags[0].value, "");
	ck_assert_uint_eq(g->inst[5].ntags, 1);
	ck_assert_str_eq(g->inst[5].tags[0].value, "e-other");
	for (i = 0; i < g->ninst; i++) {
		ck_assert_ptr_null(instance_tag(&g->inst[i], "Name"));
		ck_assert_ptr_null(instance_tag(&g->inst[i],
		    "elasticbeanstalk:environment"));
	}
	ec2_result_free(&r);
}
END_TEST

/* Rule: elements nested in interfaces, groups, disks are not instance data. */
START_TEST(test_describe_nested_decoys)
{
	struct ec2_result	 r;
	const struct group	*g;
	size_t			 i;

	parse_fixture("describe-3-reservations.xml", NULL, &r);
	g = &r.group;
	ck_assert_uint_eq(g->ninst, 6);
	ck_assert_ptr_null(group_find(g, "i-decoyattachment"));
	ck_assert_str_eq(g->inst[0].id, "i-1234567890abcdef0");
	ck_assert_int_eq(g->inst[0].launch_time, 1440938160);
	ck_assert_int_eq(g->inst[0].state, STATE_RUNNING);
	for (i = 0; i < g->ninst; i++)
		ck_assert_ptr_null(instance_tag(&g->inst[i], "decoy"));
	ck_assert_ptr_null(g->next_token);
	ec2_result_free(&r);
}
END_TEST

/* Rule: the top-level nextToken is kept; raw UTF-8 survives as is. */
START_TEST(test_describe_next_token)
{
	struct ec2_result	 r;

	parse_fixture("describe-page1.xml", ENV_ID, &r);
	ck_assert_str_eq(r.group.next_token,
	    "eyJ2IjoiMiIsImMiOiJwYWdlMiJ9+/AbC==");
	ck_assert_uint_eq(r.group.ninst, 1);
	ck_assert_str_eq(r.group.inst[0].id, "i-0a1b2c3d4e5f60718");
	ck_assert_int_eq(r.group.inst[0].launch_time, 1685606400);
	ck_assert_str_eq(r.request_id, "b5a8d7e3-page-1-example");
	ec2_result_free(&r);
	parse_fixture("describe-page1.xml", NULL, &r);
	ck_assert_uint_eq(r.group.inst[0].ntags, 2);
	ck_assert_str_eq(instance_tag(&r.group.inst[0], "Owner"),
	    "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m \xe6\x97\xa5\xe6\x9c\xac");
	ec2_result_free(&r);
}
END_TEST

/* Rule: namespace prefixes are ignored; an empty nextToken is none. */
START_TEST(test_describe_prefixed)
{
	struct ec2_result	 r;

	parse_fixture("describe-prefixed.xml", NULL, &r);
	ck_assert_uint_eq(r.group.ninst, 1);
	ck_assert_str_eq(r.group.inst[0].id, "i-0prefixed00000001");
	ck_assert_int_eq(r.group.inst[0].state, STATE_RUNNING);
	ck_assert_int_eq(r.group.inst[0].launch_time, -1);
	ck_assert_str_eq(instance_tag(&r.group.inst[0], "role"), "leader");
	ck_assert_ptr_null(r.group.next_token);
	ck_assert_ptr_null(r.request_id);
	ec2_result_free(&r);
}
END_TEST

/* Rule: a real moto_server DescribeInstances body parses in full. */
START_TEST(test_moto_describe)
{
	static const char *const ids[] = {
		"i-80b128f8c57a65320", "i-7dbc769501c286876",
		"i-72c9bc0c9fb54740f", "i-a4e453ea65c8cc0c7",
		"i-888ae581ca4477046"
	};
	static const enum instance_state states[] = {
		STATE_RUNNING, STATE_RUNNING, STATE_STOPPED, STATE_RUNNING,
		STATE_TERMINATED
	};
	struct ec2_result	 r;
	const struct instance	*in;
	size_t			 i;

	parse_fixture("moto-describe.xml", NULL, &r);
	ck_assert_uint_eq(r.group.ninst, 5);
	ck_assert_ptr_null(r.group.next_token);
	ck_assert_str_eq(r.request_id, "request-id");
	for (i = 0; i < 5; i++) {
		in = &r.group.inst[i];
		ck_assert_str_eq(in->id, ids[i]);
		ck_assert_int_eq(in->state, states[i]);
		ck_assert_int_eq(in->launch_time, 1795343187);
		ck_assert_uint_eq(in->ntags, 3);
		ck_assert_str_eq(in->tags[0].key, ENV_ID);
		ck_assert_str_eq(in->tags[1].key, "Name");
		ck_assert_str_eq(in->tags[1].value, "web & <api>");
		ck_assert_str_eq(in->tags[2].key, "role");
	}
	ck_assert_str_eq(r.group.inst[0].tags[0].value, "e-abc123");
	ck_assert_str_eq(r.group.inst[2].tags[2].value, "worker");
	ck_assert_str_eq(r.group.inst[4].tags[0].value, "e-other");
	ec2_result_free(&r);
}
END_TEST

/* Rule: moto's first page (MaxResults=2) carries its nextToken. */
START_TEST(test_moto_describe_page)
{
	struct ec2_result	 r;

	parse_fixture("moto-describe-page1.xml", ENV_ID, &r);
	ck_assert_str_eq(r.group.next_token, "r-2cce057544b205b8f");
	ck_assert_uint_eq(r.group.ninst, 3);
	ck_assert_str_eq(r.group.inst[2].id, "i-72c9bc0c9fb54740f");
	ck_assert_uint_eq(r.group.inst[2].ntags, 1);
	ck_assert_str_eq(r.group.inst[2].tags[0].value, "e-abc123");
	ec2_result_free(&r);
}
END_TEST

/* Rule: CreateTags <return>true</return> gives ret 1. */
START_TEST(test_createtags_true)
{
	struct ec2_result	 r;

	parse_fixture("createtags.xml", NULL, &r);
	ck_assert_int_eq(r.ret, 1);
	ck_assert_int_eq(r.is_error, 0);
	ck_assert_uint_eq(r.group.ninst, 0);
	ck_assert_str_eq(r.request_id, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE");
	ec2_result_free(&r);
}
END_TEST

/* Rule: DeleteTags <return>false</return> gives ret 0. */
START_TEST(test_deletetags_false)
{
	struct ec2_result	 r;

	parse_fixture("deletetags-false.xml", NULL, &r);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_int_eq(r.is_error, 0);
	ck_assert_str_eq(r.request_id, "9b83d5a0-delete-tags-EXAMPLE");
	ec2_result_free(&r);
}
END_TEST

/* Rule: moto's CreateTags/DeleteTags carry no <return>: ret stays -1. */
START_TEST(test_moto_tags_no_return)
{
	struct ec2_result	 r;

	parse_fixture("moto-createtags.xml", NULL, &r);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_int_eq(r.is_error, 0);
	ck_assert_str_eq(r.request_id, "request-id");
	ec2_result_free(&r);
	parse_fixture("moto-deletetags.xml", NULL, &r);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_str_eq(r.request_id, "request-id");
	ec2_result_free(&r);
}
END_TEST

/* Rule: Auto Scaling's SetInstanceProtection answer is a success. */
START_TEST(test_set_instance_protection)
{
	struct ec2_result	 r;
	char			 err[256];

	ck_assert_int_eq(parse_str("<SetInstanceProtectionResponse xmlns="
	    "\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
	    "<SetInstanceProtectionResult/><ResponseMetadata><RequestId>r-1"
	    "</RequestId></ResponseMetadata></SetInstanceProtectionResponse>",
	    NULL, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.is_error, 0);
	ec2_result_free(&r);
	ck_assert_int_eq(parse_str("<ErrorResponse><Error><Type>Sender</Type>"
	    "<Code>AccessDenied</Code><Message>no</Message></Error>"
	    "<RequestId>r-2</RequestId></ErrorResponse>", NULL, &r, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(r.is_error, 1);
	ck_assert_str_eq(r.error_code, "AccessDenied");
	ec2_result_free(&r);
}
END_TEST

/* Rule: an unknown <return> value is refused, not guessed. */
START_TEST(test_return_bad)
{
	struct ec2_result	 r;
	char			 err[256];

	ck_assert_int_eq(parse_str("<CreateTagsResponse><return>yes</return>"
	    "</CreateTagsResponse>", NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: bad return \"yes\"");
	ec2_result_free(&r);
}
END_TEST

/* Rule: Response/Errors/Error gives code, message and RequestID. */
START_TEST(test_error_unauthorized)
{
	struct ec2_result	 r;

	parse_fixture("error-unauthorized.xml", NULL, &r);
	ck_assert_int_eq(r.is_error, 1);
	ck_assert_str_eq(r.error_code, "UnauthorizedOperation");
	ck_assert_str_eq(r.error_message, "You are not authorized to perform "
	    "this operation. User: arn:aws:sts::123456789012:assumed-role/"
	    "aws-elasticbeanstalk-ec2-role/i-0a1b2c3d4e5f60718 is not "
	    "authorized to perform: ec2:DescribeInstances because no "
	    "identity-based policy allows the ec2:DescribeInstances action");
	ck_assert_str_eq(r.request_id, "3f9b1d2e-4c5a-4e6f-8a7b-9c0d1e2f3a4b");
	ck_assert_uint_eq(r.group.ninst, 0);
	ck_assert_int_eq(r.ret, -1);
	ec2_result_free(&r);
}
END_TEST

/* Rule: moto's EC2 error document parses the same way. */
START_TEST(test_error_moto_notfound)
{
	struct ec2_result	 r;

	parse_fixture("moto-error-notfound.xml", NULL, &r);
	ck_assert_int_eq(r.is_error, 1);
	ck_assert_str_eq(r.error_code, "InvalidInstanceID.NotFound");
	ck_assert_str_eq(r.error_message,
	    "The instance ID 'i-00000000000000000' does not exist");
	ck_assert_str_eq(r.request_id, "request-id");
	ec2_result_free(&r);
}
END_TEST

/* Rule: ErrorResponse/Error gives code, message and RequestId. */
START_TEST(test_error_response_403)
{
	struct ec2_result	 r;

	parse_fixture("error-response-403.xml", NULL, &r);
	ck_assert_int_eq(r.is_error, 1);
	ck_assert_str_eq(r.error_code, "SignatureDoesNotMatch");
	ck_assert_str_eq(r.error_message, "The request signature we "
	    "calculated does not match the signature you provided.");
	ck_assert_str_eq(r.request_id, "c2d1e0f9-8a7b-4c6d-9e5f-a4b3c2d1e0f9");
	ec2_result_free(&r);
}
END_TEST

/* Rule: moto's 403 ErrorResponse/Errors/Error form is understood too. */
START_TEST(test_error_moto_403)
{
	struct ec2_result	 r;

	parse_fixture("moto-error-403.xml", NULL, &r);
	ck_assert_int_eq(r.is_error, 1);
	ck_assert_str_eq(r.error_code, "InvalidClientTokenId");
	ck_assert_str_eq(r.error_message,
	    "The security token included in the request is invalid.");
	ck_assert_ptr_null(r.request_id);
	ec2_result_free(&r);
}
END_TEST

/* Rule: of several errors the first one's code and message are kept. */
START_TEST(test_error_first_wins)
{
	struct ec2_result	 r;
	char			 err[256];

	ck_assert_int_eq(parse_str("<Response><Errors>"
	    "<Error><Code>A</Code><Message>first</Message></Error>"
	    "<Error><Code>B</Code><Message>second</Message></Error>"
	    "</Errors><RequestID>x</RequestID></Response>", NULL, &r,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(r.error_code, "A");
	ck_assert_str_eq(r.error_message, "first");
	ec2_result_free(&r);
}
END_TEST

/* Rule: an error document without a Code is refused. */
START_TEST(test_error_without_code)
{
	struct ec2_result	 r;
	char			 err[256];

	ck_assert_int_eq(parse_str("<Response><Errors><Error><Message>m"
	    "</Message></Error></Errors></Response>", NULL, &r, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "error document without Code");
	ck_assert_int_eq(r.is_error, 1);
	ec2_result_free(&r);
}
END_TEST

/* Rule: a document of an unknown kind is an error naming its root. */
START_TEST(test_unexpected_root)
{
	struct ec2_result	 r;
	char			 err[256];

	ck_assert_int_eq(parse_str("<?xml version=\"1.0\"?>\n"
	    "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/"
	    "2006-03-01/\"><Owner/></ListAllMyBucketsResult>", NULL, &r,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "line 2: unexpected document <ListAllMyBucketsResult>");
	ec2_result_free(&r);
	ck_assert_int_eq(parse_str("<html><body>502 Bad Gateway</body></html>",
	    NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: unexpected document <html>");
	ec2_result_free(&r);
}
END_TEST

/* Rule: malformed XML (mismatch, garbage, empty, junk) is an error. */
START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"<DescribeInstancesResponse><reservationSet></item>"
		    "</DescribeInstancesResponse>",
		"this is not xml",
		"",
		"   \n",
		"<CreateTagsResponse></CreateTagsResponse><x/>",
		"<CreateTagsResponse><return>true</return>"
		    "</CreateTagsResponse>trailing",
		"<CreateTagsResponse><return>&bogus;</return>"
		    "</CreateTagsResponse>",
		"<CreateTagsResponse a='1' a='2'></CreateTagsResponse>",
		"\xff\xfe<\x00"
	};
	struct ec2_result	 r;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse_str(bad[i], NULL, &r, err,
		    sizeof(err)) == -1, "accepted bad[%zu]", i);
		ck_assert_msg(err[0] != '\0', "no reason for bad[%zu]", i);
		ec2_result_free(&r);
	}
	ck_assert_int_eq(parse_str("", NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: no element found");
	ec2_result_free(&r);
	ck_assert_int_eq(parse_str("<DescribeInstancesResponse></Describe>",
	    NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: mismatched tag");
	ec2_result_free(&r);
}
END_TEST

/* Rule: a DOCTYPE (entity declarations) is refused outright. */
START_TEST(test_doctype_refused)
{
	struct ec2_result	 r;
	char			 err[256];

	ck_assert_int_eq(parse_str("<!DOCTYPE r [<!ENTITY a \"aaaa\">]>\n"
	    "<CreateTagsResponse><return>&a;</return></CreateTagsResponse>",
	    NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: DOCTYPE not allowed");
	ec2_result_free(&r);
}
END_TEST

/* Rule: a document cut short fails at final, never earlier or silently. */
START_TEST(test_truncated)
{
	static const char *const names[] = {
		"describe-3-reservations.xml", "moto-describe.xml",
		"error-unauthorized.xml", "createtags.xml"
	};
	struct ec2_result	 r;
	struct ec2_xml		*x;
	char			*doc;
	size_t			 len, end, cut[8], i, k;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		doc = load(names[k], &len);
		end = (size_t)(strrchr(doc, '>') - doc);
		cut[0] = 0;
		cut[1] = 1;
		cut[2] = 40;
		cut[3] = end / 3;
		cut[4] = end / 2;
		cut[5] = end - 20;
		cut[6] = end - 1;
		cut[7] = end;
		for (i = 0; i < 8; i++) {
			x = ec2_xml_new(&r, NULL);
			ck_assert_ptr_nonnull(x);
			ck_assert_msg(ec2_xml_feed(x, doc, cut[i], 0) == 0,
			    "%s cut at %zu failed early: %s", names[k],
			    cut[i], ec2_xml_error(x));
			ck_assert_msg(ec2_xml_feed(x, NULL, 0, 1) == -1,
			    "%s cut at %zu accepted", names[k], cut[i]);
			ck_assert_str_ne(ec2_xml_error(x), "");
			ec2_xml_free(x);
			ec2_result_free(&r);
		}
		free(doc);
	}
}
END_TEST

/* Rule: every cut of a small document fails, however fed. */
START_TEST(test_truncated_every_offset)
{
	struct ec2_result	 r;
	char			*doc, err[256];
	size_t			 len, end, i;

	doc = load("error-response-403.xml", &len);
	end = (size_t)(strrchr(doc, '>') - doc);
	for (i = 0; i <= end; i++) {
		ck_assert_msg(feed(doc, i, NULL, &r, 1, err,
		    sizeof(err)) == -1, "cut at %zu accepted", i);
		ec2_result_free(&r);
		ck_assert_msg(feed(doc, i, NULL, &r, 0, err,
		    sizeof(err)) == -1, "cut at %zu accepted", i);
		ec2_result_free(&r);
	}
	ck_assert_int_eq(feed(doc, end + 1, NULL, &r, 1, err, sizeof(err)), 0);
	ec2_result_free(&r);
	free(doc);
}
END_TEST

/* Rule: a half-read result keeps its counted instances for freeing. */
START_TEST(test_half_filled_result)
{
	struct ec2_result	 r;
	char			*doc, err[256];
	size_t			 len;
	const char		*cutp;

	doc = load("describe-3-reservations.xml", &len);
	cutp = strstr(doc, "web-1");
	ck_assert_ptr_nonnull(cutp);
	ck_assert_int_eq(ec2_xml_parse(doc, (size_t)(cutp - doc), NULL, &r,
	    err, sizeof(err)), -1);
	ck_assert_uint_eq(r.group.ninst, 1);
	ck_assert_uint_eq(r.group.inst[0].ntags, 1);
	ck_assert_str_eq(r.group.inst[0].tags[0].value, "e-abc123");
	ec2_result_free(&r);
	ck_assert_uint_eq(r.group.ninst, 0);
	ck_assert_ptr_null(r.group.inst);
	ck_assert_int_eq(r.ret, -1);
	ec2_result_free(&r);
	free(doc);
}
END_TEST

/* Rule: once failed or finished, a parser refuses further input. */
START_TEST(test_feed_after_end)
{
	struct ec2_result	 r;
	struct ec2_xml		*x;
	const char		*doc = "<CreateTagsResponse/>";

	x = ec2_xml_new(&r, NULL);
	ck_assert_ptr_nonnull(x);
	ck_assert_str_eq(ec2_xml_error(x), "");
	ck_assert_int_eq(ec2_xml_feed(x, doc, strlen(doc), 1), 0);
	ck_assert_int_eq(ec2_xml_feed(x, doc, strlen(doc), 1), -1);
	ck_assert_str_eq(ec2_xml_error(x),
	    "data after the end of the document");
	ec2_xml_free(x);
	ec2_result_free(&r);

	x = ec2_xml_new(&r, NULL);
	ck_assert_ptr_nonnull(x);
	/* Small pieces are gathered: the failure may show one feed later. */
	(void)ec2_xml_feed(x, "<nope/>", 7, 0);
	ck_assert_int_eq(ec2_xml_feed(x, doc, strlen(doc), 1), -1);
	ck_assert_int_eq(ec2_xml_feed(x, doc, strlen(doc), 1), -1);
	ck_assert_str_eq(ec2_xml_error(x),
	    "line 1: unexpected document <nope>");
	ec2_xml_free(x);
	ec2_result_free(&r);
}
END_TEST

/* Rule: the result never depends on how the body is split. */
START_TEST(test_chunking_identical)
{
	struct ec2_result	 r;
	char			*doc, *want, *got, err[256];
	size_t			 len, k, s;
	int			 rc;

	for (k = 0; k < sizeof(fixtures) / sizeof(fixtures[0]); k++) {
		doc = load(fixtures[k], &len);
		rc = feed(doc, len, NULL, &r, 0, err, sizeof(err));
		ck_assert_msg(rc == 0, "%s: %s", fixtures[k], err);
		want = dump(&r, rc, err);
		ec2_result_free(&r);
		for (s = 0; s <= sizeof(seeds) / sizeof(seeds[0]); s++) {
			/* Each seed, then 1-byte pieces. */
			rc = feed(doc, len, NULL, &r,
			    s < sizeof(seeds) / sizeof(seeds[0]) ?
			    -(int)seeds[s] : 1, err, sizeof(err));
			got = dump(&r, rc, err);
			ck_assert_msg(strcmp(want, got) == 0,
			    "%s split %zu differs:\n%s\nvs\n%s", fixtures[k],
			    s, want, got);
			free(got);
			ec2_result_free(&r);
		}
		free(want);
		free(doc);
	}
}
END_TEST

/* Rule: chunking also leaves filtered results and failures unchanged. */
START_TEST(test_chunking_filtered_and_failing)
{
	static const char *const docs[] = {
		"<DescribeInstancesResponse><reservationSet><item>"
		    "<instancesSet><item><instanceId>i-1</instanceId>"
		    "<tagSet><item><key>k</key><value>v</value></item>"
		    "</tagSet></item></instancesSet></item></reservationSet>"
		    "</DescribeInsta",
		"<Response>\n<Errors>\n<Error><Code>X</Code></Error>\n"
		    "</Errors>\n</Respons>"
	};
	struct ec2_result	 r;
	char			*doc, *want, *got, err[256];
	size_t			 len, k, s;
	int			 rc;

	doc = load("moto-describe.xml", &len);
	rc = feed(doc, len, ENV_ID, &r, 0, err, sizeof(err));
	ck_assert_int_eq(rc, 0);
	want = dump(&r, rc, err);
	ec2_result_free(&r);
	for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		rc = feed(doc, len, ENV_ID, &r, -(int)seeds[s], err,
		    sizeof(err));
		got = dump(&r, rc, err);
		ck_assert_str_eq(want, got);
		free(got);
		ec2_result_free(&r);
	}
	free(want);
	free(doc);

	for (k = 0; k < sizeof(docs) / sizeof(docs[0]); k++) {
		rc = feed(docs[k], strlen(docs[k]), NULL, &r, 0, err,
		    sizeof(err));
		ck_assert_int_eq(rc, -1);
		want = dump(&r, rc, err);
		ec2_result_free(&r);
		for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
			rc = feed(docs[k], strlen(docs[k]), NULL, &r,
			    -(int)seeds[s], err, sizeof(err));
			got = dump(&r, rc, err);
			ck_assert_str_eq(want, got);
			free(got);
			ec2_result_free(&r);
		}
		free(want);
	}
}
END_TEST

/* Rule: good timestamps convert to exact UTC unix seconds. */
START_TEST(test_parse_time_good)
{
	ck_assert_int_eq(ec2_parse_time("2015-08-30T12:36:00Z"), 1440938160);
	ck_assert_int_eq(ec2_parse_time("2015-08-30T12:36:00.000Z"),
	    1440938160);
	ck_assert_int_eq(ec2_parse_time("2015-08-30T12:36:00.999999Z"),
	    1440938160);
	ck_assert_int_eq(ec2_parse_time("1970-01-01T00:00:00Z"), 0);
	ck_assert_int_eq(ec2_parse_time("1972-03-01T00:00:00Z"), 68256000);
	ck_assert_int_eq(ec2_parse_time("2000-02-29T06:30:15.123Z"),
	    951805815);
	ck_assert_int_eq(ec2_parse_time("2016-02-29T23:59:59.000Z"),
	    1456790399);
	ck_assert_int_eq(ec2_parse_time("2024-02-29T12:00:00Z"), 1709208000);
	ck_assert_int_eq(ec2_parse_time("2019-12-31T23:59:59Z"), 1577836799);
	ck_assert_int_eq(ec2_parse_time("2020-01-01T00:00:00Z"), 1577836800);
	ck_assert_int_eq(ec2_parse_time("2100-03-01T00:00:00Z"), 4107542400LL);
	ck_assert_int_eq(ec2_parse_time("2026-11-22T10:26:27.000Z"),
	    1795343187);
	ck_assert_int_eq(ec2_parse_time("9999-12-31T23:59:59Z"),
	    253402300799LL);
}
END_TEST

/* Rule: malformed or out-of-range timestamps give -1. */
START_TEST(test_parse_time_bad)
{
	static const char *const bad[] = {
		"",
		"2015-08-30T12:36:00",		/* no Z */
		"2015-08-30T12:36:00+00:00",
		"2015-08-30T12:36:00z",
		"2015-08-30T12:36:00.Z",	/* empty fraction */
		"2015-08-30T12:36:00ZZ",
		"2015-08-30 12:36:00Z",
		"2015-8-30T12:36:00Z",
		"15-08-30T12:36:00Z",
		"2015-08-30T12:36Z",
		"+015-08-30T12:36:00Z",
		"2015-08-30T12:36: 0Z",
		"2015-00-30T12:36:00Z",
		"2015-13-01T00:00:00Z",
		"2015-01-00T00:00:00Z",
		"2015-01-32T00:00:00Z",
		"2015-04-31T00:00:00Z",
		"2015-02-29T00:00:00Z",		/* not a leap year */
		"2100-02-29T00:00:00Z",		/* century, not leap */
		"2016-02-30T00:00:00Z",
		"2015-08-30T24:00:00Z",
		"2015-08-30T12:60:00Z",
		"2015-08-30T12:36:60Z",
		"1969-12-31T23:59:59Z",
		" 2015-08-30T12:36:00Z"
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ec2_parse_time(bad[i]) == -1, "accepted \"%s\"",
		    bad[i]);
	ck_assert_int_eq(ec2_parse_time(NULL), -1);
	ck_assert_int_eq(ec2_parse_time("2000-02-29T00:00:00Z"), 951782400);
}
END_TEST

/* Rule: a malformed launchTime fails the document. */
START_TEST(test_launch_time_bad)
{
	struct ec2_result	 r;
	char			 err[256];

	ck_assert_int_eq(parse_str("<DescribeInstancesResponse>"
	    "<reservationSet><item><instancesSet><item><instanceId>i-1"
	    "</instanceId><launchTime>2015-02-29T00:00:00.000Z</launchTime>"
	    "</item></instancesSet></item></reservationSet>"
	    "</DescribeInstancesResponse>", NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "line 1: bad launchTime \"2015-02-29T00:00:00.000Z\"");
	ck_assert_uint_eq(r.group.ninst, 1);
	ec2_result_free(&r);
}
END_TEST

/*
 * A DescribeInstances document with one instance whose tagSet holds
 * ntags items key<i>=<value>, and extra text inside the instance.
 */
static char *
make_describe(const char *id, size_t ntags, const char *key,
    const char *value, const char *extra)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b, 8 * 1024 * 1024);
	ck_assert_int_eq(buf_printf(&b, "<DescribeInstancesResponse>"
	    "<reservationSet><item><instancesSet><item><instanceId>%s"
	    "</instanceId>%s<tagSet>", id, extra), 0);
	for (i = 0; i < ntags; i++)
		ck_assert_int_eq(buf_printf(&b, "<item><key>%s%s</key>"
		    "<value>%s</value></item>", key, i == 0 ? "" : "x", value),
		    0);
	ck_assert_int_eq(buf_puts(&b, "</tagSet></item></instancesSet></item>"
	    "</reservationSet></DescribeInstancesResponse>"), 0);
	return b.data;
}

static char *
repeat(const char *s, size_t n)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b, 8 * 1024 * 1024);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(buf_puts(&b, s), 0);
	return b.data != NULL ? b.data : strdup("");
}

/* Depth n documents: a known root with n - 1 nested unknown elements. */
static char *
make_deep(size_t n)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b, 0);
	ck_assert_int_eq(buf_puts(&b, "<CreateTagsResponse>"), 0);
	for (i = 1; i < n; i++)
		ck_assert_int_eq(buf_puts(&b, "<a>"), 0);
	for (i = 1; i < n; i++)
		ck_assert_int_eq(buf_puts(&b, "</a>"), 0);
	ck_assert_int_eq(buf_puts(&b, "</CreateTagsResponse>"), 0);
	return b.data;
}

/* Rule: nesting up to EC2_XML_MAX_DEPTH is fine, one more is refused. */
START_TEST(test_limit_depth)
{
	struct ec2_result	 r;
	char			*doc, err[256];

	doc = make_deep(EC2_XML_MAX_DEPTH);
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), 0);
	ec2_result_free(&r);
	free(doc);
	doc = make_deep(EC2_XML_MAX_DEPTH + 1);
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: elements nested deeper than 32");
	ec2_result_free(&r);
	free(doc);
}
END_TEST

/* Rule: text up to EC2_XML_MAX_TEXT is kept whole, longer is an error. */
START_TEST(test_limit_text)
{
	struct ec2_result	 r;
	char			*text, err[256];
	struct buf		 b;

	text = repeat("t", EC2_XML_MAX_TEXT);
	buf_init(&b, 0);
	ck_assert_int_eq(buf_printf(&b, "<DescribeInstancesResponse>"
	    "<nextToken>%s</nextToken><other>%s</other>"
	    "</DescribeInstancesResponse>", text, text), 0);
	ck_assert_int_eq(feed(b.data, b.len, NULL, &r, -7, err, sizeof(err)),
	    0);
	ck_assert_str_eq(r.group.next_token, text);
	ec2_result_free(&r);
	buf_free(&b);

	/* One more byte, in a kept element and in an ignored one. */
	buf_init(&b, 0);
	ck_assert_int_eq(buf_printf(&b, "<DescribeInstancesResponse>"
	    "<nextToken>%s&amp;</nextToken></DescribeInstancesResponse>",
	    text), 0);
	ck_assert_int_eq(feed(b.data, b.len, NULL, &r, 0, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "line 1: text longer than 4096 bytes");
	ck_assert_ptr_null(r.group.next_token);
	ec2_result_free(&r);
	buf_free(&b);
	buf_init(&b, 0);
	ck_assert_int_eq(buf_printf(&b, "<DescribeInstancesResponse>"
	    "<other>x%s</other></DescribeInstancesResponse>", text), 0);
	ck_assert_int_eq(feed(b.data, b.len, NULL, &r, 1, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "line 1: text longer than 4096 bytes");
	ec2_result_free(&r);
	buf_free(&b);
	free(text);
}
END_TEST

/* Rule: instanceId is 1..INSTANCE_ID_MAX-1 of [A-Za-z0-9-], or an error. */
START_TEST(test_limit_instance_id)
{
	struct ec2_result	 r;
	char			*id, *doc, err[256];

	id = repeat("a", INSTANCE_ID_MAX - 1);
	doc = make_describe(id, 0, "", "", "");
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), 0);
	ck_assert_str_eq(r.group.inst[0].id, id);
	ec2_result_free(&r);
	free(doc);
	free(id);

	id = repeat("a", INSTANCE_ID_MAX);
	doc = make_describe(id, 0, "", "", "");
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: instanceId of 32 bytes (1 to 31 "
	    "allowed)");
	ck_assert_uint_eq(r.group.ninst, 1);
	ec2_result_free(&r);
	free(doc);
	free(id);

	doc = make_describe("", 0, "", "", "");
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: instanceId of 0 bytes (1 to 31 "
	    "allowed)");
	ec2_result_free(&r);
	free(doc);

	doc = make_describe("i-1&#10;x", 0, "", "", "");
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: bad instanceId \"i-1?x\"");
	ec2_result_free(&r);
	free(doc);

	ck_assert_int_eq(parse_str("<DescribeInstancesResponse>"
	    "<reservationSet><item><instancesSet><item><launchTime>"
	    "2015-08-30T12:36:00Z</launchTime></item></instancesSet></item>"
	    "</reservationSet></DescribeInstancesResponse>", NULL, &r, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: instance without instanceId");
	ec2_result_free(&r);
}
END_TEST

/* Rule: INSTANCE_MAX_TAGS tag items fit, one more fails, filter or not. */
START_TEST(test_limit_tag_count)
{
	struct ec2_result	 r;
	char			*doc, err[256];

	doc = make_describe("i-1", INSTANCE_MAX_TAGS, "k", "v", "");
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.group.inst[0].ntags, INSTANCE_MAX_TAGS);
	ec2_result_free(&r);
	ck_assert_int_eq(parse_str(doc, "k", &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.group.inst[0].ntags, 1);
	ck_assert_str_eq(r.group.inst[0].tags[0].key, "k");
	ec2_result_free(&r);
	free(doc);

	doc = make_describe("i-1", INSTANCE_MAX_TAGS + 1, "k", "v", "");
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: more than 128 tags on an instance");
	ck_assert_uint_eq(r.group.inst[0].ntags, INSTANCE_MAX_TAGS);
	ec2_result_free(&r);
	ck_assert_int_eq(parse_str(doc, "k", &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: more than 128 tags on an instance");
	ec2_result_free(&r);
	free(doc);
}
END_TEST

/*
 * Rule (issue 11 item 2): keys up to 128 and values up to 256 characters,
 * counted in UTF-8 (4-byte characters too), are kept whole; a longer tag
 * is skipped, never a reason to refuse the whole document.
 */
START_TEST(test_limit_tag_length)
{
	struct ec2_result	 r;
	char			*key, *value, *doc, err[256];

	key = repeat("\xf0\x9f\x94\x91", TAG_KEY_CHARS);
	value = repeat("\xe6\xbc\xa2", TAG_VALUE_CHARS);
	doc = make_describe("i-1", 1, key, value, "");
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), 0);
	ck_assert_str_eq(r.group.inst[0].tags[0].key, key);
	ck_assert_str_eq(r.group.inst[0].tags[0].value, value);
	ck_assert_uint_eq(strlen(r.group.inst[0].tags[0].key),
	    4 * TAG_KEY_CHARS);
	ck_assert_uint_eq(strlen(r.group.inst[0].tags[0].value),
	    3 * TAG_VALUE_CHARS);
	ec2_result_free(&r);
	free(doc);
	free(key);
	free(value);

	/* 129 characters: skipped, the document and its other tags stand. */
	key = repeat("k", TAG_KEY_CHARS + 1);
	doc = make_describe("i-1", 1, key, "v", "");
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(r.group.ninst, 1);
	ck_assert_str_eq(r.group.inst[0].id, "i-1");
	ck_assert_uint_eq(r.group.inst[0].ntags, 0);
	ec2_result_free(&r);
	ck_assert_int_eq(parse_str(doc, "other", &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.group.inst[0].ntags, 0);
	ec2_result_free(&r);
	free(doc);
	free(key);

	value = repeat("v", TAG_VALUE_CHARS + 1);
	doc = make_describe("i-1", 1, "k", value, "");
	ck_assert_int_eq(parse_str(doc, NULL, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.group.inst[0].ntags, 0);
	ec2_result_free(&r);
	ck_assert_int_eq(parse_str(doc, "k", &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.group.inst[0].ntags, 0);
	ec2_result_free(&r);
	free(doc);
	free(value);

	ck_assert_int_eq(parse_str("<DescribeInstancesResponse>"
	    "<reservationSet><item><instancesSet><item><instanceId>i-1"
	    "</instanceId><tagSet><item><value>v</value></item></tagSet>"
	    "</item></instancesSet></item></reservationSet>"
	    "</DescribeInstancesResponse>", NULL, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: tag without key");
	ec2_result_free(&r);
}
END_TEST

/* Rule: GROUP_MAX_INSTANCES instances fit, one more is refused. */
START_TEST(test_limit_instances)
{
	struct ec2_result	 r;
	struct buf		 b;
	char			 err[256];
	size_t			 i;

	buf_init(&b, 64 * 1024 * 1024);
	ck_assert_int_eq(buf_puts(&b, "<DescribeInstancesResponse>"
	    "<reservationSet><item><instancesSet>"), 0);
	for (i = 0; i < GROUP_MAX_INSTANCES; i++)
		ck_assert_int_eq(buf_printf(&b, "<item><instanceId>i-%zx"
		    "</instanceId></item>", i), 0);
	ck_assert_int_eq(buf_puts(&b, "</instancesSet></item>"
	    "</reservationSet></DescribeInstancesResponse>"), 0);
	ck_assert_int_eq(ec2_xml_parse(b.data, b.len, NULL, &r, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(r.group.ninst, GROUP_MAX_INSTANCES);
	ck_assert_str_eq(r.group.inst[GROUP_MAX_INSTANCES - 1].id, "i-1869f");
	ck_assert_uint_le(r.group.cap, GROUP_MAX_INSTANCES);
	ec2_result_free(&r);
	buf_free(&b);

	buf_init(&b, 64 * 1024 * 1024);
	ck_assert_int_eq(buf_puts(&b, "<DescribeInstancesResponse>"
	    "<reservationSet><item><instancesSet>"), 0);
	for (i = 0; i <= GROUP_MAX_INSTANCES; i++)
		ck_assert_int_eq(buf_printf(&b, "<item><instanceId>i-%zx"
		    "</instanceId></item>", i), 0);
	ck_assert_int_eq(buf_puts(&b, "</instancesSet></item>"
	    "</reservationSet></DescribeInstancesResponse>"), 0);
	ck_assert_int_eq(ec2_xml_parse(b.data, b.len, NULL, &r, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: more than 100000 instances");
	ck_assert_uint_eq(r.group.ninst, GROUP_MAX_INSTANCES);
	ec2_result_free(&r);
	buf_free(&b);
}
END_TEST

/*
 * Rule: DescribeTargetHealth gives one instance per target, running
 * exactly when its TargetHealth/State is "healthy"; a target that is no
 * instance id (an IP) keeps an empty id, so it never matches an instance;
 * the result does not depend on how the body is split.
 */
START_TEST(test_target_health)
{
	static const char doc[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<DescribeTargetHealthResponse xmlns=\"http://elasticloadbalancing"
	    ".amazonaws.com/doc/2015-12-01/\">\n"
	    " <DescribeTargetHealthResult>\n  <TargetHealthDescriptions>\n"
	    "   <member><HealthCheckPort>80</HealthCheckPort>\n"
	    "    <Target><Id>i-0aaa</Id><Port>80</Port></Target>\n"
	    "    <TargetHealth><State>healthy</State></TargetHealth></member>\n"
	    "   <member><Target><Port>80</Port><Id>i-0bbb</Id></Target>\n"
	    "    <TargetHealth><State>unhealthy</State>"
	    "<Reason>Target.FailedHealthChecks</Reason>"
	    "<Description>Health checks failed</Description></TargetHealth>"
	    "</member>\n"
	    "   <member><TargetHealth><State>draining</State></TargetHealth>"
	    "<Target><Id>i-0ccc</Id></Target></member>\n"
	    "   <member><Target><Id>10.0.0.7</Id></Target>"
	    "<TargetHealth><State>healthy</State></TargetHealth></member>\n"
	    "   <member><Target><Id>i-0ddd</Id></Target>"
	    "<TargetHealth><State>Healthy</State></TargetHealth></member>\n"
	    "  </TargetHealthDescriptions>\n </DescribeTargetHealthResult>\n"
	    " <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>\n"
	    "</DescribeTargetHealthResponse>\n";
	static const int chunks[] = { 0, 1, 7, -3, -20260101 };
	struct ec2_result	 r;
	char			 err[256], *want = NULL, *got;
	size_t			 i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		memset(&r, 0, sizeof(r));
		ck_assert_int_eq(feed(doc, strlen(doc), NULL, &r, chunks[i], err,
		    sizeof(err)), 0);
		ck_assert_uint_eq(r.group.ninst, 5);
		ck_assert_str_eq(r.group.inst[0].id, "i-0aaa");
		ck_assert_int_eq(r.group.inst[0].state, STATE_RUNNING);
		ck_assert_str_eq(r.group.inst[1].id, "i-0bbb");
		ck_assert_int_eq(r.group.inst[1].state, STATE_UNKNOWN);
		ck_assert_str_eq(r.group.inst[2].id, "i-0ccc");
		ck_assert_int_eq(r.group.inst[2].state, STATE_UNKNOWN);
		ck_assert_str_eq(r.group.inst[3].id, "");
		ck_assert_str_eq(r.group.inst[4].id, "i-0ddd");
		ck_assert_int_eq(r.group.inst[4].state, STATE_UNKNOWN);
		ck_assert_str_eq(r.request_id, "r-1");
		ck_assert_int_eq(r.is_error, 0);
		got = dump(&r, 0, err);
		if (want == NULL)
			want = got;
		else {
			ck_assert_str_eq(got, want);
			free(got);
		}
		ec2_result_free(&r);
	}
	free(want);
}
END_TEST

/* Rule: ELBv2's ErrorResponse/Error is an error with its code. */
START_TEST(test_target_health_error)
{
	struct ec2_result	 r;
	char			 err[256];

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(parse_str("<ErrorResponse xmlns=\"http://"
	    "elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><Error>"
	    "<Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>One "
	    "or more target groups not found</Message></Error><RequestId>x"
	    "</RequestId></ErrorResponse>", NULL, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.is_error, 1);
	ck_assert_str_eq(r.error_code, "TargetGroupNotFound");
	ck_assert_uint_eq(r.group.ninst, 0);
	ec2_result_free(&r);
}
END_TEST

static Suite *
ec2_xml_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("ec2_xml");

	tc = tcase_create("Core");
	tcase_add_test(tc, test_describe_reservations);
	tcase_add_test(tc, test_describe_states);
	tcase_add_test(tc, test_describe_launch_time);
	tcase_add_test(tc, test_describe_tags_all);
	tcase_add_test(tc, test_describe_tags_filtered);
	tcase_add_test(tc, test_describe_nested_decoys);
	tcase_add_test(tc, test_describe_next_token);
	tcase_add_test(tc, test_describe_prefixed);
	tcase_add_test(tc, test_moto_describe);
	tcase_add_test(tc, test_moto_describe_page);
	tcase_add_test(tc, test_createtags_true);
	tcase_add_test(tc, test_deletetags_false);
	tcase_add_test(tc, test_moto_tags_no_return);
	tcase_add_test(tc, test_return_bad);
	tcase_add_test(tc, test_set_instance_protection);
	tcase_add_test(tc, test_error_unauthorized);
	tcase_add_test(tc, test_error_moto_notfound);
	tcase_add_test(tc, test_error_response_403);
	tcase_add_test(tc, test_error_moto_403);
	tcase_add_test(tc, test_error_first_wins);
	tcase_add_test(tc, test_target_health);
	tcase_add_test(tc, test_target_health_error);
	tcase_add_test(tc, test_error_without_code);
	tcase_add_test(tc, test_unexpected_root);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_doctype_refused);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_truncated_every_offset);
	tcase_add_test(tc, test_half_filled_result);
	tcase_add_test(tc, test_feed_after_end);
	tcase_add_test(tc, test_chunking_identical);
	tcase_add_test(tc, test_chunking_filtered_and_failing);
	tcase_add_test(tc, test_parse_time_good);
	tcase_add_test(tc, test_parse_time_bad);
	tcase_add_test(tc, test_launch_time_bad);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("Limits");
	tcase_add_test(tc, test_limit_depth);
	tcase_add_test(tc, test_limit_text);
	tcase_add_test(tc, test_limit_instance_id);
	tcase_add_test(tc, test_limit_tag_count);
	tcase_add_test(tc, test_limit_tag_length);
	tcase_add_test(tc, test_limit_instances);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 number_failed;

	sr = srunner_create(ec2_xml_suite());
	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed == 0 ? 0 : 1;
}
