#!/usr/bin/env python3
"""The README's quick start, run as written.

Rule: the numbered steps of "Quick start on Elastic Beanstalk", taken from
the README itself (each indented block whose first line is
"# step N (local|AWS): ..."), run in order and succeed, in a scratch copy
of this repository (what a fresh clone has: no configure, no build) with
HOME a scratch directory holding ~/myapp, an application set up as the
README assumes (its own git repository, `eb init` done).  The local steps
(build and bundle, verify) run for real; the `aws` and `eb` commands of the
AWS steps are stubs that record their arguments and send nothing.

Checked: the steps are numbered 1, 2, ... with no gap and come in the order
that works (IAM policy, bundle, verify, eb setenv, eb deploy, --status);
every block exits 0; the policy file step 1 writes is JSON naming the
environment; ~/myapp.zip has the kit at its root with mode 0755 (step 3's
own output shows it); the commit eb deploy would ship holds the kit with
mode 100755; the AWS calls were made in that order.

The static curl cache of this checkout (.cache/ or LEADER_EXEC_CACHE) is
shared with the copy.  When no static binary can be built here (bundle
exits 77) this test exits 77, except under CI=true, where it fails.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
NAME = "readme_quickstart"
STEP_RE = re.compile(r"^# step (\d+) \((local|AWS)\): (.+)$")
STEP_LIMIT = 1500           # seconds for one step (a first static build)
ORDER = ["aws iam put-role-policy", "scripts/bundle", "unzip -Z", "eb setenv", "eb deploy",
         "--status"]
KIT = [".platform/bin/leader-exec", ".platform/bin/leader-exec-x86_64",
       ".platform/confighooks/predeploy/05_leader_export.sh",
       ".platform/hooks/predeploy/05_leader_export.sh",
       ".platform/hooks/predeploy/10_leader_migrate.sh"]
STUB = """#!/bin/sh
# A stand-in for the %s CLI: records its arguments, sends nothing.
printf '%%s' %s >>"$QUICKSTART_CALLS"
for a in "$@"; do printf ' %%s' "$a" >>"$QUICKSTART_CALLS"; done
echo >>"$QUICKSTART_CALLS"
"""

failures = []


def check(ok, what, expected=None, got=None):
    if ok:
        print("  ok: %s" % what, flush=True)
    else:
        print("FAIL: %s: expected %s, got %s" % (what, expected, got), flush=True)
        failures.append(what)
    return ok


def quick_start_steps(readme):
    """[(number, kind, title, script)] from the quick start section."""
    start = readme.index("\nQuick start on Elastic Beanstalk\n")
    m = re.search(r"\n[^\n]+\n-{3,}\n", readme[start + 2:])
    section = readme[start:start + 2 + (m.start() if m else len(readme))]
    lines = section.split("\n")
    steps = []
    i = 0
    while i < len(lines):
        m = STEP_RE.match(lines[i].strip())
        if not m:
            i += 1
            continue
        indent = len(lines[i]) - len(lines[i].lstrip())
        block = [lines[i][indent:]]
        i += 1
        while i < len(lines) and (lines[i].startswith(" " * indent) or not lines[i].strip()):
            if not lines[i].strip():
                nxt = next((ln for ln in lines[i:] if ln.strip()), "")
                if not nxt.startswith(" " * indent):
                    break
            block.append(lines[i][indent:])
            i += 1
        steps.append((int(m.group(1)), m.group(2), m.group(3), "\n".join(block).rstrip() + "\n"))
    return steps


def copy_repo(dest):
    """The checkout's files, as a clone would have them (no build output)."""
    p = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "-c", "-o", "--exclude-standard"],
                       capture_output=True, timeout=60)
    # Outside a checkout, or in an ignored part of one (make distcheck's
    # tarball under build/), git lists nothing: copy the tree instead.
    if p.returncode == 0 and p.stdout.strip(b"\0"):
        for rel in sorted(set(p.stdout.decode().split("\0")) - {""}):
            src = os.path.join(REPO, rel)
            if not os.path.isfile(src):
                continue                    # deleted in the work tree
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))
        return
    skip = {".git", ".cache", ".venv", "release", "autom4te.cache", "configure"}
    shutil.copytree(REPO, dest, ignore=lambda d, names: [
        n for n in names if os.path.samefile(d, REPO) and (
            n in skip or (n.startswith("build") and os.path.isdir(os.path.join(d, n))))])


def run(args, cwd, env, limit=120):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=limit)


def make_home(top, env):
    home = os.path.join(top, "home")
    app = os.path.join(home, "myapp")
    os.makedirs(os.path.join(app, ".elasticbeanstalk"))
    with open(os.path.join(app, "app.py"), "w", encoding="utf-8") as f:
        f.write("print('hello')\n")
    with open(os.path.join(app, ".elasticbeanstalk", "config.yml"), "w", encoding="utf-8") as f:
        f.write("global:\n  application_name: myapp\n")     # what eb init leaves
    for args in (["git", "init", "-q"], ["git", "add", "app.py"],
                 ["git", "commit", "-q", "-m", "the application"]):
        p = run(args, app, env)
        if p.returncode != 0:
            raise RuntimeError("%s: %s" % (args, p.stderr))
    return home, app


