#!/usr/bin/env python3
"""Instructions per request for vs_tower_http's cases, counted by callgrind (deterministic).

Usage: python3 crates/cors/benches/vs/instructions.py [CASE_FILTER]
Builds the `vs_tower_http_instructions` bench target (release profile), runs it under
`valgrind --tool=callgrind` once per case, size and contender, counting only its `batch`
function (1000 requests), and prints the table with the ratios.
"""
import json, os, re, subprocess, sys, tempfile

CASES = ["no_origin", "simple_allowed", "simple_disallowed", "preflight_allowed", "preflight_disallowed"]
SIZES = [1, 16, 1024]
WHO = ["inner_only", "ours", "tower_http"]
K = 1000

flt = sys.argv[1] if len(sys.argv) > 1 else ""
out = subprocess.run(
    ["cargo", "bench", "-p", "cors", "--bench", "vs_tower_http_instructions", "--no-run",
     "--message-format=json"],
    check=True, capture_output=True, text=True).stdout
exe = [m["executable"] for m in map(json.loads, out.splitlines())
       if m.get("reason") == "compiler-artifact" and m.get("executable")
       and m["target"]["name"] == "vs_tower_http_instructions"][0]


def count(case, n, who):
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run(
            ["valgrind", "--tool=callgrind", "--toggle-collect=*vs_tower_http_instructions*batch*",
             f"--callgrind-out-file={d}/cg.out", exe, case, str(n), who],
            check=True, capture_output=True, text=True)
    return int(re.search(r"Collected : (\d+)", r.stderr).group(1)) / K


print(f"Instructions per request (callgrind, {K} requests).")
print()
print("| group | n | inner_only | ours | tower_http | ours / tower_http | (ours − inner) / (tower_http − inner) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for case in [c for c in CASES if flt in c]:
    for n in SIZES:
        b, o, t = (count(case, n, w) for w in WHO)
        print(f"| {case} | {n} | {b:.0f} | {o:.0f} | {t:.0f} | {o / t:.2f} | {(o - b) / (t - b):.2f} |",
              flush=True)
