"""`chiso score --compare` and the pandas script of the same work (score.py), run in turn
(chiso, pandas, chiso, pandas, ...) on one generated national dataset: each command's wall
time and peak memory, and the ratio pandas / chiso pair by pair (issue 18's 10x target).

Usage: bench/.venv/bin/python bench/national-cli/pairs.py CHISO DATA [--pairs 30] [--warmup 3]
(DATA made by generate.py; see docs/BENCHMARKS.md). Nothing is asserted: it prints.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    """Wall seconds and peak resident MB of one run (the child's own rusage)."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("chiso")
    p.add_argument("data")
    p.add_argument("--pairs", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    a = p.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    chiso = [a.chiso, "score", "--data", a.data, "--period", "2024", "--kind", "commune",
             "--compare", "2023", "--format", "csv"]
    # Both write their table to stdout, which goes to /dev/null: a file written by one run is
    # flushed to disk during the next and slowed it (by half, median 29 -> 45 ms, measured).
    pandas = [sys.executable, os.path.join(here, "score.py"), a.data]
    for _ in range(a.warmup):
        run(chiso)
        run(pandas)
    pairs = [(run(chiso), run(pandas)) for _ in range(a.pairs)]
    rows = [
        ("chiso score --compare, wall ms", [c[0] * 1000 for c, _ in pairs]),
        ("pandas score.py, wall ms", [p[0] * 1000 for _, p in pairs]),
        ("ratio pandas / chiso, pair by pair", [p[0] / c[0] for c, p in pairs]),
        ("chiso peak MB", [c[1] for c, _ in pairs]),
        ("pandas peak MB", [p[1] for _, p in pairs]),
    ]
    print(f"{a.pairs} pairs after {a.warmup} warm-ups, load average {os.getloadavg()[0]:.2f}")
    print(f"{'':38} {'min':>8} {'median':>8} {'max':>8}")
    for label, xs in rows:
        print(f"{label:38} {min(xs):8.1f} {statistics.median(xs):8.1f} {max(xs):8.1f}")


if __name__ == "__main__":
    main()
