#!/usr/bin/env python3
"""The work of `chiso score --compare` on the national data (generate.py), as a plain
pandas script an analyst would write: read the two CSVs, score (group sums, total rounded
half-up to 2 decimals), level by threshold (>=), competition rank, compare with the year
before (previous rank, rank change, total change), write one CSV row per unit.

Usage: score.py DATA_DIR [--out FILE]
"""

import argparse
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import national  # noqa: E402


def read(path):
    df = pd.read_csv(path, dtype={"unit": str})
    cents = np.rint(df[national.LEAF_IDS].to_numpy(dtype=float) * 100).astype(np.int64)
    out = pd.DataFrame(cents, columns=national.LEAF_IDS)
    out.insert(0, "unit", df["unit"])
    out.insert(1, "name", df["unit"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    periods = os.path.join(a.data, "periods")
    then = national.score(read(os.path.join(periods, f"{national.PREVIOUS}-commune.csv")))
    now = national.score(read(os.path.join(periods, f"{national.CURRENT}-commune.csv")))
    summary, _deltas = national.compare(now, then)
    table = summary.copy()
    for c in ("total", "total_prev", "total_change"):
        table[c] = table[c] / 100
    table.to_csv(sys.stdout if a.out == "-" else a.out, index=False)


if __name__ == "__main__":
    main()
