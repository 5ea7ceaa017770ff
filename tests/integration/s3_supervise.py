#!/usr/bin/env python3
"""Supervision with the s3 store (DESIGN.md section 8; issue 13 item 2g).

The leader's command runs as a child of leader-exec, which renews the
record's lease while it runs and records the outcome after:

  * exit status: the command's own (7), and 128 + N for a death by
    signal N (143 for SIGTERM); the record says idle with that status;
  * SIGTERM to leader-exec reaches the command (its trap runs) and
    leader-exec exits with the command's status;
  * kill -9 of leader-exec kills the command too (PR_SET_PDEATHSIG): no
    orphaned leader;
  * the command inherits the descriptors leader-exec was started with,
    and none of leader-exec's own connections;
  * the lease is renewed while the command runs (the record's renewal
    time moves on);
  * S3 made unreachable mid-run: the command is stopped (SIGTERM) before
    the lease written last expires for the others, and leader-exec exits
    119 naming the lost leadership.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402
import s3faults  # noqa: E402

NAME = "s3_supervise"
BUCKET = "lexec-supervise"


def key(env_id):
    return "leader-exec/elasticbeanstalk%%3Aenvironment-id=%s/command.json" % env_id


def record(w, env_id):
    body, _ = w.get_object(BUCKET, key(env_id))
    return json.loads(body) if body is not None else None


def start(w, iid, cmd, *opts, pass_fds=()):
    argv = [w.binary, "--store", "s3://%s/leader-exec" % BUCKET, "--epoch", "none",
            "--timeout", "20"] + list(opts) + ["--", "sh", "-c", cmd]
    return subprocess.Popen(argv, env=w.child_env(iid), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=w.tmp,
                            pass_fds=pass_fds)


def descriptors(w):
    W.log("the command's descriptors: the caller's, none of leader-exec's")
    [iid] = w.launch("e-sv-fds", 1)
    r, wr = os.pipe()
    try:
        p = start(w, iid, "ls /proc/$$/fd", pass_fds=(wr,))
        out, err = p.communicate(timeout=30)
    finally:
        os.close(r)
        os.close(wr)
    fds = sorted(int(x) for x in out.decode().split())
    W.expect(p.returncode == 0, "the listing ran", 0, p.returncode)
    W.expect(fds == sorted([0, 1, 2, wr]), "only stdio and the inherited pipe",
             [0, 1, 2, wr], fds)


def finish(p, timeout=30):
    try:
        out, err = p.communicate(timeout=timeout)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=5)
    err = err.decode(errors="replace")
    W.log("  rc=%s: %s" % (p.returncode, " | ".join(err.strip().splitlines())[:600]))
    return p.returncode, err


def wait_for(path, limit=15.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, encoding="utf-8") as f:
                return f.read().strip()
        time.sleep(0.05)
    W.expect(False, "%s appears within %.0f s" % (path, limit), "the file", "none")
    return None


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as f:
            return f.read().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def exit_statuses(w):
    W.log("exit status 7 passes through; the record says idle with exit 7")
    [iid] = w.launch("e-sv-exit", 1)
    rc, _ = finish(start(w, iid, "exit 7"))
    W.expect(rc == 7, "the command's exit status 7 is leader-exec's", 7, rc)
    rec = record(w, "e-sv-exit")
    W.expect((rec["state"], rec["exit"]) == ("idle", 7),
             "the record: idle, exit 7 (--epoch none)", ("idle", 7),
             (rec["state"], rec["exit"]))
    W.log("death by SIGTERM: 128 + 15")
    rc, _ = finish(start(w, iid, "kill -TERM $$"))
    W.expect(rc == 143, "a command killed by SIGTERM gives 143", 143, rc)


def forwarded_sigterm(w):
    W.log("SIGTERM to leader-exec reaches the command's trap")
    [iid] = w.launch("e-sv-term", 1)
    d = os.path.join(w.tmp, "term")
    os.makedirs(d)
    cmd = ('trap \'echo got > %s/trapped; exit 5\' TERM; echo $$ > %s/pid; '
           'while :; do sleep 0.1; done' % (d, d))
    p = start(w, iid, cmd)
    wait_for(os.path.join(d, "pid"))
    p.send_signal(signal.SIGTERM)
    rc, _ = finish(p)
    W.expect(rc == 5, "leader-exec exits with the command's status after SIGTERM", 5, rc)
    W.expect(os.path.exists(os.path.join(d, "trapped")), "the command got SIGTERM",
             "trapped", os.listdir(d))


def kill_nine(w):
    W.log("kill -9 of leader-exec: its command dies too")
    [iid] = w.launch("e-sv-kill", 1)
    d = os.path.join(w.tmp, "kill")
    os.makedirs(d)
    p = start(w, iid, "echo $$ > %s/pid; exec sleep 60" % d)
    pid = int(wait_for(os.path.join(d, "pid")))
    W.expect(alive(pid), "the command runs", "alive", "gone")
    p.kill()
    p.wait(timeout=5)
    t0 = time.monotonic()
    while alive(pid) and time.monotonic() - t0 < 10:
        time.sleep(0.05)
    W.expect(not alive(pid), "the command is gone after kill -9 of leader-exec",
             "gone", "still running after %.1f s" % (time.monotonic() - t0))
    if alive(pid):
        os.kill(pid, signal.SIGKILL)


def lease_lost(w):
    W.log("--lease 6: renewed while the command runs; S3 cut off mid-run: 119")
    [iid] = w.launch("e-sv-lost", 1)
    d = os.path.join(w.tmp, "lost")
    os.makedirs(d)
    cmd = ('trap \'date +%%s.%%N > %s/stopped; exit 0\' TERM; echo $$ > %s/pid; '
           'while :; do sleep 0.05; done' % (d, d))
    p = start(w, iid, cmd, "--lease", "6")
    wait_for(os.path.join(d, "pid"))
    first = record(w, "e-sv-lost")
    t0 = time.monotonic()
    renewed = first
    while time.monotonic() - t0 < 8 and renewed["renewed"] == first["renewed"]:
        time.sleep(0.2)
        renewed = record(w, "e-sv-lost")
    W.expect(renewed["renewed"] > first["renewed"] and renewed["state"] == "held",
             "the lease is renewed while the command runs", "> %d" % first["renewed"],
             renewed["renewed"])
    plan = s3faults.FaultPlan([s3faults.RESET], match=lambda rec: True, endless=True)
    w.proxy.hook = plan
    cut = time.time()
    rc, err = finish(p, timeout=20)
    w.proxy.hook = None
    last = record(w, "e-sv-lost")
    stopped = float(wait_for(os.path.join(d, "stopped"), 2))
    W.log("  cut at %.2f, stopped at %.2f, last lease expiry %d" % (
        cut, stopped, last["lease_expiry"]))
    W.expect(rc == 119, "leader-exec exits 119 when leadership is lost", 119, rc)
    W.expect("leadership lost" in err, "stderr names the lost leadership",
             "leadership lost", err)
    W.expect(stopped < last["lease_expiry"], "the command was stopped before the "
             "lease it last wrote expired", "< %d" % last["lease_expiry"],
             "%.2f" % stopped)
    W.expect(plan.injected > 0, "the renewals met the cut", "> 0", plan.injected)


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        exit_statuses(w)
        forwarded_sigterm(w)
        kill_nine(w)
        descriptors(w)
        lease_lost(w)


W.run_scenario(NAME, main)
