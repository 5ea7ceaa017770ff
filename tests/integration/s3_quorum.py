#!/usr/bin/env python3
"""--quorum and --target-group with --rolling on the s3 store (DESIGN.md
section 9; issue 15 items 2b and 2c).  moto serves EC2, S3 (one request at
a time, so conditional writes are atomic) and ELBv2.

  b1. --quorum 5 with 4 running instances: nobody runs the command; each
      exits 121 at the deadline (not before it, not long after) with one
      line naming the quorum and the count.
  b2. --quorum 50% with 4 (needs ceil(0.5 x 4) = 2 left): every instance
      runs once, never more than 2 at a time.
  c1. --target-group with 4 instances registered in moto, 2 deregistered
      (DescribeTargetHealth lists only the 2 registered, healthy):
      --quorum 2 counts only the healthy ones: the 2 healthy instances
      exit 121 (1 would remain, 2 needed, 2 running and healthy), the 2
      out of service run the command; without --target-group all 4 run.
  c2. the same with AWS's answer for 2 registered but unhealthy targets
      (a canned DescribeTargetHealth answer with State unhealthy).
  And: --target-group without ELBv2 permission is exit 113 naming
  elasticloadbalancing:DescribeTargetHealth.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402
from proxy import Fault  # noqa: E402
from timed import intervals, max_concurrent, timed_command  # noqa: E402

NAME = "s3_quorum"
BUCKET = "lexec-quorum"
DEADLINE = 5


def args(*extra):
    return lambda iid: (["--store", "s3://%s/leader-exec" % BUCKET] + list(extra) +
                        ["--"] + timed_command(iid))


def quorum_unreachable(w):
    W.log("b1: --quorum 5 with 4 running: everyone exits 121 at the deadline")
    ids = w.launch("e-q5", 4)
    w.clear_markers()
    res = w.run_all(args("--rolling", "4", "--quorum", "5", "--epoch", "1",
                         "--timeout", str(DEADLINE)), ids, timeout=DEADLINE + 20)
    rcs = {i: r.rc for i, r in res.items()}
    W.expect(all(rc == W.EXIT_QUORUM for rc in rcs.values()), "every instance exits 121",
             W.EXIT_QUORUM, rcs)
    W.expect(intervals(w) == {}, "nobody ran the command", {}, intervals(w))
    times = sorted(round(r.elapsed, 1) for r in res.values())
    W.expect(all(DEADLINE - 0.5 <= r.elapsed <= DEADLINE + 8 for r in res.values()),
             "each exits at the deadline (%d s)" % DEADLINE, "%d..%d s" % (
                 DEADLINE, DEADLINE + 8), times)
    want = ("leader-exec: quorum 5 not reached before --timeout (5000 ms): 3 instances "
            "would remain running and not running the command, 5 needed (4 running); "
            "nothing was run")
    lines = {i: r.lines()[-1] for i, r in res.items()}
    W.expect(all(ln == want for ln in lines.values()),
             "the last line names the quorum and the count", want, lines)
    w.terminate(ids)


def quorum_percent(w):
    W.log("b2: --quorum 50% with 4: at most 2 at a time, each once")
    ids = w.launch("e-q50", 4)
    w.clear_markers()
    res = w.run_all(args("--rolling", "4", "--quorum", "50%", "--epoch", "1",
                         "--timeout", "60"), ids, timeout=75)
    rcs = {i: r.rc for i, r in res.items()}
    W.expect(all(rc == 0 for rc in rcs.values()), "every instance exits 0", 0, rcs)
    runs = intervals(w)
    counts = {i: len(runs.get(i, [])) for i in ids}
    W.expect(all(n == 1 for n in counts.values()), "every instance ran once", 1, counts)
    peak = max_concurrent(runs)
    W.expect(1 <= peak <= 2, "never more than 2 at once (50% of 4 must remain)", "1..2",
             peak)
    w.terminate(ids)
    return peak


def target_group(w, ids):
    elb = w.moto.client("elbv2")
    vpc = w.ec2.describe_instances(InstanceIds=[ids[0]])["Reservations"][0][
        "Instances"][0]["VpcId"]
    tg = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc,
                                 TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": i, "Port": 80} for i in ids])
    return elb, tg


def check_split(w, res, healthy, out, label):
    rcs = {i: r.rc for i, r in res.items()}
    runs = intervals(w)
    W.expect(all(rcs[i] == W.EXIT_QUORUM for i in healthy),
             "%s: the healthy instances exit 121" % label, W.EXIT_QUORUM,
             {i: rcs[i] for i in healthy})
    W.expect(all(rcs[i] == 0 for i in out), "%s: the out-of-service ones exit 0" % label,
             0, {i: rcs[i] for i in out})
    W.expect(sorted(runs) == sorted(out), "%s: only the out-of-service ones ran" % label,
             sorted(out), sorted(runs))
    want = ("quorum 2 not reached before --timeout (5000 ms): 1 instance would remain "
            "running and not running the command, 2 needed (2 running and healthy)")
    W.expect(all(want in res[i].stderr for i in healthy),
             "%s: 121 names the healthy count" % label, want,
             [res[i].lines()[-1:] for i in healthy])


def health_checked(w):
    W.log("c1: --target-group, 2 of 4 deregistered: the quorum counts the healthy 2")
    ids = w.launch("e-tg", 4)
    elb, tg = target_group(w, ids)
    healthy, out = ids[:2], ids[2:]
    elb.deregister_targets(TargetGroupArn=tg, Targets=[{"Id": i} for i in out])
    w.clear_markers()
    opts = ["--rolling", "4", "--quorum", "2", "--timeout", str(DEADLINE)]
    res = w.run_all(args(*opts, "--epoch", "1", "--target-group", tg), ids,
                    timeout=DEADLINE + 30)
    check_split(w, res, healthy, out, "c1")
    W.log("c1: the same quorum without --target-group: all 4 run")
    w.clear_markers()
    res = w.run_all(args("--rolling", "4", "--quorum", "2", "--timeout", "60", "--epoch",
                         "2"), ids, timeout=75)
    rcs = {i: r.rc for i, r in res.items()}
    W.expect(all(rc == 0 for rc in rcs.values()), "c1: without it every instance exits 0",
             0, rcs)
    W.expect(sorted(intervals(w)) == sorted(ids), "c1: without it all 4 ran", sorted(ids),
             sorted(intervals(w)))

    W.log("c2: 4 registered, 2 reported unhealthy by DescribeTargetHealth")
    members = "".join(
        "<member><HealthCheckPort>80</HealthCheckPort><Target><Id>%s</Id><Port>80</Port>"
        "</Target><TargetHealth><State>%s</State>%s</TargetHealth></member>" % (
            i, "healthy" if i in healthy else "unhealthy",
            "" if i in healthy else "<Reason>Target.FailedHealthChecks</Reason>"
            "<Description>Health checks failed</Description>") for i in ids)
    body = ('<?xml version="1.0" encoding="UTF-8"?><DescribeTargetHealthResponse '
            'xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">'
            '<DescribeTargetHealthResult><TargetHealthDescriptions>%s'
            '</TargetHealthDescriptions></DescribeTargetHealthResult><ResponseMetadata>'
            '<RequestId>c2</RequestId></ResponseMetadata></DescribeTargetHealthResponse>'
            % members).encode()
    w.proxy.hook = lambda rec: (Fault(response=(200, {"Content-Type": "text/xml"}, body))
                                if rec.action == "DescribeTargetHealth" else None)
    try:
        w.clear_markers()
        res = w.run_all(args(*opts, "--epoch", "3", "--target-group", tg), ids,
                        timeout=DEADLINE + 30)
    finally:
        w.proxy.hook = None
    check_split(w, res, healthy, out, "c2")

    W.log("no ELBv2 permission: exit 113 naming the action")
    denied = ('<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/'
              '2015-12-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>'
              'User is not authorized</Message></Error><RequestId>x</RequestId>'
              '</ErrorResponse>').encode()
    w.proxy.hook = lambda rec: (Fault(response=(403, {"Content-Type": "text/xml"}, denied))
                                if rec.action == "DescribeTargetHealth" else None)
    w.clear_markers()
    try:
        r = w.run_one(args(*opts, "--epoch", "4", "--target-group", tg), ids[0],
                      timeout=30)
    finally:
        w.proxy.hook = None
    W.expect(r.rc == W.EXIT_PERMISSION, "AccessDenied from ELBv2: exit 113",
             W.EXIT_PERMISSION, r.rc)
    W.expect("elasticloadbalancing:DescribeTargetHealth" in r.stderr,
             "the error names elasticloadbalancing:DescribeTargetHealth", True, r.lines())
    W.expect(intervals(w) == {}, "nothing ran", {}, intervals(w))


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        quorum_unreachable(w)
        peak = quorum_percent(w)
        health_checked(w)
        print("RESULT s3_quorum: --quorum 5 of 4: all exit 121 at the deadline; 50%% of 4: "
              "peak %d at once; target group: only healthy instances count" % peak,
              flush=True)


W.run_scenario(NAME, main, time_limit=400)
