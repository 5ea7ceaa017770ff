#!/usr/bin/env python3
"""The s3 store with signatures and IAM checked (issue 13 item 2d): moto
verifies every call from leader-exec (INITIAL_NO_AUTH_ACTION_COUNT, see
world.verify_with_role): SigV4 recomputed with the assumed role's secret,
then the role's policy.  The IMDS stand-ins serve the role's assumed-role
keys with a session token, as the instance profile does.

Rules protected:
  * assumed-role keys with a session token work: three instances at once
    with --store s3://BUCKET, exactly one runs, the record says done;
    no secret or token in anybody's output;
  * a wrong secret: every instance exits 112 naming the rejected
    credentials (its first signed call, EC2's DescribeInstances of self,
    meets it), nothing runs, the record is untouched, no secret shown;
  * a role policy without s3:PutObject: every instance exits 113 with one
    line naming s3:PutObject and the bucket, nothing runs, nothing is
    written;
  * a role policy without s3:GetObject: 113 naming s3:GetObject and the
    bucket, nothing runs.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "s3_auth"
BUCKET = "lexec-auth"
ENV = "e-s3auth"
ROLE = "aws-elasticbeanstalk-ec2-role"    # world.verify_with_role's role
KEY = "elasticbeanstalk%%3Aenvironment-id=%s/command.json" % ENV
ALL = ["ec2:DescribeInstances", "s3:GetObject", "s3:PutObject"]


def policy(actions):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Resource": "*", "Action": list(actions)}]}


def set_role_policy(w, actions):
    """Replace the instance profile role's policy (signed as the admin)."""
    w.moto.client("iam").put_role_policy(RoleName=ROLE, PolicyName="leader-exec",
                                         PolicyDocument=json.dumps(policy(actions)))


def record(w):
    body, etag = w.get_object(BUCKET, KEY)
    return (json.loads(body) if body is not None else None), etag


def run(w, ids, epoch):
    w.clear_markers()
    return w.run_all(w.marker_args("--store", "s3://%s" % BUCKET, "--epoch", epoch,
                                   "--timeout", "30"), ids, timeout=60)


def no_secrets(res, *secrets):
    for r in res.values():
        W.expect(not any(s in r.stderr or s in r.stdout for s in secrets),
                 "%s: no secret or token in its output" % r.instance)


def refused(w, ids, epoch, code, words):
    """Every instance exits code with a last line holding words; no run."""
    before = record(w)
    res = run(w, ids, epoch)
    for iid, r in res.items():
        W.expect(r.rc == code, "%s: exits %d" % (iid, code), code, (r.rc, r.lines()))
        last = r.lines()[-1] if r.lines() else ""
        W.expect(all(x in last for x in words), "%s: the error names %s" % (
            iid, ", ".join(words)), words, last)
    W.expect(w.markers() == {}, "nothing ran", {}, w.markers())
    W.expect(record(w) == before, "the record is untouched", before[1], record(w)[1])
    return res


def main():
    with W.World(NAME, no_auth_count=1000000, serial=True) as w:
        w.create_bucket(BUCKET)
        ids = w.launch(ENV, 3)
        ak, sk, tok = w.verify_with_role(policy(ALL))
        W.log("moto verifies every call now; IMDS serves assumed-role keys %s... with a "
              "session token" % ak[:8])
        probe = w.moto.s3_client(access_key="AKIDUNKNOWN", secret_key="x")
        try:
            probe.get_object(Bucket=BUCKET, Key=KEY)
            W.expect(False, "moto rejects an unknown key on S3 (is verification on?)")
        except probe.exceptions.ClientError as e:
            code = e.response["Error"]["Code"]
            W.expect(code == "InvalidAccessKeyId", "moto rejects an unknown key on S3",
                     "InvalidAccessKeyId", code)

        W.log("assumed-role keys with a session token, 3 at once: one run")
        res = run(w, ids, "a1")
        rcs = {i: r.rc for i, r in res.items()}
        W.expect(all(rc == 0 for rc in rcs.values()), "every instance exits 0", 0, rcs)
        m = w.markers()
        W.expect(len(m) == 1, "exactly one run", 1, sorted(m))
        rec, _ = record(w)
        W.expect(rec is not None and (rec["state"], rec["epoch"], rec["holder"]) ==
                 ("done", "a1", next(iter(m))), "the record says done for a1 by the "
                 "runner", ("done", "a1", next(iter(m))),
                 rec and (rec["state"], rec["epoch"], rec["holder"]))
        no_secrets(res, sk, tok)

        W.log("a wrong secret: 112, nothing run")
        bad = "WRONG" + sk[5:]
        w.set_credentials(ak, bad, tok)
        # The first signed call (EC2's DescribeInstances of self) meets it.
        res = refused(w, ids, "a2", W.EXIT_CREDENTIALS, ["credentials were rejected"])
        W.expect(all("AuthFailure" in r.lines()[-1] or "SignatureDoesNotMatch" in
                     r.lines()[-1] for r in res.values()),
                 "the error names AuthFailure or SignatureDoesNotMatch",
                 "AuthFailure | SignatureDoesNotMatch", [r.lines()[-1] for r in res.values()])
        no_secrets(res, bad, sk, tok)
        w.set_credentials(ak, sk, tok)

        W.log("a role policy without s3:PutObject: 113 naming it and the bucket")
        set_role_policy(w, [a for a in ALL if a != "s3:PutObject"])
        refused(w, ids, "a3", W.EXIT_PERMISSION, ["s3:PutObject", "bucket %s" % BUCKET,
                                                  "AccessDenied"])

        W.log("a role policy without s3:GetObject: 113 naming it and the bucket")
        set_role_policy(w, [a for a in ALL if a != "s3:GetObject"])
        refused(w, ids, "a4", W.EXIT_PERMISSION, ["s3:GetObject", "bucket %s" % BUCKET,
                                                  "AccessDenied"])

        W.log("the full policy again: the next epoch runs once")
        set_role_policy(w, ALL)
        res = run(w, ids, "a5")
        W.expect(all(r.rc == 0 for r in res.values()), "every instance exits 0", 0,
                 {i: r.rc for i, r in res.items()})
        W.expect(len(w.markers()) == 1, "exactly one run", 1, sorted(w.markers()))
        W.expect(record(w)[0]["term"] > rec["term"], "the term rose", "> %d" % rec["term"],
                 record(w)[0]["term"])


W.run_scenario(NAME, main, time_limit=300)
