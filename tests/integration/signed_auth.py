#!/usr/bin/env python3
"""Signatures are checked: moto verifies every leader-exec call (SigV4 with
assumed-role credentials and session token served by IMDS).  Correct
credentials elect one leader; a wrong secret makes every instance fail with
the credentials exit code (112), run nothing, and say why without leaking
the secret."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "signed_auth"
POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": "*",
    "Action": ["ec2:DescribeInstances", "ec2:CreateTags", "ec2:DeleteTags"]}]}


def main():
    # Setup calls are free while moto's count is below INITIAL_NO_AUTH_ACTION_COUNT;
    # reset_auth(0) then makes every later call verified (signature and policy).
    with W.World(NAME, no_auth_count=1000000) as w:
        ids = w.launch("e-aaa", 3)
        ak, sk, tok = w.verify_with_role(POLICY)
        W.log("moto now verifies every call; IMDS serves assumed-role keys %s..." % ak[:8])
        probe = w.moto.client("ec2", access_key="AKIDUNKNOWN", secret_key="x")
        try:
            probe.describe_instances()
            W.expect(False, "moto rejects an unknown key (is verification on?)")
        except probe.exceptions.ClientError as e:
            W.expect(e.response["Error"]["Code"] == "AuthFailure",
                     "moto rejects an unknown key", "AuthFailure", e.response["Error"]["Code"])

        W.log("round 1: correct credentials, 3 at once")
        leader, value, res = w.elect(ids)
        W.log("  leader %s tag %s" % (leader, value))
        for r in res.values():
            W.expect(sk not in r.stderr and tok not in r.stderr and sk not in r.stdout,
                     "%s: no secret or token in its output" % r.instance)

        W.log("round 2: IMDS serves a wrong secret")
        bad = "WRONG" + sk[5:]
        w.set_credentials(ak, bad, tok)
        w.clear_markers()
        res = w.run_all(w.marker_args("--settle", "1", "--timeout", "30"), ids, timeout=45)
        rcs = {i: r.rc for i, r in res.items()}
        W.expect(all(rc == W.EXIT_CREDENTIALS for rc in rcs.values()),
                 "every instance exits with the credentials error code",
                 W.EXIT_CREDENTIALS, rcs)
        W.expect(w.markers() == {}, "nothing ran", {}, w.markers())
        for r in res.values():
            text = r.stderr.lower()
            W.expect("authfailure" in text or "credential" in text,
                     "%s: stderr names the failure" % r.instance,
                     "AuthFailure / credentials", r.stderr.strip())
            W.expect(bad not in r.stderr and tok not in r.stderr,
                     "%s: no secret or token in stderr" % r.instance)
        W.expect(w.tags(leader).get("leader-exec:command") == value,
                 "the leader's tag is untouched", value,
                 w.tags(leader).get("leader-exec:command"))


W.run_scenario(NAME, main)
