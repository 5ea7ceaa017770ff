#!/usr/bin/env python3
"""The s3 store's errors and Elastic Beanstalk's bucket (issue 13 items 2e
and 2f), against moto's S3 on 127.0.0.1:

  * a corrupt or hostile record body planted at the key (not JSON, a
    later format version, a control character, an out-of-range term, a
    record of another group, an oversized body): every instance exits 114
    with one line naming the key, and nothing runs;
  * --store s3 finds elasticbeanstalk-us-east-1-ACCOUNT from the identity
    document's region and accountId, under the prefix leader-exec/, and
    works;
  * a missing bucket is exit 115 naming the bucket, and for --store s3
    saying that Elastic Beanstalk creates it.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "s3_errors"
BUCKET = "lexec-errors"
ACCOUNT = "123456789012"          # tests/lib/imds_standin.py's identity document
EB_BUCKET = "elasticbeanstalk-us-east-1-%s" % ACCOUNT


def key(env_id, prefix="leader-exec/"):
    return "%selasticbeanstalk%%3Aenvironment-id=%s/command.json" % (prefix, env_id)


def good(holder="i-0123456789abcdef0"):
    return {"v": 1, "group": "elasticbeanstalk:environment-id=e-bad", "name": "command",
            "epoch": "", "holder": holder, "term": 1796000000, "state": "released",
            "exit": None, "lease_expiry": 1796000000, "renewed": 1796000000,
            "writer": holder, "written": 1796000000}


def hostile_bodies():
    yield "not JSON", b"this is not a record"
    rec = good()
    rec["v"] = 2
    yield "format version 2", json.dumps(rec).encode()
    rec = good()
    rec["holder"] = "i-0123\n456"
    yield "a control character in the holder", json.dumps(rec).encode()
    rec = good()
    rec["term"] = 2 ** 64
    yield "a term beyond 64 bits", json.dumps(rec).encode()
    rec = good()
    rec["group"] = "elasticbeanstalk:environment-id=e-other"
    yield "a record of another group", json.dumps(rec).encode()
    yield "truncated", json.dumps(good()).encode()[:40]
    yield "oversized", b"{\"v\":1,\"pad\":\"" + b"x" * 70000 + b"\"}"


def corrupt_records(w):
    ids = w.launch("e-bad", 2)
    for what, body in hostile_bodies():
        W.log("a planted record: %s" % what)
        w.put_object(BUCKET, key("e-bad"), body)
        w.clear_markers()
        res = w.run_all(w.marker_args("--store", "s3://%s/leader-exec" % BUCKET,
                                      "--timeout", "10"), ids, timeout=30)
        for iid, r in res.items():
            W.expect(r.rc == 114, "%s: %s exits 114" % (what, iid), 114, r.rc)
            W.expect(key("e-bad") in r.stderr, "%s: the error names the key" % what,
                     key("e-bad"), r.stderr)
        W.expect(w.markers() == {}, "%s: nothing runs" % what, {}, w.markers())


def eb_bucket(w):
    W.log("--store s3 without the bucket: 115 naming it and Elastic Beanstalk")
    ids = w.launch("e-ebb", 2)
    w.clear_markers()
    res = w.run_all(w.marker_args("--store", "s3", "--timeout", "10"), ids, timeout=30)
    for iid, r in res.items():
        W.expect(r.rc == 115, "no bucket: %s exits 115" % iid, 115, r.rc)
        W.expect(EB_BUCKET in r.stderr and "Elastic Beanstalk creates" in r.stderr,
                 "the error names %s and who creates it" % EB_BUCKET, EB_BUCKET, r.stderr)
    W.expect(w.markers() == {}, "no bucket: nothing runs", {}, w.markers())
    res = w.run_all(w.marker_args("--store", "s3://lexec-missing", "--timeout", "10"),
                    ids[:1], timeout=30)
    r = res[ids[0]]
    W.expect(r.rc == 115 and "lexec-missing" in r.stderr,
             "a missing bucket of one's own: 115 naming it", 115, (r.rc, r.stderr))

    W.log("--store s3 with %s: works, record under leader-exec/" % EB_BUCKET)
    w.create_bucket(EB_BUCKET)
    res = w.run_all(w.marker_args("--store", "s3", "--timeout", "20"), ids, timeout=40)
    W.expect(all(r.rc == 0 for r in res.values()), "every instance exits 0", 0,
             {i: r.rc for i, r in res.items()})
    W.expect(len(w.markers()) == 1, "exactly one runs", 1, sorted(w.markers()))
    body, _ = w.get_object(EB_BUCKET, key("e-ebb"))
    W.expect(body is not None, "the record is at %s/%s" % (EB_BUCKET, key("e-ebb")),
             "an object", body)


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        corrupt_records(w)
        eb_bucket(w)


W.run_scenario(NAME, main)
