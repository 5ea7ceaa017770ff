#!/usr/bin/env python3
"""Races with the s3 store (issue 13 item 2a): 10 instances started
together, each round a new election (a new epoch), EC2 tag writes visible
only after a lag above the settle time (tests/lib/lagging.py), moto's S3
serialised so that conditional writes are atomic as in S3.

1. The s3 store, S3_RACE_ROUNDS rounds (default 200): no round in which two
   instances ran the command, and a leader in every round.  The lag does
   not matter: the record is written with If-None-Match / If-Match, and at
   most one writer of each version wins.
2. The tags store under the same lag, S3_RACE_TAGS_ROUNDS rounds (default
   10), settle 0.5 s: its duplicate figure, reported beside (not asserted:
   the tags store's guarantee needs settle >= 2 x lag + latency, which this
   lag breaks on purpose)."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402
from lagging import LaggingTags  # noqa: E402

NAME = "s3_race"
SETTLE = 0.5
INSTANCES = 10
BUCKET = "lexec-race"
S3_ROUNDS = int(os.environ.get("S3_RACE_ROUNDS", "200"))
TAGS_ROUNDS = int(os.environ.get("S3_RACE_TAGS_ROUNDS", "10"))


def play(w, ids, label, rounds, store_args):
    lag = LaggingTags(w.moto.port, 1.0 * SETTLE, 4.0 * SETTLE, seed=3)
    w.proxy.hook = lag
    dups, empty, t0 = [], [], time.monotonic()
    try:
        for k in range(rounds):
            w.clear_markers()
            res = w.run_all(w.marker_args("--settle", str(SETTLE), "--timeout", "30",
                                          "--epoch", "%s-%d" % (label, k), *store_args),
                            ids, timeout=45)
            bad = {i: (r.rc, r.lines()[-1:]) for i, r in res.items() if r.rc != 0}
            W.expect(not bad, "%s round %d: every instance exits 0" % (label, k), 0, bad)
            n = len(w.markers())
            if n > 1:
                dups.append(k)
            if n == 0:
                empty.append(k)
            W.expect(lag.drain(), "%s round %d: the lagging writes all landed" % (
                label, k), True, False)
    finally:
        w.proxy.hook = None
        lag.stop()
    took = time.monotonic() - t0
    W.log("%s: %d rounds of %d instances, tag write lag %.2f-%.2f s: %d rounds with "
          "two runners, %d without a leader, %.1f s" % (
              label, rounds, len(ids), SETTLE, 4 * SETTLE, len(dups), len(empty), took))
    return dups, empty


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        ids = w.launch("e-s3race", INSTANCES)
        dups, empty = play(w, ids, "s3", S3_ROUNDS, ["--store", "s3://%s" % BUCKET])
        W.expect(dups == [], "s3 store: no round with two runners", [], dups)
        W.expect(empty == [], "s3 store: a leader in every round", [], empty)
        tdups, tempty = play(w, ids, "tags", TAGS_ROUNDS, [])
        W.expect(tempty == [], "tags store: a leader in every round", [], tempty)
        print("RESULT s3_race: tag lag %.1f-%.1f s over settle %.1f s: s3 store two "
              "runners in %d of %d rounds; tags store in %d of %d (%.0f%%)" % (
                  SETTLE, 4 * SETTLE, SETTLE, len(dups), S3_ROUNDS, len(tdups),
                  TAGS_ROUNDS, 100.0 * len(tdups) / max(1, TAGS_ROUNDS)), flush=True)


W.run_scenario(NAME, main, time_limit=1500)
