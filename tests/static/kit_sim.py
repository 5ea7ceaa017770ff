#!/usr/bin/env python3
"""The release's .platform/ kit, as it is, passes the simulated Elastic
Beanstalk deployments (tests/sim): each scenario below runs with every
source bundle's .platform/ a copy of the kit (hooks, confighooks, the
wrapper bin/leader-exec and both binaries, modes kept) in place of
platform-hooks/ plus the built binary, and LEADER_EXEC the kit's wrapper.
On this x86_64 machine the wrapper must pick leader-exec-x86_64: picking
the aarch64 binary fails every hook with "Exec format error".

Each bundle is checked as it is written: its .platform/ members are
exactly the kit's files with the kit's modes, and .platform/bin/leader-exec
is the wrapper (a #!/bin/sh script), not a binary.

LEADER_EXEC_RELEASE_DIR names the release directory (make check-release).
Skips (77) when it is unset or moto cannot be imported; fails when it is set
but holds no kit.
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(HERE, "..", "sim")
NAME = "kit_sim"
SCENARIOS = ["all_at_once.py", "rolling.py", "scale_out.py", "scale_to_zero.py",
             "failing_migration.py", "new_epoch.py"]
TIME_LIMIT = 300            # seconds per scenario

# Runs one sim scenario in a child python with ebsim.build_bundle bound to
# the kit; the scenario's own `import ebsim` finds this patched module.
BOOT = r'''
import os, runpy, stat, sys, zipfile
sim, kit, path = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, sim)
import ebsim
orig = ebsim.build_bundle
want = {}
for d, _, fs in os.walk(kit):
    for f in fs:
        full = os.path.join(d, f)
        want[os.path.join(".platform", os.path.relpath(full, kit))] = \
            stat.S_IMODE(os.stat(full).st_mode)
def kit_bundle(dest_zip, label, binary, hooks_dir=None, extra_files=None):
    orig(dest_zip, label, os.path.join(kit, "bin", "leader-exec"), hooks_dir=kit,
         extra_files=extra_files)
    with zipfile.ZipFile(dest_zip) as z:
        got = {zi.filename: (zi.external_attr >> 16) & 0o7777 for zi in z.infolist()
               if zi.filename.startswith(".platform/")}
        head = z.read(".platform/bin/leader-exec")[:10]
    if got != want or head != b"#!/bin/sh\n":
        print("FAIL: the bundle's .platform/ is not the kit: %r (want %r), "
              "bin/leader-exec starts %r" % (sorted(got.items()), sorted(want.items()), head))
        sys.exit(1)
    return dest_zip
ebsim.build_bundle = kit_bundle
sys.argv = [path]
runpy.run_path(path, run_name="__main__")
'''


def main():
    rel = os.environ.get("LEADER_EXEC_RELEASE_DIR")
    if not rel:
        print("SKIP: %s: LEADER_EXEC_RELEASE_DIR is not set (make check-release)" % NAME)
        return 77
    kit = os.path.join(os.path.abspath(rel), ".platform")
    wrapper = os.path.join(kit, "bin", "leader-exec")
    if not os.path.isfile(wrapper):
        print("FAIL: %s: no kit at %s (run make release first)" % (NAME, kit))
        return 1
    try:
        import moto  # noqa: F401
    except ImportError:
        print("SKIP: %s: moto cannot be imported" % NAME)
        return 77
    env = dict(os.environ, LEADER_EXEC=wrapper)
    failed = []
    for sc in SCENARIOS:
        path = os.path.join(SIM, sc)
        t0 = time.monotonic()
        print("== %s with the kit %s" % (sc, kit), flush=True)
        p = subprocess.Popen([sys.executable, "-c", BOOT, SIM, kit, path], env=env,
                             stdin=subprocess.DEVNULL)
        try:
            rc = p.wait(timeout=TIME_LIMIT)
        except subprocess.TimeoutExpired:
            # TERM lets the scenario stop its servers; KILL if it hangs.
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=15)
            rc = "timeout after %d s" % TIME_LIMIT
        print("== %s: exit %s in %.1f s" % (sc, rc, time.monotonic() - t0), flush=True)
        if rc != 0:
            failed.append("%s (exit %s)" % (sc, rc))
    if failed:
        print("FAIL: %s: %s" % (NAME, ", ".join(failed)))
        return 1
    print("PASS: %s: %d scenarios with the kit" % (NAME, len(SCENARIOS)))
    return 0


sys.exit(main())
