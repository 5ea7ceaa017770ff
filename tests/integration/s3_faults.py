#!/usr/bin/env python3
"""S3 faults against an election with the s3 store (issue 13 item 2c).

Three instances elect with --store s3://BUCKET at once, moto serving S3
one request at a time (conditional writes atomic as in S3), a proxy
(tests/lib/s3faults.py) injecting S3's own failures into their S3
requests before they reach moto, at different positions: the claim (the
PUT of a held record), the outcome write (the PUT of done), the reads.
Each case is a fresh leadership name (its own record) and epoch.

Rules protected:
  * 409 ConditionalRequestConflict, 503 SlowDown, 500 InternalError,
    connection resets and slow answers, on the claim, on the outcome
    write or on the reads, are retried to the correct outcome: every
    instance exits 0, exactly one ran the command, the record says done
    with exit status 0 and names the runner, and the runner's
    LEADER_EXEC_TERM is the record's term;
  * an injected 412 PreconditionFailed on a claim is "someone wrote
    first": the instance reads again and decides again, it never leads
    on a 412.  One instance alone: re-read, absent, claimed again, one
    run.  Every claim of one of three refused: it never runs, it exits 0
    as a follower of the one that ran;
  * a 412 on the outcome write is leadership lost: the leader exits 119
    with one line saying so, the command ran once, nobody else ran it;
  * a claim that S3 applied but whose answer was lost (reset after the
    write): the retry meets a 412, the writer reads the record back,
    finds exactly the body it sent, and leads: one run, recorded done
    (not a record held by nobody, with every instance a follower);
  * endless 503 SlowDown on every S3 request: every instance gives up
    after S3's 6 attempts with a clean error (114, one line naming
    SlowDown) well inside --timeout 60; answered 1 s late each, the
    deadline comes first (--timeout 4: 116 naming it); nothing runs and
    nothing is written.

A clean error: the exit code, and stderr made only of leader-exec's own
lines, the last one naming the cause.  Runs are counted by the marker
files the command writes (one per instance that ran it).
"""
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402
import s3faults as F  # noqa: E402

NAME = "s3_faults"
BUCKET = "lexec-faults"
ENV = "e-s3faults"
EXIT_LOST = 119
case_no = [0]


def key(name):
    return "elasticbeanstalk%%3Aenvironment-id=%s/%s.json" % (ENV, name)


def is_s3(rec):
    return rec.path.startswith("/%s/" % BUCKET) or rec.path.startswith("/%s?" % BUCKET)


def is_claim(rec):
    return is_s3(rec) and rec.method == "PUT" and b'"state":"held"' in rec.body


def is_outcome(rec):
    return is_s3(rec) and rec.method == "PUT" and b'"state":"done"' in rec.body


def is_read(rec):
    return is_s3(rec) and rec.method == "GET"


def claim_of(iid):
    return lambda rec: is_claim(rec) and ('"holder":"%s"' % iid).encode() in rec.body


def s3_requests(w, pred):
    return sum(1 for r in w.proxy.snapshot()[3] if pred(r))


def clean(r):
    """stderr is leader-exec's own lines only (no trace, no garbage)."""
    return all(ln.startswith("leader-exec: ") for ln in r.lines())


def run_case(w, ids, hook):
    """A fresh name and epoch; all of ids at once under hook."""
    case_no[0] += 1
    name, epoch = "f%d" % case_no[0], "ep%d" % case_no[0]
    w.clear_markers()
    w.proxy.reset_counts()
    w.proxy.hook = hook
    try:
        res = w.run_all(w.marker_args("--store", "s3://%s" % BUCKET, "--name", name,
                                      "--epoch", epoch, "--timeout", "30"),
                        ids, timeout=60)
    finally:
        w.proxy.hook = None
    body, _ = w.get_object(BUCKET, key(name))
    rec = json.loads(body) if body is not None else None
    return res, w.markers(), rec, epoch


def expect_one_run(what, res, m, rec, epoch):
    rcs = {i: r.rc for i, r in res.items()}
    W.expect(all(rc == 0 for rc in rcs.values()), "%s: every instance exits 0" % what,
             0, rcs)
    W.expect(all(clean(r) for r in res.values()), "%s: stderr is leader-exec's lines"
             % what, "leader-exec: ...", [r.lines() for r in res.values()])
    W.expect(len(m) == 1, "%s: exactly one run of the command" % what, 1, sorted(m))
    runner = next(iter(m))
    W.expect(rec is not None and (rec["state"], rec["exit"], rec["epoch"]) ==
             ("done", 0, epoch), "%s: the record says done, exit 0, epoch %s" % (
                 what, epoch), ("done", 0, epoch),
             rec and (rec["state"], rec["exit"], rec["epoch"]))
    W.expect(rec["holder"] == runner, "%s: the record names the runner" % what,
             runner, rec["holder"])
    W.expect(m[runner][1] == str(rec["term"]), "%s: LEADER_EXEC_TERM is the record's "
             "term" % what, rec["term"], m[runner][1])
    return runner


