/*
 * Unit tests for the pure parts of s3.c and S3's error documents: which
 * endpoint is used, path-style or virtual-hosted addressing, bucket and
 * key validation, Elastic Beanstalk's bucket name, and what
 * s3_error_parse() makes of S3's <Error> bodies.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ec2_xml.h"
#include "err.h"
#include "s3.h"
#include "util.h"

/* The endpoint table: region, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL. */
static const struct {
	const char	*region, *s3, *any;
	int		 allow_http;
	int		 rc;
	const char	*url;		/* or the start of the error */
} endpoints[] = {
	{ "us-east-1", NULL, NULL, 0, 0, "https://s3.us-east-1.amazonaws.com" },
	{ "eu-west-1", "", "", 0, 0, "https://s3.eu-west-1.amazonaws.com" },
	{ "cn-north-1", NULL, NULL, 0, 0,
	    "https://s3.cn-north-1.amazonaws.com.cn" },
	{ "us-east-1", "http://127.0.0.1:5000", "http://127.0.0.1:6000", 0, 0,
	    "http://127.0.0.1:5000" },
	{ "us-east-1", NULL, "http://127.0.0.1:6000/", 0, 0,
	    "http://127.0.0.1:6000" },
	{ "us-east-1", "", "http://localhost:6000", 0, 0,
	    "http://localhost:6000" },
	{ "us-east-1", "https://minio.example:9000", NULL, 0, 0,
	    "https://minio.example:9000" },
	{ "us-east-1", "http://minio.example:9000", NULL, 0, -1,
	    "AWS_ENDPOINT_URL_S3=http://minio.example:9000: plain http" },
	{ "us-east-1", "http://minio.example:9000", NULL, 1, 0,
	    "http://minio.example:9000" },
	{ "us-east-1", NULL, "http://10.0.0.1", 0, -1,
	    "AWS_ENDPOINT_URL=http://10.0.0.1: plain http" },
	{ "us-east-1", "ftp://127.0.0.1", NULL, 0, -1,
	    "AWS_ENDPOINT_URL_S3=ftp://127.0.0.1: expected" },
	{ "us-east-1", "http://127.0.0.1:5000/bucket", NULL, 0, -1,
	    "AWS_ENDPOINT_URL_S3=http://127.0.0.1:5000/bucket: a path" },
	{ "us-east-1", "http://user@127.0.0.1", NULL, 0, -1,
	    "AWS_ENDPOINT_URL_S3=http://user@127.0.0.1: expected" },
};

/* Rule: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then the region's. */
START_TEST(test_endpoint_table)
{
	struct lerr	 e;
	char		 url[256];
	int		 rc;

	lerr_clear(&e);
	url[0] = '\0';
	rc = s3_resolve_endpoint(endpoints[_i].region, endpoints[_i].s3,
	    endpoints[_i].any, endpoints[_i].allow_http, url, sizeof(url), &e);
	ck_assert_int_eq(rc, endpoints[_i].rc);
	if (rc == 0) {
		ck_assert_str_eq(url, endpoints[_i].url);
		ck_assert_int_eq(e.cls, LERR_NONE);
	} else {
		ck_assert_int_eq(e.cls, LERR_USAGE);
		ck_assert_msg(strncmp(e.msg, endpoints[_i].url,
		    strlen(endpoints[_i].url)) == 0, "message: %s", e.msg);
	}
}
END_TEST

