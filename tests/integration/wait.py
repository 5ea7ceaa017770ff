#!/usr/bin/env python3
"""Followers that wait (issue 14 item 1e; DESIGN.md section 8): three
instances run `leader-exec --name migrate --epoch E --wait -- CMD`, where
CMD logs "instance-id start|end time" around a 2 s sleep.

  a. CMD exits 0: exactly one instance runs it; every follower exits 0,
     and only after CMD's end (its exit time later than the logged end);
  b. CMD exits 3: the leader exits 3, every follower exits 120 with a line
     naming the failure (the leader and its exit status), not before the
     end of CMD;
  c. the leader's leader-exec killed (-9) mid-command: its CMD dies with
     it, a waiting follower takes over once the lease has expired, runs
     CMD to the end and exits 0; the other follower exits 0 after that.

Run for each store in STORES.  The takeover time is printed as a RESULT
line.
"""
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "wait"
BUCKET = "lexec-wait"
LEASE = 6.0
POLL = LEASE / 3            # a --wait follower polls every lease/3
# moto shows a tag write at once (no lag): settle 1 s is ample for tags.
STORES = {"s3": ["--store", "s3://%s" % BUCKET],
          "tags": ["--store", "tags", "--settle", "1"]}
CMD = ('echo "%s start $(date +%%s.%%N)" >> %s; sleep 2; '
       'echo "%s end $(date +%%s.%%N)" >> %s; exit %d')


