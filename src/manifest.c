/*
 * manifest: the epoch of an Elastic Beanstalk deployment, read from the
 * deployment manifest.  The file is small and local: read it whole (up to
 * MANIFEST_MAX_SIZE) and let json.c find the DeploymentId.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "json.h"
#include "manifest.h"

static void
manifest_fail(struct lerr *e, const char *path, const char *reason)
{
	lerr_set(e, LERR_SCOPE, "deployment manifest %s: %s; "
	    "pass --epoch to override", path, reason);
}

int
manifest_read_epoch(const char *path, char *epoch, size_t epochlen,
    struct lerr *e)
{
	struct stat	 st;
	char		 why[256];
	char		*data = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, rc = -1;

	if (epochlen > 0)
		epoch[0] = '\0';
	/* O_NONBLOCK: a FIFO at path must not hang the deployment. */
	while ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1 && errno == EINTR)
		;
	if (fd == -1) {
		if (errno == ENOENT)
			return 0;
		manifest_fail(e, path, strerror(errno));
		return -1;
	}

	if (fstat(fd, &st) == -1) {
		manifest_fail(e, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		manifest_fail(e, path, "not a regular file");
		goto out;
	}
	if (st.st_size > MANIFEST_MAX_SIZE) {
		snprintf(why, sizeof(why), "larger than %d KiB",
		    MANIFEST_MAX_SIZE / 1024);
		manifest_fail(e, path, why);
		goto out;
	}
	/* One byte more than allowed, to notice a file that grew. */
	if ((data = malloc(MANIFEST_MAX_SIZE + 1)) == NULL) {
		lerr_set(e, LERR_INTERNAL, "deployment manifest %s: "
		    "out of memory", path);
		goto out;
	}
	for (;;) {
		n = read(fd, data + len, MANIFEST_MAX_SIZE + 1 - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			manifest_fail(e, path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > MANIFEST_MAX_SIZE) {
			snprintf(why, sizeof(why), "larger than %d KiB",
			    MANIFEST_MAX_SIZE / 1024);
			manifest_fail(e, path, why);
			goto out;
		}
	}

	if (json_parse_manifest(data, len, epoch, epochlen, why,
	    sizeof(why)) == -1) {
		manifest_fail(e, path, why);
		goto out;
	}
	rc = 1;
 out:
	close(fd);
	free(data);
	return rc;
}
