#!/usr/bin/env python3
"""Faults the network can throw at leader-exec, injected between it and moto
(the counting proxy's hook) or by the IMDS stand-in (its hook), each with
its expected outcome, all inside the overall --timeout:

  EC2  truncated XML, malformed XML (twice) -> retried, then elected
       truncated XML forever                -> 114, nothing run
       an answer slower than --timeout      -> 116 at the deadline, nothing run
       a body larger than the 64 MiB cap    -> 114 naming the cap, nothing run
  IMDS HTTP 500 once                        -> retried, then elected
       HTTP 500 always                      -> 111 naming HTTP 500, nothing run
       401 on a token valid a moment ago    -> one new token, then elected
       401 even with a fresh token          -> 111, nothing run
       credentials whose Expiration passed  -> a warning, tried, elected (EC2 decides)
       an answer slower than --timeout      -> 116 at the deadline, nothing run
(Throttling, 5xx and resets from EC2 are in ec2_retries.py.)"""
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402
from proxy import Fault  # noqa: E402

NAME = "faults"
FAST = ["--settle", "0.2"]
SLACK = 1.5
DESCRIBE = ('<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse '
            'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>'
            '<reservationSet><item><reservationId>r-1</reservationId><instancesSet><item>'
            '<instanceId>i-0123456789abcdef0</instanceId><instanceState><code>16</code>'
            '<name>running</name></instanceState></item></instancesSet></item>'
            '</reservationSet></DescribeInstancesResponse>')


class EveryN:
    """A proxy hook: fault for the first n DescribeInstances (None: always)."""

    def __init__(self, fault, n=None):
        self.fault, self.n, self.hits = fault, n, 0
        self.lock = threading.Lock()

    def __call__(self, rec):
        with self.lock:
            if rec.action == "DescribeInstances" and (self.n is None or self.hits < self.n):
                self.hits += 1
                return self.fault
        return None


def xml_fault(body):
    return Fault(response=(200, {"Content-Type": "text/xml"}, body.encode()))


def run(w, iid, timeout, *opts, **kw):
    w.clear_markers()
    return w.run_one(w.marker_args(*FAST, "--timeout", str(timeout), *opts), iid,
                     timeout=timeout + 15, **kw)


def expect_elected(w, iid, r, label):
    W.expect(r.rc == 0 and iid in w.markers(), "%s: retried, then elected and ran" % label,
             "rc 0 and a marker", (r.rc, r.lines()[-2:]))


def expect_failure(w, r, label, rc, needle, timeout):
    W.expect(r.rc == rc, "%s: exits %d" % (label, rc), rc, (r.rc, r.lines()[-2:]))
    W.expect(needle in r.stderr, "%s: the error names %r" % (label, needle), needle,
             r.lines()[-1:])
    W.expect(w.markers() == {}, "%s: nothing ran" % label, {}, w.markers())
    W.expect(r.elapsed < timeout + SLACK, "%s: inside --timeout %d (+%.1f s)"
             % (label, timeout, SLACK), "< %.1f s" % (timeout + SLACK), "%.2f s" % r.elapsed)


