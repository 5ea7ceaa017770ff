/*
 * Unit tests for elbv2.c's pure parts: the endpoint (the ELBv2 variable,
 * then AWS_ENDPOINT_URL, then the regional default, .com.cn in China,
 * plain http only to loopback) and the health lookup.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "elbv2.h"
#include "group.h"

START_TEST(test_endpoint)
{
	struct lerr	 e = { LERR_NONE, "" };
	char		 out[256];

	ck_assert_int_eq(elbv2_resolve_endpoint("eu-west-1", NULL, NULL, 0,
	    out, sizeof(out), &e), 0);
	ck_assert_str_eq(out, "https://elasticloadbalancing.eu-west-1."
	    "amazonaws.com");
	ck_assert_int_eq(elbv2_resolve_endpoint("cn-north-1", NULL, NULL, 0,
	    out, sizeof(out), &e), 0);
	ck_assert_str_eq(out, "https://elasticloadbalancing.cn-north-1."
	    "amazonaws.com.cn");
	ck_assert_int_eq(elbv2_resolve_endpoint("eu-west-1",
	    "http://127.0.0.1:4566", "http://127.0.0.1:1", 0, out, sizeof(out),
	    &e), 0);
	ck_assert_str_eq(out, "http://127.0.0.1:4566");
	ck_assert_int_eq(elbv2_resolve_endpoint("eu-west-1", NULL,
	    "http://127.0.0.1:1", 0, out, sizeof(out), &e), 0);
	ck_assert_str_eq(out, "http://127.0.0.1:1");
	ck_assert_int_eq(elbv2_resolve_endpoint("eu-west-1",
	    "http://elb.example.com", NULL, 0, out, sizeof(out), &e), -1);
	ck_assert_int_eq(e.cls, LERR_USAGE);
	ck_assert_msg(strstr(e.msg,
	    "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(test_healthy)
{
	struct instance	 t[3];
	struct group	 g;

	memset(t, 0, sizeof(t));
	memset(&g, 0, sizeof(g));
	strcpy(t[0].id, "i-a");
	t[0].state = STATE_RUNNING;
	strcpy(t[1].id, "i-b");
	t[1].state = STATE_UNKNOWN;
	t[2].state = STATE_RUNNING;		/* an IP target: no id */
	g.inst = t;
	g.ninst = 3;
	ck_assert_int_eq(elbv2_healthy(&g, "i-a"), 1);
	ck_assert_int_eq(elbv2_healthy(&g, "i-b"), 0);
	ck_assert_int_eq(elbv2_healthy(&g, "i-c"), 0);
	g.ninst = 0;
	ck_assert_int_eq(elbv2_healthy(&g, "i-a"), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("elbv2");
	TCase	*core = tcase_create("Core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(core, test_endpoint);
	tcase_add_test(core, test_healthy);
	suite_add_tcase(s, core);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
