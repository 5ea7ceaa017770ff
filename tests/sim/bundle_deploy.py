#!/usr/bin/env python3
"""scripts/bundle into a fresh application directory, then the simulator
deploys that very archive.

Rules protected:
  * the archive has .platform/ and .ebextensions/ at its root, exactly the
    kit's files under .platform/ (hooks, confighooks, the wrapper, the static
    x86_64 binary; no README.md), mode 0755 for each (0644 for the chosen
    .ebextensions file), Unix modes recorded, the binary with no dynamic
    section and identical to the release's;
  * a .platform/README.md left by the old `cp -R platform-hooks/. .platform/`
    is removed; the wrapper runs the binary for `uname -m` and exits 127
    naming the missing leader-exec-aarch64 on an aarch64 machine;
  * in a git work tree, bundle names the kit files not committed, and stops
    naming them once they are committed with their modes;
  * the README's Python leader_env() example reads each instance's file;
  * deployed as is, with nothing configured, every hook succeeds, runs no
    migration, writes no export file and makes no EC2 call (so a deployment
    cannot fail for want of an IAM policy);
  * once LEADER_EXEC_MIGRATE_COMMAND and LEADER_EXEC_EXPORT_FILE are set
    (a configuration deployment), each application deployment runs the
    migration exactly once, a scale-out runs none.

scripts/bundle builds the static release (build-static/) unless
LEADER_EXEC_RELEASE names one.  When no static binary can be built here
(bundle exits 77: the curl source package cannot be fetched) this test
exits 77 (skip), except under CI=true, where it fails.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ebsim  # noqa: E402  (exits 77 when moto cannot be imported)
from ebsim import W  # noqa: E402

NAME = "sim_bundle_deploy"
BUNDLE = os.path.join(ebsim.REPO, "scripts", "bundle")
BUILD_LIMIT = 1500          # seconds: a first static build (curl, then leader-exec)
KIT = {".platform/hooks/predeploy/05_leader_export.sh": 0o755,
       ".platform/hooks/predeploy/10_leader_migrate.sh": 0o755,
       ".platform/confighooks/predeploy/05_leader_export.sh": 0o755,
       ".platform/bin/leader-exec": 0o755,
       ".platform/bin/leader-exec-x86_64": 0o755,
       ".platform/bin/leader-exec-aarch64": 0o755}
CRON = ".ebextensions/02_leader_exec_cron.config"
NOTHING = {"LEADER_EXEC_MIGRATE_COMMAND": None, "LEADER_EXEC_EXPORT_FILE": None,
           "LEADER_EXEC_ARGS": None}


def bundle(app, zip_path):
    args = ["bash", BUNDLE, app, "--ebext", "cron", "--zip", zip_path]
    if os.environ.get("LEADER_EXEC_RELEASE"):
        args += ["--release", os.environ["LEADER_EXEC_RELEASE"]]
    W.log("$ " + " ".join(args))
    p = subprocess.run(args, capture_output=True, text=True, timeout=BUILD_LIMIT)
    return p.returncode, p.stdout, p.stderr


def make_app(top):
    """A fresh application directory: a sample app and its migration."""
    app = os.path.join(top, "myapp")
    os.makedirs(os.path.join(app, "bin"))
    for rel, text, mode in (("bin/fake-migrate", ebsim.FAKE_MIGRATE, 0o755),
                            ("VERSION", "app-v1\n", 0o644),
                            ("app.py", "print('hello')\n", 0o644)):
        with open(os.path.join(app, rel), "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(os.path.join(app, rel), mode)
    # What the old README's `cp -R platform-hooks/. .platform/` left behind.
    os.makedirs(os.path.join(app, ".platform"))
    shutil.copy(os.path.join(ebsim.REPO, "platform-hooks", "README.md"),
                os.path.join(app, ".platform", "README.md"))
    return app


def check_wrapper(app, top):
    """.platform/bin/leader-exec execs leader-exec-<arch> by uname -m; it
    exits 127 naming the file when the bundle lacks that architecture, and
    126 naming the machine for any other machine."""
    fake = os.path.join(top, "fake-uname")
    os.makedirs(fake, exist_ok=True)
    bindir = os.path.join(top, "bin-without-aarch64")
    shutil.copytree(os.path.join(app, ".platform", "bin"), bindir)
    os.unlink(os.path.join(bindir, "leader-exec-aarch64"))
    path = {"PATH": fake + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")}
    for machine, rc, text in (("aarch64", 127, "leader-exec-aarch64"),
                              ("riscv64", 126, "riscv64")):
        with open(os.path.join(fake, "uname"), "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\necho %s\n" % machine)
        os.chmod(os.path.join(fake, "uname"), 0o755)
        p = subprocess.run([os.path.join(bindir, "leader-exec"), "--version"],
                           capture_output=True, text=True, timeout=30, env=path)
        W.expect(p.returncode == rc and text in p.stderr,
                 "uname -m %s without leader-exec-aarch64: the wrapper exits %d naming %s"
                 % (machine, rc, text), (rc, text), (p.returncode, p.stderr.strip()))
    wrapper = os.path.join(app, ".platform", "bin", "leader-exec")
    if os.uname().machine != "x86_64":
        W.log("  not checked: the wrapper on this %s machine" % os.uname().machine)
        return
    p = subprocess.run([wrapper, "--version"], capture_output=True, text=True, timeout=30)
    W.expect(p.returncode == 0 and p.stdout.startswith("leader-exec "),
             "on this x86_64 machine the wrapper runs leader-exec-x86_64", (0, "leader-exec ..."),
             (p.returncode, p.stdout.strip(), p.stderr.strip()))


def git(app, *args):
    subprocess.run(["git", "-C", app, "-c", "user.name=t", "-c", "user.email=t@t"] + list(args),
                   check=True, capture_output=True, timeout=60)


def check_archive(zip_path, app):
    with zipfile.ZipFile(zip_path) as z:
        infos = {zi.filename: zi for zi in z.infolist()}
        files = {n: zi for n, zi in infos.items() if not n.endswith("/")}
        platform = sorted(n for n in files if n.startswith(".platform/"))
        W.expect(platform == sorted(KIT), "the archive's .platform/ holds exactly the kit",
                 sorted(KIT), platform)
        readmes = [n for n in infos if n.startswith(".platform/") and "README" in n]
        W.expect(not readmes, "no README under .platform/", [], readmes)
        want = dict(KIT, **{CRON: 0o644, "bin/fake-migrate": 0o755, "VERSION": 0o644})
        got = {n: (files[n].create_system, stat.S_IMODE(files[n].external_attr >> 16))
               if n in files else None for n in want}
        W.expect(got == {n: (3, m) for n, m in want.items()},
                 "every path at the root with its Unix mode (made by Unix)",
                 {n: (3, oct(m)) for n, m in want.items()},
                 {n: v and (v[0], oct(v[1])) for n, v in got.items()})
        roots = sorted({n.split("/", 1)[0] for n in infos})
        W.expect(roots == [".ebextensions", ".platform", "VERSION", "app.py", "bin"],
                 "the dot directories sit at the archive's root, nothing else added",
                 [".ebextensions", ".platform", "VERSION", "app.py", "bin"], roots)
        wrapper = z.read(".platform/bin/leader-exec")
        W.expect(wrapper.startswith(b"#!/bin/sh\n"),
                 ".platform/bin/leader-exec is the sh wrapper", "#!/bin/sh", wrapper[:20])
        binary = z.read(".platform/bin/leader-exec-x86_64")
        arm = z.read(".platform/bin/leader-exec-aarch64")
    for name, data, machine in (("x86_64", binary, "X86-64"), ("aarch64", arm, "AArch64")):
        path = os.path.join(os.path.dirname(zip_path), "leader-exec-%s.extracted" % name)
        with open(path, "wb") as f:
            f.write(data)
        p = subprocess.run(["readelf", "-d", path], capture_output=True, text=True,
                           timeout=30)
        W.expect("There is no dynamic section" in p.stdout,
                 "the bundled %s binary has no dynamic section (readelf -d)" % name,
                 "There is no dynamic section", p.stdout.strip()[:200])
        p = subprocess.run(["readelf", "-h", path], capture_output=True, text=True,
                           timeout=30)
        W.expect(machine in p.stdout, "the bundled %s binary is for %s" % (name, machine),
                 machine, p.stdout.strip()[-300:])
    with open(os.path.join(app, ".platform/bin/leader-exec-x86_64"), "rb") as f:
        W.expect(f.read() == binary, "the archive's binary is the one installed in the app",
                 "identical", "different")


def check_nothing_configured(env, rollout, what):
    ebsim.expect_all_ok(rollout, what)
    W.expect(rollout.migrations == [], "%s: no migration ran" % what, [], rollout.migrations)
    W.expect(rollout.ec2_actions == {}, "%s: no EC2 call at all (no IAM needed)" % what, {},
             rollout.ec2_actions)
    said = {}
    for iid, r in rollout.runs.items():
        names = sorted(h.name for h in r.hooks)
        W.expect(names == [ebsim.EXPORT_HOOK, ebsim.MIGRATE_HOOK],
                 "%s: %s ran both predeploy hooks" % (what, iid),
                 [ebsim.EXPORT_HOOK, ebsim.MIGRATE_HOOK], names)
        said[iid] = all("is not set" in h.stderr for h in r.hooks)
        W.expect(env.instance(iid).exported() == {} and not os.path.exists(
            env.instance(iid).path(ebsim.EXPORT_REL)),
                 "%s: %s wrote no export file" % (what, iid), "none", "a file")
    W.expect(all(said.values()), "%s: each hook said what is not set" % what,
             {i: True for i in said}, said)


def readme_leader_env():
    """The README's Python example for reading the leadership file."""
    with open(os.path.join(ebsim.REPO, "README"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("    def leader_env("))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "return out")
    namespace = {}
    exec("\n".join(ln[4:] for ln in lines[start:end + 1]), namespace)  # noqa: S102
    return namespace["leader_env"]


