"""Two or more `chiso` binaries timed in turn on `chiso score --compare` (A, B, A, B, ...):
wall and CPU (user + system) min and median of each, to tell a change from the machine's
spread. Nothing is asserted: it prints.

Usage: bench/.venv/bin/python bench/national-cli/ab.py DATA CHISO_A CHISO_B [...] [--runs 30]
(DATA made by generate.py; see docs/BENCHMARKS.md).
"""

import argparse
import os
import statistics
import subprocess
import time


def run(cmd):
    """Wall and CPU milliseconds of one run (the child's own rusage)."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}")
    return (time.perf_counter() - start) * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("chiso", nargs="+")
    p.add_argument("--runs", type=int, default=30)
    a = p.parse_args()
    args = ["score", "--data", a.data, "--period", "2024", "--kind", "commune", "--compare", "2023",
            "--format", "csv"]
    times = [[] for _ in a.chiso]
    for _ in range(a.runs):
        for k, binary in enumerate(a.chiso):
            times[k].append(run([binary, *args]))
    print(f"{a.runs} runs each, alternating, load average {os.getloadavg()[0]:.2f}")
    for binary, ts in zip(a.chiso, times):
        wall, cpu = [t[0] for t in ts], [t[1] for t in ts]
        print(f"{binary:40} wall min {min(wall):6.1f} median {statistics.median(wall):6.1f} ms"
              f" | cpu min {min(cpu):6.1f} median {statistics.median(cpu):6.1f} ms")


if __name__ == "__main__":
    main()
