"""The test world for leader-exec's integration scenarios.

  Moto          moto_server on a free 127.0.0.1 port, with a boto3 EC2 client;
                serial=True runs moto_serial.py instead (one request at a
                time, so S3 conditional writes are atomic as in S3)
  ImdsServer    an IMDSv2 stand-in per simulated instance (imds_standin.py)
  CountingProxy a counting keep-alive reverse proxy in front of moto (proxy.py)
  World         an Elastic Beanstalk-like environment: launch, terminate, tags,
                run_all (one leader-exec per instance, released at the same
                moment), markers
  scenario()    runs a scenario function: PASS/FAIL line and exit status

Safety rules, enforced here:
  * every server binds 127.0.0.1 and every endpoint handed to a leader-exec
    process must be http://127.0.0.1:<port>; otherwise the harness exits 99;
  * child environments are built from scratch (PATH, HOME, LANG, TZ and what
    the scenario sets); no other AWS_* variable reaches a child;
  * every child gets the sanitizer options (a distinct exit status, 97 for
    ASan/LSan and 96 for UBSan, never 1, which is --check's follower) and
    the valgrind wrapper's variables; every run's stderr is searched for a
    sanitizer report, and under make check-valgrind every memcheck log for
    one: either fails the scenario whatever the exit status;
  * every server is stopped by its PID / handle at the end, even on failure
    (try/finally and atexit); every wait is bounded.

A scenario exits 77 (automake SKIP) only when moto cannot be imported; a
missing leader-exec binary is a failure (exit 1).
"""

import atexit
import dataclasses
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

EXIT_SKIP = 77
EXIT_HARD_ERROR = 99
LOOPBACK = "127.0.0.1"
REGION = "us-east-1"
AMI = "ami-12c6146b"          # in moto 5.2's built-in image list
TAG_RE = re.compile(r"^[0-9]{1,20}(@[^@]+)?$")
ENDPOINT_RE = re.compile(r"^http://127\.0\.0\.1:([0-9]{1,5})/?$")

# The harness process itself must never go through a proxy or pick up a
# developer's AWS configuration: scrub both before boto3 is imported.
for _k in list(os.environ):
    if _k.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy") or \
            _k.startswith("AWS_"):
        del os.environ[_k]
os.environ["NO_PROXY"] = "*"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"   # the harness never asks IMDS

try:
    import moto  # noqa: F401  (only to know it is there)
except ImportError:
    print("SKIP: moto cannot be imported by %s" % sys.executable)
    sys.exit(EXIT_SKIP)

import boto3                      # noqa: E402  (moto depends on it)
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from imds_standin import ImdsServer, free_port  # noqa: E402,F401
from proxy import CountingProxy, Fault  # noqa: E402,F401

# Exit codes of leader-exec (the command-line contract).
EXIT_FOLLOWER_CHECK = 1
EXIT_USAGE = 2
EXIT_METADATA = 111
EXIT_CREDENTIALS = 112
EXIT_PERMISSION = 113
EXIT_EC2 = 114
EXIT_SCOPE = 115
EXIT_DEADLINE = 116
EXIT_SIGNAL = 117
EXIT_INTERNAL = 118
EXIT_QUORUM = 121


# A sanitizer abort must never look like a follower (--check exits 1): the
# sanitized build's reports get their own exit statuses.  make check sets
# the same in its environment; these apply when a scenario runs by hand.
SANITIZER_OPTIONS = {
    "ASAN_OPTIONS": "exitcode=97:detect_leaks=1:abort_on_error=0",
    "LSAN_OPTIONS": "exitcode=97",
    "UBSAN_OPTIONS": "halt_on_error=1:exitcode=96:print_stacktrace=1",
}
SANITIZER_REPORT_RE = re.compile(
    r"(ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error: |"
    r"SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer)")
EXIT_ASAN = 97
EXIT_UBSAN = 96


def sanitizer_report(text):
    """The first line of a sanitizer report in text, or None."""
    for line in (text or "").splitlines():
        if SANITIZER_REPORT_RE.search(line):
            return line.strip()
    return None


_valgrind_seen = set()


