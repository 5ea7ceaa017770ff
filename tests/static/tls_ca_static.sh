#!/bin/sh
# tls_ca.py on the static release binary (make check runs it on the
# normal build): CA choice and TLS verification with the OpenSSL linked in.
# A cross build's binary runs under LEADER_EXEC_STATIC_EMULATOR (qemu-user)
# through a two-line wrapper, so tls_ca.py runs it as it runs any binary.
# Skips (77) unless the build was configured with --enable-static-binary
# (LEADER_EXEC_STATIC=yes, set by make check-static).
if [ "${LEADER_EXEC_STATIC:-}" != yes ]; then
	echo "SKIP: tls_ca_static: not configured with --enable-static-binary"
	exit 77
fi
emu=${LEADER_EXEC_STATIC_EMULATOR:-}
if [ -z "$emu" ]; then
	exec "$(dirname "$0")/tls_ca.py"
fi
bin=${LEADER_EXEC_STATIC_BIN:?}
dir=$(mktemp -d "${TMPDIR:-/tmp}/leader-exec-emu.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT
# The wrapper holds both absolute paths: the scenario's child environment
# passes no emulator variable.
printf '#!/bin/sh\nexec %s %s "$@"\n' "'$emu'" "'$bin'" >"$dir/leader-exec"
chmod 0755 "$dir/leader-exec"
echo "tls_ca_static: $bin under $emu (wrapper $dir/leader-exec)"
LEADER_EXEC_STATIC_BIN="$dir/leader-exec" "$(dirname "$0")/tls_ca.py"
