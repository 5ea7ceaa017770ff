#!/usr/bin/env python3
"""TLS to the EC2 endpoint is always verified, against the CA certificates
that SSL_CERT_FILE / SSL_CERT_DIR name (else the system bundle).

An HTTPS endpoint on 127.0.0.1 (a TLS terminator in front of the counting
proxy and moto) presents a certificate for 127.0.0.1 and localhost from a
test CA made with the openssl command at test time.

  accepted: SSL_CERT_FILE = the test CA; SSL_CERT_DIR = a hashed directory
            holding it.  The election runs over TLS and the command runs.
  refused:  SSL_CERT_FILE = another CA; no SSL_CERT_FILE (the system
            bundle does not hold the test CA); a certificate for another
            host name from the test CA; SSL_CERT_FILE naming no file.
            Each exits 114, its last stderr line names SSL_CERT_FILE, the
            command does not run and no EC2 request reaches moto.

Runs the binary LEADER_EXEC_STATIC_BIN names (make check-static: the
stripped static binary), else LEADER_EXEC (make check: the normal build).
Skips (77) without the openssl command or moto.
"""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
if os.environ.get("LEADER_EXEC_STATIC_BIN"):
    os.environ["LEADER_EXEC"] = os.environ["LEADER_EXEC_STATIC_BIN"]

import tlsworld as T  # noqa: E402

if not T.have_openssl():
    print("SKIP: the openssl command is not installed")
    sys.exit(77)

import world as W  # noqa: E402  (exits 77 without moto)

NAME = "tls_ca"
EXIT_EC2 = W.EXIT_EC2
HTTPS_RE = re.compile(r"^https://127\.0\.0\.1:[0-9]{1,5}$")
SYSTEM_BUNDLES = ("/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt")


def run(w, iid, endpoint, ca_env, timeout=40):
    """leader-exec for iid against the https endpoint, with only the CA
    variables of ca_env; (rc, stdout, stderr)."""
    if not HTTPS_RE.match(endpoint):
        raise W.HarnessRefusal("EC2 endpoint %r is not https://127.0.0.1:<port>"
                               % endpoint)
    env = w.child_env(iid)           # checks the IMDS endpoint is loopback
    env["AWS_ENDPOINT_URL_EC2"] = endpoint
    env.update(ca_env)
    args = [w.binary, "--settle", "1", "--timeout", "20", "--"] + W.marker_command(iid)
    p = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout, cwd=w.tmp)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    W.log("  ran with %s: rc=%s %s" % (ca_env or "no CA variable", p.returncode,
                                      " | ".join(err.splitlines())[-400:]))
    return p.returncode, out, err


def expect_accepted(w, iid, endpoint, ca_env, what):
    w.clear_markers()
    rc, _, _ = run(w, iid, endpoint, ca_env)
    W.expect(rc == 0, "%s: accepted, exit 0" % what, 0, rc)
    W.expect(iid in w.markers(), "%s: the command ran" % what, iid, sorted(w.markers()))


