"""moto's server with its request handling serialised (test harness only).

moto_server answers on a threaded werkzeug server, and its S3 backend checks
a PutObject condition (If-None-Match: *, If-Match) and then writes in two
steps: concurrent conditional writes to one key can all succeed, which real
S3 never allows (../shared/FACTS.md, "S3 conditional writes").  This script
builds the same WSGI application as `python -m moto.server` (moto's
DomainDispatcherApplication over create_backend_app) and wraps every request
in one global lock, so each request, body included, is handled alone and a
conditional write is atomic as in S3.  Connections are still accepted by
several threads, so slow clients only wait, they do not block accepting.
With INITIAL_NO_AUTH_ACTION_COUNT it checks S3 signatures over the path as
sent (verify_raw_paths), as S3 does.

Usage: python3 moto_serial.py PORT   (binds 127.0.0.1 only)
"""

import os
import signal
import sys
import threading

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

LOOPBACK = "127.0.0.1"


def verify_raw_paths():
    """moto recomputes an S3 signature over the decoded request path
    (BaseResponse.uri), so any key with an escaped byte ("%3A", "=")
    fails with SignatureDoesNotMatch even from boto3; S3 signs the path
    as sent, escaped once.  Verify over the raw path (RAW_URI) instead."""
    from urllib.parse import urlparse

    from moto.core.authorization import ActionAuthenticatorMixin as Mixin

    checked = Mixin._authenticate_and_authorize_action

    def over_raw_path(self, iam_request_cls, resource="*"):
        uri, raw = self.uri, getattr(self, "raw_path", None)
        if raw:
            self.uri = urlparse(uri)._replace(path=raw).geturl()
        try:
            return checked(self, iam_request_cls, resource)
        finally:
            self.uri = uri

    Mixin._authenticate_and_authorize_action = over_raw_path


class Serialised:
    """A WSGI middleware: one request at a time, the response body included."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.debug = True

    def __call__(self, environ, start_response):
        with self.lock:
            # Read the whole answer inside the lock: moto may produce it lazily.
            return list(self.app(environ, start_response))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: moto_serial.py PORT")
    port = int(sys.argv[1])
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    verify_raw_paths()
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    run_simple(LOOPBACK, port, Serialised(app), threaded=True)


if __name__ == "__main__":
    main()
