/*
 * Unit tests for manifest.c: reading the EB deployment manifest from disk.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "err.h"
#include "manifest.h"

static const char al2023[] =
    "{\"RuntimeSources\":{\"myapp\":{\"app-1234\":{\"s3url\":\"\"}}},"
    "\"DeploymentId\":42,\"Serial\":\"3\"}";

static const char *
tmpdir(void)
{
	const char	*d = getenv("TMPDIR");

	return d != NULL && *d != '\0' ? d : "/tmp";
}

/* Write n bytes of data to a new temporary file; its path goes into path. */
static void
write_temp(char *path, size_t pathlen, const void *data, size_t n)
{
	int	 fd;

	ck_assert_int_lt(snprintf(path, pathlen, "%s/le-manifest-XXXXXX",
	    tmpdir()), (int)pathlen);
	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	ck_assert_int_eq(close(fd), 0);
}

static void
expect_msg(const struct lerr *e, const char *path, const char *reason)
{
	char	 want[sizeof(e->msg)];

	snprintf(want, sizeof(want), "deployment manifest %s: %s; "
	    "pass --epoch to override", path, reason);
	ck_assert_int_eq(e->cls, LERR_SCOPE);
	ck_assert_str_eq(e->msg, want);
}

/* Rule: no manifest means not an EB instance: 0, no error, epoch "". */
START_TEST(test_missing_file)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32] = "stale";

	lerr_clear(&e);
	snprintf(path, sizeof(path), "%s/le-manifest-absent-%ld", tmpdir(),
	    (long)getpid());
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    0);
	ck_assert_str_eq(epoch, "");
	ck_assert_int_eq(e.cls, LERR_NONE);
	ck_assert_str_eq(e.msg, "");
}
END_TEST

/* Rule: the AL2023 manifest gives its DeploymentId: 1 and the epoch. */
START_TEST(test_good_file)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32];

	lerr_clear(&e);
	write_temp(path, sizeof(path), al2023, strlen(al2023));
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    1);
	ck_assert_str_eq(epoch, "42");
	ck_assert_int_eq(e.cls, LERR_NONE);
	unlink(path);
}
END_TEST

/* Rule: a manifest that is not JSON is a scope error naming the path. */
START_TEST(test_garbage_file)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32];

	lerr_clear(&e);
	write_temp(path, sizeof(path), "DeploymentId=42\n", 16);
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    -1);
	expect_msg(&e, path, "top-level value is not an object");
	ck_assert_str_eq(epoch, "");
	unlink(path);
}
END_TEST

/* Rule: a truncated manifest (a write in progress) is an error. */
START_TEST(test_truncated_file)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32];

	lerr_clear(&e);
	write_temp(path, sizeof(path), al2023, strlen(al2023) - 1);
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    -1);
	expect_msg(&e, path, "truncated JSON");
	unlink(path);
}
END_TEST

/* Rule: an empty manifest is an error, not "no manifest". */
START_TEST(test_empty_file)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32];

	lerr_clear(&e);
	write_temp(path, sizeof(path), "", 0);
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    -1);
	expect_msg(&e, path, "empty document");
	unlink(path);
}
END_TEST

/* Rule: a manifest without DeploymentId is an error naming the path. */
START_TEST(test_no_deployment_id)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32];
	const char	 js[] = "{\"RuntimeSources\":{},\"Serial\":\"3\"}";

	lerr_clear(&e);
	write_temp(path, sizeof(path), js, strlen(js));
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    -1);
	expect_msg(&e, path, "no DeploymentId");
	unlink(path);
}
END_TEST

/* Rule: a directory at the path is an error, not a hang or a 0. */
START_TEST(test_directory)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32];

	lerr_clear(&e);
	snprintf(path, sizeof(path), "%s/le-manifest-dir-XXXXXX", tmpdir());
	ck_assert_ptr_nonnull(mkdtemp(path));
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    -1);
	expect_msg(&e, path, "not a regular file");
	rmdir(path);
}
END_TEST

/* Rule: a FIFO at the path is refused without blocking on open. */
START_TEST(test_fifo)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32];

	lerr_clear(&e);
	snprintf(path, sizeof(path), "%s/le-manifest-fifo-%ld", tmpdir(),
	    (long)getpid());
	unlink(path);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    -1);
	expect_msg(&e, path, "not a regular file");
	unlink(path);
}
END_TEST

/* Rule: open errors other than ENOENT are errors (here ENOTDIR). */
START_TEST(test_unreadable_path)
{
	struct lerr	 e;
	char		 file[PATH_MAX], path[PATH_MAX + 8], epoch[32];

	lerr_clear(&e);
	write_temp(file, sizeof(file), al2023, strlen(al2023));
	snprintf(path, sizeof(path), "%s/x", file);
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    -1);
	expect_msg(&e, path, strerror(ENOTDIR));
	unlink(file);
}
END_TEST

