#!/usr/bin/env python3
"""Three instances of one environment, started at the same moment: exactly
one runs the command and records itself in the leader-exec:command tag; a
second run keeps the same leader without writing any tag."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "three_instances"


def main():
    with W.World(NAME) as w:
        ids = w.launch("e-aaa", 3)
        W.log("round 1: %s at once: leader-exec --settle 1 --timeout 30 -- <marker>" % ids)
        t0 = int(time.time())
        leader, value, _ = w.elect(ids)
        term = W.tag_term(value)
        W.log("  leader %s tag %s" % (leader, value))
        W.expect(term >= t0 - 1, "the term is at least the unix time of the claim",
                 ">= %d" % (t0 - 1), term)
        W.expect("@" not in value, "no epoch in the tag value without a manifest",
                 "<term>", value)

        W.log("round 2: the same three again")
        w.proxy.reset_counts()
        leader2, value2, _ = w.elect(ids)
        _, _, actions, _ = w.proxy.snapshot()
        W.log("  EC2 calls in round 2: %s" % dict(actions))
        W.expect(leader2 == leader, "the same instance leads again", leader, leader2)
        W.expect(value2 == value, "the leader's tag value is unchanged", value, value2)
        W.expect(actions["CreateTags"] == 0, "round 2 makes no CreateTags call", 0,
                 actions["CreateTags"])
        W.expect(actions["DeleteTags"] == 0, "round 2 makes no DeleteTags call", 0,
                 actions["DeleteTags"])


W.run_scenario(NAME, main)
