#!/bin/sh
# make check: run every seed and every kept crashing input through each
# libFuzzer target once (scripts/fuzz --regress).  The targets are built
# in build-fuzz/ of the build directory.  Exits 77 (skip) when clang
# cannot build libFuzzer targets.
top=$(cd "$(dirname "$0")/../.." && pwd) || exit 99
FUZZ_WORK="$(pwd)/build-fuzz"
export FUZZ_WORK
exec bash "$top/scripts/fuzz" --regress
