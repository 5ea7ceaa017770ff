#!/usr/bin/env python3
"""ebsim: an Elastic Beanstalk deployment simulator for leader-exec.

It behaves like Elastic Beanstalk on Amazon Linux 2023 in what matters to
leader-exec, on the loopback interface only:

  * an environment: instances in moto_server (tests/lib/world.py) tagged
    elasticbeanstalk:environment-id, elasticbeanstalk:environment-name,
    Name and aws:autoscaling:groupName, each with its own IMDSv2 stand-in
    and its own directory playing its root filesystem:
      <root>/opt/elasticbeanstalk/deployment/app_version_manifest.json
      <root>/var/app/staging   <root>/var/app/current
      <root>/var/log/eb-engine.log (what the simulator did, hook output)
  * a sample source bundle (a zip, Unix modes kept): .platform/ is a copy of
    platform-hooks/, .platform/bin/leader-exec is the built binary,
    bin/fake-migrate takes SIM_MIGRATION_SLEEP seconds, appends "<instance
    id> <deployment id> <term> ..." to a shared log (SIM_MIGRATION_LOG) and
    exits SIM_MIGRATION_EXIT;
  * an application deployment on one instance: the manifest gets the new
    DeploymentId, the bundle is unzipped into the staging directory, then
    .platform/hooks/prebuild/* and predeploy/* run in lexical order, cwd the
    staging directory, environment ONLY the environment properties plus
    HOME, PATH and PORT; a hook that is not executable fails as on EB
    ("fork/exec <hook>: permission denied"), a non-zero exit fails the
    instance's deployment (later hooks do not run, the application is not
    moved); on success staging becomes current and hooks/postdeploy/* run
    there;
  * policies: AllAtOnce (all instances at once) and Rolling with a batch
    size (batches one after another, each batch at once, never waiting for
    peers); DeploymentId rises by 1 per deployment;
  * scaling: new instances run the current version's deployment (the same
    DeploymentId) as EB does; scale in terminates the newest instances;
  * configuration deployments run .platform/confighooks/* of the current
    application, cwd the current directory, DeploymentId unchanged.

Not simulated: .ebextensions (commands, container_commands, leader_only),
Immutable and TrafficSplitting deployments, health checks, rollbacks.

Library:   with Environment("demo") as env: env.create(3); env.deploy() ...
Command:   python3 tests/sim/ebsim.py create=3 deploy rolling=2 scale=0 scale=2
"""

import argparse
import dataclasses
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "lib"))
import world as W  # noqa: E402  (exits 77 when moto cannot be imported)

# Instances deploy in threads.  A hook spawned (fork) while another thread
# writes a bundle's files would inherit that thread's open file, and exec of
# the binary just written fails with ETXTBSY ("Text file busy").  Writing
# bundles and spawning hooks therefore take turns.
_FILES_LOCK = threading.Lock()

PLATFORM_HOOKS = os.path.join(REPO, "platform-hooks")
MANIFEST_REL = "opt/elasticbeanstalk/deployment/app_version_manifest.json"
STAGING_REL = "var/app/staging"
CURRENT_REL = "var/app/current"
EXPORT_REL = "var/lib/leader-exec/leader.env"   # the hook's default path, in the root
ENGINE_LOG_REL = "var/log/eb-engine.log"
MIGRATE_HOOK = "10_leader_migrate.sh"
EXPORT_HOOK = "05_leader_export.sh"
HOOK_TIMEOUT = 90.0        # EB allows 600 s; leader-exec's own --timeout is 30 s here
MAX_INSTANCES = 50
MAX_BUNDLE_MEMBERS = 1000
PORT = "8080"

FAKE_MIGRATE = r"""#!/bin/sh
# ebsim's stand-in for a migration.  cwd is <root>/var/app/staging (EB runs
# predeploy hooks there; leader-exec does not change it).  Takes
# SIM_MIGRATION_SLEEP seconds (default 0), appends one line to the shared
# log, then exits with SIM_MIGRATION_EXIT (default 0).
set -eu
sleep "${SIM_MIGRATION_SLEEP:-0}"
root=$(cd ../../.. && pwd)
iid=$(cat "$root/etc/ebsim/instance-id")
dep=$(sed -n 's/.*"DeploymentId": *\([0-9][0-9]*\).*/\1/p' \
    "$root/opt/elasticbeanstalk/deployment/app_version_manifest.json")
printf '%s %s %s leader=%s epoch=%s eb=%s\n' "$iid" "$dep" "${LEADER_EXEC_TERM:-}" \
    "${LEADER_EXEC_LEADER_ID:-}" "${LEADER_EXEC_EPOCH:-}" "${EB_IS_COMMAND_LEADER:-}" \
    >>"$SIM_MIGRATION_LOG"
exit "${SIM_MIGRATION_EXIT:-0}"
"""