/* The addressing table: endpoint, bucket, key -> URL, Host, signed path. */
static const struct {
	const char	*endpoint, *bucket, *key;
	int		 path_style;
	const char	*url, *host, *path;
} targets[] = {
	{ "https://s3.us-east-1.amazonaws.com", "elasticbeanstalk-us-east-1-"
	    "123456789012", "leader-exec/env-1/command.json", 0,
	    "https://elasticbeanstalk-us-east-1-123456789012.s3.us-east-1."
	    "amazonaws.com/leader-exec/env-1/command.json",
	    "elasticbeanstalk-us-east-1-123456789012.s3.us-east-1.amazonaws.com",
	    "/leader-exec/env-1/command.json" },
	{ "https://s3.cn-north-1.amazonaws.com.cn", "b-1", "k", 0,
	    "https://b-1.s3.cn-north-1.amazonaws.com.cn/k",
	    "b-1.s3.cn-north-1.amazonaws.com.cn", "/k" },
	{ "http://127.0.0.1:5000", "bucket", "a/b.json", 1,
	    "http://127.0.0.1:5000/bucket/a/b.json", "127.0.0.1:5000",
	    "/bucket/a/b.json" },
	{ "http://localhost:5000/", "bucket", "k", 1,
	    "http://localhost:5000/bucket/k", "localhost:5000", "/bucket/k" },
	{ "http://[::1]:5000", "bucket", "k", 1,
	    "http://[::1]:5000/bucket/k", "[::1]:5000", "/bucket/k" },
	{ "https://10.1.2.3", "bucket", "k", 1,
	    "https://10.1.2.3/bucket/k", "10.1.2.3", "/bucket/k" },
	/* A dotted name would not match the wildcard certificate. */
	{ "https://s3.us-east-1.amazonaws.com", "my.bucket", "k", 1,
	    "https://s3.us-east-1.amazonaws.com/my.bucket/k",
	    "s3.us-east-1.amazonaws.com", "/my.bucket/k" },
	{ "https://minio.example:9000", "bucket", "k", 0,
	    "https://bucket.minio.example:9000/k", "bucket.minio.example:9000",
	    "/k" },
	/* Keys are encoded once, '/' kept; the path is signed as sent. */
	{ "http://127.0.0.1:5000", "bucket", "a b/c$d~e+f", 1,
	    "http://127.0.0.1:5000/bucket/a%20b/c%24d~e%2Bf", "127.0.0.1:5000",
	    "/bucket/a%20b/c%24d~e%2Bf" },
	{ "https://s3.us-east-1.amazonaws.com", "bucket", NULL, 0,
	    "https://bucket.s3.us-east-1.amazonaws.com/",
	    "bucket.s3.us-east-1.amazonaws.com", "/" },
	{ "http://127.0.0.1:5000", "bucket", NULL, 1,
	    "http://127.0.0.1:5000/bucket/", "127.0.0.1:5000", "/bucket/" },
};

/*
 * Rule: virtual-hosted addressing for AWS endpoints; path style for IP
 * and localhost endpoints and for bucket names with dots.
 */
START_TEST(test_target_table)
{
	struct s3_target	 t;
	struct lerr		 e;

	lerr_clear(&e);
	ck_assert_int_eq(s3_target(targets[_i].endpoint, targets[_i].bucket,
	    targets[_i].key, &t, &e), 0);
	ck_assert_int_eq(t.path_style, targets[_i].path_style);
	ck_assert_str_eq(t.url, targets[_i].url);
	ck_assert_str_eq(t.host, targets[_i].host);
	ck_assert_str_eq(t.path, targets[_i].path);
}
END_TEST

/* Rule: a bad bucket or key is refused before anything is sent. */
START_TEST(test_target_refused)
{
	struct s3_target	 t;
	struct lerr		 e;
	char			 key[S3_KEY_MAX + 2];

	lerr_clear(&e);
	ck_assert_int_eq(s3_target("http://127.0.0.1:1", "Bad_Bucket", "k",
	    &t, &e), -1);
	ck_assert_int_eq(e.cls, LERR_USAGE);
	ck_assert_str_eq(e.msg, "\"Bad_Bucket\" is not a valid S3 bucket name");
	lerr_clear(&e);
	ck_assert_int_eq(s3_target("http://127.0.0.1:1", "bucket", "a/../b",
	    &t, &e), -1);
	ck_assert_str_eq(e.msg, "\"a/../b\" is not a usable S3 key");
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	lerr_clear(&e);
	ck_assert_int_eq(s3_target("http://127.0.0.1:1", "bucket", key, &t,
	    &e), -1);
	key[S3_KEY_MAX] = '\0';
	lerr_clear(&e);
	ck_assert_int_eq(s3_target("http://127.0.0.1:1", "bucket", key, &t,
	    &e), 0);
	ck_assert_uint_eq(strlen(t.path), strlen("/bucket/") + S3_KEY_MAX);
}
END_TEST

static const struct {
	const char	*name;
	int		 ok;
} buckets[] = {
	{ "abc", 1 }, { "elasticbeanstalk-us-east-1-123456789012", 1 },
	{ "my.bucket.name", 1 }, { "a-b", 1 }, { "0ab", 1 },
	{ "ab", 0 }, { "", 0 }, { "Abc", 0 }, { "ab_c", 0 }, { "-abc", 0 },
	{ "abc-", 0 }, { "a..b", 0 }, { "192.168.1.1", 0 }, { "xn--abc", 0 },
	{ "abc-s3alias", 0 }, { "ab c", 0 }, { "a/b", 0 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0 },
};

