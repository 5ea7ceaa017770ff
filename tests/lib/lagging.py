"""An eventually consistent tag store for the race tests.

LaggingTags is a hook for CountingProxy: it answers CreateTags and
DeleteTags at once, as EC2 does, but applies each write to moto only after
a random lag drawn from [lag_min, lag_max] seconds, so DescribeInstances
shows it late.  Writes to one instance are applied in the order they were
made (a later write never overtakes an earlier one), as in EC2.

One scheduler thread applies the writes; stop() waits (bounded) until every
pending write has been applied or dropped.
"""

import heapq
import http.client
import random
import threading
import time

from proxy import Fault

ACK = {
    "CreateTags": b'<?xml version="1.0" encoding="UTF-8"?>\n<CreateTagsResponse '
                  b'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>lagging'
                  b'</requestId><return>true</return></CreateTagsResponse>',
    "DeleteTags": b'<?xml version="1.0" encoding="UTF-8"?>\n<DeleteTagsResponse '
                  b'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>lagging'
                  b'</requestId><return>true</return></DeleteTagsResponse>',
}
MAX_PENDING = 10000


def _resource(body):
    for part in body.split(b"&"):
        if part.startswith(b"ResourceId.1="):
            return part[len(b"ResourceId.1="):]
    return b""


class LaggingTags:
    def __init__(self, upstream_port, lag_min, lag_max, seed=None):
        self.upstream_port = upstream_port
        self.lag_min, self.lag_max = lag_min, lag_max
        self.rng = random.Random(seed)
        self.heap = []              # (apply at, seq, method, path, headers, body)
        self.last = {}              # resource -> last scheduled apply time
        self.seq = 0
        self.applied = 0
        self.lags = []
        self.cond = threading.Condition()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def __call__(self, rec):
        if rec.action not in ACK:
            return None
        now = time.monotonic()
        with self.cond:
            if len(self.heap) >= MAX_PENDING:
                return Fault(response=(503, {}, b"lagging store full"))
            res = _resource(rec.body)
            at = max(now + self.rng.uniform(self.lag_min, self.lag_max),
                     self.last.get(res, 0.0) + 0.001)
            self.last[res] = at
            self.lags.append(at - now)
            self.seq += 1
            heapq.heappush(self.heap, (at, self.seq, rec.method, rec.path,
                                       list(rec.headers), rec.body))
            self.cond.notify()
        return Fault(response=(200, {"Content-Type": "text/xml"}, ACK[rec.action]))

    def _apply(self, method, path, headers, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in headers:
                if k.lower() not in ("content-length", "connection", "expect"):
                    conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            conn.getresponse().read()
        finally:
            conn.close()

    def _run(self):
        while True:
            with self.cond:
                while not self.heap and not self.stopping:
                    self.cond.wait(1.0)
                if not self.heap and self.stopping:
                    return
                at = self.heap[0][0]
                wait = at - time.monotonic()
                if wait > 0 and not self.stopping:
                    self.cond.wait(min(wait, 1.0))
                    continue
                _, _, method, path, headers, body = heapq.heappop(self.heap)
            try:
                self._apply(method, path, headers, body)
            except OSError:
                pass
            with self.cond:
                self.applied += 1
                self.cond.notify_all()

    def drain(self, timeout=30.0):
        """Wait until every pending write has been applied (bounded)."""
        end = time.monotonic() + timeout
        with self.cond:
            while self.heap and time.monotonic() < end:
                self.cond.wait(0.1)
            return not self.heap

    def stop(self):
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
        self.thread.join(timeout=max(5.0, self.lag_max * 2 + 5))
