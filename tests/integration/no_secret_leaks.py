#!/usr/bin/env python3
"""Secrets never leak: with the most verbose logging (-vv), across a claim,
a steady-state run, --all, --status --json, --export, a dry run, a run whose
IMDS token turns invalid after one use (so leader-exec must fetch a new one
after a 401, once) and an error exit, no secret access key, session token,
access key id or IMDS session token appears in stdout, stderr or the
command's environment."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "no_secret_leaks"
AK = "AKIDLEAKCHECK7Q2W9E4R"
SK = "leakCheckSecret/+9kq2W7eR5tY1uI3oP8aS6dF4gH0jK"
TOK = "IQoJleakCheckSessionToken" + "Zx9" * 40


def main():
    with W.World(NAME) as w:
        ids = w.launch("e-secrets", 3, creds=(AK, SK, TOK))
        w.imds[ids[2]].token_uses = 1       # 401 after its first GET
        dumps = os.path.join(w.tmp, "env-dumps")
        os.mkdir(dumps)
        seen = []                           # (what, text) to search

        def record(label, res):
            for iid, r in res.items():
                seen.append(("%s %s stdout" % (label, iid), r.stdout))
                seen.append(("%s %s stderr" % (label, iid), r.stderr))

        def env_dump(iid):
            return ["-vv", "--settle", "1", "--timeout", "30", "--all", "--", "sh", "-c",
                    'env > "$0"', os.path.join(dumps, iid)]

        W.log("claim path, every command dumping its environment (-vv --all)")
        res = w.run_all(env_dump, ids, timeout=45)
        W.expect(all(r.rc == 0 for r in res.values()), "every instance exits 0", 0,
                 {i: (r.rc, r.stderr[-300:]) for i, r in res.items()})
        record("claim", res)
        retoken = res[ids[2]].stderr
        W.expect("token rejected (401); fetching a new one" in retoken,
                 "an IMDS 401 leads to one new token", "token rejected", retoken[-500:])
        imds_puts = w.imds[ids[2]].requests[("PUT", "/latest/api/token")]
        W.expect(imds_puts >= 2, "the instance whose token expired fetched a new one",
                 ">= 2 token PUTs", imds_puts)
        for iid in ids:
            with open(os.path.join(dumps, iid), encoding="utf-8") as f:
                seen.append(("command environment %s" % iid, f.read()))

        leader = [i for i in ids if w.tags(i).get("leader-exec:command")]
        W.expect(len(leader) == 1, "one instance holds the claim", 1, leader)
        # Each mode must have run to its end: a mode that died early would
        # pass the search below with little output.
        for label, args, want in (
                ("steady", ["-vv", "--check"],
                 {i: 0 if i == leader[0] else W.EXIT_FOLLOWER_CHECK for i in ids}),
                ("status", ["-vv", "--status", "--json"], {i: 0 for i in ids}),
                ("export", ["-vv", "--export"], {i: 0 for i in ids}),
                ("dry-run", ["-vv", "--dry-run", "--", "true"], {i: 0 for i in ids})):
            W.log("%s run with -vv" % label)
            res = w.run_all(args, ids, timeout=45)
            rcs = {i: r.rc for i, r in res.items()}
            W.expect(rcs == want, "%s: the exit statuses" % label, want, rcs)
            W.expect(all(r.stdout.strip() for r in res.values()) or label in ("steady",
                                                                            "dry-run"),
                     "%s: every instance wrote its answer" % label, "output",
                     {i: r.stdout[:80] for i, r in res.items()})
            record(label, res)

        W.log("an error exit with -vv (EC2 endpoint refusing connections)")
        res = w.run_all(["-vv", "--settle", "1", "--timeout", "20", "--", "true"], ids[:1], timeout=40,
                        extra_env={"AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:9"})
        W.expect(res[ids[0]].rc == 114, "the unreachable endpoint exits 114", 114,
                 res[ids[0]].rc)
        record("error", res)

        tokens = [t for iid in ids for t in w.imds[iid].issued_tokens()]
        W.expect(len(tokens) >= len(ids), "the IMDS stand-ins handed out tokens",
                 ">= %d" % len(ids), len(tokens))
        secrets = [("secret access key", SK), ("session token", TOK),
                   ("access key id", AK)] + [("IMDS token", t) for t in tokens]
        text_bytes = sum(len(t) for _, t in seen)
        W.log("searched %d outputs (%d bytes) for %d secrets" % (len(seen), text_bytes,
                                                               len(secrets)))
        W.expect(text_bytes > 10000, "the -vv runs produced output to search", "> 10000 bytes",
                 text_bytes)
        for what, secret in secrets:
            leaks = [where for where, text in seen if secret in text]
            W.expect(leaks == [], "no %s anywhere" % what, [], leaks)


W.run_scenario(NAME, main)
