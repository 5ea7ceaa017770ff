/*
 * Unit tests for http.c: what it does to secrets it hands to libcurl.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http.h"

/*
 * Issue 11 item 9: http_zero_headers() zeroes every byte of libcurl's
 * copies of the header lines (signatures, session and IMDS tokens), so
 * curl_slist_free_all() leaves no secret in freed memory.
 */
START_TEST(test_zero_headers)
{
	static const char *const lines[] = {
		"Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, Signature=abc",
		"X-Amz-Security-Token: FwoGZXIvYXdzEXAMPLETOKEN",
		"X-aws-ec2-metadata-token: AQAEAEXAMPLE==",
	};
	struct curl_slist	*list = NULL, *tmp, *n;
	size_t			 i, j, len[3];

	for (i = 0; i < 3; i++) {
		tmp = curl_slist_append(list, lines[i]);
		ck_assert_ptr_nonnull(tmp);
		list = tmp;
		len[i] = strlen(lines[i]);
	}
	http_zero_headers(list);
	for (n = list, i = 0; n != NULL; n = n->next, i++) {
		ck_assert_ptr_ne(n->data, lines[i]);
		for (j = 0; j < len[i]; j++)
			ck_assert_msg(n->data[j] == '\0', "line %zu byte %zu", i, j);
	}
	ck_assert_uint_eq(i, 3);
	curl_slist_free_all(list);
	http_zero_headers(NULL);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*core = tcase_create("Core");

	tcase_add_test(core, test_zero_headers);
	suite_add_tcase(s, core);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(http_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