DECISION_RE = re.compile(
    r"^leader-exec: (?P<name>\S+): (?P<instance>i-[0-9a-f]+) "
    r"(?P<verdict>leader|follower|undecided)(?: of (?P<leader>i-[0-9a-f]+))? "
    r"\(term (?P<term>-?[0-9]+)(?:, epoch (?P<epoch>[^)]*))?\): (?P<reason>.*)$")
CLAIM_RE = re.compile(r"^leader-exec: (?P<reason>.*); claimed (?P<key>\S+)=(?P<value>\S+), "
                      r"settling\b.*$")
MIGRATION_RE = re.compile(r"^(?P<instance>\S+) (?P<deployment>[0-9]+) (?P<term>\S*) "
                          r"leader=(?P<leader>\S*) epoch=(?P<epoch>\S*) eb=(?P<eb>\S*)$")


class SimError(Exception):
    pass


def _die_with_parent():
    """In a hook process before exec: SIGKILL when the simulator dies (Linux)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


# -- results -----------------------------------------------------------------

@dataclasses.dataclass
class Decision:
    """leader-exec's one decision line: 'leader-exec: NAME: SELF VERDICT (term T, epoch E): WHY'."""
    name: str
    instance: str
    verdict: str
    leader: str
    term: int
    epoch: str
    reason: str


@dataclasses.dataclass
class HookRun:
    phase: str               # prebuild, predeploy, postdeploy
    name: str                # file name
    rc: int                  # None when it could not start or timed out
    stdout: str
    stderr: str
    elapsed: float
    error: str = ""          # EB's message when the hook could not run

    @property
    def ok(self):
        return self.rc == 0 and not self.error

    def decisions(self):
        out = []
        for line in self.stderr.splitlines():
            m = DECISION_RE.match(line.strip())
            if m:
                d = m.groupdict()
                out.append(Decision(d["name"], d["instance"], d["verdict"],
                                    d["leader"] or d["instance"], int(d["term"]),
                                    d["epoch"] or "", d["reason"]))
        return out

    def claims(self):
        return [m.groupdict() for m in (CLAIM_RE.match(ln.strip())
                                        for ln in self.stderr.splitlines()) if m]


@dataclasses.dataclass
class InstanceRun:
    """One instance's part of a rollout."""
    instance: str
    deployment_id: int
    kind: str                # deploy, launch, config
    batch: int
    hooks: list
    ok: bool
    moved: bool              # staging became current
    elapsed: float

    @property
    def failed_hook(self):
        for h in self.hooks:
            if not h.ok:
                return h
        return None

    def hook(self, name):
        for h in self.hooks:
            if h.name == name:
                return h
        return None

    def decision(self, hook=MIGRATE_HOOK):
        """The decision leader-exec printed in that hook (None if none)."""
        h = self.hook(hook)
        ds = h.decisions() if h else []
        return ds[-1] if ds else None

    def claim_reason(self):
        """Why this instance claimed leadership in this rollout, if it did."""
        for h in self.hooks:
            for c in h.claims():
                return c["reason"]
        return None


@dataclasses.dataclass
class Migration:
    instance: str
    deployment_id: int
    term: str
    leader: str
    epoch: str
    eb: str


@dataclasses.dataclass
class Rollout:
    kind: str                # create, deploy, launch (scale out), config
    deployment_id: int
    policy: str
    batches: list            # [[instance id]]
    runs: dict               # instance id -> InstanceRun
    migrations: list         # Migration lines appended during the rollout
    ec2_actions: dict        # EC2 Action -> count during the rollout
    elapsed: float

    @property
    def ok_ids(self):
        return sorted(i for i, r in self.runs.items() if r.ok)

    @property
    def failed_ids(self):
        return sorted(i for i, r in self.runs.items() if not r.ok)

    def leaders(self, hook=MIGRATE_HOOK):
        """Instances whose leader-exec said 'leader' in that hook."""
        out = []
        for iid, r in sorted(self.runs.items()):
            d = r.decision(hook)
            if d is not None and d.verdict == "leader":
                out.append(iid)
        return out


# -- bundles -----------------------------------------------------------------

