#!/usr/bin/env bash
# The end-to-end demo on the embedded defaults: installs what is missing, builds, validates the
# five example surveys, runs their test scenarios, fills one survey from a scenario and prints its
# submission, fills another through the device store (a draft, resumed, finalized into the
# outbox), syncs it to a collector over HTTPS on loopback, and shows expressions evaluated by
# the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >/dev/null
chosa=build/tools/chosa

echo "== chosa validate: the five surveys of the Osaka City Health Bureau"
$chosa validate schemas/examples/*.json

echo
echo "== chosa validate: a broken form names every fault with its JSON Pointer and column"
$chosa validate tests/forms/broken/many_faults.json || true

echo
echo "== chosa test: each survey's scenarios prove its skip logic, totals and checks"
for form in schemas/examples/*.json; do
  id=$(basename "$form" .json)
  $chosa test "$form" "schemas/examples/scenarios/$id/" | tail -n 1 | sed "s/^/$id: /"
done

echo
echo "== a workshop attendee questionnaire filled from a scenario: its submission (canonical JSON)"
$chosa test --print-submission schemas/examples/workshop_attendee_survey.json \
  schemas/examples/scenarios/workshop_attendee_survey/full_submission.json | grep -E '^\{|sha256' \
  | sed -E 's/^.*(sha256 [0-9a-f]+).*$/\1/' | { read -r hash; read -r json; echo "$hash"; \
    if command -v python3 >/dev/null; then echo "$json" | python3 -m json.tool --no-ensure-ascii; else echo "$json"; fi; }

echo
echo "== the device store: a half-filled survey is a draft, resumed later; finalized, it waits in the outbox"
store_dir=$(mktemp -d)
trap 'rm -rf "$store_dir"' EXIT
store="$store_dir/store.sqlite"
head -n 6 tests/fill/older_residents_survey.txt | $chosa fill schemas/examples/older_residents_survey.json \
  --store "$store" --device-id demo-tablet --enumerator staff-01 > /dev/null || true
$chosa drafts --store "$store"
$chosa resume 1 --store "$store" --device-id demo-tablet < <(tail -n +7 tests/fill/older_residents_survey.txt) \
  | grep -E "UUID|SHA-256|outbox" || true
$chosa outbox --store "$store"
$chosa store check --store "$store"

echo
echo "== sync: the bureau's collector over HTTPS (TLS on loopback), the tablet enrols and syncs its outbox"
collector=build/tools/chosa-collector
data="$store_dir/collector"
$collector dev-tls "$store_dir/tls" | head -n 1
for form in schemas/examples/*.json; do $collector publish "$form" --data "$data" | head -n 1; done
code=$($collector enrol-code --forms older_residents_survey,coordinator_checklist --data "$data" 2>/dev/null)
echo "one-time enrolment code: $code"
$collector serve --listen 127.0.0.1:0 --port-file "$store_dir/port" --data "$data" \
  --cert "$store_dir/tls/server.pem" --key "$store_dir/tls/server-key.pem" --access-log "$store_dir/access.log" \
  2> "$store_dir/serve.log" &
collector_pid=$!
trap 'kill $collector_pid 2>/dev/null; rm -rf "$store_dir"' EXIT
for _ in $(seq 100); do [ -s "$store_dir/port" ] && break; sleep 0.1; done
url="https://127.0.0.1:$(cat "$store_dir/port")"
$chosa sync enroll --collector "$url" --code "$code" --ca "$store_dir/tls/ca.pem" --name demo-tablet --store "$store"
$chosa sync --store "$store"
$chosa outbox --store "$store"
$collector forms --data "$data"
kill -TERM $collector_pid && wait $collector_pid || true
echo "collector access log (one JSON line per request):"
head -n 3 "$store_dir/access.log"

echo
echo "== chosa eval: the expression language (XLSForm / ODK XForms semantics)"
$chosa eval \
  "string-length('大阪市北区')" \
  "substr('在宅医療・介護連携', 0, 4)" \
  "if(76.3 > 67.0, '説明あり', '説明なし')" \
  "round(25 * 4 * 0.763, 1)" \
  "date('2024-10-01') - date('2024-04-01')" \
  "format-date(date('2024-11-01'), '%Y年%n月%e日')" \
  "selected('doctor nurse pharmacist', 'pharmacist')" \
  "count-selected('doctor nurse pharmacist')" \
  "regex('27127', '[0-9]{5}')" \
  "concat('北区', ' / ', 'Kita')"
