#!/bin/sh
# The release directory (scripts/release, make release) is exactly the
# documented layout: the two binaries, the make dist tarball, SHA256SUMS of
# those three, and .platform/ with platform-hooks' hooks and confighooks,
# the wrapper and both binaries, every directory and script mode 0755, no
# README.md.  The wrapper picks the binary by uname -m (x86_64 and amd64,
# aarch64 and arm64; any other machine exits 126 naming it) and passes
# every argument unchanged; on this machine it runs the real x86_64 binary.
#
# LEADER_EXEC_RELEASE_DIR names the release directory (make check-release),
# LEADER_EXEC_VERSION the expected --version line ("leader-exec 0.1.0").
# Skips (77) when LEADER_EXEC_RELEASE_DIR is unset; fails when it is set
# but holds no release.
set -u

name=release_kit
skip() { echo "SKIP: $name: $*"; exit 77; }
fail() { echo "FAIL: $name: $*"; exit 1; }
ok() { echo "  ok: $*"; }

rel=${LEADER_EXEC_RELEASE_DIR:-}
[ -n "$rel" ] || skip "LEADER_EXEC_RELEASE_DIR is not set (make check-release)"
[ -d "$rel" ] || fail "no release directory $rel (run make release first)"
want_version=${LEADER_EXEC_VERSION:?}
version=${want_version#leader-exec }
tarball="leader-exec-$version.tar.gz"
src=$(cd "$(dirname "$0")/../.." && pwd) || exit 99

# 1. The layout, exactly.
want=". ./.platform ./.platform/bin ./.platform/bin/leader-exec
./.platform/bin/leader-exec-aarch64 ./.platform/bin/leader-exec-x86_64"
for d in hooks confighooks; do
	want="$want $(cd "$src/platform-hooks" && find "$d" | sed 's|^|./.platform/|')"
done
want="$want ./SHA256SUMS ./$tarball ./leader-exec-aarch64 ./leader-exec-x86_64"
# shellcheck disable=SC2086  # split the list on blanks
want=$(printf '%s\n' $want | LC_ALL=C sort | tr '\n' ' ')
got=$(cd "$rel" && find . | LC_ALL=C sort | tr '\n' ' ')
[ "$got" = "$want" ] || fail "the release holds [$got], not [$want]"
ok "the layout: $got"
if (cd "$rel" && find . -name 'README*' | grep -q .); then
	fail "a README in the release"
fi
ok "no README in .platform/"

# 2. Modes: directories, binaries and scripts 0755, the rest 0644.
bad=$(cd "$rel" && find . \( -type d -o -path './.platform/*' -type f \
    -o -name 'leader-exec-*' ! -name '*.tar.gz' \) ! -perm 0755)
[ -z "$bad" ] || fail "not mode 0755: $bad"
bad=$(cd "$rel" && find . -maxdepth 1 -type f \( -name SHA256SUMS \
    -o -name "$tarball" \) ! -perm 0644)
[ -z "$bad" ] || fail "not mode 0644: $bad"
ok "directories, binaries and hooks are 0755; SHA256SUMS and the tarball 0644"

# 3. SHA256SUMS covers the three files and matches; the kit's copies are
#    the same binaries; the hooks are platform-hooks' own.
names=$(awk '{ print $2 }' "$rel/SHA256SUMS" | tr '\n' ' ')
[ "$names" = "leader-exec-x86_64 leader-exec-aarch64 $tarball " ] ||
    fail "SHA256SUMS lists [$names]"
(cd "$rel" && sha256sum -c --quiet SHA256SUMS) || fail "sha256sum -c failed"
ok "sha256sum -c SHA256SUMS: $names"
for cpu in x86_64 aarch64; do
	cmp -s "$rel/leader-exec-$cpu" "$rel/.platform/bin/leader-exec-$cpu" ||
	    fail ".platform/bin/leader-exec-$cpu differs from leader-exec-$cpu"
done
cmp -s "$src/platform-hooks/bin/leader-exec" "$rel/.platform/bin/leader-exec" ||
    fail ".platform/bin/leader-exec is not platform-hooks/bin/leader-exec"
for f in $(cd "$src/platform-hooks" && find hooks confighooks -type f); do
	cmp -s "$src/platform-hooks/$f" "$rel/.platform/$f" ||
	    fail ".platform/$f differs from platform-hooks/$f"
done
ok "the kit's binaries, wrapper and hooks are the released and source files"

# 4. Each binary is a static executable of its CPU.
for pair in "x86_64:x86-64" "aarch64:ARM aarch64"; do
	cpu=${pair%%:*} machine=${pair#*:}
	f=$(file -b "$rel/leader-exec-$cpu")
	case "$f" in
	*"ELF 64-bit LSB executable, $machine,"*"statically linked"*"stripped"*)
		ok "leader-exec-$cpu: $f" ;;
	*) fail "leader-exec-$cpu: $f" ;;
	esac