def retried_faults(w, ids):
    cases = []
    for pos, match in (("claim", is_claim), ("outcome write", is_outcome),
                       ("read", is_read)):
        cases += [("%s: 409 ConditionalRequestConflict x2" % pos, [F.CONFLICT] * 2, match),
                  ("%s: 503 SlowDown x2" % pos, [F.SLOWDOWN] * 2, match),
                  ("%s: 500 InternalError" % pos, [F.INTERNAL], match),
                  ("%s: connection reset x2" % pos, [F.RESET] * 2, match),
                  ("%s: slow answer 1.5 s" % pos, [F.slow(1.5)], match)]
    cases.append(("reads and claims: 503, reset, 500, 409 mixed",
                  [F.SLOWDOWN, F.RESET, F.INTERNAL, F.CONFLICT, F.SLOWDOWN],
                  lambda r: is_read(r) or is_claim(r)))
    for what, faults, match in cases:
        W.log(what)
        plan = F.FaultPlan(faults, match=match)
        res, m, rec, epoch = run_case(w, ids, plan)
        expect_one_run(what, res, m, rec, epoch)
        W.expect(plan.injected == len(faults), "%s: every fault was met" % what,
                 len(faults), plan.injected)
        outcomes = s3_requests(w, is_outcome)
        refused = sum(1 for f in faults if f.response or f.reset) if match is is_outcome \
            else 0
        W.expect(outcomes == 1 + refused, "%s: one outcome write, plus one per refused "
                 "attempt" % what, 1 + refused, outcomes)


def precondition_on_claims(w, ids):
    W.log("412 on the only instance's claim: re-read, decide again, one run")
    plan = F.FaultPlan([F.PRECONDITION], match=is_claim)
    res, m, rec, epoch = run_case(w, ids[:1], plan)
    expect_one_run("412 alone", res, m, rec, epoch)
    W.expect(plan.injected == 1, "412 alone: the fault was met", 1, plan.injected)
    reads, claims = s3_requests(w, is_read), s3_requests(w, is_claim)
    W.expect(reads == 2, "412 alone: the record was read again after the 412", 2, reads)
    W.expect(claims == 2, "412 alone: claimed again after the re-read (a 412 is not "
             "leadership)", 2, claims)

    refused = ids[0]
    W.log("every claim of %s refused with 412, the others' claims 1 s slow, three at "
          "once: it reads again and again, and never leads" % refused)
    plan = F.FaultPlan([F.PRECONDITION], match=claim_of(refused), endless=True)
    late = F.slow(1.0)
    res, m, rec, epoch = run_case(w, ids, lambda r: plan(r) or (
        late if is_claim(r) else None))
    runner = expect_one_run("412 on one instance's claims", res, m, rec, epoch)
    W.expect(runner != refused and refused not in m, "412: the refused instance never "
             "ran the command", "not %s" % refused, sorted(m))
    W.expect(plan.injected >= 2, "412: it claimed, read again and claimed again",
             ">= 2", plan.injected)
    W.expect(res[refused].rc == 0, "412: the refused instance exits 0 (a follower)", 0,
             res[refused].rc)


def precondition_on_outcome(w, ids):
    W.log("412 on the outcome write: leadership lost, 119, the command ran once")
    plan = F.FaultPlan([F.PRECONDITION], match=is_outcome)
    res, m, rec, epoch = run_case(w, ids, plan)
    W.expect(len(m) == 1, "412 on the outcome: exactly one run", 1, sorted(m))
    runner = next(iter(m))
    r = res[runner]
    W.expect(r.rc == EXIT_LOST, "412 on the outcome: the leader exits 119", EXIT_LOST,
             r.rc)
    W.expect(clean(r) and "replaced by another writer" in r.lines()[-1],
             "412 on the outcome: one line says the record was replaced", "...replaced "
             "by another writer...", r.lines())
    others = {i: x.rc for i, x in res.items() if i != runner}
    W.expect(all(rc == 0 for rc in others.values()), "412 on the outcome: the others "
             "exit 0 as followers", 0, others)
    W.expect(rec is not None and rec["state"] == "held" and rec["holder"] == runner,
             "412 on the outcome: the record still names the runner (its lease runs "
             "out)", ("held", runner), rec and (rec["state"], rec["holder"]))


