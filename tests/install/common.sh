# shellcheck shell=sh
# tests/install/common.sh - sourced by check-install.sh and check-deb.sh: the
# checks of a balrun installed under a prefix, as its users would use it.
# The sourcing script sets `here` (this folder) and `me` (its name, for the
# messages); this gives `work` (a temporary directory, removed on exit),
# fail, check_files and check_use.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "$me: $*" >&2; exit 1; }

# Installed under the prefix by both `cmake --install` and the package.  The
# man page and the zsh completion are not: the package gzips the one and
# puts the other in Debian's place (cmake/DebianStaging.cmake).
installed_files="bin/balrun bin/balrun-worker lib/balrun/balrun-preload.so include/balrun.h
	share/pkgconfig/balrun.pc share/balrun/cmake/balrunConfig.cmake share/bash-completion/completions/balrun"

# check_files PREFIX FILE... - each FILE is under PREFIX; the bash completion parses
check_files() {
	cf_prefix=$1
	shift
	for f in "$@"; do
		[ -e "$cf_prefix/$f" ] || fail "not installed: $f"
	done
	bash -n "$cf_prefix/share/bash-completion/completions/balrun" || fail "the bash completion does not parse"
}

# check_use PREFIX [SYSROOT] - tests/install/project built against the balrun
# under PREFIX with pkg-config (its .pc file read under SYSROOT, as
# PKG_CONFIG_SYSROOT_DIR, when the files are not where the .pc file says) and
# with find_package(balrun); its tests run by PREFIX/bin/balrun, which must
# find its worker and shim, 2 passed each time; the marker read.
check_use() {
	cu_prefix=$1
	cu_sysroot=${2:-}
	cflags=$(PKG_CONFIG_PATH=$cu_prefix/share/pkgconfig PKG_CONFIG_SYSROOT_DIR=$cu_sysroot pkg-config --cflags balrun)
	incdir=$(printf '%s' "$cflags" | sed 's/^-I//; s/ *$//')
	[ -d "$incdir" ] && [ "$(cd "$incdir" && pwd -P)" = "$(cd "$cu_prefix/include" && pwd -P)" ] ||
		fail "pkg-config --cflags balrun gave '$cflags', not the installed include directory"
	# shellcheck disable=SC2046
	cc $cflags $(pkg-config --cflags cmocka) -o "$work/t" "$here/project/t.c" $(pkg-config --libs cmocka)
	"$cu_prefix/bin/balrun" -n 2 --no-cache "$work/t" >"$work/run.txt" 2>&1 || { cat "$work/run.txt"; fail "the installed balrun failed"; }
	grep -q "2 passed" "$work/run.txt" || { cat "$work/run.txt"; fail "not 2 passed"; }
	"$cu_prefix/bin/balrun" --markers "$work/t" 2>&1 | grep -q "serial" || fail "the marker of <balrun.h> was not read"

	cmake -S "$here/project" -B "$work/project" -DCMAKE_PREFIX_PATH="$cu_prefix" >/dev/null
	cmake --build "$work/project" --target check-parallel >"$work/check.txt" 2>&1 || { cat "$work/check.txt"; fail "make check-parallel failed"; }
	grep -q "2 passed" "$work/check.txt" || { cat "$work/check.txt"; fail "check-parallel did not run the 2 tests"; }
	cmake --build "$work/project" --target check-ctest >"$work/ctest.txt" 2>&1 || { cat "$work/ctest.txt"; fail "the CTest check target failed"; }
	grep -q "2 passed" "$work/ctest.txt" || { cat "$work/ctest.txt"; fail "check-ctest did not run the 2 tests"; }
}
