#!/usr/bin/env python3
"""The S3 client (src/s3.c over src/aws.c) against moto's S3 on 127.0.0.1,
driven through the test-only probe tests/integration/s3probe, with moto's
request handling serialised (tests/lib/moto_serial.py) so that conditional
writes are atomic as in S3.

Rules protected:
  * create-if-absent (If-None-Match: *) wins once, then "precondition";
  * If-Match with a stale ETag is "precondition", with the current one a write;
  * 409 ConditionalRequestConflict, 503 SlowDown, 500, resets and slow answers
    are retried to the right outcome, a 412 is a result and never retried;
  * endless 503 SlowDown: a clean error (114 or 116) inside the deadline;
  * NoSuchBucket: 115 naming the bucket; an object over 64 KiB: 114 at once;
  * 32 concurrent create-if-absent writers on one key: exactly one wins;
  * signatures verified (assumed-role keys with a session token) work;
    a role without s3:PutObject: 113 naming s3:PutObject and the bucket;
    a wrong secret: 112.
"""
import concurrent.futures
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402
import s3faults as F  # noqa: E402

NAME = "s3_client"
BUCKET = "leader-exec-s3-client"
WRITERS = 32
READ_ONLY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": "*",
    "Action": ["s3:GetObject", "s3:ListBucket", "ec2:DescribeInstances"]}]}


def probe_path():
    path = os.environ.get("S3PROBE") or os.path.join(W.REPO, "build", "tests",
                                                     "integration", "s3probe")
    if not os.access(path, os.X_OK):
        raise W.ScenarioFailure("s3probe not built at %s (make check builds it)" % path)
    return path


class Probe:
    def __init__(self, w):
        self.w = w
        self.path = probe_path()
        self.creds = ("testing", "testing", "")

    def run(self, *args, endpoint=None, timeout_ms=20000, creds=None):
        key, secret, token = creds or self.creds
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.w.tmp,
               "LANG": "C.UTF-8", "TZ": "UTC",
               "AWS_EC2_METADATA_SERVICE_ENDPOINT": W.S3_NOWHERE,
               "AWS_ENDPOINT_URL_EC2": W.S3_NOWHERE,
               "AWS_ENDPOINT_URL_S3": endpoint or self.w.proxy.endpoint,
               "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
               "AWS_REGION": W.REGION, "S3PROBE_TIMEOUT_MS": str(timeout_ms)}
        if token:
            env["AWS_SESSION_TOKEN"] = token
        env = W.guard_env(env, allow_aws=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                          "AWS_SESSION_TOKEN", "AWS_REGION"))
        t0 = time.monotonic()
        p = subprocess.run([self.path, *args], env=env, capture_output=True, text=True,
                           timeout=timeout_ms / 1000.0 + 30)
        if p.returncode != 0:
            W.log("  s3probe %s -> %d: %s" % (" ".join(args[:3]), p.returncode,
                                             p.stderr.strip().splitlines()[-1:]))
        return p.returncode, p.stdout.strip(), p.stderr.strip(), time.monotonic() - t0

    def ok(self, *args, **kw):
        rc, out, err, _ = self.run(*args, **kw)
        W.expect(rc == 0, "s3probe %s succeeds" % " ".join(args), 0, (rc, err))
        return out


def puts(w):
    return sum(1 for r in w.proxy.records if r.method == "PUT")


