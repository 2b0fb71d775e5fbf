#!/bin/sh
# tests/install/check-install.sh BUILD_DIR - `cmake --install` of the build
# into a temporary prefix, then a project built against it as its users
# would: with pkg-config (`pkg-config --cflags balrun`) and with CMake
# (find_package(balrun), balrun::markers, balrun_add_check_target), its test
# run by the installed balrun (which must find its worker and shim), the
# marker read from the binary.  Exit 0 when all of it works.
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "check-install: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/balrun bin/balrun-worker lib/balrun/balrun-preload.so include/balrun.h \
         share/man/man1/balrun.1 share/pkgconfig/balrun.pc share/balrun/cmake/balrunConfig.cmake \
         share/bash-completion/completions/balrun share/zsh/site-functions/_balrun; do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
bash -n "$prefix/share/bash-completion/completions/balrun" || fail "the bash completion does not parse"

# pkg-config
cflags=$(PKG_CONFIG_PATH=$prefix/share/pkgconfig pkg-config --cflags balrun)
incdir=$(printf '%s' "$cflags" | sed 's/^-I//; s/ *$//')
[ -d "$incdir" ] && [ "$(cd "$incdir" && pwd -P)" = "$(cd "$prefix/include" && pwd -P)" ] ||
	fail "pkg-config --cflags balrun gave '$cflags', not the installed include directory"
# shellcheck disable=SC2046
cc $cflags $(pkg-config --cflags cmocka) -o "$work/t" "$here/project/t.c" $(pkg-config --libs cmocka)
"$prefix/bin/balrun" -n 2 --no-cache "$work/t" >"$work/run.txt" 2>&1 || { cat "$work/run.txt"; fail "the installed balrun failed"; }
grep -q "2 passed" "$work/run.txt" || { cat "$work/run.txt"; fail "not 2 passed"; }
"$prefix/bin/balrun" --markers "$work/t" 2>&1 | grep -q "serial" || fail "the marker of <balrun.h> was not read"

# find_package(balrun)
cmake -S "$here/project" -B "$work/project" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/project" --target check-parallel >"$work/check.txt" 2>&1 || { cat "$work/check.txt"; fail "make check-parallel failed"; }
grep -q "2 passed" "$work/check.txt" || { cat "$work/check.txt"; fail "check-parallel did not run the 2 tests"; }
cmake --build "$work/project" --target check-ctest >"$work/ctest.txt" 2>&1 || { cat "$work/ctest.txt"; fail "the CTest check target failed"; }
grep -q "2 passed" "$work/ctest.txt" || { cat "$work/ctest.txt"; fail "check-ctest did not run the 2 tests"; }
echo "check-install: installed, built against with pkg-config and find_package, run: ok"
