#!/usr/bin/env bash
# Runs every test: installs what is missing, builds twice (optimised, and with AddressSanitizer
# + UndefinedBehaviorSanitizer), runs the Catch2 suites and tool tests through CTest under both
# builds (each engine suite under TZ=Asia/Tokyo and TZ=America/New_York), cross-builds the device
# libraries and their suites for arm64 and runs them under qemu-user, and, when clang is there,
# runs each libFuzzer target briefly. Ends with one line: "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
# Adds the counts of a CTest summary ("100% tests passed, 0 tests failed out of 5").
count_ctest() {
  local summary total bad
  summary=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$1" | tail -n 1)
  if [ -z "$summary" ]; then
    failed=$((failed + 1))
    return
  fi
  bad=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
  total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + total - bad))
  failed=$((failed + bad))
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

for variant in build build-asan; do
  # The benchmarks are not tests: bench/run.sh and bench/store_run.sh build them.
  args=(-DCHOSA_BUILD_BENCH=OFF)
  [ "$variant" = build-asan ] && args+=(-DCMAKE_BUILD_TYPE=Debug -DCHOSA_SANITIZE=ON)
  if ! scripts/setup.sh "$variant" "${args[@]}"; then
    echo "build of $variant failed"
    failed=$((failed + 1))
    continue
  fi
  # The browser checks (tests/browser) drive Debian's Chromium with playwright-core from npm and
  # run axe-core in it, installed from its package-lock.json once setup.sh has installed node and npm.
  [ -d tests/browser/node_modules/playwright-core ] && [ -d tests/browser/node_modules/axe-core ] ||
    npm ci --prefix tests/browser --no-audit --no-fund
  (cd "$variant" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j"$(nproc)") 2>&1 | tee "$log"
  count_ctest "$log"
done

# The arm64 stage: the device libraries (base, sqlite, engine, store, protocol, sync client, C API),
# their suites and the C host example cross-built for arm64 (cmake/aarch64-linux-gnu.cmake, the
# arm64 libraries in build-arm64/sysroot from scripts/arm64-sysroot.sh) and run by CTest under
# qemu-user, syncing with the optimised build's collector on loopback. Optimised only: qemu-user
# and AddressSanitizer do not mix.
arm64_start=$SECONDS
arm64_args=(-DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" -DCHOSA_DEVICE_ONLY=ON
  -DCHOSA_HOST_COLLECTOR="$PWD/build/tools/chosa-collector")
# Compiling is most of the stage (about 6 CPU-minutes cold, seconds from ccache): with ccache,
# its paths taken relative to the checkout and the working directory left out of its hashes, so
# that another clone finds the libraries' entries (their debug information then names the first
# clone's directory: these builds are for the tests); test programs embed the checkout's path.
if command -v ccache > /dev/null 2>&1; then
  arm64_args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if [ ! -x build/tools/chosa-collector ]; then
  echo "build-arm64: no collector from the optimised build to sync with"
  failed=$((failed + 1))
elif ! { scripts/arm64-sysroot.sh build-arm64 &&
         CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1} \
           scripts/setup.sh build-arm64 "${arm64_args[@]}"; }; then
  echo "build of build-arm64 failed"
  failed=$((failed + 1))
else
  (cd build-arm64 && ctest --output-on-failure -j"$(nproc)") 2>&1 | tee "$log"
  count_ctest "$log"
fi
echo "arm64 stage: $((SECONDS - arm64_start)) s"

if scripts/fuzz.sh 20 2>&1 | tee "$log"; then
  passed=$((passed + $(grep -c "^fuzz: .* for " "$log" || true)))
else
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
