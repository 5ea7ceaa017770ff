#!/usr/bin/env python3
"""leader-exec benchmarks (issue 5); run through bench/run.

Part 1, compare: one EB-like environment of 10 instances in moto with a
leader already elected (by leader-exec itself).  A follower's steady-state
decision is timed, in alternating rounds (A B C D A B C D ...), for

  leader-exec    leader-exec --check
  boto3          python3 bench/boto3_leader.py        (the same election)
  awscli         bash bench/awscli_leader.sh          (curl + aws ec2 ...)
  floor          one curl(1) process replaying, with --next over reused
                 connections, the HTTP requests leader-exec makes (captured
                 with their signed headers beforehand)

Part 2, requests: HTTP requests and TCP connections per decision, counted
at the servers (the IMDS stand-in; a CountingProxy in front of moto), for
the steady state and for a real claim in a fresh environment.

Part 3, scale: groups of 10 ... 10,000 instances (one moto, one environment
id per size): wall, CPU (user+sys) and peak RSS of leader-exec for the
steady-state follower and the claim path (--dry-run with a fresh --epoch
each run: nobody holds, the whole group is read), against moto itself and
against a replay server that answers every request with moto's own answer,
recorded the first time, so the numbers show leader-exec rather than the
emulator.  Then the parser alone (bench/parse_bench.c) on the saved pages
of the 10,000-instance group, and callgrind profiles.

Part 4, the s3 store (--store s3://BUCKET) beside the tags store, in a
world of its own with moto serialised: S3 requests per claim, the time to
a confirmed leader over rounds of 3 instances started together for both
stores, and a follower's steady state for both.

Everything talks to 127.0.0.1 only; every server is started here on a
free port and stopped by PID/handle at the end, whatever happens.
"""

import argparse
import collections
import datetime
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "lib"))

import world as W  # noqa: E402  (scrubs AWS_* and proxies from this process)
import imds_standin  # noqa: E402
from imds_standin import ImdsServer, free_port  # noqa: E402
from proxy import CountingProxy, Fault  # noqa: E402

# The IMDS stand-in writes a response's headers and body in two send()s on
# a keep-alive connection without TCP_NODELAY: Nagle holds the body until
# the client's delayed ACK, 40 ms later, so every request after the first
# on a connection costs ~44 ms (measured).  The real IMDS has no such
# stall, and it would swamp what is measured here (leader-exec makes four
# IMDS requests over one connection), so the bench sets TCP_NODELAY on the
# stand-in's sockets, at run time; tests/lib is not changed.
imds_standin._Handler.disable_nagle_algorithm = True
STOPPING = threading.Event()      # set on SIGTERM / the time limit: workers stop

TAG_KEY = "leader-exec:command"
ENV_TAG = "elasticbeanstalk:environment-id"
PY = sys.executable
PYBIN = os.path.dirname(os.path.realpath(PY))

# -- small helpers ---------------------------------------------------------


def log(msg=""):
    print(msg, flush=True)


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def samples(rs):
    """The per-run figures kept in results.json for a list of Run."""
    return {"wall": [x.wall for x in rs], "cpu": [x.cpu for x in rs],
            "user": [x.user for x in rs], "sys": [x.sys for x in rs],
            "maxrss_kib": [x.maxrss for x in rs]}


def fmt_ms(s):
    """seconds -> '12.3' (ms) with sensible precision."""
    ms = s * 1000.0
    if ms >= 1000:
        return "%.0f" % ms
    if ms >= 100:
        return "%.0f" % ms
    if ms >= 10:
        return "%.1f" % ms
    return "%.2f" % ms


def fmt_range(xs):
    return "%s–%s" % (fmt_ms(min(xs)), fmt_ms(max(xs)))


def mib(kib):
    return kib / 1024.0


_children = set()            # PIDs of processes we started and not yet reaped
_children_lock = threading.Lock()


def _kill_children():
    with _children_lock:
        pids = list(_children)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Run:
    __slots__ = ("rc", "wall", "user", "sys", "maxrss", "stdout", "stderr", "timed_out")

    @property
    def cpu(self):
        return self.user + self.sys


TIMEIT = os.path.join(HERE, "build", "timeit")


def measure(argv, env, timeout=120.0, cwd=None, outdir=None):
    """Run argv once through bench/timeit (see there: a small parent, so
    that ru_maxrss is the command's own): wall clock from fork to wait4,
    rusage (user, sys, ru_maxrss of the child and everything it waited
    for), exit status, output.  timeit kills the command after timeout
    seconds; timeit itself dies with this process."""
    outdir = outdir or tempfile.gettempdir()
    op = os.path.join(outdir, "stdout.txt")
    ep = os.path.join(outdir, "stderr.txt")
    p = subprocess.Popen([TIMEIT, "-t", str(int(timeout)), "-o", op, "-e", ep, "--"] +
                         list(argv), env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                         preexec_fn=W._die_with_parent)
    with _children_lock:
        _children.add(p.pid)
    try:
        out, err = p.communicate(timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        W._stop_pid(p, grace=2)
        out, err = p.communicate(timeout=10)
    finally:
        with _children_lock:
            _children.discard(p.pid)
    f = out.decode().split()
    if p.returncode != 0 or len(f) != 6:
        raise BenchFailure("timeit %s: rc %s %r %r" % (argv[0], p.returncode, out, err))
    r = Run()
    r.rc, r.wall, r.user, r.sys = int(f[0]), float(f[1]), float(f[2]), float(f[3])
    r.maxrss, r.timed_out = int(f[4]), f[5] == "1"
    with open(op, "rb") as fh:
        r.stdout = fh.read().decode("utf-8", "replace")
    with open(ep, "rb") as fh:
        r.stderr = fh.read().decode("utf-8", "replace")
    return r


class BenchFailure(Exception):
    pass


def require(cond, what):
    if not cond:
        raise BenchFailure(what)


# -- moto (with bench/moto_server.py's lookup fix) --------------------------

class BenchMoto(W.Moto):
    """W.Moto, but started through bench/moto_server.py (see there)."""

    def start(self):
        env = W._base_env(self.workdir)
        if os.environ.get("LEADER_EXEC_BENCH_PLAIN_MOTO") == "1":
            env["LEADER_EXEC_BENCH_PLAIN_MOTO"] = "1"
        self._logf = open(os.path.join(self.workdir, "moto.log"), "ab")
        for _ in range(3):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [PY, os.path.join(HERE, "moto_server.py"), "-H", W.LOOPBACK,
                 "-p", str(self.port)],
                stdin=subprocess.DEVNULL, stdout=self._logf, stderr=subprocess.STDOUT,
                env=env, cwd=self.workdir, preexec_fn=W._die_with_parent)
            W._register(self)
            if W._wait_http(self.port, "/moto-api/", tries=300, proc=self.proc):
                return self
            W._stop_pid(self.proc)
        raise BenchFailure("moto_server did not answer on 127.0.0.1 (see %s/moto.log)"
                           % self.workdir)


class ReplayCache:
    """A CountingProxy hook: answer each EC2 request with moto's answer to
    the same request body, asked of moto once and then kept.  Only for
    reads; the bench writes nothing while it is installed (leader-exec runs
    --check as a follower or --dry-run; CreateTags/DeleteTags would pass
    through and empty the cache)."""

    def __init__(self, moto_port):
        self.port = moto_port
        self.cache = {}
        self.order = []            # request bodies in the order first seen
        self.lock = threading.Lock()
        self.misses = 0

    def __call__(self, rec):
        if rec.action != "DescribeInstances":
            with self.lock:
                self.cache.clear()
            return None
        key = rec.body
        with self.lock:
            hit = self.cache.get(key)
        if hit is not None:
            return Fault(response=hit)
        c = http.client.HTTPConnection(W.LOOPBACK, self.port, timeout=900)
        try:
            c.putrequest(rec.method, rec.path, skip_host=True, skip_accept_encoding=True)
            for k, v in rec.headers:
                if k.lower() not in ("connection", "content-length", "expect"):
                    c.putheader(k, v)
            c.putheader("Content-Length", str(len(rec.body)))
            c.endheaders(rec.body)
            r = c.getresponse()
            body = r.read()
            hdrs = {k: v for k, v in r.getheaders()
                    if k.lower() in ("content-type", "x-amzn-requestid")}
            ans = (r.status, hdrs, body)
        finally:
            c.close()
        if ans[0] == 200:
            with self.lock:
                self.misses += 1
                if key not in self.cache:
                    self.order.append(key)
                self.cache[key] = ans
        return Fault(response=ans)


# -- the bench ----------------------------------------------------------------

