#!/usr/bin/env python3
"""An IMDSv2 stand-in for leader-exec's integration tests.

One ImdsServer per simulated instance, each on its own free port on
127.0.0.1, served from threads.  It implements the parts of the EC2
instance metadata service that leader-exec reads, with IMDSv2 semantics:

  PUT /latest/api/token        X-aws-ec2-metadata-token-ttl-seconds: 1..21600
                               (400 when missing or out of range,
                                403 with X-Forwarded-For, as AWS does)
  PUT <any other path>         403
  GET without a valid token    401 (no IMDSv1), unless imdsv1 is set: then
                               a GET without a token header is answered
  GET /latest/dynamic/instance-identity/document
  GET /latest/meta-data/iam/security-credentials/        role name
  GET /latest/meta-data/iam/security-credentials/<role>  credentials JSON
  GET /latest/meta-data/instance-id, .../placement/region, .../placement/availability-zone
  anything else                404

Every server counts requests by (method, path) and TCP connections, for
assertions.  Knobs per instance: the role credentials, no_role (404 for the
role list), down (nothing listens on the port: connection refused), and a
hook called for every request that may return a canned (status, body) for
fault injection.

Standalone:  python3 imds_standin.py --config FILE [--max-seconds N]
FILE is JSON: [{"instance_id", "region", "port"?, "access_key", "secret",
"token", "no_role"?, "down"?}].  The chosen ports are written to stdout as
one JSON line, [{"instance_id", "port", "endpoint"}], then it serves until
SIGTERM/SIGINT or --max-seconds (default 3600) pass.
"""

import argparse
import collections
import datetime
import http.server
import json
import secrets
import signal
import socket
import sys
import threading
import time

LOOPBACK = "127.0.0.1"
TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
TOKEN_PATH = "/latest/api/token"
IDENTITY_PATH = "/latest/dynamic/instance-identity/document"
ROLES_PATH = "/latest/meta-data/iam/security-credentials/"
MAX_TOKENS = 10000          # bound on live tokens kept per server
MAX_LOG = 10000             # bound on the per-server request log
MAX_BODY = 1 << 20          # bound on request bodies we are willing to drain


