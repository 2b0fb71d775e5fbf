#!/usr/bin/env bash
# scripts/setup.sh - install what balrun needs to build (Debian 12), then
# configure and build it.
#
#   scripts/setup.sh [BUILD_DIR] [extra cmake arguments...]
#
# Installs missing Debian packages with apt-get (as root, or through sudo),
# so a fresh machine needs nothing else.  Safe to run again: it installs only
# what is missing and rebuilds only what changed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true

packages=(gcc make cmake pkg-config git
          libmsgpack-dev libgit2-dev libcriterion-dev libcmocka-dev libelf-dev libjansson-dev
          libxml2-dev clang libclang-rt-14-dev valgrind libglib2.0-dev check
          python3 meson ninja-build g++ libgtest-dev
          autoconf automake libtool    # the project of tests/e2e/test_e2e_automake.c
          chromium fonts-dejavu-core   # the timeline in a browser: tests/report/timeline_browser.py
          dpkg-dev)                    # dpkg-shlibdeps: the Depends of cpack -G DEB (cmake/Packaging.cmake)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q </dev/null
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

mkdir -p "$build"
log="$build/setup.log"
echo "setup: building in $build (log: $log)"
if ! { cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" &&
       cmake --build "$build" -j"$(nproc)"; } >"$log" 2>&1; then
  tail -40 "$log" >&2
  echo "setup: the build failed; the whole log is in $log" >&2
  exit 1
fi
