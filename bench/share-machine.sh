#!/bin/bash
# bench/share-machine.sh - four local shards on one machine, each with
# -n auto, against the same four with --share-machine (issue 13: never
# overload the machine).
#
# Generates BINARIES cmocka binaries of TESTS CPU-bound tests each (every
# test spins for BURN_MS milliseconds of CPU), warms one timing cache so
# that every shard knows the durations, then, in one run of the script and
# ROUNDS times each, alternating:
#
#   alone      the whole suite in one balrun -n auto (the reference)
#   4 shards   balrun --shard k/4 -n auto, k = 1..4, started together: each
#              picks as many workers as there are CPUs, so 4 x CPUs
#              CPU-bound tests run at once
#   shared     the same four with --share-machine: together they run no
#              more tests than there are CPUs
#
# and prints, per row: wall_s (from the first start to the last exit; the
# median of ROUNDS), its ratio over "alone", runnable (the mean number of
# runnable tasks, procs_running in /proc/stat, sampled every 50 ms: what
# the scheduler had to share the CPUs among), peak_tests (the most test
# processes on a CPU or waiting for one at a sample), the peak 1-minute
# load average during the row, and the exit status of the shards. Tests are
# CPU-bound, so the CPUs are the limit in every row: the shared budget buys
# a machine that stays responsive (runnable tasks near the CPU count), not
# a shorter wall time, and the ratio shows what it costs.
#
#   BUILD_DIR=build bench/share-machine.sh
#
# Settings: BUILD_DIR (build), BINARIES (4), TESTS (60), BURN_MS (40),
# ROUNDS (3), WORK_DIR (a new temporary directory, removed unless KEEP=1),
# CC (gcc).  Needs gcc, pkg-config and libcmocka-dev.  Asserts nothing: it
# is not part of ctest.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=$(cd "${BUILD_DIR:-$top/build}" && pwd)
BALRUN=$BUILD_DIR/bin/balrun
BINARIES=${BINARIES:-4}
TESTS=${TESTS:-60}
BURN_MS=${BURN_MS:-40}
ROUNDS=${ROUNDS:-3}
CC=${CC:-gcc}
KEEP=${KEEP:-0}
if [[ -n ${WORK_DIR:-} ]]; then
	mkdir -p "$WORK_DIR"
	KEEP=1
else
	WORK_DIR=$(mktemp -d)
fi
trap '[[ $KEEP == 1 ]] || rm -rf "$WORK_DIR"' EXIT
[[ -x $BALRUN ]] || { echo "share-machine: no balrun at $BALRUN (set BUILD_DIR)" >&2; exit 1; }

say() { echo "share-machine: $*" >&2; }

# gen NAME: a cmocka binary of TESTS tests, each spinning BURN_MS of CPU time
gen() {
	local src=$WORK_DIR/$1.c i
	{
		cat <<EOF
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <time.h>
#include <cmocka.h>
static volatile unsigned long sink;
static void burn(void **state)
{
	struct timespec t0, t;
	(void)state;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 10000; i++)
			sink += (unsigned long)i * 2654435761u;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < $BURN_MS);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
EOF
		for ((i = 0; i < TESTS; i++)); do
			printf '\t\t{ "burn_%03d", burn, NULL, NULL, NULL },\n' "$i"
		done
		cat <<EOF
	};
	return cmocka_run_group_tests_name("$1", tests, NULL, NULL);
}
EOF
	} >"$src"
	# shellcheck disable=SC2046
	"$CC" -O1 -o "$WORK_DIR/$1" "$src" $(pkg-config --cflags --libs cmocka)
}

