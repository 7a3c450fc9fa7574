#!/usr/bin/env python3
# The table of bench/sync_ab.sh's runs: per figure, base and new per run, new/base of the time per
# pair (base k with the new run nearest it), and the median ratio.
#   bench/sync_ab_table.py OUT_DIR [OUT_DIR...]
import glob, json, os, statistics, sys
figures = [
    ("sync over TLS, 10,000 checklists (s)", lambda r: r["sync_seconds"]),
    ("ingest with re-validation (µs per submission)", lambda r: 1e6 / r["ingest_per_second"]),
    ("ingest, storage path only (µs)", lambda r: 1e6 / r["ingest_storage_only_per_second"]),
    ("one thread, StoreBatch (µs)", lambda r: r["ingest_cost_per_submission"]["store_us"]),
    ("bare SQLite loop (µs; the same code on both sides: the noise)", lambda r: 1e6 / r["bare_per_second"]),
    ("50 devices at once, 2,000 (s)", lambda r: r["devices_seconds"]),
    ("device fill of 10,000 (no collector code) (s)", lambda r: r["fill_seconds"]),
]
runs = {"base": [], "new": []}
for d in sys.argv[1:]:
    files = sorted(glob.glob(os.path.join(d, "*.json")), key=lambda f: int(os.path.basename(f).split("-")[0]))
    for f in files:
        runs[os.path.basename(f).split("-")[1][:-5]].append(json.load(open(f)))
print("| figure | base | new | new/base per pair | median |")
print("|---|---|---|---|---:|")
for name, get in figures:
    b = [get(r) for r in runs["base"]]; n = [get(r) for r in runs["new"]]
    ratios = [y / x for x, y in zip(b, n)]
    print(f"| {name} | {', '.join('%.3g' % x for x in b)} | {', '.join('%.3g' % x for x in n)} | "
          f"{', '.join('%.2f' % x for x in ratios)} | {statistics.median(ratios):.2f} |")
