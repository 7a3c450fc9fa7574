#!/usr/bin/env bash
# The export benchmark (issue 7), in one command:
#
#   bench/export_run.sh [--build-dir build-exportbench] [--keep-files] [-- extra chosa_export_bench flags]
#
# Installs what is missing (the Debian packages of scripts/setup.sh, sqlite3 among them), builds
# chosa_export_bench and chosa-collector in Release, and runs: a collector data directory filled
# with 250,000, then 500,000, then 1,000,000 coordinator checklists (StoreBatch, no HTTP); at
# each size `chosa-collector export coordinator_checklist --format csv --out DIR` against
# `sqlite3 -csv -header BASELINE "SELECT * FROM t"` over a table of the export's own columns and
# values, 3 alternating rounds each (medians), wall time and each child's peak RSS. About 2
# minutes on 2 cores (plus the build). Prints the machine and a Markdown table on stdout; raw figures in
# BUILD_DIR/export-results.json. The data (about 2 GiB at 1,000,000) is removed at the end
# unless --keep-files.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build-exportbench
keep=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --keep-files) keep=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench/export_run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
scripts/setup.sh "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCHOSA_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target chosa_export_bench chosa-collector >/dev/null
files="$build_dir/export-files"
load=$(cut -d' ' -f1-3 /proc/loadavg)
"$build_dir/bench/chosa_export_bench" --collector-tool "$build_dir/tools/chosa-collector" --source-dir "$(pwd)" \
  --dir "$files" --rounds 3 "${extra[@]}" > "$build_dir/export-results.json"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
[ "$keep" = 1 ] || rm -rf "$files"
python3 - "$build_dir/export-results.json" "$load" "$load_end" <<'PY'
import json, sys, platform, subprocess, datetime
r = json.load(open(sys.argv[1]))
run = lambda *c: subprocess.run(list(c), capture_output=True, text=True).stdout.strip()
commit = run("git", "rev-parse", "--short", "HEAD")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
sqlite = run("sqlite3", "--version").split(" ")[0]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
print(f"Machine: {cpu}, {run('nproc')} cores; {platform.system()} {platform.release()}; sqlite3 shell {sqlite}; "
      f"chosa {commit}; {now}; load average at start {sys.argv[2]}, at the end {sys.argv[3]}.\n")
sizes = r["sizes"]
mib = lambda kib: f"{kib / 1024:.1f} MiB"
secs = lambda s: f"{s:.2f} s"
head = "| measure |" + "|".join(f" N={s['submissions']:,} export | N={s['submissions']:,} sqlite3 -csv | ratio " for s in sizes) + "|"
print(head)
print("|---|" + "---:|---:|---:|" * len(sizes))
def line(name, key, fmt, ratio=None):
    cells = []
    for s in sizes:
        cells += [fmt(s["export_" + key]), fmt(s["dump_" + key]), ratio(s) if ratio else ""]
    print(f"| {name} | " + " | ".join(cells) + " |")
line(f"time (median of {r['rounds']}; ratio: export / dump)", "seconds", secs, lambda s: f"{s['ratio']:.2f}x")
line("rows per second", "rows_per_second", lambda v: f"{v:,.0f}")
line("peak RSS (max of the rounds)", "peak_rss_kib", mib, lambda s: f"{s['export_peak_rss_kib'] / s['dump_peak_rss_kib']:.2f}x")
line("CSV size", "csv_bytes", lambda b: f"{b / 2**20:,.1f} MiB")
print()
for s in sizes:
    rounds = lambda k: ", ".join(f"{x:.2f}" for x in s[k])
    print(f"N={s['submissions']:,}: {s['rows']:,} rows of {s['columns']} columns on both sides; export rounds "
          f"{rounds('export_seconds_rounds')} s, dump rounds {rounds('dump_seconds_rounds')} s; collector database "
          f"{s['collector_db_bytes'] / 2**20:,.0f} MiB, baseline database {s['baseline_db_bytes'] / 2**20:,.0f} MiB.")
print(f"\n{r['fillings']} fillings made through Session ({r['submission_bytes_mean']:.0f} B each on average), stored "
      f"at {r['store_per_second']:,.0f}/s with StoreBatch; CheckSubmission accepted the {r['checked_with_CheckSubmission']:,} "
      f"stored submissions it was given (one in 1,000).")
rss = [s["export_peak_rss_kib"] for s in sizes]
print(f"Export peak RSS from N={sizes[0]['submissions']:,} to N={sizes[-1]['submissions']:,}: "
      f"{mib(rss[0])} → {mib(rss[-1])} ({rss[-1] / rss[0]:.2f}x for {sizes[-1]['submissions'] / sizes[0]['submissions']:.0f}x the data).")
PY