class Bench:
    def __init__(self, a):
        self.a = a
        self.binary = os.path.abspath(a.binary)
        self.variants = [("leader-exec", self.binary)]
        if a.static_binary:
            self.variants.append(("leader-exec static", os.path.abspath(a.static_binary)))
        self.results = {"started": datetime.datetime.now(datetime.timezone.utc)
                        .strftime("%Y-%m-%dT%H:%M:%SZ")}
        self.tmp = tempfile.mkdtemp(prefix="leader-exec-bench-")
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home)
        self.rundir = os.path.join(self.tmp, "run")
        os.mkdir(self.rundir)
        self.moto = None
        self.proxy = None          # CountingProxy -> moto (counting)
        self.replay = None         # CountingProxy with ReplayCache -> moto
        self.replay_cache = None
        self.imds = {}
        self.servers = []
        self.ec2 = None

    # lifecycle
    def start(self):
        self.moto = BenchMoto(self.tmp).start()
        self.proxy = CountingProxy(self.moto.port).start()
        self.servers.append(self.proxy)
        self.ec2 = self.moto.client("ec2")
        log("moto %s (pid %d), counting proxy %s, work dir %s" % (
            self.moto.endpoint, self.moto.proc.pid, self.proxy.endpoint, self.tmp))

    def stop(self):
        _kill_children()
        for s in self.imds.values():
            try:
                s.stop()
            except Exception:  # noqa: BLE001
                pass
        for s in self.servers:
            try:
                s.stop()
            except Exception:  # noqa: BLE001
                pass
        if self.moto is not None:
            self.moto.stop()
        if self.a.keep:
            log("kept %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # environments
    def launch(self, env_id, n, per_reservation=1, threads=4, limit=None):
        """n instances tagged as EB tags them; the first one launched a
        second before the others, so it is the group's senior.  One
        reservation per instance by default (as an Auto Scaling group
        launches them), so DescribeInstances pages by 1,000 as on AWS."""
        tags = [{"Key": ENV_TAG, "Value": env_id},
                {"Key": "elasticbeanstalk:environment-name", "Value": "bench-" + env_id},
                {"Key": "Name", "Value": "bench-" + env_id}]
        spec = [{"ResourceType": "instance", "Tags": tags}]

        def run(client, count):
            r = client.run_instances(ImageId=W.AMI, MinCount=count, MaxCount=count,
                                     InstanceType="t3.micro", TagSpecifications=spec)
            return [i["InstanceId"] for i in r["Instances"]]

        t0 = time.monotonic()
        first = run(self.ec2, 1)
        time.sleep(1.1)
        rest = n - 1
        batches = []
        while rest > 0:
            batches.append(min(per_reservation, rest))
            rest -= batches[-1]
        ids = list(first)
        clients = [self.moto.client("ec2") for _ in range(threads)]
        deadline = t0 + limit if limit else None
        done = [0]
        lock = threading.Lock()

        def work(k):
            out = []
            for j in range(k, len(batches), threads):
                if STOPPING.is_set():
                    raise BenchFailure("stopped")
                if deadline and time.monotonic() > deadline:
                    raise BenchFailure("creating %d instances took longer than "
                                       "--setup-limit" % n)
                out.extend(run(clients[k], batches[j]))
                with lock:
                    done[0] += batches[j]
                    if done[0] % 1000 < batches[j] and n >= 2000:
                        log("    %d of %d instances, %.0f s" % (
                            done[0] + 1, n, time.monotonic() - t0))
            return out

        with ThreadPoolExecutor(threads) as ex:
            for out in ex.map(work, range(threads)):
                ids.extend(out)
        el = time.monotonic() - t0
        require(len(ids) == n, "launched %d of %d instances" % (len(ids), n))
        return ids, el

    def imds_for(self, iid):
        if iid not in self.imds:
            self.imds[iid] = ImdsServer(iid, region=W.REGION, access_key="AKIDBENCH",
                                        secret="bench-secret", token="bench-token").start()
        return self.imds[iid]

    def env_for(self, iid, ec2_endpoint, imds_endpoint=None):
        env = W._base_env(self.home)
        env["PATH"] = PYBIN + ":" + env["PATH"]     # the real aws/python, not a shim
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds_endpoint or self.imds_for(iid).endpoint
        env["AWS_ENDPOINT_URL_EC2"] = ec2_endpoint
        env["LEADER_EXEC_MANIFEST"] = os.path.join(self.tmp, "no-manifest.json")
        env["NO_PROXY"] = "*"
        return W.guard_env(env)

    def tool_argv(self, tool, extra=()):
        if tool == "leader-exec":
            return [self.binary] + list(extra)
        if tool == "leader-exec static":
            return [self.variants[1][1]] + list(extra)
        if tool == "boto3":
            return [PY, os.path.join(HERE, "boto3_leader.py")] + list(extra)
        if tool == "awscli":
            return ["/bin/bash", os.path.join(HERE, "awscli_leader.sh")] + list(extra)
        raise ValueError(tool)

    def run(self, argv, env, timeout=120.0):
        return measure(argv, env, timeout=timeout, cwd=self.rundir, outdir=self.rundir)

    def elect(self, env_id, senior):
        """Elect senior with leader-exec itself (a real claim)."""
        r = self.run([self.binary, "--settle", "0.5", "--timeout", "120", "--", "true"],
                     self.env_for(senior, self.moto.endpoint), timeout=180)
        require(r.rc == 0, "electing %s in %s: rc %s: %s" % (senior, env_id, r.rc,
                                                            r.stderr[-800:]))
        tags = {t["Key"]: t["Value"] for t in self.ec2.describe_instances(
            InstanceIds=[senior])["Reservations"][0]["Instances"][0].get("Tags", [])}
        require(TAG_KEY in tags, "the elected %s carries %s" % (senior, TAG_KEY))
        return tags[TAG_KEY]

    # -- part 1 and 2 -------------------------------------------------------

    def counts(self, iid, argv, env_via_proxy, expect_rc=None, timeout=120.0):
        imds = self.imds_for(iid)
        imds.reset_counts()
        self.proxy.reset_counts()
        r = self.run(argv, env_via_proxy, timeout=timeout)
        time.sleep(0.2)     # let the servers finish their bookkeeping
        conns, methods, actions, _ = self.proxy.snapshot()
        out = {"rc": r.rc, "imds_requests": imds.total_requests(),
               "imds_connections": imds.connections,
               "ec2_requests": sum(methods.values()), "ec2_connections": conns,
               "ec2_actions": dict(actions), "imds_paths": {
                   "%s %s" % k: v for k, v in imds.requests.items()}}
        out["requests"] = out["imds_requests"] + out["ec2_requests"]
        out["connections"] = out["imds_connections"] + out["ec2_connections"]
        if expect_rc is not None:
            require(r.rc == expect_rc, "%s: rc %s, expected %s: %s" % (
                " ".join(argv[:2]), r.rc, expect_rc, r.stderr[-1500:]))
        return out

    def capture_floor(self, follower):
        """Capture leader-exec's steady-state requests (signed headers and
        all) through recording proxies, and build one curl(1) command that
        replays them with --next over reused connections."""
        imds = self.imds_for(follower)
        cap = CountingProxy(imds.port).start()
        self.servers.append(cap)
        self.proxy.reset_counts()
        env = self.env_for(follower, self.proxy.endpoint, imds_endpoint=cap.endpoint)
        r = self.run([self.binary, "-vv", "--check"], env)
        require(r.rc == 1, "capture run: rc %s: %s" % (r.rc, r.stderr[-800:]))
        _, _, _, imds_recs = cap.snapshot()
        _, _, _, ec2_recs = self.proxy.snapshot()
        cap.stop()
        self.servers.remove(cap)
        # A token for the replayed GETs, good for the whole bench (leader-exec
        # asks for 60 s; the replayed PUT still asks for what it asked).
        c = http.client.HTTPConnection(W.LOOPBACK, imds.port, timeout=5)
        c.request("PUT", "/latest/api/token",
                  headers={"X-aws-ec2-metadata-token-ttl-seconds": "21600"})
        token = c.getresponse().read().decode()
        c.close()
        reqs = [("imds", x) for x in imds_recs] + [("ec2", x) for x in ec2_recs]
        reqs.sort(key=lambda t: t[1].index if t[0] == "imds" else 1000 + t[1].index)
        with open(os.path.join(self.tmp, "floor-requests.txt"), "w") as f:
            for kind, x in reqs:
                f.write("%s %s %s\n" % (kind, x.method, x.path))
                for k, v in x.headers:
                    if k.lower() in ("authorization", "x-amz-security-token",
                                     "x-aws-ec2-metadata-token"):
                        v = v[:12] + "..."
                    f.write("  %s: %s\n" % (k, v))
                if x.body:
                    f.write("  body: %s\n" % x.body.decode())
        return reqs, token, r.stderr

    def floor_argv(self, reqs, token, imds_endpoint, ec2_endpoint, write_out=False):
        argv = ["curl"]
        first = True
        for kind, x in reqs:
            if not first:
                argv.append("--next")
            first = False
            base = imds_endpoint if kind == "imds" else ec2_endpoint
            argv += ["-s", "-S", "--noproxy", "*", "-o", "/dev/null", "-X", x.method]
            if write_out:
                argv += ["-w", "%{http_code} %{num_connects}\\n"]
            names = set()
            for k, v in x.headers:
                lk = k.lower()
                if lk in ("host", "content-length", "connection"):
                    continue
                if lk == "x-aws-ec2-metadata-token":
                    v = token
                names.add(lk)
                argv += ["-H", "%s: %s" % (k, v)]
            for h in ("accept", "user-agent", "expect", "content-type"):
                if h not in names:
                    argv += ["-H", h.title() + ":"]
            if x.body:
                argv += ["--data-binary", x.body.decode()]
            argv.append(base + x.path)
        return argv

    def part_compare(self):
        a = self.a
        log("\n== part 1/2: a steady-state follower, 10-instance group ==")
        ids, el = self.launch("e-compare", 10, per_reservation=1)
        senior, follower = ids[0], ids[-1]
        value = self.elect("e-compare", senior)
        # The steady state: a claim older than the settle time (a follower
        # that sees a claim younger than that re-reads once after --settle,
        # 3 s by default, before it accepts it).
        time.sleep(max(0.0, int(value.split("@")[0]) + 6 - time.time()))
        log("  10 instances in %.1f s; leader %s (%s=%s); follower %s" % (
            el, senior, TAG_KEY, value, follower))
        R = self.results["compare"] = {"group": 10, "leader": senior, "follower": follower}

        # every tool agrees on the leader, and says "follower"
        direct = self.env_for(follower, self.moto.endpoint)
        r = self.run([self.binary, "--export"], direct)
        require(r.rc == 0 and ("LEADER_EXEC_LEADER_ID='%s'" % senior) in r.stdout,
                "leader-exec --export on the follower: %s %s" % (r.stdout, r.stderr))
        for tool in ("boto3", "awscli"):
            r = self.run(self.tool_argv(tool, ["--print"]), direct)
            require(r.rc == 1 and r.stdout.strip() == senior,
                    "%s on the follower: rc %s, leader %r, expected 1 and %s: %s" % (
                        tool, r.rc, r.stdout.strip(), senior, r.stderr[-1500:]))
        log("  every tool names %s as the leader and exits 1 on the follower" % senior)

        # part 2: requests and connections, steady state
        via = self.env_for(follower, self.proxy.endpoint)
        steady = {
            "leader-exec": self.counts(follower, self.tool_argv("leader-exec", ["--check"]),
                                       via, 1),
            "boto3": self.counts(follower, self.tool_argv("boto3"), via, 1),
            "awscli": self.counts(follower, self.tool_argv("awscli"), via, 1),
        }
        if len(self.variants) > 1:
            steady["leader-exec static"] = self.counts(
                follower, self.tool_argv("leader-exec static", ["--check"]), via, 1)
        # the floor: capture leader-exec's requests, build the curl command
        reqs, token, vv = self.capture_floor(follower)
        R["floor_requests"] = ["%s %s %s" % (k, x.method, x.path) for k, x in reqs]
        require(len(reqs) == steady["leader-exec"]["requests"],
                "captured %d requests, counted %d" % (len(reqs),
                                                     steady["leader-exec"]["requests"]))
        chk = self.floor_argv(reqs, token, self.imds_for(follower).endpoint,
                              self.proxy.endpoint, write_out=True)
        self.imds_for(follower).reset_counts()
        self.proxy.reset_counts()
        r = self.run(chk, self.env_for(follower, self.proxy.endpoint))
        lines = r.stdout.split()
        codes, nconn = lines[0::2], sum(int(x) for x in lines[1::2])
        require(r.rc == 0 and codes == ["200"] * len(reqs),
                "the floor replay: rc %s, statuses %s: %s" % (r.rc, codes, r.stderr))
        time.sleep(0.2)
        conns, methods, actions, _ = self.proxy.snapshot()
        im = self.imds_for(follower)
        steady["floor (curl)"] = {
            "rc": 0, "imds_requests": im.total_requests(), "imds_connections": im.connections,
            "ec2_requests": sum(methods.values()), "ec2_connections": conns,
            "ec2_actions": dict(actions), "curl_new_connections": nconn}
        s = steady["floor (curl)"]
        s["requests"] = s["imds_requests"] + s["ec2_requests"]
        s["connections"] = s["imds_connections"] + s["ec2_connections"]
        R["requests_steady"] = steady

        # claim path: a fresh environment per tool, the senior claims for real
        claim = {}
        for tool, extra in (("leader-exec", ["--settle", "0.5", "--check"]),
                            ("boto3", ["--settle", "0.5"]),
                            ("awscli", ["--settle", "0.5"])):
            cids, _ = self.launch("e-claim-" + tool.replace(" ", ""), 3)
            claim[tool] = self.counts(cids[0], self.tool_argv(tool, extra),
                                      self.env_for(cids[0], self.proxy.endpoint), 0)
        R["requests_claim"] = claim
        for name, d in (("steady state", steady), ("claim path", claim)):
            for tool, c in d.items():
                log("  %-12s %-13s %2d requests (%d IMDS + %d EC2 %s), %d TCP connections"
                    " (%d IMDS + %d EC2)" % (name, tool, c["requests"], c["imds_requests"],
                                             c["ec2_requests"], dict(c["ec2_actions"]),
                                             c["connections"], c["imds_connections"],
                                             c["ec2_connections"]))

        # part 1: timing, alternating rounds, in two worlds.  "replay": EC2
        # answered through the replay proxy, every answer moto's own, computed
        # by moto once per distinct request and then served from memory, so
        # the time is the tool's and not moto's serializer's (8-10 ms per
        # DescribeInstances, profiled); "moto": straight to moto_server.  The
        # IMDS stand-in is the same in both.  Rounds alternate tool by tool
        # and world by world.
        self.start_replay()
        worlds = collections.OrderedDict([("replay", self.replay.endpoint),
                                          ("moto", self.moto.endpoint)])
        expect = {"leader-exec": 1, "boto3": 1, "awscli": 1, "floor (curl)": 0,
                  "leader-exec static": 1}
        plan = collections.OrderedDict()       # (world, tool) -> (argv, env)
        for world, endpoint in worlds.items():
            env = self.env_for(follower, endpoint)
            plan[(world, "leader-exec")] = (self.tool_argv("leader-exec", ["--check"]), env)
            if len(self.variants) > 1:
                plan[(world, "leader-exec static")] = (
                    self.tool_argv("leader-exec static", ["--check"]), env)
            plan[(world, "boto3")] = (self.tool_argv("boto3"), env)
            plan[(world, "awscli")] = (self.tool_argv("awscli"), env)
            plan[(world, "floor (curl)")] = (self.floor_argv(
                reqs, token, self.imds_for(follower).endpoint, endpoint), env)
        runs = {k: [] for k in plan}
        for (world, t), (argv, env) in plan.items():     # one untimed warm-up each
            r = self.run(argv, env)
            require(r.rc == expect[t], "warm-up %s (%s): rc %s: %s" % (
                t, world, r.rc, r.stderr[-800:]))
        misses = self.replay_cache.misses
        log("  timing %d alternating rounds of %s, against the replay proxy and against "
            "moto" % (a.rounds, ", ".join(t for w, t in plan if w == "replay")))
        t0 = time.monotonic()
        for i in range(a.rounds):
            for (world, t), (argv, env) in plan.items():
                r = self.run(argv, env)
                require(r.rc == expect[t] and not r.timed_out,
                        "round %d %s (%s): rc %s: %s" % (i + 1, t, world, r.rc,
                                                          r.stderr[-800:]))
                runs[(world, t)].append(r)
            if (i + 1) % 10 == 0:
                log("    %d rounds, %.0f s" % (i + 1, time.monotonic() - t0))
        # every timed request in the replay world was served from memory
        require(self.replay_cache.misses == misses,
                "the replay proxy asked moto %d times during the timed rounds" % (
                    self.replay_cache.misses - misses))
        R["rounds"] = a.rounds
        # what each build costs before its first request: --version, 20 runs
        R["startup"] = {}
        ldd = subprocess.run(["ldd", self.binary], capture_output=True, text=True)
        R["dynamic_libraries"] = len([x for x in ldd.stdout.splitlines() if "=>" in x])
        for name, binary in self.variants:
            rs = [self.run([binary, "--version"], self.env_for(follower, self.moto.endpoint))
                  for _ in range(20)]
            require(all(x.rc == 0 for x in rs), "%s --version failed" % name)
            d = R["startup"][name] = samples(rs)
            log("  %-18s --version: median %s ms wall, %s ms CPU, peak RSS %.1f MiB" % (
                name, fmt_ms(med(d["wall"])), fmt_ms(med(d["cpu"])), mib(max(d["maxrss_kib"]))))
        for world in worlds:
            timing = {t: samples(rs) for (w, t), rs in runs.items() if w == world}
            R["timing" if world == "moto" else "timing_replay"] = timing
            ref = primary_tool(timing)
            le = med(timing[ref]["wall"])
            for t in timing:
                w = timing[t]["wall"]
                log("  %-6s %-18s median %8s ms  (min–max %s ms)  CPU %7s ms  RSS %.1f MiB"
                    "  x%.1f of %s" % (world, t, fmt_ms(med(w)), fmt_range(w),
                                       fmt_ms(med(timing[t]["cpu"])),
                                       mib(max(timing[t]["maxrss_kib"])), med(w) / le, ref))

    def start_replay(self):
        """The replay proxy in front of moto (see ReplayCache), once."""
        if self.replay is None:
            self.replay_cache = ReplayCache(self.moto.port)
            self.replay = CountingProxy(self.moto.port).start()
            self.replay.hook = self.replay_cache
            self.servers.append(self.replay)
        return self.replay

    # -- part 4: the s3 store beside the tags store ---------------------------

    def part_s3(self):
        """The s3 store's claim path (S3 requests per claim, no settle
        wait), the time to a confirmed leader for both stores over rounds of
        3 instances started together, and a follower's steady state for
        both.  In its own world: moto serialised (tests/lib/moto_serial.py,
        so that conditional writes are atomic as in S3) behind a counting
        proxy, an IMDS stand-in per instance, each instance with its own
        access key id so that the proxy can tell whose request it counts."""
        a = self.a
        name, binary = self.variants[-1]
        log("\n== part 4: the s3 store beside the tags store (%s) ==" % name)
        R = self.results["s3"] = {"binary": name, "rounds": a.s3_rounds, "instances": 3,
                                  "tags_settle_s": 3.0, "started": self.results["started"],
                                  "loadavg_at_start": os.getloadavg()}
        with W.World("bench-s3", serial=True) as w:
            w.create_bucket(S3_BUCKET)
            ids = w.launch("e-bench-s3", 3)
            for k, iid in enumerate(ids):
                w.imds[iid].set_credentials(s3_key_id(k), "bench-secret", "bench-token")
            who = {s3_key_id(k): iid for k, iid in enumerate(ids)}
            R["claims"] = self.s3_claims(w, binary, ids, who)
            R["leader"] = self.s3_time_to_leader(w, binary, ids, who, a.s3_rounds)
            R["steady"] = self.s3_steady(w, binary, ids, a.steady_runs)

    def s3_claims(self, w, binary, ids, who):
        """One instance claims alone, with the command `true`: no record
        yet, a done record of an earlier epoch, a held record whose holder
        is gone (terminated, lease unexpired)."""
        iid = ids[0]
        env = w.child_env(iid)
        dead = w.launch("e-bench-s3", 1)[0]
        w.terminate([dead])
        out = {}
        now = int(time.time())
        planted = {"v": 1, "group": "elasticbeanstalk:environment-id=e-bench-s3",
                   "name": "claim", "epoch": "old", "holder": dead, "term": now,
                   "state": "held", "exit": None, "lease_expiry": now + 600,
                   "renewed": now, "writer": dead, "written": now}
        for case, epoch, plant in (("no record", "c1", None),
                                   ("a done record of an earlier epoch", "c2", None),
                                   ("a held record, holder terminated", "c3", planted)):
            if plant is not None:
                w.put_object(S3_BUCKET, s3_record_key("claim"), json.dumps(plant).encode())
            w.imds[iid].reset_counts()
            w.proxy.reset_counts()
            r = self.run([binary, "--store", "s3://" + S3_BUCKET, "--name", "claim",
                          "--epoch", epoch, "--", "true"], env)
            require(r.rc == 0, "s3 claim (%s): rc %s: %s" % (case, r.rc, r.stderr[-800:]))
            time.sleep(0.2)
            c = s3_count(w, who)[iid]
            require(c["ran"], "s3 claim (%s): no outcome written: %s" % (case, r.stderr))
            c.update(wall=r.wall, cpu=r.cpu, imds_requests=w.imds[iid].total_requests())
            out[case] = c
            log("  s3 claim, %-34s %d S3 requests to decide (%s), %d with the outcome; "
                "%d EC2 (%s), %d IMDS; %s ms wall" % (
                    case + ":", c["s3_decide"], ", ".join(c["s3_decide_seq"]),
                    c["s3_total"], c["ec2_requests"], ", ".join(c["ec2_actions"]) or "-",
                    c["imds_requests"], fmt_ms(r.wall)))
        return out

    def s3_time_to_leader(self, w, binary, ids, who, rounds):
        """Rounds of 3 instances released together, a new epoch each round,
        the stores alternating: the time from the release to the start of
        the leader's command (its confirmed leadership), per round."""
        out = {"tags": {"seconds": [], "runners": [], "wall_all": [], "ec2_per_instance": []},
               "s3": {"seconds": [], "runners": [], "wall_all": [],
                      "s3_decide_per_instance": [], "ec2_per_instance": []}}
        for k in range(rounds):
            for store in ("tags", "s3"):
                opts = ["--epoch", "%s%d" % (store, k), "--timeout", "60"]
                if store == "s3":
                    opts = ["--store", "s3://" + S3_BUCKET] + opts
                w.clear_markers()
                w.proxy.reset_counts()
                took, rcs = gated_run(w, binary, ids, opts)
                require(all(rc == 0 for rc in rcs.values()), "%s round %d: rcs %s" % (
                    store, k, rcs))
                starts = []
                for f in os.listdir(w.marker_dir):
                    with open(os.path.join(w.marker_dir, f)) as fh:
                        starts.append(float(fh.read().split()[0]))
                require(starts, "%s round %d: nobody ran the command" % (store, k))
                d = out[store]
                d["seconds"].append(min(starts) - took["release"])
                d["runners"].append(len(starts))
                d["wall_all"].append(took["all"])
                time.sleep(0.1)
                for c in s3_count(w, who).values():
                    d["ec2_per_instance"].append(c["ec2_requests"])
                    if store == "s3":
                        d["s3_decide_per_instance"].append(c["s3_decide"])
            if (k + 1) % 5 == 0 or k + 1 == rounds:
                log("    %d rounds" % (k + 1))
        for store, d in out.items():
            log("  %-4s time to a confirmed leader: median %s ms (%s), all 3 done in "
                "median %s ms; rounds with two runners: %d of %d" % (
                    store, fmt_ms(med(d["seconds"])), fmt_range(d["seconds"]),
                    fmt_ms(med(d["wall_all"])), sum(1 for n in d["runners"] if n > 1),
                    rounds))
        d = out["s3"]
        log("  s3   S3 requests to decide per instance: max %d, median %s; EC2 requests "
            "per instance: max %d" % (max(d["s3_decide_per_instance"]),
                                      med(d["s3_decide_per_instance"]),
                                      max(d["ec2_per_instance"])))
        return out

    def s3_steady(self, w, binary, ids, runs):
        """A follower's steady state after its epoch ran (--check: exit 1),
        for both stores: requests counted at the servers, then timed."""
        follower = ids[-1]
        env = w.child_env(follower)
        last = self.results["s3"]["rounds"] - 1
        # the tags store's claim must be older than the settle time
        time.sleep(4.0)
        out = {}
        for store, opts in (("tags", ["--epoch", "tags%d" % last]),
                            ("s3", ["--store", "s3://" + S3_BUCKET, "--epoch",
                                    "s3%d" % last])):
            argv = [binary, "--check"] + opts
            w.imds[follower].reset_counts()
            w.proxy.reset_counts()
            r = self.run(argv, env)
            require(r.rc == 1, "%s steady state: rc %s: %s" % (store, r.rc, r.stderr[-800:]))
            time.sleep(0.2)
            conns, methods, actions, recs = w.proxy.snapshot()
            c = {"imds_requests": w.imds[follower].total_requests(),
                 "imds_connections": w.imds[follower].connections,
                 "ec2_requests": sum(1 for x in recs if x.action),
                 "s3_requests": sum(1 for x in recs if is_s3_path(x.path)),
                 "proxy_connections": conns, "ec2_actions": dict(actions)}
            c["requests"] = c["imds_requests"] + c["ec2_requests"] + c["s3_requests"]
            rs = [self.run(argv, env) for _ in range(runs)]
            require(all(x.rc == 1 for x in rs), "%s steady state runs failed" % store)
            c.update(samples(rs))
            out[store] = c
            log("  %-4s follower steady state: %d requests (%d IMDS + %d EC2 + %d S3) over "
                "%d TCP connections; median %s ms wall (%s), %s ms CPU" % (
                    store, c["requests"], c["imds_requests"], c["ec2_requests"],
                    c["s3_requests"], c["imds_connections"] + c["proxy_connections"],
                    fmt_ms(med(c["wall"])), fmt_range(c["wall"]), fmt_ms(med(c["cpu"]))))
        return out

    # -- part 3 --------------------------------------------------------------

    def part_scale(self):
        a = self.a
        log("\n== part 3: scale ==")
        self.start_replay()
        S = self.results["scale"] = {"sizes": {}, "setup": {}}
        setup_left = a.setup_limit
        envs = {}
        for n in a.sizes:
            env_id = "e-scale-%d" % n
            t0 = time.monotonic()
            ids, el = self.launch(env_id, n, limit=setup_left)
            setup_left -= el
            # The leader: the senior claims, as leader-exec would have (a
            # real leader-exec claim at 10,000 would first read the whole
            # group through moto, see the claim path below).
            term = int(time.time()) - 3600     # an hour-old claim: the steady state
            self.ec2.create_tags(Resources=[ids[0]], Tags=[{"Key": TAG_KEY,
                                                             "Value": str(term)}])
            envs[n] = (ids[0], ids[-1])
            S["setup"][str(n)] = {"seconds": el, "per_instance_ms": 1000 * el / n}
            log("  %5d instances created in %.1f s (%.1f ms each); leader %s, "
                "follower %s" % (n, el, 1000 * el / n, ids[0], ids[-1]))
            del t0
        epoch_no = [0]

        for n in a.sizes:
            leader, follower = envs[n]
            res = S["sizes"][str(n)] = {}
            for variant, binary in self.variants:
                for backend in ("replay", "moto"):
                    endpoint = self.replay.endpoint if backend == "replay" \
                        else self.moto.endpoint
                    env = self.env_for(follower, endpoint)
                    for path in ("steady", "claim"):
                        nruns = a.steady_runs if path == "steady" else (
                            a.claim_runs if backend == "replay" else a.moto_claim_runs)
                        if backend == "moto" and path == "claim" and (
                                n > a.moto_claim_max or variant != "leader-exec"):
                            continue
                        if nruns > 0:
                            self.scale_runs(res, n, variant, binary, backend, path, nruns,
                                            env, epoch_no)
            # EC2 requests and connections per decision, counted at the replay proxy
            for path in ("steady", "claim"):
                self.replay.reset_counts()
                argv = [self.binary, "--check", "--timeout", "900"]
                if path == "claim":
                    epoch_no[0] += 1
                    argv += ["--dry-run", "--epoch", "bench%d" % epoch_no[0]]
                r = self.run(argv, self.env_for(follower, self.replay.endpoint), timeout=1200)
                require(r.rc == 1, "%d %s count run: rc %s: %s" % (n, path, r.rc,
                                                                   r.stderr[-800:]))
                conns, methods, actions, _ = self.replay.snapshot()
                res["%s_ec2_requests" % path] = sum(methods.values())
                res["%s_ec2_connections" % path] = conns
            log("  %5d EC2 requests per decision: steady %d, claim path %d (%d pages)" % (
                n, res["steady_ec2_requests"], res["claim_ec2_requests"],
                res["claim_ec2_requests"] - 2))

        # the parser alone, on the saved pages of the largest group
        nmax = max(a.sizes)
        self.part_parser(nmax, envs[nmax][1])

    def scale_runs(self, res, n, variant, binary, backend, path, nruns, env, epoch_no):
        rs = []
        warm = 1 if backend == "replay" else 0     # the first run fills the cache
        for i in range(warm + nruns):
            argv = [binary, "--check", "--timeout", "900"]
            if path == "claim":
                epoch_no[0] += 1
                argv += ["--dry-run", "--epoch", "bench%d" % epoch_no[0], "-v"]
            r = self.run(argv, env, timeout=1200)
            require(r.rc == 1 and not r.timed_out, "%d %s %s %s: rc %s: %s" % (
                n, variant, backend, path, r.rc, r.stderr[-1500:]))
            if path == "claim":
                require("%d instances" % n in r.stderr,
                        "the claim path read all %d instances: %s" % (n, r.stderr[-800:]))
            if i >= warm:
                rs.append(r)
        key = "%s%s_%s" % ("" if variant == "leader-exec" else "static_", path, backend)
        d = res[key] = samples(rs)
        log("  %5d %-7s %-6s %-6s wall %8s ms (%s)  CPU %7s ms (%s)  peak RSS %.2f MiB" % (
            n, "static" if variant != "leader-exec" else "", path, backend,
            fmt_ms(med(d["wall"])), fmt_range(d["wall"]), fmt_ms(med(d["cpu"])),
            fmt_range(d["cpu"]), mib(max(d["maxrss_kib"]))))

    def saved_pages(self, n, follower):
        """The full-read pages of group n, in order, as moto answered them
        (from the replay cache: the bodies of the requests with this
        group's filter and no tag-key filter)."""
        want = "tag%%3A%s" % ENV_TAG.replace(":", "%3A")
        pages = []
        for body in self.replay_cache.order:
            b = body.decode()
            if ("e-scale-%d&" % n) not in b + "&" or "tag-key" in b or want not in b:
                continue
            pages.append(self.replay_cache.cache[body][2])
        return pages

    def part_parser(self, n, follower):
        a = self.a
        log("\n== part 3b: the parser alone, %d instances ==" % n)
        P = self.results["parser"] = {"group": n}
        pages = self.saved_pages(n, follower)
        require(pages, "no saved pages for the %d-instance group" % n)
        pdir = os.path.join(self.tmp, "pages")
        os.makedirs(pdir, exist_ok=True)
        files = []
        for i, body in enumerate(pages):
            p = os.path.join(pdir, "page%02d.xml" % (i + 1))
            with open(p, "wb") as f:
                f.write(body)
            files.append(p)
        # one document with every instance: the first page's frame around
        # every page's reservations, without a nextToken
        first = pages[0].decode()
        items = []
        for body in pages:
            s = body.decode()
            i, j = s.find("<reservationSet>"), s.rfind("</reservationSet>")
            require(i >= 0 and j > i, "a page without a reservationSet")
            items.append(s[i + len("<reservationSet>"):j])
        i, j = first.find("<reservationSet>"), first.rfind("</reservationSet>")
        single = first[:i + len("<reservationSet>")] + "".join(items) + first[j:]
        k = single.find("<nextToken>")
        if k >= 0:
            single = single[:k] + single[single.find("</nextToken>", k) + len("</nextToken>"):]
        sp = os.path.join(pdir, "single.xml")
        with open(sp, "w") as f:
            f.write(single)
        P["pages"] = len(files)
        P["page_bytes"] = sum(len(b) for b in pages)
        P["single_bytes"] = len(single.encode())
        pb = os.path.join(HERE, "build", "parse_bench")
        out = {}
        for label, args in (("pages, streamed", files), ("single document, streamed", [sp]),
                            ("pages, in memory", ["-m"] + files)):
            # through timeit, so that ru_maxrss is parse_bench's own
            r = self.run([pb, "-n", str(a.parser_runs)] + args, W._base_env(self.home),
                         timeout=900)
            require(r.rc == 0, "parse_bench: %s" % r.stderr)
            d = json.loads(r.stdout)
            require(d["instances"] == n, "parse_bench found %d instances" % d["instances"])
            out[label] = d
            log("  %-26s %d file(s), %.1f MB: CPU %.1f ms median (%.1f–%.1f), "
                "peak RSS %.2f MiB (%.2f before)" % (
                    label, d["files"], d["bytes"] / 1e6, d["cpu_ms_median"], d["cpu_ms_min"],
                    d["cpu_ms_max"], mib(d["peak_rss_kib"]), mib(d["rss_before_kib"])))
        P["runs"] = out
        # the prototype scanner (not leader-exec's): same pages, same result?
        sp = os.path.join(HERE, "build", "scan_proto")
        if os.access(sp, os.X_OK):
            r = self.run([sp, "-n", str(a.parser_runs)] + files, W._base_env(self.home),
                         timeout=900)
            if r.rc == 0:
                d = json.loads(r.stdout)
                P["prototype"] = d
                log("  prototype scanner (bench/scan_proto.c), same pages in memory, same "
                    "result as ec2_xml.c: CPU %.1f ms median vs expat %.1f ms (%.1fx)" % (
                        d["scan_cpu_ms_median"], d["expat_cpu_ms_median"],
                        d["expat_cpu_ms_median"] / d["scan_cpu_ms_median"]))
            else:
                log("  prototype scanner failed: %s" % r.stderr[-500:])
        if a.callgrind and shutil.which("valgrind"):
            P["callgrind"] = self.callgrind(pb, files, n, follower)

    def callgrind(self, pb, files, n, follower):
        """Instructions per run (callgrind) of the parser alone and of
        leader-exec's claim path and steady state (against the replay
        server); the top functions, self and inclusive."""
        out = {}
        cdir = os.path.join(self.tmp, "callgrind")
        os.makedirs(cdir, exist_ok=True)
        env = self.env_for(follower, self.replay.endpoint)
        jobs = [("parser", [pb, "-n", "1"] + files, None),
                ("prototype scanner", [os.path.join(HERE, "build", "scan_proto"), "-s", "-n",
                                       "1"] + files, None),
                ("leader-exec claim path", [self.binary, "--check", "--dry-run", "--timeout",
                                            "900", "--epoch", "callgrind"], env),
                ("leader-exec steady state", [self.binary, "--check", "--timeout", "900"],
                 env)]
        for label, argv, jenv in jobs:
            f = os.path.join(cdir, label.replace(" ", "-") + ".out")
            r = measure(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + f] + argv,
                        jenv or W._base_env(self.home), timeout=1800, cwd=self.rundir,
                        outdir=self.rundir)
            if not os.path.exists(f):
                log("  callgrind %s failed: %s" % (label, r.stderr[-500:]))
                continue
            ann = subprocess.run(["callgrind_annotate", "--inclusive=no", f],
                                 capture_output=True, text=True, timeout=300).stdout
            total = parse_annotate(ann)
            obs, fns = callgrind_self_costs(f)
            tot = sum(obs.values()) or 1
            out[label] = {
                "instructions": total,
                "objects": [(o, c, 100.0 * c / tot) for o, c in obs.most_common(8)],
                "functions": [(o, fn, c, 100.0 * c / tot) for (o, fn), c in
                              fns.most_common(20)]}
            log("  callgrind %s: %s instructions%s" % (
                label, "{:,}".format(total) if total else "?",
                " (%.0f per instance)" % (total / n) if total and "steady" not in label
                else ""))
            for o, c, pct in out[label]["objects"][:5]:
                log("      %15s %5.1f%%  %s" % ("{:,}".format(c), pct, o))
            with open(os.path.join(self.a.out, "callgrind-%s.txt" %
                                   label.replace(" ", "-")), "w") as fo:
                fo.write("# self cost by object\n")
                for o, c, pct in out[label]["objects"]:
                    fo.write("%15s %5.1f%%  %s\n" % ("{:,}".format(c), pct, o))
                fo.write("\n# self cost by function (object: function; libexpat "
                         "ships without symbols for its internal functions)\n")
                for o, fn, c, pct in out[label]["functions"]:
                    fo.write("%15s %5.1f%%  %s: %s\n" % ("{:,}".format(c), pct, o, fn))
                fo.write("\n# callgrind_annotate\n")
                fo.write(ann)
        return out


