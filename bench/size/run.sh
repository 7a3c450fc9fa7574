#!/usr/bin/env bash
# The size of libchosa.so (issue 18, "Size"; BENCHMARKS.md "Size of libchosa.so"), in one command:
#
#   bench/size/run.sh [--build-dir build-size] [--toolchain FILE] [--cmake-arg ARG]...
#                     [--lib-dir DIR]... [--variants today,gc,o2lto,os,oslto,icf,o3lto,app]
#                     [--bench-rounds 6] [--sizes 2000,10000]
#
# Builds libchosa.so once per flag set (variant; each in BUILD_DIR/<variant>, targets chosa_shared
# and, natively, chosa_bench), strips it and prints, in Markdown on stdout:
#   1. flag set -> stripped libchosa.so, its sections (code, unwind tables, constants);
#   2. the stripped libraries it needs (readelf -d NEEDED), found where the compiler finds them
#      (`$CXX -print-file-name`, the toolchain's sysroot, then each --lib-dir), and the sum
#      libchosa.so + libre2.so.9 + libsimdjson.so.14 against issue 18's 3 MiB;
#   3. the last variant's stripped libchosa.so broken down by part (bench/size/breakdown.py says how);
#   4. natively, the engine benchmark (bench/chosa_bench.cpp, the forms of bench/generate_forms.py)
#      of each variant against "today", the variants taking turns, the order rotating round by round;
#      ratio = variant / today of each figure's median, per round; the median of the rounds.
# --toolchain FILE cross-compiles (CMAKE_TOOLCHAIN_FILE; e.g. cmake/aarch64-linux-gnu.cmake), with
# the toolchain's strip, nm and readelf; no benchmark then. --cmake-arg passes more to every
# configure (e.g. -DCMAKE_SYSROOT=...). Uses ccache when it is installed. Progress on stderr.
#
# The variants (cmake/ChosaSize.cmake says what the options do):
#   today  -O3 (Release), as before issue 18: -DCHOSA_GC_SECTIONS=OFF
#   gc     -O3, -ffunction-sections -fdata-sections, --gc-sections on the .so (the default now)
#   o2lto  gc + -O2 + link-time optimisation
#   os     gc + -Os (MinSizeRel)
#   oslto  gc + -Os + link-time optimisation
#   icf    oslto + gold's identical code folding (-fuse-ld=gold -Wl,--icf=all), the .so only
#   o3lto  gc + -O3 + link-time optimisation
#   app    Release + -DCHOSA_SIZE_OPTIMIZED=ON: the app-package build (what an app should ship)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

build_dir=build-size
toolchain=
cmake_args=()
lib_dirs=()
variants=today,gc,o2lto,os,oslto,icf,o3lto,app
rounds=6
sizes=2000,10000
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --toolchain) toolchain=$(realpath "$2"); shift 2 ;;
    --cmake-arg) cmake_args+=("$2"); shift 2 ;;
    --lib-dir) lib_dirs+=("$(realpath "$2")"); shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --bench-rounds) rounds=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "bench/size/run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
log() { echo "size: $*" >&2; }
mkdir -p "$build_dir"
build_dir=$(realpath "$build_dir")

variant_args() {
  case "$1" in
    today) echo "-DCMAKE_BUILD_TYPE=Release -DCHOSA_GC_SECTIONS=OFF" ;;
    gc) echo "-DCMAKE_BUILD_TYPE=Release" ;;
    o2lto) echo "-DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O2;-DNDEBUG -DCMAKE_C_FLAGS_RELEASE=-O2;-DNDEBUG -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON" ;;
    os) echo "-DCMAKE_BUILD_TYPE=MinSizeRel" ;;
    oslto) echo "-DCMAKE_BUILD_TYPE=MinSizeRel -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON" ;;
    icf) echo "-DCMAKE_BUILD_TYPE=MinSizeRel -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=gold;-Wl,--icf=all" ;;
    o3lto) echo "-DCMAKE_BUILD_TYPE=Release -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON" ;;
    app) echo "-DCMAKE_BUILD_TYPE=Release -DCHOSA_SIZE_OPTIMIZED=ON" ;;
    *) echo "bench/size/run.sh: unknown variant $1" >&2; exit 2 ;;
  esac
}
variant_label() {
  case "$1" in
    today) echo "today: -O3 (Release), no section GC" ;;
    gc) echo "gc: -O3 + -ffunction-sections -fdata-sections + --gc-sections (new default)" ;;
    o2lto) echo "o2lto: gc + -O2 + LTO" ;;
    os) echo "os: gc + -Os (MinSizeRel)" ;;
    oslto) echo "oslto: gc + -Os + LTO" ;;
    icf) echo "icf: oslto + gold --icf=all" ;;
    o3lto) echo "o3lto: gc + -O3 + LTO" ;;
    app) echo "app: Release + -DCHOSA_SIZE_OPTIMIZED=ON (= o3lto)" ;;
  esac
}

