#!/bin/sh
# bench/makespan.sh - how close does balrun get to the ideal makespan?
#
# Generates a synthetic Criterion suite (bench/gen/gensuite.c: hundreds of
# tests in several binaries, heavy-tailed sleep durations from a fixed seed,
# the true duration of every test written to durations.tsv), then runs it
# under several runners with the same number of parallel slots and prints one
# table: wall-clock makespan, the lower bound max(longest test, total / N) and
# their ratio.  Rows, in the order they run:
#
#   balrun cold       balrun -n N with an empty timing cache
#   balrun warm       balrun -n N again, with the cache the cold run wrote
#   ctest cold        ctest -jN, every test its own CTest test, no cost data
#   ctest warm        ctest -jN again, with the cost data the cold run wrote
#   criterion serial  each binary in turn with Criterion's own -jN
#   criterion all     all binaries started together, each with -jN
#
# Environment (all optional):
#   BUILD_DIR    a balrun build directory whose bin/ holds balrun; default:
#                configure and build one in <repo>/build-bench
#   WORKERS      parallel slots N (8)      TESTS      number of tests (400)
#   BINARIES     number of binaries (8)    LOWER_BOUND target bound, s (12)
#   SEED         generator seed (2024)     WORK_DIR   where the suite, logs
#                and reports go (a new temporary directory, removed at the
#                end unless KEEP=1 or WORK_DIR is given)
#
# Makespan is measured from outside, the same way for every runner, so it
# includes start-up and collection.  Tests only sleep, so running more
# processes than cores costs nothing but per-process start-up (see
# bench/README.md for how to read the table).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORKERS=${WORKERS:-8}
TESTS=${TESTS:-400}
BINARIES=${BINARIES:-8}
LOWER_BOUND=${LOWER_BOUND:-12}
SEED=${SEED:-2024}
KEEP=${KEEP:-0}
if [ -n "${WORK_DIR:-}" ]; then
	KEEP=1
	mkdir -p "$WORK_DIR"
else
	WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/balrun-bench.XXXXXX")
fi
SUITE=$WORK_DIR/suite
TABLE=$WORK_DIR/table.txt

say() { printf 'makespan: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
now() { date +%s.%N; }

cleanup() {
	if [ "$KEEP" = 1 ]; then say "suite, logs and reports kept in '$WORK_DIR'"
	else rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

build_balrun() {
	if [ -z "${BUILD_DIR:-}" ]; then
		BUILD_DIR=$REPO/build-bench
		say "building balrun in '$BUILD_DIR'"
		cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
			-DBALRUN_TESTS=OFF -DBALRUN_EXAMPLES=OFF >/dev/null
		cmake --build "$BUILD_DIR" -j2 --target balrun balrun-worker balrun-preload >/dev/null
	fi
	BALRUN=$(cd "$BUILD_DIR" && pwd)/bin/balrun
	[ -x "$BALRUN" ] || die "no balrun at '$BALRUN'"
}

generate_suite() {
	say "generating $TESTS tests in $BINARIES binaries (seed $SEED) in '$SUITE'"
	rm -rf "$SUITE"
	mkdir -p "$SUITE"
	${CC:-cc} -O2 -o "$WORK_DIR/gensuite" "$REPO/bench/gen/gensuite.c" -lm
	"$WORK_DIR/gensuite" -s "$SEED" -b "$BINARIES" -t "$TESTS" -w "$WORKERS" \
		-l "$LOWER_BOUND" "$SUITE"
	cmake -S "$SUITE" -B "$SUITE/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$SUITE/build" -j2 >/dev/null
	BINS=$(ls "$SUITE"/build/bin/suite_*)
}

# Prints "longest total bound" in seconds from durations.tsv.
lower_bound() {
	awk -F '\t' -v n="$WORKERS" '
		{ total += $3; if ($3 > longest) longest = $3 }
		END { b = total / n; if (longest > b) b = longest
		      printf "%.3f %.3f %.3f\n", longest / 1000, total / 1000, b / 1000 }
	' "$SUITE/durations.tsv"
}

# timed LABEL COMMAND...: run, time from outside, append a row to the table.
timed() {
	label=$1
	shift
	say "running: $label"
	start=$(now)
	rc=0
	"$@" >"$WORK_DIR/$(echo "$label" | tr ' ' '-').log" 2>&1 || rc=$?
	end=$(now)
	echo "$label	$start	$end	$rc" >>"$TABLE"
}

# BINS is split on purpose (one word per binary; paths have no blanks).
# shellcheck disable=SC2086
run_balrun() {
	(cd "$SUITE" && "$BALRUN" -n "$WORKERS" -q --cache-dir "$WORK_DIR/cache" \
		--json "$WORK_DIR/$1.json" $BINS)
}

run_ctest() {
	ctest --test-dir "$SUITE/build" -j "$WORKERS"
}

run_criterion_serial() {
	for bin in $BINS; do
		"$bin" -j"$WORKERS" || return 1
	done
}

run_criterion_all() {
	pids=
	for bin in $BINS; do
		"$bin" -j"$WORKERS" &
		pids="$pids $!"
	done
	status=0
	for pid in $pids; do
		wait "$pid" || status=1
	done
	return $status
}

# The value of a top-level number field in a balrun JSON report, or "-".
json_number() {
	value=$(tr -d ' \n' <"$1" 2>/dev/null |
		sed -n "s/.*\"$2\":\([0-9.eE+-]*\).*/\1/p")
	echo "${value:--}"
}

print_table() {
	# shellcheck disable=SC2046
	set -- $(lower_bound)
	printf '\n%d tests in %d binaries, %d slots: longest %.3f s, total %.3f s\n' \
		"$TESTS" "$BINARIES" "$WORKERS" "$1" "$2"
	printf 'lower bound max(longest, total / %d) = %.3f s\n\n' "$WORKERS" "$3"
	printf '%-18s %11s %9s %7s %4s\n' runner makespan_s bound_s ratio rc
	awk -F '\t' -v bound="$3" '{
		span = $3 - $2
		printf "%-18s %11.3f %9.3f %7.2f %4d\n", $1, span, bound, span / bound, $4
	}' "$TABLE"
	# The sleeps are not all a test costs: Criterion starts a process per test
	# (tens of ms, which every runner pays).  balrun measures each test with
	# that cost included; the bound from those measured durations says how
	# close the dispatch came to what the tests really cost.
	printf '\nbound from the durations balrun measured (sleep + Criterion'"'"'s process per test):\n'
	printf '%-18s %11s %9s %7s\n' run wall_s bound_s ratio
	for run in cold warm; do
		json=$WORK_DIR/balrun-$run.json
		awk -v run="balrun $run" -v wall="$(json_number "$json" wall_s)" \
		    -v bound="$(json_number "$json" lower_bound_s)" 'BEGIN {
			if (bound > 0) printf "%-18s %11.3f %9.3f %7.2f\n", run, wall, bound, wall / bound
		}'
	done
}

build_balrun
generate_suite
: >"$TABLE"
rm -rf "$WORK_DIR/cache"
timed "balrun cold" run_balrun balrun-cold
timed "balrun warm" run_balrun balrun-warm
rm -rf "$SUITE/build/Testing"
timed "ctest cold" run_ctest
timed "ctest warm" run_ctest
timed "criterion serial" run_criterion_serial
timed "criterion all" run_criterion_all
print_table
