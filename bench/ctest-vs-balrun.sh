#!/usr/bin/env bash
# bench/ctest-vs-balrun.sh - `balrun -n N` against `ctest -j N` in a generated
# CMake project, both warm, in one run.
#
# bench/gen/gensuite writes a Criterion suite (TESTS tests of lognormal
# durations in BINARIES binaries, total WORKERS x LOWER_BOUND seconds) and a
# CMakeLists.txt registering it with CTest, built with cmake.  Two
# registrations, as real projects do:
#
#   per binary   add_test(NAME suite_NN COMMAND suite_NN): ctest runs each
#                binary whole (Criterion's own -j inside); balrun, typed with
#                no arguments in the build directory, splits it into cases
#   per case     add_test(NAME suite_NN/tMMM COMMAND suite_NN --filter ...):
#                one CTest test per case (what gtest_discover_tests makes)
#
# For each: ctest -j N cold and warm (warm: ctest orders by the costs its
# cold run wrote), balrun -n N cold and warm (warm: the timing cache), all
# timed from outside.  The last column is the ratio to ctest warm.
#
# The tests use the CPU for their duration (gensuite -c), as most unit tests
# do: then more processes than cores buy nothing, whoever starts them.  With
# SLEEP=1 they sleep instead, and a runner that oversubscribes (ctest -j N
# starting Criterion binaries that each run N tests at once) gets ahead.
#
# Settings (environment): WORKERS (nproc), TESTS (200), BINARIES (8), SLEEP (0),
# LOWER_BOUND (seconds, 6), SEED (2024), BUILD_DIR (a balrun build; default:
# build/), WORK_DIR (kept if given).  About two minutes on two cores.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORKERS=${WORKERS:-$(nproc)}
TESTS=${TESTS:-200}
BINARIES=${BINARIES:-8}
LOWER_BOUND=${LOWER_BOUND:-6}
SEED=${SEED:-2024}
SLEEP=${SLEEP:-0}
kind=-c
[ "$SLEEP" = 1 ] && kind=
BUILD_DIR=${BUILD_DIR:-$REPO/build}
BALRUN=$(cd "$BUILD_DIR" && pwd)/bin/balrun
[ -x "$BALRUN" ] || { echo "ctest-vs-balrun: no balrun at '$BALRUN' (set BUILD_DIR)" >&2; exit 2; }
if [ -n "${WORK_DIR:-}" ]; then
	mkdir -p "$WORK_DIR"
else
	WORK_DIR=$(mktemp -d)
	trap 'rm -rf "$WORK_DIR"' EXIT
fi

now() { date +%s.%N; }
say() { echo "ctest-vs-balrun: $*" >&2; }

${CC:-cc} -O2 -o "$WORK_DIR/gensuite" "$REPO/bench/gen/gensuite.c" -lm

# timed LOG COMMAND...: prints the wall time in seconds; the output goes to LOG
timed() {
	local log=$1 start end rc=0
	shift
	start=$(now)
	"$@" >"$log" 2>&1 || rc=$?
	end=$(now)
	[ "$rc" -eq 0 ] || say "'$*' exited $rc (see $log)"
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

printf "%-12s %10s %10s %10s %10s %8s\n" registration ctest_cold ctest_warm balrun_cold balrun_warm ratio
for reg in binary case; do
	suite=$WORK_DIR/suite-$reg
	say "per $reg: generating $TESTS tests in $BINARIES binaries, building"
	rm -rf "$suite"
	mkdir -p "$suite"
	"$WORK_DIR/gensuite" -s "$SEED" -b "$BINARIES" -t "$TESTS" -w "$WORKERS" -l "$LOWER_BOUND" \
		-r "$reg" $kind "$suite" >/dev/null	# $kind: one word or none
	cmake -S "$suite" -B "$suite/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$suite/build" -j"$WORKERS" >/dev/null
	say "per $reg: running"
	cc=$(timed "$suite/ctest-cold.log" ctest --test-dir "$suite/build" -j "$WORKERS")
	cw=$(timed "$suite/ctest-warm.log" ctest --test-dir "$suite/build" -j "$WORKERS")
	bc=$(cd "$suite/build" && timed "$suite/balrun-cold.log" "$BALRUN" -n "$WORKERS" -q \
		--cache-dir "$suite/cache")
	bw=$(cd "$suite/build" && timed "$suite/balrun-warm.log" "$BALRUN" -n "$WORKERS" -q \
		--cache-dir "$suite/cache")
	printf "%-12s %10s %10s %10s %10s %8s\n" "per $reg" "$cc" "$cw" "$bc" "$bw" \
		"$(awk -v a="$bw" -v b="$cw" 'BEGIN { printf "%.2f", a / b }')"
done
echo "ratio: balrun warm / ctest warm (below 1: balrun is faster); the suite's lower bound is" \
	"${LOWER_BOUND}s plus process start-up"
