#!/usr/bin/env python3
"""The s3 store (DESIGN.md section 7; issue 13 item 2b): three instances
started together, moto serving S3 one request at a time so that
conditional writes are atomic as in S3.

  * exactly one instance runs the command, under a record written with
    If-None-Match: *, and the record says done with exit status 0;
  * the same epoch again, and again after a scale to zero (new instances,
    the old terminated): nobody runs it (the record says done);
  * the next epoch runs exactly once, on a running instance; terms rise
    strictly across all of it and LEADER_EXEC_TERM is the record's term;
  * the command gets LEADER_EXEC_STORE, and followers exit 0 at once.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "s3_store"
BUCKET = "lexec-store-test"
KEY = "leader-exec/elasticbeanstalk%3Aenvironment-id=e-s3s/command.json"


def record(w):
    body, _ = w.get_object(BUCKET, KEY)
    W.expect(body is not None, "the record exists at %s" % KEY, "an object", body)
    return json.loads(body)


def run(w, ids, epoch, expect_runs):
    w.clear_markers()
    for i in ids:
        w.write_manifest(i, epoch)
    res = w.run_all(w.marker_args("--store", "s3://%s/leader-exec" % BUCKET,
                                  "--timeout", "30"), ids, timeout=45)
    rcs = {i: r.rc for i, r in res.items()}
    W.expect(all(rc == 0 for rc in rcs.values()), "every instance exits 0", 0, rcs)
    m = w.markers()
    W.expect(len(m) == expect_runs, "epoch %s: %d run(s) of the command" % (
        epoch, expect_runs), expect_runs, sorted(m))
    return m, res


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        ids = w.launch("e-s3s", 3)
        m, res = run(w, ids, 7, 1)
        leader = next(iter(m))
        rec = record(w)
        W.log("  record after epoch 7: %s" % rec)
        W.expect(rec["state"] == "done" and rec["exit"] == 0 and rec["epoch"] == "7",
                 "the record says done, exit 0, epoch 7", "done/0/7",
                 (rec["state"], rec["exit"], rec["epoch"]))
        W.expect(rec["holder"] == leader, "the record names the runner", leader,
                 rec["holder"])
        W.expect(m[leader][1] == str(rec["term"]), "LEADER_EXEC_TERM is the record's term",
                 rec["term"], m[leader][1])
        terms = [rec["term"]]

        W.log("the same epoch again: nobody runs")
        run(w, ids, 7, 0)
        W.expect(record(w)["term"] == terms[-1], "the record is not rewritten",
                 terms[-1], record(w)["term"])

        W.log("scale to zero and back inside epoch 7: nobody runs")
        w.terminate(ids)
        ids2 = w.launch("e-s3s", 3)
        run(w, ids2, 7, 0)

        W.log("epoch 8 on the new instances: exactly one run")
        m, _ = run(w, ids2, 8, 1)
        rec = record(w)
        W.expect(next(iter(m)) in ids2, "a new instance runs epoch 8", ids2, sorted(m))
        W.expect(rec["state"] == "done" and rec["epoch"] == "8", "done for epoch 8",
                 "done/8", (rec["state"], rec["epoch"]))
        W.expect(rec["term"] > terms[-1], "the term rises with the epoch",
                 "> %d" % terms[-1], rec["term"])


W.run_scenario(NAME, main)
