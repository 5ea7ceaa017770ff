#!/usr/bin/env python3
"""Issue 11: values that other people control (tags on any group member,
the caller's environment, what the network sends) cannot steer, stall or
leak leader-exec.  One check per item of the issue, each against moto and
the IMDS stand-in on 127.0.0.1:

  item 1   an invalid region from AWS_REGION, AWS_DEFAULT_REGION or the
           identity document: 2 (111 for the document), naming the source,
           nothing sent to EC2
  item 2   a 128-character tag key on another member: the election works
  item 3   scope values with EC2 wildcards (--scope tag:team=web*, an
           environment id with '?'): only the exact group counts
  item 4   INT64_MAX on a stopped member, or far ahead on a live one, does
           not pin the next term
  item 5   a 200-character CJK environment tag: the election works
  item 6   --status text escapes a newline in another member's tag
  item 7   SIGTERM while a follower retracts: 117, the retraction finished;
           SIGHUP and SIGQUIT end a run like SIGTERM: 117, claim retracted
  item 8   the command inherits the ignored signals and the mask of the start
  item 9   the process is not dumpable while it holds secrets
  item 10  AWS_SESSION_TOKEN with CR/LF: 112 naming it, nothing sent
  item 11  expired IMDS credentials: a warning, then EC2 decides (moto takes
           them: elected; ExpiredToken: 112)
  item 13  an announced Content-Length over the 64 MiB cap: 114 at once,
           the body never read
"""
import http.server
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402
from proxy import Fault  # noqa: E402

NAME = "hardening"
KEY = "leader-exec:command"
FAST = ["--settle", "0.3"]
BAD_REGION = "attacker.example:8443#"
NOBODY = 65534


def run(w, iid, *opts, timeout=10, extra=None, allow_aws=(), command=True):
    w.clear_markers()
    args = w.marker_args(*FAST, "--timeout", str(timeout), *opts) if command else \
        list(FAST) + ["--timeout", str(timeout)] + list(opts)
    return w.run_one(args, iid, timeout=timeout + 15, extra_env=extra, allow_aws=allow_aws)


def elect_fast(w, ids, *opts, timeout=15):
    """All of ids at once; every run exits 0 and exactly one runs: its id."""
    w.clear_markers()
    res = w.run_all(w.marker_args(*FAST, "--timeout", str(timeout), *opts), ids,
                    timeout=timeout + 15)
    rcs = {i: r.rc for i, r in res.items()}
    W.expect(all(rc == 0 for rc in rcs.values()), "every instance exits 0", 0, rcs)
    m = w.markers()
    W.expect(len(m) == 1, "exactly one instance ran the command", 1, m)
    leader = next(iter(m))
    W.expect(leader in ids and m[leader][0] == leader,
             "the runner is a member and LEADER_EXEC_LEADER_ID is its own id", ids, m)
    return leader, int(m[leader][1]), res


def item1_region(w):
    iid = w.launch("e-region", 1)[0]
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        W.log("item 1: %s=%s" % (var, BAD_REGION))
        w.proxy.reset_counts()
        w.imds[iid].reset_counts()
        r = run(w, iid, extra={var: BAD_REGION}, allow_aws=(var,))
        W.expect(r.rc == W.EXIT_USAGE, "issue 11 item 1: %s invalid exits 2" % var, 2,
                 (r.rc, r.lines()[-2:]))
        W.expect(var in r.stderr and "not a region name" in r.stderr,
                 "issue 11 item 1: the error names %s" % var, var, r.lines()[-1:])
        W.expect(w.proxy.total_requests() == 0, "issue 11 item 1: %s: nothing sent to EC2"
                 % var, 0, w.proxy.total_requests())
        W.expect(w.markers() == {}, "issue 11 item 1: nothing ran", {}, w.markers())
    W.log("item 1: the identity document's region us-east-1- (a trailing hyphen)")
    w.proxy.reset_counts()
    w.imds[iid].region = "us-east-1-"
    try:
        r = run(w, iid)
    finally:
        w.imds[iid].region = W.REGION
    W.expect(r.rc == W.EXIT_METADATA, "issue 11 item 1: a bad document region exits 111",
             111, (r.rc, r.lines()[-2:]))
    W.expect("identity document" in r.stderr and "not a region name" in r.stderr,
             "issue 11 item 1: the error names the identity document", "identity document",
             r.lines()[-1:])
    W.expect(w.proxy.total_requests() == 0, "issue 11 item 1: document: nothing sent to EC2",
             0, w.proxy.total_requests())
    W.log("item 1: a valid AWS_REGION still works")
    r = run(w, iid, extra={"AWS_REGION": W.REGION}, allow_aws=("AWS_REGION",))
    W.expect(r.rc == 0 and iid in w.markers(), "issue 11 item 1: AWS_REGION=us-east-1 elects",
             0, (r.rc, r.lines()[-2:]))


