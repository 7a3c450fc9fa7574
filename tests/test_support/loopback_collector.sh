# A real chosa-collector on loopback TLS for the tests written in shell (the C host example, the
# JNI binding): sourced after `set -euo pipefail`. The script sets, before it calls
# start_loopback_collector,
#   collector_tool  the chosa-collector to run
#   src             the source tree (its schemas/examples/ are published)
# Sourcing makes T (a scratch directory, removed on exit with the collector stopped) and defines
#   start_loopback_collector FORM N [SERVE_ARGS...]
#       dev-tls into $T/tls, publishes schemas/examples/FORM.json into $T/col, makes N enrolment
#       codes for it (the array `codes`), serves on a free port with SERVE_ARGS; sets `collector`
#       (its URL) and SERVER (its pid). Standard error in $T/collector.log.

T=$(mktemp -d)
SERVER=
loopback_collector_cleanup() {
  local status=$?
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2> /dev/null; then
    kill "$SERVER"
    wait "$SERVER" || true
  fi
  rm -rf "$T"
  exit "$status"
}
trap loopback_collector_cleanup EXIT

start_loopback_collector() {
  local form=$1 count=$2
  shift 2
  "$collector_tool" dev-tls "$T/tls" > /dev/null
  "$collector_tool" publish "$src/schemas/examples/$form.json" --data "$T/col" > /dev/null
  codes=()
  local i
  for ((i = 0; i < count; ++i)); do
    codes+=("$("$collector_tool" enrol-code --forms "$form" --data "$T/col" 2> /dev/null)")
  done
  "$collector_tool" serve --cert "$T/tls/server.pem" --key "$T/tls/server-key.pem" --data "$T/col" \
    --listen 127.0.0.1:0 --port-file "$T/port" "$@" 2> "$T/collector.log" &
  SERVER=$!
  while kill -0 "$SERVER" 2> /dev/null && [ ! -s "$T/port" ]; do sleep 0.1; done
  [ -s "$T/port" ] || { echo "the collector did not start:"; cat "$T/collector.log"; exit 1; }
  collector=https://127.0.0.1:$(cat "$T/port")
}