# -- part 4 helpers -------------------------------------------------------------

S3_BUCKET = "leader-exec-bench"


def s3_key_id(k):
    """Instance k's access key id: the proxy attributes requests by it."""
    return "AKIDBENCHS3%09d" % k


def s3_record_key(name, env_id="e-bench-s3"):
    return "elasticbeanstalk%%3Aenvironment-id=%s/%s.json" % (env_id, name)


def is_s3_path(path):
    return path.startswith("/%s/" % S3_BUCKET)


def request_key_id(rec):
    for k, v in rec.headers:
        if k.lower() == "authorization" and "Credential=" in v:
            return v.split("Credential=", 1)[1].split("/", 1)[0]
    return ""


def s3_count(w, who):
    """Per instance (by access key id): S3 requests before its outcome
    write (the decision), all S3 requests, EC2 requests and actions, and
    whether it wrote an outcome (ran the command)."""
    out = {iid: {"s3_decide": 0, "s3_decide_seq": [], "s3_total": 0, "ec2_requests": 0,
                 "ec2_actions": [], "ran": False} for iid in who.values()}
    for rec in w.proxy.snapshot()[3]:
        iid = who.get(request_key_id(rec))
        if iid is None:
            continue
        c = out[iid]
        if rec.action:
            c["ec2_requests"] += 1
            c["ec2_actions"].append(rec.action)
            continue
        if not is_s3_path(rec.path):
            continue
        c["s3_total"] += 1
        if rec.method == "PUT" and b'"state":"held"' not in rec.body:
            c["ran"] = True
        if not c["ran"]:
            c["s3_decide"] += 1
            cond = [h for h, _ in rec.headers if h.lower() in ("if-match", "if-none-match")]
            c["s3_decide_seq"].append("%s%s %d" % (rec.method, (" " + cond[0]) if cond
                                                   else "", rec.status))
    return out