def build_bundle(dest_zip, label, binary, hooks_dir=PLATFORM_HOOKS, extra_files=None):
    """Write the sample source bundle to dest_zip (Unix modes kept).

    extra_files: {relative path: (text, mode)} added or replacing files.
    """
    src = dest_zip + ".d"
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    shutil.copytree(hooks_dir, os.path.join(src, ".platform"))
    os.makedirs(os.path.join(src, ".platform", "bin"), exist_ok=True)
    shutil.copy2(binary, os.path.join(src, ".platform", "bin", "leader-exec"))
    os.chmod(os.path.join(src, ".platform", "bin", "leader-exec"), 0o755)
    files = {"bin/fake-migrate": (FAKE_MIGRATE, 0o755),
             "VERSION": (label + "\n", 0o644)}
    files.update(extra_files or {})
    for rel, (text, mode) in files.items():
        path = os.path.join(src, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, mode)
    with zipfile.ZipFile(dest_zip, "w", zipfile.ZIP_DEFLATED) as z:
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames.sort()
            for fn in sorted(filenames):
                full = os.path.join(dirpath, fn)
                zi = zipfile.ZipInfo(os.path.relpath(full, src), (2024, 1, 1, 0, 0, 0))
                zi.external_attr = (stat.S_IFREG | (os.stat(full).st_mode & 0o7777)) << 16
                zi.compress_type = zipfile.ZIP_DEFLATED
                with open(full, "rb") as f:
                    z.writestr(zi, f.read())
    shutil.rmtree(src)
    return dest_zip


def unzip_bundle(bundle, dest):
    """Like EB's `unzip -q -o bundle -d dest`: files with their Unix modes."""
    with zipfile.ZipFile(bundle) as z:
        members = z.infolist()
        if len(members) > MAX_BUNDLE_MEMBERS:
            raise SimError("bundle has more than %d members" % MAX_BUNDLE_MEMBERS)
        for zi in members:
            target = os.path.realpath(os.path.join(dest, zi.filename))
            if not target.startswith(os.path.realpath(dest) + os.sep):
                raise SimError("bundle member %r escapes the staging directory" % zi.filename)
            z.extract(zi, dest)
            mode = (zi.external_attr >> 16) & 0o7777
            if mode:
                os.chmod(target, mode)


@dataclasses.dataclass
class Version:
    label: str
    deployment_id: int
    bundle: str


# -- instances ---------------------------------------------------------------

