#!/usr/bin/env bash
# Installs the Debian packages chosa needs that are missing: to build it, to run its tests (Python's
# jsonschema and openpyxl, Chromium, Noto CJK fonts, node and npm for the browser checks) and its
# benchmarks. The one list of them: scripts/setup.sh and the bench/*_run.sh scripts call this.
set -euo pipefail

packages=(g++ cmake make pkg-config nlohmann-json3-dev libsimdjson-dev libre2-dev libssl-dev libsqlite3-dev sqlite3 libcpp-httplib-dev libboost-dev libcurl4-openssl-dev zlib1g-dev libxlsxwriter-dev libutf8proc-dev openssl catch2 python3 python3-jsonschema python3-openpyxl nodejs chromium fonts-noto-cjk)
# The JDK for the JNI binding (platform/android/) and its Java test, which never skips for want of it.
packages+=(openjdk-17-jdk-headless)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)  # the browser checks' playwright-core, SurveyJS in bench/
if [ ${#missing[@]} -gt 0 ]; then
  echo "chosa: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
