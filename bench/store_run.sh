#!/usr/bin/env bash
# The device store's benchmark against bare SQLite (issue 5), in one command:
#
#   bench/store_run.sh [--build-dir build-sbench] [--dir DIR] [-- extra chosa_store_bench flags]
#
# Installs what is missing (Debian packages), builds chosa_store_bench in Release in BUILD_DIR,
# generates the 2,000-question form with bench/generate_forms.py if it is not there yet
# (BUILD_DIR/forms), runs every measurement in one process on real files in DIR (default
# BUILD_DIR/store-files; it must be on the disk being measured, not a tmpfs), and prints the
# machine, the filesystem and the results table in Markdown on stdout (progress on stderr).
# Raw figures: BUILD_DIR/store-results.json. Exits non-zero only if something fails; missed
# targets are reported in the table, not turned into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build_dir=build-sbench
dir=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bench/store_run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$dir" ] || dir="$build_dir/store-files"
log() { echo "store bench: $*" >&2; }

# 1. What is missing.
scripts/install-packages.sh

# 2. Build (Release).
log "building chosa_store_bench (Release) in $build_dir"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCHOSA_BUILD_BENCH=ON >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target chosa_store_bench >/dev/null

# 3. The 2,000-question form (deterministic: the generator's default seed).
forms="$build_dir/forms"
if [ ! -f "$forms/form_2000.chosa.json" ] || [ ! -f "$forms/plan_2000.json" ]; then
  log "generating the 2,000-question form into $forms"
  mkdir -p "$forms"
  python3 bench/generate_forms.py --out "$forms" --sizes 2000 >&2
fi

# 4. The machine and the filesystem the store files live on.
mkdir -p "$dir"
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo "?")
mem=$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo)
compiler=$(c++ --version 2>/dev/null | head -1 || echo "?")
sqlite=$(pkg-config --modversion sqlite3 2>/dev/null || echo "?")
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit (with uncommitted changes)"
fi
fs_line=$(df -T "$dir" | tail -1)
fs_dev=$(echo "$fs_line" | awk '{print $1}')
fs_type=$(echo "$fs_line" | awk '{print $2}')
mount_point=$(df --output=target "$dir" | tail -1)
mount_opts=$(awk -v m="$mount_point" '$2 == m {print $4; exit}' /proc/mounts)
echo "Machine: $cpu, $(nproc) cores, $mem; Linux $(uname -r); $compiler; SQLite $sqlite; chosa $commit;" \
     "$(date -u '+%Y-%m-%d %H:%M UTC'); load average at start $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "Store files in \`$dir\`: \`df -T\` says $fs_type on $fs_dev, mounted at $mount_point ($mount_opts)."
if [ "$fs_type" = tmpfs ]; then
  log "WARNING: $dir is on tmpfs: fsync costs nothing there; pass --dir on a real disk"
fi
echo

# 5. The run.
log "running (about half a minute)"
"$build_dir/bench/chosa_store_bench" \
  --form2000 "$forms/form_2000.chosa.json" --plan2000 "$forms/plan_2000.json" \
  --checklist schemas/examples/coordinator_checklist.json \
  --dir "$dir" --json "$build_dir/store-results.json" ${extra[@]+"${extra[@]}"}
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
