#!/usr/bin/env python3
"""Followers that wait for the migration (issue 14 item 3): with the
environment property LEADER_EXEC_MIGRATE_WAIT=true the predeploy hook runs
leader-exec --wait.  In an all-at-once deployment of three instances with a
migration that takes 3 s, the migration runs once, and the other instances'
migrate hooks end only after it (each lasts at least the migration's 3 s),
reporting that the command waited on succeeded; their deployments succeed.
When the next deployment's migration exits 3, the leader's deployment fails
with 3 and every other one with 120 (the followers fail too instead of
serving new code against an unmigrated database): no instance moves to the
new version."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

NAME = "sim_wait_migration"
MIGRATION_S = 3


def main():
    props = {"LEADER_EXEC_MIGRATE_WAIT": "true", "SIM_MIGRATION_SLEEP": str(MIGRATION_S)}
    with ebsim.Environment("waitmig", properties=props) as env:
        r1 = env.create(3)
        ebsim.expect_all_ok(r1, "create")
        leader, _ = ebsim.expect_one_migration(env, r1, env.running(), "create")
        for iid, run in r1.runs.items():
            if iid == leader:
                continue
            h = run.hook(ebsim.MIGRATE_HOOK)
            W.expect(h.elapsed >= MIGRATION_S - 0.5,
                     "create: %s's migrate hook waited for the migration" % iid,
                     ">= %.1f s" % (MIGRATION_S - 0.5), "%.2f s" % h.elapsed)
            W.expect("succeeded on %s" % leader in h.stderr,
                     "create: %s reports that the migration waited on succeeded" % iid,
                     "succeeded on %s" % leader, h.stderr.strip()[-300:])

        env.configure(SIM_MIGRATION_EXIT=3)
        r2 = env.deploy()
        ran = [(m.instance, m.deployment_id) for m in r2.migrations]
        W.expect(len(ran) == 1 and ran[0][1] == 2, "deploy: the migration ran once, for 2",
                 "[(<leader>, 2)]", ran)
        leader2 = ran[0][0]
        rcs = {i: r.failed_hook.rc if r.failed_hook else 0 for i, r in r2.runs.items()}
        want = {i: 3 if i == leader2 else 120 for i in r2.runs}
        W.expect(rcs == want, "deploy: the leader's hook fails with 3, the others' with 120",
                 want, rcs)
        labels = {i: env.instance(i).current_label() for i in r2.runs}
        W.expect(set(labels.values()) == {"app-v1"},
                 "deploy: no instance moves to the new version", "app-v1", labels)


W.run_scenario(NAME, main, time_limit=240)