def valgrind_reports():
    """Memcheck reports not yet seen, as {log file: text}: the non-empty
    files of LEADER_EXEC_VALGRIND_LOGS (tests/valgrind-leader-exec runs
    memcheck with -q, so a clean process leaves its log empty)."""
    d = os.environ.get("LEADER_EXEC_VALGRIND_LOGS")
    out = {}
    if not d or not os.path.isdir(d):
        return out
    for name in sorted(os.listdir(d)):
        path = os.path.join(d, name)
        if path in _valgrind_seen:
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read(65536)
        except OSError:
            continue
        if text.strip():
            _valgrind_seen.add(path)
            out[path] = text
    return out


def check_reports(results=()):
    """Fail (ScenarioFailure) on any sanitizer report in the stderr of
    results or any new memcheck log, whatever the exit statuses were."""
    for r in results:
        line = sanitizer_report(r.stderr)
        if line is not None:
            raise ScenarioFailure("%s: sanitizer report (rc=%s): %s\n%s"
                                  % (r.instance, r.rc, line, r.stderr[-3000:]))
    logs = valgrind_reports()
    if logs:
        raise ScenarioFailure("memcheck reports: " + "\n".join(
            "%s:\n%s" % (k, v[:3000]) for k, v in logs.items()))


class HarnessRefusal(SystemExit):
    """The harness refuses to run something unsafe (exit 99)."""

    def __init__(self, msg):
        print("HARNESS REFUSES: %s" % msg, file=sys.stderr, flush=True)
        super().__init__(EXIT_HARD_ERROR)


class ScenarioFailure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def expect(cond, what, expected=None, got=None):
    """Assert one rule; print it; raise ScenarioFailure when broken."""
    if cond:
        log("  ok: %s" % what)
        return
    if expected is None and got is None:
        raise ScenarioFailure(what)
    raise ScenarioFailure("%s, expected %s got %s" % (what, expected, got))


def check_loopback(url, what):
    m = ENDPOINT_RE.match(url or "")
    if not m or not (0 < int(m.group(1)) < 65536):
        raise HarnessRefusal("%s is %r, not http://127.0.0.1:<port>" % (what, url))
    return url


def _wait_http(port, path="/", tries=100, interval=0.1, proc=None):
    """True once something answers HTTP on 127.0.0.1:port (bounded)."""
    for _ in range(tries):
        if proc is not None and proc.poll() is not None:
            return False
        c = http.client.HTTPConnection(LOOPBACK, port, timeout=1)
        try:
            c.request("GET", path)
            c.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            time.sleep(interval)
        finally:
            c.close()
    return False


# -- processes we start, stopped at exit whatever happens ------------------

_live = []           # objects with .stop(), most recent last
_live_lock = threading.Lock()


def _register(obj):
    with _live_lock:
        _live.append(obj)


def _unregister(obj):
    with _live_lock:
        if obj in _live:
            _live.remove(obj)


@atexit.register
def _stop_all():
    with _live_lock:
        objs = list(reversed(_live))
    for o in objs:
        try:
            o.stop()
        except Exception:  # noqa: BLE001  (best effort at exit)
            pass


def _stop_pid(proc, grace=5.0):
    """Stop one child we started, by its PID: TERM, then KILL; reap it."""
    if proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
        return
    except subprocess.TimeoutExpired:
        pass
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    proc.wait(grace)


try:
    import ctypes
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (ImportError, OSError, AttributeError):
    _prctl = None


def _die_with_parent():
    """In a child before exec: get SIGKILL when the harness dies (Linux).
    Looked up at import time so that the child only makes one C call."""
    if _prctl is not None:
        _prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG


