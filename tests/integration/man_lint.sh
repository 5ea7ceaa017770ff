#!/bin/sh
# Rule: man/leader-exec.1 is clean under `mandoc -Tlint -W style`: no
# style notice, warning or error (mandoc exits 0 and reports nothing about
# the page).  Notices about the machine's own manual database ("outdated
# mandoc.db lacks ...", from the .Xr cross-references) say nothing about
# the page and are ignored.  Exit 77 only when mandoc is missing outside CI;
# under CI=true a missing mandoc fails.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
page=$top/man/leader-exec.1
if ! command -v mandoc >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL: man_lint: mandoc is not installed (CI=true)"
		exit 1
	fi
	echo "SKIP: man_lint: mandoc is not installed"
	exit 77
fi
rc=0
out=$(mandoc -Tlint -W style "$page" 2>&1) || rc=$?
findings=$(printf '%s\n' "$out" | grep -v 'outdated mandoc.db' | grep . || true)
if [ "$rc" -ne 0 ] || [ -n "$findings" ]; then
	printf '%s\n' "$findings"
	echo "FAIL: man_lint: mandoc -Tlint -W style: expected exit 0 and no findings, got exit $rc and $(printf '%s\n' "$findings" | grep -c .) finding(s)"
	exit 1
fi
for section in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT FILES "EXIT STATUS"; do
	if ! grep -q "^\.Sh $section\$" "$page"; then
		echo "FAIL: man_lint: no .Sh $section section"
		exit 1
	fi
done
echo "PASS: man_lint (mandoc -Tlint -W style clean; NAME to EXIT STATUS present)"
