#!/usr/bin/env python3
"""The static binary holds a real election from a chroot that contains only
itself, one CA bundle and /etc/hosts: no shared library, no NSS module, no
OpenSSL configuration, no /bin/sh.

  1. Three instances, each run as `chroot ROOT /leader-exec --settle 1 --
     /leader-exec --version`, the bundle at the Amazon Linux path
     /etc/pki/tls/certs/ca-bundle.crt (found by the built-in probe, no
     SSL_CERT_FILE), EC2 at https://localhost:PORT (a TLS terminator on
     127.0.0.1 with a certificate from a test CA; "localhost" resolved by
     c-ares from the chroot's /etc/hosts): all exit 0, exactly one ran the
     command (its stdout is the version line), and it alone holds the tag.
  2. The bundle at the Debian path /etc/ssl/certs/ca-certificates.crt
     instead: the leader runs the command again.
  3. No bundle at all: exit 114, the error names SSL_CERT_FILE and both
     probed paths, nothing runs, no TLS connection is even tried.
  After 1., `--status --json` from the chroot on each instance is valid
  JSON naming that instance as self, the runner as leader, with exactly
  one instance ranked 1.

A cross build's binary (LEADER_EXEC_STATIC_EMULATOR, as qemu-aarch64-static
for aarch64) runs under that static emulator, which the chroot then holds
as /qemu: `chroot ROOT /qemu /leader-exec ...`, and the command is
`/qemu /leader-exec --version`.

Traffic stays on 127.0.0.1: the chroot's /etc/hosts maps localhost to
127.0.0.1 only, IMDS stand-ins and moto are the harness's loopback servers.
Skips (77) unless LEADER_EXEC_STATIC=yes (make check-static in a build
configured with --enable-static-binary), when not root, or without the
openssl command or moto.
"""
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
if os.environ.get("LEADER_EXEC_STATIC_BIN"):
    os.environ["LEADER_EXEC"] = os.environ["LEADER_EXEC_STATIC_BIN"]

NAME = "chroot_election"


def skip(why):
    print("SKIP: %s: %s" % (NAME, why))
    sys.exit(77)


if os.environ.get("LEADER_EXEC_STATIC") != "yes":
    skip("not configured with --enable-static-binary (run make check-static there)")
if os.geteuid() != 0:
    skip("chroot needs root")
CHROOT = shutil.which("chroot")
if CHROOT is None:
    skip("chroot is not installed")

import tlsworld as T  # noqa: E402

if not T.have_openssl():
    skip("the openssl command is not installed")

import world as W  # noqa: E402  (exits 77 without moto)

EMULATOR = os.environ.get("LEADER_EXEC_STATIC_EMULATOR") or None
# How the binary is run inside a chroot (under the emulator, copied in).
IN_ROOT = ["/qemu", "/leader-exec"] if EMULATOR else ["/leader-exec"]
AMAZON_BUNDLE = "/etc/pki/tls/certs/ca-bundle.crt"
DEBIAN_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
HOSTS = "127.0.0.1\tlocalhost\n"
ENDPOINT_RE = re.compile(r"^https://localhost:[0-9]{1,5}$")


def make_root(base, name, binary, ca_pem, bundle_path):
    """A chroot with /leader-exec, /etc/hosts and, when bundle_path, the CA
    bundle there.  Returns its path; checks it holds nothing else."""
    root = os.path.join(base, name)
    os.makedirs(os.path.join(root, "etc"))
    shutil.copy2(binary, os.path.join(root, "leader-exec"))
    with open(os.path.join(root, "etc", "hosts"), "w", encoding="ascii") as f:
        f.write(HOSTS)
    want = ["etc/hosts", "leader-exec"]
    if EMULATOR:
        shutil.copy2(EMULATOR, os.path.join(root, "qemu"))
        want.append("qemu")
    if bundle_path is not None:
        dst = os.path.join(root, bundle_path.lstrip("/"))
        os.makedirs(os.path.dirname(dst))
        shutil.copy2(ca_pem, dst)
        want.append(bundle_path.lstrip("/"))
    files = sorted(os.path.relpath(os.path.join(d, f), root)
                   for d, _, fs in os.walk(root) for f in fs)
    W.expect(files == sorted(want), "chroot %s holds only %s" % (name, ", ".join(files)),
             sorted(want), files)
    return root


def start(w, root, iid, endpoint, args):
    """leader-exec for iid inside root (a Popen)."""
    if not ENDPOINT_RE.match(endpoint):
        raise W.HarnessRefusal("EC2 endpoint %r is not https://localhost:<port>" % endpoint)
    with open(os.path.join(root, "etc", "hosts"), encoding="ascii") as f:
        if f.read() != HOSTS:
            raise W.HarnessRefusal("the chroot's /etc/hosts is not just localhost")
    env = w.child_env(iid)           # checks the IMDS endpoint is loopback
    env["AWS_ENDPOINT_URL_EC2"] = endpoint
    for k in ("MARKER_DIR", "LEADER_EXEC_MANIFEST"):     # host paths
        env.pop(k, None)
    env["PATH"] = "/"
    env["HOME"] = "/"
    return subprocess.Popen([CHROOT, root] + IN_ROOT + args, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd="/")


def finish(iid, p, timeout=60):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate(timeout=5)
    out = out.decode("utf-8", "replace")
    err = err.decode("utf-8", "replace")
    W.log("  ran %s in the chroot: rc=%s stdout=%r %s" % (
        iid, p.returncode, out, " | ".join(err.splitlines())[-300:]))
    return p.returncode, out, err


