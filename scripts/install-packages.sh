#!/usr/bin/env bash
# Installs the Debian packages chosa needs that are missing: to build it, to run its tests (Python's
# jsonschema and openpyxl, Chromium, Noto CJK fonts, node and npm for the browser checks; the arm64
# cross compiler and qemu-user for the arm64 stage) and its benchmarks. The one list of them:
# scripts/setup.sh and the bench/*_run.sh scripts call this.
set -euo pipefail

packages=(g++ cmake make pkg-config nlohmann-json3-dev libsimdjson-dev libre2-dev libssl-dev libsqlite3-dev sqlite3 libcpp-httplib-dev libboost-dev libcurl4-openssl-dev zlib1g-dev libxlsxwriter-dev libutf8proc-dev openssl catch2 python3 python3-jsonschema python3-openpyxl nodejs chromium fonts-noto-cjk crossbuild-essential-arm64 qemu-user)
# The JDK for the JNI binding (platform/android/) and its Java test, which never skips for want of it.
packages+=(openjdk-17-jdk-headless)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)  # the browser checks' playwright-core, SurveyJS in bench/
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
# The arm64 stage's libraries are downloaded from Debian's arm64 archive into its build tree
# (scripts/arm64-sysroot.sh), never installed: apt needs the arm64 package index for that. Adding
# the architecture changes apt's index only; no :arm64 package gets installed.
update=false
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "chosa: adding arm64 to apt's architectures (for the arm64 stage's sysroot)" >&2
  $sudo_cmd dpkg --add-architecture arm64
  update=true
fi
if [ ${#missing[@]} -gt 0 ] || $update; then
  $sudo_cmd apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "chosa: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
