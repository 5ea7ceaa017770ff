"""A command that records when it ran, for the rolling scenarios.

timed_command(iid) appends "start T" and "end T" lines (unix seconds) to
$MARKER_DIR/<iid>.log around a 1 s sleep; intervals() reads them back and
max_concurrent() says how many runs overlapped at most.
"""
import os


def timed_command(iid):
    """CMD: append "start T" and "end T" (unix seconds) to MARKER_DIR/<iid>.log."""
    return ["/bin/sh", "-c",
            'f="$MARKER_DIR/%s.log"; echo "start $(date +%%s.%%N)" >>"$f"; sleep 1; '
            'echo "end $(date +%%s.%%N)" >>"$f"' % iid]


def intervals(w):
    """{iid: [(start, end), ...]} from the logs CMD wrote."""
    out = {}
    for name in sorted(os.listdir(w.marker_dir)):
        if not name.endswith(".log"):
            continue
        starts, ends = [], []
        with open(os.path.join(w.marker_dir, name), encoding="utf-8") as f:
            for line in f:
                what, t = line.split()
                (starts if what == "start" else ends).append(float(t))
        out[name[:-4]] = list(zip(starts, ends)) + [(s, None) for s in starts[len(ends):]]
    return out


def max_concurrent(runs):
    events = []
    for spans in runs.values():
        for s, e in spans:
            events.append((s, 1))
            events.append((e if e is not None else float("inf"), -1))
    events.sort(key=lambda x: (x[0], x[1]))     # an end before a start at a tie
    cur = best = 0
    for _, d in events:
        cur += d
        best = max(best, cur)
    return best
