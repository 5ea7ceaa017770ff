#!/usr/bin/env python3
"""A missing IAM permission is an error, never "follower": with a role that
may describe but not tag, no leader exists yet, so every instance's claim is
refused; each exits with the permission code (113), names the missing
action, and runs nothing.

moto answers a refused action with AccessDenied (HTTP 403) where EC2 says
UnauthorizedOperation; leader-exec is expected to treat both as a
permission error."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "permission_denied"
DESCRIBE_ONLY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": "*", "Action": ["ec2:DescribeInstances"]}]}


def main():
    with W.World(NAME, no_auth_count=1000000) as w:
        ids = w.launch("e-aaa", 2)
        w.verify_with_role(DESCRIBE_ONLY)

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