def ec2_faults(w):
    iid = w.launch("e-ec2-faults", 1)[0]
    for label, fault in (("truncated XML", xml_fault(DESCRIBE[:len(DESCRIBE) // 2])),
                         ("malformed XML", xml_fault(DESCRIBE.replace("</instanceId>",
                                                                      "</instanceID>")))):
        W.log("EC2: %s twice" % label)
        w.proxy.hook = EveryN(fault, 2)
        r = run(w, iid, 20)
        w.proxy.hook = None
        expect_elected(w, iid, r, "EC2 " + label)
        W.expect("unreadable" in r.stderr or "retrying" in r.stderr,
                 "EC2 %s: the retry is reported" % label, "retrying", r.lines())

    other = w.launch("e-ec2-hard", 1)[0]
    W.log("EC2: truncated XML forever")
    w.proxy.hook = EveryN(xml_fault(DESCRIBE[:100]))
    r = run(w, other, 8)
    w.proxy.hook = None
    expect_failure(w, r, "EC2 truncated forever", 114, "DescribeInstances", 8)

    W.log("EC2: an answer slower than --timeout")
    w.proxy.hook = EveryN(Fault(delay=20))
    r = run(w, other, 4)
    w.proxy.hook = None
    expect_failure(w, r, "EC2 slow answer", 116, "deadline", 4)

    W.log("EC2: a body larger than the 64 MiB cap")
    big = ('<?xml version="1.0"?><DescribeInstancesResponse><!-- ' + "x" * (65 << 20) +
           ' --></DescribeInstancesResponse>').encode()
    w.proxy.hook = EveryN(Fault(response=(200, {"Content-Type": "text/xml"}, big)))
    r = run(w, other, 20)
    w.proxy.hook = None
    expect_failure(w, r, "EC2 oversized body", 114, "larger than", 20)


def imds_faults(w):
    def once_then_ok(status):
        state = {"n": 0}

        def hook(method, path, headers):
            if method == "GET" and state["n"] == 0:
                state["n"] += 1
                return status, ""
            return None
        return hook

    iid = w.launch("e-imds-faults", 1)[0]
    imds = w.imds[iid]

    W.log("IMDS: HTTP 500 once")
    imds.hook = once_then_ok(500)
    r = run(w, iid, 20)
    imds.hook = None
    expect_elected(w, iid, r, "IMDS 500 once")

    W.log("IMDS: 401 on a token that was valid a moment ago")
    imds.reset_counts()             # count this case's token requests only
    imds.token_uses = 1
    r = run(w, iid, 20)
    imds.token_uses = 0
    expect_elected(w, iid, r, "IMDS token revoked")
    # Each token serves one GET: every 401 is followed by exactly one new
    # token (no retry storm, no giving up).
    puts = imds.requests[("PUT", "/latest/api/token")]
    rejected = sum(1 for m, _, st in imds.log if m == "GET" and st == 401)
    W.expect(rejected >= 1 and puts == rejected + 1,
             "IMDS token revoked: one new token per rejected one",
             "1 + %d token PUTs" % rejected, puts)

    W.log("IMDS: HTTP 500 always")
    imds.hook = lambda m, p, h: (500, "") if m == "GET" else None
    r = run(w, iid, 10)
    expect_failure(w, r, "IMDS 500 always", 111, "HTTP 500", 10)

    W.log("IMDS: 401 even with a fresh token")
    imds.hook = lambda m, p, h: (401, "") if m == "GET" else None
    r = run(w, iid, 10)
    expect_failure(w, r, "IMDS 401 always", 111, "401", 10)

    # Issue 11 item 11: as the AWS SDKs do (static stability), expired
    # credentials are tried with a warning and EC2 decides; moto takes them.
    W.log("IMDS: credentials whose Expiration is in the past")
    past = dict(imds.credentials_document(), Expiration="2020-01-01T00:00:00Z")
    imds.hook = (lambda m, p, h: (200, json.dumps(past))
                 if m == "GET" and p.endswith("/" + imds.role) else None)
    r = run(w, iid, 10)
    expect_elected(w, iid, r, "IMDS expired credentials")
    W.expect("warning" in r.stderr and "expired" in r.stderr,
             "IMDS expired credentials: a warning names the expiry", "warning ... expired",
             r.lines())

    W.log("IMDS: an answer slower than --timeout")
    imds.hook = lambda m, p, h: (time.sleep(8), None)[1]
    r = run(w, iid, 3)
    imds.hook = None
    expect_failure(w, r, "IMDS slow answer", 116, "deadline", 3)


def main():
    with W.World(NAME) as w:
        ec2_faults(w)
        imds_faults(w)


W.run_scenario(NAME, main, time_limit=300)
