#!/usr/bin/env python3
"""The deployment manifest and the epoch (README's --epoch and --manifest
rows, "Cron on one instance"):

1. --manifest FILE is read instead of LEADER_EXEC_MANIFEST: the claim is
   for FILE's DeploymentId (7), not the other manifest's (3); a --manifest
   that does not exist means no epoch.
2. The cron recipe, --name cron --epoch none while a manifest exists: the
   tag is leader-exec:cron with a bare term (no epoch), and after a new
   deployment (the manifest says 8) the same instance runs the job again
   without writing a tag.
3. A manifest leader-exec cannot read exits 115 naming the file and the
   cause, and runs nothing: without read permission (as root the run drops
   to nobody with setpriv, since root reads any file), a directory, a path
   under a regular file."""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "manifest_epoch"
FAST = ["--settle", "1", "--timeout", "30"]


def manifest_file(w, name, deployment_id):
    path = os.path.join(w.tmp, "manifests", name)
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"DeploymentId": %d, "Serial": %d, "RuntimeSources": {}}'
                % (deployment_id, deployment_id))
    return path


def option_manifest(w):
    ids = w.launch("e-manifest", 3)
    for i in ids:
        w.write_manifest(i, 3)
    path = manifest_file(w, "other.json", 7)
    W.log("--manifest %s (DeploymentId 7); LEADER_EXEC_MANIFEST says 3" % path)
    leader, value, _ = w.elect(ids, "--manifest", path, epoch=7)
    W.expect(value.endswith("@7"), "the claim is for --manifest's DeploymentId", "@7", value)
    W.log("--manifest of a file that does not exist: no epoch")
    _, value, _ = w.elect(ids, "--name", "nofile", "--manifest",
                          os.path.join(w.tmp, "manifests", "absent.json"),
                          key="leader-exec:nofile")
    W.expect("@" not in value, "no manifest at --manifest: a claim without epoch",
             "<term>", value)


def cron_recipe(w):
    ids = w.launch("e-cron", 3)
    for i in ids:
        w.write_manifest(i, 7)
    W.log("--name cron --epoch none with manifests saying DeploymentId 7")
    leader, value, _ = w.elect(ids, "--name", "cron", "--epoch", "none",
                               key="leader-exec:cron")
    W.expect("@" not in value, "--epoch none: the cron tag has no epoch", "<term>", value)
    W.expect(w.holders(ids) == {}, "the cron leadership leaves leader-exec:command alone",
             {}, w.holders(ids))
    W.log("a new deployment (DeploymentId 8): the same instance runs the job again")
    for i in ids:
        w.write_manifest(i, 8)
    w.clear_markers()
    w.proxy.reset_counts()
    res = w.run_all(w.marker_args(*FAST, "--name", "cron", "--epoch", "none"), ids,
                    timeout=45)
    _, _, actions, _ = w.proxy.snapshot()
    W.expect(all(r.rc == 0 for r in res.values()), "every instance exits 0", 0,
             {i: r.rc for i, r in res.items()})
    W.expect(list(w.markers()) == [leader], "the same cron leader ran", [leader],
             list(w.markers()))
    W.expect(actions["CreateTags"] == 0 and actions["DeleteTags"] == 0,
             "no tag written for the new deployment", 0, dict(actions))
    W.expect(w.holders(ids, "leader-exec:cron") == {leader: value},
             "the cron tag is unchanged", {leader: value}, w.holders(ids, "leader-exec:cron"))


def unreadable(w):
    iid = w.launch("e-unreadable", 1)[0]
    # A run as nobody must be able to reach the manifest's folder and to
    # write a marker, so that "nothing ran" and the cause are the file's.
    for d in (w.tmp, os.path.join(w.tmp, "manifests")):
        os.chmod(d, 0o755)
    os.chmod(w.marker_dir, 0o777)
    w.clear_markers()
    noread = manifest_file(w, "noread.json", 9)
    os.chmod(noread, 0)
    folder = os.path.join(w.tmp, "manifests", "a-folder")
    os.mkdir(folder)
    under = os.path.join(noread, "manifest.json")
    real = w.binary
    as_nobody = os.geteuid() == 0
    try:
        if as_nobody:
            w.binary = shutil.which("setpriv")
            W.expect(w.binary is not None, "setpriv is installed (util-linux)", "setpriv",
                     None)
        drop = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", real] \
            if as_nobody else []
        W.log("a manifest without read permission%s" % (" (run as nobody)" if as_nobody
                                                          else ""))
        r = w.run_one(lambda i: drop + FAST + ["--manifest", noread, "--"] +
                      W.marker_command(i), iid, timeout=40)
        W.expect(r.rc == W.EXIT_SCOPE and noread in r.stderr and
                 "Permission denied" in r.stderr,
                 "unreadable manifest: 115 naming the file and the cause",
                 (115, noread, "Permission denied"), (r.rc, r.stderr))
        W.expect(w.markers() == {}, "unreadable manifest: nothing ran", {}, w.markers())
    finally:
        w.binary = real
    for path, why in ((folder, "not a regular file"), (under, "Not a directory")):
        W.log("--manifest %s" % path)
        r = w.run_one(w.marker_args(*FAST, "--manifest", path), iid, timeout=40)
        W.expect(r.rc == W.EXIT_SCOPE and path in r.stderr and why in r.stderr,
                 "%s: 115 naming the file and the cause" % why, (115, why),
                 (r.rc, r.stderr))
        W.expect(w.markers() == {}, "%s: nothing ran" % why, {}, w.markers())
    W.expect(w.holders([iid]) == {}, "no claim was written", {}, w.holders([iid]))


def main():
    with W.World(NAME) as w:
        option_manifest(w)
        cron_recipe(w)
        unreadable(w)


W.run_scenario(NAME, main, time_limit=180)