def check_conditions(w, p):
    W.log("create-if-absent wins once, then precondition")
    out = p.ok(BUCKET, "put", "a.json", '{"v":1}', "--if-none-match")
    W.expect(out.startswith("written \""), "first create writes", "written \"...\"", out)
    etag1 = out.split()[1]
    out = p.ok(BUCKET, "put", "a.json", '{"v":2}', "--if-none-match")
    W.expect(out == "precondition", "second create is a precondition failure",
             "precondition", out)
    body, etag = w.get_object(BUCKET, "a.json")
    W.expect((body, etag) == (b'{"v":1}', etag1), "the first body stays",
             (b'{"v":1}', etag1), (body, etag))
    out = p.ok(BUCKET, "get", "a.json")
    W.expect(out == "found %s {\"v\":1}" % etag1, "get returns ETag and body",
             "found %s {\"v\":1}" % etag1, out)

    W.log("If-Match: the current ETag replaces, a stale one is refused")
    out = p.ok(BUCKET, "put", "a.json", '{"v":3}', "--if-match", etag1)
    W.expect(out.startswith("written ") and out.split()[1] != etag1,
             "If-Match with the current ETag writes a new ETag", "written <new>", out)
    etag3 = out.split()[1]
    out = p.ok(BUCKET, "put", "a.json", '{"v":4}', "--if-match", etag1)
    W.expect(out == "precondition", "If-Match with a stale ETag fails", "precondition", out)
    out = p.ok(BUCKET, "put", "missing.json", '{"v":1}', "--if-match", etag1)
    W.expect(out == "precondition", "If-Match on a missing key fails", "precondition", out)
    body, etag = w.get_object(BUCKET, "a.json")
    W.expect((body, etag) == (b'{"v":3}', etag3), "the If-Match write stays",
             (b'{"v":3}', etag3), (body, etag))
    out = p.ok(BUCKET, "get", "never.json")
    W.expect(out == "absent", "a missing key is absent, not an error", "absent", out)


def check_injected(w, p):
    cases = [("409 ConditionalRequestConflict", [F.CONFLICT, F.CONFLICT]),
             ("503 SlowDown", [F.SLOWDOWN, F.SLOWDOWN]),
             ("500 InternalError", [F.INTERNAL]),
             ("connection reset", [F.RESET, F.RESET]),
             ("slow answer", [F.slow(1.5)])]
    for i, (what, faults) in enumerate(cases):
        key = "inj-%d.json" % i
        plan = F.FaultPlan(faults)
        w.proxy.hook = plan
        before = puts(w)
        out = p.ok(BUCKET, "put", key, '{"i":%d}' % i, "--if-none-match")
        w.proxy.hook = None
        W.expect(out.startswith("written "), "%s: retried to a write" % what,
                 "written ...", out)
        W.expect(plan.injected == len(faults), "%s: every fault was met" % what,
                 len(faults), plan.injected)
        # A slow answer is forwarded: it is the one write, not retried.
        sent = sum(1 for f in faults if f.response or f.reset or f.close) + 1
        W.expect(puts(w) - before == sent, "%s: one PUT per refusing fault, then one more"
                 % what, sent, puts(w) - before)
        body, _ = w.get_object(BUCKET, key)
        W.expect(body == b'{"i":%d}' % i, "%s: the object holds the body" % what,
                 b'{"i":%d}' % i, body)

    W.log("GET: 503 twice, then the answer")
    w.proxy.hook = F.FaultPlan([F.SLOWDOWN, F.RESET], match=F.is_get)
    out = p.ok(BUCKET, "get", "inj-0.json")
    w.proxy.hook = None
    W.expect(out.endswith(' {"i":0}'), "GET retried to the body", '... {"i":0}', out)

    W.log("a 412 from the proxy is a result, not retried")
    w.proxy.hook = plan = F.FaultPlan([F.PRECONDITION])
    before = puts(w)
    out = p.ok(BUCKET, "put", "pre.json", "{}", "--if-none-match")
    w.proxy.hook = None
    W.expect(out == "precondition", "412 is reported as precondition", "precondition", out)
    W.expect(puts(w) - before == 1, "412 is not retried", 1, puts(w) - before)

    W.log("endless 503 SlowDown: a clean error inside the deadline")
    w.proxy.hook = plan = F.FaultPlan([F.SLOWDOWN], endless=True)
    rc, out, err, took = p.run(BUCKET, "put", "never.json", "{}", "--if-none-match",
                               timeout_ms=4000)
    w.proxy.hook = None
    W.expect(rc in (W.EXIT_EC2, W.EXIT_DEADLINE), "endless 503 ends with 114 or 116",
             (W.EXIT_EC2, W.EXIT_DEADLINE), (rc, err))
    W.expect("S3 PutObject" in err and "SlowDown" in err, "the error names S3 and SlowDown",
             "S3 PutObject ... SlowDown", err)
    W.expect(took < 4.0 + 5.0, "it ends near the 4 s deadline", "< 9 s", took)
    W.expect(2 <= plan.injected <= 6, "retried, at most 6 attempts", "2..6", plan.injected)
    body, _ = w.get_object(BUCKET, "never.json")
    W.expect(body is None, "nothing was written", None, body)


