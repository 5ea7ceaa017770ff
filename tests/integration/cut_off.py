#!/usr/bin/env python3
"""A leader cut off from its store (issue 14 item 1d; DESIGN.md section 8):
three instances run `leader-exec --hold --standby --lease 6 -- CMD`, each
through its own counting proxy to moto.  Once a CMD runs, its instance's
proxy resets every connection (the store and EC2 unreachable for it alone):

  * its renewals fail, so its CMD is stopped and its leader-exec exits 119
    (leadership lost) once the renew deadline (4 s) has passed, within the
    renew deadline + kill-after + a second;
  * no standby's CMD starts before the cut-off leader's CMD has stopped
    (its last beat), and never two CMDs in the same 0.2 s;
  * then a standby leads (within lease + renew + poll + settle + a margin
    of the cut).

Run for each store in STORES.  The times are printed as RESULT lines.
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "cut_off"
BUCKET = "lexec-cut-off"
LEASE = 6.0
RENEW = LEASE / 3
DEADLINE = LEASE * 2 / 3
KILL_AFTER = 0.5                  # the default at lease 6: (2 - 1) / 2
TICK = 0.2
EXIT_LOST = 119                   # leadership lost
STORES = {"s3": ["--store", "s3://%s" % BUCKET],
          "tags": ["--store", "tags", "--settle", "1"]}
SETTLE = {"s3": 0.0, "tags": 1.0}
BEAT = 'while :; do echo "$1 $(date +%s.%N)" >> "$0"; sleep 0.2; done'


def beats(log):
    if not os.path.exists(log):
        return []
    out = []
    with open(log, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                out.append((parts[0], float(parts[1])))
    return out


def first_writer(log, since, exclude=(), limit=30.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        for i, at in beats(log):
            if at > since and i not in exclude:
                return i, at
        time.sleep(0.05)
    return None, None


def overlaps(bs):
    bs = sorted(bs, key=lambda b: b[1])
    return [(a, ta, b, tb) for (a, ta), (b, tb) in zip(bs, bs[1:])
            if a != b and tb - ta < TICK * 0.9]


def cut(w, store, args):
    ids = w.launch("e-cut-%s" % store, 3)
    log = os.path.join(w.tmp, "cut-%s.log" % store)
    proxies, procs = {}, {}
    try:
        for iid in ids:
            p = W.CountingProxy(w.moto.port).start()
            W._register(p)
            proxies[iid] = p
            env = w.child_env(iid, extra={"AWS_ENDPOINT_URL_EC2": p.endpoint,
                                          "AWS_ENDPOINT_URL_S3": p.endpoint})
            argv = [w.binary] + args + ["--name", "beat", "--epoch", "none", "--hold",
                                        "--standby", "--lease", str(int(LEASE)), "--",
                                        "sh", "-c", BEAT, log, iid]
            procs[iid] = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                          cwd=w.tmp)
        leader, _ = first_writer(log, 0)
        W.expect(leader is not None, "%s: a CMD starts" % store, "a writer", None)
        time.sleep(RENEW + 0.5)
        cut_at = time.time()
        proxies[leader].hook = lambda rec: W.Fault(reset=True)
        p = procs[leader]
        try:
            _, err = p.communicate(timeout=LEASE * 3)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate(timeout=5)
        exited = time.time()
        err = err.decode("utf-8", "replace")
        W.expect(p.returncode == EXIT_LOST, "%s: the cut-off leader exits 119" % store,
                 EXIT_LOST, (p.returncode, err.strip()[-300:]))
        W.expect("leadership lost" in err, "%s: it says leadership was lost" % store,
                 "leadership lost", err.strip()[-300:])
        last = max(at for i, at in beats(log) if i == leader)
        stopped = last - cut_at
        W.expect(stopped <= DEADLINE + KILL_AFTER + 1.0,
                 "%s: its CMD stops within the renew deadline + kill-after" % store,
                 "<= %.1f s after the cut" % (DEADLINE + KILL_AFTER + 1.0),
                 "%.2f s" % stopped)
        nxt, at = first_writer(log, cut_at, exclude=(leader,), limit=LEASE * 4)
        W.expect(nxt is not None, "%s: a standby leads after" % store, "a writer", None)
        W.expect(at > last, "%s: no standby's CMD starts before the cut-off CMD stopped"
                 % store, "> %.2f" % last, "%.2f" % at)
        bound = LEASE + RENEW + RENEW + SETTLE[store] + 2.0
        W.expect(at - cut_at <= bound, "%s: the standby leads within lease + renew + poll"
                 % store, "<= %.1f s" % bound, "%.2f s" % (at - cut_at))
        time.sleep(1)
        W.expect(overlaps(beats(log)) == [], "%s: never two CMDs in one 0.2 s" % store, [],
                 overlaps(beats(log))[:3])
        print("RESULT cut_off %s: leader's CMD stopped %.2f s after the cut, leader-exec "
              "exited 119 after %.2f s, a standby led after %.2f s (lease %.0f s)" % (
                  store, stopped, exited - cut_at, at - cut_at, LEASE), flush=True)
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate(timeout=5)
        for p in proxies.values():
            p.stop()
            W._unregister(p)


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        for store, args in STORES.items():
            cut(w, store, args)


W.run_scenario(NAME, main, time_limit=300)