def _iso(ts):
    """ISO 8601 in UTC with a Z, as IMDS writes it."""
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def free_port():
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class _Handler(http.server.BaseHTTPRequestHandler):
    # Headers and body go out as two writes: without TCP_NODELAY every
    # request after the first on a kept-alive connection waits ~40 ms.
    disable_nagle_algorithm = True

    protocol_version = "HTTP/1.1"   # keep-alive, like the real service
    server_version = "EC2ws"
    sys_version = ""
    timeout = 10                    # idle keep-alive connections end

    def setup(self):
        super().setup()
        self.server.owner._count_connection()

    def log_message(self, fmt, *args):   # quiet; the request log is kept in memory
        pass

    def _send(self, status, body=b"", ctype="text/plain", extra=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.server.owner._log(self.command, self.path, status)

    def _drain(self):
        n = self.headers.get("Content-Length")
        if n is None:
            return
        try:
            n = int(n)
        except ValueError:
            self.close_connection = True
            return
        if n < 0 or n > MAX_BODY:
            self.close_connection = True
            return
        if n:
            self.rfile.read(n)

    def _dispatch(self):
        owner = self.server.owner
        self._drain()
        owner._count_request(self.command, self.path)
        hook = owner.hook
        if hook is not None:
            canned = hook(self.command, self.path, dict(self.headers))
            if canned is not None:
                status, body = canned
                self._send(status, body)
                return
        status, body, extra = owner._answer(self.command, self.path, self.headers)
        self._send(status, body, extra=extra)

    do_GET = _dispatch
    do_PUT = _dispatch
    do_POST = _dispatch
    do_DELETE = _dispatch
    do_HEAD = _dispatch


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class ImdsServer:
    """One simulated instance's metadata service on 127.0.0.1.

    Attributes for assertions: requests (Counter of (method, path)),
    connections (int), log (list of (method, path, status)).  total_requests()
    sums requests.  Credentials and no_role may be changed while it runs.
    """

    def __init__(self, instance_id, region="us-east-1", access_key="AKIDEXAMPLE",
                 secret="secret", token="session-token", role="leader-exec-test-role",
                 port=0, no_role=False, down=False, instance_type="t3.micro",
                 image_id="ami-12c6146b", private_ip="10.0.0.10",
                 architecture="x86_64", imdsv1=False):
        self.instance_id = instance_id
        self.region = region
        self.access_key = access_key
        self.secret = secret
        self.token = token
        self.role = role
        self.port = port
        self.no_role = no_role
        self.down = down
        self.instance_type = instance_type
        self.image_id = image_id
        self.private_ip = private_ip
        self.architecture = architecture
        self.imdsv1 = imdsv1    # answer GETs without a token header (IMDSv1)
        self.pending_time = _iso(time.time())
        self.token_uses = 0     # > 0: a token turns invalid after that many GETs
        self._uses = collections.Counter()
        self.hook = None
        self.requests = collections.Counter()
        self.connections = 0
        self.log = []
        self._tokens = {}
        self._lock = threading.Lock()
        self._httpd = None
        self._thread = None

    # -- lifecycle -------------------------------------------------------

    @property
    def endpoint(self):
        return "http://%s:%d" % (LOOPBACK, self.port)

    def start(self):
        if self.down:
            # Take a port nobody listens on: bind, note it, close.  A connect
            # to it is refused (unless another process grabs it meanwhile).
            if not self.port:
                self.port = free_port()
            return self
        self._httpd = _Server((LOOPBACK, self.port), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="imds-%s" % self.instance_id,
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)
            self._httpd = None
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- knobs and counters ---------------------------------------------

    def set_credentials(self, access_key, secret, token):
        with self._lock:
            self.access_key, self.secret, self.token = access_key, secret, token

    def issued_tokens(self):
        """Every session token this server has handed out (still remembered)."""
        with self._lock:
            return list(self._tokens)

    def revoke_tokens(self):
        """Make every token handed out so far invalid (the next GET gets 401)."""
        with self._lock:
            self._tokens = {}

    def reset_counts(self):
        with self._lock:
            self.requests = collections.Counter()
            self.connections = 0
            self.log = []

    def total_requests(self):
        with self._lock:
            return sum(self.requests.values())

    def _count_connection(self):
        with self._lock:
            self.connections += 1

    def _count_request(self, method, path):
        with self._lock:
            self.requests[(method, path)] += 1

    def _log(self, method, path, status):
        with self._lock:
            if len(self.log) < MAX_LOG:
                self.log.append((method, path, status))

    # -- the service -----------------------------------------------------

    def _new_token(self, ttl):
        now = time.monotonic()
        with self._lock:
            if len(self._tokens) >= MAX_TOKENS:
                self._tokens = {t: e for t, e in self._tokens.items() if e > now}
                if len(self._tokens) >= MAX_TOKENS:
                    return None
            tok = secrets.token_urlsafe(40)
            self._tokens[tok] = now + ttl
            return tok

    def _token_valid(self, tok):
        if not tok:
            return False
        with self._lock:
            exp = self._tokens.get(tok)
        return exp is not None and exp > time.monotonic()

    def identity_document(self):
        return {
            "accountId": "123456789012",
            "architecture": self.architecture,
            "availabilityZone": self.region + "a",
            "billingProducts": None,
            "devpayProductCodes": None,
            "marketplaceProductCodes": None,
            "imageId": self.image_id,
            "instanceId": self.instance_id,
            "instanceType": self.instance_type,
            "kernelId": None,
            "pendingTime": self.pending_time,
            "privateIp": self.private_ip,
            "ramdiskId": None,
            "region": self.region,
            "version": "2017-09-30",
        }

    def credentials_document(self):
        now = time.time()
        with self._lock:
            ak, sk, tok = self.access_key, self.secret, self.token
        return {
            "Code": "Success",
            "LastUpdated": _iso(now),
            "Type": "AWS-HMAC",
            "AccessKeyId": ak,
            "SecretAccessKey": sk,
            "Token": tok,
            "Expiration": _iso(now + 6 * 3600),
        }

    def _answer(self, method, path, headers):
        """(status, body, extra headers) for one request."""
        if method == "PUT":
            if path != TOKEN_PATH:
                return 403, "", None
            if headers.get("X-Forwarded-For") is not None:
                return 403, "", None
            raw = headers.get(TOKEN_TTL_HEADER)
            try:
                ttl = int(raw.strip())
            except (AttributeError, ValueError):
                return 400, "", None
            if ttl < 1 or ttl > 21600:
                return 400, "", None
            tok = self._new_token(ttl)
            if tok is None:
                return 503, "", None
            return 200, tok, {TOKEN_TTL_HEADER: str(ttl)}
        if method not in ("GET", "HEAD"):
            return 405, "", None
        tok = headers.get(TOKEN_HEADER)
        if tok is None and self.imdsv1:
            pass                # IMDSv1: no token at all is accepted
        elif not self._token_valid(tok):
            return 401, "", None
        if self.token_uses > 0 and tok is not None:
            with self._lock:
                self._uses[tok] += 1
                if self._uses[tok] > self.token_uses:
                    self._tokens.pop(tok, None)
                    return 401, "", None
        if path == IDENTITY_PATH:
            return 200, json.dumps(self.identity_document(), indent=2), None
        if path in (ROLES_PATH, ROLES_PATH.rstrip("/")):
            if self.no_role:
                return 404, "", None
            return 200, self.role, None
        if path.startswith(ROLES_PATH):
            if self.no_role or path[len(ROLES_PATH):] != self.role:
                return 404, "", None
            return 200, json.dumps(self.credentials_document(), indent=2), None
        if path == "/latest/meta-data/instance-id":
            return 200, self.instance_id, None
        if path == "/latest/meta-data/placement/region":
            return 200, self.region, None
        if path == "/latest/meta-data/placement/availability-zone":
            return 200, self.region + "a", None
        return 404, "", None


def main(argv=None):
    ap = argparse.ArgumentParser(description="IMDSv2 stand-in on 127.0.0.1")
    ap.add_argument("--config", required=True,
                    help="JSON list of {instance_id, region, port?, access_key, secret, token}")
    ap.add_argument("--max-seconds", type=float, default=3600,
                    help="stop after this long (default 3600)")
    a = ap.parse_args(argv)
    with open(a.config, encoding="utf-8") as f:
        conf = json.load(f)
    if not isinstance(conf, list) or len(conf) > 1000:
        print("imds_standin: config must be a JSON list (at most 1000 entries)",
              file=sys.stderr)
        return 2
    servers = []
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        for c in conf:
            s = ImdsServer(c["instance_id"], region=c.get("region", "us-east-1"),
                           access_key=c.get("access_key", "AKIDEXAMPLE"),
                           secret=c.get("secret", "secret"),
                           token=c.get("token", "session-token"),
                           port=int(c.get("port", 0) or 0),
                           no_role=bool(c.get("no_role", False)),
                           down=bool(c.get("down", False)))
            servers.append(s.start())
        print(json.dumps([{"instance_id": s.instance_id, "port": s.port,
                           "endpoint": s.endpoint} for s in servers]), flush=True)
        stop.wait(a.max_seconds)
    finally:
        for s in servers:
            s.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
