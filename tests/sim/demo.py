#!/usr/bin/env python3
"""leader-exec on a simulated Elastic Beanstalk environment, as a timeline.

Three instances are created (deployment 1) and deployed to (deployment 2),
the environment scales to zero and comes back with two instances (which run
deployment 2 again, as EB does for every new instance), then deploys again
(deployment 3).  Every instance runs the bundle's
.platform/hooks/predeploy/05_leader_export.sh and 10_leader_migrate.sh; the
timeline shows who led each rollout, with which term, and why (leader-exec's
own stderr lines).  It plays twice: with the default tags store, where the
scale-out from zero runs deployment 2's migration again (its claim died
with the fleet), and with LEADER_EXEC_ARGS="--store s3 ...", the record in
EB's bucket (moto's S3, one request at a time), where it does not (the
record says done).  It ends with a summary and a one-line verdict.  Exit 0
when every rollout ran the migration as expected (tags: once per rollout;
s3: once per deployment, none in the scale-out), on the instance
leader-exec named leader, with rising terms, and the s3 record says done
for the last deployment; 1 otherwise; 77 when moto cannot be imported.

    python3 tests/sim/demo.py [--leader-exec PATH]     (about 25 s)
"""
import argparse
import contextlib
import io
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

TIME_LIMIT = 180
S3_BUCKET = "elasticbeanstalk-us-east-1-123456789012"   # EB's bucket for the IMDS stand-in's account


class DemoTimeout(Exception):
    pass


def out(line=""):
    print(line, flush=True)


def leader_why(run, d):
    """Why this instance came to lead: its claim (tags), or the decision of
    the first hook that took the s3 record (the export hook runs first)."""
    why = run.claim_reason()
    if why is None:
        first = run.decision(ebsim.EXPORT_HOOK)
        if first is not None and first.verdict == "leader" and first.reason != d.reason:
            why = first.reason
    return why


def show(what, r, problems, note="", runs=1):
    """Print one rollout that should run the migration `runs` times (1 or
    0); append what is wrong with it to problems."""
    ids = sorted(r.runs)
    out("%-10s deployment %d on %s (%s)%s" % (what, r.deployment_id, ", ".join(ids), r.policy,
                                              note))
    leaders = r.leaders()
    ran = [m.instance for m in r.migrations]
    for iid in leaders:
        run = r.runs[iid]
        d = run.decision()
        out("  led by  %s, term %d, epoch %s" % (iid, d.term, d.epoch or "none"))
        why = leader_why(run, d)
        out("  why     %s" % (why or d.reason))
        if why:
            out("          then: %s" % d.reason)
    followers = [i for i in ids if i not in leaders]
    if followers:
        d = r.runs[followers[0]].decision()
        reason = d.reason if d else "no decision"
        out("  %s  %s: %s" % ("others" if leaders else "nobody", ", ".join(followers), reason))
    out("  ran     migration %d time%s%s" % (len(ran), "" if len(ran) == 1 else "s",
                                            ": " + ", ".join(ran) if ran else ""))
    if r.failed_ids:
        problems.append("deployment %d failed on %s" % (r.deployment_id, r.failed_ids))
    if len(leaders) != runs or ran != leaders:
        problems.append("deployment %d (%s): expected %d run(s); leaders %s, migrations on %s"
                        % (r.deployment_id, what, runs, leaders, ran))
    for m in r.migrations:
        if (m.deployment_id, m.epoch, m.eb) != (r.deployment_id, str(r.deployment_id), "true"):
            problems.append("deployment %d: migration saw %r" % (r.deployment_id, m))
    out()
    return leaders[0] if len(leaders) == 1 else None