class ApplyThenReset:
    """Forward the first n claims to moto, then reset the connection: the
    write is applied, its answer lost (the retry meets a 412)."""

    def __init__(self, port, n=1):
        self.port, self.n, self.applied = port, n, []
        self.lock = threading.Lock()

    def __call__(self, rec):
        with self.lock:
            if not is_claim(rec) or len(self.applied) >= self.n:
                return None
            return self.apply(rec)

    def apply(self, rec):
        c = http.client.HTTPConnection(W.LOOPBACK, self.port, timeout=30)
        try:
            c.putrequest(rec.method, rec.path, skip_host=True, skip_accept_encoding=True)
            for k, v in rec.headers:
                if k.lower() not in ("connection", "content-length", "expect"):
                    c.putheader(k, v)
            c.putheader("Content-Length", str(len(rec.body)))
            c.endheaders(rec.body)
            resp = c.getresponse()
            resp.read()
            self.applied.append((resp.status, json.loads(rec.body)["holder"]))
        finally:
            c.close()
        return F.RESET


def lost_answer(w, ids):
    W.log("a claim applied by S3 whose answer is lost (reset after the write): its "
          "writer finds its own write, leads and runs once")
    hook = ApplyThenReset(w.moto.port)
    res, m, rec, epoch = run_case(w, ids, hook)
    W.expect(len(hook.applied) == 1 and hook.applied[0][0] == 200,
             "lost answer: the claim was applied", "[(200, id)]", hook.applied)
    runner = expect_one_run("lost answer", res, m, rec, epoch)
    W.expect(runner == hook.applied[0][1], "lost answer: the writer whose answer was "
             "lost is the one that ran", hook.applied[0][1], runner)


def endless_case(w, ids, fault, timeout):
    case_no[0] += 1
    name = "f%d" % case_no[0]
    w.clear_markers()
    plan = F.FaultPlan([fault], match=is_s3, endless=True)
    w.proxy.hook = plan
    try:
        res = w.run_all(w.marker_args("--store", "s3://%s" % BUCKET, "--name", name,
                                      "--epoch", "never", "--timeout", str(timeout)),
                        ids, timeout=timeout + 30)
    finally:
        w.proxy.hook = None
    body, _ = w.get_object(BUCKET, key(name))
    return res, plan, body


def endless_slowdown(w, ids):
    W.log("endless 503 SlowDown on every S3 request, --timeout 60: 6 attempts, 114")
    res, plan, body = endless_case(w, ids, F.SLOWDOWN, 60)
    for iid, r in res.items():
        W.expect(r.rc == W.EXIT_EC2, "endless 503: %s exits 114" % iid, W.EXIT_EC2, r.rc)
        W.expect(clean(r) and "SlowDown" in r.lines()[-1] and "after 6 attempts" in
                 r.lines()[-1], "endless 503: %s's last line names SlowDown and the 6 "
                 "attempts" % iid, "...after 6 attempts: SlowDown...", r.lines())
    W.expect(plan.injected == 6 * len(ids), "endless 503: 6 attempts per instance",
             6 * len(ids), plan.injected)
    W.expect(w.markers() == {}, "endless 503: nothing ran", {}, w.markers())
    W.expect(body is None, "endless 503: no record was written", None, body)

    W.log("endless slow 503 SlowDown (1 s each), --timeout 4: the deadline, 116")
    slow503 = F.s3_error(503, "SlowDown", "Please reduce your request rate.", delay=1.0)
    res, plan, body = endless_case(w, ids, slow503, 4)
    for iid, r in res.items():
        W.expect(r.rc == W.EXIT_DEADLINE, "slow 503: %s exits 116" % iid,
                 W.EXIT_DEADLINE, r.rc)
        W.expect(clean(r) and "no answer before the deadline (--timeout)" in
                 r.lines()[-1] and "SlowDown" in r.stderr, "slow 503: %s's last line "
                 "names the deadline, the retries SlowDown" % iid,
                 "...deadline... after SlowDown", r.lines())
        W.expect(r.elapsed < 4.0 + 6.0, "slow 503: %s ends near the 4 s deadline" % iid,
                 "< 10 s", "%.1f s" % r.elapsed)
    W.expect(w.markers() == {}, "slow 503: nothing ran", {}, w.markers())
    W.expect(body is None, "slow 503: no record was written", None, body)


def main():
    t0 = time.monotonic()
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        ids = w.launch(ENV, 3)
        retried_faults(w, ids)
        precondition_on_claims(w, ids)
        precondition_on_outcome(w, ids)
        lost_answer(w, ids)
        endless_slowdown(w, ids)
    W.log("all cases in %.1f s" % (time.monotonic() - t0))


W.run_scenario(NAME, main, time_limit=600)
