"""S3 faults for CountingProxy (proxy.py): S3's own error answers, resets and
slow answers, injected before the request reaches moto.

  s3_error(status, code, message, condition)  a Fault answering S3's <Error>
  PRECONDITION, CONFLICT, SLOWDOWN, INTERNAL, RESET, slow(seconds)
  FaultPlan(faults, match)   a proxy hook: the requests that match(rec)
                             get faults[0], faults[1], ... in turn, then are
                             forwarded; endless=True repeats the last fault
                             for every later match.  .injected counts them.

A fault is decided before forwarding, so a request that got one never reached
moto: a retried conditional write is not a second write.
"""

import threading
from xml.sax.saxutils import escape

from proxy import Fault


def s3_error_body(code, message, condition=None):
    parts = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
             "<Message>%s</Message>" % (escape(code), escape(message))]
    if condition:
        parts.append("<Condition>%s</Condition>" % escape(condition))
    parts.append("<RequestId>S3FAULTS</RequestId></Error>")
    return "".join(parts).encode()


def s3_error(status, code, message, condition=None, delay=0.0):
    return Fault(delay=delay, response=(
        status, {"Content-Type": "application/xml"},
        s3_error_body(code, message, condition)))


PRECONDITION = s3_error(412, "PreconditionFailed", "At least one of the "
                        "pre-conditions you specified did not hold", "If-None-Match")
CONFLICT = s3_error(409, "ConditionalRequestConflict", "A conflicting "
                    "conditional operation is currently in progress against "
                    "this resource. Please try again.")
SLOWDOWN = s3_error(503, "SlowDown", "Please reduce your request rate.")
INTERNAL = s3_error(500, "InternalError", "We encountered an internal error. "
                    "Please try again.")
RESET = Fault(reset=True)


def slow(seconds):
    """Forwarded, but only after seconds."""
    return Fault(delay=seconds)


def is_put(rec):
    return rec.method == "PUT"


def is_get(rec):
    return rec.method == "GET"


class FaultPlan:
    """A CountingProxy hook injecting faults into the requests match() picks."""

    def __init__(self, faults, match=is_put, endless=False):
        self.faults = list(faults)
        self.match = match
        self.endless = endless
        self.injected = 0
        self.matched = 0
        self._lock = threading.Lock()

    def __call__(self, rec):
        if not self.match(rec):
            return None
        with self._lock:
            self.matched += 1
            if self.injected < len(self.faults):
                f = self.faults[self.injected]
            elif self.endless and self.faults:
                f = self.faults[-1]
            else:
                return None
            self.injected += 1
            return f
