#!/usr/bin/env python3
"""Rolling deployment, batch size 2, five instances: the migration runs
exactly once for the deployment, during the first batch, on an instance of
that batch; later batches find the claim and run nothing.  The batches go
most junior first, so the first batch holds no senior instance: its
instances wait one settle period for a senior claim, then claim themselves
(a hook never waits for peers in later batches)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

NAME = "sim_rolling"


def main():
    with ebsim.Environment("rolling") as env:
        r1 = env.create(5)
        ebsim.expect_all_ok(r1, "create")
        ebsim.expect_one_migration(env, r1, env.running(), "create")
        seniority = env.running()

        after_batch = {}

        def between(n, runs):
            with open(env.migration_log, encoding="utf-8") as f:
                after_batch[n] = f.read().splitlines()

        r2 = env.deploy("Rolling", batch_size=2, order="reverse", between_batches=between)
        want = [seniority[4:2:-1], seniority[2:0:-1], seniority[:1]]
        W.expect(r2.batches == want, "three batches of 2, 2, 1, most junior first", want,
                 r2.batches)
        ebsim.expect_all_ok(r2, "rolling")
        leader, _ = ebsim.expect_one_migration(env, r2, r2.batches[0], "rolling")
        W.expect(r2.runs[leader].batch == 1, "the leader is in batch 1", 1,
                 r2.runs[leader].batch)
        W.expect(len(after_batch.get(1, [])) == 2,
                 "the deployment's migration had run when batch 1 ended "
                 "(log lines: creation's and this one)", 2, after_batch.get(1))
        W.expect(after_batch.get(2) == after_batch.get(1),
                 "batch 2 ran no migration", after_batch.get(1), after_batch.get(2))
        for iid in r2.batches[1] + r2.batches[2]:
            d = r2.runs[iid].decision()
            W.expect(d is not None and d.verdict == "follower" and d.leader == leader,
                     "%s (batch %d) follows %s" % (iid, r2.runs[iid].batch, leader),
                     "follower of %s" % leader, d)


W.run_scenario(NAME, main, time_limit=180)