def check_status(w, root, endpoint, ids, leader):
    """--status --json from the chroot on every instance: valid JSON, self
    is that instance, leader the runner, exactly one instance ranked 1."""
    W.log("   --status --json from the chroot on each instance")
    for iid in ids:
        rc, out, _ = finish(iid, start(w, root, iid, endpoint, ["--status", "--json"]))
        W.expect(rc == 0, "%s: --status --json exits 0" % iid, 0, rc)
        try:
            doc = json.loads(out)
        except ValueError as e:
            raise W.ScenarioFailure("%s: --status --json is not JSON (%s): %r"
                                    % (iid, e, out)) from e
        W.expect(doc.get("self") == iid, "%s: --status --json self" % iid, iid,
                 doc.get("self"))
        W.expect(doc.get("leader") == leader, "%s: --status --json leader" % iid, leader,
                 doc.get("leader"))
        ranked = sorted(x.get("id") for x in doc.get("instances", []) if x.get("rank") == 1)
        W.expect(ranked == [leader], "%s: only the leader is ranked 1" % iid, [leader],
                 ranked)
        got = sorted(x.get("id") for x in doc.get("instances", []))
        W.expect(got == sorted(ids), "%s: --status --json lists the three" % iid,
                 sorted(ids), got)


def main():
    version = subprocess.run(([EMULATOR] if EMULATOR else []) + [W.find_binary(), "--version"],
                             capture_output=True, check=True, timeout=30).stdout.decode()
    if EMULATOR:
        W.log("the binary runs under %s (/qemu in each chroot)" % EMULATOR)
    with W.World(NAME) as w:
        pki = os.path.join(w.tmp, "pki")
        os.mkdir(pki)
        ca = T.make_ca(pki, "test-ca")
        srv = T.make_server_cert(pki, ca, "localhost", "DNS:localhost,IP:127.0.0.1")
        tls = T.TlsTerminator(w.proxy.port, srv[1], srv[0]).start()
        endpoint = "https://localhost:%d" % tls.port
        args = ["--settle", "1", "--timeout", "30", "--"] + IN_ROOT + ["--version"]
        try:
            ids = w.launch("e-chroot", 3)
            root = make_root(w.tmp, "root-amazon", w.binary, ca[1], AMAZON_BUNDLE)
            W.log("1. three instances in a chroot with %s, EC2 at %s" % (AMAZON_BUNDLE,
                                                                       endpoint))
            procs = {iid: start(w, root, iid, endpoint, args) for iid in ids}
            res = {iid: finish(iid, p) for iid, p in procs.items()}
            rcs = {iid: r[0] for iid, r in res.items()}
            W.expect(all(rc == 0 for rc in rcs.values()), "every instance exits 0", 0, rcs)
            ran = sorted(iid for iid, r in res.items() if r[1] == version)
            W.expect(len(ran) == 1, "exactly one instance ran /leader-exec --version",
                     1, {iid: r[1] for iid, r in res.items()})
            leader = ran[0]
            W.expect(all(res[i][1] == "" for i in ids if i != leader),
                     "the followers printed nothing", "", {i: res[i][1] for i in ids})
            holders = w.holders(ids)
            W.expect(list(holders) == [leader], "the runner alone holds the tag",
                     [leader], holders)
            ok, failed = tls.counts()
            W.expect(ok >= 3 and failed == 0,
                     "every EC2 connection was TLS, verified with the probed bundle",
                     ">= 3 handshakes, 0 failed", (ok, failed))

            check_status(w, root, endpoint, ids, leader)

            root2 = make_root(w.tmp, "root-debian", w.binary, ca[1], DEBIAN_BUNDLE)
            W.log("2. the leader again, the bundle at %s" % DEBIAN_BUNDLE)
            rc, out, _ = finish(leader, start(w, root2, leader, endpoint, args))
            W.expect(rc == 0 and out == version, "the leader runs the command again",
                     (0, version), (rc, out))

            root3 = make_root(w.tmp, "root-none", w.binary, ca[1], None)
            W.log("3. no CA bundle in the chroot")
            before = tls.counts()
            ec2_before = w.proxy.total_requests()
            rc, out, err = finish(leader, start(w, root3, leader, endpoint, args))
            lines = [ln for ln in err.splitlines() if ln.strip()]
            want = ("leader-exec: no CA certificates to verify %s: none of [%s, %s] is a "
                    "readable file; set SSL_CERT_FILE to a CA bundle (or SSL_CERT_DIR to a "
                    "directory of hashed certificates), or install the ca-certificates "
                    "package" % (endpoint, AMAZON_BUNDLE, DEBIAN_BUNDLE))
            W.expect(rc == W.EXIT_EC2, "no bundle: exit 114", W.EXIT_EC2, rc)
            W.expect(lines[-1:] == [want], "no bundle: the error names SSL_CERT_FILE and "
                     "both probed paths", want, lines[-1:])
            W.expect(out == "", "no bundle: the command did not run", "", out)
            W.expect(tls.counts() == before and w.proxy.total_requests() == ec2_before,
                     "no bundle: no TLS connection, no EC2 request", (before, ec2_before),
                     (tls.counts(), w.proxy.total_requests()))
        finally:
            tls.stop()


W.run_scenario(NAME, main)