def play(env, problems, s3_runs_again):
    """create(3), deploy, scale to 0, scale to 2, deploy on env; the rows
    (deployment, what, leader, term, migrations) of the timeline."""
    rows = []

    def step(what, r, note="", runs=1):
        leader = show(what, r, problems, note, runs)
        term = r.runs[leader].decision().term if leader else None
        rows.append((r.deployment_id, what, leader, term, len(r.migrations)))

    step("create", env.create(3))
    step("deploy", env.deploy())
    gone = env.running()
    env.scale_to(0)
    out("scale to 0: terminated %s" % ", ".join(sorted(gone)))
    out()
    time.sleep(1.1)   # a real night lasts longer than the one-second clock of terms
    step("scale to 2", env.scale_to(2), " - new instances run the current deployment",
         runs=1 if s3_runs_again else 0)
    step("deploy", env.deploy())
    terms = [t for _, _, _, t, n in rows if n]
    if None in terms or terms != sorted(set(terms)):
        problems.append("%s: terms do not rise strictly: %s" % (env.name, terms))
    return rows


def s3_record(env):
    """The s3 store's record of the environment (a dict), or None."""
    key = "leader-exec/elasticbeanstalk%%3Aenvironment-id=%s/command.json" % env.env_id
    body, _ = env.world.get_object(S3_BUCKET, key)
    return json.loads(body) if body is not None else None


def part(title, problems, **kw):
    """One environment's timeline, printed; returns its rows."""
    with contextlib.redirect_stdout(io.StringIO()):
        env = ebsim.Environment(quiet=True, **kw)
        env.__enter__()
    try:
        out("== %s: a simulated Elastic Beanstalk environment (%s)" % (title, env.env_id))
        out("each instance runs .platform/hooks/predeploy/05_leader_export.sh and "
            "10_leader_migrate.sh;")
        out("LEADER_EXEC_MIGRATE_COMMAND=%s, LEADER_EXEC_ARGS=%s"
            % (env.properties["LEADER_EXEC_MIGRATE_COMMAND"], env.properties["LEADER_EXEC_ARGS"]))
        out()
        rows = play(env, problems, s3_runs_again=env.s3_bucket is None)
        if env.s3_bucket is not None:
            rec = s3_record(env)
            last = rows[-1]
            want = ("done", 0, str(last[0]), last[2], last[3])
            got = rec and (rec["state"], rec["exit"], rec["epoch"], rec["holder"], rec["term"])
            out("the record s3://%s/leader-exec/...: %s" % (S3_BUCKET, rec and (
                "%s, exit %s, epoch %s, holder %s, term %s" % got)))
            out()
            if got != want:
                problems.append("the s3 record: expected %s, got %s" % (want, got))
    finally:
        if problems:
            env.world.failed = True
        with contextlib.redirect_stdout(io.StringIO()) as buf:
            env.__exit__(None, None, None)
        kept = buf.getvalue().strip()
        if kept:
            out(kept)
    return rows


def demo():
    problems = []
    tags = part("tags store (the default)", problems, name="demo")
    s3 = part("s3 store", problems, name="demo-s3", s3_bucket=S3_BUCKET,
              properties={"LEADER_EXEC_ARGS": "--store s3 --timeout 30"})
    out("summary")
    for label, rows in (("tags", tags), ("s3", s3)):
        for dep, what, leader, term, n in rows:
            out("  %-4s deployment %d  %-10s  leader %-19s  term %-10s  %d migration%s"
                % (label, dep, what, leader or "-", term or "-", n, "" if n == 1 else "s"))
    out("  tags: the scale-out from zero re-ran deployment 2's migration: its claim had died "
        "with the old fleet")
    out("  s3:   the record in S3 said deployment 2 was done: the scale-out ran nothing")
    counts = [(len({r[0] for r in rows}), len(rows) - len({r[0] for r in rows}),
               sum(r[4] for r in rows)) for rows in (tags, s3)]
    return problems, counts


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
        problems, counts = demo()
    except (DemoTimeout, W.ScenarioFailure, ebsim.SimError) as e:
        problems, counts = [str(e)], []
    finally:
        signal.alarm(0)
    for p in problems:
        out("problem: %s" % p)
    if problems:
        out("verdict: FAIL — %s" % problems[0])
        return 1
    (d1, r1, m1), (d2, r2, m2) = counts
    out("verdict: PASS — tags: %d deployments + %d restore, %d migrations, one per rollout; "
        "s3: %d deployments + %d restore, %d migrations, one per deployment (%.0f s)"
        % (d1, r1, m1, d2, r2, m2, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
