#!/usr/bin/env python3
"""What a user would write instead of leader-exec, in Python with boto3.

The same election as leader-exec, the straightforward way:

  1. IMDSv2 with urllib: a session token, then the instance identity
     document (instance id, region).
  2. boto3's default credential chain: on an instance that is botocore's
     own IMDS fetcher (another token, the role name, the role credentials).
  3. DescribeInstances of self: its elasticbeanstalk:environment-id tag
     (else aws:autoscaling:groupName) names the group.
  4. DescribeInstances of the running holders of the leadership tag in the
     group (all pages).  The leader is the first holder ranked by (term,
     launch time, instance id), as leader-exec ranks them.
  5. Nobody holds: read the whole group, claim with
     term = max(highest term seen + 1, now) (CreateTags on self), wait the
     settle time, read the holders again and decide; a claimant that does
     not rank first deletes its own tag.  --dry-run stops before the claim.

Exit status: 0 leader, 1 follower (as leader-exec --check), 2 error.
--print writes the leader's instance id (or "none") on stdout.

Endpoints come from AWS_EC2_METADATA_SERVICE_ENDPOINT and
AWS_ENDPOINT_URL_EC2 (passed to boto3 as endpoint_url as well).  This is a
benchmark peer for loopback only: both must be set to http://127.x.x.x:PORT
(bench/run does), anything else is refused with exit 2.
"""
import argparse
import json
import os
import re
import sys
import time
import urllib.request

import boto3
from botocore.config import Config

NAME_TAG = "leader-exec:"
ENV_TAG = "elasticbeanstalk:environment-id"
ASG_TAG = "aws:autoscaling:groupName"


def imds(endpoint, path, token=None, method="GET", ttl=None):
    req = urllib.request.Request(endpoint.rstrip("/") + path, method=method)
    if token:
        req.add_header("X-aws-ec2-metadata-token", token)
    if ttl:
        req.add_header("X-aws-ec2-metadata-token-ttl-seconds", str(ttl))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=2) as r:
        return r.read().decode()


def tag(inst, key):
    for t in inst.get("Tags", []):
        if t["Key"] == key:
            return t["Value"]
    return None


def instances(ec2, filters):
    out = []
    for page in ec2.get_paginator("describe_instances").paginate(
            Filters=filters, PaginationConfig={"PageSize": 1000}):
        for res in page["Reservations"]:
            out.extend(res["Instances"])
    return out


def parse_value(v, epoch):
    """The term of a tag value '<term>[@<epoch>]' for this epoch, or None."""
    term, _, ep = v.partition("@")
    if not term.isdigit() or (epoch and ep != epoch):
        return None
    return int(term)


def ranked_holders(insts, key, epoch):
    hs = []
    for i in insts:
        v = tag(i, key)
        if i["State"]["Name"] != "running" or v is None:
            continue
        term = parse_value(v, epoch)
        if term is not None:
            hs.append((term, i["LaunchTime"], i["InstanceId"], v))
    return sorted(hs)


def loopback_env(name):
    """The value of name, which must be http://127.x.x.x:PORT; else exit 2."""
    v = os.environ.get(name, "")
    if not re.fullmatch(r"http://127(\.\d{1,3}){3}:\d+/?", v):
        print("boto3_leader: %s=%r: only http://127.x.x.x:PORT is allowed" % (name, v),
              file=sys.stderr)
        sys.exit(2)
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="command")
    ap.add_argument("--epoch", default="")
    ap.add_argument("--settle", type=float, default=3.0)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--print", action="store_true", dest="print_leader")
    a = ap.parse_args()
    key = NAME_TAG + a.name

    ep = loopback_env("AWS_EC2_METADATA_SERVICE_ENDPOINT")
    loopback_env("AWS_ENDPOINT_URL_EC2")
    token = imds(ep, "/latest/api/token", method="PUT", ttl=60)
    doc = json.loads(imds(ep, "/latest/dynamic/instance-identity/document", token))
    self_id, region = doc["instanceId"], doc["region"]

    ec2 = boto3.client("ec2", region_name=region,
                       endpoint_url=os.environ.get("AWS_ENDPOINT_URL_EC2"),
                       config=Config(retries={"max_attempts": 5, "mode": "standard"}))
    me = ec2.describe_instances(InstanceIds=[self_id])["Reservations"][0]["Instances"][0]
    scope_key = ENV_TAG if tag(me, ENV_TAG) else ASG_TAG
    scope_val = tag(me, scope_key)
    if not scope_val:
        print("boto3_leader: no group tag on %s" % self_id, file=sys.stderr)
        return 2
    group = [{"Name": "tag:" + scope_key, "Values": [scope_val]}]
    holders_filter = group + [{"Name": "tag-key", "Values": [key]},
                              {"Name": "instance-state-name", "Values": ["running"]}]

    hs = ranked_holders(instances(ec2, holders_filter), key, a.epoch)
    if not hs:
        everyone = instances(ec2, group)
        if a.dry_run:
            if a.print_leader:
                print("none")
            return 1
        terms = [parse_value(tag(i, key) or "", "") for i in everyone]
        term = max([t + 1 for t in terms if t is not None] + [int(time.time())])
        value = "%d@%s" % (term, a.epoch) if a.epoch else str(term)
        ec2.create_tags(Resources=[self_id], Tags=[{"Key": key, "Value": value}])
        time.sleep(a.settle)
        hs = ranked_holders(instances(ec2, holders_filter), key, a.epoch)
        mine = [h for h in hs if h[2] == self_id]
        if hs and hs[0][2] != self_id and mine:
            ec2.delete_tags(Resources=[self_id], Tags=[{"Key": key, "Value": mine[0][3]}])
    leader = hs[0][2] if hs else None
    if a.print_leader:
        print(leader or "none")
    return 0 if leader == self_id else 1


if __name__ == "__main__":
    sys.exit(main())