def gated_run(w, binary, ids, opts):
    """leader-exec OPTS -- (write the start time to the marker) on every
    instance of ids, all released at one moment.  ({release: unix time,
    all: seconds until the last exited}, {id: rc})."""
    gate_r, gate_w = os.pipe()
    procs = {}
    try:
        for iid in ids:
            cmd = ["sh", "-c", 'date +%%s.%%N > "$MARKER_DIR/%s"' % iid]
            procs[iid] = subprocess.Popen(
                ["/bin/sh", "-c", 'read _; exec "$0" "$@" </dev/null', binary] + opts +
                ["--"] + cmd, env=w.child_env(iid), stdin=gate_r,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=w.tmp,
                preexec_fn=W._die_with_parent)
            with _children_lock:
                _children.add(procs[iid].pid)
    except BaseException:
        os.close(gate_w)
        os.close(gate_r)
        for p in procs.values():
            W._stop_pid(p)
        raise
    os.close(gate_r)
    time.sleep(0.05)                # let every sh reach its read
    t0, release = time.monotonic(), time.time()
    os.close(gate_w)
    rcs = {}
    try:
        for iid, p in procs.items():
            try:
                _, err = p.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                W._stop_pid(p, grace=2)
                _, err = p.communicate(timeout=10)
            rcs[iid] = p.returncode
            if p.returncode != 0:
                log("    %s rc %s: %s" % (iid, p.returncode, err.decode()[-400:]))
    finally:
        for p in procs.values():
            if p.poll() is None:
                W._stop_pid(p, grace=1)
            with _children_lock:
                _children.discard(p.pid)
    return {"release": release, "all": time.monotonic() - t0}, rcs