def _base_env(home):
    return {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": home, "LANG": "C.UTF-8", "TZ": "UTC"}


# -- moto ------------------------------------------------------------------

class Moto:
    """moto_server on a free 127.0.0.1 port.

    no_auth_count: when not None, INITIAL_NO_AUTH_ACTION_COUNT for the
    server: the first N authenticated calls are free, later ones are checked
    (signature recomputed with the IAM/STS secret, then IAM policy).
    reset_auth(n) changes it at run time (and zeroes moto's call count).
    """

    def __init__(self, workdir, no_auth_count=None, serial=False):
        self.workdir = workdir
        self.no_auth_count = no_auth_count
        self.serial = serial
        self.port = None
        self.proc = None
        self._logf = None
        self.access_key = "testing"
        self.secret_key = "testing"

    @property
    def endpoint(self):
        return "http://%s:%d" % (LOOPBACK, self.port)

    def start(self):
        env = _base_env(self.workdir)
        if self.no_auth_count is not None:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.no_auth_count)
        self._logf = open(os.path.join(self.workdir, "moto.log"), "ab")
        for _ in range(3):          # a port taken between probe and bind: retry
            self.port = free_port()
            if self.serial:
                argv = [sys.executable, os.path.join(HERE, "moto_serial.py"),
                        str(self.port)]
            else:
                argv = [sys.executable, "-m", "moto.server", "-H", LOOPBACK,
                        "-p", str(self.port)]
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL, stdout=self._logf, stderr=subprocess.STDOUT,
                env=env, cwd=self.workdir, preexec_fn=_die_with_parent)
            _register(self)
            if _wait_http(self.port, "/moto-api/", proc=self.proc):
                return self
            _stop_pid(self.proc)
        raise RuntimeError("moto_server did not answer on 127.0.0.1 (see %s/moto.log)"
                           % self.workdir)

    def stop(self):
        if self.proc is not None:
            _stop_pid(self.proc)
            self.proc = None
        if self._logf is not None:
            self._logf.close()
            self._logf = None
        _unregister(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def client(self, service="ec2", access_key=None, secret_key=None, token=None,
               endpoint=None, region=REGION):
        url = check_loopback(endpoint or self.endpoint, "boto3 endpoint")
        sess = boto3.session.Session(
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            aws_session_token=token, region_name=region)
        return sess.client(service, endpoint_url=url, config=Config(
            proxies={}, connect_timeout=5, read_timeout=30,
            retries={"max_attempts": 2, "mode": "standard"}))

    def s3_client(self, **kw):
        """A boto3 S3 client on moto, path-style addressing (127.0.0.1)."""
        c = self.client("s3", **kw)
        c.meta.config.s3 = {"addressing_style": "path"}
        return c

    def use_credentials(self, access_key, secret_key):
        """Sign the harness's own later calls with these (IAM) keys."""
        self.access_key, self.secret_key = access_key, secret_key

    def reset_auth(self, n):
        """Set INITIAL_NO_AUTH_ACTION_COUNT to n now and zero moto's count."""
        c = http.client.HTTPConnection(LOOPBACK, self.port, timeout=10)
        try:
            c.request("POST", "/moto-api/reset-auth", body=str(n).encode())
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                raise RuntimeError("reset-auth: %d %r" % (r.status, body))
            return json.loads(body)
        finally:
            c.close()


# -- results ---------------------------------------------------------------

@dataclasses.dataclass
class Result:
    instance: str
    rc: int                 # None when it had to be killed at the timeout
    stdout: str
    stderr: str
    elapsed: float
    timed_out: bool = False

    def lines(self):
        return [ln for ln in self.stderr.splitlines() if ln.strip()]

    def show(self):
        return "%s rc=%s %.2fs stderr=%r" % (self.instance, self.rc, self.elapsed,
                                            self.stderr[-2000:])


MARKER_SCRIPT = ('printf "%s %s %s\\n" "$LEADER_EXEC_LEADER_ID" "$LEADER_EXEC_TERM" '
                 '"$EB_IS_COMMAND_LEADER" > "$MARKER_DIR/{iid}"')


def marker_command(iid):
    """The command a scenario wraps: writes $MARKER_DIR/<iid>."""
    return ["sh", "-c", MARKER_SCRIPT.format(iid=iid)]


def tag_term(value):
    """The term of a tag value '<term>' or '<term>@<epoch>'."""
    return int(value.split("@", 1)[0])


# -- the world -------------------------------------------------------------

class World:
    """An EB-like environment in moto, IMDS stand-ins, a counting proxy."""

    def __init__(self, name, no_auth_count=None, serial=False):
        self.name = name
        self.no_auth_count = no_auth_count
        self.serial = serial          # moto_serial.py: S3 writes atomic
        self.binary = find_binary()
        self.tmp = None
        self.moto = None
        self.proxy = None
        self.ec2 = None
        self.imds = {}            # instance id -> ImdsServer
        self.env_of = {}          # instance id -> environment id
        self.creds = ("AKIDLEADEREXECTEST", "leader-exec-test-secret", "leader-exec-test-token")
        self.last_results = None
        self.keep = os.environ.get("LEADER_EXEC_KEEP") == "1"
        self.failed = False

    # lifecycle
    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="leader-exec-%s-" % self.name)
        for d in ("markers", "manifests", "home"):
            os.mkdir(os.path.join(self.tmp, d))
        try:
            self.moto = Moto(self.tmp, self.no_auth_count, self.serial).start()
            self.proxy = CountingProxy(self.moto.port).start()
            _register(self.proxy)
            self.ec2 = self.moto.client("ec2")
        except BaseException:
            self.stop()
            raise
        log("world: %s moto=%s proxy=%s binary=%s" % (self.tmp, self.moto.endpoint,
                                                     self.proxy.endpoint, self.binary))
        return self

    def __exit__(self, et, ev, tb):
        if et is not None:
            self.failed = True
        self.stop()

    def stop(self):
        for s in list(self.imds.values()):
            s.stop()
        if self.proxy is not None:
            self.proxy.stop()
            _unregister(self.proxy)
            self.proxy = None
        if self.moto is not None:
            self.moto.stop()
            self.moto = None
        if self.tmp and os.path.isdir(self.tmp):
            if self.failed or self.keep:
                log("world: kept %s" % self.tmp)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def marker_dir(self):
        return os.path.join(self.tmp, "markers")

    def manifest_path(self, iid):
        return os.path.join(self.tmp, "manifests", iid + ".json")

    def write_manifest(self, iid, deployment_id, **extra):
        doc = {"RuntimeSources": {"app": {"app-1": {"s3url": ""}}},
               "DeploymentId": deployment_id, "Serial": str(deployment_id)}
        doc.update(extra)
        with open(self.manifest_path(iid), "w", encoding="utf-8") as f:
            json.dump(doc, f)

    # EC2 state
    def launch(self, env_id, n, env_name=None, extra_tags=None, creds=None, region=REGION,
               identity_region=None, **imds_knobs):
        """Run n instances tagged as EB does (env_id None: no EB tags, only
        extra_tags) in region; start an IMDS stand-in for each, whose
        identity document names identity_region (default: region)."""
        tags = []
        if env_id is not None:
            env_name = env_name or ("env-" + env_id)
            tags = [{"Key": "elasticbeanstalk:environment-id", "Value": env_id},
                    {"Key": "elasticbeanstalk:environment-name", "Value": env_name},
                    {"Key": "Name", "Value": env_name}]
        for k, v in (extra_tags or {}).items():
            tags.append({"Key": k, "Value": v})
        ec2 = self.ec2 if region == REGION else self.moto.client("ec2", region=region)
        r = ec2.run_instances(ImageId=AMI, MinCount=n, MaxCount=n,
                              InstanceType="t3.micro",
                              TagSpecifications=[{"ResourceType": "instance",
                                                  "Tags": tags}] if tags else [])
        ids = []
        ak, sk, tok = creds or self.creds
        for inst in r["Instances"]:
            iid = inst["InstanceId"]
            s = ImdsServer(iid, region=identity_region or region, access_key=ak, secret=sk,
                           token=tok,
                           private_ip=inst.get("PrivateIpAddress", "10.0.0.10"),
                           **imds_knobs).start()
            self.imds[iid] = s
            self.env_of[iid] = env_id
            ids.append(iid)
        return sorted(ids)

    def terminate(self, ids):
        self.ec2.terminate_instances(InstanceIds=list(ids))
        for iid in ids:
            s = self.imds.pop(iid, None)
            if s is not None:
                s.stop()

    def describe(self, iid):
        r = self.ec2.describe_instances(InstanceIds=[iid])
        return r["Reservations"][0]["Instances"][0]

    def tags(self, iid):
        return {t["Key"]: t["Value"] for t in self.describe(iid).get("Tags", [])}

    def holders(self, ids, key="leader-exec:command"):
        """{instance id: tag value} of those among ids that carry key."""
        out = {}
        for iid in ids:
            v = self.tags(iid).get(key)
            if v is not None:
                out[iid] = v
        return out

    def verify_with_role(self, role_policy):
        """Make moto check every call from now on (signature and IAM policy).

        Needs World(no_auth_count=...) so that this setup is still free.
        Creates the instance profile role with role_policy, serves its
        assumed-role keys (with a session token) from every IMDS stand-in,
        and signs the harness's own calls as an admin user.  Returns the
        assumed-role (access key, secret, session token).
        """
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sts:AssumeRole"}]}
        admin = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "*", "Resource": "*"}]}
        iam, sts = self.moto.client("iam"), self.moto.client("sts")
        role = iam.create_role(RoleName="aws-elasticbeanstalk-ec2-role",
                               AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="leader-exec",
                            PolicyDocument=json.dumps(role_policy))
        iam.create_user(UserName="harness")
        iam.put_user_policy(UserName="harness", PolicyName="all",
                            PolicyDocument=json.dumps(admin))
        key = iam.create_access_key(UserName="harness")["AccessKey"]
        c = sts.assume_role(RoleArn=role["Arn"],
                            RoleSessionName="i-instance-profile")["Credentials"]
        creds = (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        self.set_credentials(*creds)
        self.moto.use_credentials(key["AccessKeyId"], key["SecretAccessKey"])
        self.ec2 = self.moto.client("ec2")
        self.moto.reset_auth(0)
        return creds

    # S3
    def s3(self):
        """A boto3 S3 client signed as the harness (admin after verify_with_role)."""
        return self.moto.s3_client()

    def create_bucket(self, name):
        """Create bucket name in us-east-1 (no location constraint)."""
        self.s3().create_bucket(Bucket=name)
        return name

    def get_object(self, bucket, key):
        """(body bytes, ETag) of bucket/key, or (None, None) when absent."""
        try:
            r = self.s3().get_object(Bucket=bucket, Key=key)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "NoSuchKey":
                return None, None
            raise
        return r["Body"].read(), r["ETag"]

    def put_object(self, bucket, key, body):
        """Unconditional PutObject; returns the new ETag."""
        return self.s3().put_object(Bucket=bucket, Key=key, Body=body)["ETag"]

    def set_credentials(self, access_key, secret, token, ids=None):
        for iid in ids or list(self.imds):
            self.imds[iid].set_credentials(access_key, secret, token)

    # markers
    def markers(self):
        """{instance id: (leader id, term, EB_IS_COMMAND_LEADER)} written so far."""
        out = {}
        for name in sorted(os.listdir(self.marker_dir)):
            with open(os.path.join(self.marker_dir, name), encoding="utf-8") as f:
                parts = f.read().split()
            out[name] = tuple(parts + [""] * (3 - len(parts)))[:3]
        return out

    def clear_markers(self):
        for name in os.listdir(self.marker_dir):
            os.unlink(os.path.join(self.marker_dir, name))

    # running leader-exec
    def child_env(self, iid, via_proxy=True, extra=None, allow_aws=()):
        env = _base_env(os.path.join(self.tmp, "home"))
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = self.imds[iid].endpoint
        env["AWS_ENDPOINT_URL_EC2"] = self.proxy.endpoint if via_proxy else self.moto.endpoint
        env["AWS_ENDPOINT_URL_S3"] = self.proxy.endpoint if via_proxy else self.moto.endpoint
        env["AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2"] = (
            self.proxy.endpoint if via_proxy else self.moto.endpoint)
        env["AWS_ENDPOINT_URL_AUTOSCALING"] = (self.proxy.endpoint if via_proxy
                                               else self.moto.endpoint)
        env["LEADER_EXEC_MANIFEST"] = self.manifest_path(iid)
        env["MARKER_DIR"] = self.marker_dir
        env.update(extra or {})
        return guard_env(env, allow_aws)

    def run_all(self, args, instances, timeout=60.0, via_proxy=True, extra_env=None,
                allow_aws=()):
        """Run leader-exec once per instance, all released at the same moment.

        args: a list (the same for all) or a function of the instance id.
        extra_env: a dict (the same for all) or a function of the instance id.
        Returns {instance id: Result}; a process still running at the timeout
        is killed (rc None, timed_out True).
        """
        instances = list(instances)
        gate_r, gate_w = os.pipe()
        procs = {}
        try:
            for iid in instances:
                a = args(iid) if callable(args) else list(args)
                x = extra_env(iid) if callable(extra_env) else extra_env
                env = self.child_env(iid, via_proxy=via_proxy, extra=x, allow_aws=allow_aws)
                # sh waits on the gate (its stdin: EOF when the harness closes
                # the write end), then becomes leader-exec with stdin /dev/null.
                argv = ["/bin/sh", "-c", 'read _; exec "$0" "$@" </dev/null',
                        self.binary] + a
                procs[iid] = subprocess.Popen(
                    argv, env=env, stdin=gate_r, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, cwd=self.tmp, preexec_fn=_die_with_parent)
        except BaseException:
            os.close(gate_w)
            os.close(gate_r)
            for p in procs.values():
                _stop_pid(p)
            raise
        os.close(gate_r)
        results = {}
        t0 = time.monotonic()
        os.close(gate_w)        # release them all

        def wait_one(iid, p):
            left = max(0.1, timeout - (time.monotonic() - t0))
            try:
                out, err = p.communicate(timeout=left)
                results[iid] = Result(iid, p.returncode, out.decode("utf-8", "replace"),
                                      err.decode("utf-8", "replace"), time.monotonic() - t0)
            except subprocess.TimeoutExpired:
                _stop_pid(p, grace=2)
                out, err = p.communicate(timeout=5)
                results[iid] = Result(iid, None, out.decode("utf-8", "replace"),
                                      err.decode("utf-8", "replace"), time.monotonic() - t0,
                                      timed_out=True)

        threads = [threading.Thread(target=wait_one, args=(iid, p), daemon=True)
                   for iid, p in procs.items()]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout + 15)
        finally:
            # Normally all have ended; on a time limit, TERM or crash, stop them.
            for iid, p in procs.items():
                if p.poll() is None:
                    _stop_pid(p, grace=1)
                if iid not in results:
                    results[iid] = Result(iid, None, "", "", time.monotonic() - t0, True)
        self.last_results = results
        for iid in instances:
            r = results[iid]
            log("  ran %s: rc=%s %.2fs %s" % (iid, r.rc, r.elapsed,
                                            (" | ".join(r.lines()))[:400]))
        check_reports(results.values())
        return results

    def elect(self, ids, *opts, epoch=None, key="leader-exec:command"):
        """Run every instance of ids at once with the marker command (settle 1 s,
        timeout 30 s, plus opts) and check the election: all exit 0, exactly
        one ran, it is the only holder of key (of a value for epoch when
        given), and the child saw its own id, the tag's term and
        EB_IS_COMMAND_LEADER=true.  Returns (leader id, tag value, results).
        """
        self.clear_markers()
        res = self.run_all(self.marker_args("--settle", "1", "--timeout", "30", *opts),
                           ids, timeout=45)
        rcs = {i: r.rc for i, r in res.items()}
        expect(all(rc == 0 for rc in rcs.values()), "every instance exits 0", 0, rcs)
        m = self.markers()
        expect(len(m) == 1, "exactly one instance ran the command", 1, sorted(m))
        leader = next(iter(m))
        expect(leader in ids, "the runner is one of the instances run", ids, leader)
        expect(m[leader][0] == leader, "LEADER_EXEC_LEADER_ID is the runner's own id",
               leader, m[leader][0])
        expect(m[leader][2] == "true", "EB_IS_COMMAND_LEADER=true in the child", "true",
               m[leader][2])
        h = self.holders(ids, key)
        if epoch is not None:
            h = {i: v for i, v in h.items() if v.endswith("@%s" % epoch)}
        expect(list(h) == [leader], "exactly the runner carries %s%s" % (
            key, "" if epoch is None else " for epoch %s" % epoch), [leader], h)
        value = h[leader]
        expect(TAG_RE.match(value) is not None, "tag value is <term> or <term>@<epoch>",
               "<term>[@<epoch>]", value)
        expect(str(tag_term(value)) == m[leader][1], "LEADER_EXEC_TERM equals the tag's term",
               tag_term(value), m[leader][1])
        return leader, value, res

    def run_one(self, args, iid, **kw):
        return self.run_all(args, [iid], **kw)[iid]

    def marker_args(self, *opts):
        """args for run_all: leader-exec OPTS -- <marker command for the instance>."""
        return lambda iid: list(opts) + ["--"] + marker_command(iid)


