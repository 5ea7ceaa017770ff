#!/usr/bin/env python3
"""Five instances, all at once: the environment's creation (DeploymentId 1)
and an AllAtOnce deployment (DeploymentId 2) each run the migration exactly
once, on the instance leader-exec named leader; every instance's deployment
succeeds and its export file agrees."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

NAME = "sim_all_at_once"


def main():
    with ebsim.Environment("allatonce") as env:
        r1 = env.create(5)
        ids = env.running()
        W.expect(len(ids) == 5, "five instances run", 5, len(ids))
        ebsim.expect_all_ok(r1, "create")
        ebsim.expect_one_migration(env, r1, ids, "create")

        r2 = env.deploy("AllAtOnce")
        W.expect(r2.deployment_id == 2, "the deployment id rose by one", 2, r2.deployment_id)
        W.expect(r2.batches == [ids], "AllAtOnce: one batch of all five", [ids], r2.batches)
        ebsim.expect_all_ok(r2, "deploy")
        ebsim.expect_one_migration(env, r2, ids, "deploy")

        per_id = sorted((m.deployment_id, m.instance) for m in env.migrations())
        W.expect([d for d, _ in per_id] == [1, 2], "one migration per deployment id in all",
                 [1, 2], per_id)


W.run_scenario(NAME, main, time_limit=180)