def callgrind_self_costs(path):
    """(Counter object -> self Ir, Counter (object, function) -> self Ir)
    from a callgrind output file (name compression and call lines
    handled: the cost line after calls= is inclusive and not counted)."""
    obn, fnn = {}, {}
    ob = fn = None
    objs, fns = collections.Counter(), collections.Counter()
    after_calls = False

    def name(table, tok):
        tok = tok.strip()
        if tok.startswith("("):
            num, _, rest = tok[1:].partition(")")
            if rest.strip():
                table[num] = rest.strip()
            return table.get(num, tok)
        return tok
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("ob="):
                ob = name(obn, line[3:])
            elif line.startswith("fn="):
                fn = name(fnn, line[3:])
            elif line.startswith("cob="):
                name(obn, line[4:])
            elif line.startswith("cfn="):
                name(fnn, line[4:])
            elif line.startswith("calls="):
                after_calls = True
            elif line[:1].isdigit() or line[:1] in "+-*":
                parts = line.split()
                if after_calls:
                    after_calls = False
                    continue
                if len(parts) >= 2:
                    c = int(parts[1])
                    short = os.path.basename(ob or "?")
                    objs[short] += c
                    fns[(short, fn or "?")] += c
    return objs, fns


def parse_annotate(text):
    for line in text.splitlines():
        if "PROGRAM TOTALS" in line:
            tok = line.strip().split()[0].replace(",", "")
            try:
                return int(tok)
            except ValueError:
                return None
    return None


