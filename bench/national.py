#!/usr/bin/env python3
"""The national benchmark in pandas: the computation of
crates/chiso-domain/benches/national.rs, written as idiomatic vectorised pandas.

Two synthetic periods (2023, 2024) of 4,500 units x 120 leaf criteria (6 groups x 20
leaves, max 1 point each, total 120): score every unit (group sums, total), round the
total half-up to 2 decimals, level by threshold (>=), competition rank (1, 2, 2, 4) on
the rounded total, table order (rank, then name), then compare 2024 with 2023 (previous
rank, rank change, total change, per-criterion deltas for all 126 criteria).

Points are held as integer hundredths (int64 "cents"), so every sum is exact, as with
the Rust decimals; rounding the total half-up to 2 decimals is then exact as well (and
a no-op, since sums of 2-decimal points have 2 decimals).

Data generation is not timed. Prints one JSON line with the median time in ns.
With --check FILE (written by the Rust bench) it first verifies that its results equal
Rust's, row by row in table order.
"""

import argparse
import json
import platform
import statistics
import sys
import time

import numpy as np
import pandas as pd

UNITS = 4_500
GROUPS = 6
LEAVES_PER_GROUP = 20
PREVIOUS, CURRENT = 2023, 2024
# Level minima in cents (>=), highest first: the same as in national.rs.
LEVELS = [("Mức I", 8500), ("Mức II", 7250), ("Mức III", 6005), ("Mức IV", 4770)]
DECIMALS = 2  # the framework's rounding; points are stored at this precision

GROUP_IDS = [f"N{g}" for g in range(1, GROUPS + 1)]
LEAVES_OF = {g: [f"{g}_{k:02}" for k in range(1, LEAVES_PER_GROUP + 1)] for g in GROUP_IDS}
LEAF_IDS = [leaf for g in GROUP_IDS for leaf in LEAVES_OF[g]]
# Pre-order, as the Rust framework stores its criteria: each group, then its leaves.
CRITERIA = [c for g in GROUP_IDS for c in [g, *LEAVES_OF[g]]]


# --- synthetic data (identical to national.rs) -----------------------------------

def splitmix64(x):
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def key(year, unit, slot):
    u64 = np.uint64
    return (u64(year) << u64(40)) | (np.asarray(unit, dtype=u64) << u64(12)) | np.asarray(slot, dtype=u64)


def generate(year):
    """Units x leaves, points in cents 0..=100: capacity 40..=100 minus noise 0..=40."""
    units = np.arange(1, UNITS + 1, dtype=np.uint64)
    capacity = (
        np.uint64(40)
        + splitmix64(key(0, units, 0xFFF)) % np.uint64(51)
        + splitmix64(key(year, units, 0xFFF)) % np.uint64(11)
    )
    leaves = np.arange(GROUPS * LEAVES_PER_GROUP, dtype=np.uint64)
    noise = splitmix64(key(year, units[:, None], leaves[None, :])) % np.uint64(41)
    cents = (capacity[:, None] - noise).astype(np.int64)
    df = pd.DataFrame(cents, columns=LEAF_IDS)
    df.insert(0, "unit", [f"DV{u:04}" for u in range(1, UNITS + 1)])
    df.insert(1, "name", [f"Đơn vị {u:04}" for u in range(1, UNITS + 1)])
    return df


# --- the timed computation ------------------------------------------------------