def item2_long_key(w):
    W.log("item 2: a 128-character tag key on another member")
    ids = w.launch("e-longkey", 2)
    w.ec2.create_tags(Resources=[ids[1]], Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
    elect_fast(w, ids)


def item3_wildcards(w):
    W.log("item 3: --scope tag:team=web* must not match team=web-prod")
    mine = w.launch("e-wild-a", 1, extra_tags={"team": "web*"})[0]
    other = w.launch("e-wild-b", 1, extra_tags={"team": "web-prod"})[0]
    w.ec2.create_tags(Resources=[other], Tags=[{"Key": KEY, "Value": "1000"}])
    r = run(w, mine, "--scope", "tag:team=web*")
    W.expect(r.rc == 0, "issue 11 item 3: --scope web* exits 0", 0, (r.rc, r.lines()[-2:]))
    m = w.markers()
    W.expect(m.get(mine, ("",))[0] == mine,
             "issue 11 item 3: self leads its own group, not follows %s" % other,
             mine, (m, r.lines()[-1:]))
    W.log("item 3: an environment id with '?' must not match another environment")
    wild = w.launch("e-wild?", 1)[0]
    near = w.launch("e-wildX", 1)[0]
    w.ec2.create_tags(Resources=[near], Tags=[{"Key": KEY, "Value": "1000"}])
    r = run(w, wild)
    m = w.markers()
    W.expect(r.rc == 0 and m.get(wild, ("",))[0] == wild,
             "issue 11 item 3: environment e-wild? elects itself, not e-wildX's holder",
             wild, (r.rc, m, r.lines()[-1:]))
    W.expect(w.tags(near).get(KEY) == "1000", "issue 11 item 3: the other group is untouched",
             "1000", w.tags(near).get(KEY))


def item4_pinned_term(w):
    W.log("item 4: 9223372036854775807 on a stopped member")
    ids = w.launch("e-pin", 2)
    w.ec2.create_tags(Resources=[ids[0]], Tags=[{"Key": KEY, "Value": str(2 ** 63 - 1)}])
    w.ec2.stop_instances(InstanceIds=[ids[0]])
    before = int(time.time())
    r = run(w, ids[1])
    after = int(time.time())
    m = w.markers()
    W.expect(r.rc == 0 and ids[1] in m, "issue 11 item 4: the running member leads", 0,
             (r.rc, r.lines()[-2:]))
    term = int(m[ids[1]][1])
    W.expect(before <= term <= after + 1, "issue 11 item 4: the term is now, not pinned",
             "%d..%d" % (before, after + 1), term)
    W.log("item 4: a live member's term far ahead, of another epoch")
    ids = w.launch("e-pin-live", 2)
    w.ec2.create_tags(Resources=[ids[0]], Tags=[{"Key": KEY, "Value": "%d@old" % (2 ** 63 - 2)}])
    before = int(time.time())
    r = run(w, ids[1], "--epoch", "new")
    after = int(time.time())
    m = w.markers()
    W.expect(r.rc == 0 and ids[1] in m, "issue 11 item 4: epoch new elects", 0,
             (r.rc, r.lines()[-2:]))
    term = int(m[ids[1]][1])
    W.expect(before <= term <= after + 1,
             "issue 11 item 4: a term more than a day ahead does not raise the claim",
             "%d..%d" % (before, after + 1), term)


def item5_cjk(w):
    W.log("item 5: a 200-character CJK environment tag")
    env = "\u74b0" * 100 + "\u5883" * 100
    ids = w.launch(env, 2)
    elect_fast(w, ids)


def item6_status_text(w):
    W.log("item 6: --status with a newline in another member's tag")
    ids = w.launch("e-status-forge", 2)
    w.ec2.create_tags(Resources=[ids[1]],
                      Tags=[{"Key": KEY, "Value": "1\nleader:  i-evil (term 1)"}])
    r = run(w, ids[0], "--status", command=False)
    W.expect(r.rc == 0, "issue 11 item 6: --status exits 0", 0, (r.rc, r.lines()[-2:]))
    forged = [ln for ln in r.stdout.splitlines() if ln.startswith("leader:") and "evil" in ln]
    W.expect(not forged, "issue 11 item 6: no forged leader: line", [], forged)
    W.expect("1\\nleader:  i-evil (term 1)" in r.stdout,
             "issue 11 item 6: the value is shown escaped", "1\\nleader:", r.stdout)


class DelayAction:
    """Proxy hook: delay one Action, and say when it arrived."""

    def __init__(self, action, delay):
        self.action, self.delay = action, delay
        self.arrived = threading.Event()

    def __call__(self, rec):
        if rec.action == self.action:
            self.arrived.set()
            return Fault(delay=self.delay)
        return None


def start(w, iid, argv_opts, **popen):
    env = w.child_env(iid)
    argv = [w.binary] + argv_opts + ["--"] + W.marker_command(iid)
    return subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=w.tmp, **popen)


