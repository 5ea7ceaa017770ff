#!/usr/bin/env python3
"""Long-running singletons (issue 14 items 1a-1c; DESIGN.md section 8):
three instances run `leader-exec --name beat --epoch none --hold --standby
--lease 6 -- CMD`, where CMD appends "instance-id time" to a shared file
every 0.2 s, so overlap is measured, not guessed.

  a. exactly one CMD runs; kill -9 of the leader's leader-exec (its
     instance still running): its CMD dies at once, and a standby's CMD
     starts within lease + one renew interval + one poll; never two CMDs
     writing in the same 0.2 s;
  b. SIGTERM to the leader's leader-exec: CMD gets SIGTERM, the lease is
     released, a standby takes over within two polls (not a lease
     expiry), and leader-exec exits with CMD's status;
  b2. the leader's CMD exits by itself (5): its leader-exec exits 5 (a
     supervisor such as systemd restarts it), releasing the lease, and a
     standby takes over within two polls; SIGTERM to a standby: it exits
     117 within a second and never runs CMD;
  c. the leader's instance terminated in EC2 while CMD is left running:
     a standby takes over once the holder is not running, never before.

Run for each store in STORES.  The failover times are printed as RESULT
lines.
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "standby"
BUCKET = "lexec-standby"
LEASE = 6.0
RENEW = LEASE / 3           # the supervisor renews every lease/3
POLL = LEASE / 3            # a standby polls every lease/3
TICK = 0.2
# moto shows a tag write at once (no lag): settle 1 s is ample for tags.
STORES = {"s3": ["--store", "s3://%s" % BUCKET],
          "tags": ["--store", "tags", "--settle", "1"]}
# What a takeover waits besides the lease and the polls: the tags store
# settles its claim before it leads.
SETTLE = {"s3": 0.0, "tags": 1.0}
# The beat: exits 3 on SIGTERM, and 5 by itself once the file <log>.<id>.stop
# exists.
BEAT = ('trap \'exit 3\' TERM; while :; do [ -e "$0.$1.stop" ] && exit 5; '
        'echo "$1 $(date +%s.%N)" >> "$0"; sleep 0.2; done')


class Fleet:
    """One `leader-exec --hold --standby` per instance, each writing its beats."""

    def __init__(self, w, ids, store_args, log):
        self.w, self.ids, self.log, self.procs = w, ids, log, {}
        for iid in ids:
            argv = [w.binary] + store_args + [
                "--name", "beat", "--epoch", "none", "--hold", "--standby",
                "--lease", str(int(LEASE)), "--", "sh", "-c", BEAT, log, iid]
            err = open(os.path.join(w.tmp, "%s.%d.err" % (iid, time.monotonic_ns())), "w")
            self.procs[iid] = (subprocess.Popen(
                argv, env=w.child_env(iid), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=err, cwd=w.tmp), err)

    def beats(self):
        if not os.path.exists(self.log):
            return []
        out = []
        with open(self.log, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    out.append((parts[0], float(parts[1])))
        return out

    def writers_since(self, t):
        return sorted({i for i, at in self.beats() if at > t})

    def wait_writer(self, since, exclude=(), limit=30.0):
        """The first instance not in exclude to beat after since, and when."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            for i, at in self.beats():
                if at > since and i not in exclude:
                    return i, at
            time.sleep(0.05)
        return None, None

    def stop(self):
        for iid, (p, err) in self.procs.items():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for iid, (p, err) in self.procs.items():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
            err.close()


def overlaps(beats):
    """Pairs of beats by different instances closer than one tick."""
    beats = sorted(beats, key=lambda b: b[1])
    bad = []
    for (a, ta), (b, tb) in zip(beats, beats[1:]):
        if a != b and tb - ta < TICK * 0.9:
            bad.append((a, ta, b, tb))
    return bad


def kill_nine(w, store, store_args):
    ids = w.launch("e-sb-k9-%s" % store, 3)
    log = os.path.join(w.tmp, "k9-%s.log" % store)
    f = Fleet(w, ids, store_args, log)
    try:
        leader, _ = f.wait_writer(0)
        W.expect(leader is not None, "%s: a CMD starts" % store, "a writer", None)
        # Longer than a lease: the renewals keep the standbys off.
        time.sleep(LEASE + RENEW)
        W.expect(f.writers_since(0) == [leader],
                 "%s: exactly one CMD runs, for longer than a lease" % store,
                 [leader], f.writers_since(0))
        killed = time.time()
        f.procs[leader][0].kill()
        nxt, at = f.wait_writer(killed, exclude=(leader,), limit=LEASE * 4)
        W.expect(nxt is not None, "%s: a standby takes over" % store, "a writer", None)
        late = [t for i, t in f.beats() if i == leader and t > killed + TICK * 1.5]
        W.expect(late == [], "%s: the killed leader's CMD dies at once" % store, [],
                 late[:3])
        took = at - killed
        bound = LEASE + RENEW + POLL + SETTLE[store] + 1.0
        W.expect(took <= bound, "%s: failover within lease + renew + poll + settle" % store,
                 "<= %.1f s" % bound, "%.2f s" % took)
        time.sleep(1)
        W.expect(overlaps(f.beats()) == [], "%s: never two CMDs in one 0.2 s" % store,
                 [], overlaps(f.beats())[:3])
        print("RESULT standby %s: kill -9 failover %.2f s (lease %.0f s)" % (
            store, took, LEASE), flush=True)
    finally:
        f.stop()