def expect_refused(w, iid, endpoint, ca_env, what, tls, must_say, handshake):
    """handshake: "aborted" (leader-exec rejects the certificate during the
    handshake), "completed" (the server side finishes it; the host name
    check fails after) or "none" (refused before connecting)."""
    w.clear_markers()
    before_ec2 = w.proxy.total_requests()
    ok_before, failed_before = tls.counts()
    rc, out, err = run(w, iid, endpoint, ca_env)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    last = lines[-1] if lines else ""
    W.expect(rc == EXIT_EC2, "%s: refused with exit 114 (EC2 unreachable)" % what,
             EXIT_EC2, rc)
    W.expect(last.startswith("leader-exec: ") and "SSL_CERT_FILE" in last,
             "%s: the error line names SSL_CERT_FILE" % what, "leader-exec: ...SSL_CERT_FILE...",
             last)
    W.expect(must_say in last, "%s: the error says %r" % (what, must_say), must_say, last)
    W.expect(not w.markers() and out == "", "%s: the command did not run" % what,
             "no marker", sorted(w.markers()))
    W.expect(w.proxy.total_requests() == before_ec2,
             "%s: no EC2 request reached moto" % what, before_ec2, w.proxy.total_requests())
    ok_after, failed_after = tls.counts()
    # The terminator's thread may record the refused handshake a moment
    # after leader-exec has exited: wait for it, bounded.
    for _ in range(50):
        if handshake != "aborted" or failed_after > failed_before:
            break
        time.sleep(0.1)
        ok_after, failed_after = tls.counts()
    if handshake == "aborted":
        W.expect(ok_after == ok_before and failed_after > failed_before,
                 "%s: leader-exec aborted the TLS handshake" % what,
                 (ok_before, "> %d" % failed_before), (ok_after, failed_after))
    elif handshake == "none":
        W.expect((ok_after, failed_after) == (ok_before, failed_before),
                 "%s: no TLS connection was tried" % what,
                 (ok_before, failed_before), (ok_after, failed_after))


def main():
    with W.World(NAME) as w:
        pki = os.path.join(w.tmp, "pki")
        os.mkdir(pki)
        ca = T.make_ca(pki, "test-ca")
        other_ca = T.make_ca(pki, "other-ca")
        good = T.make_server_cert(pki, ca, "127.0.0.1", "IP:127.0.0.1,DNS:localhost")
        wrong = T.make_server_cert(pki, ca, "wrong-host", "DNS:wrong-host.invalid")
        ca_dir = T.hashed_dir(pki, "hashed", [ca[1]])
        tls = T.TlsTerminator(w.proxy.port, good[1], good[0]).start()
        tls_wrong = T.TlsTerminator(w.proxy.port, wrong[1], wrong[0]).start()
        try:
            iid = w.launch("e-tls", 1)[0]
            W.log("accepted: SSL_CERT_FILE is the test CA (%s)" % tls.endpoint)
            expect_accepted(w, iid, tls.endpoint, {"SSL_CERT_FILE": ca[1]},
                            "SSL_CERT_FILE=test CA")
            W.expect(w.holders([iid]).get(iid) is not None,
                     "the claim was written over TLS", "a tag", w.holders([iid]))
            W.expect(tls.counts()[0] >= 1, "requests went through the TLS endpoint",
                     ">= 1", tls.counts()[0])
            W.log("accepted: SSL_CERT_DIR is a hashed directory with the test CA")
            expect_accepted(w, iid, tls.endpoint, {"SSL_CERT_DIR": ca_dir},
                            "SSL_CERT_DIR=hashed test CA")

            W.log("refused: SSL_CERT_FILE is another CA")
            expect_refused(w, iid, tls.endpoint, {"SSL_CERT_FILE": other_ca[1]},
                           "another CA", tls, "certificate", handshake="aborted")
            W.log("refused: no SSL_CERT_FILE (the system bundle lacks the test CA)")
            system = any(os.path.exists(p) for p in SYSTEM_BUNDLES)
            expect_refused(w, iid, tls.endpoint, {}, "system CA bundle", tls,
                           "certificate", handshake="aborted" if system else "none")
            W.log("refused: a certificate from the test CA for another host name")
            expect_refused(w, iid, tls_wrong.endpoint, {"SSL_CERT_FILE": ca[1]},
                           "wrong host name", tls_wrong,
                           "no alternative certificate subject name matches target host "
                           "name '127.0.0.1'", handshake="completed")
            W.log("refused: SSL_CERT_FILE names no file")
            missing = os.path.join(pki, "absent.pem")
            expect_refused(w, iid, tls.endpoint, {"SSL_CERT_FILE": missing},
                           "missing SSL_CERT_FILE", tls,
                           "SSL_CERT_FILE=%s: No such file or directory" % missing,
                           handshake="none")
        finally:
            tls.stop()
            tls_wrong.stop()


W.run_scenario(NAME, main)