class Instance:
    """One simulated instance: its id, IMDS stand-in and root directory."""

    def __init__(self, iid, root, imds):
        self.iid = iid
        self.root = root
        self.imds = imds
        for d in ("etc/ebsim", "root", "opt/elasticbeanstalk/deployment", "var/app",
                  "var/log", "var/lib"):
            os.makedirs(self.path(d), exist_ok=True)
        with open(self.path("etc/ebsim/instance-id"), "w", encoding="utf-8") as f:
            f.write(iid + "\n")
        self._log_lock = threading.Lock()

    def path(self, rel):
        return os.path.join(self.root, rel)

    def engine_log(self, msg):
        with self._log_lock, open(self.path(ENGINE_LOG_REL), "a", encoding="utf-8") as f:
            f.write("%s [INFO] %s\n" % (time.strftime("%Y/%m/%d %H:%M:%S"), msg))

    def write_manifest(self, version):
        # Fields vary by platform; leader-exec reads DeploymentId leniently.
        doc = ('{"RuntimeSources": {"ebsim-app": {"%s": {"s3url": ""}}}, '
               '"DeploymentId": %d, "Serial": "%d"}\n'
               % (version.label, version.deployment_id, version.deployment_id))
        tmp = self.path(MANIFEST_REL + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(doc)
        os.replace(tmp, self.path(MANIFEST_REL))

    def current_label(self):
        try:
            with open(self.path(CURRENT_REL + "/VERSION"), encoding="utf-8") as f:
                return f.read().strip()
        except OSError:
            return None

    def exported(self, rel=EXPORT_REL):
        """The export hook's file as {NAME: value}, or {} when absent."""
        out = {}
        try:
            with open(self.path(rel), encoding="utf-8") as f:
                for line in f:
                    m = re.match(r"^export ([A-Z_]+)='(.*)'$", line.strip())
                    if m:
                        out[m.group(1)] = m.group(2)
        except OSError:
            pass
        return out


# -- the environment ---------------------------------------------------------

class Environment:
    """An EB environment of simulated instances.  Use as a context manager.

    properties: extra environment properties (the same on every instance);
    a value None removes a default one (nothing configured: remove
    LEADER_EXEC_MIGRATE_COMMAND, LEADER_EXEC_EXPORT_FILE and LEADER_EXEC_ARGS).
    bundle: a source bundle (zip) to deploy as is at every deployment, in
    place of the sample bundle built from platform-hooks/ (scripts/bundle's
    archive, say).
    settle: leader-exec's --settle, passed with LEADER_EXEC_ARGS.
    quiet: print nothing but errors (the demo prints its own timeline).
    s3_bucket: create this bucket in moto, served one request at a time so
    that S3 conditional writes are atomic (for leader-exec's s3 store: put
    --store into LEADER_EXEC_ARGS).
    """

    def __init__(self, name="ebsim", env_id=None, settle=1, properties=None, quiet=False,
                 bundle=None, s3_bucket=None):
        self.name = name
        self.env_id = env_id or "e-%s" % re.sub(r"[^a-z0-9]", "", name.lower())[:10].ljust(10, "0")
        self.env_name = "ebsim-" + name
        self.group = "awseb-%s-stack-AWSEBAutoScalingGroup-SIM" % self.env_id
        self.settle = settle
        self.quiet = quiet
        self.s3_bucket = s3_bucket
        self.world = W.World("sim-" + name, serial=s3_bucket is not None)
        self.instances = {}          # instance id -> Instance (running ones)
        self.gone = {}               # instance id -> Instance (terminated)
        self.version = None          # the environment's current Version
        self.next_deployment_id = 1
        self.rollouts = []
        self.properties = {
            "LEADER_EXEC_MIGRATE_COMMAND": "./bin/fake-migrate",
            "LEADER_EXEC_EXPORT_FILE": "/" + EXPORT_REL,
            "LEADER_EXEC_ARGS": "--settle %s --timeout 30" % settle,
        }
        self.properties.update(properties or {})
        self.properties = {k: v for k, v in self.properties.items() if v is not None}
        self.bundle = bundle
        self.migration_log = None
        self.t0 = time.monotonic()

    def __enter__(self):
        self.world.__enter__()
        if self.s3_bucket is not None:
            self.world.create_bucket(self.s3_bucket)
        self.migration_log = os.path.join(self.world.tmp, "migrations.log")
        open(self.migration_log, "a").close()
        self.properties["SIM_MIGRATION_LOG"] = self.migration_log
        os.makedirs(os.path.join(self.world.tmp, "instances"))
        os.makedirs(os.path.join(self.world.tmp, "bundles"))
        self.t0 = time.monotonic()
        return self

    def __exit__(self, et, ev, tb):
        return self.world.__exit__(et, ev, tb)

    def say(self, msg):
        if not self.quiet:
            W.log(msg)

    # -- EC2 view --------------------------------------------------------

    def running(self):
        """Running instance ids, most senior first (launch time, then id),
        the order leader-exec ranks them in."""
        if not self.instances:
            return []
        r = self.world.ec2.describe_instances(InstanceIds=list(self.instances))
        rows = []
        for res in r["Reservations"]:
            for inst in res["Instances"]:
                if inst["State"]["Name"] == "running":
                    rows.append((inst["LaunchTime"], inst["InstanceId"]))
        return [iid for _, iid in sorted(rows)]

    def tag(self, iid, key="leader-exec:command"):
        return self.world.tags(iid).get(key)

    # -- versions ----------------------------------------------------------

    def _new_version(self, extra_files=None):
        dep = self.next_deployment_id
        self.next_deployment_id += 1
        label = "app-v%d" % dep
        bundle = os.path.join(self.world.tmp, "bundles", label + ".zip")
        if self.bundle is not None:
            shutil.copyfile(self.bundle, bundle)
        else:
            build_bundle(bundle, label, self.world.binary, extra_files=extra_files)
        return Version(label, dep, bundle)

    # -- hooks -------------------------------------------------------------

    def hook_env(self, inst):
        """The environment of a platform hook: ONLY the environment
        properties plus HOME, PATH and PORT, as on EB.

        The simulation adds four properties an operator would not set on
        real EB, where they are absent and leader-exec's defaults apply:
        AWS_EC2_METADATA_SERVICE_ENDPOINT (default http://169.254.169.254),
        AWS_ENDPOINT_URL_EC2 and AWS_ENDPOINT_URL_S3 (default the regional
        endpoints) and LEADER_EXEC_MANIFEST (default /opt/elasticbeanstalk/
        deployment/app_version_manifest.json): here they point at this
        instance's IMDS stand-in, the counting proxy in front of moto (for
        EC2 and S3), and the manifest in its root directory.  An absolute LEADER_EXEC_EXPORT_FILE property
        (the operator's switch for the export hook) is moved into the
        instance's root directory the same way.  guard_env refuses anything
        but 127.0.0.1 endpoints.
        """
        env = {"HOME": inst.path("root"),
               "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
               "PORT": PORT}
        env.update(self.properties)
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = inst.imds.endpoint
        env["AWS_ENDPOINT_URL_EC2"] = self.world.proxy.endpoint
        env["AWS_ENDPOINT_URL_S3"] = self.world.proxy.endpoint
        env["LEADER_EXEC_MANIFEST"] = inst.path(MANIFEST_REL)
        export = env.get("LEADER_EXEC_EXPORT_FILE", "")
        if export.startswith("/"):
            env["LEADER_EXEC_EXPORT_FILE"] = inst.path(export.lstrip("/"))
        return W.guard_env(env)

    def _run_hooks(self, inst, phase, hooks_rel, cwd, env, runs):
        """Run <cwd>/<hooks_rel>/* in lexical order; False at the first failure."""
        hdir = os.path.join(cwd, hooks_rel)
        if not os.path.isdir(hdir):
            return True
        names = sorted(n for n in os.listdir(hdir) if os.path.isfile(os.path.join(hdir, n)))
        inst.engine_log("Executing platform hooks in %s/: %s" % (hooks_rel, names))
        for name in names:
            rel = "%s/%s" % (hooks_rel, name)
            inst.engine_log("Running platform hook: %s" % rel)
            t0 = time.monotonic()
            if not os.access(os.path.join(cwd, rel), os.X_OK):
                # EB execs the file; without the execute bit that fails the
                # deployment (it is not skipped).
                run = HookRun(phase, name, None, "", "", 0.0,
                              "Command %s failed with error fork/exec %s: permission denied"
                              % (rel, rel))
            else:
                run = self._exec_hook(rel, cwd, env, phase, name, t0)
            runs.append(run)
            inst.engine_log("%s: rc=%s %.2fs %s\n--- stdout\n%s--- stderr\n%s---"
                            % (rel, run.rc, run.elapsed, run.error, run.stdout, run.stderr))
            if not run.ok:
                return False
        return True

    @staticmethod
    def _exec_hook(rel, cwd, env, phase, name, t0):
        with _FILES_LOCK:
            p = subprocess.Popen([rel], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 start_new_session=True, preexec_fn=_die_with_parent)
        try:
            out, err = p.communicate(timeout=HOOK_TIMEOUT)
            return HookRun(phase, name, p.returncode, out.decode("utf-8", "replace"),
                           err.decode("utf-8", "replace"), time.monotonic() - t0)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)   # the session started for this hook
            except ProcessLookupError:
                pass
            out, err = p.communicate(timeout=10)
            return HookRun(phase, name, None, out.decode("utf-8", "replace"),
                           err.decode("utf-8", "replace"), time.monotonic() - t0,
                           "hook timed out after %.0f s" % HOOK_TIMEOUT)

    def _deploy_instance(self, inst, version, kind, batch):
        """EB's app-deploy (kind deploy/launch) or config-deploy on one instance."""
        t0 = time.monotonic()
        env = self.hook_env(inst)
        hooks = []
        staging, current = inst.path(STAGING_REL), inst.path(CURRENT_REL)
        if kind == "config":
            inst.engine_log("config-deploy, DeploymentId %d" % version.deployment_id)
            ok = True
            for phase in ("prebuild", "predeploy", "postdeploy"):
                ok = self._run_hooks(inst, phase, ".platform/confighooks/" + phase,
                                     current, env, hooks)
                if not ok:
                    break
            return InstanceRun(inst.iid, version.deployment_id, kind, batch, hooks, ok,
                               False, time.monotonic() - t0)
        inst.engine_log("app-deploy %s, DeploymentId %d" % (version.label,
                                                            version.deployment_id))
        inst.write_manifest(version)
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging)
        with _FILES_LOCK:
            unzip_bundle(version.bundle, staging)
        ok = (self._run_hooks(inst, "prebuild", ".platform/hooks/prebuild", staging, env, hooks)
              and self._run_hooks(inst, "predeploy", ".platform/hooks/predeploy", staging,
                                  env, hooks))
        moved = False
        if ok:
            shutil.rmtree(current, ignore_errors=True)
            os.rename(staging, current)
            moved = True
            ok = self._run_hooks(inst, "postdeploy", ".platform/hooks/postdeploy", current,
                                 env, hooks)
        inst.engine_log("%s: %s" % (kind, "succeeded" if ok else "FAILED"))
        return InstanceRun(inst.iid, version.deployment_id, kind, batch, hooks, ok, moved,
                           time.monotonic() - t0)

    def _run_batch(self, ids, version, kind, batch, runs):
        """Every instance of a batch at once; wait for all (bounded)."""
        barrier = threading.Barrier(len(ids))
        errors = []

        def one(iid):
            try:
                barrier.wait(30)
                runs[iid] = self._deploy_instance(self.instances[iid], version, kind, batch)
            except Exception as e:  # noqa: BLE001  (reported below)
                errors.append("%s: %r" % (iid, e))

        threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in ids]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 3 * HOOK_TIMEOUT + 60
        for t in threads:
            t.join(max(0.1, deadline - time.monotonic()))
        if any(t.is_alive() for t in threads):
            raise SimError("batch %d did not finish in time" % batch)
        if errors:
            raise SimError("simulator error: " + "; ".join(errors))

    def _rollout(self, kind, version, batches, policy, between_batches=None):
        self.world.proxy.reset_counts()
        with open(self.migration_log, encoding="utf-8") as f:
            before = len(f.readlines())
        t0 = time.monotonic()
        runs = {}
        for n, ids in enumerate(batches, 1):
            if ids:
                self._run_batch(ids, version, kind, n, runs)
            if between_batches is not None and n < len(batches):
                between_batches(n, runs)
        with open(self.migration_log, encoding="utf-8") as f:
            lines = f.readlines()[before:]
        migrations = []
        for ln in lines:
            m = MIGRATION_RE.match(ln.strip())
            if not m:
                raise SimError("unreadable migration log line %r" % ln)
            d = m.groupdict()
            migrations.append(Migration(d["instance"], int(d["deployment"]), d["term"],
                                        d["leader"], d["epoch"], d["eb"]))
        _, _, actions, _ = self.world.proxy.snapshot()
        r = Rollout(kind, version.deployment_id, policy, batches, runs, migrations,
                    dict(actions), time.monotonic() - t0)
        self.rollouts.append(r)
        self.say("%s deployment %d (%s): %d ok, %d failed, migrations by %s, %.1f s"
                 % (kind, r.deployment_id, policy, len(r.ok_ids), len(r.failed_ids),
                    [m.instance for m in migrations] or "nobody", r.elapsed))
        for iid in sorted(runs):
            ir = runs[iid]
            d = ir.decision(MIGRATE_HOOK) or ir.decision(EXPORT_HOOK)
            fh = ir.failed_hook
            self.say("  %s batch %d: %s%s%s" % (
                iid, ir.batch, "ok" if ir.ok else "FAILED",
                "" if d is None else " %s term %d: %s" % (d.verdict, d.term, d.reason),
                "" if fh is None else " [%s rc=%s %s %s]" % (
                    fh.name, fh.rc, fh.error, fh.stderr.strip()[-300:])))
        return r

    # -- operations --------------------------------------------------------

    def _launch(self, n):
        if n < 1 or len(self.instances) + n > MAX_INSTANCES:
            raise SimError("cannot launch %d instances (at most %d)" % (n, MAX_INSTANCES))
        ids = self.world.launch(self.env_id, n, env_name=self.env_name,
                                extra_tags={"aws:autoscaling:groupName": self.group})
        for iid in ids:
            root = os.path.join(self.world.tmp, "instances", iid)
            self.instances[iid] = Instance(iid, root, self.world.imds[iid])
        return ids

    def create(self, n, extra_files=None):
        """Create the environment: n instances deploy the first version
        (DeploymentId 1) all at once."""
        if self.instances or self.version is not None:
            raise SimError("the environment exists already")
        ids = self._launch(n)
        self.version = self._new_version(extra_files)
        return self._rollout("create", self.version, [ids], "AllAtOnce")

    def deploy(self, policy="AllAtOnce", batch_size=None, order="launch",
               between_batches=None, extra_files=None):
        """Deploy a new version (DeploymentId + 1) to the running instances.

        policy: AllAtOnce, or Rolling with batch_size instances per batch.
        order: Rolling's instance order: "launch" (most senior first),
        "reverse" (most junior first) or an explicit list of ids.
        between_batches(batch number, runs so far) is called after each batch
        but the last.
        """
        ids = self.running()
        if not ids:
            raise SimError("no running instance to deploy to")
        if policy == "AllAtOnce":
            batches = [ids]
        elif policy == "Rolling":
            if not batch_size or batch_size < 1:
                raise SimError("Rolling needs a batch size >= 1")
            if order == "reverse":
                ids = ids[::-1]
            elif isinstance(order, (list, tuple)):
                if sorted(order) != sorted(ids):
                    raise SimError("order %r is not the running instances %r" % (order, ids))
                ids = list(order)
            batches = [ids[i:i + batch_size] for i in range(0, len(ids), batch_size)]
            policy = "Rolling(%d)" % batch_size
        else:
            raise SimError("unknown deployment policy %r" % policy)
        self.version = self._new_version(extra_files)
        return self._rollout("deploy", self.version, batches, policy, between_batches)

    def scale_to(self, n):
        """Scale to n running instances.  New instances run the current
        version's deployment (same DeploymentId); scale in terminates the
        newest first.  Returns the launch Rollout, or None."""
        ids = self.running()
        if n > len(ids):
            if self.version is None:
                raise SimError("create the environment first")
            new = self._launch(n - len(ids))
            return self._rollout("launch", self.version, [new], "scale out")
        if n < len(ids):
            self.terminate(ids[n:])
        return None

    def terminate(self, ids):
        ids = list(ids)
        self.world.terminate(ids)
        for iid in ids:
            self.gone[iid] = self.instances.pop(iid)
        self.say("terminated %s" % ids)

    def configure(self, **props):
        """A configuration deployment: set environment properties, run the
        current application's confighooks on every instance at once."""
        if self.version is None:
            raise SimError("create the environment first")
        self.properties.update({k: str(v) for k, v in props.items()})
        return self._rollout("config", self.version, [self.running()], "AllAtOnce")

    # -- what happened -----------------------------------------------------

    def migrations(self):
        return [m for r in self.rollouts for m in r.migrations]

    def instance(self, iid):
        return self.instances.get(iid) or self.gone[iid]

    def elapsed(self):
        return time.monotonic() - self.t0


