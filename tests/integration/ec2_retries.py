#!/usr/bin/env python3
"""EC2 errors are handled as DESIGN.md section 2 says: throttling
(RequestLimitExceeded, Throttling), 5xx and connection resets are retried
with backoff and then succeed; an endpoint that never recovers ends in 114
inside --timeout with nothing run; AuthFailure (112) and
UnauthorizedOperation (113, naming the missing ec2: action) are reported at
once, after a single request, with nothing run."""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402
from proxy import Fault  # noqa: E402

NAME = "ec2_retries"


def ec2_error(status, code, message="injected by the test"):
    body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
            "<Code>%s</Code><Message>%s</Message></Error></Errors>"
            "<RequestID>test-request</RequestID></Response>" % (code, message)).encode()
    return Fault(response=(status, {"Content-Type": "text/xml"}, body))


class FirstN:
    """A hook giving fault to the first n requests for action, then forwarding."""

    def __init__(self, n, fault, action="DescribeInstances"):
        self.n, self.fault, self.action = n, fault, action
        self.hits = 0
        self.lock = threading.Lock()

    def __call__(self, rec):
        with self.lock:
            if rec.action == self.action and self.hits < self.n:
                self.hits += 1
                return self.fault
        return None


def transient(w, iid, label, fault):
    W.log("%s on the first two DescribeInstances: retried, then elected" % label)
    w.clear_markers()
    hook = FirstN(2, fault)
    w.proxy.hook = hook
    r = w.run_one(w.marker_args("--settle", "0.2", "--timeout", "30"), iid, timeout=40)
    w.proxy.hook = None
    W.expect(hook.hits == 2, "%s: the fault was served twice" % label, 2, hook.hits)
    W.expect(r.rc == 0 and iid in w.markers(), "%s: the instance still leads and runs"
             % label, "rc 0 and a marker", (r.rc, r.stderr))
    W.expect("retrying" in r.stderr, "%s: the retries are reported" % label, "retrying",
             r.stderr)


def main():
    with W.World(NAME) as w:
        iid = w.launch("e-retry", 1)[0]
        transient(w, iid, "RequestLimitExceeded (400)", ec2_error(400, "RequestLimitExceeded"))
        transient(w, iid, "Throttling (400)", ec2_error(400, "Throttling"))
        transient(w, iid, "HTTP 500", ec2_error(500, "InternalError"))
        transient(w, iid, "HTTP 503", Fault(response=(503, {}, b"Service Unavailable")))
        transient(w, iid, "connection reset", Fault(reset=True))

        W.log("throttled forever with --timeout 3: 114 within the deadline, nothing run")
        w.clear_markers()
        w.proxy.hook = FirstN(10 ** 6, ec2_error(400, "RequestLimitExceeded"))
        r = w.run_one(w.marker_args("--settle", "0.2", "--timeout", "3"), iid, timeout=20)
        w.proxy.hook = None
        W.expect(r.rc in (114, 116), "a never-ending throttle fails with 114 (or 116)",
                 114, (r.rc, r.stderr))
        W.expect(r.elapsed < 3 + 1.5, "it gives up inside --timeout (+1.5 s slack)", "< 4.5 s",
                 "%.2f s" % r.elapsed)
        W.expect(w.markers() == {}, "nothing runs", {}, w.markers())
        W.expect(len(r.lines()) >= 1 and "RequestLimitExceeded" in r.lines()[-1],
                 "the last line names the throttling", "RequestLimitExceeded", r.lines())

        other = w.launch("e-auth", 1)[0]
        for code, status, rc, needle in (
                ("AuthFailure", 401, 112, "credentials were rejected"),
                ("UnauthorizedOperation", 403, 113, "add ec2:CreateTags")):
            W.log("%s on CreateTags: %d at once, after one request" % (code, rc))
            w.clear_markers()
            w.proxy.reset_counts()
            w.proxy.hook = FirstN(10 ** 6, ec2_error(status, code), action="CreateTags")
            r = w.run_one(w.marker_args("--settle", "0.2", "--timeout", "30"), other,
                          timeout=40)
            w.proxy.hook = None
            _, _, actions, _ = w.proxy.snapshot()
            W.expect(r.rc == rc, "%s exits %d" % (code, rc), rc, (r.rc, r.stderr))
            W.expect(actions["CreateTags"] == 1, "%s is not retried" % code, 1,
                     dict(actions))
            W.expect(needle in r.stderr, "%s: the message says %r" % (code, needle), needle,
                     r.stderr)
            W.expect(w.markers() == {}, "%s: nothing runs" % code, {}, w.markers())


W.run_scenario(NAME, main)
