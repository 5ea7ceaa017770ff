#!/usr/bin/env python3
"""A long-running singleton moving when its instance is scaled in (issue 14
item 3): every instance of a three-instance environment runs the
Procfile's `beat:` line (platform-hooks/examples/Procfile: the deployed
.platform/bin/leader-exec --name beat --epoch none --hold --standby --
CMD), with the hook's environment.  Exactly one CMD runs.  When its
instance is scaled in (terminated, its processes gone with it), a standby
takes over, within the lease plus a poll and the settle time, never with
two CMDs in the same 0.2 s; an instance that scaling adds afterwards stands
by and runs nothing while the new holder lives."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

NAME = "sim_singleton"
LEASE = 6.0
POLL = LEASE / 3
SETTLE = 1.0
TICK = 0.2
PROCFILE = os.path.join(ebsim.REPO, "platform-hooks", "examples", "Procfile")
BEAT = 'while :; do echo "$1 $(date +%s.%N)" >> "$0"; sleep 0.2; done'


def procfile_argv():
    """The beat: line's leader-exec and its options (the command replaced)."""
    with open(PROCFILE, encoding="utf-8") as f:
        line = [ln for ln in f if ln.startswith("beat:")][0]
    words = line.split(":", 1)[1].split()
    return words[:words.index("--")]


def beats(log):
    if not os.path.exists(log):
        return []
    with open(log, encoding="utf-8") as f:
        return [(p[0], float(p[1])) for p in (ln.split() for ln in f) if len(p) == 2]


def first_writer(log, since, exclude=(), limit=30.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        for i, at in beats(log):
            if at > since and i not in exclude:
                return i, at
        time.sleep(0.05)
    return None, None


def start(env, iid, log):
    inst = env.instance(iid)
    cwd = inst.path("var/app/current")
    words = procfile_argv()
    argv = [os.path.join(cwd, words[0])] + words[1:] + [
        "--lease", str(int(LEASE)), "--settle", str(SETTLE), "--", "sh", "-c", BEAT, log, iid]
    return subprocess.Popen(argv, env=env.hook_env(inst), cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    with ebsim.Environment("singleton") as env:
        r = env.create(3)
        ebsim.expect_all_ok(r, "create")
        log = os.path.join(env.world.tmp, "beats.log")
        procs = {}
        try:
            for iid in env.running():
                procs[iid] = start(env, iid, log)
            leader, _ = first_writer(log, 0)
            W.expect(leader is not None, "a CMD starts", "a writer", None)
            time.sleep(LEASE)
            writers = sorted({i for i, _ in beats(log)})
            W.expect(writers == [leader], "exactly one CMD runs, for over a lease", [leader],
                     writers)
            # Scale-in: the instance and everything on it are gone at once.
            gone = time.time()
            procs[leader].kill()
            procs.pop(leader).wait(10)
            env.terminate([leader])
            nxt, at = first_writer(log, gone, exclude=(leader,), limit=LEASE * 4)
            W.expect(nxt is not None, "a standby takes over", "a writer", None)
            bound = LEASE + POLL + SETTLE + 2.0
            W.expect(at - gone <= bound, "taken over within lease + poll + settle",
                     "<= %.1f s" % bound, "%.2f s" % (at - gone))
            r2 = env.scale_to(3)
            ebsim.expect_all_ok(r2, "scale out")
            new = [i for i in env.running() if i not in procs]
            W.expect(len(new) == 1, "scale out adds one instance", 1, new)
            procs[new[0]] = start(env, new[0], log)
            time.sleep(LEASE)
            late = sorted({i for i, t in beats(log) if t > at + 0.5})
            W.expect(late == [nxt], "the added instance stands by; the new holder runs",
                     [nxt], late)
            bs = sorted(beats(log), key=lambda b: b[1])
            bad = [(a, ta, b, tb) for (a, ta), (b, tb) in zip(bs, bs[1:])
                   if a != b and tb - ta < TICK * 0.9]
            W.expect(bad == [], "never two CMDs in one 0.2 s", [], bad[:3])
            print("RESULT sim singleton: its instance scaled in, the singleton moved to %s "
                  "after %.2f s (lease %.0f s)" % (nxt, at - gone, LEASE), flush=True)
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in procs.values():
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)


W.run_scenario(NAME, main, time_limit=240)