def check_readme_reader(env, ids, leader):
    leader_env = readme_leader_env()
    got = {i: leader_env(env.instance(i).path(ebsim.EXPORT_REL)).get("EB_IS_COMMAND_LEADER")
           for i in ids}
    want = {i: "true" if i == leader else "false" for i in ids}
    W.expect(got == want, "the README's leader_env() reads EB_IS_COMMAND_LEADER from each "
             "instance's file", want, got)


def simulate(zip_path):
    with ebsim.Environment("bundle", bundle=zip_path, properties=NOTHING) as env:
        r1 = env.create(3)
        check_nothing_configured(env, r1, "create, nothing configured")
        r2 = env.deploy("AllAtOnce")
        check_nothing_configured(env, r2, "deploy, nothing configured")

        r3 = env.configure(LEADER_EXEC_MIGRATE_COMMAND="./bin/fake-migrate",
                           LEADER_EXEC_EXPORT_FILE="/" + ebsim.EXPORT_REL,
                           LEADER_EXEC_ARGS="--settle 1 --timeout 30")
        ebsim.expect_all_ok(r3, "configuration deployment switching leader-exec on")
        W.expect(r3.migrations == [], "the configuration deployment runs no migration", [],
                 r3.migrations)
        ids = env.running()
        W.expect(all(env.instance(i).exported().get("EB_IS_COMMAND_LEADER") in ("true", "false")
                     for i in ids), "the confighook wrote every export file once switched on",
                 "true/false everywhere", {i: env.instance(i).exported() for i in ids})

        r4 = env.deploy("AllAtOnce")
        ebsim.expect_all_ok(r4, "deploy 3")
        leader, _ = ebsim.expect_one_migration(env, r4, ids, "deploy 3")
        check_readme_reader(env, ids, leader)
        r5 = env.deploy("Rolling", 1)
        ebsim.expect_all_ok(r5, "deploy 4 (Rolling, 1)")
        ebsim.expect_one_migration(env, r5, ids, "deploy 4 (Rolling, 1)")
        r6 = env.scale_to(4)
        ebsim.expect_all_ok(r6, "scale out")
        W.expect(r6.migrations == [], "a scale-out runs no migration", [], r6.migrations)
        per_id = sorted(m.deployment_id for m in env.migrations())
        W.expect(per_id == [3, 4], "one migration per deployment once switched on", [3, 4],
                 per_id)
        W.log("leader of deployment 3: %s" % leader)


