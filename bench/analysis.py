#!/usr/bin/env python3
"""The rank-stability benchmark in numpy: the Monte-Carlo draws of
crates/chiso-domain/benches/analysis.rs (chiso_domain::analysis::stability), written as
vectorised numpy over blocks of draws.

The same generator (xoshiro256** seeded per draw from SplitMix64, see
crates/chiso-domain/src/analysis/rng.rs), so the same draws: 10,000 draws, seed 2020,
each group's weight times a factor uniform in [0.8, 1.2] (totals renormalised to the
maximum), each level minimum moved by a whole number of the total's steps within ±2 % of
the maximum. Per draw: totals, rounding half-up to the framework's decimals, competition
ranks, levels (weights and minima together, weights only, minima only), swaps of
neighbours, how many leading units keep their ranks. Then per unit: median rank, 5 % and
95 % ranks (nearest rank), draws keeping the rank, level counts.

Two problems: `seed_departments` (Cao Bằng 2020, 20 departments, 6 groups, read from
data/cao-bang) and `national` (4,500 synthetic units x 6 groups, the group sums of the
national benchmark's generator, bench/national.py).

With --check DIR it first compares its per-unit results with the Rust bench's exports
(DIR/rust_analysis_<problem>.csv). Prints one JSON line with the median times in ns.
"""

import argparse
import csv
import json
import math
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

U64 = np.uint64
GOLDEN = 0x9E3779B97F4A7C15
DRAWS = 10_000
SEED = 2020
SPREAD = 0.2
ROOT = Path(__file__).resolve().parent.parent


# --- the generator (crates/chiso-domain/src/analysis/rng.rs) --------------------------

def mix64(z):
    with np.errstate(over="ignore"):
        z = (z ^ (z >> U64(30))) * U64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> U64(27))) * U64(0x94D049BB133111EB)
        return z ^ (z >> U64(31))


def rotl(x, k):
    return (x << U64(k)) | (x >> U64(64 - k))


class Draws:
    """xoshiro256** for every draw at once: draw d starts from outputs 4d..4d+3 of the
    SplitMix64 stream of the seed."""

    def __init__(self, seed, draws):
        d = np.arange(draws, dtype=U64)
        with np.errstate(over="ignore"):
            start = U64(seed) + d * U64((4 * GOLDEN) % 2**64)
            self.s = [mix64(start + U64((GOLDEN * (i + 1)) % 2**64)) for i in range(4)]

    def next_u64(self):
        s0, s1, s2, s3 = self.s
        with np.errstate(over="ignore"):
            result = rotl(s1 * U64(5), 7) * U64(9)
        t = s1 << U64(17)
        s2 = s2 ^ s0
        s3 = s3 ^ s1
        s1 = s1 ^ s2
        s0 = s0 ^ s3
        s2 = s2 ^ t
        s3 = rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_f64(self):
        return (self.next_u64() >> U64(11)).astype(np.float64) * (1.0 / (1 << 53))

    def next_symmetric(self, bound):
        if bound == 0:
            return np.zeros(len(self.s[0]), dtype=np.int64)
        return (self.next_u64() % U64(2 * bound + 1)).astype(np.int64) - bound


# --- the problems ------------------------------------------------------------------

class Problem:
    def __init__(self, name, ids, cents, maxima, total_max, decimals, levels):
        self.name = name
        self.ids = np.asarray(ids)
        self.cents = np.asarray(cents, dtype=np.int64)
        self.points = self.cents / 100.0  # the nearest double, as Rust's Decimal::to_f64
        self.columns = [np.ascontiguousarray(self.points[:, j]) for j in range(self.points.shape[1])]
        self.maxima = np.asarray(maxima, dtype=np.float64)
        self.weight = np.ones(len(maxima))
        self.total_max = float(total_max)
        self.decimals = decimals
        scale = Decimal(10) ** decimals
        self.thresholds = np.array([math.ceil(Decimal(m) * scale) for m in levels], dtype=np.int64)
        # Options::for_framework: 2 % of the maximum, rounded to the total's decimals.
        step = (Decimal(total_max) * Decimal("0.02")).quantize(Decimal(1) / scale)
        self.step_quanta = int(step * scale)


