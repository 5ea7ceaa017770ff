#!/usr/bin/env python3
"""A second deployment while the first deployment's leader is alive: the new
DeploymentId is a new epoch, so it holds a new election.  The deployment is
Rolling with batch size 1, oldest instance last, so the first batch's
instance elects itself while the old leader still runs and still carries
its claim for epoch 1; the old leader, deployed last, follows.  One
migration for each deployment id."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

NAME = "sim_new_epoch"


def main():
    with ebsim.Environment("newepoch") as env:
        r1 = env.create(3)
        ebsim.expect_all_ok(r1, "create")
        leader1, term1 = ebsim.expect_one_migration(env, r1, env.running(), "create")
        old_tag = env.tag(leader1)
        seen = {}

        def between(n, runs):
            if n == 1:
                seen["running"] = env.running()
                seen["old tag"] = env.tag(leader1)
                with open(env.migration_log, encoding="utf-8") as f:
                    seen["log"] = f.read().splitlines()

        order = [i for i in env.running() if i != leader1] + [leader1]
        r2 = env.deploy("Rolling", batch_size=1, order=order, between_batches=between)
        ebsim.expect_all_ok(r2, "deploy 2")
        W.expect(leader1 in seen["running"] and seen["old tag"] == old_tag,
                 "after batch 1 the old leader still runs and holds %s" % old_tag,
                 old_tag, seen["old tag"])
        W.expect(len(seen["log"]) == 2 and seen["log"][1].split()[:2] == [order[0], "2"],
                 "deployment 2's migration ran in batch 1, on %s" % order[0],
                 "%s 2 ..." % order[0], seen["log"][1:])
        leader2, term2 = ebsim.expect_one_migration(env, r2, [order[0]], "deploy 2")
        W.expect(term2 > term1, "the new epoch's term is above the old one", "> %d" % term1,
                 term2)
        d = r2.runs[leader1].decision()
        W.expect(d is not None and (d.verdict, d.leader) == ("follower", leader2),
                 "the old leader follows %s for epoch 2" % leader2, ("follower", leader2),
                 None if d is None else (d.verdict, d.leader))

        r3 = env.deploy()
        ebsim.expect_all_ok(r3, "deploy 3")
        ebsim.expect_one_migration(env, r3, env.running(), "deploy 3")
        per_id = sorted(m.deployment_id for m in env.migrations())
        W.expect(per_id == [1, 2, 3], "one migration for each deployment id", [1, 2, 3], per_id)


W.run_scenario(NAME, main, time_limit=180)
