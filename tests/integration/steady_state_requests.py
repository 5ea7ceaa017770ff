#!/usr/bin/env python3
"""The steady state is cheap (the README's figure): once a leader exists, a
follower's run costs exactly 4 IMDS requests (token, identity, role name,
role credentials) over one TCP connection and 2 EC2 requests
(DescribeInstances only) over one TCP connection, 6 HTTP requests in all."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "steady_state_requests"


def main():
    with W.World(NAME) as w:
        ids = w.launch("e-aaa", 3)
        leader, _, _ = w.elect(ids)
        follower = [i for i in ids if i != leader][0]
        # A follower re-reads once while the leader's claim is younger than
        # the settle time plus a second (so it reports the settled leader);
        # the steady state starts after that window.
        time.sleep(2.5)
        W.log("leader %s; follower %s runs leader-exec -- <marker> once more"
              % (leader, follower))
        w.clear_markers()
        imds = w.imds[follower]
        imds.reset_counts()
        w.proxy.reset_counts()
        r = w.run_one(w.marker_args("--settle", "1"), follower, timeout=30)
        conns, methods, actions, recs = w.proxy.snapshot()
        n_imds = imds.total_requests()
        n_ec2 = sum(methods.values())
        W.log("  IMDS: %d requests over %d connections: %s" % (
            n_imds, imds.connections, dict(imds.requests)))
        W.log("  EC2:  %d requests over %d connections: %s" % (n_ec2, conns, dict(actions)))
        W.log("  total HTTP requests: %d, elapsed %.2f s" % (n_imds + n_ec2, r.elapsed))
        W.expect(r.rc == 0, "the follower exits 0", 0, r.rc)
        W.expect(w.markers() == {}, "the follower runs nothing", {}, w.markers())
        W.expect(n_imds == 4, "IMDS requests == 4", 4, n_imds)
        W.expect(imds.requests == {("PUT", "/latest/api/token"): 1,
                                   ("GET", "/latest/dynamic/instance-identity/document"): 1,
                                   ("GET", "/latest/meta-data/iam/security-credentials/"): 1,
                                   ("GET", "/latest/meta-data/iam/security-credentials/"
                                           + imds.role): 1},
                 "IMDS: one token, identity, role name, role credentials",
                 "one of each", dict(imds.requests))
        W.expect(imds.connections == 1, "IMDS requests share one TCP connection", 1,
                 imds.connections)
        W.expect(n_ec2 == 2, "EC2 requests == 2", 2, n_ec2)
        W.expect(set(actions) == {"DescribeInstances"} and actions["DescribeInstances"] == 2,
                 "the EC2 requests are DescribeInstances only", "DescribeInstances",
                 dict(actions))
        W.expect(conns == 1, "EC2 requests share one TCP connection", 1, conns)
        W.expect(n_imds + n_ec2 == 6, "total HTTP requests == 6", 6, n_imds + n_ec2)

W.run_scenario(NAME, main)
