#!/usr/bin/env python3
"""A full scale-to-zero and back (a nightly shutdown): the instances that
come back run the current deployment again, as EB does for every new
instance; the claim died with the old fleet, so exactly one of them runs
that deployment's migration again, with a higher term (migrations must be
idempotent, as with leader_only).  The next deployment then runs its
migration exactly once, on one of the new instances."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

NAME = "sim_scale_to_zero"


def main():
    with ebsim.Environment("scalezero") as env:
        ebsim.expect_all_ok(env.create(3), "create")
        old = env.running()
        r2 = env.deploy()
        ebsim.expect_all_ok(r2, "deploy")
        _, term2 = ebsim.expect_one_migration(env, r2, old, "deploy")

        env.scale_to(0)
        W.expect(env.running() == [], "no instance runs after scaling to zero", [],
                 env.running())
        # Terms have a one-second clock component; a real scale-to-zero lasts
        # hours.  Let the clock move on before the fleet comes back.
        time.sleep(1.1)

        r3 = env.scale_to(2)
        new = env.running()
        W.expect(len(new) == 2 and not set(new) & set(old), "two new instances run", 2, new)
        W.expect(r3.deployment_id == r2.deployment_id,
                 "they ran the current deployment (same DeploymentId)", r2.deployment_id,
                 r3.deployment_id)
        ebsim.expect_all_ok(r3, "restore")
        _, term3 = ebsim.expect_one_migration(env, r3, new, "restore (the old claim is gone)")
        W.expect(term3 > term2, "the restored leader's term is above the dead leader's",
                 "> %d" % term2, term3)

        r4 = env.deploy()
        ebsim.expect_all_ok(r4, "next deploy")
        _, term4 = ebsim.expect_one_migration(env, r4, new, "next deploy")
        W.expect(term4 > term3, "the next deployment's term is higher still", "> %d" % term3,
                 term4)
        per_id = sorted(m.deployment_id for m in env.migrations())
        W.expect(per_id == [1, 2, 2, 3],
                 "migrations by DeploymentId: 1 once, 2 before and after the restore, 3 once",
                 [1, 2, 2, 3], per_id)


W.run_scenario(NAME, main, time_limit=180)
