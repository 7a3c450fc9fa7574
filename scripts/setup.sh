#!/usr/bin/env bash
# Installs the Debian packages chosa needs (only those missing: scripts/install-packages.sh) and
# builds it.
#   scripts/setup.sh [BUILD_DIR] [extra cmake args...]
# Used by scripts/demo.sh and scripts/test.sh; safe to run again (incremental build).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-packages.sh

build_dir=${1:-build}
shift || true
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