def departments():
    groups = [("infra", 8), ("app", 16), ("web", 20), ("online_services", 6), ("staff", 5), ("policy", 5)]
    ids, cents = [], []
    with open(ROOT / "data/cao-bang/periods/2020-department.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ids.append(row["unit"])
            # Not applicable: full points (department.toml).
            cents.append([int(Decimal(str(m) if row[g] == "N/A" else row[g]) * 100) for g, m in groups])
    return Problem("seed_departments", ids, cents, [m for _, m in groups], 60, 1, ["54", "48", "42", "36"])


def national():
    # bench/national.py's generator, 2024, leaves summed per group.
    units_n, groups_n, leaves_n, year = 4_500, 6, 20, 2024

    def splitmix64(x):
        with np.errstate(over="ignore"):
            return mix64(np.asarray(x, dtype=U64) + U64(GOLDEN))

    def key(y, unit, slot):
        return (U64(y) << U64(40)) | (np.asarray(unit, dtype=U64) << U64(12)) | np.asarray(slot, dtype=U64)

    units = np.arange(1, units_n + 1, dtype=U64)
    capacity = U64(40) + splitmix64(key(0, units, 0xFFF)) % U64(51) + splitmix64(key(year, units, 0xFFF)) % U64(11)
    leaves = np.arange(groups_n * leaves_n, dtype=U64)
    noise = splitmix64(key(year, units[:, None], leaves[None, :])) % U64(41)
    leaf_cents = (capacity[:, None] - noise).astype(np.int64)
    cents = leaf_cents.reshape(units_n, groups_n, leaves_n).sum(axis=2)
    ids = [f"DV{u:04}" for u in range(1, units_n + 1)]
    return Problem("national", ids, cents, [leaves_n] * groups_n, groups_n * leaves_n, 2,
                   ["85", "72.5", "60.05", "47.7"])


# --- the draws ---------------------------------------------------------------------

def keys_of(p, a):
    """Keys (draws x units) of the totals with group weights a (draws x groups):
    Σ a·points ÷ Σ a·max × max, rounded half-up to the framework's decimals. Sums run
    over the groups in order, as in Rust, so the doubles are the same."""
    den = a[:, 0] * p.maxima[0]
    for j in range(1, a.shape[1]):
        den = den + a[:, j] * p.maxima[j]
    scale = np.where(den > 0, p.total_max / np.where(den > 0, den, 1.0), 0.0)
    num = a[:, 0, None] * p.columns[0][None, :]
    for j in range(1, a.shape[1]):
        num = num + a[:, j, None] * p.columns[j][None, :]
    t = np.clip(num * scale[:, None], 0.0, p.total_max)
    x = t * float(10 ** p.decimals)
    eps = np.abs(x) * 1e-12 + 1e-9
    return np.floor(x + 0.5 + eps).astype(np.int64)


def competition_ranks(keys):
    """Competition ranks (1, 2, 2, 4) within every row, highest key first."""
    n = keys.shape[1]
    order = np.argsort(-keys, axis=1, kind="stable")
    sorted_keys = np.take_along_axis(keys, order, axis=1)
    start = np.ones(sorted_keys.shape, dtype=bool)
    start[:, 1:] = sorted_keys[:, 1:] != sorted_keys[:, :-1]
    first = np.maximum.accumulate(np.where(start, np.arange(n)[None, :], 0), axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, first + 1, axis=1)
    return ranks


def levels_of(keys, thresholds):
    """Index of the first level whose minimum the key reaches (per draw, thresholds
    descending); len(levels) below them all."""
    level = np.zeros(keys.shape, dtype=np.int64)
    for l in range(thresholds.shape[1]):
        level += keys < thresholds[:, l, None]
    return level


def stability(p, draws=DRAWS, seed=SEED, spread=SPREAD, block=500):
    n, k = p.points.shape
    n_levels = len(p.thresholds)
    base_keys = keys_of(p, p.weight[None, :])[0]
    base_ranks = competition_ranks(base_keys[None, :])[0]
    table = np.lexsort((p.ids, base_ranks))  # rank, then id
    ahead, behind = table[:-1], table[1:]
    relation = np.sign(base_keys[ahead] - base_keys[behind])

    # Every draw's factors and level shifts, in the order each draw takes them.
    rng = Draws(seed, draws)
    u = np.stack([rng.next_f64() for _ in range(k)], axis=1)
    a = p.weight[None, :] * (1.0 + spread * (2.0 * u - 1.0))
    shifts = np.stack([rng.next_symmetric(p.step_quanta) for _ in range(n_levels)], axis=1)
    thresholds = -np.sort(-(p.thresholds[None, :] + shifts), axis=1)

    ranks_all = np.empty((draws, n), dtype=np.uint16 if n < 65_535 else np.uint32)
    level_counts = np.zeros((3, n, n_levels + 1), dtype=np.int64)
    flips = np.zeros(n - 1, dtype=np.int64)
    prefix = np.zeros(n + 1, dtype=np.int64)
    cells = np.arange(n)[None, :] * (n_levels + 1)
    for lo in range(0, draws, block):
        hi = min(lo + block, draws)
        keys = keys_of(p, a[lo:hi])
        ranks = competition_ranks(keys)
        ranks_all[lo:hi] = ranks
        th = thresholds[lo:hi]
        base_th = np.broadcast_to(p.thresholds, th.shape)
        for variant, lv in enumerate((levels_of(keys, th), levels_of(keys, base_th),
                                      levels_of(np.broadcast_to(base_keys, keys.shape), th))):
            level_counts[variant] += np.bincount((cells + lv).ravel(), minlength=n * (n_levels + 1)).reshape(
                n, n_levels + 1)
        flips += (np.sign(keys[:, ahead] - keys[:, behind]) != relation[None, :]).sum(axis=0)
        mismatch = ranks[:, table] != base_ranks[table][None, :]
        kept = np.where(mismatch.any(axis=1), mismatch.argmax(axis=1), n)
        prefix += np.bincount(kept, minlength=n + 1)

    # Nearest-rank quantiles: the ceil(D·q)-th smallest rank of each unit.
    at = {q: max(-(-draws * q // 100), 1) - 1 for q in (5, 50, 95)}
    part = np.partition(ranks_all, sorted(set(at.values())), axis=0)
    return {
        "ids": p.ids,
        "rank": base_ranks,
        "median_rank": part[at[50]],
        "p5": part[at[5]],
        "p95": part[at[95]],
        "keeps_rank": (ranks_all == base_ranks[None, :]).sum(axis=0),
        "levels": level_counts[0],
        "flips": flips,
        "prefix": prefix,
    }


# --- checking against Rust --------------------------------------------------------

def check(p, result, path):
    with open(path, encoding="utf-8") as f:
        rows = {r["unit"]: r for r in csv.DictReader(f)}
    if len(rows) != len(p.ids):
        sys.exit(f"check {p.name}: rust has {len(rows)} units, numpy {len(p.ids)}")
    problems = []
    groups = [c for c in next(iter(rows.values())) if c not in
              ("unit", "rank", "median_rank", "p5", "p95", "keeps_rank") and not c.startswith("level_")]
    for i, unit in enumerate(p.ids):
        r = rows.get(str(unit))
        if r is None:
            problems.append(f"{unit}: not in Rust's export")
            continue
        ours = [*p.cents[i], result["rank"][i], result["median_rank"][i], result["p5"][i], result["p95"][i],
                result["keeps_rank"][i], *result["levels"][i]]
        theirs = [int(Decimal(r[g])) for g in groups] + [int(r[c]) for c in ("rank", "median_rank", "p5", "p95",
                                                                          "keeps_rank")]
        theirs += [int(r[f"level_{x}"]) for x in range(len(p.thresholds) + 1)]
        if [int(x) for x in ours] != theirs:
            problems.append(f"{unit}: numpy {[int(x) for x in ours]}, rust {theirs}")
    if problems:
        sys.exit(f"check {p.name}: numpy and Rust disagree on {len(problems)} units\n  " + "\n  ".join(problems[:10]))
    return f"ok: {len(rows)} units, ranks, median, 5-95 % interval, kept ranks and level counts equal Rust's"


def median_ns(fn, repetitions):
    times = []
    for _ in range(repetitions):
        start = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - start)
    return int(statistics.median(times)), times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--check", metavar="DIR", help="compare with DIR/rust_analysis_<problem>.csv")
    parser.add_argument("--json", metavar="FILE", help="also write the JSON line to FILE")
    args = parser.parse_args()

    out = {"draws": DRAWS, "seed": SEED, "python": platform.python_version(), "numpy": np.__version__}
    for problem in (departments(), national()):
        result = stability(problem)  # warm-up, and the results to check
        if args.check:
            checked = check(problem, result, Path(args.check) / f"rust_analysis_{problem.name}.csv")
        else:
            checked = "skipped"
        print(f"numpy check {problem.name}: {checked}", file=sys.stderr)
        median, times = median_ns(lambda: stability(problem), args.repetitions)
        out[problem.name] = {"median_ns": median, "min_ns": min(times), "max_ns": max(times),
                             "repetitions": args.repetitions, "units": len(problem.ids), "check": checked}
    line = json.dumps(out, ensure_ascii=False)
    print(line)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
