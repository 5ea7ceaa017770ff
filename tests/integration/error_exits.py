#!/usr/bin/env python3
"""Exit statuses without another test (README "Exit status"):

* 112 when EC2 answers RequestExpired (the clock is off by more than 15
  minutes): one line naming RequestExpired and the clock, nothing run, no
  retry of a request that cannot succeed;
* 118 (internal) when the answer cannot be written: --status and --export
  with stdout on /dev/full (every write fails with ENOSPC), naming stdout
  or the status (--status claims nothing; --export elects first)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "error_exits"
FAST = ["--settle", "1", "--timeout", "20"]
EXPIRED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
           b'<Code>RequestExpired</Code><Message>Request has expired.</Message></Error>'
           b'</Errors><RequestID>b9b4b6ec-4a5b-4e51-9c5e-0a1f4a3f7a11</RequestID></Response>')


def request_expired(w, iid):
    W.log("EC2 answers RequestExpired (HTTP 400)")
    w.proxy.reset_counts()
    w.proxy.hook = lambda rec: W.Fault(response=(400, {"Content-Type": "text/xml"}, EXPIRED))
    try:
        r = w.run_one(w.marker_args(*FAST), iid, timeout=40)
    finally:
        w.proxy.hook = None
    _, methods, actions, _ = w.proxy.snapshot()
    W.expect(r.rc == W.EXIT_CREDENTIALS, "RequestExpired exits 112", 112, (r.rc, r.stderr))
    W.expect("RequestExpired" in r.stderr and "clock" in r.stderr and len(r.lines()) == 1,
             "one line naming RequestExpired and the clock", "RequestExpired ... clock",
             r.lines())
    W.expect(dict(actions) == {"DescribeInstances": 1},
             "no retry of a request that cannot succeed", {"DescribeInstances": 1},
             dict(actions))
    W.expect(w.markers() == {}, "nothing ran", {}, w.markers())


def full_stdout(w, iid):
    for mode, needle in (("--status", "cannot write the status"),
                         ("--export", "cannot write to stdout")):
        W.log("%s with stdout on /dev/full" % mode)
        with open("/dev/full", "wb") as full:
            p = subprocess.run([w.binary] + FAST + [mode], env=w.child_env(iid),
                               stdin=subprocess.DEVNULL, stdout=full,
                               stderr=subprocess.PIPE, cwd=w.tmp, timeout=40)
        err = p.stderr.decode("utf-8", "replace")
        W.log("  rc=%s %s" % (p.returncode, err.strip()[:300]))
        W.expect(W.sanitizer_report(err) is None, "%s: no sanitizer report" % mode, None,
                 W.sanitizer_report(err))
        W.expect(p.returncode == W.EXIT_INTERNAL, "%s on /dev/full exits 118" % mode, 118,
                 (p.returncode, err))
        W.expect(needle in err, "%s: says it cannot write" % mode, needle, err)
        if mode == "--status":
            W.expect(w.holders([iid]) == {}, "--status claimed nothing", {},
                     w.holders([iid]))


def main():
    with W.World(NAME) as w:
        iid = w.launch("e-exits", 1)[0]
        request_expired(w, iid)
        full_stdout(w, iid)


W.run_scenario(NAME, main)
