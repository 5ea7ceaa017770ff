#!/bin/sh
# 05_leader_export.sh: record this instance's leadership for the current
# deployment in a file that later hooks and the application can read.
#
# Elastic Beanstalk runs this predeploy hook on every instance, as root, at
# every application deployment and on every instance that scaling launches
# later (10_leader_migrate.sh runs after it and reaches the same decision).
# It writes the output of `leader-exec --export`, shell lines such as
#
#   export EB_IS_COMMAND_LEADER='true'
#   export LEADER_EXEC_LEADER_ID='i-0123456789abcdef0'
#   export LEADER_EXEC_TERM='1732270000'
#   export LEADER_EXEC_NAME='command'
#   export LEADER_EXEC_EPOCH='42'
#
# to a file, atomically (a temporary file in the same directory, then mv), so
# a reader sees the old answer or the new one, never half of one.  Read it
# with `. "$LEADER_EXEC_EXPORT_FILE"` (mode 0644).  It is the answer at
# deployment time; for a live answer ask `leader-exec --check`.
#
# Switched on by one environment property (no need to edit this file):
#
#   LEADER_EXEC_EXPORT_FILE  where to write, e.g.
#                            /var/lib/leader-exec/leader.env (the path
#                            the README's recipes read).  Unset or empty:
#                            the hook says so on stderr, runs nothing,
#                            calls no AWS API and succeeds, so a bundle
#                            deploys before any IAM policy is attached.
#   LEADER_EXEC_ARGS         extra leader-exec options, split on blanks
#                            (no quoting, no globbing), e.g. "--settle 5";
#                            with "--on-error skip" an undecidable
#                            leadership is written as EB_IS_COMMAND_LEADER
#                            false instead of failing the deployment.
#
# leader-exec is .platform/bin/leader-exec in the bundle, found relative to
# this file.  Exit status: 0 when the file is written or the export is not
# switched on; leader-exec's error code (111-121) otherwise, which fails
# the deployment and leaves any earlier file untouched.
set -eu

me=${0##*/}
leader_exec=$(dirname "$0")/../../bin/leader-exec
file=${LEADER_EXEC_EXPORT_FILE:-}

if [ -z "$file" ]; then
	echo "$me: LEADER_EXEC_EXPORT_FILE is not set: no leadership file to write" >&2
	exit 0
fi
case $file in
/*) ;;
*)
	echo "$me: LEADER_EXEC_EXPORT_FILE=$file: give an absolute path, such as /var/lib/leader-exec/leader.env" >&2
	exit 1 ;;
esac
dir=$(dirname "$file")
if [ ! -f "$leader_exec" ]; then
	echo "$me: $leader_exec not found: ship the binary as .platform/bin/leader-exec in the bundle" >&2
	exit 1
fi
[ -x "$leader_exec" ] || chmod 0755 "$leader_exec"

mkdir -p "$dir"
tmp=$(mktemp "$dir/.leader-exec.XXXXXX")
trap 'rm -f "$tmp"' EXIT

set -f
# LEADER_EXEC_ARGS is split on blanks on purpose.
# shellcheck disable=SC2086
"$leader_exec" ${LEADER_EXEC_ARGS:-} --export >"$tmp"
set +f

chmod 0644 "$tmp"
mv -f "$tmp" "$file"
trap - EXIT
leader=$(sed -n "s/^export EB_IS_COMMAND_LEADER='\(.*\)'\$/\1/p" "$file")
echo "$me: EB_IS_COMMAND_LEADER=$leader written to $file" >&2
