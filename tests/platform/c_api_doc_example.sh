#!/usr/bin/env bash
# Runs the C program of docs/c-api.md (built from the doc by extract_doc_example.cmake) as the
# doc says: it fills and finalizes a visit record in a new store (not enrolled: the submission
# waits in the outbox); then, given the collector program, it enrols with a one-time code of a
# collector over TLS on a free port, fills a second record and syncs both.
# usage: c_api_doc_example.sh EXAMPLE FORM [CHOSA_COLLECTOR]
# In a cross build, CHOSA_EMULATOR in the environment is the command EXAMPLE runs under
# (qemu-aarch64 -L SYSROOT); the collector is one for this machine.
set -euo pipefail
example=$1 form=$2 collector=${3:-}
read -ra emulator <<< "${CHOSA_EMULATOR:-}"
T=$(mktemp -d)
SERVER=
trap '[ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true; rm -rf "$T"' EXIT
"${emulator[@]}" "$example" "$T/s.sqlite" "$form" | tee "$T/first"
grep -q "^finalized [0-9a-f-]\{36\}$" "$T/first"
grep -q "^not enrolled: the submission waits in the outbox$" "$T/first"
if [ -z "$collector" ]; then
  echo "doc example: filled and finalized (no collector built to sync with)"
  exit 0
fi
"$collector" dev-tls "$T/tls" > /dev/null
"$collector" publish "$form" --data "$T/col" > /dev/null
code=$("$collector" enrol-code --forms visit_record --data "$T/col" 2> /dev/null)
"$collector" serve --cert "$T/tls/server.pem" --key "$T/tls/server-key.pem" --data "$T/col" \
  --listen 127.0.0.1:0 --port-file "$T/port" --access-log "$T/access.log" > "$T/serve.log" 2>&1 &
SERVER=$!
while kill -0 "$SERVER" && [ ! -s "$T/port" ]; do sleep 0.1; done
"${emulator[@]}" "$example" "$T/s.sqlite" "$form" "https://127.0.0.1:$(cat "$T/port")" "$code" "$T/tls/ca.pem" | tee "$T/second"
grep -q '"complete":true' "$T/second"
grep -q '"sent":2' "$T/second"
grep -q '"left":0' "$T/second"
echo "doc example: filled, finalized, enrolled and synced"
