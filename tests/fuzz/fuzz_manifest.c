/*
 * fuzz_manifest: libFuzzer target for manifest.c.
 *
 * Each input is written to one temporary file (made once per process in
 * $FUZZ_TMPDIR, else $TMPDIR, else /tmp; removed at exit) and read back
 * with manifest_read_epoch().  The answer must be the one
 * json_parse_manifest() gives for the same bytes: 1 and the same epoch,
 * or -1 with a one-line printable error of class LERR_SCOPE.  At start-up
 * the other answers are checked once: 0 for a missing file, -1 for a
 * directory.
 */
#include <sys/types.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fuzz.h"
#include "json.h"
#include "manifest.h"

#define EPOCHLEN	65	/* as struct options: ELECTION_EPOCH_MAX + 1 */

static char	 tmpl[4096];
static int	 fd = -1;

static void
cleanup(void)
{
	if (fd != -1) {
		unlink(tmpl);
		close(fd);
		fd = -1;
	}
}

int	LLVMFuzzerInitialize(int *, char ***);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct lerr	 e;
	const char	*dir;
	char		 epoch[EPOCHLEN], path[sizeof(tmpl) + 16];
	int		 n;

	(void)argc;
	(void)argv;
	if ((dir = getenv("FUZZ_TMPDIR")) == NULL &&
	    (dir = getenv("TMPDIR")) == NULL)
		dir = "/tmp";
	n = snprintf(tmpl, sizeof(tmpl), "%s/fuzz_manifest.XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(tmpl) ||
	    (fd = mkstemp(tmpl)) == -1) {
		perror("fuzz_manifest: mkstemp");
		exit(1);
	}
	atexit(cleanup);

	/* The answers that do not depend on the contents. */
	n = snprintf(path, sizeof(path), "%s.missing", tmpl);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(path));
	lerr_clear(&e);
	FUZZ_CHECK(manifest_read_epoch(path, epoch, sizeof(epoch), &e) == 0);
	FUZZ_CHECK(e.cls == LERR_NONE && epoch[0] == '\0');
	FUZZ_CHECK(manifest_read_epoch(dir, epoch, sizeof(epoch), &e) == -1);
	FUZZ_CHECK(e.cls == LERR_SCOPE && strstr(e.msg, "not a regular") !=
	    NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lerr	 e;
	char		 epoch[EPOCHLEN], want[EPOCHLEN], why[256];
	size_t		 n;
	int		 rc, rc_json;

	if (size > MANIFEST_MAX_SIZE)
		return 0;
	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);

	lerr_clear(&e);
	memset(epoch, 'x', sizeof(epoch));
	rc = manifest_read_epoch(tmpl, epoch, sizeof(epoch), &e);
	rc_json = json_parse_manifest((const char *)data, size, want,
	    sizeof(want), why, sizeof(why));
	FUZZ_CHECK(memchr(epoch, '\0', sizeof(epoch)) != NULL);
	n = strlen(e.msg);
	if (rc_json == 0) {
		FUZZ_CHECK(rc == 1 && strcmp(epoch, want) == 0);
		FUZZ_CHECK(e.cls == LERR_NONE && n == 0);
	} else {
		FUZZ_CHECK(rc == -1 && epoch[0] == '\0');
		FUZZ_CHECK(e.cls == LERR_SCOPE && n > 0 && printable(e.msg, n));
		FUZZ_CHECK(strstr(e.msg, why) != NULL);
	}
	return 0;
}