# -- checks shared by the scenarios -------------------------------------------

def expect_all_ok(rollout, what):
    failed = {i: (r.failed_hook.name, r.failed_hook.rc, r.failed_hook.error)
              for i, r in rollout.runs.items() if not r.ok}
    W.expect(not failed, "%s: every instance's deployment succeeds" % what, {}, failed)
    moved = [i for i, r in rollout.runs.items() if rollout.kind != "config" and not r.moved]
    W.expect(not moved, "%s: every instance moved the application to current" % what,
             [], moved)


def expect_one_migration(env, rollout, candidates, what):
    """Exactly one migration in this rollout, for its DeploymentId, by one of
    candidates, which leader-exec named leader; the child saw its own id, the
    epoch and EB_IS_COMMAND_LEADER=true; the tag and every export file agree.
    Returns (leader id, term)."""
    dep = rollout.deployment_id
    ran = [(m.instance, m.deployment_id) for m in rollout.migrations]
    W.expect(len(ran) == 1, "%s: exactly one migration ran" % what, 1, ran)
    m = rollout.migrations[0]
    W.expect(m.deployment_id == dep, "%s: it ran for DeploymentId %d" % (what, dep), dep,
             m.deployment_id)
    W.expect(m.instance in candidates, "%s: it ran on one of %s" % (what, sorted(candidates)),
             sorted(candidates), m.instance)
    W.expect((m.leader, m.epoch, m.eb) == (m.instance, str(dep), "true"),
             "%s: the command saw its own id, epoch %d, EB_IS_COMMAND_LEADER=true" % (what, dep),
             (m.instance, str(dep), "true"), (m.leader, m.epoch, m.eb))
    leaders = rollout.leaders()
    W.expect(leaders == [m.instance], "%s: leader-exec named exactly that instance leader"
             % what, [m.instance], leaders)
    value = env.tag(m.instance)
    # "=0": the migration ran under a lease (LEADER_EXEC_MIGRATE_WAIT) and
    # succeeded.
    W.expect(value in ("%s@%d" % (m.term, dep), "%s=0@%d" % (m.term, dep)),
             "%s: the leader's tag is <LEADER_EXEC_TERM>[=0]@<DeploymentId>" % what,
             "%s[=0]@%d" % (m.term, dep), value)
    others = {i: env.tag(i) for i in env.running() if i != m.instance}
    others = {i: v for i, v in others.items() if v and v.endswith("@%d" % dep)}
    W.expect(not others, "%s: no other running instance holds a claim for epoch %d"
             % (what, dep), {}, others)
    expect_exports(env, rollout, m.instance, dep, what)
    return m.instance, int(m.term)