/*
 * Rule: a manifest without read permission is an error (EACCES).  Root
 * reads it anyway, so as root the rule is only checked for ENOTDIR above.
 */
START_TEST(test_unreadable_file)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32];

	if (geteuid() == 0)
		return;
	lerr_clear(&e);
	write_temp(path, sizeof(path), al2023, strlen(al2023));
	ck_assert_int_eq(chmod(path, 0), 0);
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    -1);
	expect_msg(&e, path, strerror(EACCES));
	unlink(path);
}
END_TEST

/* Rule: a manifest of exactly MANIFEST_MAX_SIZE bytes is read. */
START_TEST(test_max_size)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32];
	char		*data;

	lerr_clear(&e);
	data = malloc(MANIFEST_MAX_SIZE);
	ck_assert_ptr_nonnull(data);
	memset(data, ' ', MANIFEST_MAX_SIZE);
	memcpy(data, al2023, strlen(al2023));
	write_temp(path, sizeof(path), data, MANIFEST_MAX_SIZE);
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    1);
	ck_assert_str_eq(epoch, "42");
	unlink(path);
	free(data);
}
END_TEST

/* Rule: one byte over MANIFEST_MAX_SIZE is refused, naming the path. */
START_TEST(test_oversized)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[32];
	char		*data;

	lerr_clear(&e);
	data = malloc(MANIFEST_MAX_SIZE + 1);
	ck_assert_ptr_nonnull(data);
	memset(data, ' ', MANIFEST_MAX_SIZE + 1);
	memcpy(data, al2023, strlen(al2023));
	write_temp(path, sizeof(path), data, MANIFEST_MAX_SIZE + 1);
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    -1);
	expect_msg(&e, path, "larger than 256 KiB");
	ck_assert_str_eq(epoch, "");
	unlink(path);
	free(data);
}
END_TEST

/* Rule: an epoch too long for the caller's buffer is an error, not cut. */
START_TEST(test_epoch_buffer)
{
	struct lerr	 e;
	char		 path[PATH_MAX], epoch[2];

	lerr_clear(&e);
	write_temp(path, sizeof(path), al2023, strlen(al2023));
	ck_assert_int_eq(manifest_read_epoch(path, epoch, sizeof(epoch), &e),
	    -1);
	expect_msg(&e, path, "DeploymentId does not fit in 2 bytes");
	ck_assert_str_eq(epoch, "");
	unlink(path);
}
END_TEST

/* Rule: reading leaks no file descriptor, on success or on error. */
START_TEST(test_no_fd_leak)
{
	struct lerr	 e;
	char		 good[PATH_MAX], bad[PATH_MAX], epoch[32];
	int		 before, after, i;

	write_temp(good, sizeof(good), al2023, strlen(al2023));
	write_temp(bad, sizeof(bad), "[]", 2);
	before = open("/dev/null", O_RDONLY);
	ck_assert_int_ne(before, -1);
	close(before);
	for (i = 0; i < 64; i++) {
		lerr_clear(&e);
		ck_assert_int_eq(manifest_read_epoch(good, epoch,
		    sizeof(epoch), &e), 1);
		lerr_clear(&e);
		ck_assert_int_eq(manifest_read_epoch(bad, epoch,
		    sizeof(epoch), &e), -1);
	}
	/* the lowest free descriptor is still the same one */
	after = open("/dev/null", O_RDONLY);
	ck_assert_int_eq(after, before);
	close(after);
	unlink(good);
	unlink(bad);
}
END_TEST

static Suite *
manifest_suite(void)
{
	Suite	*s;
	TCase	*tc_core, *tc_limits;

	s = suite_create("manifest");

	tc_core = tcase_create("Core");
	tcase_add_test(tc_core, test_missing_file);
	tcase_add_test(tc_core, test_good_file);
	tcase_add_test(tc_core, test_garbage_file);
	tcase_add_test(tc_core, test_truncated_file);
	tcase_add_test(tc_core, test_empty_file);
	tcase_add_test(tc_core, test_no_deployment_id);
	tcase_add_test(tc_core, test_directory);
	tcase_add_test(tc_core, test_fifo);
	tcase_add_test(tc_core, test_unreadable_path);
	tcase_add_test(tc_core, test_unreadable_file);
	suite_add_tcase(s, tc_core);

	tc_limits = tcase_create("Limits");
	tcase_add_test(tc_limits, test_max_size);
	tcase_add_test(tc_limits, test_oversized);
	tcase_add_test(tc_limits, test_epoch_buffer);
	tcase_add_test(tc_limits, test_no_fd_leak);
	suite_add_tcase(s, tc_limits);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 number_failed;

	sr = srunner_create(manifest_suite());
	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed == 0 ? 0 : 1;
}
