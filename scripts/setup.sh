#!/usr/bin/env bash
# Installs the Debian packages chosa needs (only those missing) and builds it.
#   scripts/setup.sh [BUILD_DIR] [extra cmake args...]
# Used by scripts/demo.sh and scripts/test.sh; safe to run again (incremental build).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config nlohmann-json3-dev libsimdjson-dev libre2-dev libssl-dev libsqlite3-dev sqlite3 libcpp-httplib-dev libcurl4-openssl-dev zlib1g-dev libxlsxwriter-dev openssl catch2 python3 python3-jsonschema python3-openpyxl nodejs chromium fonts-noto-cjk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)  # the browser checks' playwright-core
if [ ${#missing[@]} -gt 0 ]; then
  echo "chosa setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

build_dir=${1:-build}
shift || true
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
