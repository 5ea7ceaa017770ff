/*
 * Unit tests for the pure parts of aws.c: the signed headers of a request
 * (AWS's published S3 PutObject example reproduced through aws_sign), the
 * classification of answers (a table over S3's codes and statuses), the
 * backoff caps, and the shared endpoint helpers.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "aws.h"
#include "creds.h"
#include "err.h"
#include "s3.h"
#include "util.h"

/* 2013-05-24T00:00:00Z, the time of the S3 API reference's examples. */
#define EXAMPLE_TIME	((time_t)1369353600)
#define S3_HOST		"examplebucket.s3.amazonaws.com"
#define PUT_SHA256	\
	"44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"

static void
example_creds(struct credentials *c, const char *token)
{
	memset(c, 0, sizeof(*c));
	strlcpy(c->access_key_id, "AKIAIOSFODNN7EXAMPLE",
	    sizeof(c->access_key_id));
	strlcpy(c->secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	    sizeof(c->secret_access_key));
	strlcpy(c->session_token, token, sizeof(c->session_token));
}

static void
example_put(struct aws_request *r, const struct sigv4_header *extra)
{
	memset(r, 0, sizeof(*r));
	r->method = "PUT";
	r->url = "https://" S3_HOST "/test%24file.text";
	r->host = S3_HOST;
	r->path = "/test%24file.text";
	r->query = "";
	r->raw_path = 1;
	r->sign_payload = 1;
	r->extra = extra;
	r->nextra = 2;
	r->body = "Welcome to Amazon S3.";
	r->body_len = strlen(r->body);
	r->action = "S3 PutObject";
}

/*
 * Rule: an S3 request is sent with the published example's signature:
 * Host, X-Amz-Date and x-amz-content-sha256 (the payload's hash) signed.
 */
START_TEST(test_sign_s3_put_example)
{
	static const struct sigv4_header extra[] = {
		{ "Date", "Fri, 24 May 2013 00:00:00 GMT" },
		{ "x-amz-storage-class", "REDUCED_REDUNDANCY" } };
	static const char *const want[] = {
		"Date: Fri, 24 May 2013 00:00:00 GMT",
		"x-amz-storage-class: REDUCED_REDUNDANCY",
		"Host: " S3_HOST,
		"X-Amz-Date: 20130524T000000Z",
		"x-amz-content-sha256: " PUT_SHA256,
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/"
		"20130524/us-east-1/s3/aws4_request, SignedHeaders=date;host;"
		"x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature="
		"98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
	};
	struct credentials	 c;
	struct aws_request	 r;
	struct aws_signed	 s;
	size_t			 i;

	example_creds(&c, "");
	example_put(&r, extra);
	ck_assert_int_eq(aws_sign(s3_service(), &r, &c, "us-east-1",
	    EXAMPLE_TIME, &s), 0);
	for (i = 0; i < nitems(want); i++)
		ck_assert_str_eq(s.headers[i], want[i]);
	ck_assert_ptr_null(s.headers[nitems(want)]);
	ck_assert_str_eq(s.payload_hash, PUT_SHA256);
	aws_signed_free(&s);
	ck_assert_ptr_null(s.headers[0]);
}
END_TEST

/* Rule: a session token is sent and signed (assumed-role keys). */
START_TEST(test_sign_session_token)
{
	static const struct sigv4_header extra[] = {
		{ "Content-Type", "application/json" },
		{ "If-None-Match", "*" } };
	struct credentials	 c;
	struct aws_request	 r;
	struct aws_signed	 s;

	example_creds(&c, "TOKEN/with+chars=");
	example_put(&r, extra);
	ck_assert_int_eq(aws_sign(s3_service(), &r, &c, "us-east-1",
	    EXAMPLE_TIME, &s), 0);
	ck_assert_str_eq(s.headers[1], "If-None-Match: *");
	ck_assert_str_eq(s.headers[5], "X-Amz-Security-Token: TOKEN/with+chars=");
	ck_assert_msg(strstr(s.headers[6], "SignedHeaders=content-type;host;"
	    "if-none-match;x-amz-content-sha256;x-amz-date;"
	    "x-amz-security-token, ") != NULL, "%s", s.headers[6]);
	ck_assert_ptr_null(s.headers[7]);
	aws_signed_free(&s);
}
END_TEST

/* Rule: without sign_payload (EC2) no x-amz-content-sha256 is sent. */
START_TEST(test_sign_no_payload_header)
{
	static const struct sigv4_header extra[] = {
		{ "Content-Type", "application/x-www-form-urlencoded; "
		    "charset=utf-8" }, { "X-Unused", "1" } };
	struct credentials	 c;
	struct aws_request	 r;
	struct aws_signed	 s;
	size_t			 i;

	example_creds(&c, "");
	example_put(&r, extra);
	r.sign_payload = 0;
	r.nextra = 1;
	ck_assert_int_eq(aws_sign(s3_service(), &r, &c, "us-east-1",
	    EXAMPLE_TIME, &s), 0);
	for (i = 0; s.headers[i] != NULL; i++)
		ck_assert_msg(strncmp(s.headers[i], "x-amz-content-sha256",
		    20) != 0, "%s", s.headers[i]);
	ck_assert_uint_eq(i, 4);
	aws_signed_free(&s);
	/* More extra headers than fit: refused, nothing left allocated. */
	r.nextra = AWS_MAX_EXTRA_HEADERS + 1;
	ck_assert_int_eq(aws_sign(s3_service(), &r, &c, "us-east-1",
	    EXAMPLE_TIME, &s), -1);
	ck_assert_ptr_null(s.lines.data);
}
END_TEST

