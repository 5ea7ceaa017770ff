#!/usr/bin/env python3
"""An instance killed while holding a slot (issue 15 item 2d): with
--rolling 1, the victim's leader-exec takes the only slot and starts a
long command; it is killed with SIGKILL (its command dies with it,
PR_SET_PDEATHSIG).  Then 3 other instances run --rolling 1 together.

  d1. --lease 4, the victim's instance still running: its slot frees when
      the lease runs out; the others each run the command once, one at a
      time, and exit 0.
  d2. --lease 60, the victim's instance stopped: its slot frees at once
      (holder not running), long before the lease would run out.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402
from timed import intervals, max_concurrent, timed_command  # noqa: E402

NAME = "s3_rolling_kill"
BUCKET = "lexec-rolling-kill"


def store_args(lease, epoch):
    return ["--store", "s3://%s/leader-exec" % BUCKET, "--rolling", "1", "--lease",
            str(lease), "--epoch", str(epoch), "--timeout", "60"]


def slot(w, env_id):
    key = "leader-exec/elasticbeanstalk%%3Aenvironment-id=%s/command.slot-0.json" % env_id
    body, _ = w.get_object(BUCKET, key)
    return json.loads(body) if body is not None else None


def start_victim(w, iid, lease, epoch):
    log = os.path.join(w.marker_dir, "victim.log")
    argv = [w.binary] + store_args(lease, epoch) + [
        "--", "/bin/sh", "-c", 'echo "start $(date +%s.%N)" >"$0"; exec sleep 120', log]
    p = subprocess.Popen(argv, env=w.child_env(iid), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=w.tmp)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 20 and not os.path.exists(log):
        time.sleep(0.05)
    if not os.path.exists(log):
        p.kill()
        W.log("  victim: %s" % p.communicate(timeout=10)[1].decode(errors="replace"))
    W.expect(os.path.exists(log), "the victim's command started", "started", "never")
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=10)
    p.stderr.close()
    os.unlink(log)
    return time.time()


def play(w, env_id, lease, epoch, stop_victim, limit, min_wait=0.0):
    ids = w.launch(env_id, 4)
    victim, others = ids[0], ids[1:]
    w.clear_markers()
    killed = start_victim(w, victim, lease, epoch)
    rec = slot(w, env_id)
    W.expect(rec is not None and rec["holder"] == victim and rec["state"] == "held",
             "the killed victim still holds slot 0", victim, rec)
    if stop_victim:
        w.ec2.stop_instances(InstanceIds=[victim])
    res = w.run_all(lambda iid: store_args(lease, epoch) + ["--"] + timed_command(iid),
                    others, timeout=75)
    rcs = {i: r.rc for i, r in res.items()}
    W.expect(all(rc == 0 for rc in rcs.values()), "every other instance exits 0", 0, rcs)
    runs = intervals(w)
    counts = {i: len(runs.get(i, [])) for i in others}
    W.expect(all(n == 1 for n in counts.values()), "each other instance ran once", 1,
             counts)
    W.expect(max_concurrent(runs) == 1, "one at a time (--rolling 1)", 1,
             max_concurrent(runs))
    first = min(s for spans in runs.values() for s, _ in spans)
    wait = first - killed
    W.expect(wait < limit, "the first run started %.1f s after the kill (< %d s)" % (
        wait, limit), "< %d s" % limit, "%.1f s" % wait)
    W.expect(wait >= min_wait, "the slot stayed taken until the lease ran out "
             "(>= %.0f s)" % min_wait, ">= %.0f s" % min_wait, "%.1f s" % wait)
    after = slot(w, env_id)
    W.expect(after["holder"] in others and after["state"] == "released",
             "slot 0 was taken over and released", "released by another", after)
    W.expect(after["term"] > rec["term"], "the slot's term rose", "> %d" % rec["term"],
             after["term"])
    return wait


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        W.log("d1: --lease 4, victim instance running: the lease frees the slot")
        w1 = play(w, "e-kill-lease", 4, 1, False, 20, min_wait=2.0)
        W.log("d2: --lease 60, victim instance stopped: freed at once")
        w2 = play(w, "e-kill-stop", 60, 1, True, 20)
        print("RESULT s3_rolling_kill: slot of a killed holder freed after %.1f s (lease "
              "4 s) and %.1f s (holder stopped, lease 60 s)" % (w1, w2), flush=True)


W.run_scenario(NAME, main, time_limit=300)
