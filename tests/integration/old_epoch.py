#!/usr/bin/env python3
"""Leadership is per deployment: with the EB manifest's DeploymentId 1 one
instance leads with tag '<term>@1'; a new DeploymentId 2 starts a new
election (the epoch-1 tag does not count), and so does an explicit --epoch 5."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "old_epoch"


def election(w, ids, epoch, prev_term, *opts):
    w.proxy.reset_counts()
    leader, value, _ = w.elect(ids, *opts, epoch=epoch)
    _, _, actions, _ = w.proxy.snapshot()
    W.log("  epoch %s: leader %s tag %s, EC2 calls %s" % (epoch, leader, value, dict(actions)))
    W.expect(re.match(r"^[0-9]+@%s$" % epoch, value) is not None,
             "the tag value is <term>@%s" % epoch, "<term>@%s" % epoch, value)
    W.expect(actions["CreateTags"] >= 1, "a claim was written for epoch %s" % epoch,
             ">= 1 CreateTags", actions["CreateTags"])
    if prev_term is not None:
        W.expect(W.tag_term(value) > prev_term, "the term rises with the new epoch",
                 "> %d" % prev_term, W.tag_term(value))
    return leader, value


def main():
    with W.World(NAME) as w:
        ids = w.launch("e-aaa", 2)
        W.log("manifests with DeploymentId 1 on %s" % ids)
        for i in ids:
            w.write_manifest(i, 1)
        _, v1 = election(w, ids, 1, None)

        W.log("new deployment: DeploymentId 2 on both")
        for i in ids:
            w.write_manifest(i, 2)
        _, v2 = election(w, ids, 2, W.tag_term(v1))

        W.log("explicit --epoch 5 (manifests still say 2)")
        election(w, ids, 5, W.tag_term(v2), "--epoch", "5")


W.run_scenario(NAME, main)