/* The classification table: an attempt's outcome -> verdict, class, text. */
static const struct {
	long		 status;
	const char	*code;		/* "" : no error document */
	int		 parsed, aborted, tls, big;
	enum aws_verdict v;
	enum lerr_class	 cls;
	const char	*msg;		/* start of e.msg, or of why */
} judged[] = {
	{ 200, "", 1, 0, 0, 0, AWS_DONE, LERR_NONE, "" },
	{ 200, "", 0, 0, 0, 0, AWS_RETRY, LERR_NONE, "cut" },
	{ 0, "", 0, 0, 0, 0, AWS_RETRY, LERR_NONE, "Connection reset" },
	{ 0, "", 0, 1, 0, 0, AWS_FAIL, LERR_SIGNAL, "interrupted" },
	{ 0, "", 0, 0, 1, 0, AWS_FAIL, LERR_EC2, "S3 PutObject: Connection reset" },
	{ 503, "SlowDown", 1, 0, 0, 0, AWS_RETRY, LERR_NONE, "SlowDown (HTTP 503)" },
	{ 500, "InternalError", 1, 0, 0, 0, AWS_RETRY, LERR_NONE,
	    "InternalError (HTTP 500)" },
	{ 409, "ConditionalRequestConflict", 1, 0, 0, 0, AWS_RETRY, LERR_NONE,
	    "ConditionalRequestConflict (HTTP 409)" },
	{ 503, "", 0, 0, 0, 0, AWS_RETRY, LERR_NONE, "HTTP 503" },
	{ 502, "", 0, 0, 0, 0, AWS_RETRY, LERR_NONE, "HTTP 502" },
	{ 412, "PreconditionFailed", 1, 0, 0, 0, AWS_EXPECTED, LERR_NONE, "" },
	{ 404, "NoSuchKey", 1, 0, 0, 0, AWS_EXPECTED, LERR_NONE, "" },
	{ 403, "AccessDenied", 1, 0, 0, 0, AWS_FAIL, LERR_PERM,
	    "S3 PutObject: AccessDenied: add s3:PutObject on bucket b-1 to "
	    "the IAM policy of the instance profile" },
	{ 404, "NoSuchBucket", 1, 0, 0, 0, AWS_FAIL, LERR_SCOPE,
	    "S3 PutObject: NoSuchBucket: bucket b-1 does not exist (m)" },
	{ 403, "InvalidAccessKeyId", 1, 0, 0, 0, AWS_FAIL, LERR_CREDS,
	    "S3 PutObject: InvalidAccessKeyId: the credentials were rejected" },
	{ 403, "SignatureDoesNotMatch", 1, 0, 0, 0, AWS_FAIL, LERR_CREDS,
	    "S3 PutObject: SignatureDoesNotMatch: the credentials were" },
	{ 400, "ExpiredToken", 1, 0, 0, 0, AWS_FAIL, LERR_CREDS,
	    "S3 PutObject: ExpiredToken: the credentials were rejected" },
	{ 403, "RequestTimeTooSkewed", 1, 0, 0, 0, AWS_FAIL, LERR_CREDS,
	    "S3 PutObject: RequestTimeTooSkewed: the system clock is off" },
	{ 403, "", 0, 0, 0, 0, AWS_FAIL, LERR_CREDS,
	    "S3 PutObject: HTTP 403 without an error code" },
	{ 400, "InvalidArgument", 1, 0, 0, 0, AWS_FAIL, LERR_EC2,
	    "S3 PutObject: InvalidArgument: m" },
	{ 301, "", 0, 0, 0, 0, AWS_FAIL, LERR_EC2,
	    "S3 PutObject: unexpected HTTP 301 from the S3 endpoint" },
	/* An object over the cap is refused at once, naming where. */
	{ 200, "", 0, 0, 0, 1, AWS_FAIL, LERR_EC2, "S3 PutObject: the answer "
	    "from http://127.0.0.1:1/b-1/k is larger than 65536 bytes" },
	/* A code that is expected elsewhere is an error here. */
	{ 404, "NoSuchUpload", 1, 0, 0, 0, AWS_FAIL, LERR_EC2,
	    "S3 PutObject: NoSuchUpload: m" },
};

/*
 * Rule: S3's answers are classified as the contract says: throttles,
 * 5xx and resets retried; the caller's codes returned; AccessDenied,
 * NoSuchBucket, credential and clock errors final with their class.
 */
