"""An eventually consistent tag store for the race tests.

LaggingTags is a hook for CountingProxy: it answers CreateTags and
DeleteTags at once, as EC2 does, but applies each write to moto only after
a random lag drawn from [lag_min, lag_max] seconds, so DescribeInstances
shows it late.  Writes to one instance are applied in the order they were
made (a later write never overtakes an earlier one), as in EC2.

Each instance's writes are applied by its own thread over one kept-alive
connection to moto (reopened only when moto closes it), so writes to
different instances falling due together do not queue behind each other.
The real lag of every write (from the acknowledgement to moto's answer to
the applied write) is kept in real_lags, for the race test to check
against the bound it assumes; every answer from moto is checked (HTTP 200
and a <CreateTagsResponse> or <DeleteTagsResponse>, no <Error>) and
anything else is kept in errors.

stop() waits (bounded) until every pending write has been applied.
"""

import http.client
import queue
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
MAX_RESOURCES = 256         # applier threads (one per instance) at most
MAX_ERRORS = 100


def _resource(body):
    for part in body.split(b"&"):
        if part.startswith(b"ResourceId.1="):
            return part[len(b"ResourceId.1="):]
    return b""


class _Applier:
    """One instance's writes, in order, over one connection to moto."""

    def __init__(self, store):
        self.store = store
        self.q = queue.Queue()
        self.conn = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _send(self, method, path, headers, body):
        """(status, body) of one write; one retry on a fresh connection when
        moto closed the kept-alive one."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.store.upstream_port, timeout=30)
            try:
                self.conn.putrequest(method, path, skip_host=True,
                                     skip_accept_encoding=True)
                for k, v in headers:
                    if k.lower() not in ("content-length", "connection", "expect"):
                        self.conn.putheader(k, v)
                self.conn.putheader("Content-Length", str(len(body)))
                self.conn.endheaders(body)
                r = self.conn.getresponse()
                data = r.read()
                if r.will_close:
                    self.conn.close()
                    self.conn = None
                return r.status, data
            except (OSError, http.client.HTTPException) as e:
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0, ("lagging: %s" % e).encode()
        return 0, b""

    def _run(self):
        while True:
            item = self.q.get()
            if item is None:
                break
            acked, at, action, method, path, headers, body = item
            wait = at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            status, answer = self._send(method, path, headers, body)
            self.store._applied(action, acked, status, answer)
        if self.conn is not None:
            self.conn.close()


class LaggingTags:
    def __init__(self, upstream_port, lag_min, lag_max, seed=None):
        self.upstream_port = upstream_port
        self.lag_min, self.lag_max = lag_min, lag_max
        self.rng = random.Random(seed)
        self.last = {}              # resource -> last scheduled apply time
        self.appliers = {}          # resource -> _Applier
        self.pending = 0
        self.applied = 0
        self.lags = []              # the lags drawn (scheduled)
        self.real_lags = []         # acknowledged -> moto answered the write
        self.errors = []            # (action, status, answer) not a success
        self.cond = threading.Condition()

    def __call__(self, rec):
        if rec.action not in ACK:
            return None
        now = time.monotonic()
        with self.cond:
            res = _resource(rec.body)
            if self.pending >= MAX_PENDING or (res not in self.appliers and
                                               len(self.appliers) >= MAX_RESOURCES):
                return Fault(response=(503, {}, b"lagging store full"))
            at = max(now + self.rng.uniform(self.lag_min, self.lag_max),
                     self.last.get(res, 0.0) + 0.001)
            self.last[res] = at
            self.lags.append(at - now)
            self.pending += 1
            ap = self.appliers.get(res)
            if ap is None:
                ap = self.appliers[res] = _Applier(self)
        ap.q.put((now, at, rec.action, rec.method, rec.path, list(rec.headers),
                  rec.body))
        return Fault(response=(200, {"Content-Type": "text/xml"}, ACK[rec.action]))

    def _applied(self, action, acked, status, answer):
        ok = (status == 200 and ("<%sResponse" % action).encode() in answer and
              b"<Error>" not in answer)
        with self.cond:
            self.real_lags.append(time.monotonic() - acked)
            if not ok and len(self.errors) < MAX_ERRORS:
                self.errors.append((action, status, answer[:300]))
            self.pending -= 1
            self.applied += 1
            self.cond.notify_all()

    def drain(self, timeout=30.0):
        """Wait until every pending write has been applied (bounded)."""
        end = time.monotonic() + timeout
        with self.cond:
            while self.pending and time.monotonic() < end:
                self.cond.wait(0.1)
            return self.pending == 0

    def reset_measures(self):
        """Forget the lags and errors measured so far (per round)."""
        with self.cond:
            self.real_lags = []
            self.errors = []

    def stop(self):
        self.drain(max(5.0, self.lag_max * 2 + 5))
        with self.cond:
            appliers = list(self.appliers.values())
            self.appliers = {}
        for ap in appliers:
            ap.q.put(None)
        for ap in appliers:
            ap.thread.join(5)