/* Rule: bucket names follow S3's naming rules (3-63, a-z 0-9 . -). */
START_TEST(test_bucket_names)
{
	ck_assert_msg(s3_valid_bucket(buckets[_i].name) == buckets[_i].ok,
	    "%s", buckets[_i].name);
}
END_TEST

static const struct {
	const char	*key;
	int		 ok;
} keys[] = {
	{ "k", 1 }, { "leader-exec/e-abc/command.json", 1 }, { "a b", 1 },
	{ "caf\xc3\xa9", 1 }, { ".hidden", 1 }, { "a/..b", 1 },
	{ "", 0 }, { "/k", 0 }, { "a//b", 0 }, { "a/", 0 }, { "./a", 0 },
	{ "a/.", 0 }, { "a/../b", 0 }, { "..", 0 }, { "a\nb", 0 },
	{ "a\tb", 0 }, { "a\x7f", 0 },
};

/* Rule: keys that a URL would rewrite, or that hold controls, are refused. */
START_TEST(test_keys)
{
	ck_assert_msg(s3_valid_key(keys[_i].key) == keys[_i].ok, "%s",
	    keys[_i].key);
}
END_TEST

/* Rule: EB's bucket is elasticbeanstalk-REGION-ACCOUNTID. */
START_TEST(test_eb_bucket)
{
	struct lerr	 e;
	char		 b[64];

	lerr_clear(&e);
	ck_assert_int_eq(s3_eb_bucket("us-east-1", "123456789012", b,
	    sizeof(b), &e), 0);
	ck_assert_str_eq(b, "elasticbeanstalk-us-east-1-123456789012");
	ck_assert_int_eq(s3_eb_bucket("cn-north-1", "000000000001", b,
	    sizeof(b), &e), 0);
	ck_assert_str_eq(b, "elasticbeanstalk-cn-north-1-000000000001");
	ck_assert_int_eq(s3_eb_bucket("us-east-1", "12345678901", b,
	    sizeof(b), &e), -1);
	ck_assert_int_eq(e.cls, LERR_SCOPE);
	ck_assert_str_eq(e.msg, "account id \"12345678901\" is not 12 digits: "
	    "cannot name Elastic Beanstalk's bucket");
	lerr_clear(&e);
	ck_assert_int_eq(s3_eb_bucket("us-east-1", "1234567890123", b,
	    sizeof(b), &e), -1);
	lerr_clear(&e);
	ck_assert_int_eq(s3_eb_bucket("US_EAST", "123456789012", b,
	    sizeof(b), &e), -1);
	ck_assert_int_eq(e.cls, LERR_SCOPE);
	lerr_clear(&e);
	ck_assert_int_eq(s3_eb_bucket("us-east-1", "123456789012", b, 20,
	    &e), -1);
}
END_TEST