def finish(p, timeout=15):
    try:
        out, err = p.communicate(timeout=timeout)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=5)
    return p.returncode, err.decode(errors="replace")


def item7_signals(w):
    W.log("item 7: SIGTERM while a follower retracts its losing claim")
    ids = w.launch("e-sig-retract", 2)
    w.ec2.create_tags(Resources=[ids[0]], Tags=[{"Key": KEY, "Value": "1000"}])
    w.ec2.create_tags(Resources=[ids[1]], Tags=[{"Key": KEY, "Value": "2000"}])
    w.clear_markers()
    hook = DelayAction("DeleteTags", 2.0)
    w.proxy.hook = hook
    try:
        p = start(w, ids[1], FAST + ["--timeout", "20"])
        W.expect(hook.arrived.wait(15), "issue 11 item 7: the follower retracts", "DeleteTags")
        p.send_signal(signal.SIGTERM)
        rc, err = finish(p)
    finally:
        w.proxy.hook = None
    W.log("  rc=%s %s" % (rc, err.strip()[-300:]))
    W.expect(rc == W.EXIT_SIGNAL, "issue 11 item 7: SIGTERM during the retraction exits 117",
             117, (rc, err[-300:]))
    W.expect(KEY not in w.tags(ids[1]), "issue 11 item 7: the retraction still finished",
             "no tag", w.tags(ids[1]))
    W.expect(w.markers() == {}, "issue 11 item 7: nothing ran", {}, w.markers())
    for sig in (signal.SIGHUP, signal.SIGQUIT):
        W.log("item 7: %s while settling" % sig.name)
        iid = w.launch("e-sig-%s" % sig.name.lower(), 1)[0]
        w.clear_markers()
        # Whatever the harness inherited (nohup, a CI runner), the run
        # starts with the default disposition, as item 8 would keep an
        # ignored one ignored.
        p = start(w, iid, ["--settle", "20", "--timeout", "40"],
                  preexec_fn=lambda s=sig: signal.signal(s, signal.SIG_DFL))
        t0 = time.monotonic()
        while time.monotonic() - t0 < 15 and p.poll() is None and KEY not in w.tags(iid):
            time.sleep(0.1)
        W.expect(KEY in w.tags(iid), "issue 11 item 7: %s: claimed first" % sig.name, "a claim")
        p.send_signal(sig)
        rc, err = finish(p)
        W.expect(rc == W.EXIT_SIGNAL, "issue 11 item 7: %s ends the run with 117" % sig.name,
                 117, (rc, err[-300:]))
        W.expect(KEY not in w.tags(iid), "issue 11 item 7: %s: the claim is retracted"
                 % sig.name, "no tag", w.tags(iid))
        W.expect(w.markers() == {}, "issue 11 item 7: %s: nothing ran" % sig.name, {},
                 w.markers())


def sig_lines(text):
    return {k: int(v, 16) for k, v in (ln.split(":", 1) for ln in text.splitlines())}


