#!/usr/bin/env python3
"""The instance metadata service cannot be reached (connection refused):
leader-exec gives up within its deadline with the metadata exit code (111),
one clear stderr line naming the endpoint, no EC2 call, and runs nothing."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "imds_unreachable"


def main():
    with W.World(NAME) as w:
        (iid,) = w.launch("e-aaa", 1, down=True)
        ep = w.imds[iid].endpoint
        W.log("IMDS of %s at %s refuses connections; leader-exec --timeout 5 -- <marker>"
              % (iid, ep))
        r = w.run_one(w.marker_args("--timeout", "5"), iid, timeout=20)
        W.expect(not r.timed_out, "leader-exec ends by itself", "exit", "killed at 20 s")
        W.expect(r.rc == W.EXIT_METADATA, "exit status is the metadata error code",
                 W.EXIT_METADATA, r.rc)
        W.expect(r.elapsed <= 6.0, "it gives up within the 5 s deadline (+1 s)", "<= 6.0 s",
                 "%.2f s" % r.elapsed)
        lines = r.lines()
        W.expect(len(lines) == 1, "exactly one stderr line", 1, lines)
        W.expect(lines[0].startswith("leader-exec:"), "the line starts with 'leader-exec:'",
                 "leader-exec: ...", lines[0])
        addr = ep[len("http://"):]
        W.expect(addr in lines[0], "the line names the metadata endpoint", addr, lines[0])
        W.expect(r.stdout == "", "nothing on stdout", "", r.stdout)
        W.expect(w.markers() == {}, "nothing ran", {}, w.markers())
        W.expect(w.proxy.total_requests() == 0, "no EC2 call was made", 0,
                 w.proxy.total_requests())


W.run_scenario(NAME, main)
