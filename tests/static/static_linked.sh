#!/bin/sh
# The release binary is fully static: file(1) says "statically linked"
# for the build's CPU, there is no dynamic section (no NEEDED entry) and no
# program interpreter (no dynamic loader), and it runs --version and --help
# inside an empty chroot that holds nothing but itself, printing what it
# prints outside.
#
# A cross build's binary (LEADER_EXEC_STATIC_EMULATOR names qemu-user, as
# qemu-aarch64-static) runs under that emulator: with -L /nonexistent (no
# library prefix to fall back on), and in a chroot holding only itself and
# the (static) emulator.
#
# Runs the binary LEADER_EXEC_STATIC_BIN names (make check-static: the
# stripped release binary), else LEADER_EXEC.  LEADER_EXEC_STATIC_CPU is
# the build's CPU (x86_64, aarch64), LEADER_EXEC_VERSION the expected
# --version line.  Skips (77) unless the build was configured with
# --enable-static-binary (LEADER_EXEC_STATIC=yes, set by make check-static)
# and when not root (chroot).
set -u

name=static_linked
skip() { echo "SKIP: $name: $*"; exit 77; }
fail() { echo "FAIL: $name: $*"; exit 1; }
ok() { echo "  ok: $*"; }

[ "${LEADER_EXEC_STATIC:-}" = yes ] ||
    skip "not configured with --enable-static-binary (make check-static)"
bin=${LEADER_EXEC_STATIC_BIN:-${LEADER_EXEC:-}}
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	fail "no binary at '$bin'"
fi
for tool in file readelf chroot; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done

emu=${LEADER_EXEC_STATIC_EMULATOR:-}
cpu=${LEADER_EXEC_STATIC_CPU:-$(uname -m)}
case "$cpu" in
x86_64) machine="x86-64" ;;
aarch64) machine="ARM aarch64" ;;
*) fail "no file(1) machine name known for CPU $cpu" ;;
esac
if [ -n "$emu" ] && [ ! -x "$emu" ]; then
	fail "the emulator $emu is not executable"
fi
# The binary, run here (under the emulator for a cross build).
run() { ${emu:+"$emu"} "$bin" "$@"; }

out=$(file -L "$bin") || fail "file $bin failed"
echo "$out"
case "$out" in
*"statically linked"*) ok "file(1) says statically linked" ;;
*) fail "file(1) does not say statically linked" ;;
esac
case "$out" in
*"ELF 64-bit LSB executable, $machine,"*) ok "file(1) says $machine" ;;
*) fail "file(1) does not say 'ELF 64-bit LSB executable, $machine,'" ;;
esac
case "$out" in
*dynamic*|*interpreter*) fail "file(1) mentions a dynamic part" ;;
esac

dyn=$(LC_ALL=C readelf -d "$bin" 2>&1)
echo "$dyn"
printf '%s\n' "$dyn" | grep -qx "There is no dynamic section in this file." ||
    fail "readelf -d shows a dynamic section"
if printf '%s\n' "$dyn" | grep -q NEEDED; then
	fail "readelf -d shows NEEDED entries"
fi
ok "readelf -d: no dynamic section, so no NEEDED entries"
if LC_ALL=C readelf -lW "$bin" | grep -q INTERP; then
	fail "readelf -l shows a program interpreter"
fi
ok "readelf -l: no INTERP program header (no dynamic loader)"

want_version=$(run --version) || fail "--version failed outside the chroot"
if [ -n "${LEADER_EXEC_VERSION:-}" ] &&
    [ "$want_version" != "$LEADER_EXEC_VERSION" ]; then
	fail "--version printed '$want_version', not '$LEADER_EXEC_VERSION'"
fi
ok "--version${emu:+ under $emu}: $want_version"
want_help=$(run --help) || fail "--help failed outside the chroot"
if [ -n "$emu" ]; then
	got=$(env -i "$emu" -L /nonexistent "$bin" --version) ||
	    fail "$emu -L /nonexistent: --version exited $?"
	[ "$got" = "$want_version" ] ||
	    fail "$emu -L /nonexistent: --version printed '$got'"
	ok "--version under $emu -L /nonexistent (no library prefix): $got"
fi

[ "$(id -u)" = 0 ] || skip "chroot needs root"
chroot=$(command -v chroot)
root=$(mktemp -d "${TMPDIR:-/tmp}/leader-exec-chroot.XXXXXX") ||
    fail "mktemp failed"
trap 'rm -rf "$root"' EXIT
cp "$bin" "$root/leader-exec" || fail "cannot copy the binary"
# In the chroot: /leader-exec, or /qemu /leader-exec for a cross build.
want_contents=". ./leader-exec "
inroot=/leader-exec
if [ -n "$emu" ]; then
	cp "$emu" "$root/qemu" || fail "cannot copy the emulator"
	want_contents=". ./leader-exec ./qemu "
	inroot="/qemu /leader-exec"
fi
contents=$(cd "$root" && find . | sort | tr '\n' ' ')
[ "$contents" = "$want_contents" ] || fail "the chroot holds $contents"
ok "the chroot holds nothing but $inroot"

# shellcheck disable=SC2086  # $inroot is the emulator and the binary
got_version=$(env -i "$chroot" "$root" $inroot --version) ||
    fail "--version exited $? inside the empty chroot"
[ "$got_version" = "$want_version" ] ||
    fail "--version in the chroot printed '$got_version', not '$want_version'"
ok "--version in the empty chroot: $got_version"

# shellcheck disable=SC2086
got_help=$(env -i "$chroot" "$root" $inroot --help) ||
    fail "--help exited $? inside the empty chroot"
if [ -z "$got_help" ] || [ "$got_help" != "$want_help" ]; then
	fail "--help in the chroot differs from --help outside"
fi
ok "--help in the empty chroot: $(printf '%s\n' "$got_help" | wc -l)" \
    "lines, as outside"

echo "PASS: $name"
exit 0