def expect_exports(env, rollout, leader, dep, what):
    """Each instance that ran the export hook wrote EB_IS_COMMAND_LEADER=true
    exactly when it is the leader, the epoch, and a LEADER_EXEC_LEADER_ID
    naming the leader.  No tolerance: a follower that names a claimant which
    then lost (a follower deciding on a claim still inside its settle
    window) is a failure; leader.c waits for such a claim to settle.
    """
    wrong = {}
    for iid, r in rollout.runs.items():
        h = r.hook(EXPORT_HOOK)
        if h is None or not h.ok:
            continue
        x = env.instance(iid).exported()
        want = {"EB_IS_COMMAND_LEADER": "true" if iid == leader else "false",
                "LEADER_EXEC_LEADER_ID": leader, "LEADER_EXEC_EPOCH": str(dep)}
        got = {k: x.get(k) for k in want}
        if got != want:
            wrong[iid] = (want, got)
    W.expect(not wrong, "%s: every export file says who leads (true only on %s)"
             % (what, leader), {}, wrong)


# -- the timeline (the demo and the command line) ------------------------------

def short_reason(reason, limit=110):
    return reason if len(reason) <= limit else reason[:limit - 3] + "..."


def describe(rollout, label=None):
    """Readable lines for one rollout: who led, with which term, and why."""
    r = rollout
    what = label or {"create": "create", "deploy": "deploy", "launch": "scale out",
                     "config": "config"}[r.kind]
    lines = ["%s: deployment %d, %s, %d instance%s in %d batch%s: %d ok, %d failed"
             % (what, r.deployment_id, r.policy, len(r.runs), "" if len(r.runs) == 1 else "s",
                len(r.batches), "" if len(r.batches) == 1 else "es", len(r.ok_ids),
                len(r.failed_ids))]
    leaders = r.leaders()
    for iid in leaders:
        run = r.runs[iid]
        d = run.decision()
        ran = [m for m in r.migrations if m.instance == iid]
        lines.append("  leader   %s (batch %d) term %d, epoch %s: migration ran %d time%s%s"
                     % (iid, run.batch, d.term, d.epoch or "none", len(ran),
                        "" if len(ran) == 1 else "s",
                        "" if run.ok else ", deployment FAILED (%s rc=%s)"
                        % (run.failed_hook.name, run.failed_hook.rc)))
        why = run.claim_reason()
        if why:
            lines.append("           why: %s" % short_reason(why))
        lines.append("           then: %s" % short_reason(d.reason))
    followers = [i for i in sorted(r.runs) if i not in leaders]
    for iid in followers:
        run = r.runs[iid]
        d = run.decision() or run.decision(EXPORT_HOOK)
        if d is None:
            fh = run.failed_hook
            lines.append("  -        %s (batch %d): %s" % (
                iid, run.batch, "no decision" if fh is None else "%s failed: %s" % (
                    fh.name, fh.error or (fh.stderr.strip().splitlines() or [""])[-1])))
            continue
        lines.append("  %-8s %s (batch %d): %s" % (d.verdict, iid, run.batch,
                                                   short_reason(d.reason, 90)))
    if r.kind == "config":
        lines.append("  migrations: %d (config deployments run confighooks only)"
                     % len(r.migrations))
    calls = ", ".join("%s %d" % (k, v) for k, v in sorted(r.ec2_actions.items()))
    lines.append("  EC2 calls: %s" % (calls or "none"))
    return lines