def sigterm(w, store, store_args):
    ids = w.launch("e-sb-term-%s" % store, 3)
    log = os.path.join(w.tmp, "term-%s.log" % store)
    f = Fleet(w, ids, store_args, log)
    try:
        leader, _ = f.wait_writer(0)
        time.sleep(1)
        p = f.procs[leader][0]
        sent = time.time()
        p.send_signal(signal.SIGTERM)
        rc = p.wait(10)
        W.expect(rc == 3, "%s: leader-exec exits with CMD's status (its TERM trap: 3)"
                 % store, 3, rc)
        nxt, at = f.wait_writer(sent, exclude=(leader,), limit=LEASE * 4)
        W.expect(nxt is not None, "%s: a standby takes over" % store, "a writer", None)
        took = at - sent
        W.expect(took <= 2 * POLL + SETTLE[store] + 1.0,
                 "%s: released, taken over within two polls (+ settle)" % store,
                 "<= %.1f s" % (2 * POLL + SETTLE[store] + 1.0), "%.2f s" % took)
        W.expect(overlaps(f.beats()) == [], "%s: never two CMDs in one 0.2 s" % store,
                 [], overlaps(f.beats())[:3])
        print("RESULT standby %s: SIGTERM handover %.2f s" % (store, took), flush=True)
    finally:
        f.stop()


def exits_itself(w, store, store_args):
    ids = w.launch("e-sb-exit-%s" % store, 3)
    log = os.path.join(w.tmp, "exit-%s.log" % store)
    f = Fleet(w, ids, store_args, log)
    try:
        leader, _ = f.wait_writer(0)
        W.expect(leader is not None, "%s: a CMD starts" % store, "a writer", None)
        time.sleep(1)
        stopped = time.time()
        open("%s.%s.stop" % (log, leader), "w").close()
        p = f.procs[leader][0]
        rc = p.wait(10)
        W.expect(rc == 5, "%s: a holder whose CMD exits by itself exits with its status"
                 % store, 5, rc)
        nxt, at = f.wait_writer(stopped, exclude=(leader,), limit=LEASE * 4)
        W.expect(nxt is not None, "%s: a standby takes over" % store, "a writer", None)
        took = at - stopped
        W.expect(took <= 2 * POLL + SETTLE[store] + 1.0,
                 "%s: released, taken over within two polls (+ settle)" % store,
                 "<= %.1f s" % (2 * POLL + SETTLE[store] + 1.0), "%.2f s" % took)
        standby = [i for i in ids if i not in (leader, nxt)][0]
        q = f.procs[standby][0]
        sent = time.monotonic()
        q.send_signal(signal.SIGTERM)
        rc = q.wait(10)
        quit_s = time.monotonic() - sent
        W.expect(rc == W.EXIT_SIGNAL, "%s: SIGTERM to a standby: 117" % store,
                 W.EXIT_SIGNAL, rc)
        W.expect(quit_s <= 1.0, "%s: a standby stops promptly on SIGTERM" % store,
                 "<= 1.0 s", "%.2f s" % quit_s)
        W.expect(standby not in f.writers_since(0), "%s: the standby never ran CMD" % store,
                 "no beats by %s" % standby, f.writers_since(0))
        W.expect(overlaps(f.beats()) == [], "%s: never two CMDs in one 0.2 s" % store,
                 [], overlaps(f.beats())[:3])
        print("RESULT standby %s: CMD exited by itself, taken over after %.2f s; "
              "a standby stopped %.2f s after SIGTERM" % (store, took, quit_s), flush=True)
    finally:
        f.stop()


def terminated(w, store, store_args):
    ids = w.launch("e-sb-gone-%s" % store, 3)
    log = os.path.join(w.tmp, "gone-%s.log" % store)
    f = Fleet(w, ids, store_args, log)
    try:
        leader, _ = f.wait_writer(0)
        time.sleep(1)
        # The instance is gone in EC2, but its CMD is left running, as on a
        # real instance that vanished: stop its leader-exec's renewals only
        # by terminating it in EC2 (leader-exec itself keeps running).
        W.expect(f.writers_since(0) == [leader], "%s: only the holder runs before" % store,
                 [leader], f.writers_since(0))
        gone = time.time()
        w.terminate([leader])
        nxt, at = f.wait_writer(gone, exclude=(leader,), limit=LEASE * 4)
        W.expect(nxt is not None, "%s: a standby takes over from a terminated holder"
                 % store, "a writer", None)
        print("RESULT standby %s: holder terminated in EC2, taken over after %.2f s" % (
            store, at - gone), flush=True)
    finally:
        f.stop()


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        for store, args in STORES.items():
            kill_nine(w, store, args)
            sigterm(w, store, args)
            exits_itself(w, store, args)
            terminated(w, store, args)


W.run_scenario(NAME, main, time_limit=600)
