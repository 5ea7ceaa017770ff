#!/usr/bin/env python3
"""Two Elastic Beanstalk environments in one account and region, all five
instances started at once: the scope is the environment, so exactly one
instance per environment runs the command."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "two_environments"


def main():
    with W.World(NAME) as w:
        one = w.launch("e-one", 3)
        two = w.launch("e-two", 2)
        W.log("e-one %s, e-two %s, all five at once" % (one, two))
        res = w.run_all(w.marker_args("--settle", "1", "--timeout", "30"), one + two,
                        timeout=45)
        rcs = {i: r.rc for i, r in res.items()}
        W.expect(all(rc == 0 for rc in rcs.values()), "every instance exits 0", 0, rcs)
        m = w.markers()
        for env, ids in (("e-one", one), ("e-two", two)):
            ran = [i for i in m if i in ids]
            W.expect(len(ran) == 1, "exactly one instance of %s ran" % env, 1, ran)
            leader = ran[0]
            W.expect(m[leader][0] == leader, "%s: LEADER_EXEC_LEADER_ID is the runner" % env,
                     leader, m[leader][0])
            h = w.holders(ids)
            W.expect(list(h) == [leader], "%s: only its runner carries the tag" % env,
                     [leader], h)
        W.expect(len(m) == 2, "two markers in all", 2, sorted(m))


W.run_scenario(NAME, main)