def top_functions(text, k):
    """[(Ir, percent, function)] from callgrind_annotate output."""
    out = []
    started = False
    total = parse_annotate(text) or 0
    for line in text.splitlines():
        if "file:function" in line:
            started = True
            continue
        if not started or not line.strip():
            if started and out:
                break
            continue
        parts = line.split(None, 1)
        try:
            ir = int(parts[0].replace(",", ""))
        except (ValueError, IndexError):
            continue
        rest = parts[1]
        if rest.startswith("("):
            rest = rest.split(")", 1)[1].strip()
        fn = rest.split(" [")[0].strip()
        out.append((ir, 100.0 * ir / total if total else 0.0, fn))
        if len(out) >= k:
            break
    return out


# -- report -------------------------------------------------------------------

def primary_tool(timing):
    """The build the targets are checked on: the fully static release build
    (what is shipped) when it was measured, else build/leader-exec."""
    return "leader-exec static" if "leader-exec static" in timing else "leader-exec"


def variants_of(res):
    """[(tool name, results prefix, tag, primary)], the primary first."""
    c = res.get("compare", {})
    sc = res.get("scale", {}).get("sizes", {})
    static = "leader-exec static" in c.get("timing", {}) or any(
        "static_steady_replay" in d for d in sc.values())
    if static:
        return [("leader-exec static", "static_", "", True),
                ("leader-exec", "", " [dynamic development build]", False)]
    return [("leader-exec", "", "", True)]


def targets(res, sizes):
    """[(name, passed or None when not measured, detail, primary)]: the
    issue's targets for the primary build (the static release build when
    measured), and the same for the other build for information.  The
    speed ratios are taken in the replay world (moto's answers served from
    memory); the same ratios against moto itself follow as information."""
    out = []
    c = res.get("compare")
    sc = res.get("scale", {}).get("sizes", {})
    for tool_le, prefix, tag, primary in variants_of(res):
        if c and "timing" in c:
            worlds = [("timing_replay", "", True), ("timing", " (against moto itself)",
                                                    False)]
            if "timing_replay" not in c:     # a results.json from before the replay world
                worlds = [("timing", "", True)]
            for key, where, counts in worlds:
                t = c[key]
                le = med(t[tool_le]["wall"])
                fl = med(t["floor (curl)"]["wall"])
                for tool in ("boto3", "awscli"):
                    ratio = med(t[tool]["wall"]) / le
                    out.append(("at least 30x faster than the %s script%s%s" % (
                        tool, where, tag), ratio >= 30,
                        "%.1fx wall clock (medians %s ms vs %s ms); CPU time %.0fx less; "
                        "the bare-request floor itself is %.1fx faster than the script" % (
                            ratio, fmt_ms(med(t[tool]["wall"])), fmt_ms(le),
                            med(t[tool]["cpu"]) / med(t[tool_le]["cpu"]),
                            med(t[tool]["wall"]) / fl), primary and counts))
                out.append(("within 1.5x of the bare-request floor (one curl, same "
                            "requests)%s%s" % (where, tag), le / fl <= 1.5,
                            "%.2fx (medians %s ms vs %s ms)" % (le / fl, fmt_ms(le),
                                                                fmt_ms(fl)),
                            primary and counts))
            q = c["requests_steady"][tool_le]
            out.append(("at most 6 HTTP requests in steady state%s" % tag, q["requests"] <= 6,
                        "%d (%d IMDS + %d EC2) over %d TCP connections" % (
                            q["requests"], q["imds_requests"], q["ec2_requests"],
                            q["connections"]), primary))
        elif primary:
            out.append(("comparison targets", None, "part 1 not run", primary))
        if "10000" in sc and (prefix + "steady_replay") in sc["10000"]:
            d = sc["10000"]
            runs = d.get(prefix + "steady_moto") or d.get(prefix + "steady_replay")
            allrss = d.get(prefix + "steady_moto", {}).get("maxrss_kib", []) + \
                d.get(prefix + "steady_replay", {}).get("maxrss_kib", [])
            cpu = med(runs["cpu"]) * 1000
            rss = max(allrss) / 1024.0
            out.append(("10,000-instance group, steady state: under 100 ms CPU%s" % tag,
                        cpu < 100, "%.1f ms median (user+sys, against moto)" % cpu, primary))
            out.append(("10,000-instance group, steady state: under 10 MB peak RSS%s" % tag,
                        rss * 1.048576 < 10, "%.2f MiB = %.2f MB (largest of every run)" % (
                            rss, rss * 1.048576), primary))
        elif primary:
            out.append(("10,000-instance targets", None,
                        "no 10,000-instance group measured", primary))
    out += s3_targets(res)
    return sorted(out, key=lambda x: not x[3])     # the checked targets first


def s3_targets(res):
    """Part 4's targets, when it ran: a claim with the s3 store decides in
    at most 3 S3 requests besides the EC2 reads, and waits no settle time."""
    s = res.get("s3")
    if not s:
        return []
    per = [c["s3_decide"] for c in s["claims"].values()] + \
        s["leader"]["s3"]["s3_decide_per_instance"]
    t, g = s["leader"]["s3"]["seconds"], s["leader"]["tags"]["seconds"]
    return [("s3 store: a claim decides in at most 3 S3 requests besides the EC2 reads",
             max(per) <= 3, "at most %d (%d claims: %d alone, %d in %d rounds of %d "
             "started together)" % (max(per), len(per), len(s["claims"]),
                                    len(per) - len(s["claims"]), s["rounds"],
                                    s["instances"]), True),
            ("s3 store: no settle wait: its slowest time to a confirmed leader is under "
             "the tags store's settle (%.0f s)" % s["tags_settle_s"],
             max(t) < s["tags_settle_s"], "%s ms at most, median %s ms (the tags store: "
             "median %s ms)" % (fmt_ms(max(t)), fmt_ms(med(t)), fmt_ms(med(g))), True)]


def s3_table(s):
    """Part 4's lines for README-table.md."""
    tl, sl = s["leader"]["tags"], s["leader"]["s3"]
    ts, ss = s["steady"]["tags"], s["steady"]["s3"]
    L = ["The s3 store beside the tags store (part 4, run of %s, load average %.1f at its "
         "start; %s; moto serialised so that S3's "
         "conditional writes are atomic, behind a counting proxy that tells the "
         "instances apart by their access key ids; %d rounds of %d instances started "
         "together, a new epoch each round, the stores alternating; the command writes "
         "its start time; medians, min–max in brackets):" % (
             s.get("started", "?"), s.get("loadavg_at_start", [0.0])[0],
             "the fully static release build" if s["binary"] == "leader-exec static"
             else "build/leader-exec", s["rounds"], s["instances"]), "",
         "| | tags store (default settle %.0f s) | s3 store |" % s["tags_settle_s"],
         "|---|---:|---:|"]

    def two(label, f):
        L.append("| %s | %s | %s |" % (label, f(tl, ts), f(sl, ss)))
    two("time to a confirmed leader (release to the command's start), ms",
        lambda d, _: "%s (%s)" % (fmt_ms(med(d["seconds"])), fmt_range(d["seconds"])))
    two("all %d instances exited, ms" % s["instances"],
        lambda d, _: "%s (%s)" % (fmt_ms(med(d["wall_all"])), fmt_range(d["wall_all"])))
    two("rounds with two runners", lambda d, _: "%d of %d" % (
        sum(1 for n in d["runners"] if n > 1), len(d["runners"])))
    two("requests per instance to decide, at most: EC2 / S3", lambda d, _: "%d / %s" % (
        max(d["ec2_per_instance"]), max(d["s3_decide_per_instance"])
        if "s3_decide_per_instance" in d else "–"))
    two("follower steady state (`--check`): requests (IMDS+EC2+S3) over TCP "
        "connections", lambda _, c: "%d (%d+%d+%d) over %d" % (
            c["requests"], c["imds_requests"], c["ec2_requests"], c["s3_requests"],
            c["imds_connections"] + c["proxy_connections"]))
    two("follower steady state: wall ms (%d runs), CPU ms" % len(ts["wall"]),
        lambda _, c: "%s (%s), %s" % (fmt_ms(med(c["wall"])), fmt_range(c["wall"]),
                                      fmt_ms(med(c["cpu"]))))
    L += ["", "The s3 store's claim, one instance alone, command `true`:", "",
          "| record found | S3 requests to decide | with the outcome write | EC2 "
          "requests | IMDS requests | wall ms |", "|---|---|---:|---:|---:|---:|"]
    for case, c in s["claims"].items():
        L.append("| %s | %d (%s) | %d | %d | %d | %s |" % (
            case, c["s3_decide"], ", ".join(c["s3_decide_seq"]), c["s3_total"],
            c["ec2_requests"], c["imds_requests"], fmt_ms(c["wall"])))
    L.append("")
    return L


def claim_info(res, prefix=""):
    sc = res.get("scale", {}).get("sizes", {})
    if "10000" not in sc or prefix + "claim_replay" not in sc["10000"]:
        return None
    d = sc["10000"]
    cpu = med(d[prefix + "claim_replay"]["cpu"]) * 1000
    allrss = d[prefix + "claim_replay"]["maxrss_kib"] + \
        d.get(prefix + "claim_moto", {}).get("maxrss_kib", [])
    rss = max(allrss) / 1024.0 * 1.048576
    return cpu, rss


