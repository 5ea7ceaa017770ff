#!/usr/bin/env python3
"""--allow-imdsv1 both ways, and no silent IMDSv1 fallback without it.

The IMDS stand-in here also answers GETs without a token (imdsv1=True), so
a fallback would work if leader-exec tried one; a hook records whether each
request carried the IMDSv2 token header and makes the token PUT fail.

1. token PUT refused (403), no --allow-imdsv1: exit 111 naming the token
   request, nothing run, and no GET at all (no silent IMDSv1 fallback);
2. token PUT refused (403), --allow-imdsv1: says it uses IMDSv1, every GET
   without a token, elected and ran;
3. token PUT 404 (a metadata service without IMDSv2), --allow-imdsv1: the
   same;
4. IMDSv2 working, --allow-imdsv1: IMDSv2 is still used (one token PUT,
   every GET with the token)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "imdsv1"
FAST = ["--settle", "1", "--timeout", "20"]


def recorder(put_status):
    """An IMDS hook: records (method, path, token header sent); answers the
    token PUT with put_status when given."""
    seen = []

    def hook(method, path, headers):
        has = any(k.lower() == "x-aws-ec2-metadata-token" for k in headers)
        seen.append((method, path, has))
        if method == "PUT" and put_status is not None:
            return put_status, ""
        return None
    return hook, seen


def case(w, iid, put_status, opts):
    imds = w.imds[iid]
    imds.hook, seen = recorder(put_status)
    w.clear_markers()
    try:
        r = w.run_one(w.marker_args(*FAST, *opts), iid, timeout=40)
    finally:
        imds.hook = None
    gets = [(p, has) for m, p, has in seen if m == "GET"]
    puts = [p for m, p, _ in seen if m == "PUT"]
    return r, gets, puts


def main():
    with W.World(NAME) as w:
        iid = w.launch("e-v1", 1, imdsv1=True)[0]

        W.log("token PUT 403, no --allow-imdsv1")
        r, gets, puts = case(w, iid, 403, [])
        W.expect(r.rc == W.EXIT_METADATA, "without --allow-imdsv1 a refused token exits 111",
                 111, (r.rc, r.stderr))
        W.expect("token request answered HTTP 403" in r.stderr,
                 "the error names the token request and its status", "HTTP 403", r.stderr)
        W.expect(gets == [], "no silent IMDSv1 fallback: not one GET", [], gets)
        W.expect(w.markers() == {}, "nothing ran", {}, w.markers())

        for status in (403, 404):
            W.log("token PUT %d, --allow-imdsv1" % status)
            r, gets, puts = case(w, iid, status, ["--allow-imdsv1"])
            W.expect(r.rc == 0 and list(w.markers()) == [iid],
                     "PUT %d with --allow-imdsv1: elected and ran" % status, "rc 0, marker",
                     (r.rc, r.stderr))
            W.expect(len(puts) == 1, "PUT %d: one token request, then IMDSv1" % status, 1,
                     puts)
            W.expect(len(gets) >= 3 and not any(has for _, has in gets),
                     "PUT %d: every GET without a token (IMDSv1)" % status,
                     ">= 3 GETs, none with a token", gets)
            W.expect("using IMDSv1 as --allow-imdsv1 permits" in r.stderr,
                     "PUT %d: says it falls back to IMDSv1" % status, "using IMDSv1",
                     r.stderr)

        W.log("IMDSv2 working, --allow-imdsv1")
        r, gets, puts = case(w, iid, None, ["--allow-imdsv1"])
        W.expect(r.rc == 0 and list(w.markers()) == [iid],
                 "IMDSv2 working: elected and ran", "rc 0, marker", (r.rc, r.stderr))
        W.expect(len(puts) == 1 and len(gets) >= 3 and all(has for _, has in gets),
                 "IMDSv2 is preferred: one token, every GET with it", "1 PUT, tokens",
                 (puts, gets))
        W.expect("IMDSv1" not in r.stderr, "no IMDSv1 mentioned", "", r.stderr)


W.run_scenario(NAME, main)
