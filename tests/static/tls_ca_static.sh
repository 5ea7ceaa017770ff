#!/bin/sh
# tls_ca.py on the static release binary (make check runs it on the
# normal build): CA choice and TLS verification with the OpenSSL linked in.
# Skips (77) unless the build was configured with --enable-static-binary
# (LEADER_EXEC_STATIC=yes, set by make check-static).
if [ "${LEADER_EXEC_STATIC:-}" != yes ]; then
	echo "SKIP: tls_ca_static: not configured with --enable-static-binary"
	exit 77
fi
exec "$(dirname "$0")/tls_ca.py"
