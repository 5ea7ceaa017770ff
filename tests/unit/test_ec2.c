/*
 * Unit tests for the pure parts of ec2.c: which endpoint is used, and the
 * Host that is signed.
 */
#include <check.h>
#include <string.h>

#include "ec2.h"
#include "err.h"
#include "region.h"

static char		 url[256];
static struct lerr	 e;

static int
resolve_http(const char *region, const char *ec2, const char *any,
    int allow_http)
{
	lerr_clear(&e);
	url[0] = '\0';
	return ec2_resolve_endpoint(region, ec2, any, allow_http, url,
	    sizeof(url), &e);
}

static int
resolve(const char *region, const char *ec2, const char *any)
{
	return resolve_http(region, ec2, any, 0);
}

/* Without overrides: https://ec2.<region>.amazonaws.com. */
START_TEST(test_default_endpoint)
{
	ck_assert_int_eq(resolve("eu-west-1", NULL, NULL), 0);
	ck_assert_str_eq(url, "https://ec2.eu-west-1.amazonaws.com");
}
END_TEST

/* China regions use .amazonaws.com.cn. */
START_TEST(test_china_endpoint)
{
	ck_assert_int_eq(resolve("cn-north-1", NULL, NULL), 0);
	ck_assert_str_eq(url, "https://ec2.cn-north-1.amazonaws.com.cn");
}
END_TEST

/* AWS_ENDPOINT_URL_EC2 wins over AWS_ENDPOINT_URL; a trailing '/' is dropped. */
START_TEST(test_override_order)
{
	ck_assert_int_eq(resolve("us-east-1", "http://127.0.0.1:5000/",
	    "http://127.0.0.1:6000"), 0);
	ck_assert_str_eq(url, "http://127.0.0.1:5000");
	ck_assert_int_eq(resolve("us-east-1", "", "http://127.0.0.1:6000"), 0);
	ck_assert_str_eq(url, "http://127.0.0.1:6000");
	ck_assert_int_eq(resolve("us-east-1", NULL, "https://vpce.example"), 0);
	ck_assert_str_eq(url, "https://vpce.example");
}
END_TEST

/* Overrides must be http(s)://host[:port]: no other scheme, path or user. */
START_TEST(test_override_rejected)
{
	ck_assert_int_eq(resolve("us-east-1", "ftp://127.0.0.1", NULL), -1);
	ck_assert_int_eq(e.cls, LERR_USAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "AWS_ENDPOINT_URL_EC2"));
	ck_assert_int_eq(resolve("us-east-1", "127.0.0.1:5000", NULL), -1);
	ck_assert_int_eq(resolve("us-east-1", "http://127.0.0.1:5000/ec2", NULL),
	    -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "a path is not supported"));
	ck_assert_int_eq(resolve("us-east-1", NULL, "http://user@host"), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "AWS_ENDPOINT_URL="));
	ck_assert_int_eq(resolve("us-east-1", "http://", NULL), -1);
}
END_TEST

/* The signed Host is host[:port] exactly as in the URL. */
START_TEST(test_endpoint_host)
{
	char	 host[64], tiny[4];

	ck_assert_int_eq(ec2_endpoint_host("http://127.0.0.1:5000", host,
	    sizeof(host)), 0);
	ck_assert_str_eq(host, "127.0.0.1:5000");
	ck_assert_int_eq(ec2_endpoint_host("https://ec2.us-east-1.amazonaws.com/",
	    host, sizeof(host)), 0);
	ck_assert_str_eq(host, "ec2.us-east-1.amazonaws.com");
	ck_assert_int_eq(ec2_endpoint_host("no-scheme", host, sizeof(host)), -1);
	ck_assert_int_eq(ec2_endpoint_host("http://long.host", tiny,
	    sizeof(tiny)), -1);
}
END_TEST

