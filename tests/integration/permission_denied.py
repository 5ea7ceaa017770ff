#!/usr/bin/env python3
"""A missing IAM permission is an error, never "follower": with a role that
may describe but not tag, no leader exists yet, so every instance's claim is
refused; each exits with the permission code (113), names the missing
action, and runs nothing.

moto answers a refused action with AccessDenied (HTTP 403) where EC2 says
UnauthorizedOperation; leader-exec is expected to treat both as a
permission error."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "permission_denied"
DESCRIBE_ONLY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": "*", "Action": ["ec2:DescribeInstances"]}]}
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "sts:AssumeRole"}]}
ADMIN = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "*", "Resource": "*"}]}


def main():
    with W.World(NAME, no_auth_count=1000000) as w:
        ids = w.launch("e-aaa", 2)
        iam, sts = w.moto.client("iam"), w.moto.client("sts")
        role = iam.create_role(RoleName="aws-elasticbeanstalk-ec2-role",
                               AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="describe-only",
                            PolicyDocument=json.dumps(DESCRIBE_ONLY))
        iam.create_user(UserName="harness")
        iam.put_user_policy(UserName="harness", PolicyName="all",
                            PolicyDocument=json.dumps(ADMIN))
        key = iam.create_access_key(UserName="harness")["AccessKey"]
        c = sts.assume_role(RoleArn=role["Arn"],
                            RoleSessionName="i-instance-profile")["Credentials"]
        w.set_credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        w.moto.use_credentials(key["AccessKeyId"], key["SecretAccessKey"])
        w.ec2 = w.moto.client("ec2")
        w.moto.reset_auth(0)

        W.log("role may DescribeInstances only; %s at once" % ids)
        res = w.run_all(w.marker_args("--settle", "1", "--timeout", "30"), ids, timeout=45)
        rcs = {i: r.rc for i, r in res.items()}
        W.expect(all(rc == W.EXIT_PERMISSION for rc in rcs.values()),
                 "every instance exits with the permission error code",
                 W.EXIT_PERMISSION, rcs)
        W.expect(w.markers() == {}, "nothing ran", {}, w.markers())
        for r in res.values():
            W.expect("CreateTags" in r.stderr, "%s: stderr names the refused action" % r.instance,
                     "CreateTags", r.stderr.strip())
        h = w.holders(ids)
        W.expect(h == {}, "no tag was written", {}, h)


W.run_scenario(NAME, main)