def round_half_up(cents, decimals=DECIMALS):
    """Half-up rounding of non-negative cents to `decimals` (exact integer arithmetic)."""
    step = 10 ** (2 - decimals)
    return cents if step == 1 else (cents + step // 2) // step * step


def score(period):
    groups = pd.DataFrame({g: period[cols].sum(axis=1) for g, cols in LEAVES_OF.items()})
    table = pd.concat([period, groups], axis=1)
    table["total"] = round_half_up(groups.sum(axis=1))
    table["level"] = np.select(
        [table["total"] >= minimum for _, minimum in LEVELS], [name for name, _ in LEVELS], default=""
    )
    table["rank"] = table["total"].rank(method="min", ascending=False).astype("int64")
    return table.sort_values(["rank", "name"], kind="stable", ignore_index=True)


def compare(now, then):
    merged = now.merge(then[["unit", *CRITERIA, "total", "level", "rank"]], on="unit", how="left",
                       suffixes=("", "_prev"))
    merged["rank_change"] = merged["rank_prev"] - merged["rank"]
    merged["total_change"] = merged["total"] - merged["total_prev"]
    deltas = pd.DataFrame(
        merged[CRITERIA].to_numpy() - merged[[f"{c}_prev" for c in CRITERIA]].to_numpy(),
        columns=CRITERIA,
        index=merged.index,
    )
    summary = merged[["unit", "name", "total", "level", "rank", "total_prev", "level_prev", "rank_prev",
                      "rank_change", "total_change"]]
    return summary, deltas


def run(previous, current):
    then = score(previous)
    now = score(current)
    return then, now, compare(now, then)


# --- checking against Rust --------------------------------------------------------

def to_cents(column):
    return np.rint(column.astype(float) * 100).astype(np.int64)


def check(path, summary, deltas):
    rust = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = []

    def same(what, ours, theirs):
        ours, theirs = np.asarray(ours), np.asarray(theirs)
        bad = np.flatnonzero(ours != theirs)
        if len(bad):
            i = bad[0]
            problems.append(f"{what}: {len(bad)} rows differ, first at row {i}: "
                            f"pandas {ours.tolist()[i]!r}, rust {theirs.tolist()[i]!r}")

    if len(rust) != len(summary):
        sys.exit(f"check: rust has {len(rust)} rows, pandas {len(summary)}")
    same("unit (table order)", summary["unit"], rust["unit"])
    same("name", summary["name"], rust["name"])
    same("total", summary["total"], to_cents(rust["total"]))
    same("level", summary["level"], rust["level"])
    same("rank", summary["rank"], rust["rank"].astype(np.int64))
    same("previous rank", summary["rank_prev"], rust["previous_rank"].astype(np.int64))
    same("rank change", summary["rank_change"], rust["rank_change"].astype(np.int64))
    same("total change", summary["total_change"], to_cents(rust["total_change"]))
    for c in CRITERIA:
        same(f"delta {c}", deltas[c], to_cents(rust[f"d_{c}"]))
    if problems:
        sys.exit("check: pandas and Rust disagree\n  " + "\n  ".join(problems))
    return f"ok: {len(rust)} units, rank, level, totals and {len(CRITERIA)} deltas each equal Rust's"


def median_ns(fn, repetitions):
    times = []
    for _ in range(repetitions):
        start = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - start)
    return int(statistics.median(times)), times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--check", metavar="RUST_CSV", help="compare results with the Rust bench's export")
    parser.add_argument("--json", metavar="FILE", help="also write the JSON line to FILE")
    args = parser.parse_args()

    previous, current = generate(PREVIOUS), generate(CURRENT)
    then, now, (summary, deltas) = run(previous, current)  # warm-up, and the results to check
    checked = check(args.check, summary, deltas) if args.check else "skipped"
    print(f"pandas check: {checked}", file=sys.stderr)

    full, times = median_ns(lambda: run(previous, current), args.repetitions)
    one, _ = median_ns(lambda: score(current), args.repetitions)
    cmp, _ = median_ns(lambda: compare(now, then), args.repetitions)
    result = {
        "median_ns": full,
        "min_ns": min(times),
        "max_ns": max(times),
        "repetitions": args.repetitions,
        "score_one_period_median_ns": one,
        "compare_median_ns": cmp,
        "levels": summary["level"].replace("", "below levels").value_counts().to_dict(),
        "check": checked,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
    }
    line = json.dumps(result, ensure_ascii=False)
    print(line)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
