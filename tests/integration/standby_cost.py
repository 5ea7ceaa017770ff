#!/usr/bin/env python3
"""A standby is cheap (issue 14 item 1g; DESIGN.md section 8): 1 leader and
9 standbys of `leader-exec --hold --standby --lease 6` for WINDOW seconds.
Each instance talks to moto through its own counting proxy, so the store
and EC2 requests of every standby are counted exactly; its CPU time is read
from /proc/PID/schedstat.

  * a standby polls every lease/3: at most 180 / lease polls a minute
    (+1 for the window's edges), each one read of the store (S3 GET of the
    record, or one DescribeInstances of the holders for the tags store)
    plus, for s3, one DescribeInstances of the holder;
  * the same figure at the default lease of 15 s: at most 12 store reads a
    minute;
  * CPU per poll measured (user + system over the window) and printed; it
    is asserted only to stay under 20 ms (no spinning), since a timing
    target is a figure to report, not a test on a loaded machine.

Prints RESULT lines per store (requests per standby per minute, scaled to
the default lease, CPU per poll).
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "standby_cost"
BUCKET = "lexec-standby-cost"
LEASE = 6.0
DEFAULT_LEASE = 15.0
WINDOW = float(os.environ.get("STANDBY_COST_WINDOW", "60"))
N = 10
STORES = {"s3": ["--store", "s3://%s" % BUCKET],
          "tags": ["--store", "tags", "--settle", "1"]}
# The store's own reads: the record for s3, the holders for tags.
STORE_READS = {"s3": ("GET",), "tags": ("DescribeInstances",)}
CMD = 'trap "exit 0" TERM; while :; do touch "$0"; sleep 1; done'


def cpu_seconds(pid):
    """Time on a CPU (user + system) of pid, in seconds, to the nanosecond
    (/proc/PID/schedstat; /proc/PID/stat counts in 10 ms ticks)."""
    with open("/proc/%d/schedstat" % pid, encoding="ascii") as f:
        return int(f.read().split()[0]) / 1e9


def kinds(recs):
    """{"GET": n, "PUT": n, "DescribeInstances": n, ...} of proxy records."""
    out = {}
    for r in recs:
        k = r.action or r.method
        out[k] = out.get(k, 0) + 1
    return out


def measure(w, store, args):
    ids = w.launch("e-cost-%s" % store, N)
    proxies, procs = {}, {}
    mark = os.path.join(w.tmp, "beat-%s" % store)
    try:
        for iid in ids:
            p = W.CountingProxy(w.moto.port).start()
            W._register(p)
            proxies[iid] = p
            env = w.child_env(iid, extra={"AWS_ENDPOINT_URL_EC2": p.endpoint,
                                          "AWS_ENDPOINT_URL_S3": p.endpoint})
            argv = [w.binary] + args + ["--name", "beat", "--epoch", "none", "--hold",
                                        "--standby", "--lease", str(int(LEASE)), "--",
                                        "sh", "-c", CMD, mark]
            procs[iid] = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, cwd=w.tmp)
        t0 = time.monotonic()
        while not os.path.exists(mark) and time.monotonic() - t0 < 30:
            time.sleep(0.1)
        W.expect(os.path.exists(mark), "%s: a leader runs CMD" % store, "a beat", None)
        time.sleep(LEASE)                    # past the elections
        cpu0 = {i: cpu_seconds(p.pid) for i, p in procs.items()}
        for p in proxies.values():
            p.reset_counts()
        start = time.monotonic()
        time.sleep(WINDOW)
        took = time.monotonic() - start
        cpu = {i: cpu_seconds(p.pid) - cpu0[i] for i, p in procs.items()}
        counts = {i: kinds(p.snapshot()[3]) for i, p in proxies.items()}
        writers = [i for i, c in counts.items() if c.get("PUT") or c.get("CreateTags")]
        W.expect(len(writers) == 1, "%s: exactly one instance renews (the leader)" % store,
                 1, writers)
        standbys = [i for i in ids if i not in writers]
        W.expect(all(procs[i].poll() is None for i in ids), "%s: all still running" % store,
                 True, {i: p.poll() for i, p in procs.items()})
        per_min = 60.0 / took
        polls_max = took / (LEASE / 3) + 1
        store_reads = {i: sum(counts[i].get(k, 0) for k in STORE_READS[store])
                       for i in standbys}
        total = {i: sum(counts[i].values()) for i in standbys}
        W.log("  %s standby requests in %.1f s: %s" % (store, took,
                                                       {i: counts[i] for i in standbys}))
        worst_reads = max(store_reads.values())
        W.expect(worst_reads <= polls_max, "%s: one store read per poll (lease/3)" % store,
                 "<= %.1f" % polls_max, store_reads)
        W.expect(min(store_reads.values()) >= polls_max - 3,
                 "%s: every standby keeps polling" % store, ">= %.1f" % (polls_max - 3),
                 store_reads)
        scaled = worst_reads * per_min * LEASE / DEFAULT_LEASE
        edge = 12.0 * (1 + LEASE / 3 / took)   # one poll more at the window's edge
        W.expect(scaled <= edge, "%s: at the default lease, <= 12 store reads a minute"
                 % store, "<= %.1f" % edge, "%.1f" % scaled)
        cpu_poll = max(cpu[i] / max(1, store_reads[i]) for i in standbys)
        # A bound, not the target: a standby that spins or sleeps in small
        # slices fails it on any machine; the 1 ms target is the measured
        # figure printed below (README), never a timing assertion.
        W.expect(cpu_poll < 0.02, "%s: CPU per poll bounded (under 20 ms)" % store,
                 "< 20 ms", "%.3f ms" % (cpu_poll * 1000))
        print("RESULT standby_cost %s: lease %.0f s, %d standbys, %.0f s: store reads per "
              "standby per minute %.1f (all requests %.1f), at the default lease %.1f "
              "(all %.1f); CPU per poll %.3f ms (worst standby), %.1f ms a minute" % (
                  store, LEASE, len(standbys), took, worst_reads * per_min,
                  max(total.values()) * per_min, scaled,
                  max(total.values()) * per_min * LEASE / DEFAULT_LEASE, cpu_poll * 1000,
                  max(cpu.values()) * per_min * 1000), flush=True)
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        for p in proxies.values():
            p.stop()
            W._unregister(p)


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        for store, args in STORES.items():
            measure(w, store, args)


W.run_scenario(NAME, main, time_limit=400)
