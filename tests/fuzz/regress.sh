#!/bin/sh
# make check: run every seed and every kept crashing input through each
# libFuzzer target once (scripts/fuzz --regress).  The targets are built
# in build-fuzz/ of the build directory.  Exits 77 (skip) when clang
# cannot build libFuzzer targets, except under CI=true, where that is a
# failure (1): the README says CI replays the corpora (scripts/setup
# installs clang and libclang-rt-14-dev).
top=$(cd "$(dirname "$0")/../.." && pwd) || exit 99
FUZZ_WORK="$(pwd)/build-fuzz"
export FUZZ_WORK
bash "$top/scripts/fuzz" --regress
rc=$?
if [ "$rc" -eq 77 ] && [ "${CI:-}" = true ]; then
	echo "FAIL: fuzz regress: clang cannot build libFuzzer targets (CI=true: must run)"
	exit 1
fi
exit "$rc"