/* Plain http goes only to loopback unless explicitly allowed. */
START_TEST(test_plain_http)
{
	ck_assert_int_eq(resolve("us-east-1", "http://ec2.internal:80", NULL), -1);
	ck_assert_int_eq(e.cls, LERR_USAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "--allow-http-endpoint"));
	ck_assert_int_eq(resolve("us-east-1", NULL, "http://10.0.0.1"), -1);
	ck_assert_int_eq(resolve("us-east-1", "http://127.0.0.1.evil.com", NULL),
	    -1);
	ck_assert_int_eq(resolve_http("us-east-1", "http://ec2.internal:80",
	    NULL, 1), 0);
	ck_assert_str_eq(url, "http://ec2.internal:80");
	ck_assert_int_eq(resolve("us-east-1", "http://localhost:4566", NULL), 0);
	ck_assert_int_eq(resolve("us-east-1", "http://[::1]:4566", NULL), 0);
	ck_assert_int_eq(resolve("us-east-1", "http://127.1.2.3", NULL), 0);
	ck_assert_int_eq(resolve("us-east-1", "https://ec2.internal", NULL), 0);
}
END_TEST

/* Loopback: 127.a.b.c, localhost, [::1], with or without a port. */
START_TEST(test_loopback)
{
	ck_assert_int_eq(ec2_host_is_loopback("127.0.0.1"), 1);
	ck_assert_int_eq(ec2_host_is_loopback("127.0.0.1:5000"), 1);
	ck_assert_int_eq(ec2_host_is_loopback("localhost:1"), 1);
	ck_assert_int_eq(ec2_host_is_loopback("[::1]:80"), 1);
	ck_assert_int_eq(ec2_host_is_loopback("127.0.0"), 0);
	ck_assert_int_eq(ec2_host_is_loopback("127.0.0.1x"), 0);
	ck_assert_int_eq(ec2_host_is_loopback("localhost.example"), 0);
	ck_assert_int_eq(ec2_host_is_loopback("[::1]x"), 0);
	ck_assert_int_eq(ec2_host_is_loopback("169.254.169.254"), 0);
}
END_TEST

/* A region that cannot fit is an error, not a truncated host name. */
START_TEST(test_long_region)
{
	char	 region[300];

	memset(region, 'a', sizeof(region) - 1);
	region[sizeof(region) - 1] = '\0';
	ck_assert_int_eq(resolve(region, NULL, NULL), -1);
	ck_assert_int_eq(e.cls, LERR_USAGE);
}
END_TEST

/*
 * Issue 11 item 1: one rule for every source of the region, since it
 * becomes the host name.  Real regions pass; anything that could change
 * the host (':', '#', '/', '.', '@'), upper case, stray hyphens or a
 * name of 32 characters or more fails, and no endpoint is built from it.
 */
START_TEST(test_valid_region)
{
	static const char *const good[] = { "us-east-1", "eu-west-1",
	    "cn-north-1", "us-gov-west-1", "ap-southeast-5", "il-central-1",
	    "us-isob-east-1", "eusc-de-east-1", "a-1" };
	static const char *const bad[] = { "", "attacker.example:8443#",
	    "eu-west-1.evil.example", "us-east-1/", "us-east-1#", "us@east-1",
	    "EU-WEST-1", "eu", "-eu-west-1", "eu-west-1-", "eu--west-1",
	    "1eu-west", "eu west 1", "eu-west-1\n",
	    "abcdefghij-abcdefghij-abcdefghij" };
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(region_valid(good[i]), "%s", good[i]);
		ck_assert_int_eq(resolve(good[i], NULL, NULL), 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!region_valid(bad[i]), "%s", bad[i]);
		ck_assert_int_eq(resolve(bad[i], NULL, NULL), -1);
		ck_assert_int_eq(e.cls, LERR_USAGE);
		ck_assert_str_eq(url, "");
	}
	ck_assert_int_eq(region_valid(NULL), 0);
	ck_assert_int_eq(region_valid("abcdefghij-abcdefghij-abcdefghi"), 1);
}
END_TEST

static Suite *
ec2_suite(void)
{
	Suite	*s = suite_create("ec2");
	TCase	*core = tcase_create("Core");
	TCase	*limits = tcase_create("Limits");

	tcase_add_test(core, test_default_endpoint);
	tcase_add_test(core, test_china_endpoint);
	tcase_add_test(core, test_override_order);
	tcase_add_test(core, test_endpoint_host);
	tcase_add_test(limits, test_override_rejected);
	tcase_add_test(limits, test_long_region);
	tcase_add_test(limits, test_valid_region);
	tcase_add_test(limits, test_plain_http);
	tcase_add_test(limits, test_loopback);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(ec2_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
