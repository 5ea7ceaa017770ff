#!/bin/sh
# 10_leader_migrate.sh: run the migration command on exactly one instance
# per deployment of an Elastic Beanstalk environment (Amazon Linux 2/2023).
#
# Elastic Beanstalk runs this predeploy hook on every instance, as root, in
# the staging directory, at every application deployment and on every
# instance that scaling launches later.  Platform hooks see only the
# environment properties plus HOME, PATH and PORT: there is no
# EB_IS_COMMAND_LEADER here.  leader-exec decides instead: it elects one
# leader among the environment's running instances per deployment (the
# epoch is the DeploymentId of the deployment manifest) and runs the command
# there only.  A later deployment holds a new election; an instance that
# scaling adds while the leader lives does not run the command again.
#
# Environment properties (set them with `eb setenv`, the console, or
# option_settings in aws:elasticbeanstalk:application:environment; no need
# to edit this file):
#
#   LEADER_EXEC_MIGRATE_COMMAND  the command, run with /bin/sh -c in the
#                                staging directory with the environment
#                                properties, e.g. "bundle exec rake db:migrate"
#                                or "python manage.py migrate --noinput".
#                                Unset or empty: the hook says so on stderr,
#                                runs nothing and succeeds.
#   LEADER_EXEC_ARGS             extra leader-exec options, split on blanks
#                                (no quoting, no globbing), e.g. "--settle 5",
#                                "-v", or "--on-error skip" (never fail the
#                                deployment because leadership is unknown; the
#                                migration is then skipped everywhere).
#                                Default: none.
#   LEADER_EXEC_MIGRATE_WAIT     "true": the other instances wait for the
#                                leader's migration (leader-exec --wait)
#                                instead of going on at once: they succeed
#                                when it succeeded and fail with 120 when it
#                                failed, so no instance starts the new code
#                                against an unmigrated database in an
#                                all-at-once deployment; if the leader dies
#                                mid-migration, a waiting instance takes
#                                over once its lease (15 s) expires.  They
#                                wait at most EB's command timeout (600 s by
#                                default).  Anything else: no waiting.
#
# leader-exec itself is .platform/bin/leader-exec in the bundle, found
# relative to this file.  The instance profile needs ec2:DescribeInstances,
# ec2:CreateTags and ec2:DeleteTags (ebextensions/leader-exec-iam-policy.json).
#
# Exit status: on the leader, the command's own (non-zero fails that
# instance's deployment); 0 on every other instance; leader-exec's error
# codes (111-121) when leadership cannot be decided, which fails the
# deployment rather than migrating twice or never; with
# LEADER_EXEC_MIGRATE_WAIT=true, 120 on the others when the migration failed.
set -eu

me=${0##*/}
leader_exec=$(dirname "$0")/../../bin/leader-exec
command=${LEADER_EXEC_MIGRATE_COMMAND:-}

if [ -z "$command" ]; then
	echo "$me: LEADER_EXEC_MIGRATE_COMMAND is not set: no migration to run" >&2
	exit 0
fi
if [ ! -f "$leader_exec" ]; then
	echo "$me: $leader_exec not found: ship the binary as .platform/bin/leader-exec in the bundle" >&2
	exit 1
fi
# A bundle zipped without Unix modes loses the execute bit; hooks run as root.
[ -x "$leader_exec" ] || chmod 0755 "$leader_exec"

wait=
if [ "${LEADER_EXEC_MIGRATE_WAIT:-}" = true ]; then
	wait=--wait
fi

set -f
# LEADER_EXEC_ARGS is split on blanks on purpose; $wait is one word or none.
# shellcheck disable=SC2086
exec "$leader_exec" $wait ${LEADER_EXEC_ARGS:-} -- /bin/sh -c "$command"
