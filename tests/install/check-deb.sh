#!/bin/sh
# tests/install/check-deb.sh BUILD_DIR VERSION - `cpack -G DEB` of the build
# (cmake/Packaging.cmake) into a temporary directory, then the package as
# apt and its users see it: its control fields, every file in its place
# under /usr and nothing outside, Depends resolvable (`apt-get install
# --simulate`: nothing is installed), and, unpacked into a temporary root, a
# project built against it with pkg-config (PKG_CONFIG_SYSROOT_DIR: the .pc
# file must be right for /usr) and find_package, its tests run by the
# unpacked balrun (common.sh).  Exit 0 when all of it works.
# scripts/check-deb-clean.sh installs the package on a clean Debian 12.
set -eu
build=$1
version=$2
here=$(cd "$(dirname "$0")" && pwd)
me=check-deb
# shellcheck source=tests/install/common.sh
. "$here/common.sh"

# cpack first makes the `preinstall` target (all; about 10 s to find nothing to do)
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.txt" 2>&1 ||
	{ cat "$work/cpack.txt"; fail "cpack -G DEB failed"; }
deb=$work/pkg/balrun_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || fail "cpack made no $(basename "$deb"): $(ls "$work/pkg")"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = balrun ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), not $version"
[ "$(field Section)" = devel ] || fail "Section: $(field Section)"
[ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ] || fail "no Maintainer or no Description"
depends=$(field Depends)
case $depends in
	*libc6*) ;;
	*) fail "Depends: '$depends', not computed by dpkg-shlibdeps" ;;
esac
apt-get install --simulate "$deb" >"$work/apt.txt" 2>&1 ||
	{ cat "$work/apt.txt"; fail "apt-get cannot install it, Depends: $depends"; }

dpkg-deb -c "$deb" | awk '{ print $6 }' >"$work/list"
! grep -v -e '^\./$' -e '^\./usr/' "$work/list" || fail "files outside /usr (above)"
# the package's own places (cmake/DebianStaging.cmake)
debian_files="share/man/man1/balrun.1.gz share/zsh/vendor-completions/_balrun share/doc/balrun/changelog.gz"
for f in $installed_files $debian_files; do
	grep -qx "\./usr/$f" "$work/list" || fail "not in the package: /usr/$f"
done

root=$work/root
dpkg-deb -x "$deb" "$root"
# shellcheck disable=SC2086
check_files "$root/usr" $installed_files $debian_files
gzip -t "$root/usr/share/man/man1/balrun.1.gz" || fail "the man page is not gzipped"
check_use "$root/usr" "$root"
echo "check-deb: $(basename "$deb") (Depends: $depends) unpacked, built against with pkg-config and find_package, run: ok"