class Run:
    """One `leader-exec --wait` per instance; each one's exit time noted."""

    def __init__(self, w, ids, store_args, epoch, log, rc):
        self.log, self.procs, self.done = log, {}, {}
        self.threads = []
        for iid in ids:
            argv = [w.binary] + store_args + [
                "--name", "migrate", "--epoch", epoch, "--wait", "--timeout", "20",
                "--lease", str(int(LEASE)), "--", "sh", "-c",
                CMD % (iid, log, iid, log, rc)]
            p = subprocess.Popen(argv, env=w.child_env(iid), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=w.tmp)
            self.procs[iid] = p
            t = threading.Thread(target=self._wait, args=(iid, p), daemon=True)
            t.start()
            self.threads.append(t)

    def _wait(self, iid, p):
        try:
            out, err = p.communicate(timeout=LEASE * 8)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate(timeout=5)
        self.done[iid] = (p.returncode, time.time(), err.decode("utf-8", "replace"))

    def join(self):
        for t in self.threads:
            t.join(LEASE * 8 + 10)
        for iid, p in self.procs.items():
            if p.poll() is None:
                p.kill()
                p.wait(5)
        for t in self.threads:
            t.join(10)
        for iid, (rc, at, err) in sorted(self.done.items()):
            W.log("  %s: rc=%s at %.2f %s" % (iid, rc, at, " | ".join(err.splitlines())[:400]))

    def events(self):
        """[(instance, "start"|"end", time)] from the log."""
        if not os.path.exists(self.log):
            return []
        out = []
        with open(self.log, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    out.append((parts[0], parts[1], float(parts[2])))
        return out

    def wait_start(self, limit=30.0):
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            ev = [e for e in self.events() if e[1] == "start"]
            if ev:
                return ev[0]
            time.sleep(0.05)
        return None


def succeeded(w, store, store_args):
    ids = w.launch("e-wait-ok-%s" % store, 3)
    r = Run(w, ids, store_args, "ok-%s" % store, os.path.join(w.tmp, "ok-%s.log" % store), 0)
    r.join()
    ev = r.events()
    starts = [e for e in ev if e[1] == "start"]
    ends = [e for e in ev if e[1] == "end"]
    W.expect(len(starts) == 1 and len(ends) == 1, "%s: exactly one instance runs CMD" % store,
             1, ev)
    leader, end = ends[0][0], ends[0][2]
    rcs = {i: d[0] for i, d in r.done.items()}
    W.expect(rcs == {i: 0 for i in ids}, "%s: leader and followers exit 0" % store,
             {i: 0 for i in ids}, rcs)
    early = {i: round(d[1] - end, 2) for i, d in r.done.items() if i != leader and d[1] < end}
    W.expect(early == {}, "%s: followers exit only after CMD ended" % store, {}, early)
    late = max(d[1] for i, d in r.done.items() if i != leader) - end
    W.expect(late <= POLL + 2.0, "%s: followers exit within a poll of the end" % store,
             "<= %.1f s" % (POLL + 2.0), "%.2f s" % late)
    print("RESULT wait %s: followers exited %.2f s after CMD ended" % (store, late),
          flush=True)


def failed(w, store, store_args):
    ids = w.launch("e-wait-fail-%s" % store, 3)
    r = Run(w, ids, store_args, "fail-%s" % store, os.path.join(w.tmp, "fail-%s.log" % store),
            3)
    r.join()
    ends = [e for e in r.events() if e[1] == "end"]
    W.expect(len(ends) == 1, "%s: exactly one instance runs the failing CMD" % store, 1,
             r.events())
    leader, end = ends[0][0], ends[0][2]
    rcs = {i: d[0] for i, d in r.done.items()}
    want = {i: (3 if i == leader else 120) for i in ids}
    W.expect(rcs == want, "%s: the leader exits 3, the followers 120" % store, want, rcs)
    for i, (rc, at, err) in r.done.items():
        if i == leader:
            continue
        W.expect(at >= end, "%s: follower %s fails only after CMD ended" % (store, i),
                 ">= %.2f" % end, "%.2f" % at)
        W.expect(leader in err and "3" in err and "fail" in err,
                 "%s: follower %s names the failure (leader, status)" % (store, i),
                 "a line naming %s and status 3" % leader, err.strip()[-300:])


def killed(w, store, store_args):
    ids = w.launch("e-wait-k9-%s" % store, 3)
    r = Run(w, ids, store_args, "k9-%s" % store, os.path.join(w.tmp, "k9-%s.log" % store), 0)
    try:
        first = r.wait_start()
        W.expect(first is not None, "%s: a CMD starts" % store, "a start", None)
        time.sleep(0.5)
        leader = first[0]
        at_kill = time.time()
        r.procs[leader].kill()
    finally:
        r.join()
    ev = r.events()
    W.expect(not any(e[0] == leader and e[1] == "end" for e in ev),
             "%s: the killed leader's CMD dies with it" % store, "no end by %s" % leader, ev)
    starts = [e for e in ev if e[1] == "start" and e[0] != leader]
    ends = [e for e in ev if e[1] == "end" and e[0] != leader]
    W.expect(len(starts) == 1 and len(ends) == 1,
             "%s: exactly one waiting follower takes over and runs CMD" % store, 1, ev)
    taker, took = starts[0][0], starts[0][2] - at_kill
    W.expect(took >= LEASE - 2.5, "%s: taken over only after the lease" % store,
             ">= %.1f s" % (LEASE - 2.5), "%.2f s" % took)
    W.expect(took <= LEASE + 2 * POLL + 2.0, "%s: taken over within lease + poll" % store,
             "<= %.1f s" % (LEASE + 2 * POLL + 2.0), "%.2f s" % took)
    rcs = {i: d[0] for i, d in r.done.items() if i != leader}
    W.expect(rcs == {i: 0 for i in ids if i != leader},
             "%s: the taker and the other follower exit 0" % store, 0, rcs)
    other = [i for i in ids if i not in (leader, taker)][0]
    W.expect(r.done[other][1] >= ends[0][2], "%s: the other follower exits after the "
             "taker's CMD ended" % store, ">= %.2f" % ends[0][2], "%.2f" % r.done[other][1])
    print("RESULT wait %s: leader killed mid-command, a follower ran it %.2f s later "
          "(lease %.0f s)" % (store, took, LEASE), flush=True)


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        for store, args in STORES.items():
            succeeded(w, store, args)
            failed(w, store, args)
            killed(w, store, args)


W.run_scenario(NAME, main, time_limit=600)