def item8_dispositions(w):
    """Two starts, each run with and without leader-exec around the probe:
    sh's trap '' INT PIPE then nohup, and a parent that ignores HUP, INT and
    PIPE and blocks SIGUSR2 itself.  The probe (grep on /proc/self/status)
    must see the same SigIgn and SigBlk with leader-exec as without."""
    iid = w.launch("e-sigign", 1)[0]
    probe = ["grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"]
    le = [w.binary] + FAST + ["--timeout", "10", "--"]

    def ignore_and_block():
        for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, {signal.SIGUSR2})

    starts = (("trap '' INT PIPE + nohup", lambda cmd: ["sh", "-c",
                                                      "trap '' INT PIPE; exec nohup \"$@\"",
                                                      "sh"] + cmd, None),
              ("SIG_IGN HUP INT PIPE + blocked USR2", lambda cmd: cmd, ignore_and_block))
    for label, wrap, pre in starts:
        W.log("item 8: %s" % label)
        got = {}
        for which, cmd in (("without", probe), ("with", le + probe)):
            p = subprocess.run(wrap(cmd), env=w.child_env(iid), stdin=subprocess.DEVNULL,
                               capture_output=True, cwd=w.tmp, preexec_fn=pre,
                               restore_signals=False, timeout=30)
            W.expect(p.returncode == 0, "issue 11 item 8: %s: the probe ran %s leader-exec"
                     % (label, which), 0, (p.returncode, p.stderr[-300:]))
            got[which] = sig_lines(p.stdout.decode())
        W.log("  without %s, with %s" % (got["without"], got["with"]))
        want = got["without"]
        for sig in (signal.SIGINT, signal.SIGPIPE, signal.SIGHUP):
            W.expect(want["SigIgn"] & (1 << (sig - 1)), "%s: the start ignores %s"
                     % (label, sig.name), "ignored", want)
        if pre is not None:
            W.expect(want["SigBlk"] & (1 << (signal.SIGUSR2 - 1)),
                     "%s: the start blocks SIGUSR2" % label, "blocked", want)
        W.expect(got["with"] == want, "issue 11 item 8: %s: the command inherits exactly "
                 "the start's ignored signals and mask" % label, want, got["with"])


def item9_dumpable(w):
    W.log("item 9: not dumpable while holding secrets (run as uid %d)" % NOBODY)
    iid = w.launch("e-dump", 1)[0]
    out = tempfile.mkdtemp(dir=w.tmp)
    os.chmod(out, 0o777)
    os.chmod(w.tmp, 0o755)
    probe = os.path.join(out, "child")
    env = w.child_env(iid, extra={"HOME": out, "OUT": probe})
    # The checkout may sit below a directory nobody cannot enter (mktemp -d
    # makes it 0700): run a copy of the binary from the readable one.
    # (Under make check-valgrind w.binary is the memcheck wrapper, which
    # nobody could not follow into the build tree: this one run goes
    # without memcheck.)
    binary = os.path.join(out, "leader-exec")
    shutil.copy2(os.environ.get("LEADER_EXEC_REAL") or w.binary, binary)
    os.chmod(binary, 0o755)

    def as_nobody():
        os.setgid(NOBODY)
        os.setuid(NOBODY)

    hook = DelayAction("DescribeInstances", 2.0)
    w.proxy.hook = hook
    try:
        p = subprocess.Popen([binary] + FAST + ["--timeout", "20", "--", "sh", "-c",
                             "stat -c %u /proc/self/status > \"$OUT\""],
                             env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=out, preexec_fn=as_nobody)
        W.expect(hook.arrived.wait(15), "issue 11 item 9: a request is in flight", "arrived")
        owner = os.stat("/proc/%d/status" % p.pid).st_uid
        w.proxy.hook = None
        rc, err = finish(p, timeout=30)
    finally:
        w.proxy.hook = None
    W.log("  owner of /proc/PID/status while running: %d; rc=%s" % (owner, rc))
    W.expect(owner == 0, "issue 11 item 9: non-dumpable (its /proc files belong to root) "
             "while it holds credentials", 0, owner)
    W.expect(rc == 0, "issue 11 item 9: the run ends 0", 0, (rc, err[-300:]))
    with open(probe, encoding="utf-8") as f:
        child = int(f.read().strip())
    W.expect(child == NOBODY, "issue 11 item 9: the command is dumpable as usual", NOBODY,
             child)


