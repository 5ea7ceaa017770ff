#!/usr/bin/env python3
"""Read-only queries after an election: --status names the group, states,
and the leader; --status --json has the documented fields with exactly one
instance ranked 1 (the leader); --check exits 0 on the leader and 1 on
followers.  None of them writes a tag or runs anything."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "status"
TOP_KEYS = ["name", "epoch", "scope", "self", "leader", "term", "reason", "instances"]
INST_KEYS = ["id", "state", "launch_time", "tag", "rank", "holder"]


def main():
    with W.World(NAME) as w:
        ids = w.launch("e-aaa", 3)
        leader, value, _ = w.elect(ids)
        W.log("leader %s tag %s" % (leader, value))
        w.clear_markers()
        w.proxy.reset_counts()

        W.log("--status on each instance")
        res = w.run_all(["--status"], ids, timeout=30)
        for iid, r in res.items():
            W.expect(r.rc == 0, "%s: --status exits 0" % iid, 0, r.rc)
            missing = [i for i in ids if i not in r.stdout]
            W.expect(not missing, "%s: stdout names all three instances" % iid, ids, r.stdout)
            W.expect("running" in r.stdout, "%s: stdout shows the state running" % iid,
                     "running", r.stdout)
            W.expect("leader" in r.stdout, "%s: stdout says 'leader'" % iid, "leader",
                     r.stdout)

        W.log("--status --json on each instance")
        res = w.run_all(["--status", "--json"], ids, timeout=30)
        for iid, r in res.items():
            W.expect(r.rc == 0, "%s: --status --json exits 0" % iid, 0, r.rc)
            try:
                doc = json.loads(r.stdout)
            except ValueError as e:
                raise W.ScenarioFailure("%s: --status --json is not JSON (%s): %r"
                                        % (iid, e, r.stdout[:500]))
            W.expect(isinstance(doc, dict), "%s: the document is an object" % iid)
            missing = [k for k in TOP_KEYS if k not in doc]
            W.expect(not missing, "%s: top-level keys present" % iid, TOP_KEYS, sorted(doc))
            W.expect(doc["name"] == "command", "%s: name" % iid, "command", doc["name"])
            W.expect(doc["epoch"] is None, "%s: epoch is null without a manifest" % iid,
                     None, doc["epoch"])
            W.expect(isinstance(doc["scope"], dict) and
                     doc["scope"].get("key") == "elasticbeanstalk:environment-id" and
                     doc["scope"].get("value") == "e-aaa",
                     "%s: scope is the environment" % iid,
                     {"key": "elasticbeanstalk:environment-id", "value": "e-aaa"},
                     doc["scope"])
            W.expect(doc["self"] == iid, "%s: self" % iid, iid, doc["self"])
            W.expect(doc["leader"] == leader, "%s: leader" % iid, leader, doc["leader"])
            W.expect(str(doc["term"]) == str(W.tag_term(value)), "%s: term" % iid,
                     W.tag_term(value), doc["term"])
            W.expect(isinstance(doc["reason"], str) and doc["reason"] != "",
                     "%s: a reason is given" % iid, "non-empty string", doc["reason"])
            insts = doc["instances"]
            W.expect(isinstance(insts, list) and sorted(
                x.get("id") for x in insts if isinstance(x, dict)) == ids,
                "%s: instances lists the three" % iid, ids, insts)
            for x in insts:
                miss = [k for k in INST_KEYS if k not in x]
                W.expect(not miss, "%s: instance %s has its keys" % (iid, x["id"]), INST_KEYS,
                         sorted(x))
                W.expect(x["state"] == "running", "%s: %s is running" % (iid, x["id"]),
                         "running", x["state"])
            ones = [x["id"] for x in insts if x["rank"] == 1]
            W.expect(ones == [leader], "%s: exactly the leader has rank 1" % iid, [leader],
                     ones)
            tagged = {x["id"]: x["tag"] for x in insts if x["tag"]}
            W.expect(tagged == {leader: value}, "%s: only the leader shows a tag" % iid,
                     {leader: value}, tagged)

        W.log("--check on each instance")
        res = w.run_all(["--check"], ids, timeout=30)
        rcs = {i: r.rc for i, r in res.items()}
        W.expect(rcs[leader] == 0, "--check exits 0 on the leader", 0, rcs[leader])
        W.expect(all(rc == W.EXIT_FOLLOWER_CHECK for i, rc in rcs.items() if i != leader),
                 "--check exits 1 on the followers", 1, rcs)
        # Exit 1 is also what a sanitizer abort used to look like: a
        # follower's 1 counts only with a clean stderr (run_all checks every
        # run too; the sanitizers exit 97/96 in the test environment).
        reports = {i: W.sanitizer_report(r.stderr) for i, r in res.items()}
        W.expect(all(v is None for v in reports.values()),
                 "--check: no sanitizer report on any instance", None, reports)

        _, _, actions, _ = w.proxy.snapshot()
        W.log("  EC2 calls during the queries: %s" % dict(actions))
        W.expect(actions["CreateTags"] == 0 and actions["DeleteTags"] == 0,
                 "the queries write no tag", 0, dict(actions))
        W.expect(w.markers() == {}, "the queries run nothing", {}, w.markers())


W.run_scenario(NAME, main)
