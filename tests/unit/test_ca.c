/*
 * Unit tests for ca.c: choosing the CA certificates for the EC2 endpoint,
 * with the probe list driven through temporary files.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "ca.h"
#include "err.h"

#define HTTPS	"https://ec2.us-east-1.amazonaws.com"

#define DIR_MAX	256
#define FILE_MAX (DIR_MAX + 16)

static char	 dir[DIR_MAX];		/* a fresh directory per test */
static char	 bundle_a[FILE_MAX];	/* two CA bundles in it */
static char	 bundle_b[FILE_MAX];
static char	 absent[FILE_MAX];	/* a path that does not exist */

static void
make_file(const char *path)
{
	FILE	*f;

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_ge(fputs("-----BEGIN CERTIFICATE-----\n", f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	const char	*t = getenv("TMPDIR");

	ck_assert_int_lt(snprintf(dir, sizeof(dir), "%s/le-ca-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp"), (int)sizeof(dir));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(bundle_a, sizeof(bundle_a), "%s/a.crt", dir);
	snprintf(bundle_b, sizeof(bundle_b), "%s/b.crt", dir);
	snprintf(absent, sizeof(absent), "%s/absent.crt", dir);
	make_file(bundle_a);
	make_file(bundle_b);
}

static void
teardown(void)
{
	unlink(bundle_a);
	unlink(bundle_b);
	rmdir(dir);
}

/* Rule: the built-in probe order is Amazon Linux/RHEL, then Debian/Ubuntu. */
START_TEST(test_default_probe_order)
{
	ck_assert_str_eq(ca_probe_paths[0], "/etc/pki/tls/certs/ca-bundle.crt");
	ck_assert_str_eq(ca_probe_paths[1],
	    "/etc/ssl/certs/ca-certificates.crt");
	ck_assert_ptr_null(ca_probe_paths[2]);
}
END_TEST

/* Rule: an http:// endpoint needs no CA certificates, whatever is set. */
START_TEST(test_http_needs_none)
{
	const char	*probe[] = { absent, NULL };
	struct ca_paths	 ca = { "stale", "stale" };
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose("http://127.0.0.1:5000", absent, absent,
	    probe, &ca, &e), 0);
	ck_assert_ptr_null(ca.file);
	ck_assert_ptr_null(ca.dir);
	ck_assert_int_eq(e.cls, LERR_NONE);
}
END_TEST

/* Rule: SSL_CERT_FILE wins over the probe list, even when a probed
   bundle exists. */
START_TEST(test_env_file_wins)
{
	const char	*probe[] = { bundle_a, NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, bundle_b, NULL, probe, &ca, &e), 0);
	ck_assert_ptr_eq(ca.file, bundle_b);
	ck_assert_ptr_null(ca.dir);
	ck_assert_int_eq(e.cls, LERR_NONE);
}
END_TEST

/* Rule: SSL_CERT_DIR alone is used alone (no probed bundle added). */
START_TEST(test_env_dir_alone)
{
	const char	*probe[] = { bundle_a, NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, NULL, dir, probe, &ca, &e), 0);
	ck_assert_ptr_null(ca.file);
	ck_assert_ptr_eq(ca.dir, dir);
}
END_TEST

/* Rule: SSL_CERT_FILE and SSL_CERT_DIR together are both used. */
START_TEST(test_env_both)
{
	const char	*probe[] = { NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, bundle_a, dir, probe, &ca, &e), 0);
	ck_assert_ptr_eq(ca.file, bundle_a);
	ck_assert_ptr_eq(ca.dir, dir);
}
END_TEST

/* Rule: an empty SSL_CERT_FILE/SSL_CERT_DIR counts as unset. */
START_TEST(test_env_empty_is_unset)
{
	const char	*probe[] = { bundle_a, NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, "", "", probe, &ca, &e), 0);
	ck_assert_ptr_eq(ca.file, bundle_a);
	ck_assert_ptr_null(ca.dir);
}
END_TEST

/* Rule: the first existing bundle of the probe list is chosen. */
START_TEST(test_probe_first_existing)
{
	const char	*probe[] = { absent, bundle_b, bundle_a, NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, NULL, NULL, probe, &ca, &e), 0);
	ck_assert_ptr_eq(ca.file, bundle_b);
	ck_assert_ptr_null(ca.dir);
	ck_assert_int_eq(e.cls, LERR_NONE);
}
END_TEST

/* Rule: a directory at a probed path is not a bundle: skipped. */
START_TEST(test_probe_skips_directory)
{
	const char	*probe[] = { dir, bundle_a, NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, NULL, NULL, probe, &ca, &e), 0);
	ck_assert_ptr_eq(ca.file, bundle_a);
}
END_TEST

/* Rule: nothing found for https is an EC2 error (114) that names
   SSL_CERT_FILE and every path probed. */
START_TEST(test_none_found)
{
	char		 other[FILE_MAX], want[1024];
	const char	*probe[] = { absent, other, NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	snprintf(other, sizeof(other), "%s/other", dir);
	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, NULL, NULL, probe, &ca, &e), -1);
	ck_assert_int_eq(e.cls, LERR_EC2);
	ck_assert_int_eq(LERR_EC2, 114);
	snprintf(want, sizeof(want), "no CA certificates to verify " HTTPS
	    ": none of [%s, %s] is a readable file; set SSL_CERT_FILE to a CA "
	    "bundle (or SSL_CERT_DIR to a directory of hashed certificates), "
	    "or install the ca-certificates package", absent, other);
	ck_assert_str_eq(e.msg, want);
	ck_assert_ptr_null(ca.file);
	ck_assert_ptr_null(ca.dir);
}
END_TEST