bench=1
[ -n "$toolchain" ] && bench=0
[ "$rounds" -gt 0 ] || bench=0
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}
fi

# 1. Build each variant.
IFS=, read -r -a vs <<<"$variants"
declare -A seconds
for v in "${vs[@]}"; do
  dir="$build_dir/$v"
  # The variant's own flags, as separate arguments (a ';' inside one stands for a space).
  read -r -a vargs <<<"$(variant_args "$v")"
  vargs=("${vargs[@]//;/ }")
  tc=()
  [ -n "$toolchain" ] && tc=(-DCMAKE_TOOLCHAIN_FILE="$toolchain")
  log "building $v in $dir"
  start=$(date +%s)
  cmake -S . -B "$dir" -DCHOSA_BUILD_TESTS=OFF -DCHOSA_BUILD_BENCH=ON "${launcher[@]}" "${tc[@]}" \
    "${vargs[@]}" "${cmake_args[@]}" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log" >&2; exit 1; }
  targets=(--target chosa_shared)
  [ $bench -eq 1 ] && targets+=(--target chosa_bench)
  cmake --build "$dir" -j"$(nproc)" "${targets[@]}" >"$dir.build.log" 2>&1 ||
    { tail -n 40 "$dir.build.log" >&2; exit 1; }
  seconds[$v]=$(( $(date +%s) - start ))
done

