/*
 * ca: which CA certificates verify the EC2 endpoint's TLS certificate.
 *
 * A static leader-exec cannot count on the OpenSSL it was linked with to
 * know where this host keeps its CA bundle (the Debian directory compiled
 * into it does not exist on Amazon Linux), so the choice is made here:
 * SSL_CERT_FILE and SSL_CERT_DIR when set, else the first bundle found
 * among ca_probe_paths.  Verification itself is never turned off.
 */
#ifndef LEADER_EXEC_CA_H
#define LEADER_EXEC_CA_H

#include "err.h"

#define CA_BUNDLE_AMAZON	"/etc/pki/tls/certs/ca-bundle.crt"
#define CA_BUNDLE_DEBIAN	"/etc/ssl/certs/ca-certificates.crt"

/* The bundles probed, in this order: Amazon Linux and RHEL, then Debian
   and Ubuntu.  NULL-terminated. */
extern const char *const ca_probe_paths[];

struct ca_paths {
	const char	*file;		/* CA bundle (CURLOPT_CAINFO), or NULL */
	const char	*dir;		/* hashed directory (CURLOPT_CAPATH),
					   or NULL */
};

/*
 * Choose the CA certificates for endpoint.  An http:// endpoint needs
 * none: 0 with both NULL.  For https://, env_file and env_dir
 * (SSL_CERT_FILE, SSL_CERT_DIR; NULL or "" is unset) when either is set,
 * and each that is set must be a readable file or directory; else the
 * first readable regular file of probe (NULL-terminated).  The chosen
 * strings are borrowed from the arguments.  0, or -1 with e set
 * (LERR_EC2: EC2 cannot be reached securely) naming SSL_CERT_FILE and,
 * when nothing was found, every path probed.
 */
int	ca_choose(const char *endpoint, const char *env_file,
	    const char *env_dir, const char *const *probe,
	    struct ca_paths *out, struct lerr *e);

#endif
