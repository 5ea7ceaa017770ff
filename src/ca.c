/*
 * ca: which CA certificates verify the EC2 endpoint's TLS certificate.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ca.h"
#include "err.h"

const char *const ca_probe_paths[] = {
	CA_BUNDLE_AMAZON,
	CA_BUNDLE_DEBIAN,
	NULL
};

/* 0 when path is a readable directory (want_dir) or regular file, else -1
   with the reason in why. */
static int
usable(const char *path, int want_dir, char *why, size_t whylen)
{
	struct stat	 st;

	if (stat(path, &st) == -1) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a %s", want_dir ? "directory" :
		    "regular file");
		return -1;
	}
	if (access(path, want_dir ? R_OK | X_OK : R_OK) == -1) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
is_set(const char *v)
{
	return v != NULL && v[0] != '\0';
}

int
ca_choose(const char *endpoint, const char *env_file, const char *env_dir,
    const char *const *probe, struct ca_paths *out, struct lerr *e)
{
	const char *const	*p;
	char			 why[128], probed[256];
	size_t			 len = 0;
	int			 n;

	out->file = NULL;
	out->dir = NULL;
	if (strncmp(endpoint, "https://", 8) != 0)
		return 0;

	if (is_set(env_file) || is_set(env_dir)) {
		if (is_set(env_file) &&
		    usable(env_file, 0, why, sizeof(why)) == -1) {
			lerr_set(e, LERR_EC2, "SSL_CERT_FILE=%s: %s; it must "
			    "name a CA bundle to verify %s", env_file, why,
			    endpoint);
			return -1;
		}
		if (is_set(env_dir) &&
		    usable(env_dir, 1, why, sizeof(why)) == -1) {
			lerr_set(e, LERR_EC2, "SSL_CERT_DIR=%s: %s; it must "
			    "name a directory of hashed CA certificates to "
			    "verify %s", env_dir, why, endpoint);
			return -1;
		}
		out->file = is_set(env_file) ? env_file : NULL;
		out->dir = is_set(env_dir) ? env_dir : NULL;
		return 0;
	}

	probed[0] = '\0';
	for (p = probe; p != NULL && *p != NULL; p++) {
		if (usable(*p, 0, why, sizeof(why)) == 0) {
			out->file = *p;
			return 0;
		}
		if (len < sizeof(probed)) {
			n = snprintf(probed + len, sizeof(probed) - len, "%s%s",
			    len > 0 ? ", " : "", *p);
			len = n < 0 ? sizeof(probed) : len + (size_t)n;
		}
	}
	if (len >= sizeof(probed))
		memcpy(probed + sizeof(probed) - 4, "...", 4);
	lerr_set(e, LERR_EC2, "no CA certificates to verify %s: none of "
	    "[%s] is a readable file; set SSL_CERT_FILE to a CA bundle (or "
	    "SSL_CERT_DIR to a directory of hashed certificates), or install "
	    "the ca-certificates package", endpoint, probed);
	return -1;
}
