"""A counting HTTP/1.1 reverse proxy for leader-exec's integration tests.

CountingProxy listens on a free port on 127.0.0.1 and forwards every request
to one upstream on 127.0.0.1 (moto_server).  Client connections are kept
alive; each client connection gets its own upstream connection, reopened
when the upstream closes it.  Headers are passed through unchanged (Host
included, so SigV4 signatures stay valid) except the hop-by-hop ones.
Responses are relayed with a Content-Length (a chunked upstream response is
re-framed), keep-alive preserved unless the client asked to close.

Counters, for assertions: connections (client TCP connections accepted),
methods (Counter by method), actions (Counter by the Action= field of a form
body or query), records (list of Record, one per request, with the client
connection number, status and the start of the response body).
reset_counts() zeroes them.

Fault injection: set proxy.hook to a function taking a Record (method,
path, headers, body, action, conn, index) and returning None (forward
normally) or a Fault: delay seconds before anything else, then either
reset (close with RST), close (close without answering), a canned response
(status, headers, body), or forwarding.

Everything is bounded: header block 64 KiB, 100 header lines, body 64 MiB,
socket timeouts, requests per connection, threads joined with timeouts.
"""

import collections
import dataclasses
import http.client
import socket
import struct
import threading
import time
import urllib.parse

LOOPBACK = "127.0.0.1"
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADER_LINES = 100
MAX_BODY = 64 * 1024 * 1024
MAX_REQUESTS_PER_CONN = 100000
MAX_RECORDS = 100000
CLIENT_IDLE_TIMEOUT = 30.0
UPSTREAM_TIMEOUT = 60.0
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
              "proxy-authorization", "te", "trailer", "trailers",
              "transfer-encoding", "upgrade", "expect"}


@dataclasses.dataclass
class Record:
    method: str
    path: str
    headers: list          # [(name, value)] as received
    body: bytes
    action: str            # Action= of the form body or query, or ""
    conn: int              # client connection number, from 1
    index: int             # request number on the proxy, from 1
    status: int = 0        # status sent to the client (0: none)
    elapsed: float = 0.0   # seconds from request read to response sent
    response: bytes = b""  # the first 4 KiB of the body sent to the client
    t_read: float = 0.0    # time.monotonic() when the request was read
    t_sent: float = 0.0    # time.monotonic() when the response was sent


@dataclasses.dataclass
class Fault:
    delay: float = 0.0
    reset: bool = False
    close: bool = False
    response: tuple = None  # (status, {header: value}, body bytes)


class _BadRequest(Exception):
    pass


def _action_of(path, body, headers):
    ctype = ""
    for k, v in headers:
        if k.lower() == "content-type":
            ctype = v.lower()
    fields = {}
    q = urllib.parse.urlsplit(path).query
    if q:
        fields.update(urllib.parse.parse_qs(q))
    if body and ("x-www-form-urlencoded" in ctype or not ctype):
        try:
            fields.update(urllib.parse.parse_qs(body.decode("utf-8")))
        except UnicodeDecodeError:
            pass
    vals = fields.get("Action")
    return vals[0] if vals else ""


def _read_line(rfile, budget):
    line = rfile.readline(budget + 1)
    if len(line) > budget:
        raise _BadRequest("header too large")
    return line