# sample FLAG OUT: while FLAG exists, every 50 ms: the runnable tasks
# (procs_running, less the sampler's own awk), and the test processes
# (burn_*) on a CPU or waiting for one; writes "mean_runnable peak_tests
# peak_load" (peak of the 1-minute load average)
sample() {
	awk -v flag="$1" '
	function exists(f) { return (getline line < f) >= 0 ? (close(f) || 1) : 0 }
	BEGIN {
		while (exists(flag)) {
			while ((getline l < "/proc/stat") > 0)
				if (l ~ /^procs_running/) { split(l, f, " "); run = f[2] - 1 }
			close("/proc/stat")
			getline l < "/proc/loadavg"; close("/proc/loadavg"); split(l, f, " ")
			if (f[1] > load) load = f[1]
			tests = 0
			cmd = "grep -l \"^[0-9]* (burn_[0-9]*) R\" /proc/[0-9]*/stat 2>/dev/null | wc -l"
			cmd | getline tests; close(cmd)
			if (tests > peak) peak = tests
			sum += run; n++
			system("sleep 0.05")
		}
		printf "%.1f %d %.2f\n", n ? sum / n : 0, peak, load
	}' >"$2"
}

bins=()
for ((b = 0; b < BINARIES; b++)); do
	bins+=("$WORK_DIR/burn_$b")
	gen "burn_$b"
done
cache=$WORK_DIR/cache
say "warming the timing cache ($BINARIES x $TESTS tests of $BURN_MS ms of CPU)"
"$BALRUN" -q --cache-dir "$cache" "${bins[@]}" >/dev/null

# one_row MODE: run it once; prints "wall_s peak_running peak_load rc"
one_row() {
	local mode=$1 start end flag=$WORK_DIR/running rc=0 k
	local -a pids=() extra=()
	touch "$flag"
	sample "$flag" "$WORK_DIR/peaks" &
	local sampler=$!
	start=$(date +%s.%N)
	if [[ $mode == alone ]]; then
		"$BALRUN" -q -n auto --cache-dir "$cache" "${bins[@]}" >/dev/null 2>&1 || rc=$?
	else
		[[ $mode == shared ]] && extra=(--share-machine)
		for k in 1 2 3 4; do
			# each shard its own cache copy, as separate CI jobs or worktrees would have
			rm -rf "$WORK_DIR/cache-$k" && cp -r "$cache" "$WORK_DIR/cache-$k"
		done
		for k in 1 2 3 4; do
			"$BALRUN" -q -n auto --shard "$k/4" "${extra[@]}" --cache-dir "$WORK_DIR/cache-$k" \
				"${bins[@]}" >/dev/null 2>&1 &
			pids+=($!)
		done
		for k in "${pids[@]}"; do
			wait "$k" || rc=$?
		done
	fi
	end=$(date +%s.%N)
	rm -f "$flag"
	wait "$sampler"
	echo "$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }') $(cat "$WORK_DIR/peaks") $rc"
}

declare -A walls means peaks_tests peaks_load rcs
for ((r = 1; r <= ROUNDS; r++)); do
	for mode in alone shards shared; do
		say "round $r: $mode"
		read -r w mr pt pl rc < <(one_row "$mode")
		walls[$mode]+="$w "
		means[$mode]+="$mr "
		peaks_tests[$mode]=$(( ${peaks_tests[$mode]:-0} > pt ? ${peaks_tests[$mode]:-0} : pt ))
		peaks_load[$mode]=$(awk -v a="${peaks_load[$mode]:-0}" -v b="$pl" 'BEGIN { print (a > b ? a : b) }')
		rcs[$mode]=$rc
	done
done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo
echo "balrun share-machine benchmark: $(date -u +%F), commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo ?), $(nproc) CPUs"
echo "$BINARIES binaries x $TESTS tests x $BURN_MS ms of CPU; wall_s, runnable: median of $ROUNDS rounds; peaks over all rounds"
echo
printf '%-27s %8s %7s %9s %10s %9s %4s\n' row wall_s ratio runnable peak_tests peak_load rc
base=$(median "${walls[alone]}")
for mode in alone shards shared; do
	w=$(median "${walls[$mode]}")
	case $mode in
	alone) name="one run, -n auto" ;;
	shards) name="4 shards, -n auto" ;;
	shared) name="4 shards, --share-machine" ;;
	esac
	printf '%-27s %8.3f %7.2f %9.1f %10d %9.2f %4d\n' "$name" "$w" \
		"$(awk -v a="$w" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" \
		"$(median "${means[$mode]}")" "${peaks_tests[$mode]}" "${peaks_load[$mode]}" "${rcs[$mode]}"
done
