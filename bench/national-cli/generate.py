#!/usr/bin/env python3
"""Writes the national benchmark's data as a chiso dataset directory, for timing whole
commands (`chiso score --compare`, `analyze`, `report`, `import`) against a pandas script
that reads the same files (score.py).

The figures are those of bench/national.py (the same generator): N units (default 4,500)
x 120 leaf criteria (6 groups x 20 leaves, 1 point each, 2 decimals), two years (2023,
2024), levels 85 / 72,5 / 60,05 / 47,7. Units are communes named "Xã Đơn vị 0001" with an
alias each ("DV0001"), so name resolution does real work.

Usage: generate.py OUT_DIR [--units N]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import national  # noqa: E402

LEVELS = [("Mức I", "85"), ("Mức II", "72.5"), ("Mức III", "60.05"), ("Mức IV", "47.7")]


def framework():
    out = [
        'id = "national"',
        'name = "Bộ chỉ số quốc gia (dữ liệu sinh cho đo hiệu năng)"',
        'legal_basis = "Dữ liệu sinh để đo hiệu năng, không có giá trị pháp lý"',
        'unit_kind = "commune"',
        "years = { from = 2023 }",
        f"max = {national.GROUPS * national.LEAVES_PER_GROUP}",
        "",
        "[rounding]",
        "decimals = 2",
        'mode = "half-up"',
        'scope = "criterion"',
        "percent_decimals = 1",
        "",
        "[ties]",
        'basis = "rounded"',
    ]
    for name, minimum in LEVELS:
        out += ["", "[[level]]", f'name = "{name}"', f'min = "{minimum}"']
    for g in national.GROUP_IDS:
        out += ["", "[[criterion]]", f'id = "{g}"', f'name = "Nhóm {g}"', f"max = {national.LEAVES_PER_GROUP}"]
        for leaf in national.LEAVES_OF[g]:
            out += ["", "  [[criterion.criterion]]", f'  id = "{leaf}"', f'  name = "Chỉ số {leaf}"', "  max = 1", '  rule = "direct"']
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--units", type=int, default=national.UNITS)
    a = ap.parse_args()
    national.UNITS = a.units
    os.makedirs(os.path.join(a.out, "frameworks"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "periods"), exist_ok=True)
    with open(os.path.join(a.out, "frameworks", "national.toml"), "w", encoding="utf-8") as f:
        f.write(framework())
    with open(os.path.join(a.out, "units.toml"), "w", encoding="utf-8") as f:
        for u in range(1, a.units + 1):
            f.write(f'[[unit]]\nid = "dv{u:04}"\nname = "Xã Đơn vị {u:04}"\nkind = "commune"\n'
                    f'aliases = ["DV{u:04}"]\n\n')
    for year in (national.PREVIOUS, national.CURRENT):
        df = national.generate(year)
        leaves = df[national.LEAF_IDS]
        with open(os.path.join(a.out, "periods", f"{year}-commune.toml"), "w", encoding="utf-8") as f:
            f.write(f'year = {year}\nkind = "commune"\nframework = "national"\ndata = "{year}-commune.csv"\n'
                    'source = "Dữ liệu sinh để đo hiệu năng."\n')
        with open(os.path.join(a.out, "periods", f"{year}-commune.csv"), "w", encoding="utf-8") as f:
            f.write("unit," + ",".join(national.LEAF_IDS) + "\n")
            names = ["Xã " + n for n in df["name"]]
            for name, row in zip(names, leaves.itertuples(index=False)):
                f.write(name + "," + ",".join(f"{c // 100}.{c % 100:02}" for c in row) + "\n")


if __name__ == "__main__":
    main()
