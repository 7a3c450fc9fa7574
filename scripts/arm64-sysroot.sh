#!/usr/bin/env bash
# Puts the arm64 libraries and headers chosa's cross build needs into BUILD_DIR/sysroot, from
# Debian's arm64 archive through apt (`apt-get download PKG:arm64` + `dpkg-deb -x`), without
# installing any :arm64 package on the machine: some -dev packages are not co-installable
# across architectures (libsimdjson-dev lacks Multi-Arch: same, so installing its :arm64 would
# remove the amd64 one the native build uses).
#   scripts/arm64-sysroot.sh BUILD_DIR
# The .debs are kept in BUILD_DIR/arm64-debs; a second run with the same package list does
# nothing. The C library, libstdc++ and libgcc come from the cross compiler
# (crossbuild-essential-arm64, /usr/aarch64-linux-gnu/lib): they are linked into sysroot/lib so
# that `qemu-aarch64 -L BUILD_DIR/sysroot` finds the loader, libc and these libraries in one tree.
# Needs Debian's arm64 package index: scripts/install-packages.sh adds the architecture to apt.
set -euo pipefail

# The one list of arm64 packages, resolved by hand (apt-cache depends --recurse, less what the
# cross compiler provides: libc6, libgcc-s1, libstdc++6); the check at the end fails, naming the
# library, if a shared library in the sysroot needs one that is in neither place.
#  - what the cross build compiles against (cmake/ChosaDependencies.cmake, device subset):
dev_packages=(libsqlite3-dev libre2-dev libsimdjson-dev libssl-dev libcurl4-openssl-dev zlib1g-dev
  libcpp-httplib-dev libbrotli-dev nlohmann-json3-dev catch2)
#  - the shared libraries they link, and what those need at run time (under qemu):
runtime_packages=(libsqlite3-0 libre2-9 libsimdjson14 libssl3 libcurl4 zlib1g libcpp-httplib0.11 libbrotli1
  libnghttp2-14 libidn2-0 libunistring2 librtmp1 libgnutls30 libgmp10 libhogweed6 libnettle8 libp11-kit0
  libffi8 libtasn1-6 libssh2-1 libpsl5 libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libcom-err2
  libkeyutils1 libldap-2.5-0 libsasl2-2 libsasl2-modules-db libdb5.3 libzstd1)

build_dir=${1:?usage: scripts/arm64-sysroot.sh BUILD_DIR}
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)
debs=$build_dir/arm64-debs
sysroot=$build_dir/sysroot
cross_lib=/usr/aarch64-linux-gnu/lib

stamp_text="${dev_packages[*]} ${runtime_packages[*]}"
if [ -f "$sysroot/.packages" ] && [ "$(cat "$sysroot/.packages")" = "$stamp_text" ]; then
  exit 0  # already extracted from this list
fi
[ -e "$cross_lib/ld-linux-aarch64.so.1" ] || { echo "arm64-sysroot: no $cross_lib: crossbuild-essential-arm64 is missing" >&2; exit 1; }

mkdir -p "$debs"
# nlohmann-json3-dev is Architecture: all (no :arm64 of it); everything else is asked for as :arm64.
wanted=()
for p in "${dev_packages[@]}" "${runtime_packages[@]}"; do
  if [ "$p" = nlohmann-json3-dev ]; then wanted+=("$p"); else wanted+=("$p:arm64"); fi
done
# Only what is not cached yet (a .deb named PKG_VERSION_ARCH.deb).
missing=()
for p in "${wanted[@]}"; do
  name=${p%:arm64}
  compgen -G "$debs/${name}_*.deb" > /dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "arm64-sysroot: downloading ${#missing[@]} packages from Debian's arm64 archive" >&2
  # As root, apt would hand the download to its _apt user, which cannot write into a root-owned
  # build tree: download as root instead.
  sandbox=()
  [ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
  if ! (cd "$debs" && apt-get download -qq "${sandbox[@]}" "${missing[@]}"); then
    # A stale index names versions the archive no longer has: refresh it once.
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    (cd "$debs" && apt-get download -qq "${sandbox[@]}" "${missing[@]}")
  fi
fi

rm -rf "$sysroot"
mkdir -p "$sysroot/lib"
for p in "${wanted[@]}"; do
  name=${p%:arm64}
  # The newest cached version when several are there.
  deb=$(ls -1 "$debs/${name}"_*.deb | sort -V | tail -n 1)
  dpkg-deb -x "$deb" "$sysroot"
done
# Absolute symlinks in the packages (e.g. a lib*.so pointing at /lib/aarch64-linux-gnu/...) would
# point at the machine's amd64 files: point them into the sysroot instead.
while IFS= read -r -d '' link; do
  target=$(readlink "$link")
  case $target in /*) ln -sfnr "$sysroot$target" "$link" ;; esac
done < <(find "$sysroot" -type l -print0)
# The cross compiler's C and C++ runtime, where the arm64 loader looks (/lib).
for f in "$cross_lib"/*.so*; do
  ln -sfn "$f" "$sysroot/lib/$(basename "$f")"
done

# Every shared library the sysroot holds finds what it needs in the sysroot or the cross runtime.
status=0
while IFS= read -r -d '' lib; do
  for needed in $(aarch64-linux-gnu-readelf -d "$lib" 2> /dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    if [ ! -e "$sysroot/lib/$needed" ] && [ ! -e "$sysroot/lib/aarch64-linux-gnu/$needed" ] &&
       [ ! -e "$sysroot/usr/lib/aarch64-linux-gnu/$needed" ]; then
      echo "arm64-sysroot: ${lib#"$sysroot"/} needs $needed, which no listed package provides" >&2
      status=1
    fi
  done
done < <(find "$sysroot/lib/aarch64-linux-gnu" "$sysroot/usr/lib/aarch64-linux-gnu" -name '*.so*' -type f -print0)
[ "$status" -eq 0 ] || exit 1
printf '%s' "$stamp_text" > "$sysroot/.packages"
echo "arm64-sysroot: $sysroot ready ($(ls "$debs" | wc -l) packages)" >&2
