#!/usr/bin/env python3
"""leader-exec on a simulated Elastic Beanstalk environment, as a timeline.

Three instances are created (deployment 1) and deployed to (deployment 2),
the environment scales to zero and comes back with two instances (which run
deployment 2 again, as EB does for every new instance), then deploys again
(deployment 3).  Every instance runs the bundle's
.platform/hooks/predeploy/05_leader_export.sh and 10_leader_migrate.sh; the
timeline shows who led each rollout, with which term, and why (leader-exec's
own stderr lines), and ends with a one-line verdict.  Exit 0 when every
rollout ran the migration exactly once, on the instance leader-exec named
leader, with rising terms; 1 otherwise; 77 when moto cannot be imported.

    python3 tests/sim/demo.py [--leader-exec PATH]     (about 15 s)
"""
import argparse
import contextlib
import io
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

TIME_LIMIT = 120


class DemoTimeout(Exception):
    pass


def out(line=""):
    print(line, flush=True)


def show(what, r, problems, note=""):
    """Print one rollout; append what is wrong with it to problems."""
    ids = sorted(r.runs)
    out("%-10s deployment %d on %s (%s)%s" % (what, r.deployment_id, ", ".join(ids), r.policy,
                                              note))
    leaders = r.leaders()
    ran = [m.instance for m in r.migrations]
    for iid in leaders:
        run = r.runs[iid]
        d = run.decision()
        out("  led by  %s, term %d, epoch %s" % (iid, d.term, d.epoch or "none"))
        why = run.claim_reason()
        out("  why     %s" % (why or d.reason))
        if why:
            out("          then: %s" % d.reason)
    followers = [i for i in ids if i not in leaders]
    if followers:
        d = r.runs[followers[0]].decision()
        reason = d.reason if d else "no decision"
        out("  others  %s: %s" % (", ".join(followers), reason))
    out("  ran     migration %d time%s%s" % (len(ran), "" if len(ran) == 1 else "s",
                                            ": " + ", ".join(ran) if ran else ""))
    if r.failed_ids:
        problems.append("deployment %d failed on %s" % (r.deployment_id, r.failed_ids))
    if len(leaders) != 1 or ran != leaders:
        problems.append("deployment %d: leaders %s, migrations on %s"
                        % (r.deployment_id, leaders, ran))
    for m in r.migrations:
        if (m.deployment_id, m.epoch, m.eb) != (r.deployment_id, str(r.deployment_id), "true"):
            problems.append("deployment %d: migration saw %r" % (r.deployment_id, m))
    out()
    return leaders[0] if len(leaders) == 1 else None


def demo():
    problems = []
    rows = []
    with contextlib.redirect_stdout(io.StringIO()):
        env = ebsim.Environment("demo", quiet=True)
        env.__enter__()
    try:
        out("leader-exec on a simulated Elastic Beanstalk environment (%s)" % env.env_id)
        out("each instance runs .platform/hooks/predeploy/05_leader_export.sh and "
            "10_leader_migrate.sh;")
        out("LEADER_EXEC_MIGRATE_COMMAND=%s, LEADER_EXEC_ARGS=%s"
            % (env.properties["LEADER_EXEC_MIGRATE_COMMAND"], env.properties["LEADER_EXEC_ARGS"]))
        out()

        def step(what, r, note=""):
            leader = show(what, r, problems, note)
            term = r.runs[leader].decision().term if leader else None
            rows.append((r.deployment_id, what, leader, term, len(r.migrations)))

        step("create", env.create(3))
        step("deploy", env.deploy())
        gone = env.running()
        env.scale_to(0)
        out("scale to 0: terminated %s" % ", ".join(sorted(gone)))
        out()
        time.sleep(1.1)   # a real night lasts longer than the one-second clock of terms
        step("scale to 2", env.scale_to(2), " - new instances run the current deployment")
        step("deploy", env.deploy())

        terms = [t for _, _, _, t, _ in rows]
        if None in terms or terms != sorted(set(terms)):
            problems.append("terms do not rise strictly: %s" % terms)
        out("summary")
        for dep, what, leader, term, n in rows:
            out("  deployment %d  %-10s  leader %s  term %s  %d migration%s"
                % (dep, what, leader, term, n, "" if n == 1 else "s"))
        out("  the scale-out from zero re-ran deployment 2's migration: its claim had died "
            "with the old fleet")
    finally:
        if problems:
            env.world.failed = True
        with contextlib.redirect_stdout(io.StringIO()) as buf:
            env.__exit__(None, None, None)
        kept = buf.getvalue().strip()
        if kept:
            out(kept)
    deployments = len({dep for dep, *_ in rows})
    migrations = sum(n for *_, n in rows)
    return problems, deployments, len(rows) - deployments, migrations


def main(argv=None):
    ap = argparse.ArgumentParser(description="leader-exec on a simulated Elastic Beanstalk "
                                 "environment, as a timeline with a verdict.")
    ap.add_argument("--leader-exec", metavar="PATH",
                    help="the binary (default: $LEADER_EXEC, else build/leader-exec)")
    a = ap.parse_args(argv)
    if a.leader_exec:
        os.environ["LEADER_EXEC"] = os.path.abspath(a.leader_exec)

    def on_alarm(*_):
        raise DemoTimeout("time limit of %d s exceeded" % TIME_LIMIT)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.alarm(TIME_LIMIT)
    t0 = time.monotonic()
    try:
        problems, deployments, restores, migrations = demo()
    except (DemoTimeout, W.ScenarioFailure, ebsim.SimError) as e:
        problems, deployments, restores, migrations = [str(e)], 0, 0, 0
    finally:
        signal.alarm(0)
    for p in problems:
        out("problem: %s" % p)
    if problems:
        out("verdict: FAIL — %s" % problems[0])
        return 1
    out("verdict: PASS — %d deployments + %d restore, %d migrations, exactly one per rollout "
        "(%.0f s)" % (deployments, restores, migrations, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
