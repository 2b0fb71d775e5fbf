#!/bin/sh
# tests/install/check-install.sh BUILD_DIR - `cmake --install` of the build
# into a temporary prefix, then a project built against it as its users
# would: with pkg-config (`pkg-config --cflags balrun`) and with CMake
# (find_package(balrun), balrun::markers, balrun_add_check_target), its test
# run by the installed balrun (which must find its worker and shim), the
# marker read from the binary (common.sh).  Exit 0 when all of it works.
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
me=check-install
# shellcheck source=tests/install/common.sh
. "$here/common.sh"
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
# shellcheck disable=SC2086
check_files "$prefix" $installed_files share/man/man1/balrun.1 share/zsh/site-functions/_balrun
check_use "$prefix"
echo "check-install: installed, built against with pkg-config and find_package, run: ok"