def check_oversized(w, p):
    W.log("an object over 64 KiB: refused at once, naming it")
    w.put_object(BUCKET, "big.json", b"x" * (64 * 1024 + 1))
    before = sum(1 for r in w.proxy.records if r.method == "GET")
    rc, out, err, _ = p.run(BUCKET, "get", "big.json")
    gets = sum(1 for r in w.proxy.records if r.method == "GET") - before
    W.expect(rc == W.EXIT_EC2, "an oversized object exits 114", W.EXIT_EC2, (rc, err))
    W.expect("/%s/big.json is larger than 65536 bytes" % BUCKET in err,
             "the error names the object and the cap", "big.json ... 65536", err)
    W.expect(gets == 1, "it is not retried", 1, gets)
    w.put_object(BUCKET, "edge.json", b"y" * (64 * 1024))
    out = p.ok(BUCKET, "get", "edge.json")
    W.expect(out.endswith(" " + "y" * (64 * 1024)), "exactly 64 KiB is read", "64 KiB", len(out))


def check_no_bucket(p):
    rc, out, err, _ = p.run("no-such-bucket-here", "put", "k", "{}", "--if-none-match")
    W.expect(rc == W.EXIT_SCOPE, "NoSuchBucket exits 115", W.EXIT_SCOPE, (rc, err))
    W.expect("NoSuchBucket" in err and "bucket no-such-bucket-here" in err,
             "the error names the bucket", "bucket no-such-bucket-here", err)


def check_race(w, p):
    W.log("%d concurrent create-if-absent writers on one key" % WRITERS)

    def one(i):
        return i, p.run(BUCKET, "put", "race.json", '{"writer":%d}' % i,
                        "--if-none-match", endpoint=w.moto.endpoint)

    with concurrent.futures.ThreadPoolExecutor(WRITERS) as ex:
        res = dict(f.result()[0:2] for f in
                   [ex.submit(one, i) for i in range(WRITERS)])
    bad = {i: r for i, r in res.items() if r[0] != 0}
    W.expect(not bad, "every writer got an answer", {}, bad)
    winners = [i for i, r in res.items() if r[1].startswith("written ")]
    losers = [i for i, r in res.items() if r[1] == "precondition"]
    W.expect(len(winners) == 1, "exactly one writer wins", 1, winners)
    W.expect(len(losers) == WRITERS - 1, "every other writer gets precondition",
             WRITERS - 1, len(losers))
    body, etag = w.get_object(BUCKET, "race.json")
    W.expect(body == b'{"writer":%d}' % winners[0], "the object is the winner's",
             winners[0], body)
    W.expect(res[winners[0]][1] == "written %s" % etag, "the winner's ETag is the object's",
             etag, res[winners[0]][1])


def check_auth(w, p):
    W.log("moto verifying signatures; role without s3:PutObject")
    w.put_object(BUCKET, "ro.json", b'{"ro":1}')
    role = w.verify_with_role(READ_ONLY)
    out = p.ok(BUCKET, "get", "ro.json", creds=role)
    W.expect(out.endswith(' {"ro":1}'), "assumed-role keys with a token read",
             '... {"ro":1}', out)
    rc, out, err, _ = p.run(BUCKET, "put", "ro2.json", "{}", "--if-none-match", creds=role)
    W.expect(rc == W.EXIT_PERMISSION, "no s3:PutObject exits 113", W.EXIT_PERMISSION,
             (rc, err))
    W.expect("s3:PutObject" in err and "bucket %s" % BUCKET in err,
             "the error names s3:PutObject and the bucket", "s3:PutObject bucket", err)
    rc, out, err, _ = p.run(BUCKET, "get", "ro.json", creds=(role[0], "wrong" + role[1],
                                                             role[2]))
    W.expect(rc == W.EXIT_CREDENTIALS, "a wrong secret exits 112", W.EXIT_CREDENTIALS,
             (rc, err))


def main():
    with W.World(NAME, no_auth_count=1000000, serial=True) as w:
        p = Probe(w)
        w.create_bucket(BUCKET)
        check_conditions(w, p)
        check_injected(w, p)
        check_oversized(w, p)
        check_no_bucket(p)
        check_race(w, p)
        check_auth(w, p)


W.run_scenario(NAME, main, time_limit=240)