def _main(argv=None):
    ap = argparse.ArgumentParser(
        description="Simulate Elastic Beanstalk deployments of the sample bundle "
                    "(platform-hooks/ + leader-exec) on 127.0.0.1.",
        epilog="steps: create=N  deploy  rolling=B  rolling-reverse=B  scale=N  "
               "config=KEY=VALUE  (in order; create first)")
    ap.add_argument("--settle", type=float, default=1, help="leader-exec --settle (s)")
    ap.add_argument("--name", default="cli", help="environment name")
    ap.add_argument("steps", nargs="+")
    a = ap.parse_args(argv)
    if len(a.steps) > 50:
        ap.error("at most 50 steps")

    def run():
        with Environment(a.name, settle=a.settle, quiet=True) as env:
            for step in a.steps:
                key, _, val = step.partition("=")
                if key == "create":
                    r = env.create(int(val))
                elif key == "deploy":
                    r = env.deploy()
                elif key in ("rolling", "rolling-reverse"):
                    r = env.deploy("Rolling", int(val),
                                   order="reverse" if key == "rolling-reverse" else "launch")
                elif key == "scale":
                    r = env.scale_to(int(val))
                    if r is None:
                        W.log("[%5.1fs] scale to %s: running %s" % (env.elapsed(), val,
                                                                  env.running()))
                        continue
                elif key == "config":
                    k, _, v = val.partition("=")
                    r = env.configure(**{k: v})
                else:
                    raise W.ScenarioFailure("unknown step %r" % step)
                W.log("[%5.1fs] " % env.elapsed() + "\n".join(describe(r)))
            n = {}
            for m in env.migrations():
                n[m.deployment_id] = n.get(m.deployment_id, 0) + 1
            W.log("migrations per deployment id: %s" % (n or "none"))

    return W.scenario("ebsim", run, time_limit=600)


if __name__ == "__main__":
    sys.exit(_main())
