#!/usr/bin/env bash
# The benchmark, chosa against SurveyJS's survey-core, in one command:
#
#   bench/run.sh [--sizes 200,2000,10000] [--build-dir build-bench] [--budget-seconds 6]
#
# Installs what is missing (Debian packages; `npm ci` in bench/surveyjs), generates the forms
# (bench/generate_forms.py, into BUILD_DIR/forms), builds chosa_bench in Release, then for each N
# runs chosa_bench and the survey-core bench in fresh processes, checks that both engines agree
# (bench/compare.py, with a self-test proving the check compares), and prints the results table
# in Markdown on stdout (progress goes to stderr). Raw results: BUILD_DIR/results/.
# Exits 1 if the engines disagree or a program fails; missed performance targets are reported in
# the table, not turned into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

sizes=200,2000,10000
build_dir=build-bench
budget=6
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --budget-seconds) budget=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
log() { echo "bench: $*" >&2; }

# 1. What is missing.
scripts/install-packages.sh
pinned=$(python3 -c 'import json; print(json.load(open("bench/surveyjs/package.json"))["dependencies"]["survey-core"])')
installed=$(python3 -c 'import json,sys
try: print(json.load(open("bench/surveyjs/node_modules/survey-core/package.json"))["version"])
except Exception: print("")' 2>/dev/null)
if [ "$installed" != "$pinned" ]; then
  log "npm ci (survey-core $pinned)"
  (cd bench/surveyjs && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# 2. Forms, 3. build.
forms="$build_dir/forms"
results="$build_dir/results"
mkdir -p "$forms" "$results"
log "generating forms N=$sizes into $forms"
python3 bench/generate_forms.py --out "$forms" --sizes "$sizes"
log "building chosa_bench (Release) in $build_dir"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCHOSA_BUILD_TESTS=OFF -DCHOSA_BUILD_BENCH=ON >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target chosa_bench >/dev/null

# Machine and versions.
python3 - "$results/machine.json" <<EOF
import json, os, platform, subprocess, sys, datetime
def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return "?"
cpu = "?"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip(); break
json.dump({
    "cpu": cpu, "nproc": os.cpu_count(), "kernel": "Linux " + platform.release(),
    "compiler": run("c++", "--version").splitlines()[0] if run("c++", "--version") != "?" else "?",
    "node": run("node", "--version"),
    "survey_core": json.load(open("bench/surveyjs/node_modules/survey-core/package.json"))["version"],
    "commit": run("git", "-C", "$root", "rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if run("git", "-C", "$root", "status", "--porcelain", "--untracked-files=no") else ""),
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "memory": "%.0f GiB RAM" % (int(open("/proc/meminfo").readline().split()[1]) / 1048576),
    "loadavg": " ".join(open("/proc/loadavg").read().split()[:3]),
}, open(sys.argv[1], "w"), indent=1)
EOF

# 4. Each engine in a fresh process per N; the agreement check.
status=0
IFS=, read -r -a ns <<<"$sizes"
for n in "${ns[@]}"; do
  log "N=$n: chosa"
  "$build_dir/bench/chosa_bench" --form "$forms/form_$n.chosa.json" --plan "$forms/plan_$n.json" \
    --check "$forms/check_$n.chosa.json" --iterations 1000 >"$results/chosa_$n.json"
  log "N=$n: survey-core (this takes a while)"
  node --expose-gc bench/surveyjs/bench.js --form "$forms/form_$n.surveyjs.json" --plan "$forms/plan_$n.json" \
    --check "$forms/check_$n.surveyjs.json" --budget-seconds "$budget" >"$results/surveyjs_$n.json"
  if python3 bench/compare.py "$forms/plan_$n.json" "$forms/check_$n.chosa.json" "$forms/check_$n.surveyjs.json" \
       >"$results/agreement_$n.txt"; then
    cat "$results/agreement_$n.txt" >&2
  else
    cat "$results/agreement_$n.txt" >&2
    log "N=$n: THE ENGINES DISAGREE (see above)"
    status=1
  fi
  if ! python3 bench/compare.py --self-test "$forms/plan_$n.json" "$forms/check_$n.chosa.json" \
       "$forms/check_$n.surveyjs.json" >&2; then
    log "N=$n: the agreement check's self-test failed"
    status=1
  fi
done

# 5. The table.
python3 bench/compare.py --table "$results" "$sizes"
if [ $status -ne 0 ]; then
  log "FAILED: the engines disagree (details above and in $results/agreement_*.txt)"
fi
exit $status
