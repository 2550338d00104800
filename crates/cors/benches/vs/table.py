#!/usr/bin/env python3
"""Prints the vs_tower_http table from criterion's results: median time per case, ours and
tower-http, and the ratio. Usage: python3 crates/cors/benches/vs/table.py [CARGO_TARGET_DIR]
Pass several target dirs' snapshot folders (see BENCHMARKS.md) to get the median over runs."""
import json, os, statistics, sys

CASES = ["no_origin", "simple_allowed", "simple_disallowed", "preflight_allowed", "preflight_disallowed"]
SIZES = [1, 16, 1024]

def median_ns(root, case, who, n):
    p = os.path.join(root, case, who, str(n), "new", "estimates.json")
    with open(p) as f:
        return json.load(f)["median"]["point_estimate"]

roots = [os.path.join(r, "criterion") if os.path.isdir(os.path.join(r, "criterion")) else r
         for r in (sys.argv[1:] or [os.environ.get("CARGO_TARGET_DIR", "target")])]
print("| case | n | ours (ns) | tower-http (ns) | ours / tower-http |")
print("|---|---:|---:|---:|---:|")
for case in CASES:
    for n in SIZES:
        o = [median_ns(r, case, "ours", n) for r in roots]
        t = [median_ns(r, case, "tower_http", n) for r in roots]
        ratios = [a / b for a, b in zip(o, t)]
        def fmt(v):
            if len(v) == 1:
                return f"{v[0]:.0f}"
            return f"{statistics.median(v):.0f} ({min(v):.0f}–{max(v):.0f})"
        def fmtr(v):
            if len(v) == 1:
                return f"{v[0]:.2f}"
            return f"{statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f})"
        print(f"| {case} | {n} | {fmt(o)} | {fmt(t)} | {fmtr(ratios)} |")
