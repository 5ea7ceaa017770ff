#!/usr/bin/env python3
"""Exit status: the leader exits with its command's status (7), 127 when the
command does not exist, 126 when it cannot be executed; followers exit 0,
or N with --follower-exit N."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "exit_status"
OPTS = ["--settle", "1", "--timeout", "30"]


def split(res):
    rcs = {i: r.rc for i, r in res.items()}
    return rcs


def main():
    with W.World(NAME) as w:
        ids = w.launch("e-aaa", 3)

        W.log("command sh -c 'exit 7' on 3 at once")
        res = w.run_all(OPTS + ["--", "sh", "-c", "exit 7"], ids, timeout=45)
        rcs = split(res)
        sevens = [i for i, rc in rcs.items() if rc == 7]
        W.expect(len(sevens) == 1, "exactly one instance exits 7", 1, rcs)
        leader = sevens[0]
        W.expect(all(rc == 0 for i, rc in rcs.items() if i != leader),
                 "the followers exit 0", 0, rcs)
        holders = w.holders(ids)
        W.expect(list(holders) == [leader], "the instance that exited 7 holds the tag",
                 [leader], holders)

        W.log("command /nonexistent/cmd")
        w.clear_markers()
        res = w.run_all(OPTS + ["--", "/nonexistent/cmd"], ids, timeout=45)
        rcs = split(res)
        W.expect(rcs[leader] == 127, "the leader exits 127 (command not found)", 127,
                 rcs[leader])
        W.expect(all(rc == 0 for i, rc in rcs.items() if i != leader),
                 "the followers exit 0", 0, rcs)
        W.expect("/nonexistent/cmd" in res[leader].stderr,
                 "the leader's stderr names the missing command", "/nonexistent/cmd",
                 res[leader].stderr.strip())
        followers_tried = [i for i, r in res.items()
                           if i != leader and "/nonexistent/cmd" in r.stderr]
        W.expect(followers_tried == [], "no follower tried to run the command", [],
                 followers_tried)

        W.log("command is a file without execute permission")
        noexec = os.path.join(w.tmp, "not-executable")
        with open(noexec, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(noexec, 0o644)
        res = w.run_all(OPTS + ["--", noexec], ids, timeout=45)
        rcs = split(res)
        W.expect(rcs[leader] == 126, "the leader exits 126 (command not runnable)", 126,
                 rcs[leader])
        W.expect(all(rc == 0 for i, rc in rcs.items() if i != leader),
                 "the followers exit 0", 0, rcs)

        W.log("--follower-exit 3 -- <marker>")
        w.clear_markers()
        res = w.run_all(w.marker_args(*OPTS, "--follower-exit", "3"), ids, timeout=45)
        rcs = split(res)
        W.expect(rcs[leader] == 0, "the leader exits with its command's 0", 0, rcs[leader])
        W.expect(all(rc == 3 for i, rc in rcs.items() if i != leader),
                 "the followers exit 3", 3, rcs)
        W.expect(list(w.markers()) == [leader], "only the leader ran the command",
                 [leader], list(w.markers()))


W.run_scenario(NAME, main)
