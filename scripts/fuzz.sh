#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS (default 60) on its corpus, when clang-14 and its
# runtime (libclang-rt-14-dev) are installed; otherwise says so and does nothing (the g++ test
# suite replays the corpora anyway). New inputs found are left in build-fuzz/new-corpus, what
# made a target crash in build-fuzz/artifacts.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! command -v clang++-14 >/dev/null || ! dpkg-query -W libclang-rt-14-dev >/dev/null 2>&1; then
  echo "fuzz: clang++-14 or libclang-rt-14-dev not installed; corpora are replayed by the test suite only"
  exit 0
fi
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCHOSA_FUZZ=ON -DCHOSA_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_form_loader fuzz_expression fuzz_c_api fuzz_http_request >/dev/null
for target in form_loader expression c_api http_request; do
  # A crash or a timeout is written into build-fuzz/artifacts/TARGET/, never the checkout.
  mkdir -p "build-fuzz/new-corpus/$target" "build-fuzz/artifacts/$target"
  echo "fuzz: $target for ${seconds}s"
  "build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="build-fuzz/artifacts/$target/" -print_final_stats=1 \
    "build-fuzz/new-corpus/$target" "tests/fuzz/corpus/$target" 2>&1 | tail -n 12
done
