#!/usr/bin/env bash
# scripts/check-deb-clean.sh [DEB | BUILD_DIR] - install balrun's Debian
# package on a clean Debian 12 and use it there, as root.
#
# debootstrap makes a minimal bookworm in a temporary directory from the
# mirror this machine's apt uses (or $MIRROR); the package is installed in
# it with `apt-get install ./balrun_*.deb` (its Depends come from the
# mirror), then gcc, make, pkg-config and libcmocka-dev, and the project of
# tests/install/ is built with `pkg-config --cflags balrun` and run with
# `balrun -n 2`: exit 0 and both cases passed.  Without DEB, the package is
# made with cpack -G DEB from BUILD_DIR (default: build/).  Slow (minutes:
# the download), so not a ctest entry; tests/install/check-deb.sh (ctest deb)
# checks the package without installing it.  Installs debootstrap on this
# machine when missing; removes the chroot on exit.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
arg=${1:-$top/build}
[ "$(id -u)" -eq 0 ] || { echo "check-deb-clean: run it as root (debootstrap, chroot)" >&2; exit 1; }
fail() { echo "check-deb-clean: $*" >&2; exit 1; }
step() { echo "check-deb-clean: [$((SECONDS))s] $*"; }

# The URI of the host's apt source for bookworm itself (not -updates or
# -security), in the one-line (sources.list) or deb822 (*.sources) format.
host_mirror() {
	local f uri=""
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		if [ -z "$uri" ] && [ -f "$f" ]; then
			uri=$(sed 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
		fi
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		if [ -z "$uri" ] && [ -f "$f" ]; then
			uri=$(awk 'BEGIN { RS = "" }
				{ uri = ""; ok = 0
				  n = split($0, line, "\n")
				  for (i = 1; i <= n; i++) {
					if (line[i] ~ /^URIs:/) { split(line[i], w, " "); uri = w[2] }
					if (line[i] ~ /^Suites:/) { m = split(line[i], s, " "); for (j = 2; j <= m; j++) if (s[j] == "bookworm") ok = 1 }
				  }
				  if (ok && uri != "") { print uri; exit } }' "$f")
		fi
	done
	printf '%s\n' "$uri"
}
mirror=${MIRROR:-$(host_mirror)}
[ -n "$mirror" ] || fail "no bookworm source in /etc/apt/sources.list{,.d}; set MIRROR"

work=$(mktemp -d /var/tmp/balrun-deb-clean.XXXXXX)
root=$work/root
# Unmount what is mounted under the chroot before removing it, and remove it
# only when nothing is left mounted there.
cleanup() {
	local m
	for m in $(awk -v r="$root" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$m" || true
	done
	if awk -v r="$root" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
		echo "check-deb-clean: still mounted under $root, left in place" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

if [ -f "$arg" ]; then
	deb=$arg
else
	step "cpack -G DEB in $arg"
	cpack -G DEB --config "$arg/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.txt" 2>&1 ||
		{ cat "$work/cpack.txt"; fail "cpack -G DEB failed"; }
	deb=$(ls "$work"/pkg/balrun_*.deb)
fi
step "package: $(basename "$deb"), Depends: $(dpkg-deb -f "$deb" Depends)"

if ! command -v debootstrap >/dev/null; then
	step "apt-get install debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap </dev/null >/dev/null
fi
step "debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.txt" 2>&1 ||
	{ tail -30 "$work/debootstrap.txt"; fail "debootstrap failed (log above)"; }
mount -t proc proc "$root/proc"
[ -c "$root/dev/null" ] || mount --bind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf"
echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
mkdir -p "$root/tmp/balrun"
cp "$deb" "$root/tmp/balrun/"
cp "$top/tests/install/project/t.c" "$root/tmp/balrun/t.c"
in_chroot() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"; }

step "apt-get install ./$(basename "$deb") in the chroot"
in_chroot apt-get update -q >"$work/apt.txt" 2>&1 || { cat "$work/apt.txt"; fail "apt-get update failed in the chroot"; }
in_chroot sh -c 'cd /tmp/balrun && apt-get install -y -q ./balrun_*.deb' >>"$work/apt.txt" 2>&1 ||
	{ tail -30 "$work/apt.txt"; fail "the package does not install on a clean Debian 12"; }
step "installed: $(grep -c '^Setting up ' "$work/apt.txt" || true) packages, $(grep '^Setting up balrun ' "$work/apt.txt" || true)"
for f in /usr/bin/balrun /usr/bin/balrun-worker /usr/lib/balrun/balrun-preload.so /usr/include/balrun.h \
         /usr/share/man/man1/balrun.1.gz /usr/share/bash-completion/completions/balrun \
         /usr/share/zsh/vendor-completions/_balrun; do
	[ -e "$root$f" ] || fail "not installed: $f"
done

step "apt-get install gcc make pkg-config libcmocka-dev in the chroot"
in_chroot apt-get install -y -q --no-install-recommends gcc libc6-dev make pkg-config libcmocka-dev >"$work/apt-dev.txt" 2>&1 ||
	{ tail -30 "$work/apt-dev.txt"; fail "could not install the compiler and cmocka in the chroot"; }

step "build against it with pkg-config, run balrun -n 2"
in_chroot sh -c 'cd /tmp/balrun && cc $(pkg-config --cflags balrun cmocka) -o t t.c $(pkg-config --libs cmocka)' ||
	fail "the project does not build with pkg-config --cflags balrun"
status=0
in_chroot sh -c 'cd /tmp/balrun && balrun -n 2 --no-cache ./t' >"$work/run.txt" 2>&1 || status=$?
sed 's/^/    /' "$work/run.txt"
[ "$status" -eq 0 ] || fail "balrun -n 2 exited $status"
grep -q "2 passed" "$work/run.txt" || fail "not 2 passed"
in_chroot balrun --markers /tmp/balrun/t 2>&1 | grep -q serial || fail "the marker of <balrun.h> was not read"
step "ok: installed on a clean Debian 12, built against with pkg-config, run by balrun -n 2"
