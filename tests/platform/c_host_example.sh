#!/usr/bin/env bash
# The C host example (examples/c_host/) built against the INSTALLED package, as an app developer
# builds it, and run against a real collector:
#
#  1. `cmake --install BUILD --prefix $T/prefix`;
#  2. examples/c_host configured out of the source tree with -DCMAKE_PREFIX_PATH=$T/prefix
#     (find_package(chosa), chosa::c) and built with -Werror;
#  3. the installed chosa-collector on loopback TLS (dev-tls, publish, enrol-code, serve);
#  4. the host fills workshop_attendee_survey through chosa.h, finalizes, enrols and syncs; the
#     collector's export must hold the UUID it printed, from its device;
#  5. host.c compiled once more with `cc $(pkg-config --cflags --libs chosa)` (PKG_CONFIG_PATH
#     into the prefix), run with LD_LIBRARY_PATH as a second device with a second code.
#
# usage: c_host_example.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)

T=$(mktemp -d)
SERVER=
cleanup() {
  status=$?
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2> /dev/null; then
    kill "$SERVER"
    wait "$SERVER" || true
  fi
  rm -rf "$T"
  exit "$status"
}
trap cleanup EXIT
step() { echo "== $*"; }

step "install into \$T/prefix"
cmake --install "$build" --prefix "$T/prefix" > "$T/install.log"
prefix=$T/prefix
bin=$prefix/bin

step "the example against the installed package (find_package(chosa), chosa::c)"
cmake -S "$src/examples/c_host" -B "$T/host-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS=-Werror \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$T/host-configure.log"
cmake --build "$T/host-build" > "$T/host-build.log"
grep -q "chosa_DIR:PATH=$prefix/" "$T/host-build/CMakeCache.txt" || { echo "find_package(chosa) did not find the prefix"; exit 1; }

step "the collector (installed chosa-collector) on loopback TLS"
"$bin/chosa-collector" dev-tls "$T/tls" > /dev/null
"$bin/chosa-collector" publish "$src/schemas/examples/workshop_attendee_survey.json" --data "$T/col" > /dev/null
code1=$("$bin/chosa-collector" enrol-code --forms workshop_attendee_survey --data "$T/col" 2> /dev/null)
code2=$("$bin/chosa-collector" enrol-code --forms workshop_attendee_survey --data "$T/col" 2> /dev/null)
"$bin/chosa-collector" serve --cert "$T/tls/server.pem" --key "$T/tls/server-key.pem" --data "$T/col" \
  --listen 127.0.0.1:0 --port-file "$T/port" --access-log "$T/access.log" 2> "$T/collector.log" &
SERVER=$!
while kill -0 "$SERVER" 2> /dev/null && [ ! -s "$T/port" ]; do sleep 0.1; done
[ -s "$T/port" ] || { echo "the collector did not start:"; cat "$T/collector.log"; exit 1; }
collector=https://127.0.0.1:$(cat "$T/port")

# Runs a host build as a device with its own store; prints its output; leaves the UUID and the
# device identity it printed in $uuid and $device.
run_host() {
  local host=$1 store=$2 code=$3
  local out=$T/${store##*/}.out
  local status=0
  "$host" "$store" "$src/schemas/examples/workshop_attendee_survey.json" "$collector" "$T/tls/ca.pem" "$code" \
    > "$out" || status=$?
  cat "$out"
  [ "$status" -eq 0 ] || { echo "the host failed (status $status)"; exit 1; }
  uuid=$(sed -n 's/^finalized: \([0-9a-f-]*\)$/\1/p' "$out")
  device=$(sed -n 's/^device: \(.*\)$/\1/p' "$out")
  if [ -z "$uuid" ] || [ -z "$device" ]; then echo "the host printed no UUID or no device"; exit 1; fi
  grep -q "^sync: complete, $uuid sent$" "$out" || { echo "the host's sync did not complete"; exit 1; }
}

step "the host (CMake build): fill, finalize, enrol, sync"
run_host "$T/host-build/c_host" "$T/device1.sqlite" "$code1"
uuid1=$uuid device1=$device

step "host.c with pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
pkg-config --modversion chosa
# shellcheck disable=SC2046  # the flags are words
cc -std=c99 -Wall -Wextra -Wpedantic -Werror -o "$T/host-pc" "$src/examples/c_host/host.c" $(pkg-config --cflags --libs chosa)
LD_LIBRARY_PATH=$(pkg-config --variable=libdir chosa) run_host "$T/host-pc" "$T/device2.sqlite" "$code2"
uuid2=$uuid device2=$device

step "the collector's side: both submissions arrived, each from its device"
"$bin/chosa-collector" export workshop_attendee_survey --data "$T/col" > "$T/export.jsonl" 2> /dev/null
python3 - "$T/export.jsonl" "$uuid1" "$device1" "$uuid2" "$device2" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
got = {l["submission"]["uuid"]: l for l in lines}
status = 0
for uuid, device in zip(sys.argv[2::2], sys.argv[3::2]):
    if uuid not in got:
        print(f"{uuid}: not in the collector's export ({len(lines)} submissions)")
        status = 1
    elif got[uuid]["device_id"] != device or got[uuid]["submission"]["answers"]["n_attendees"] != 2:
        print(f"{uuid}: not as the host sent it: {json.dumps(got[uuid], ensure_ascii=False)}")
        status = 1
    else:
        print(f"{uuid}: in the collector's export, from {device}: {got[uuid]['submission']['instance_name']}")
sys.exit(status)
EOF
echo "the C host example ran against the installed package"
