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
#
# A cross build (the arm64 one: tests/platform/CMakeLists.txt) sets, in the environment:
#   CHOSA_COLLECTOR       a chosa-collector that runs on this machine (the arm64 package has none)
#   CHOSA_TOOLCHAIN_FILE  the toolchain the example is configured with (and CHOSA_SYSROOT, its sysroot)
#   CHOSA_EMULATOR        the command the example's programs run under (qemu-aarch64 -L SYSROOT)
#   CC, LDFLAGS           the compiler and link flags of the pkg-config build
set -euo pipefail
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
read -ra emulator <<< "${CHOSA_EMULATOR:-}"

# shellcheck source=../test_support/loopback_collector.sh
. "$src/tests/test_support/loopback_collector.sh"
step() { echo "== $*"; }

step "install into \$T/prefix"
cmake --install "$build" --prefix "$T/prefix" > "$T/install.log"
prefix=$T/prefix
collector_tool=${CHOSA_COLLECTOR:-$prefix/bin/chosa-collector}
cross_args=()
if [ -n "${CHOSA_TOOLCHAIN_FILE:-}" ]; then
  # The prefix holds a package for another machine: a cross build finds packages only in its
  # sysroot and in the staging prefix (CMAKE_STAGING_PREFIX), where it was installed. CMake
  # rewrites run paths under the staging prefix to the install prefix, where the package would
  # be on the device; under qemu-user the device sees this machine's files: the same place.
  cross_args=(-DCMAKE_TOOLCHAIN_FILE="$CHOSA_TOOLCHAIN_FILE" -DCHOSA_SYSROOT="$CHOSA_SYSROOT"
    -DCMAKE_STAGING_PREFIX="$prefix" -DCMAKE_INSTALL_PREFIX="$prefix")
fi

step "the example against the installed package (find_package(chosa), chosa::c)"
cmake -S "$src/examples/c_host" -B "$T/host-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS=-Werror \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${cross_args[@]}" > "$T/host-configure.log"
cmake --build "$T/host-build" > "$T/host-build.log"
grep -q "chosa_DIR:PATH=$prefix/" "$T/host-build/CMakeCache.txt" || { echo "find_package(chosa) did not find the prefix"; exit 1; }

step "the collector on loopback TLS (${CHOSA_COLLECTOR:-the installed chosa-collector})"
start_loopback_collector workshop_attendee_survey 2 --access-log "$T/access.log"
code1=${codes[0]} code2=${codes[1]}

# Runs a host build as a device with its own store; prints its output; leaves the UUID and the
# device identity it printed in $uuid and $device.
run_host() {
  local host=$1 store=$2 code=$3
  local out=$T/${store##*/}.out
  local status=0
  "${emulator[@]}" "$host" "$store" "$src/schemas/examples/workshop_attendee_survey.json" "$collector" "$T/tls/ca.pem" "$code" \
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
# shellcheck disable=SC2046,SC2086  # the flags are words
"${CC:-cc}" -std=c99 -Wall -Wextra -Wpedantic -Werror -o "$T/host-pc" "$src/examples/c_host/host.c" $(pkg-config --cflags --libs chosa) \
  ${LDFLAGS:-}
LD_LIBRARY_PATH=$(pkg-config --variable=libdir chosa) run_host "$T/host-pc" "$T/device2.sqlite" "$code2"
uuid2=$uuid device2=$device

step "the collector's side: both submissions arrived, each from its device"
"$collector_tool" export workshop_attendee_survey --data "$T/col" > "$T/export.jsonl" 2> /dev/null
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