#define XML_HEAD	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* S3 error documents: body -> code, message, condition (NULL: absent). */
static const struct {
	const char	*name, *body;
	int		 rc;
	const char	*code, *message, *condition;
} errdocs[] = {
	{ "AccessDenied", XML_HEAD "<Error><Code>AccessDenied</Code>"
	    "<Message>Access Denied</Message><RequestId>R1</RequestId>"
	    "<HostId>H</HostId></Error>", 0, "AccessDenied", "Access Denied",
	    NULL },
	{ "NoSuchBucket", "<Error><Code>NoSuchBucket</Code><Message>The "
	    "specified bucket does not exist</Message><BucketName>b"
	    "</BucketName></Error>", 0, "NoSuchBucket",
	    "The specified bucket does not exist", NULL },
	{ "NoSuchKey", "<Error><Code>NoSuchKey</Code><Message>The specified "
	    "key does not exist.</Message><Key>k</Key></Error>", 0,
	    "NoSuchKey", "The specified key does not exist.", NULL },
	{ "PreconditionFailed", XML_HEAD "<Error><Code>PreconditionFailed"
	    "</Code><Message>At least one of the pre-conditions you specified "
	    "did not hold</Message><Condition>If-Match</Condition></Error>", 0,
	    "PreconditionFailed", "At least one of the pre-conditions you "
	    "specified did not hold", "If-Match" },
	{ "SlowDown", "<Error>\n  <Code>SlowDown</Code>\n  <Message>Please "
	    "reduce your request rate.</Message>\n</Error>\n", 0, "SlowDown",
	    "Please reduce your request rate.", NULL },
	{ "ConditionalRequestConflict", "<Error><Code>"
	    "ConditionalRequestConflict</Code><Message>x</Message></Error>", 0,
	    "ConditionalRequestConflict", "x", NULL },
	{ "no Message", "<Error><Code>InternalError</Code></Error>", 0,
	    "InternalError", NULL, NULL },
	{ "namespaced", "<s3:Error xmlns:s3=\"urn:x\"><s3:Code>SlowDown"
	    "</s3:Code></s3:Error>", 0, "SlowDown", NULL, NULL },
	{ "garbage", "<html>Bad Gateway</html>", -1, NULL, NULL, NULL },
	{ "not XML", "Service Unavailable", -1, NULL, NULL, NULL },
	{ "empty", "", -1, NULL, NULL, NULL },
	{ "truncated", "<Error><Code>AccessDenied</Code><Mess", -1, NULL,
	    NULL, NULL },
	{ "no Code", "<Error><Message>m</Message></Error>", -1, NULL, NULL,
	    NULL },
	{ "EC2 document", "<Response><Errors><Error><Code>AuthFailure</Code>"
	    "</Error></Errors></Response>", -1, NULL, NULL, NULL },
	{ "DOCTYPE", "<!DOCTYPE Error [<!ENTITY x \"y\">]><Error><Code>&x;"
	    "</Code></Error>", -1, NULL, NULL, NULL },
	{ "two documents", "<Error><Code>A</Code></Error><Error><Code>B"
	    "</Code></Error>", -1, NULL, NULL, NULL },
};

/* Rule: S3's <Error> bodies give their Code, Message and Condition. */
START_TEST(test_error_documents)
{
	struct ec2_result	 r;
	char			 err[256];
	int			 rc;

	memset(&r, 0, sizeof(r));
	rc = s3_error_parse(errdocs[_i].body, strlen(errdocs[_i].body), &r,
	    err, sizeof(err));
	ck_assert_msg(rc == errdocs[_i].rc, "%s: rc %d (%s)", errdocs[_i].name,
	    rc, err);
	if (rc == 0) {
		ck_assert_int_eq(r.is_error, 1);
		ck_assert_str_eq(r.error_code, errdocs[_i].code);
		if (errdocs[_i].message == NULL)
			ck_assert_ptr_null(r.error_message);
		else
			ck_assert_str_eq(r.error_message, errdocs[_i].message);
		if (errdocs[_i].condition == NULL)
			ck_assert_ptr_null(r.error_condition);
		else
			ck_assert_str_eq(r.error_condition,
			    errdocs[_i].condition);
		ck_assert_str_eq(err, "");
	} else
		ck_assert_msg(err[0] != '\0', "%s: no reason", errdocs[_i].name);
	ec2_result_free(&r);
}
END_TEST

/* Rule: an oversized error text is refused, not cut. */
START_TEST(test_error_document_bounds)
{
	struct ec2_result	 r;
	char			 body[EC2_XML_MAX_TEXT + 64], err[256];
	size_t			 n;

	n = (size_t)snprintf(body, sizeof(body), "<Error><Code>");
	memset(body + n, 'A', EC2_XML_MAX_TEXT + 1);
	n += EC2_XML_MAX_TEXT + 1;
	n += (size_t)snprintf(body + n, sizeof(body) - n, "</Code></Error>");
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(s3_error_parse(body, n, &r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "text longer than") != NULL, "%s", err);
	ec2_result_free(&r);
}
END_TEST

static Suite *
s3_suite(void)
{
	Suite	*s = suite_create("s3");
	TCase	*core = tcase_create("Core");
	TCase	*limits = tcase_create("Limits");

	tcase_add_loop_test(core, test_endpoint_table, 0, nitems(endpoints));
	tcase_add_loop_test(core, test_target_table, 0, nitems(targets));
	tcase_add_test(core, test_eb_bucket);
	tcase_add_loop_test(core, test_error_documents, 0, nitems(errdocs));
	tcase_add_test(limits, test_target_refused);
	tcase_add_loop_test(limits, test_bucket_names, 0, nitems(buckets));
	tcase_add_loop_test(limits, test_keys, 0, nitems(keys));
	tcase_add_test(limits, test_error_document_bounds);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(s3_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
