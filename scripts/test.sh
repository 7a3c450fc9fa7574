#!/usr/bin/env bash
# Runs every test: installs what is missing, builds twice (optimised, and with AddressSanitizer
# + UndefinedBehaviorSanitizer), runs the Catch2 suites through CTest under both builds
# (each suite under TZ=Asia/Tokyo and TZ=America/New_York), and, when clang is there, runs each
# libFuzzer target briefly.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh build
(cd build && ctest --output-on-failure -j"$(nproc)")

scripts/setup.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DCHOSA_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j"$(nproc)")

scripts/fuzz.sh 20