/* Rule: a set but missing SSL_CERT_FILE is an error naming it, not a
   silent fall back to the probe list. */
START_TEST(test_env_file_missing)
{
	char		 want[1024];
	const char	*probe[] = { bundle_a, NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, absent, NULL, probe, &ca, &e), -1);
	ck_assert_int_eq(e.cls, LERR_EC2);
	snprintf(want, sizeof(want), "SSL_CERT_FILE=%s: %s; it must name a "
	    "CA bundle to verify " HTTPS, absent, strerror(ENOENT));
	ck_assert_str_eq(e.msg, want);
	ck_assert_ptr_null(ca.file);
}
END_TEST

/* Rule: SSL_CERT_FILE naming a directory is refused. */
START_TEST(test_env_file_is_directory)
{
	const char	*probe[] = { NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, dir, NULL, probe, &ca, &e), -1);
	ck_assert_int_eq(e.cls, LERR_EC2);
	ck_assert_ptr_nonnull(strstr(e.msg, ": not a regular file;"));
}
END_TEST

/* Rule: SSL_CERT_DIR naming a file is refused, naming SSL_CERT_DIR. */
START_TEST(test_env_dir_is_file)
{
	char		 want[1024];
	const char	*probe[] = { NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, NULL, bundle_a, probe, &ca, &e), -1);
	ck_assert_int_eq(e.cls, LERR_EC2);
	snprintf(want, sizeof(want), "SSL_CERT_DIR=%s: not a directory; it "
	    "must name a directory of hashed CA certificates to verify " HTTPS,
	    bundle_a);
	ck_assert_str_eq(e.msg, want);
}
END_TEST

/* Rule: an empty or NULL probe list finds nothing and says so. */
START_TEST(test_empty_probe)
{
	const char	*probe[] = { NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, NULL, NULL, probe, &ca, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "none of [] is"));
	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, NULL, NULL, NULL, &ca, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "none of [] is"));
}
END_TEST

/* Rule: a probe list too long for the message is cut with "...", the
   message stays one bounded line and still names SSL_CERT_FILE. */
START_TEST(test_long_probe_list)
{
	static char	 paths[40][FILE_MAX];
	const char	*probe[41];
	struct ca_paths	 ca;
	struct lerr	 e;
	size_t		 i;

	for (i = 0; i < 40; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/absent-%02zu", dir, i);
		probe[i] = paths[i];
	}
	probe[40] = NULL;
	lerr_clear(&e);
	ck_assert_int_eq(ca_choose(HTTPS, NULL, NULL, probe, &ca, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "...] is a readable file"));
	ck_assert_ptr_nonnull(strstr(e.msg, "SSL_CERT_FILE"));
	ck_assert_ptr_null(strchr(e.msg, '\n'));
	ck_assert_uint_lt(strlen(e.msg), sizeof(e.msg));
}
END_TEST

/* Rule: only "https://" asks for certificates; a look-alike scheme such
   as "httpsx://" is not https (the endpoint parser rejects it anyway). */
START_TEST(test_scheme_exact)
{
	const char	*probe[] = { NULL };
	struct ca_paths	 ca;
	struct lerr	 e;

	lerr_clear(&e);
	ck_assert_int_eq(ca_choose("https:/x", NULL, NULL, probe, &ca, &e), 0);
	ck_assert_int_eq(ca_choose("https://h", NULL, NULL, probe, &ca, &e),
	    -1);
}
END_TEST

static Suite *
ca_suite(void)
{
	Suite	*s;
	TCase	*tc_core, *tc_limits;

	s = suite_create("ca");

	tc_core = tcase_create("Core");
	tcase_add_checked_fixture(tc_core, setup, teardown);
	tcase_add_test(tc_core, test_default_probe_order);
	tcase_add_test(tc_core, test_http_needs_none);
	tcase_add_test(tc_core, test_env_file_wins);
	tcase_add_test(tc_core, test_env_dir_alone);
	tcase_add_test(tc_core, test_env_both);
	tcase_add_test(tc_core, test_env_empty_is_unset);
	tcase_add_test(tc_core, test_probe_first_existing);
	tcase_add_test(tc_core, test_probe_skips_directory);
	tcase_add_test(tc_core, test_none_found);
	tcase_add_test(tc_core, test_env_file_missing);
	tcase_add_test(tc_core, test_env_file_is_directory);
	tcase_add_test(tc_core, test_env_dir_is_file);
	suite_add_tcase(s, tc_core);

	tc_limits = tcase_create("Limits");
	tcase_add_checked_fixture(tc_limits, setup, teardown);
	tcase_add_test(tc_limits, test_empty_probe);
	tcase_add_test(tc_limits, test_long_probe_list);
	tcase_add_test(tc_limits, test_scheme_exact);
	suite_add_tcase(s, tc_limits);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 number_failed;

	sr = srunner_create(ca_suite());
	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed == 0 ? 0 : 1;
}