def main():
    with open(os.path.join(REPO, "README"), encoding="utf-8") as f:
        steps = quick_start_steps(f.read())
    numbers = [n for n, _, _, _ in steps]
    check(numbers == list(range(1, len(steps) + 1)) and len(steps) == len(ORDER),
          "the quick start has steps 1 to %d, in order" % len(ORDER),
          list(range(1, len(ORDER) + 1)), numbers)
    where = [next((n for n, _, _, s in steps if key in s), None) for key in ORDER]
    check(where == sorted(where) and None not in where,
          "the steps come in the order that works: %s" % ", ".join(ORDER),
          "rising step numbers", dict(zip(ORDER, where)))
    kinds = {n: k for n, k, _, _ in steps}
    check(kinds.get(2) == "local" and kinds.get(3) == "local",
          "steps 2 (bundle) and 3 (verify) are the local ones", "local, local", kinds)
    if failures:
        return 1

    top = tempfile.mkdtemp(prefix="le-quickstart-")
    ok = False
    try:
        clone = os.path.join(top, "leader-exec")
        copy_repo(clone)
        stubs = os.path.join(top, "stubs")
        os.makedirs(stubs)
        for tool in ("aws", "eb"):
            path = os.path.join(stubs, tool)
            with open(path, "w", encoding="utf-8") as f:
                f.write(STUB % (tool, tool))
            os.chmod(path, 0o755)
        calls = os.path.join(top, "calls.log")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"PATH": stubs + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
                    "QUICKSTART_CALLS": calls,
                    "LEADER_EXEC_CACHE": os.environ.get("LEADER_EXEC_CACHE")
                    or os.path.join(REPO, ".cache"),
                    "GIT_AUTHOR_NAME": "quickstart", "GIT_AUTHOR_EMAIL": "q@example.invalid",
                    "GIT_COMMITTER_NAME": "quickstart",
                    "GIT_COMMITTER_EMAIL": "q@example.invalid",
                    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
        env.pop("LEADER_EXEC_STATIC_BUILD", None)
        home, app = make_home(top, env)
        env["HOME"] = home
        outputs = {}
        for n, kind, title, script in steps:
            print("step %d (%s): %s" % (n, kind, title), flush=True)
            p = run(["bash", "-euo", "pipefail", "-c", script], clone, env, STEP_LIMIT)
            outputs[n] = p.stdout
            if p.returncode == 77 and "scripts/bundle" in script:
                sys.stderr.write(p.stderr[-2000:])
                if os.environ.get("CI") == "true":
                    print("FAIL: %s: no static binary can be built (bundle exit 77) and CI=true"
                          % NAME)
                    return 1
                print("SKIP: %s: no static binary can be built here (bundle exit 77)" % NAME)
                ok = True
                return 77
            if not check(p.returncode == 0, "step %d exits 0 as written" % n, 0,
                         "%d: %s" % (p.returncode, (p.stdout + p.stderr)[-1500:])):
                return 1

        policy_path = os.path.join(home, "leader-exec-iam-my-env.json")
        try:
            with open(policy_path, encoding="utf-8") as f:
                policy = f.read()
            json.loads(policy)
            check("my-env" in policy and "REPLACE_WITH" not in policy,
                  "step 1's policy file is JSON naming my-env, placeholder gone", "my-env",
                  policy[:300])
        except (OSError, ValueError) as e:
            check(False, "step 1 wrote a JSON policy file", policy_path, e)
        listed = {}
        for ln in outputs[3].splitlines():
            parts = ln.split()
            if parts:
                listed[parts[-1]] = parts[0]
        check(all(listed.get(k) == "-rwxr-xr-x" for k in KIT),
              "step 3 shows every kit file at the zip's root with mode -rwxr-xr-x",
              {k: "-rwxr-xr-x" for k in KIT}, {k: listed.get(k) for k in KIT})
        check(not any(k.startswith(".elasticbeanstalk/") for k in listed)
              and ".platform/README.md" not in listed,
              "the zip leaves out .elasticbeanstalk/ and has no .platform/README.md", "neither",
              sorted(listed))
        p = run(["git", "ls-tree", "-r", "HEAD", "--", ".platform"], app, env)
        tree = {ln.split("\t")[1]: ln.split()[0] for ln in p.stdout.splitlines() if "\t" in ln}
        check({k: tree.get(k) for k in KIT} == {k: "100755" for k in KIT},
              "the commit eb deploy ships holds every kit file with mode 100755",
              {k: "100755" for k in KIT}, tree)
        with open(calls, encoding="utf-8") as f:
            made = [ln.strip() for ln in f if ln.strip()]
        want = ["aws iam put-role-policy", "eb setenv", "eb deploy", "eb ssh"]
        got = [next((w for w in want if c.startswith(w)), c) for c in made]
        check(got == want, "the AWS and EB calls, in order", want, made)
        check(any("--policy-name leader-exec-my-env" in c and "file://" + policy_path in c
                  for c in made), "put-role-policy names the policy after the environment "
              "and reads step 1's file", "leader-exec-my-env, file://" + policy_path, made[:1])
        check(any(c.startswith("eb ssh") and "leader-exec --status" in c for c in made),
              "step 6 runs leader-exec --status on an instance", "eb ssh ... --status", made)
        ok = not failures
        return 0 if ok else 1
    finally:
        if ok and os.environ.get("LEADER_EXEC_KEEP") != "1":
            shutil.rmtree(top, ignore_errors=True)
        else:
            print("kept %s" % top)


if __name__ == "__main__":
    status = main()
    if status == 0:
        print("PASS: %s" % NAME)
    elif status == 1 and failures:
        print("FAIL: %s: %d check%s failed: %s" % (NAME, len(failures),
                                                    "" if len(failures) == 1 else "s",
                                                    "; ".join(failures)))
    sys.exit(status)