START_TEST(test_judge_table)
{
	static const char *const expect[] = { "PreconditionFailed",
	    "NoSuchKey" };
	struct aws_request	 r;
	struct aws_outcome	 o;
	struct lerr		 e;
	char			 why[256];
	enum aws_verdict	 v;

	memset(&r, 0, sizeof(r));
	r.action = "S3 PutObject";
	r.iam_action = "s3:PutObject";
	r.resource = "bucket b-1";
	r.url = "http://127.0.0.1:1/b-1/k";
	r.max_body = S3_MAX_BODY;
	r.too_large_final = 1;
	r.expect = expect;
	r.nexpect = nitems(expect);
	memset(&o, 0, sizeof(o));
	o.status = judged[_i].status;
	o.parsed = judged[_i].parsed;
	o.aborted = judged[_i].aborted;
	o.tls_failed = judged[_i].tls;
	o.too_large = judged[_i].big;
	snprintf(o.code, sizeof(o.code), "%s", judged[_i].code);
	snprintf(o.msg, sizeof(o.msg), "%s", o.code[0] ? "m" : "");
	snprintf(o.error, sizeof(o.error), "%s", o.status == 0 ?
	    "Connection reset by peer" : "");
	/* The parser is asked only when an answer arrived. */
	snprintf(o.parse_err, sizeof(o.parse_err), "%s",
	    judged[_i].parsed || o.status == 0 ? "" : "cut short");
	lerr_clear(&e);
	why[0] = '\0';
	v = aws_judge(s3_service(), &r, &o, why, sizeof(why), &e);
	ck_assert_msg(v == judged[_i].v, "row %d: verdict %d", _i, (int)v);
	ck_assert_int_eq(e.cls, judged[_i].cls);
	if (v == AWS_FAIL)
		ck_assert_msg(strncmp(e.msg, judged[_i].msg,
		    strlen(judged[_i].msg)) == 0, "row %d: %s", _i, e.msg);
	else if (v == AWS_RETRY)
		ck_assert_msg(strncmp(why, judged[_i].msg,
		    strlen(judged[_i].msg)) == 0, "row %d: %s", _i, why);
}
END_TEST

/* Rule: the backoff cap doubles from the base up to the cap, no further. */
START_TEST(test_backoff_caps)
{
	static const long want[] = { 200, 400, 800, 1600, 3200, 5000, 5000 };
	int	 i;

	for (i = 0; i < (int)nitems(want); i++)
		ck_assert_int_eq(aws_backoff_cap(s3_service(), i + 1), want[i]);
	ck_assert_int_eq(aws_backoff_cap(s3_service(), 1000), 5000);
}
END_TEST

/* Rule: messages show only printable ASCII of what a server sent. */
START_TEST(test_sanitize)
{
	char	 out[8];

	aws_sanitize(out, sizeof(out), "a\nb\x1b[c\xff");
	ck_assert_str_eq(out, "a?b?[c?");
	aws_sanitize(out, sizeof(out), "0123456789");
	ck_assert_str_eq(out, "0123456");
	aws_sanitize(out, sizeof(out), NULL);
	ck_assert_str_eq(out, "");
}
END_TEST

/* Rule: the service name makes the default endpoint; overrides are shared. */
START_TEST(test_resolve_any_service)
{
	struct lerr	 e;
	char		 url[128];

	lerr_clear(&e);
	ck_assert_int_eq(aws_resolve_endpoint("autoscaling",
	    "AWS_ENDPOINT_URL_AUTO_SCALING", "eu-west-1", NULL, NULL, 0, url,
	    sizeof(url), &e), 0);
	ck_assert_str_eq(url, "https://autoscaling.eu-west-1.amazonaws.com");
	ck_assert_int_eq(aws_resolve_endpoint("s3", "AWS_ENDPOINT_URL_S3",
	    "us-east-1", "http://example.com", NULL, 0, url, sizeof(url), &e),
	    -1);
	ck_assert_str_eq(e.msg, "AWS_ENDPOINT_URL_S3=http://example.com: "
	    "plain http to a host other than loopback would send signed "
	    "requests unencrypted; use https, or pass --allow-http-endpoint");
	ck_assert_int_eq(aws_host_is_loopback("127.0.0.1:5000"), 1);
	ck_assert_int_eq(aws_host_is_loopback("127.0.0.1.nip.io"), 0);
}
END_TEST

static Suite *
aws_suite(void)
{
	Suite	*s = suite_create("aws");
	TCase	*core = tcase_create("Core");

	tcase_add_test(core, test_sign_s3_put_example);
	tcase_add_test(core, test_sign_session_token);
	tcase_add_test(core, test_sign_no_payload_header);
	tcase_add_loop_test(core, test_judge_table, 0, nitems(judged));
	tcase_add_test(core, test_backoff_caps);
	tcase_add_test(core, test_sanitize);
	tcase_add_test(core, test_resolve_any_service);
	suite_add_tcase(s, core);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(aws_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