TOOL_NAMES = collections.OrderedDict([
    ("leader-exec static", "`leader-exec --check`, fully static release build"),
    ("leader-exec", "`leader-exec --check`, dynamic development build (`build/`)"),
    ("boto3", "boto3 script (`bench/boto3_leader.py`)"),
    ("awscli", "awscli + curl script (`bench/awscli_leader.sh`)"),
    ("floor (curl)", "floor: the same requests, one `curl --next`")])


def timing_rows(t, rq, cl):
    """Table rows for one world's timing, ratios against the primary build."""
    ref = primary_tool(t)
    le = med(t[ref]["wall"])
    L = ["| tool | median ms | min–max ms | CPU ms | peak RSS MiB | time vs %s | HTTP "
         "requests (IMDS+EC2) | TCP connections | requests (IMDS+EC2) over TCP connections when claiming |" % (
             "the release build" if ref == "leader-exec static" else "leader-exec"),
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for tool, name in TOOL_NAMES.items():
        if tool not in t:
            continue
        w = t[tool]["wall"]
        q = rq[tool]
        claim = cl.get(tool)
        L.append("| %s | %s | %s | %s | %.1f | %s | %d (%d+%d) | %d | %s |" % (
            name, fmt_ms(med(w)), fmt_range(w), fmt_ms(med(t[tool]["cpu"])),
            mib(max(t[tool]["maxrss_kib"])),
            "1" if tool == ref else "%.2fx" % (med(w) / le),
            q["requests"], q["imds_requests"], q["ec2_requests"], q["connections"],
            "%d (%d+%d) over %d" % (claim["requests"], claim["imds_requests"],
                                    claim["ec2_requests"], claim["connections"])
            if claim else "–"))
    return L


def write_table(res, path, tlist):
    L = []
    c = res.get("compare")
    if c and "timing" in c:
        rq = c["requests_steady"]
        cl = c.get("requests_claim", {})
        if "timing_replay" in c:
            t = c["timing_replay"]
            L.append("A follower's steady-state decision in a 10-instance group, %d "
                     "alternating rounds, wall clock per process from exec to exit.  EC2 "
                     "through the replay proxy: every answer is moto's own, computed once "
                     "per distinct request and then served from memory, so the time is the "
                     "tool's; IMDS: the IMDSv2 stand-in; all on 127.0.0.1:" % c["rounds"])
            L.append("")
            L += timing_rows(t, rq, cl)
            L.append("")
            extra = med(c["timing"]["floor (curl)"]["wall"]) - med(t["floor (curl)"]["wall"])
            L.append("The same rounds (interleaved with the above) straight against moto, "
                     "which adds %s ms to the floor's six requests (its serializer, for the "
                     "two DescribeInstances):" % fmt_ms(extra))
            L.append("")
            L += timing_rows(c["timing"], rq, cl)
        else:
            L.append("A follower's steady-state decision in a 10-instance group (moto and "
                     "the IMDSv2 stand-in on 127.0.0.1; %d alternating rounds; wall clock "
                     "per process, from exec to exit):" % c["rounds"])
            L.append("")
            L += timing_rows(c["timing"], rq, cl)
        L.append("")
        t = c["timing"]
        fl = med(t["floor (curl)"]["wall"])
        L.append("Against moto itself most of a decision is the emulator's time: the "
                 "floor, which does nothing but send the same six requests, takes %s ms "
                 "there, so no client could be more than %.0fx faster than the boto3 "
                 "script in that world.  CPU time per decision: %s." % (
                     fmt_ms(fl), med(t["boto3"]["wall"]) / fl, ", ".join(
                         "%s ms %s" % (fmt_ms(med(t[k]["cpu"])), v) for k, v in (
                             ("leader-exec static", "for the release build"),
                             ("leader-exec", "for the dynamic build"),
                             ("boto3", "for the boto3 script"),
                             ("awscli", "for the awscli script")) if k in t)))
        L.append("")
        st = c.get("startup", {})
        if "leader-exec" in st:
            L.append("What a build costs before its first request (`--version`, 20 runs, "
                     "medians): %s.  The dynamic build loads %s shared libraries (ldd), "
                     "Debian's libcurl and everything it depends on, which is most of its CPU "
                     "time and RSS; the release build links a minimal static libcurl "
                     "(`scripts/build-static-curl`)." % ("; ".join(
                         "%s %s ms wall, %s ms CPU, %.1f MiB peak RSS" % (
                             "the release build" if k == "leader-exec static" else
                             "the dynamic build", fmt_ms(med(v["wall"])),
                             fmt_ms(med(v["cpu"])), mib(max(v["maxrss_kib"])))
                         for k, v in sorted(st.items(), reverse=True)),
                         c.get("dynamic_libraries", "its")))
            L.append("")
    sc = res.get("scale")
    if sc and sc.get("sizes"):
        L.append("leader-exec as the group grows (one instance per reservation, pages of "
                 "1,000; \"replay\": each request answered with moto's own answer, recorded "
                 "once, so the time is leader-exec's; \"moto\": moto itself; CPU is "
                 "user+sys of the leader-exec process; medians, min–max in brackets):")
        L.append("")
        L.append("The moto column is moto's own time: it filters every instance in the "
                 "region (all %s of them, every group at once) for each request and takes "
                 "seconds to serialize a page of 1,000 instances; the CPU and RSS columns "
                 "are leader-exec's, whichever server answers." % "{:,}".format(
                     sum(int(n) for n in sc["sizes"]) + (19 if c else 0)))
        L.append("")
        L.append("| instances | path | EC2 requests | wall ms, replay | wall ms, moto | "
                 "CPU ms | peak RSS MiB |")
        L.append("|---:|---|---:|---:|---:|---:|---:|")
        for n in sorted(sc["sizes"], key=int):
            d = sc["sizes"][n]
            for kind, label in (("steady", "steady state (follower)"),
                                ("claim", "claim path (full read)"),
                                ("static_steady", "steady state, static build"),
                                ("static_claim", "claim path, static build")):
                if kind + "_replay" not in d and kind + "_moto" not in d:
                    continue
                rep, mo = d.get(kind + "_replay"), d.get(kind + "_moto")
                cpu = (rep or mo)["cpu"]
                rss = (rep or {}).get("maxrss_kib", []) + (mo or {}).get("maxrss_kib", [])
                L.append("| %s | %s | %s | %s | %s | %s (%s) | %.2f |" % (
                    "{:,}".format(int(n)), label,
                    d.get(kind.replace("static_", "") + "_ec2_requests", "–"),
                    "%s (%s)" % (fmt_ms(med(rep["wall"])), fmt_range(rep["wall"]))
                    if rep else "–",
                    "%s (%s)" % (fmt_ms(med(mo["wall"])), fmt_range(mo["wall"]))
                    if mo else "not run",
                    fmt_ms(med(cpu)), fmt_range(cpu), max(rss) / 1024.0))
        L.append("")
    p = res.get("parser")
    if p and p.get("runs"):
        L.append("The parser alone (`bench/parse_bench.c`: expat through `src/ec2_xml.c`, "
                 "16 KiB pieces, only the leadership tag kept) on moto's answer for the "
                 "%s-instance group:" % "{:,}".format(p["group"]))
        L.append("")
        L.append("| input | MB | CPU ms (min–max) | peak RSS MiB | instructions (callgrind) |")
        L.append("|---|---:|---:|---:|---:|")
        cg = p.get("callgrind", {})
        for label, d in p["runs"].items():
            ins = cg.get("parser", {}).get("instructions") if label == "pages, streamed" \
                else None
            if label.startswith("single"):
                what = "1 document with all %s instances, streamed" % "{:,}".format(
                    d["instances"])
            else:
                what = "%d page%s, %s" % (d["files"], "s" if d["files"] > 1 else "",
                                         label.split(", ", 1)[1] +
                                         (" (the documents count in the RSS)"
                                          if "memory" in label else ""))
            L.append("| %s | %.1f | %.1f (%.1f–%.1f) | %.2f | %s |" % (
                what,
                d["bytes"] / 1e6, d["cpu_ms_median"], d["cpu_ms_min"], d["cpu_ms_max"],
                mib(d["peak_rss_kib"]), "{:,}".format(ins) if ins else "–"))
        pr = p.get("prototype")
        if pr:
            ins = cg.get("prototype scanner", {}).get("instructions")
            L.append("| %d page%s, in memory, prototype scanner without expat "
                     "(`bench/scan_proto.c`, not in leader-exec; same result) | %.1f | "
                     "%.1f (min %.1f) | – | %s |" % (
                         pr["files"], "s" if pr["files"] > 1 else "", pr["bytes"] / 1e6,
                         pr["scan_cpu_ms_median"],
                         pr["scan_cpu_ms_min"], "{:,}".format(ins) if ins else "–"))
        L.append("")
    if res.get("s3"):
        L += s3_table(res["s3"])
    if tlist:
        v = variants_of(res)
        L.append("Targets, checked on %s%s:" % (
            "the fully static release build (what is shipped)" if v[0][1]
            else "build/leader-exec", "; \"(also)\" lines are for information"
            if len(tlist) > 6 else ""))
        L.append("")
        for name, ok, detail, primary in tlist:
            L.append("- %s %s: %s" % ({True: "PASS", False: "FAIL", None: "SKIP"}[ok]
                                       if primary else "(also) " + {
                                           True: "pass", False: "fail", None: "skip"}[ok],
                                       name, detail))
        for _, prefix, tag, _ in variants_of(res):
            ci = claim_info(res, prefix)
            if ci:
                L.append("- INFO 10,000-instance group, claim path%s (not a target): %.1f ms "
                         "CPU, %.2f MB peak RSS" % ((tag,) + ci))
        L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


def write_plot(res, outdir):
    sc = res.get("scale", {}).get("sizes", {})
    if not sc or not shutil.which("gnuplot"):
        return None
    dat = os.path.join(outdir, "decision-vs-size.dat")
    series = [("steady_replay", "steady state (follower)"),
              ("claim_replay", "claim path (whole group read)"),
              ("steady_moto", "steady state, against moto itself"),
              ("claim_moto", "claim path, against moto itself"),
              ("static_steady_replay", "steady state, static build"),
              ("static_claim_replay", "claim path, static build")]
    with open(dat, "w") as f:
        for key, _ in series:
            f.write("# %s: size median_ms min_ms max_ms cpu_median_ms cpu_min cpu_max "
                    "rss_mib\n" % key)
            for n in sorted(sc, key=int):
                d = sc[n].get(key)
                if not d:
                    continue
                w, c = [x * 1000 for x in d["wall"]], [x * 1000 for x in d["cpu"]]
                f.write("%s %.4f %.4f %.4f %.4f %.4f %.4f %.3f\n" % (
                    n, med(w), min(w), max(w), med(c), min(c), max(c),
                    max(d["maxrss_kib"]) / 1024.0))
            f.write("\n\n")
    png = os.path.join(outdir, "decision-vs-size.png")
    term = "pngcairo size 1400,600 font 'DejaVu Sans,11'"
    if "pngcairo" not in subprocess.run(["gnuplot", "-e", "set terminal"],
                                        capture_output=True, text=True).stderr:
        term = "png size 1400,600"
    styles = ["lc rgb '#1f77b4' pt 7 ps 1.2 lw 2", "lc rgb '#d62728' pt 5 ps 1.2 lw 2",
              "lc rgb '#1f77b4' pt 6 ps 1.2 lw 1 dt 2", "lc rgb '#d62728' pt 4 ps 1.2 lw 1 dt 2",
              "lc rgb '#2ca02c' pt 9 ps 1.2 lw 1.5", "lc rgb '#ff7f0e' pt 11 ps 1.2 lw 1.5"]
    plots_w, plots_c = [], []
    for i, (key, title) in enumerate(series):
        if not any(key in sc[n] for n in sc):
            continue
        plots_w.append("'%s' index %d using 1:2:3:4 with yerrorlines %s title '%s'" % (
            dat, i, styles[i], title))
        if key.endswith("replay"):
            plots_c.append("'%s' index %d using 1:5:6:7 with yerrorlines %s title '%s'" % (
                dat, i, styles[i], title))
    gp = """set terminal %s
set output '%s'
set multiplot layout 1,2 title "leader-exec: one decision against group size (EC2 emulated by moto on 127.0.0.1; pages of 1,000 instances)" font ',13'
set logscale xy
set xrange [5:20000]
set xtics ("10" 10, "100" 100, "1,000" 1000, "10,000" 10000)
set grid xtics ytics mytics
set key bottom right box opaque
set xlabel 'instances in the group (log)'
set ylabel 'wall time per decision, ms (log)'
set yrange [0.1:100000]
set title "wall clock, median (bars: min-max)\\nsolid: moto's answers replayed (leader-exec's own time); dashed: moto itself"
plot %s
set ylabel 'CPU time of leader-exec (user+sys), ms (log)'
set yrange [0.3:2000]
set title "CPU time of the leader-exec process, median (bars: min-max)\\nagainst moto's answers replayed"
set arrow 1 from 5,100 to 20000,100 nohead dt 3 lc rgb '#555555'
set label 1 '100 ms' at 7,125 tc rgb '#555555'
plot %s
unset multiplot
""" % (term, png, ", \\\n     ".join(plots_w), ", \\\n     ".join(plots_c))
    with open(os.path.join(outdir, "decision-vs-size.gp"), "w") as f:
        f.write(gp)
    r = subprocess.run(["gnuplot", os.path.join(outdir, "decision-vs-size.gp")],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        log("gnuplot failed: %s" % r.stderr)
        return None
    return png


def main():
    ap = argparse.ArgumentParser(description="leader-exec benchmarks (see bench/README.md)")
    ap.add_argument("--rounds", type=int, default=30, help="alternating rounds in part 1")
    ap.add_argument("--sizes", default="10,100,1000,10000", help="group sizes for part 3")
    ap.add_argument("--steady-runs", type=int, default=10)
    ap.add_argument("--claim-runs", type=int, default=5,
                    help="claim-path runs per size against the replay server")
    ap.add_argument("--moto-claim-runs", type=int, default=2,
                    help="claim-path runs per size against moto itself")
    ap.add_argument("--moto-claim-max", type=int, default=10000,
                    help="largest group whose claim path is timed against moto itself")
    ap.add_argument("--parser-runs", type=int, default=20)
    ap.add_argument("--setup-limit", type=float, default=2400,
                    help="seconds allowed for creating all part 3 instances")
    ap.add_argument("--no-compare", action="store_true", help="skip parts 1 and 2")
    ap.add_argument("--no-scale", action="store_true", help="skip part 3")
    ap.add_argument("--no-s3", action="store_true", help="skip part 4 (the s3 store)")
    ap.add_argument("--s3-rounds", type=int, default=10,
                    help="rounds of 3 instances per store in part 4")
    ap.add_argument("--no-callgrind", dest="callgrind", action="store_false")
    ap.add_argument("--quick", action="store_true",
                    help="a smoke test: 3 rounds, groups of 10 and 100, 2 runs each")
    ap.add_argument("--time-limit", type=int, default=7200, help="hard limit, seconds")
    ap.add_argument("--binary", default=os.environ.get("LEADER_EXEC") or
                    os.path.join(REPO, "build", "leader-exec"))
    ap.add_argument("--static-binary", default=os.environ.get("LEADER_EXEC_STATIC", ""),
                    help="also measure this (fully static) leader-exec")
    ap.add_argument("--out", default=None,
                    help="where results go (default bench/results, or bench/build/"
                    "quick-results with --quick, so a smoke run never replaces the "
                    "committed figures)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--report-only", metavar="RESULTS_JSON",
                    help="measure nothing: write the table, plot and targets from a "
                    "results.json of an earlier run")
    a = ap.parse_args()
    if a.out is None:
        a.out = os.path.join(HERE, "build", "quick-results") if a.quick else \
            os.path.join(HERE, "results")
    if a.report_only:
        with open(a.report_only) as f:
            res = json.load(f)
        os.makedirs(a.out, exist_ok=True)
        if os.path.abspath(a.report_only) != os.path.abspath(
                os.path.join(a.out, "results.json")):
            shutil.copy(a.report_only, os.path.join(a.out, "results.json"))
        return report(res, a.out, 0 if res.get("bench_ok", True) else 1)
    if a.quick:
        a.rounds, a.sizes = 3, "10,100"
        a.steady_runs = a.claim_runs = a.moto_claim_runs = 2
        a.parser_runs = 3
        a.s3_rounds = 3
    a.sizes = sorted({int(x) for x in a.sizes.split(",") if x.strip()})
    if any(n < 2 or n > 20000 for n in a.sizes) or a.rounds < 1 or a.rounds > 1000 or \
            not 1 <= a.s3_rounds <= 100:
        ap.error("sizes must be 2..20000, rounds 1..1000, s3 rounds 1..100")
    os.makedirs(a.out, exist_ok=True)
    a.out = os.path.abspath(a.out)
    if not os.access(a.binary, os.X_OK):
        ap.error("no leader-exec at %s (bash scripts/build)" % a.binary)
    if a.static_binary and not os.access(a.static_binary, os.X_OK):
        log("no static leader-exec at %s: not measured" % a.static_binary)
        a.static_binary = ""

    def on_alarm(*_):
        STOPPING.set()
        raise BenchFailure("time limit of %d s exceeded" % a.time_limit)

    def on_term(*_):
        STOPPING.set()
        raise BenchFailure("terminated by a signal")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.alarm(a.time_limit)

    b = Bench(a)
    rc = 0
    t0 = time.monotonic()
    try:
        b.results["machine"] = {
            "nproc": os.cpu_count(), "loadavg_at_start": os.getloadavg(),
            "uname": " ".join(os.uname()),
            "leader_exec": subprocess.run([b.binary, "--version"], capture_output=True,
                                          text=True).stdout.strip(),
            "curl": subprocess.run(["curl", "--version"], capture_output=True,
                                   text=True).stdout.splitlines()[0]}
        b.results["args"] = {k: v for k, v in vars(a).items()}
        b.start()
        if not a.no_compare:
            b.part_compare()
        if not a.no_scale:
            b.part_scale()
        if not a.no_s3:
            b.part_s3()
    except BenchFailure as e:
        log("BENCH FAILED: %s" % e)
        rc = 1
    finally:
        signal.alarm(0)
        b.results["loadavg_at_end"] = os.getloadavg()
        b.results["seconds"] = time.monotonic() - t0
        b.stop()

    res = b.results
    res["bench_ok"] = rc == 0
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    return report(res, a.out, rc)


def report(res, outdir, rc):
    tl = targets(res, None)
    write_table(res, os.path.join(outdir, "README-table.md"), tl)
    png = write_plot(res, outdir)
    log("\n== results ==")
    with open(os.path.join(outdir, "README-table.md")) as f:
        log(f.read())
    log("files: %s/results.json, README-table.md%s" % (
        outdir, ", decision-vs-size.png" if png else ""))
    v = variants_of(res)
    log("\n== targets (%s; ALSO lines are for information) ==" % (
        "the fully static release build" if v[0][1] else "build/leader-exec"))
    failed = 0
    for name, ok, detail, primary in tl:
        log("%s: %s: %s" % ({True: "PASS", False: "FAIL", None: "SKIP"}[ok] if primary else
                            "ALSO " + {True: "pass", False: "fail", None: "skip"}[ok],
                            name, detail))
        failed += primary and ok is False
    for _, prefix, tag, _ in v:
        ci = claim_info(res, prefix)
        if ci:
            log("INFO: 10,000-instance group, claim path%s (not a target): %.1f ms CPU, "
                "%.2f MB peak RSS" % ((tag,) + ci))
    prim = [ok for _, ok, _, p in tl if p]
    overall = rc == 0 and failed == 0 and None not in prim
    log("OVERALL: %s (%d of %d targets met%s; %.0f s)" % (
        "PASS" if overall else "FAIL", sum(1 for x in prim if x), len(prim),
        "" if rc == 0 else "; the bench itself failed", res.get("seconds", 0)))
    return 0 if overall else 1


if __name__ == "__main__":
    sys.exit(main())