def main():
    keep = os.environ.get("LEADER_EXEC_KEEP") == "1"
    top = tempfile.mkdtemp(prefix="le-bundle-")
    ok = False
    try:
        app = make_app(top)
        git(app, "init", "-q")
        zip_path = os.path.join(top, "myapp.zip")
        rc, out, err = bundle(app, zip_path)
        if rc == 77:
            sys.stderr.write(err)
            if os.environ.get("CI") == "true":
                print("FAIL: %s: no static binary can be built (bundle exit 77) and CI=true"
                      % NAME)
                return 1
            print("SKIP: %s: no static binary can be built here (bundle exit 77)" % NAME)
            return 77
        if rc != 0:
            sys.stderr.write(out + err)
            print("FAIL: %s: scripts/bundle exited %d, expected 0" % (NAME, rc))
            return 1
        status = W.scenario(NAME + " (archive)", lambda: check_bundle(app, zip_path, out),
                            time_limit=300)
        if status == 0:
            status = W.scenario(NAME, lambda: simulate(zip_path), time_limit=240)
        ok = status == 0
        return status
    finally:
        if ok and not keep:
            shutil.rmtree(top, ignore_errors=True)
        else:
            print("kept %s" % top)


def check_bundle(app, zip_path, out):
    W.log(out.strip())
    check_archive(zip_path, app)
    W.expect(not os.path.exists(os.path.join(app, ".platform", "README.md")),
             "the .platform/README.md an old cp -R left is gone", "removed", "still there")
    check_wrapper(app, os.path.dirname(zip_path))
    missing = sorted(ln.split("not committed: ", 1)[1].strip()
                     for ln in out.splitlines() if "not committed: " in ln)
    W.expect(missing == sorted(list(KIT) + [CRON]),
             "in a git work tree, bundle names every kit file not committed",
             sorted(list(KIT) + [CRON]), missing)
    git(app, "add", "-A")
    git(app, "commit", "-q", "-m", "app with leader-exec")
    rc, out2, err2 = bundle(app, zip_path)
    W.expect(rc == 0, "a second bundle of the same app succeeds", 0, (rc, err2[-500:]))
    W.expect("not committed" not in out2 and "execute bit" not in out2,
             "once committed with their modes, bundle names no kit file", "no note",
             [ln for ln in out2.splitlines() if "committed" in ln])
    check_archive(zip_path, app)


if __name__ == "__main__":
    sys.exit(main())
