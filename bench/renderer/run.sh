#!/usr/bin/env bash
# Tap to updated page in Chromium: chosa's renderer (platform/web/) in `chosa kiosk` against
# SurveyJS's own renderer (survey-js-ui, pinned in bench/renderer/package.json), on the coordinator
# checklist's matrix page and on page 1 of the generated 2,000-question form, in one browser, one
# run, the sides alternating tap by tap. From the repository root:
#
#   bench/renderer/run.sh [--taps 120] [--build-dir build-rel] [--out DIR] [--chosa-alt BIN] [--phases]
#
# Installs what is missing (the build's packages, Debian's Chromium, Node.js and npm through
# scripts/install-packages.sh; `npm ci` in bench/renderer), builds `chosa` in Release in
# BUILD_DIR (-j2), generates the forms (bench/generate_forms.py N=2,000, and checklist_surveyjs.py),
# runs tap_bench.js and prints the results table (report.js) on stdout; progress on stderr.
# Raw figures: OUT/taps.json, OUT/meta.json (default OUT: BUILD_DIR/renderer-bench).
#   --chosa-alt BIN  a third side: the same pages served by another chosa build (a candidate fix)
#   --phases         diagnostics: marks when chosa's page parses each reply and redraws the form
# About 11 minutes with the defaults on 2 cores, 14 with --chosa-alt (SurveyJS's 2,000-question page
# is most of it).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

taps=120
build_dir=build-rel
out=""
alt=""
phases=0
while [ $# -gt 0 ]; do
  case "$1" in
    --taps) taps=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --chosa-alt) alt=$2; shift 2 ;;
    --phases) phases=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench/renderer/run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
out=${out:-$build_dir/renderer-bench}
log() { echo "renderer-bench: $*" >&2; }

# 1. What is missing.
scripts/install-packages.sh  # the build's packages, Chromium, Node.js and npm
want=$(python3 -c 'import json; print(json.load(open("bench/renderer/package.json"))["dependencies"]["survey-js-ui"])')
have=$(python3 -c 'import json
try: print(json.load(open("bench/renderer/node_modules/survey-js-ui/package.json"))["version"])
except Exception: print("")')
if [ "$want" != "$have" ] || [ ! -d bench/renderer/node_modules/playwright-core ]; then
  log "npm ci in bench/renderer (survey-js-ui $want)"
  (cd bench/renderer && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# 2. The build (Release), 3. the forms.
log "building chosa (Release) in $build_dir"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCHOSA_BUILD_TESTS=OFF -DCHOSA_BUILD_BENCH=ON "${launcher[@]}" >/dev/null
cmake --build "$build_dir" -j2 --target chosa >/dev/null
forms="$out/forms"
mkdir -p "$forms"
python3 bench/generate_forms.py --out "$forms" --sizes 2000 >&2
python3 bench/renderer/checklist_surveyjs.py schemas/examples/coordinator_checklist.json "$forms/checklist.surveyjs.json"

# 4. The run.
log "tapping (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
extra=()
[ -n "$alt" ] && extra+=(--chosa-alt "$alt")
[ "$phases" = 1 ] && extra+=(--phases 1)
node bench/renderer/tap_bench.js --chosa "$build_dir/tools/chosa" --forms "$forms" \
  --checklist schemas/examples/coordinator_checklist.json --out "$out" --taps "$taps" "${extra[@]}"

# 5. The table.
commit=$(git -C "$root" rev-parse --short HEAD)
node bench/renderer/report.js "$out" --commit "$commit"
