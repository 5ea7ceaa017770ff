"""TLS for the static-binary and CA tests: test CAs, server certificates and
a TLS terminator on 127.0.0.1 in front of the harness's counting proxy.

  make_ca(dir, name)                 a self-signed CA: (key path, cert path)
  make_server_cert(dir, ca, name, san)
                                     a server certificate signed by ca, with
                                     the given subjectAltName
  TlsTerminator(backend_port, cert, key)
                                     accepts TLS on a free 127.0.0.1 port and
                                     relays the plain bytes to 127.0.0.1:
                                     backend_port; counts handshakes that
                                     succeeded and failed

Everything is generated with the openssl command at test time in a
temporary directory and listens on 127.0.0.1 only.  Keys are EC P-256 (fast
to make).  Every wait is bounded; stop() joins every thread it started.
"""

import os
import select
import socket
import ssl
import subprocess
import threading

LOOPBACK = "127.0.0.1"
HANDSHAKE_TIMEOUT = 10.0
IDLE_TIMEOUT = 30.0


def _openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, timeout=60,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def have_openssl():
    try:
        subprocess.run(["openssl", "version"], check=True, timeout=10,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return True
    except (OSError, subprocess.SubprocessError):
        return False


def make_ca(d, name):
    """A CA certificate (CA:TRUE, keyCertSign) valid for two days."""
    key = os.path.join(d, name + ".key")
    crt = os.path.join(d, name + ".pem")
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", key, "-out", crt, "-days", "2",
             "-subj", "/CN=leader-exec %s" % name,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return key, crt


def make_server_cert(d, ca, name, san):
    """A serverAuth certificate for san (e.g. "IP:127.0.0.1,DNS:localhost")
    signed by ca = (key, cert)."""
    key = os.path.join(d, name + ".key")
    csr = os.path.join(d, name + ".csr")
    crt = os.path.join(d, name + ".pem")
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w", encoding="ascii") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=%s\n" % san)
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=%s" % name)
    _openssl("x509", "-req", "-in", csr, "-CA", ca[1], "-CAkey", ca[0],
             "-set_serial", str(int.from_bytes(os.urandom(8), "big")),
             "-days", "2", "-extfile", ext, "-out", crt)
    return key, crt


def hashed_dir(d, name, certs):
    """A directory of CA certificates with OpenSSL's hash links (what
    SSL_CERT_DIR expects)."""
    out = os.path.join(d, name)
    os.mkdir(out)
    for i, c in enumerate(certs):
        with open(c, "rb") as src, open(os.path.join(out, "ca%d.pem" % i), "wb") as dst:
            dst.write(src.read())
    _openssl("rehash", out)
    return out


class TlsTerminator:
    """TLS on a free 127.0.0.1 port, the plain bytes relayed to
    127.0.0.1:backend_port (one backend connection per client connection)."""

    def __init__(self, backend_port, cert, key):
        self.backend_port = backend_port
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.port = None
        self.handshakes = 0
        self.failed_handshakes = 0
        self.errors = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = None
        self._threads = []
        self._conns = set()

    @property
    def endpoint(self):
        return "https://%s:%d" % (LOOPBACK, self.port)

    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((LOOPBACK, 0))
        s.listen(64)
        s.settimeout(0.2)
        self._sock = s
        self.port = s.getsockname()[1]
        t = threading.Thread(target=self._accept_loop, name="tls-accept", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self):
        self._stop.set()
        with self._lock:
            conns = list(self._conns)
            threads = list(self._threads)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in threads:
            t.join(5)
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def counts(self):
        with self._lock:
            return self.handshakes, self.failed_handshakes

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                c, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(c,), name="tls-conn", daemon=True)
            with self._lock:
                self._conns.add(c)
                self._threads = [x for x in self._threads if x.is_alive()]
                self._threads.append(t)
            t.start()

    def _serve(self, raw):
        tls = back = None
        try:
            raw.settimeout(HANDSHAKE_TIMEOUT)
            try:
                tls = self.ctx.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError) as e:
                with self._lock:
                    self.failed_handshakes += 1
                    self.errors.append(str(e))
                return
            with self._lock:
                self.handshakes += 1
            back = socket.create_connection((LOOPBACK, self.backend_port), timeout=10)
            tls.settimeout(IDLE_TIMEOUT)
            back.settimeout(IDLE_TIMEOUT)
            self._relay(tls, back)
        except (ssl.SSLError, OSError):
            pass
        finally:
            for s in (tls, back, raw):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass
            with self._lock:
                self._conns.discard(raw)

    def _relay(self, tls, back):
        while not self._stop.is_set():
            if tls.pending() == 0:
                r, _, _ = select.select([tls, back], [], [], 1.0)
            else:
                r = [tls]
            if tls in r:
                data = tls.recv(65536)
                if not data:
                    return
                back.sendall(data)
            if back in r:
                data = back.recv(65536)
                if not data:
                    return
                tls.sendall(data)