done

# 5. The tarball is the source distribution.
list=$(tar -tzf "$rel/$tarball") || fail "tar -tzf $tarball failed"
for f in configure Makefile.in platform-hooks/bin/leader-exec scripts/release; do
	printf '%s\n' "$list" | grep -qx "leader-exec-$version/$f" ||
	    fail "$tarball lacks leader-exec-$version/$f"
done
ok "$tarball holds configure, Makefile.in, the wrapper and scripts/release"

# 6. The wrapper's choice, with stand-in binaries and a uname that prints
#    FAKE_MACHINE; every argument passes through unchanged.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/leader-exec-kit.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/path"
cp "$rel/.platform/bin/leader-exec" "$tmp/bin/"
for cpu in x86_64 aarch64; do
	printf '#!/bin/sh\nprintf "%s:%%s|" "$@"\n' "$cpu" >"$tmp/bin/leader-exec-$cpu"
	chmod 0755 "$tmp/bin/leader-exec-$cpu"
done
# shellcheck disable=SC2016  # the stand-in expands it
printf '#!/bin/sh\necho "$FAKE_MACHINE"\n' >"$tmp/path/uname"
chmod 0755 "$tmp/path/uname"
for pair in x86_64:x86_64 amd64:x86_64 aarch64:aarch64 arm64:aarch64; do
	m=${pair%%:*} cpu=${pair#*:}
	# shellcheck disable=SC2016  # a literal $x argument
	out=$(FAKE_MACHINE=$m PATH="$tmp/path:$PATH" "$tmp/bin/leader-exec" \
	    --status "a b" "" '$x') || fail "uname -m $m: the wrapper exited $?"
	[ "$out" = "$cpu:--status|$cpu:a b|$cpu:|$cpu:\$x|" ] ||
	    fail "uname -m $m: got '$out'"
	ok "uname -m $m: runs leader-exec-$cpu with the arguments unchanged"
done
for m in riscv64 i686 armv7l; do
	err=$(FAKE_MACHINE=$m PATH="$tmp/path:$PATH" "$tmp/bin/leader-exec" \
	    --version 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 126 ] || fail "uname -m $m: exit $rc, not 126"
	want_err="leader-exec: no leader-exec binary for this machine ($m): the bundle ships x86_64 and aarch64 only"
	[ "$err" = "$want_err" ] || fail "uname -m $m: stderr '$err'"
	ok "uname -m $m: exit 126, stderr: $err"
done
rm "$tmp/bin/leader-exec-aarch64"
err=$(FAKE_MACHINE=aarch64 PATH="$tmp/path:$PATH" "$tmp/bin/leader-exec" \
    --version 2>&1 >/dev/null)
rc=$?
want_err="leader-exec: $tmp/bin/leader-exec-aarch64 is missing (machine aarch64): bundle it (scripts/bundle) with the aarch64 release binary"
if [ "$rc" != 127 ] || [ "$err" != "$want_err" ]; then
	fail "a missing leader-exec-aarch64: exit $rc, stderr '$err'"
fi
ok "a missing binary: exit 127, stderr: $err"

# 7. The real kit on this machine: the wrapper runs the native binary,
#    whose exit status comes back unchanged.
[ "$(uname -m)" = x86_64 ] || skip "the real-binary check runs on x86_64 only"
got=$("$rel/.platform/bin/leader-exec" --version) || fail "--version exited $?"
[ "$got" = "$want_version" ] || fail "--version printed '$got'"
ok "the kit's wrapper on $(uname -m): $got"
"$rel/.platform/bin/leader-exec" --no-such-option >/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] || fail "a usage error through the wrapper exited $rc, not 2"
ok "a usage error through the wrapper exits 2, as the binary does"

echo "PASS: $name"
exit 0
