#!/usr/bin/env python3
"""A failing migration (exit 3): a configuration deployment first sets
SIM_MIGRATION_EXIT=3 and runs only the export confighook (no migration);
the next deployment then fails on the leader only: its migration ran once,
exited 3, failed its deployment there (the application stays at the old
version); the followers' deployments succeed, and neither they nor an
instance added later run the migration."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

NAME = "sim_failing_migration"


def main():
    with ebsim.Environment("failing") as env:
        r1 = env.create(3)
        ebsim.expect_all_ok(r1, "create")
        leader1, _ = ebsim.expect_one_migration(env, r1, env.running(), "create")
        ids = env.running()

        rc = env.configure(SIM_MIGRATION_EXIT=3)
        W.expect(rc.deployment_id == 1, "a configuration deployment keeps DeploymentId 1", 1,
                 rc.deployment_id)
        ebsim.expect_all_ok(rc, "config")
        ran = {i: [h.name for h in r.hooks] for i, r in rc.runs.items()}
        W.expect(all(v == [ebsim.EXPORT_HOOK] for v in ran.values()),
                 "config: only the export confighook ran", ebsim.EXPORT_HOOK, ran)
        W.expect(rc.migrations == [], "config: no migration ran", [],
                 [(m.instance, m.deployment_id) for m in rc.migrations])
        ebsim.expect_exports(env, rc, leader1, 1, "config")

        r2 = env.deploy()
        ran = [(m.instance, m.deployment_id) for m in r2.migrations]
        W.expect(len(ran) == 1 and ran[0][1] == 2, "deploy: the migration ran once, for 2",
                 "[(<leader>, 2)]", ran)
        leader = ran[0][0]
        W.expect(r2.leaders() == [leader], "deploy: it ran on the instance named leader",
                 [leader], r2.leaders())
        W.expect(r2.failed_ids == [leader], "deploy: only the leader's deployment failed",
                 [leader], r2.failed_ids)
        fh = r2.runs[leader].failed_hook
        W.expect((fh.name, fh.rc) == (ebsim.MIGRATE_HOOK, 3),
                 "deploy: the leader's migrate hook failed with the command's status 3",
                 (ebsim.MIGRATE_HOOK, 3), (fh.name, fh.rc))
        W.expect(env.instance(leader).current_label() == "app-v1",
                 "deploy: the leader's application stays at the old version", "app-v1",
                 env.instance(leader).current_label())
        followers = sorted(set(ids) - {leader})
        W.expect(sorted(r2.ok_ids) == followers, "deploy: the followers' deployments succeed",
                 followers, r2.ok_ids)
        labels = {i: env.instance(i).current_label() for i in followers}
        W.expect(set(labels.values()) == {"app-v2"},
                 "deploy: the followers run the new version", "app-v2", labels)

        r3 = env.scale_to(4)
        ebsim.expect_all_ok(r3, "scale out")
        W.expect(r3.migrations == [], "scale out: the new instance does not run it", [],
                 [(m.instance, m.deployment_id) for m in r3.migrations])
        n = [m.instance for m in env.migrations() if m.deployment_id == 2]
        W.expect(n == [leader], "deployment 2's migration ran on the leader only", [leader], n)


W.run_scenario(NAME, main, time_limit=180)
