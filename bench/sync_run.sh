#!/usr/bin/env bash
# The sync benchmark (issue 6), in one command:
#
#   bench/sync_run.sh [--build-dir build-syncbench] [-- extra chosa_sync_bench flags]
#
# Installs what is missing (Debian packages), builds chosa_sync_bench and chosa-collector in
# Release, and runs: 10,000 coordinator checklists finalized in a device store and synced to a
# chosa-collector process over TLS on loopback (the sync client: libcurl, gzip, batches of 100);
# the collector's ingest (envelope, re-validation, one transaction per batch) against a bare
# SQLite loop inserting the same bytes (5 alternating rounds, medians); 50 devices syncing at
# once. Prints the machine and a Markdown table on stdout; raw figures in BUILD_DIR/sync-results.json.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build-syncbench
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "bench/sync_run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
scripts/setup.sh "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCHOSA_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target chosa_sync_bench chosa-collector >/dev/null
load=$(cut -d' ' -f1-3 /proc/loadavg)
"$build_dir/bench/chosa_sync_bench" --collector-tool "$build_dir/tools/chosa-collector" --source-dir "$(pwd)" \
  --dir "$build_dir/sync-files" --ingest-rounds 5 "${extra[@]}" > "$build_dir/sync-results.json"
python3 - "$build_dir/sync-results.json" "$load" <<'PY'
import json, sys, platform, subprocess
r = json.load(open(sys.argv[1]))
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print(f"Machine: {platform.machine()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; "
      f"chosa {commit}; load average at start {sys.argv[2]}.\n")
print("| measure | chosa | baseline | ratio |")
print("|---|---:|---:|---:|")
print(f"| sync of {r['submissions']:,} checklists (≈{r['submission_bytes_mean']:.0f} B each), device store → collector over TLS, batches of {r['batch']} | {r['sync_seconds']:.2f} s ({r['sync_per_second']:,.0f}/s; {r['sync_bytes_sent']/1024:,.0f} KiB sent, gzip) | target < 5 s | |")
print(f"| collector ingest: envelope, re-validation with the engine, one transaction per batch | {r['ingest_per_second']:,.0f}/s | bare SQLite loop {r['bare_per_second']:,.0f}/s | {r['ingest_vs_bare']:.2f}x |")
print(f"| collector ingest without the engine's re-validation (envelope, checks, storage) | {r['ingest_storage_only_per_second']:,.0f}/s | bare SQLite loop {r['bare_per_second']:,.0f}/s | {r['ingest_storage_only_vs_bare']:.2f}x |")
print(f"| {r['devices']} devices syncing at once ({r['devices_sent']:,} submissions) | {r['devices_seconds']:.2f} s ({r['devices_per_second']:,.0f}/s), {r['devices_complete']} of {r['devices']} complete | | |")
shares = ", ".join(f"{x:.2f}" for x in r['ingest_helper_share_per_round'])
cost = r['ingest_cost_per_submission']
print(f"\nShare of lines the helper thread checked, per ingest round: {shares} (about 0.57 when it has a core to itself).")
print(f"Each part alone on one thread, per submission: envelope {cost['envelope_us']:.2f} µs, re-validation "
      f"{cost['check_us']:.2f} µs, storage {cost['store_us']:.2f} µs; the bare loop {1e6 / r['bare_per_second']:.2f} µs.")
PY
