#!/usr/bin/env python3
"""Scale out after a deployment: the two new instances run the current
version's deployment (same DeploymentId), find the leader's claim and do
not run the migration again; the leader's tag is untouched."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

NAME = "sim_scale_out"


def main():
    with ebsim.Environment("scaleout") as env:
        ebsim.expect_all_ok(env.create(3), "create")
        old = env.running()
        r2 = env.deploy()
        ebsim.expect_all_ok(r2, "deploy")
        leader, term = ebsim.expect_one_migration(env, r2, old, "deploy")
        tag = env.tag(leader)

        r3 = env.scale_to(5)
        new = sorted(set(env.running()) - set(old))
        W.expect(len(new) == 2 and sorted(r3.runs) == new,
                 "scaling launched two instances, which deployed", new, sorted(r3.runs))
        W.expect(r3.deployment_id == r2.deployment_id,
                 "they ran the current deployment (same DeploymentId)", r2.deployment_id,
                 r3.deployment_id)
        ebsim.expect_all_ok(r3, "scale out")
        W.expect(r3.migrations == [], "the new instances ran no migration", [],
                 [(m.instance, m.deployment_id) for m in r3.migrations])
        for iid in new:
            d = r3.runs[iid].decision()
            W.expect(d is not None and (d.verdict, d.leader, d.term, d.epoch) ==
                     ("follower", leader, term, str(r2.deployment_id)),
                     "%s follows %s (term %d, epoch %d)" % (iid, leader, term, r2.deployment_id),
                     ("follower", leader, term, str(r2.deployment_id)),
                     None if d is None else (d.verdict, d.leader, d.term, d.epoch))
        ebsim.expect_exports(env, r3, leader, r2.deployment_id, "scale out")
        W.expect(env.tag(leader) == tag, "the leader's tag is unchanged", tag, env.tag(leader))
        n = [m for m in env.migrations() if m.deployment_id == r2.deployment_id]
        W.expect(len(n) == 1, "deployment %d's migration ran once in all" % r2.deployment_id,
                 1, len(n))


W.run_scenario(NAME, main, time_limit=180)
