#!/usr/bin/env python3
"""A full scale-to-zero: the old leader is gone (terminated, still visible to
DescribeInstances), two new instances start at once; exactly one of the new
ones leads, and its term is strictly greater than the old leader's."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "scale_to_zero"


def main():
    with W.World(NAME) as w:
        old = w.launch("e-aaa", 3)
        W.log("before: %s elect" % old)
        old_leader, old_value, _ = w.elect(old)
        old_term = W.tag_term(old_value)
        W.log("  old leader %s tag %s" % (old_leader, old_value))

        W.log("scale to zero: terminate all three")
        w.terminate(old)
        states = {i: w.describe(i)["State"]["Name"] for i in old}
        W.expect(all(s == "terminated" for s in states.values()),
                 "the old instances are terminated", "terminated", states)
        # Terms have a one-second clock component; a real scale-to-zero takes
        # minutes.  Make sure the clock has moved on before the new instances.
        time.sleep(1.1)

        new = w.launch("e-aaa", 2)
        W.log("after: %s at once" % new)
        leader, value, _ = w.elect(new)
        W.log("  new leader %s tag %s" % (leader, value))
        W.expect(leader in new, "one of the new instances leads", new, leader)
        W.expect(W.tag_term(value) > old_term, "the new term is greater than the old one",
                 "> %d" % old_term, W.tag_term(value))
        W.expect(w.tags(old_leader).get("leader-exec:command") == old_value,
                 "the dead leader's tag is left alone", old_value,
                 w.tags(old_leader).get("leader-exec:command"))


W.run_scenario(NAME, main)