# No S3 endpoint given: the discard port on loopback, so that nothing a child
# sends to S3 can leave the machine (connection refused).
S3_NOWHERE = "http://127.0.0.1:9"
ENDPOINT_VARS = ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL_EC2",
                 "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2",
                 "AWS_ENDPOINT_URL_AUTOSCALING")
# Set to the discard port when absent (and no loopback AWS_ENDPOINT_URL is
# allowed): a child never falls back to a real AWS endpoint.
OPTIONAL_ENDPOINT_VARS = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2",
                          "AWS_ENDPOINT_URL_AUTOSCALING")


def test_tool_env():
    """What every leader-exec child gets besides the scenario's variables:
    the sanitizer options (make check's, else SANITIZER_OPTIONS) and, under
    make check-valgrind, the valgrind wrapper's LEADER_EXEC_REAL and
    LEADER_EXEC_VALGRIND_LOGS."""
    out = {k: os.environ.get(k, v) for k, v in SANITIZER_OPTIONS.items()}
    for k in ("LEADER_EXEC_REAL", "LEADER_EXEC_VALGRIND_LOGS"):
        if os.environ.get(k):
            out[k] = os.environ[k]
    return out


def guard_env(env, allow_aws=()):
    """Refuse (exit 99) unless every endpoint is loopback; drop other AWS_*.

    AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 and
    AWS_ENDPOINT_URL_AUTOSCALING must
    be http://127.0.0.1:PORT too; when neither the variable nor
    AWS_ENDPOINT_URL is set it is set to S3_NOWHERE.  Adds test_tool_env()
    (sanitizer options, valgrind wrapper variables)."""
    env = dict(env)
    for k in OPTIONAL_ENDPOINT_VARS:
        if not env.get(k) and not (
                "AWS_ENDPOINT_URL" in allow_aws and env.get("AWS_ENDPOINT_URL")):
            env[k] = S3_NOWHERE
    for k in ENDPOINT_VARS:
        if k in env or k not in OPTIONAL_ENDPOINT_VARS:
            check_loopback(env.get(k), k)
    safe = {"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EC2_METADATA_DISABLED",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_ENDPOINT_URL"}
    out = {}
    for k, v in env.items():
        if k.startswith("AWS_") and k not in ENDPOINT_VARS:
            if k not in allow_aws or k not in safe:
                log("  harness: dropping %s from the child environment" % k)
                continue
            if k == "AWS_ENDPOINT_URL":
                check_loopback(v, k)
        if k.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            raise HarnessRefusal("a proxy variable (%s) in a child environment" % k)
        out[k] = v
    for k, v in test_tool_env().items():
        out.setdefault(k, v)
    return out


def find_binary():
    path = os.environ.get("LEADER_EXEC") or os.path.join(REPO, "build", "leader-exec")
    path = os.path.abspath(path)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise ScenarioFailure("leader-exec binary not found or not executable at %s "
                              "(set LEADER_EXEC)" % path)
    return path


def scenario(name, fn, time_limit=120):
    """Run fn() under a hard time limit; print PASS/FAIL; return the exit status."""
    def on_alarm(*_):
        raise ScenarioFailure("scenario time limit of %d s exceeded" % time_limit)

    signal.signal(signal.SIGALRM, on_alarm)
    # A TERM (make check's timeout, a CI cancel) still stops every server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.alarm(time_limit)
    t0 = time.monotonic()
    try:
        fn()
        check_reports()     # processes a scenario started itself
    except ScenarioFailure as e:
        signal.alarm(0)
        print("FAIL: %s: %s" % (name, e), flush=True)
        return 1
    except HarnessRefusal:
        raise
    except Exception:  # noqa: BLE001  (any crash is a failure with its trace)
        signal.alarm(0)
        traceback.print_exc()
        print("FAIL: %s: harness error (trace above)" % name, flush=True)
        return 1
    finally:
        signal.alarm(0)
        _stop_all()
    print("PASS: %s (%.1f s)" % (name, time.monotonic() - t0), flush=True)
    return 0


def run_scenario(name, fn, time_limit=120):
    """The entry point of a scenario script: never returns."""
    sys.exit(scenario(name, fn, time_limit))
