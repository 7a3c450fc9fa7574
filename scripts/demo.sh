#!/usr/bin/env bash
# The end-to-end demo on the embedded defaults, on loopback only: installs what is missing and
# builds; checks the five surveys of the Osaka City Health Bureau; starts the bureau's collector
# over TLS with a development CA and publishes the surveys; enrols four tablets, which fill a few
# hundred surveys offline (simulated respondents answering through the engine's sessions, skip
# logic and checks respected) and sync; then the bureau pulls each survey's dataset and writes its
# reports. Prints where the reports are and a short summary; stops its processes on any exit.
#   scripts/demo.sh [OUTPUT_DIR]     (default: build/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >/dev/null
chosa=build/tools/chosa
collector=build/tools/chosa-collector
out=${1:-build/demo}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
collector_pid=
cleanup() {
  if [ -n "$collector_pid" ]; then kill -TERM "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== 1. the five surveys: each validates, and its scenarios prove its skip logic and totals"
$chosa validate schemas/examples/*.json | sed 's/^/   /'
for form in schemas/examples/*.json; do
  id=$(basename "$form" .json)
  printf '   %-26s scenarios: %s\n' "$id" "$($chosa test "$form" "schemas/examples/scenarios/$id/" | tail -n 1)"
done
echo "   a broken form names every fault with its JSON Pointer (first three of them):"
$chosa validate tests/forms/broken/many_faults.json | head -n 3 | sed 's/^/     /' || true

echo
echo "== 2. the bureau's collector: TLS with a development CA, on 127.0.0.1 only"
data="$work/collector"
$collector dev-tls "$work/tls" >/dev/null
for form in schemas/examples/*.json; do $collector publish "$form" --data "$data" | head -n 1 | sed 's/^/   /'; done
$collector serve --listen 127.0.0.1:0 --port-file "$work/port" --data "$data" \
  --cert "$work/tls/server.pem" --key "$work/tls/server-key.pem" --access-log "$work/access.log" \
  2> "$work/serve.log" &
collector_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "the collector did not start:"; cat "$work/serve.log"; exit 1; }
url="https://127.0.0.1:$(cat "$work/port")"
echo "   serving at $url"

echo
echo "== 3. four tablets enrol, fill surveys offline (simulated respondents), then sync"
# tablet name, its forms, and how many of each it fills
tablets=(
  "ward-office-kita   ward_activity_survey:48,coordinator_checklist:14"
  "facility-team      medical_facility_survey:90,older_residents_survey:80"
  "workshop-north     workshop_attendee_survey:60"
  "workshop-south     workshop_attendee_survey:60"
)
seed=1
for entry in "${tablets[@]}"; do
  read -r name plan <<< "$entry"
  store="$work/$name.sqlite"
  forms=$(echo "$plan" | tr ',' '\n' | cut -d: -f1 | paste -sd, -)
  code=$($collector enrol-code --forms "$forms" --data "$data" 2>/dev/null)
  $chosa sync enroll --collector "$url" --code "$code" --ca "$work/tls/ca.pem" --name "$name" --device-id "$name" \
    --store "$store" >/dev/null
  $chosa sync --store "$store" >/dev/null  # the tablet installs its forms
  for item in $(echo "$plan" | tr ',' ' '); do
    form=${item%%:*}
    count=${item##*:}
    $chosa simulate "schemas/examples/$form.json" --store "$store" --count "$count" --seed "$seed" \
      --device-id "$name" --enumerator "staff-$seed" >/dev/null
    seed=$((seed + 1))
  done
  printf '   %-18s filled %s offline; ' "$name" "$plan"
  $chosa sync --store "$store" 2>&1 | tail -n 1
done

echo
echo "== 4. the bureau pulls each survey's dataset (only what is new) and writes its reports"
token=$($collector analyst-token demo-analyst --data "$data" 2>/dev/null)
export CHOSA_ANALYST_TOKEN=$token
datasets="$out/datasets"
pull() { $chosa pull --collector "$url" --ca "$work/tls/ca.pem" --dataset "$datasets" --xlsx "$1"; }
for form in coordinator_checklist medical_facility_survey older_residents_survey ward_activity_survey workshop_attendee_survey; do
  pull "$form" | head -n 1 | sed 's/^/   /'
done
echo "   more arrive: the north workshop's tablet fills 12 more and syncs; the next pull fetches those alone"
$chosa simulate schemas/examples/workshop_attendee_survey.json --store "$work/workshop-north.sqlite" --count 12 \
  --seed 99 --device-id workshop-north >/dev/null
$chosa sync --store "$work/workshop-north.sqlite" >/dev/null
pull workshop_attendee_survey | head -n 1 | sed 's/^/   /'

report() {
  local form=$1
  shift
  $chosa report "$datasets/$form.sqlite" --out "$out/reports/$form" "$@" | head -n 1 | sed 's/^/   report of /'
}
report coordinator_checklist --by briefing --cross briefing:checklist_mindset
report medical_facility_survey --by facility_type
report older_residents_survey --by respondent_type
report ward_activity_survey --by office_type
report workshop_attendee_survey --by event_type

echo
echo "== summary"
$collector forms --data "$data" | sed 's/^/   /'
echo "   survey 5, mean checklist total (out of 100) by briefing:"
python3 - "$out/reports/coordinator_checklist/checklist_total.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
for row in rows[1:]:
    print(f"     {row[0]}: n {row[2]}, mean {row[4]}, SD {row[5]}")
EOF
echo "   survey 1, needs a consultation desk (はい) by facility type, %:"
python3 - "$out/reports/medical_facility_survey/needs_consultation_desk.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
header = rows[0]
yes = next(row for row in rows[1:] if row[1] == "yes")
# header: choice, code, then (count, %) per facility type, then the total
cells = [f"{header[i].replace(' %', '').replace('%', '')} {yes[i]}" for i in range(3, len(header), 2)]
print("     " + "; ".join(cells))
EOF
echo
echo "The reports (open in a browser):"
for form in coordinator_checklist medical_facility_survey older_residents_survey ward_activity_survey workshop_attendee_survey; do
  echo "   $out/reports/$form/report.html"
done
echo "The datasets (SQLite for SQL tools, R or Python; an Excel workbook and CSV files per survey): $datasets"
echo "Collector access log: $(wc -l < "$work/access.log") requests, one JSON line each."