cache() { sed -n "s/^$1:[A-Z]*=//p" "$build_dir/${vs[0]}/CMakeCache.txt"; }
# What a toolchain file sets is not in the cache: CMake's record of the compiler has it.
compiler() { sed -n "s/^set($1 \"\(.*\)\")$/\1/p" "$build_dir/${vs[0]}"/CMakeFiles/*/CMakeCXXCompiler.cmake | head -n 1; }
cxx=$(compiler CMAKE_CXX_COMPILER)
sysroot=$(compiler CMAKE_CXX_COMPILER_SYSROOT)
strip_tool=$(cache CMAKE_STRIP); [ -n "$strip_tool" ] || strip_tool=strip
nm_tool=$(cache CMAKE_NM); [ -n "$nm_tool" ] || nm_tool=nm
readelf_tool=$(cache CMAKE_READELF); [ -n "$readelf_tool" ] || readelf_tool=readelf
target_arch=$("$cxx" -dumpmachine)
stripped="$build_dir/stripped"
mkdir -p "$stripped"

# The machine, the compiler, the commit.
echo "Target: $target_arch ($("$cxx" --version | head -n 1)); host: $(uname -m), $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); chosa $(git rev-parse --short HEAD)$(
  [ -n "$(git status --porcelain --untracked-files=no)" ] && echo ' (with uncommitted changes)');" \
  "$(date -u '+%Y-%m-%d %H:%M UTC')."
echo

# 2. Flag set -> stripped size.
echo "| flag set | stripped libchosa.so | .text | unwind tables (.eh_frame, .gcc_except_table, hdr) | .rodata | other | build (s, ccache) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
section_size() {
  local h
  h=$("$readelf_tool" -SW "$1" | sed -n "s/^ *\[ *[0-9]*\] ${2//./\\.} \+[A-Z_]\+ \+[0-9a-f]\+ [0-9a-f]\+ \([0-9a-f]\+\) .*/\1/p" | head -n 1)
  echo $((16#${h:-0}))
}
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
for v in "${vs[@]}"; do
  so=$(readlink -f "$build_dir/$v/platform/libchosa.so")
  "$strip_tool" --strip-all -o "$stripped/libchosa.$v.so" "$so"
  total=$(stat -c %s "$stripped/libchosa.$v.so")
  text=$(section_size "$stripped/libchosa.$v.so" .text)
  unwind=0
  for s in .eh_frame .eh_frame_hdr .gcc_except_table; do
    unwind=$((unwind + $(section_size "$stripped/libchosa.$v.so" $s)))
  done
  rodata=$(section_size "$stripped/libchosa.$v.so" .rodata)
  echo "| $(variant_label "$v") | **$(kib "$total")** ($total B) | $(kib "$text") | $(kib "$unwind") | $(kib "$rodata") |" \
    "$(kib $((total - text - unwind - rodata))) | ${seconds[$v]} |"
done
echo

# 3. The libraries it needs.
last=${vs[-1]}
so=$(readlink -f "$build_dir/$last/platform/libchosa.so")
find_lib() {
  local name=$1 p
  p=$("$cxx" ${sysroot:+--sysroot="$sysroot"} -print-file-name="$name")
  if [ "$p" != "$name" ] && [ -e "$p" ]; then readlink -f "$p"; return; fi
  for d in "${lib_dirs[@]}" ${sysroot:+"$sysroot/lib" "$sysroot/usr/lib" "$sysroot/lib/$target_arch" "$sysroot/usr/lib/$target_arch"}; do
    p=$(find "$d" -name "$name" 2>/dev/null | head -n 1)
    if [ -n "$p" ]; then readlink -f "$p"; return; fi
  done
}
echo "| library libchosa.so ($last) needs | file | stripped size | |"
echo "|---|---|---:|---|"
target_sum=$(stat -c %s "$stripped/libchosa.$last.so")
echo "| libchosa.so.0 | $last | $(kib "$target_sum") | counted |"
for lib in $("$readelf_tool" -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(find_lib "$lib")
  if [ -z "$path" ]; then
    echo "| $lib | not found (give --lib-dir) | ? | |"
    continue
  fi
  "$strip_tool" --strip-all -o "$stripped/$lib" "$path" 2>/dev/null || cp "$path" "$stripped/$lib"
  size=$(stat -c %s "$stripped/$lib")
  note="from the platform"
  case "$lib" in
    libre2.so.*|libsimdjson.so.*) note="counted (shipped with the app)"; target_sum=$((target_sum + size)) ;;
    libstdc++.so.*|libgcc_s.so.*) note="shipped with the app on Android (libc++_shared.so there)" ;;
    libc.so.*|libm.so.*|ld-linux*) note="the C library" ;;
  esac
  echo "| $lib | ${path#"$sysroot"} | $(kib "$size") | $note |"
done
awk -v b="$target_sum" 'BEGIN { printf "| **libchosa.so + libre2 + libsimdjson** | | **%.2f MiB** | target at most 3 MiB: %s |\n", b / 1048576, (b <= 3 * 1048576) ? "met" : "**NOT MET**" }'
echo

# 4. The breakdown of the last variant's libchosa.so. The parts' archives come from the first
#    variant built without link-time optimisation (an LTO archive holds no code to name).
attr=$last
for v in "${vs[@]}"; do
  case "$v" in today|gc|os) attr=$v ;; esac
done
case "$last" in today|gc|os) attr=$last ;; esac
a="$build_dir/$attr"
echo "Breakdown of the stripped libchosa.so ($last; symbols attributed with the objects of $attr):"
echo
python3 bench/size/breakdown.py --so "$so" --stripped "$stripped/libchosa.$last.so" \
  --readelf "$readelf_tool" --nm "$nm_tool" --json "$build_dir/breakdown.$last.json" \
  --part "C API=$(ls "$a"/platform/CMakeFiles/chosa_shared.dir/src/*.o | paste -sd,)" \
  --part "base (chosa_base)=$a/engine/libchosa_base.a" \
  --part "SQLite wrapper (chosa_sqlite)=$a/engine/libchosa_sqlite.a" \
  --part "engine (chosa_engine)=$a/engine/libchosa_engine.a" \
  --part "store (chosa_store)=$a/engine/libchosa_store.a" \
  --part "sync protocol (chosa_protocol)=$a/sync/libchosa_protocol.a" \
  --part "sync client (chosa_sync_client)=$a/sync/libchosa_sync_client.a"
