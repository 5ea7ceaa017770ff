#!/usr/bin/env python3
"""The region order (README's --region row): --region, else AWS_REGION
(when not empty), else AWS_DEFAULT_REGION, else the identity document.

Each case has its own instance, launched in moto in exactly the region
that must win, while its identity document names another (us-west-2) and
the environment names others.  moto keeps each region's instances apart
and routes by the SigV4 credential scope, so the election only succeeds
when leader-exec signs for the right region; the counting proxy also reads
the region from every request's credential scope."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "region_order"
FAST = ["--settle", "1", "--timeout", "20"]
IDENTITY = "us-west-2"
SCOPE_RE = re.compile(r"Credential=[^/,]+/[0-9]{8}/([a-z0-9-]+)/ec2/aws4_request")

# (label, region that must be signed, options, environment)
CASES = [
    ("identity document only", IDENTITY, [], {}),
    ("AWS_DEFAULT_REGION over the identity document", "eu-west-1", [],
     {"AWS_DEFAULT_REGION": "eu-west-1"}),
    ("AWS_REGION over AWS_DEFAULT_REGION", "eu-central-1", [],
     {"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "eu-west-1"}),
    ("an empty AWS_REGION is unset", "eu-west-1", [],
     {"AWS_REGION": "", "AWS_DEFAULT_REGION": "eu-west-1"}),
    ("--region over both variables", "ap-southeast-2", ["--region", "ap-southeast-2"],
     {"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "eu-west-1"}),
]


def signed_regions(records):
    out = []
    for rec in records:
        auth = [v for k, v in rec.headers if k.lower() == "authorization"]
        m = SCOPE_RE.search(auth[0]) if auth else None
        out.append(m.group(1) if m else None)
    return out


def main():
    with W.World(NAME) as w:
        for k, (label, region, opts, env) in enumerate(CASES):
            W.log(label)
            iid = w.launch("e-region-%d" % k, 1, region=region, identity_region=IDENTITY)[0]
            w.clear_markers()
            w.proxy.reset_counts()
            r = w.run_one(w.marker_args(*FAST, *opts), iid, timeout=40, extra_env=env,
                          allow_aws=tuple(env))
            regions = signed_regions(w.proxy.snapshot()[3])
            W.expect(r.rc == 0 and list(w.markers()) == [iid],
                     "%s: the instance in %s is found and leads" % (label, region),
                     "rc 0, marker", (r.rc, r.stderr))
            W.expect(len(regions) >= 2 and set(regions) == {region},
                     "%s: every EC2 request is signed for %s" % (label, region),
                     region, regions)
            tags = w.moto.client("ec2", region=region).describe_instances(
                InstanceIds=[iid])["Reservations"][0]["Instances"][0].get("Tags", [])
            W.expect(any(t["Key"] == "leader-exec:command" for t in tags),
                     "%s: the claim landed in %s" % (label, region), "a claim", tags)


W.run_scenario(NAME, main)