class CountingProxy:
    def __init__(self, upstream_port, upstream_host=LOOPBACK, port=0):
        if upstream_host != LOOPBACK:
            raise ValueError("CountingProxy forwards to 127.0.0.1 only")
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.port = port
        self.hook = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = None
        self._accept_thread = None
        self._conn_threads = []
        self._client_socks = set()
        self.reset_counts()

    # -- lifecycle -------------------------------------------------------

    @property
    def endpoint(self):
        return "http://%s:%d" % (LOOPBACK, self.port)

    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((LOOPBACK, self.port))
        s.listen(128)
        s.settimeout(0.1)
        self._sock = s
        self.port = s.getsockname()[1]
        self._accept_thread = threading.Thread(target=self._accept_loop,
                                               name="proxy-accept", daemon=True)
        self._accept_thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._accept_thread is not None:
            self._accept_thread.join(5)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        with self._lock:
            socks = list(self._client_socks)
            threads = list(self._conn_threads)
        for c in socks:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- counters --------------------------------------------------------

    def reset_counts(self):
        with self._lock:
            self.connections = 0
            self.methods = collections.Counter()
            self.actions = collections.Counter()
            self.records = []
            self._index = 0

    def total_requests(self):
        with self._lock:
            return sum(self.methods.values())

    def snapshot(self):
        """(connections, methods, actions, records) copied under the lock."""
        with self._lock:
            return (self.connections, collections.Counter(self.methods),
                    collections.Counter(self.actions), list(self.records))

    # -- serving ---------------------------------------------------------

    def _accept_loop(self):
        conn_no = 0
        while not self._stop.is_set():
            try:
                c, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                conn_no = self.connections
                self._client_socks.add(c)
                self._conn_threads = [t for t in self._conn_threads if t.is_alive()]
                t = threading.Thread(target=self._serve_client, args=(c, conn_no),
                                     name="proxy-conn-%d" % conn_no, daemon=True)
                self._conn_threads.append(t)
            t.start()

    def _serve_client(self, c, conn_no):
        c.settimeout(CLIENT_IDLE_TIMEOUT)
        rfile = c.makefile("rb")
        upstream = None
        try:
            for _ in range(MAX_REQUESTS_PER_CONN):
                if self._stop.is_set():
                    return
                try:
                    req = self._read_request(rfile, c, conn_no)
                except _BadRequest as e:
                    self._send(c, 400, [("Content-Type", "text/plain")],
                               str(e).encode(), close=True)
                    return
                if req is None:
                    return
                rec, client_close = req
                t0 = time.monotonic()
                fault = self.hook(rec) if self.hook is not None else None
                if fault is not None and fault.delay > 0:
                    time.sleep(fault.delay)
                if fault is not None and fault.reset:
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
                    return
                if fault is not None and fault.close:
                    return
                if fault is not None and fault.response is not None:
                    status, hdrs, body = fault.response
                    hdrs = list((hdrs or {}).items())
                else:
                    status, hdrs, body, upstream = self._forward(upstream, rec)
                self._send(c, status, hdrs, body, close=client_close,
                           head=rec.method == "HEAD")
                rec.status = status
                rec.response = body[:4096]
                rec.t_sent = time.monotonic()
                rec.elapsed = rec.t_sent - t0
                if client_close:
                    return
        except (OSError, http.client.HTTPException):
            return
        finally:
            if upstream is not None:
                upstream.close()
            try:
                rfile.close()
                c.close()
            except OSError:
                pass
            with self._lock:
                self._client_socks.discard(c)

    def _read_request(self, rfile, c, conn_no):
        """(Record, client wants close) or None at a clean end of stream."""
        budget = MAX_HEADER_BYTES
        line = rfile.readline(budget + 1)
        if not line:
            return None
        if len(line) > budget:
            raise _BadRequest("request line too long")
        budget -= len(line)
        parts = line.decode("latin-1").rstrip("\r\n").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequest("bad request line")
        method, path, version = parts
        headers = []
        while True:
            h = _read_line(rfile, budget)
            budget -= len(h)
            if not h:
                return None
            if h in (b"\r\n", b"\n"):
                break
            if len(headers) >= MAX_HEADER_LINES:
                raise _BadRequest("too many header lines")
            name, sep, value = h.decode("latin-1").partition(":")
            if not sep or not name.strip():
                raise _BadRequest("bad header line")
            headers.append((name.strip(), value.strip()))
        hmap = {k.lower(): v for k, v in headers}
        if "transfer-encoding" in hmap:
            raise _BadRequest("chunked request bodies are not supported")
        length = 0
        if "content-length" in hmap:
            try:
                length = int(hmap["content-length"])
            except ValueError:
                raise _BadRequest("bad Content-Length")
            if length < 0 or length > MAX_BODY:
                raise _BadRequest("body too large")
        if hmap.get("expect", "").lower() == "100-continue" and length > 0:
            c.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = rfile.read(length) if length else b""
        if len(body) != length:
            return None
        conn_hdr = hmap.get("connection", "").lower()
        client_close = "close" in conn_hdr or (version == "HTTP/1.0" and
                                               "keep-alive" not in conn_hdr)
        action = _action_of(path, body, headers)
        with self._lock:
            self._index += 1
            rec = Record(method, path, headers, body, action, conn_no, self._index,
                         t_read=time.monotonic())
            self.methods[method] += 1
            if action:
                self.actions[action] += 1
            if len(self.records) < MAX_RECORDS:
                self.records.append(rec)
        return rec, client_close

    def _forward(self, upstream, rec):
        """Send rec upstream; (status, headers, body, connection to reuse)."""
        for attempt in (1, 2):
            fresh = upstream is None
            if fresh:
                upstream = http.client.HTTPConnection(self.upstream_host,
                                                      self.upstream_port,
                                                      timeout=UPSTREAM_TIMEOUT)
            try:
                upstream.putrequest(rec.method, rec.path, skip_host=True,
                                    skip_accept_encoding=True)
                for k, v in rec.headers:
                    if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                        upstream.putheader(k, v)
                if rec.body or rec.method in ("POST", "PUT"):
                    upstream.putheader("Content-Length", str(len(rec.body)))
                upstream.endheaders(rec.body if rec.body else None)
                resp = upstream.getresponse()
                body = resp.read(MAX_BODY + 1)
                if len(body) > MAX_BODY:
                    upstream.close()
                    return 502, [("Content-Type", "text/plain")], b"upstream body too large", None
                hdrs = [(k, v) for k, v in resp.getheaders()
                        if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
                if resp.will_close:
                    upstream.close()
                    upstream = None
                return resp.status, hdrs, body, upstream
            except (ConnectionError, http.client.RemoteDisconnected,
                    http.client.BadStatusLine) as e:
                upstream.close()
                upstream = None
                if fresh or attempt == 2:
                    return 502, [("Content-Type", "text/plain")], \
                        ("proxy: upstream: %s" % e).encode(), None
            except (OSError, http.client.HTTPException) as e:
                upstream.close()
                return 502, [("Content-Type", "text/plain")], \
                    ("proxy: upstream: %s" % e).encode(), None
        return 502, [], b"", None

    @staticmethod
    def _send(c, status, headers, body, close=False, head=False):
        reason = http.client.responses.get(status, "Status")
        out = ["HTTP/1.1 %d %s" % (status, reason)]
        for k, v in headers:
            out.append("%s: %s" % (k, v))
        out.append("Content-Length: %d" % len(body))
        out.append("Connection: %s" % ("close" if close else "keep-alive"))
        data = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
        if not head:
            data += body
        c.sendall(data)
