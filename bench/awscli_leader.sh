#!/bin/bash
# What an operator would write instead of leader-exec with the AWS CLI, in
# the style of AWS's Elastic Beanstalk "cron-leaderonly" sample: curl for
# the instance metadata (IMDSv2 token, identity document), then
# `aws ec2 describe-instances` with filters, decided in the shell.
#
# The election is leader-exec's: the group is the instances sharing this
# instance's elasticbeanstalk:environment-id tag (else
# aws:autoscaling:groupName); the leader is the first running holder of
# the tag leader-exec:NAME ranked by (term, launch time, instance id).
# Nobody holds: claim with term max(highest term seen + 1, now), wait the
# settle time, read again, retract if not first.  --dry-run stops before
# the claim.  The CLI gets its credentials from the instance role through
# IMDS (awscli v1 honours AWS_EC2_METADATA_SERVICE_ENDPOINT).
#
# usage: awscli_leader.sh [--name NAME] [--epoch EPOCH] [--settle S]
#                         [--dry-run] [--print]
# Exit status: 0 leader, 1 follower, 2 error.  --print: the leader's id.
set -u
set -o pipefail

name=command epoch='' settle=3 dry=0 print=0
while [ $# -gt 0 ]; do
	case $1 in
	--name) name=$2; shift 2 ;;
	--epoch) epoch=$2; shift 2 ;;
	--settle) settle=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	--print) print=1; shift ;;
	*) echo "awscli_leader: unknown option $1" >&2; exit 2 ;;
	esac
done
key="leader-exec:$name"
fail() { echo "awscli_leader: $*" >&2; exit 2; }
# A benchmark peer for loopback only: both endpoints must be set to
# http://127.x.x.x:PORT (bench/run does); anything else is refused.
loopback='^http://127(\.[0-9]{1,3}){3}:[0-9]+/?$'
[[ ${AWS_EC2_METADATA_SERVICE_ENDPOINT:-} =~ $loopback ]] ||
	fail "AWS_EC2_METADATA_SERVICE_ENDPOINT must be http://127.x.x.x:PORT"
[[ ${AWS_ENDPOINT_URL_EC2:-} =~ $loopback ]] ||
	fail "AWS_ENDPOINT_URL_EC2 must be http://127.x.x.x:PORT"
imds=${AWS_EC2_METADATA_SERVICE_ENDPOINT%/}
ec2=(--endpoint-url "$AWS_ENDPOINT_URL_EC2")

token=$(curl -sf --noproxy '*' -m 2 -X PUT \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$imds/latest/api/token") ||
	fail "no IMDSv2 token"
doc=$(curl -sf --noproxy '*' -m 2 -H "X-aws-ec2-metadata-token: $token" \
    "$imds/latest/dynamic/instance-identity/document") || fail "no identity"
self=$(jq -r .instanceId <<<"$doc") region=$(jq -r .region <<<"$doc")
export AWS_DEFAULT_REGION=$region

scope_key=elasticbeanstalk:environment-id
scope=$(aws ec2 describe-instances "${ec2[@]}" --instance-ids "$self" \
    --query "Reservations[0].Instances[0].Tags[?Key=='$scope_key'].Value | [0]" \
    --output text) || fail "describe-instances (self) failed"
if [ -z "$scope" ] || [ "$scope" = None ]; then
	scope_key=aws:autoscaling:groupName
	scope=$(aws ec2 describe-instances "${ec2[@]}" --instance-ids "$self" \
	    --query "Reservations[0].Instances[0].Tags[?Key=='$scope_key'].Value | [0]" \
	    --output text) || fail "describe-instances (self) failed"
	if [ -z "$scope" ] || [ "$scope" = None ]; then
		fail "no group tag on $self"
	fi
fi

# "term launch-time id value" of the running holders, best first.
holders() {
	aws ec2 describe-instances "${ec2[@]}" --page-size 1000 \
	    --filters "Name=tag:$scope_key,Values=$scope" "Name=tag-key,Values=$key" \
	    "Name=instance-state-name,Values=running" \
	    --query "Reservations[].Instances[].[InstanceId, LaunchTime, Tags[?Key=='$key'].Value | [0]]" \
	    --output text |
	while read -r id launch value; do
		term=${value%%@*} ep=
		[ "$term" != "$value" ] && ep=${value#*@}
		case $term in ''|*[!0-9]*) continue ;; esac
		[ -n "$epoch" ] && [ "$ep" != "$epoch" ] && continue
		printf '%020d %s %s %s\n' "$term" "$launch" "$id" "$value"
	done | sort
}

best=$(holders | sed -n 1p) || fail "describe-instances (holders) failed"
if [ -z "$best" ]; then
	all=$(aws ec2 describe-instances "${ec2[@]}" --page-size 1000 \
	    --filters "Name=tag:$scope_key,Values=$scope" \
	    --query "Reservations[].Instances[].Tags[?Key=='$key'].Value | []" \
	    --output text) || fail "describe-instances (group) failed"
	if [ "$dry" = 1 ]; then
		[ "$print" = 1 ] && echo none
		exit 1
	fi
	term=$(date +%s)
	for v in $all; do
		t=${v%%@*}
		case $t in ''|*[!0-9]*) continue ;; esac
		[ "$t" -ge "$term" ] && term=$((t + 1))
	done
	value=$term
	[ -n "$epoch" ] && value="$term@$epoch"
	aws ec2 create-tags "${ec2[@]}" --resources "$self" \
	    --tags "Key=$key,Value=$value" || fail "create-tags failed"
	sleep "$settle"
	best=$(holders | sed -n 1p) || fail "describe-instances (holders) failed"
	# shellcheck disable=SC2086  # split "term launch id" into $1 $2 $3
	set -- $best
	if [ "${3:-}" != "$self" ]; then
		aws ec2 delete-tags "${ec2[@]}" --resources "$self" \
		    --tags "Key=$key,Value=$value" || true
	fi
fi
# shellcheck disable=SC2086  # split "term launch id" into $1 $2 $3
set -- $best
leader=${3:-none}
[ "$print" = 1 ] && echo "$leader"
[ "$leader" = "$self" ]