echo

# 5. The engine benchmark, each variant against today, in turns.
[ $bench -eq 1 ] || exit 0
bvs=()
for v in "${vs[@]}"; do [ "$v" = icf ] || bvs+=("$v"); done  # icf: the same chosa_bench as oslto
[ "${bvs[0]}" = today ] || { log "no benchmark: the first variant must be 'today'"; exit 0; }
forms="$build_dir/forms"
results="$build_dir/results"
mkdir -p "$forms" "$results"
python3 bench/generate_forms.py --out "$forms" --sizes "$sizes" >&2
IFS=, read -r -a ns <<<"$sizes"
for ((r = 0; r < rounds; r++)); do
  log "benchmark round $((r + 1)) of $rounds"
  order=("${bvs[@]}")
  # Rotate the order each round, and reverse it every other round.
  order=("${order[@]:$((r % ${#order[@]}))}" "${order[@]:0:$((r % ${#order[@]}))}")
  if [ $((r % 2)) -eq 1 ]; then
    rev=(); for ((i = ${#order[@]} - 1; i >= 0; i--)); do rev+=("${order[$i]}"); done; order=("${rev[@]}")
  fi
  for v in "${order[@]}"; do
    for n in "${ns[@]}"; do
      "$build_dir/$v/bench/chosa_bench" --form "$forms/form_$n.chosa.json" --plan "$forms/plan_$n.json" \
        --check "$results/check_${v}_$n.json" --iterations 1000 >"$results/${v}_${n}_r$r.json"
    done
  done
done
python3 - "$results" "$rounds" "$sizes" "${bvs[@]}" <<'EOF'
import json, statistics, sys
results, rounds, sizes, variants = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4:]
figures = [("load+compile (Form::Load + Session::Start)", lambda d: d["load_start_us"]["median"]),
           ("SetAnswer on the hub", lambda d: d["answers"]["hub"]["median"]),
           ("SetAnswer on the score question", lambda d: d["answers"]["score"]["median"]),
           ("SetAnswer on a leaf", lambda d: d["answers"]["leaf"]["median"]),
           ("AllErrors (validate all)", lambda d: d["validate_us"]["median"]),
           ("Session::Finalize", lambda d: d["finalize_us"]["median"])]
def load(v, n, r):
    return json.load(open("%s/%s_%s_r%d.json" % (results, v, n, r)))
# The agreement snapshots must be the same in every variant.
for n in sizes:
    ref = open("%s/check_today_%s.json" % (results, n)).read()
    for v in variants[1:]:
        if open("%s/check_%s_%s.json" % (results, v, n)).read() != ref:
            print("**The agreement snapshots of %s differ from today's at N=%s**\n" % (v, n))
print("Engine benchmark (bench/chosa_bench, median µs of each figure, median over %d rounds; ratio = variant / today, per round, then the median; above 1 is slower):" % rounds)
print()
print("| N | figure | today µs | " + " | ".join("%s µs, ratio (rounds' min-max)" % v for v in variants[1:]) + " |")
print("|---|---|---:|" + "---:|" * (len(variants) - 1))
for n in sizes:
    for label, get in figures:
        base = [get(load("today", n, r)) for r in range(rounds)]
        cells = []
        for v in variants[1:]:
            vals = [get(load(v, n, r)) for r in range(rounds)]
            ratios = [a / b for a, b in zip(vals, base)]
            cells.append("%.3g, **%.3f** (%.2f-%.2f)" % (statistics.median(vals), statistics.median(ratios), min(ratios), max(ratios)))
        print("| %s | %s | %.3g | %s |" % (n, label, statistics.median(base), " | ".join(cells)))
EOF
