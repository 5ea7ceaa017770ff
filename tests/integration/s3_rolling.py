#!/usr/bin/env python3
"""--rolling K on the s3 store (DESIGN.md section 9; issue 15 item 2a):
6 instances started together with --rolling 2 -- CMD, where CMD records
its start and end times and sleeps 1 s; moto serves S3 one request at a
time so that conditional writes are atomic as in S3.

  * every instance runs CMD exactly once and exits 0; never more than 2
    run at once; all are done well inside --timeout (60 s: under 40 s);
  * a second run in the same epoch runs nothing (the done markers);
  * the same with a lagging EC2: every DescribeInstances answered 0.2 to
    0.8 s late and tag writes applied late (tests/lib/lagging.py), in a
    new epoch;
  * --rolling with the tags store is a usage error (exit 2) naming
    --store s3.
"""
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402
from lagging import LaggingTags  # noqa: E402
from proxy import Fault  # noqa: E402
from timed import intervals, max_concurrent, timed_command  # noqa: E402

NAME = "s3_rolling"
BUCKET = "lexec-rolling"
ENV = "e-roll"
K = 2
TIMEOUT = 60
SLOT_KEY = "leader-exec/elasticbeanstalk%%3Aenvironment-id=%s/command.slot-%d.json"


def rolling_args(*extra):
    return lambda iid: ["--store", "s3://%s/leader-exec" % BUCKET, "--rolling", str(K),
                        "--timeout", str(TIMEOUT)] + list(extra) + ["--"] + timed_command(iid)


def play(w, ids, epoch, label):
    w.clear_markers()
    for i in ids:
        w.write_manifest(i, epoch)
    res = w.run_all(rolling_args(), ids, timeout=TIMEOUT + 15)
    rcs = {i: r.rc for i, r in res.items()}
    W.expect(all(rc == 0 for rc in rcs.values()), "%s: every instance exits 0" % label,
             0, rcs)
    runs = intervals(w)
    counts = {i: len(runs.get(i, [])) for i in ids}
    W.expect(all(n == 1 for n in counts.values()),
             "%s: every instance ran CMD exactly once" % label, 1, counts)
    W.expect(all(e is not None for spans in runs.values() for _, e in spans),
             "%s: every run of CMD finished" % label, True, runs)
    peak = max_concurrent(runs)
    W.expect(1 <= peak <= K, "%s: never more than %d at once" % (label, K),
             "1..%d" % K, peak)
    took = max(r.elapsed for r in res.values())
    W.expect(took < 40, "%s: all done well inside --timeout %d s" % (label, TIMEOUT),
             "< 40 s", "%.1f s" % took)
    for i in range(K):
        body, _ = w.get_object(BUCKET, SLOT_KEY % (ENV, i))
        if body is not None:
            rec = json.loads(body)
            W.expect(rec["state"] == "released", "%s: slot %d released after" % (label, i),
                     "released", rec["state"])
    W.log("%s: %d instances, peak %d at once, %.1f s" % (label, len(ids), peak, took))
    return peak, took


def lagging_hook(w):
    lag = LaggingTags(w.moto.port, 0.5, 2.0, seed=15)
    rng = random.Random(15)

    def hook(rec):
        if rec.action == "DescribeInstances":
            return Fault(delay=rng.uniform(0.2, 0.8))
        return lag(rec)
    return hook, lag


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        ids = w.launch(ENV, 6)
        peak, took = play(w, ids, 31, "epoch 31")

        w.clear_markers()
        res = w.run_all(rolling_args(), ids, timeout=TIMEOUT + 15)
        rcs = {i: r.rc for i, r in res.items()}
        W.expect(all(rc == 0 for rc in rcs.values()), "epoch 31 again: every instance "
                 "exits 0", 0, rcs)
        W.expect(intervals(w) == {}, "epoch 31 again: nobody runs CMD (done markers)",
                 {}, intervals(w))
        W.expect(all("already ran the command in epoch 31" in r.stderr for r in res.values()),
                 "epoch 31 again: each says it already ran", True,
                 [r.lines()[-1:] for r in res.values()])

        hook, lag = lagging_hook(w)
        w.proxy.hook = hook
        try:
            lpeak, ltook = play(w, ids, 32, "epoch 32, lagging EC2")
        finally:
            w.proxy.hook = None
            lag.stop()

        r = w.run_one(["--rolling", "2", "--", "true"], ids[0])
        W.expect(r.rc == W.EXIT_USAGE, "--rolling with the tags store: exit 2",
                 W.EXIT_USAGE, r.rc)
        W.expect("--store s3" in r.stderr, "the usage error names --store s3", True, r.stderr)
        print("RESULT s3_rolling: 6 instances --rolling 2, CMD 1 s: peak %d at once, %.1f s; "
              "lagging EC2: peak %d, %.1f s" % (peak, took, lpeak, ltook), flush=True)


W.run_scenario(NAME, main, time_limit=400)
