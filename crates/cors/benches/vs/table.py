#!/usr/bin/env python3
"""The vs_tower_http table from criterion's results.

Usage: python3 crates/cors/benches/vs/table.py DIR [DIR ...]
Each DIR is a criterion output folder (target/criterion, or a copy of it kept after a run).
With several runs, each cell is the median over runs of criterion's median, with the range
over runs in brackets; the ratio is computed per run, then summarised the same way.
"""
import json, os, statistics, sys

CASES = ["no_origin", "simple_allowed", "simple_disallowed", "preflight_allowed", "preflight_disallowed"]
SIZES = [1, 16, 1024]


def median_ns(root, case, who, n):
    with open(os.path.join(root, case, who, str(n), "new", "estimates.json")) as f:
        return json.load(f)["median"]["point_estimate"]


def summary(values, fmt):
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(statistics.median(values))} [{fmt(min(values))}–{fmt(max(values))}]"


roots = sys.argv[1:] or [os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "criterion")]
ns = lambda v: f"{v:.0f}"
ratio = lambda v: f"{v:.2f}"
print(f"{len(roots)} run(s). Times in ns per request: median over runs [range].")
print()
print("| group | n | inner_only | ours | tower_http | ours / tower_http | (ours − inner) / (tower_http − inner) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for case in CASES:
    for n in SIZES:
        b = [median_ns(r, case, "inner_only", n) for r in roots]
        o = [median_ns(r, case, "ours", n) for r in roots]
        t = [median_ns(r, case, "tower_http", n) for r in roots]
        rs = [x / y for x, y in zip(o, t)]
        mw = [(x - z) / (y - z) for x, y, z in zip(o, t, b)]
        print(f"| {case} | {n} | {summary(b, ns)} | {summary(o, ns)} | {summary(t, ns)} | {summary(rs, ratio)} | {summary(mw, ratio)} |")
