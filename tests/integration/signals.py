#!/usr/bin/env python3
"""Signals: SIGTERM or SIGINT while electing ends leader-exec promptly with
117, runs nothing, and leaves no claim behind that could block the others
(a claim made by the interrupted run is retracted).  After that, the other
instances elect normally."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "signals"


def interrupt_while_settling(w, iid, sig):
    """Start one run with a long settle, signal it once its claim is written."""
    env = w.child_env(iid)
    argv = [w.binary, "--settle", "20", "--timeout", "40", "--"] + W.marker_command(iid)
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=w.tmp)
    try:
        t0 = time.monotonic()
        claimed = False
        while time.monotonic() - t0 < 15 and p.poll() is None:
            if "leader-exec:command" in w.tags(iid):
                claimed = True
                break
            time.sleep(0.1)
        W.expect(claimed, "%s: the run claimed before the signal" % sig.name, "a claim",
                 w.tags(iid))
        sent = time.monotonic()
        p.send_signal(sig)
        out, err = p.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=5)
    W.log("  %s: rc=%s after %.2f s: %s" % (sig.name, p.returncode, took,
                                           err.decode(errors="replace").strip()))
    return p.returncode, took, err.decode(errors="replace")


def main():
    with W.World(NAME) as w:
        for sig in (signal.SIGTERM, signal.SIGINT):
            ids = w.launch("e-sig-%s" % sig.name.lower(), 2)
            victim = ids[0]
            w.clear_markers()
            rc, took, err = interrupt_while_settling(w, victim, sig)
            W.expect(rc == 117, "%s while settling exits 117" % sig.name, 117, rc)
            W.expect(took < 2.0, "%s ends the run promptly" % sig.name, "< 2 s",
                     "%.2f s" % took)
            W.expect("interrupted" in err, "%s: stderr says interrupted" % sig.name,
                     "interrupted", err)
            W.expect("retracted claim" in err, "%s: the claim is retracted" % sig.name,
                     "retracted claim", err)
            W.expect("leader-exec:command" not in w.tags(victim),
                     "%s: no claim is left behind" % sig.name, "no tag", w.tags(victim))
            W.expect(w.markers() == {}, "%s: nothing ran" % sig.name, {}, w.markers())
            W.log("the group still elects one leader afterwards")
            w.elect(ids)


W.run_scenario(NAME, main)
