#!/usr/bin/env python3
"""The modes and options of DESIGN.md section 4, end to end:
--check (0 leader, 1 follower), --export (eval-able, true on the leader only),
--all (everyone runs, EB_IS_COMMAND_LEADER true on one), --dry-run (no tag
written, nothing run), --on-error fail|run|skip with metadata down,
AWS_EC2_METADATA_DISABLED, credentials from the environment first, the
scope rules (no group tag: 115 naming --scope; --scope tag:K=V works), and
the command never sees the instance role's secret."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "cli_modes"
FAST = ["--settle", "1", "--timeout", "30"]


def eval_export(stdout):
    """Evaluate --export output in sh and return the variables it sets."""
    script = stdout + '\nprintf "%s %s %s %s\\n" "$EB_IS_COMMAND_LEADER" ' \
        '"$LEADER_EXEC_LEADER_ID" "$LEADER_EXEC_TERM" "$LEADER_EXEC_NAME"\n'
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=10,
                         env={"PATH": "/usr/bin:/bin"})
    return out.stdout.split()


def check_modes(w):
    ids = w.launch("e-modes", 3)

    W.log("--check on three at once")
    w.proxy.reset_counts()
    res = w.run_all(FAST + ["--check"], ids, timeout=45)
    rcs = {i: r.rc for i, r in res.items()}
    leaders = [i for i, rc in rcs.items() if rc == 0]
    W.expect(len(leaders) == 1, "--check: exactly one exits 0", 1, rcs)
    W.expect(sorted(rc for rc in rcs.values()) == [0, 1, 1], "--check: the others exit 1",
             [0, 1, 1], rcs)
    reports = {i: W.sanitizer_report(r.stderr) for i, r in res.items()}
    W.expect(all(v is None for v in reports.values()),
             "--check: a follower's 1 with no sanitizer report in stderr", None, reports)
    leader = leaders[0]
    W.expect(list(w.holders(ids)) == [leader], "--check: the one exiting 0 holds the tag",
             [leader], w.holders(ids))
    W.expect(w.markers() == {}, "--check runs nothing", {}, w.markers())
    term = W.tag_term(w.holders(ids)[leader])

    W.log("--export on three at once")
    res = w.run_all(FAST + ["--export"], ids, timeout=45)
    for iid, r in res.items():
        W.expect(r.rc == 0, "--export exits 0 on %s" % iid, 0, r.rc)
        got = eval_export(r.stdout)
        want = ["true" if iid == leader else "false", leader, str(term), "command"]
        W.expect(got == want, "--export on %s evaluates to the decision" % iid, want, got)

    W.log("--all -- <marker> on three at once")
    res = w.run_all(w.marker_args(*FAST, "--all"), ids, timeout=45)
    m = w.markers()
    W.expect(sorted(m) == ids, "--all: every instance runs the command", ids, sorted(m))
    W.expect({i: v[2] for i, v in m.items()} ==
             {i: ("true" if i == leader else "false") for i in ids},
             "--all: EB_IS_COMMAND_LEADER is true on the leader only",
             "true on %s" % leader, m)
    W.expect(all(v[0] == leader and v[1] == str(term) for v in m.values()),
             "--all: every command learns the same leader and term", (leader, term), m)


def check_fresh_elections(w):
    """Juniors (beyond the three senior instances) wait, then may see a claim
    that is about to lose; they must still name the settled leader."""
    ids = w.launch("e-fresh", 5)
    for k in range(3):
        W.log("--all in a fresh election (epoch fresh-%d): followers name the settled leader"
              % k)
        w.clear_markers()
        w.run_all(w.marker_args(*FAST, "--all", "--epoch", "fresh-%d" % k), ids, timeout=45)
        m = w.markers()
        runners = [i for i, v in m.items() if v[2] == "true"]
        W.expect(len(m) == 5 and len(runners) == 1, "fresh --all: five ran, one as leader",
                 1, m)
        W.expect(all(v[0] == runners[0] for v in m.values()),
                 "fresh --all: every instance names the leader that ran as leader",
                 runners[0], {i: v[0] for i, v in m.items()})


def check_dry_run(w):
    ids = w.launch("e-dry", 3)
    W.log("--dry-run on a group without a leader")
    w.clear_markers()
    w.proxy.reset_counts()
    res = w.run_all(w.marker_args(*FAST, "--dry-run"), ids, timeout=45)
    _, _, actions, _ = w.proxy.snapshot()
    W.expect(all(r.rc == 0 for r in res.values()), "--dry-run exits 0", 0,
             {i: r.rc for i, r in res.items()})
    W.expect(set(actions) == {"DescribeInstances"}, "--dry-run only reads",
             {"DescribeInstances"}, dict(actions))
    W.expect(w.markers() == {}, "--dry-run runs nothing", {}, w.markers())
    W.expect(w.holders(ids) == {}, "--dry-run leaves no tag", {}, w.holders(ids))
    W.expect(all("would" in r.stderr for r in res.values()),
             "--dry-run says what it would do", "would ...",
             [r.stderr for r in res.values()])


def check_errors(w):
    down = w.launch("e-down", 1, down=True)[0]
    W.log("metadata down: default fails with 111 and runs nothing")
    r = w.run_one(w.marker_args("--timeout", "5"), down, timeout=20)
    W.expect(r.rc == 111, "metadata down exits 111", 111, r.rc)
    W.expect(w.markers() == {}, "nothing runs when metadata is down", {}, w.markers())
    W.log("--on-error run: reports, then runs as leader")
    r = w.run_one(w.marker_args("--timeout", "5", "--on-error", "run"), down, timeout=20)
    W.expect(r.rc == 0 and down in w.markers(), "--on-error run runs the command",
             "rc 0 and a marker", (r.rc, w.markers()))
    W.expect("instance metadata" in r.stderr, "--on-error run still reports the cause",
             "instance metadata ...", r.stderr)
    w.clear_markers()
    W.log("--on-error skip: reports, then acts as a follower")
    r = w.run_one(w.marker_args("--timeout", "5", "--on-error", "skip",
                                "--follower-exit", "3"), down, timeout=20)
    W.expect(r.rc == 3 and w.markers() == {}, "--on-error skip exits as a follower",
             "rc 3, no marker", (r.rc, w.markers()))

    ids = w.launch("e-env", 1, no_role=True)
    W.log("AWS_EC2_METADATA_DISABLED=true: 111, naming the variable")
    r = w.run_one(w.marker_args(*FAST), ids[0], timeout=20,
                  extra_env={"AWS_EC2_METADATA_DISABLED": "true"},
                  allow_aws=("AWS_EC2_METADATA_DISABLED",))
    W.expect(r.rc == 111 and "AWS_EC2_METADATA_DISABLED" in r.stderr,
             "metadata disabled exits 111 and names the variable", 111,
             (r.rc, r.stderr))
    W.log("no instance role, no environment credentials: 112")
    r = w.run_one(w.marker_args(*FAST), ids[0], timeout=20)
    W.expect(r.rc == 112, "no credentials exits 112", 112, (r.rc, r.stderr))
    W.log("credentials from the environment come first")
    env_creds = {"AWS_ACCESS_KEY_ID": "AKIDENVIRONMENT", "AWS_SECRET_ACCESS_KEY": "envsecret"}
    r = w.run_one(w.marker_args(*FAST), ids[0], timeout=30, extra_env=env_creds,
                  allow_aws=tuple(env_creds))
    W.expect(r.rc == 0 and ids[0] in w.markers(),
             "environment credentials elect without an instance role", "rc 0, marker",
             (r.rc, r.stderr))

    W.log("usage errors exit 2 and run nothing")
    r = w.run_one(["--follower-exit", "111", "--", "true"], ids[0], timeout=10)
    W.expect(r.rc == 2 and "reserved" in r.stderr, "a reserved --follower-exit is refused",
             2, (r.rc, r.stderr))


def check_scope(w):
    ids = w.launch("e-scope", 2, extra_tags={"Team": "blue"})
    w.ec2.delete_tags(Resources=ids, Tags=[{"Key": "elasticbeanstalk:environment-id"}])
    W.log("no environment or Auto Scaling tag: 115, naming --scope")
    w.clear_markers()
    res = w.run_all(w.marker_args(*FAST), ids, timeout=45)
    W.expect(all(r.rc == 115 and "--scope" in r.stderr for r in res.values()),
             "no group tag exits 115 and names --scope", 115,
             {i: (r.rc, r.stderr) for i, r in res.items()})
    W.expect(w.markers() == {}, "nothing runs without a group", {}, w.markers())
    W.log("--scope tag:Team=blue elects within that tag")
    leader, _, _ = w.elect(ids, "--scope", "tag:Team=blue")
    W.log("  leader %s" % leader)


def check_child_env(w):
    ids = w.launch("e-secret", 1)
    W.log("the command's environment holds no credential leader-exec fetched")
    dump = os.path.join(w.tmp, "child-env")
    r = w.run_one(FAST + ["--", "sh", "-c",
                          'env > "$0"; sed -n "s/^SigIgn:[[:space:]]*//p" /proc/$$/status > "$0.sig"',
                          dump], ids[0], timeout=30)
    W.expect(r.rc == 0, "the leader's command ran", 0, (r.rc, r.stderr))
    with open(dump + ".sig", encoding="utf-8") as f:
        ignored = int(f.read().strip(), 16)
    W.expect(ignored & (1 << (13 - 1)) == 0, "the command does not inherit an ignored SIGPIPE",
             "SIGPIPE default", hex(ignored))
    with open(dump, encoding="utf-8") as f:
        env = f.read()
    ak, sk, tok = w.creds
    for what, secret in (("access key", ak), ("secret", sk), ("session token", tok)):
        W.expect(secret not in env, "the role's %s is not in the command's environment"
                 % what, "absent", "present")
    W.expect("EB_IS_COMMAND_LEADER=true" in env and "LEADER_EXEC_TERM=" in env,
             "the command's environment has the leader variables", "present", env)


def main():
    with W.World(NAME) as w:
        check_modes(w)
        check_fresh_elections(w)
        check_dry_run(w)
        check_errors(w)
        check_scope(w)
        check_child_env(w)


W.run_scenario(NAME, main, time_limit=180)
