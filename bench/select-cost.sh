#!/bin/sh
# bench/select-cost.sh - what choosing a batch of Criterion tests costs.
#
# balrun runs a Criterion binary in batches, so it must make the binary run
# just the batch's tests.  Criterion's own way, --filter '@(a|b|...)', runs a
# matcher that costs seconds for a few hundred tests and crashes past 99
# alternatives; balrun's preload shim registers only the batch's tests and
# costs nothing (adapters/criterion/preload-criterion.c).  This benchmark generates one
# Criterion binary of TESTS trivial tests with realistic names (20 to 50
# characters) in SUITES suites, then times, in one run of the script:
#
#   whole -j1          the binary alone, every test, one at a time
#   shim all           the same tests chosen by balrun's shim
#   shim half          every other test chosen by the shim
#   filter 68          --filter '@(...)' naming 68 of the tests (what balrun
#                      0.1 did; at most 99 names before Criterion crashes)
#   balrun -n 1        balrun, warm timing cache, one worker
#   whole -j2          the binary alone with Criterion's own -j2
#   balrun -n 2        balrun, warm timing cache, two workers
#
# and prints wall seconds, the runner's CPU seconds (user+sys of everything,
# children included) and the ratio to "whole -j1" (or "whole -j2" for the
# two-slot rows).  Environment: BUILD_DIR (a balrun build, default
# <repo>/build), TESTS (400), SUITES (12), WORK_DIR (kept if given).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
TESTS=${TESTS:-400}
SUITES=${SUITES:-12}
BALRUN=$BUILD_DIR/bin/balrun
SHIM=$BUILD_DIR/bin/balrun-preload.so
[ -x "$BALRUN" ] || { echo "select-cost: no $BALRUN (build balrun first, or set BUILD_DIR)" >&2; exit 1; }
if [ -n "${WORK_DIR:-}" ]; then
	mkdir -p "$WORK_DIR"
else
	WORK_DIR=$(mktemp -d)
	trap 'rm -rf "$WORK_DIR"' EXIT
fi
cd "$WORK_DIR"

# The suite: suite names and test names from fixed word lists, so the run is the same every time.
awk -v tests="$TESTS" -v suites="$SUITES" 'BEGIN {
	split("parse encode decode open close read write flush seek resize insert remove lookup " \
	      "compare merge split join trim escape quote", verb, " ");
	split("header body chunk buffer token field record table index cursor stream frame " \
	      "packet string number array object key value", noun, " ");
	split("empty single many large invalid nested unicode truncated aligned overflow", adj, " ");
	print "#include <criterion/criterion.h>";
	for (i = 0; i < tests; i++) {
		s = i % suites;
		printf "Test(module_%02d_%s, %s_%s_%s_case_%04d) { cr_assert(1); }\n", s, noun[s % 20 + 1],
			verb[i % 20 + 1], adj[int(i / 20) % 10 + 1], noun[int(i / 7) % 20 + 1], i;
	}
}' > suite.c
cc -O1 -o suite suite.c $(pkg-config --cflags --libs criterion)
LC_ALL=C ./suite --list | awk '/: [0-9]+ tests?$/ { sub(/: [0-9]+ tests?$/, ""); suite = $0; next }
	{ sub(/^(\|--|`--) /, ""); print suite "/" $0 }' > ids
n=0
: > all.sel
: > half.sel
while read -r id; do
	line=$(printf '%s %010d' "$id" "$n")
	echo "$line" >> all.sel
	[ $((n % 2)) -eq 0 ] && echo "$line" >> half.sel
	n=$((n + 1))
done < ids
pattern="@($(head -n 68 ids | paste -sd '|'))"

now() { date +%s.%N; }
cpu() { awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat; }   # utime stime cutime cstime, ticks
TICKS=$(getconf CLK_TCK)
base1=""
base2=""
# row LABEL SLOTS command...: run it, print one row
row() {
	label=$1 slots=$2
	shift 2
	c0=$(cpu)
	t0=$(now)
	"$@" > /dev/null 2>&1 || true
	t1=$(now)
	c1=$(cpu)
	wall=$(echo "$t1 - $t0" | bc -l)
	cpus=$(echo "($c1 - $c0) / $TICKS" | bc -l)
	if [ "$slots" = 1 ]; then base=${base1:-$wall}; base1=$base; else base=${base2:-$wall}; base2=$base; fi
	printf '%-14s %6s %9.2f %9.2f %7.2f\n' "$label" "$slots" "$wall" "$cpus" "$(echo "$wall / $base" | bc -l)"
}

./suite -j1 > /dev/null 2>&1 || true	# page the binary and libcriterion in before timing
echo "select-cost: $TESTS tests in $SUITES suites, names of 20 to 50 characters ($(nproc) CPUs)"
printf '%-14s %6s %9s %9s %7s\n' "run" "slots" "wall_s" "cpu_s" "ratio"
row "whole -j1" 1 ./suite -j1 --verbose
row "shim all" 1 env LD_PRELOAD="$SHIM" BALRUN_PRELOAD_MODE=run BALRUN_PRELOAD_SELECT=all.sel ./suite -j1 --verbose
row "shim half" 1 env LD_PRELOAD="$SHIM" BALRUN_PRELOAD_MODE=run BALRUN_PRELOAD_SELECT=half.sel ./suite -j1 --verbose
row "filter 68" 1 ./suite -j1 --verbose --filter "$pattern"
"$BALRUN" -n 1 --cache-dir cache1 ./suite > /dev/null 2>&1 || true
row "balrun -n 1" 1 "$BALRUN" -n 1 --cache-dir cache1 ./suite
row "whole -j2" 2 ./suite -j2 --verbose
"$BALRUN" -n 2 --cache-dir cache2 ./suite > /dev/null 2>&1 || true
row "balrun -n 2" 2 "$BALRUN" -n 2 --cache-dir cache2 ./suite
echo "ratio: wall time over the binary's own run with as many slots (whole -j1, whole -j2)"
echo "filter 68 runs 68 of the $TESTS tests: its cost over 'whole -j1' is the matcher's"
