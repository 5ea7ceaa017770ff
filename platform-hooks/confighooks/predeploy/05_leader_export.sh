#!/bin/sh
# 05_leader_export.sh (configuration deployments): refresh the leadership
# file written by .platform/hooks/predeploy/05_leader_export.sh.
#
# A configuration-only deployment (changed environment properties, instance
# settings that keep the instances) runs .platform/confighooks instead of
# .platform/hooks.  It brings no new code, so no migration runs here: with an
# unchanged DeploymentId, leader-exec would find this deployment's leader
# still in place and run the command a second time on it.  Leadership itself
# may have moved since the deployment (the leader was scaled in, say), so
# the exported answer is refreshed.  Same environment properties, same exit
# status as the hook it runs.
set -eu

exec "$(dirname "$0")/../../hooks/predeploy/05_leader_export.sh"
