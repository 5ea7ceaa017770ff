#!/usr/bin/env python3
"""The group (README "How the election works", step 1): the instances with
the same elasticbeanstalk:environment-id, else the same
aws:autoscaling:groupName.

1. Auto Scaling groups without Elastic Beanstalk tags (asg-a: 3 instances,
   asg-b: 2), all 5 run at once: one leader per Auto Scaling group, each
   holding the only claim in its group, and --status names the group
   aws:autoscaling:groupName=<its group> from the own Auto Scaling tag.
2. The Elastic Beanstalk tag wins over the Auto Scaling group: one
   environment whose instances sit in two Auto Scaling groups (an immutable
   or traffic-splitting deploy's temporary group), all 4 run at once:
   exactly one leader in the whole environment, and --status names the
   environment."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "scope_fallback"
FAST = ["--settle", "1", "--timeout", "30"]
ASG_TAG = "aws:autoscaling:groupName"


def group_line(stdout):
    return next((ln for ln in stdout.splitlines() if ln.startswith("group:")), "")


def main():
    with W.World(NAME) as w:
        W.log("two Auto Scaling groups, no Elastic Beanstalk tags")
        a = w.launch(None, 3, extra_tags={ASG_TAG: "asg-a"})
        b = w.launch(None, 2, extra_tags={ASG_TAG: "asg-b"})
        w.clear_markers()
        res = w.run_all(w.marker_args(*FAST), a + b, timeout=45)
        rcs = {i: r.rc for i, r in res.items()}
        W.expect(all(rc == 0 for rc in rcs.values()), "every instance exits 0", 0, rcs)
        ran = sorted(w.markers())
        for name, ids in (("asg-a", a), ("asg-b", b)):
            runners = [i for i in ran if i in ids]
            W.expect(len(runners) == 1, "%s: exactly one instance ran" % name, 1, runners)
            holders = w.holders(ids)
            W.expect(list(holders) == runners, "%s: the runner holds the only claim" % name,
                     runners, holders)
        res = w.run_all(["--status"], a + b, timeout=45)
        for name, ids in (("asg-a", a), ("asg-b", b)):
            lines = {i: group_line(res[i].stdout) for i in ids}
            W.expect(all(res[i].rc == 0 and
                         "%s=%s (own Auto Scaling group tag)" % (ASG_TAG, name) in ln
                         for i, ln in lines.items()),
                     "%s: --status names the Auto Scaling group" % name,
                     "%s=%s (own Auto Scaling group tag)" % (ASG_TAG, name), lines)

        W.log("one Elastic Beanstalk environment across two Auto Scaling groups")
        old = w.launch("e-immutable", 2, extra_tags={ASG_TAG: "awseb-e-immutable-stack-ASG"})
        new = w.launch("e-immutable", 2,
                       extra_tags={ASG_TAG: "awseb-e-immutable-immutable-stack-ASG"})
        leader, _, _ = w.elect(old + new)
        W.log("  leader %s of the whole environment" % leader)
        res = w.run_all(["--status"], old + new, timeout=45)
        lines = {i: group_line(r.stdout) for i, r in res.items()}
        W.expect(all("elasticbeanstalk:environment-id=e-immutable" in ln
                     for ln in lines.values()),
                 "--status names the environment, not the Auto Scaling group",
                 "elasticbeanstalk:environment-id=e-immutable", lines)


W.run_scenario(NAME, main)