def item10_session_token(w):
    W.log("item 10: AWS_SESSION_TOKEN with CR/LF")
    iid = w.launch("e-token", 1)[0]
    env = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
           "AWS_SESSION_TOKEN": "tok\r\nX-Injected: yes"}
    w.proxy.reset_counts()
    r = run(w, iid, extra=env, allow_aws=tuple(env))
    W.expect(r.rc == W.EXIT_CREDENTIALS, "issue 11 item 10: exits 112", 112,
             (r.rc, r.lines()[-2:]))
    W.expect("AWS_SESSION_TOKEN" in r.stderr, "issue 11 item 10: the error names the variable",
             "AWS_SESSION_TOKEN", r.lines()[-1:])
    W.expect("X-Injected" not in r.stderr and "tok" not in r.stderr.replace("token", ""),
             "issue 11 item 10: the value is never echoed", "no value", r.stderr)
    W.expect(w.proxy.total_requests() == 0, "issue 11 item 10: nothing sent to EC2", 0,
             w.proxy.total_requests())


EXPIRED_TOKEN = (b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>'
                 b'<Code>ExpiredToken</Code><Message>The security token included in the '
                 b'request is expired</Message></Error></Errors><RequestID>r</RequestID>'
                 b'</Response>')


def item11_expired(w):
    import json
    iid = w.launch("e-expired", 1)[0]
    imds = w.imds[iid]
    past = dict(imds.credentials_document(), Expiration="2020-01-01T00:00:00Z")
    imds.hook = (lambda m, p, h: (200, json.dumps(past))
                 if m == "GET" and p.endswith("/" + imds.role) else None)
    try:
        W.log("item 11: expired IMDS credentials that EC2 (moto) still takes")
        r = run(w, iid)
        W.expect(r.rc == 0 and iid in w.markers(),
                 "issue 11 item 11: tried with a warning, then elected", 0,
                 (r.rc, r.lines()[-3:]))
        W.expect("warning" in r.stderr and "expired" in r.stderr,
                 "issue 11 item 11: the warning names the expiry", "warning ... expired",
                 r.lines())
        W.log("item 11: expired IMDS credentials that EC2 refuses (ExpiredToken)")
        w.proxy.hook = lambda rec: Fault(response=(400, {"Content-Type": "text/xml"},
                                                   EXPIRED_TOKEN))
        r = run(w, iid)
    finally:
        imds.hook = None
        w.proxy.hook = None
    W.expect(r.rc == W.EXIT_CREDENTIALS, "issue 11 item 11: ExpiredToken exits 112", 112,
             (r.rc, r.lines()[-2:]))
    W.expect("ExpiredToken" in r.stderr, "issue 11 item 11: the error names ExpiredToken",
             "ExpiredToken", r.lines()[-1:])
    W.expect(w.markers() == {}, "issue 11 item 11: nothing ran", {}, w.markers())


class Stall(http.server.BaseHTTPRequestHandler):
    """Announces a body over the cap, sends 1 KiB of it, then stalls."""
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(70 << 20))
        self.end_headers()
        try:
            self.wfile.write(b"<DescribeInstancesResponse><!-- " + b"x" * 1024)
            self.wfile.flush()
            time.sleep(12)
        except OSError:
            pass
        self.close_connection = True

    def log_message(self, *a):
        pass


def item13_content_length(w):
    W.log("item 13: an announced Content-Length over the cap, the body stalling")
    iid = w.launch("e-biglen", 1)[0]
    srv = http.server.ThreadingHTTPServer((W.LOOPBACK, 0), Stall)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        ep = "http://127.0.0.1:%d" % srv.server_address[1]
        w.clear_markers()
        r = w.run_one(w.marker_args(*FAST, "--timeout", "10"), iid, timeout=25,
                      extra_env={"AWS_ENDPOINT_URL_EC2": ep})
    finally:
        srv.shutdown()
        srv.server_close()
    W.expect(r.rc == W.EXIT_EC2, "issue 11 item 13: exits 114", 114, (r.rc, r.lines()[-2:]))
    W.expect("larger than" in r.stderr, "issue 11 item 13: the error names the cap",
             "larger than", r.lines()[-1:])
    W.expect(r.elapsed < 9, "issue 11 item 13: refused without waiting for the body "
             "(which stalls past --timeout 10)", "< 9 s", "%.2f s" % r.elapsed)
    W.expect(w.markers() == {}, "issue 11 item 13: nothing ran", {}, w.markers())


def main():
    with W.World(NAME) as w:
        for step in (item1_region, item2_long_key, item3_wildcards, item4_pinned_term,
                     item5_cjk, item6_status_text, item7_signals, item8_dispositions,
                     item9_dumpable, item10_session_token, item11_expired,
                     item13_content_length):
            step(w)


W.run_scenario(NAME, main, time_limit=540)
