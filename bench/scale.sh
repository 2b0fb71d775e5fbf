#!/bin/bash
# bench/scale.sh - what balrun costs per case, against the binaries run alone
# (issue 12: overhead near zero and a million tests).
#
# Generates binaries of trivial tests (bench/gen/genscale.c: tests that do
# nothing, so all that is measured is the runner) and times, in one run of
# the script, side by side:
#
#   small       SMALL (10,000) cmocka cases in one binary: the binary alone
#               (cmocka's default output, to /dev/null), balrun -n 2 cold and
#               warm, balrun -n 1 warm
#   big         BIG_BINARIES (10) cmocka binaries of 100,000 x SCALE cases:
#               the binaries one after the other, balrun -n 2 cold and warm,
#               balrun --list, balrun --plan -n 8; the timing cache's file
#               size, `balrun cache prune` (load + save) and `balrun cache
#               show` on it; bench/tcache_bench with 100,000 and
#               1,000,000 x SCALE synthetic entries
#   criterion   CRITERION (200) trivial Criterion tests in one binary: the
#               binary alone (-j1, -j2) against balrun -n 1 and -n 2, warm;
#               what balrun adds per batch and per test
#   examples    the bundled examples (BUILD_DIR/examples) at -n 2, warm: the
#               wall time against the lower bound from the durations balrun
#               measured (its JSON report's wall_s and lower_bound_s)
#
# Every row prints wall seconds, the ratio to its part's direct run, and peak
# RSS: "tree" is /usr/bin/time's %M for the command (the largest of the
# process and everything it waited for), "coord" the balrun process's own
# VmHWM and "workers" each balrun-worker's VmHWM, both read from /proc every
# 50 ms while it runs (growth in the last 50 ms of a process is missed).
# The script asserts nothing about speed: it exits 0 when it ran.
#
# Environment (all optional):
#   BUILD_DIR   a balrun build directory (bin/balrun, bin/tcache_bench,
#               examples/); default: configure and build one in
#               <repo>/build-bench
#   SCALE       the big part's size: 1 = 10 x 100,000 cases (minutes today),
#               0.1 = 10 x 10,000, 0 = skip it (1)
#   SMALL       cases in the small part's binary (10000)
#   CRITERION   tests in the Criterion binary (200)
#   BIG_BINARIES binaries in the big part (10)
#   REPEAT      runs of each small, Criterion and direct row; the median wall
#               time is shown (3)
#   PARTS       which parts to run ("small big criterion examples")
#   WORK_DIR    where the suites, caches and logs go (a new temporary
#               directory, removed at the end unless KEEP=1 or WORK_DIR is
#               given)
#   CC          the C compiler (gcc)
set -euo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
SCALE=${SCALE:-1}
SMALL=${SMALL:-10000}
CRITERION=${CRITERION:-200}
BIG_BINARIES=${BIG_BINARIES:-10}
REPEAT=${REPEAT:-3}
PARTS=${PARTS:-small big criterion examples}
KEEP=${KEEP:-0}
CC=${CC:-gcc}
if [[ -n ${WORK_DIR:-} ]]; then
	KEEP=1
	mkdir -p "$WORK_DIR"
else
	WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/balrun-scale.XXXXXX")
fi
WORK_DIR=$(cd "$WORK_DIR" && pwd)
TABLE=$WORK_DIR/table.tsv
NOTES=$WORK_DIR/notes.txt
BIG_TESTS=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 100000 * s + 0.5 }')

say() { printf 'scale: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

cleanup() {
	if [[ $KEEP == 1 ]]; then say "suites, caches and logs kept in '$WORK_DIR'"
	else rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

want() { [[ " $PARTS " == *" $1 "* ]]; }

build_balrun() {
	if [[ -z ${BUILD_DIR:-} ]]; then
		BUILD_DIR=$REPO/build-bench
		say "building balrun in '$BUILD_DIR'"
		cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
			-DBALRUN_TESTS=OFF -DBALRUN_EXAMPLES=ON >/dev/null
		cmake --build "$BUILD_DIR" -j2 --target balrun balrun-worker balrun-preload \
			tcache_bench examples >/dev/null
	fi
	BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
	BALRUN=$BUILD_DIR/bin/balrun
	[[ -x $BALRUN ]] || die "no balrun at '$BALRUN'"
	[[ -x /usr/bin/time ]] || die "needs GNU time as /usr/bin/time (apt-get install time)"
}

# gen FRAMEWORK TESTS PREFIX OUT: generate and compile one binary.
gen() {
	local flags
	"$WORK_DIR/genscale" -f "$1" -t "$2" -p "$3" "$4.c"
	# shellcheck disable=SC2086
	flags=$(pkg-config --cflags --libs "$1")
	# shellcheck disable=SC2086
	"$CC" -O0 -o "$4" "$4.c" $flags
}

# hwm PID: HWM = the process's peak RSS in kB (VmHWM), 0 when it is gone.
hwm() {
	local key value
	HWM=0
	while read -r key value _; do
		if [[ $key == VmHWM: ]]; then
			HWM=$value
			break
		fi
	done 2>/dev/null <"/proc/$1/status" || true
}

# poll_rss TIME_PID OUT: while the command /usr/bin/time started runs, keep
# the VmHWM of balrun (time's child) and of each balrun-worker below it;
# writes "COORD_KB WORKER_KB/WORKER_KB/..." to OUT after every look.
poll_rss() {
	set +e
	local tpid=$1 out=$2 coord='' cmax=0 f k name list
	local -a kids
	local -A wpeak=()
	while kill -0 "$tpid" 2>/dev/null; do
		if [[ -z $coord ]]; then
			read -r coord _ 2>/dev/null <"/proc/$tpid/task/$tpid/children"
		fi
		if [[ -n $coord ]]; then
			hwm "$coord"
			((HWM > cmax)) && cmax=$HWM
			for f in /proc/"$coord"/task/*/children; do
				kids=()
				# no newline at the end of the file: read "fails" with the pids read
				read -r -a kids 2>/dev/null <"$f"
				for k in "${kids[@]}"; do
					read -r name 2>/dev/null <"/proc/$k/comm" || continue
					[[ $name == balrun-worker ]] || continue
					hwm "$k"
					((HWM > ${wpeak[$k]:-0})) && wpeak[$k]=$HWM
				done
			done
			list=
			for k in "${!wpeak[@]}"; do list+=${list:+/}${wpeak[$k]}; done
			printf '%s %s\n' "$cmax" "${list:--}" >"$out"
		fi
		sleep 0.05
	done
}

# measure LOG COMMAND...: run COMMAND (output to LOG), set WALL (seconds),
# RC, TREE_KB (time's %M), COORD_KB and WORKERS_KB (polled; "-" when none).
measure() {
	local log=$1 t0 t1 tpid ppid
	shift
	: >"$WORK_DIR/poll.out"
	RC=0
	t0=$EPOCHREALTIME
	/usr/bin/time -f %M -o "$WORK_DIR/time.out" "$@" >"$log" 2>&1 &
	tpid=$!
	ppid=
	if [[ $1 == "$BALRUN" ]]; then
		poll_rss "$tpid" "$WORK_DIR/poll.out" &
		ppid=$!
	fi
	wait "$tpid" || RC=$?
	t1=$EPOCHREALTIME
	# The poller stops by itself within 50 ms of the command's end.
	if [[ -n $ppid ]]; then wait "$ppid" 2>/dev/null || true; fi
	WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	TREE_KB=$(tail -n 1 "$WORK_DIR/time.out")
	COORD_KB=- WORKERS_KB=-
	if [[ -s $WORK_DIR/poll.out ]]; then
		read -r COORD_KB WORKERS_KB <"$WORK_DIR/poll.out"
	fi
}

# row PART LABEL BASE REPEAT [PREP --] COMMAND...: measure COMMAND REPEAT
# times (running the shell function PREP before each), keep the median wall
# time and the largest RSS, and add a row to the table; BASE is the label of
# the part's row the ratio is taken against ("-": this row is the base).
row() {
	local part=$1 label=$2 base=$3 times=$4 prep=: i walls='' tree=0 coord=- workers=- rc=0
	shift 4
	if [[ $1 == prep:* ]]; then
		prep=${1#prep:}
		shift
	fi
	say "$part: $label"
	for ((i = 0; i < times; i++)); do
		$prep
		measure "$WORK_DIR/logs/$part-${label//[^a-zA-Z0-9-]/_}.log" "$@"
		walls+="$WALL "
		((TREE_KB > tree)) && tree=$TREE_KB
		[[ $COORD_KB == - ]] || coord=$COORD_KB
		[[ $WORKERS_KB == - ]] || workers=$WORKERS_KB
		((RC != 0)) && rc=$RC
	done
	# shellcheck disable=SC2086
	WALL=$(printf '%s\n' $walls | sort -n | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$part" "$label" "$base" "$WALL" "$tree" \
		"$coord" "$workers" "$rc" >>"$TABLE"
}

note() { printf '%s\n' "$*" >>"$NOTES"; }

# json_number FILE FIELD: a top-level number of a balrun JSON report, or "-".
json_number() {
	local value
	value=$(tr -d ' \n' <"$1" 2>/dev/null | sed -n "s/.*\"$2\":\([0-9.eE+-]*\).*/\1/p")
	echo "${value:--}"
}

# units FILE: how many units (batches) the workers ran, from the JSON report.
units() {
	tr -d ' \n' <"$1" | grep -o '"units":[0-9]*' | awk -F: '{ n += $2 } END { print n + 0 }'
}

# outside_s FILE WALL: per worker, the wall time not spent in its tests (wall less the sum of
# its tests' durations): what starting processes and handing units over cost it, as "w0 0.141 s, ...".
outside_s() {
	tr -d ' \n' <"$1" | grep -o '"duration_s":[0-9.eE+-]*,"worker":[0-9]*' |
		awk -F '[:,]' -v wall="$2" '{ sum[$4] += $2 }
			END { for (w = 0; w in sum; w++) printf "%sw%d %.3f s", (w ? ", " : ""), w, wall - sum[w] }'
}

# own_ms FILE: balrun's own ms per unit from the JSON report: the workers' own_s over their units.
own_ms() {
	tr -d ' \n' <"$1" | grep -o '"own_s":[0-9.eE+-]*,"units":[0-9]*' |
		awk -F '[:,]' '{ own += $2; n += $4 } END { printf "%.2f", n ? own * 1000 / n : 0 }'
}

# SERIALLY BINARY...: each binary in turn, its output to /dev/null.
# shellcheck disable=SC2016
SERIALLY=(bash -c 'for b; do "$b" >/dev/null 2>&1 || exit 1; done' serially)

# -- the parts -----------------------------------------------------------

part_small() {
	local dir=$WORK_DIR/small
	mkdir -p "$dir"
	say "small: generating $SMALL cmocka cases"
	gen cmocka "$SMALL" small "$dir/small"
	cd "$dir"
	./small >/dev/null 2>&1 || true		# page it in
	fresh_small() { rm -rf "$dir/cache"; }
	row small "binary alone" - "$REPEAT" ./small
	row small "balrun -n 2 cold" "binary alone" "$REPEAT" prep:fresh_small \
		"$BALRUN" -n 2 --cache-dir "$dir/cache" ./small
	row small "balrun -n 2 warm" "binary alone" "$REPEAT" "$BALRUN" -n 2 --cache-dir "$dir/cache" ./small
	row small "balrun -n 1 warm" "binary alone" "$REPEAT" "$BALRUN" -n 1 --cache-dir "$dir/cache" ./small
}

part_big() {
	local dir=$WORK_DIR/big i cache size
	local -a bins=()
	mkdir -p "$dir"
	say "big: generating $BIG_BINARIES cmocka binaries of $BIG_TESTS cases"
	for ((i = 0; i < BIG_BINARIES; i++)); do
		bins+=("./big_$(printf %02d "$i")")
		gen cmocka "$BIG_TESTS" "big_$(printf %02d "$i")" "$dir/${bins[i]#./}" &
		if ((i % 2 == 1)); then wait; fi
	done
	wait
	cd "$dir"
	cache=$dir/cache
	"${SERIALLY[@]}" "${bins[@]}" || true	# page them in
	row big "binaries serially" - 1 "${SERIALLY[@]}" "${bins[@]}"
	row big "balrun -n 2 cold" "binaries serially" 1 "$BALRUN" -n 2 --cache-dir "$cache" "${bins[@]}"
	row big "balrun -n 2 warm" "binaries serially" 1 "$BALRUN" -n 2 --cache-dir "$cache" "${bins[@]}"
	row big "... and every report" "binaries serially" 1 "$BALRUN" -n 2 --cache-dir "$cache" \
		--json "$dir/r.json" --junit "$dir/r.xml" --timeline "$dir/r.html" --trace "$dir/r.trace" \
		"${bins[@]}"
	rm -f "$dir/r.json" "$dir/r.xml" "$dir/r.html" "$dir/r.trace"
	row big "balrun --list" "binaries serially" 1 "$BALRUN" --list --cache-dir "$cache" "${bins[@]}"
	row big "balrun --plan -n 8" "binaries serially" 1 \
		"$BALRUN" --plan -n 8 --cache-dir "$cache" "${bins[@]}"
	size=$(stat -c %s "$cache/timings" 2>/dev/null || echo 0)
	rm -rf "$dir/cache-copy"
	cp -r "$cache" "$dir/cache-copy"
	row big "cache show" "binaries serially" 1 "$BALRUN" cache show --cache-dir "$dir/cache-copy"
	row big "cache prune" "binaries serially" 1 "$BALRUN" cache prune --cache-dir "$dir/cache-copy"
	note "$(awk -v s="$size" -v n="$((BIG_BINARIES * BIG_TESTS))" 'BEGIN {
		printf "big: timing cache of %d tests: %.1f MB (%.0f bytes per test)", n, s / 1e6, s / n }')"
	note "big: cache show = load + print the table; cache prune = lock, load, prune, write, fsync, rename"
	if [[ -x $BUILD_DIR/bin/tcache_bench ]]; then
		for n in $(printf '%s\n' 100000 $((BIG_BINARIES * BIG_TESTS)) | sort -nu); do
			say "big: tcache_bench $n"
			"$BUILD_DIR/bin/tcache_bench" "$n" >"$WORK_DIR/logs/tcache_bench-$n.log" 2>&1 || true
			note "$(awk -v n="$n" '
				/^save \(first\)/ { first = $3 } /^load/ { load = $2 }
				/^save \(merge\)/ { save = $3 } /^file size/ { mib = $3 }
				END { printf "tcache_bench %7d synthetic entries: load %7.1f ms, save %7.1f ms," \
					" load+save %7.1f ms, first save %7.1f ms, file %.1f MiB", n, load, save,
					load + save, first, mib }' "$WORK_DIR/logs/tcache_bench-$n.log")"
		done
	fi
}

part_criterion() {
	local dir=$WORK_DIR/criterion b1 b2 one
	mkdir -p "$dir"
	say "criterion: generating $CRITERION trivial tests"
	gen criterion "$CRITERION" crit "$dir/crit"
	cd "$dir"
	./crit -j1 >/dev/null 2>&1 || true
	"$BALRUN" -n 1 -q --cache-dir "$dir/cache1" ./crit >/dev/null 2>&1 || true
	"$BALRUN" -n 2 -q --cache-dir "$dir/cache2" ./crit >/dev/null 2>&1 || true
	row criterion "binary alone -j1" - "$REPEAT" ./crit -j1
	# what Criterion itself costs per invocation: one test alone, less a test's share of the whole run
	row criterion "binary, one test" - "$REPEAT" ./crit -j1 --filter crit/case_0000000
	row criterion "balrun -n 1 warm" "binary alone -j1" "$REPEAT" \
		"$BALRUN" -n 1 --cache-dir "$dir/cache1" --json "$dir/n1.json" ./crit
	# what balrun costs once per run (start, collection: one Criterion listing, worker, report)
	row criterion "balrun, one test" "binary, one test" "$REPEAT" \
		"$BALRUN" -n 1 --cache-dir "$dir/cache1" -k crit/case_0000000 ./crit
	row criterion "binary alone -j2" - "$REPEAT" ./crit -j2
	row criterion "balrun -n 2 warm" "binary alone -j2" "$REPEAT" \
		"$BALRUN" -n 2 --cache-dir "$dir/cache2" --json "$dir/n2.json" ./crit
	b1=$(awk -F '\t' '$1 == "criterion" && $2 == "binary alone -j1" { print $4 }' "$TABLE")
	b2=$(awk -F '\t' '$1 == "criterion" && $2 == "binary alone -j2" { print $4 }' "$TABLE")
	one=$(awk -F '\t' '$1 == "criterion" && $2 == "binary, one test" { print $4 }' "$TABLE")
	bone=$(awk -F '\t' '$1 == "criterion" && $2 == "balrun, one test" { print $4 }' "$TABLE")
	for n in 1 2; do
		local base=$b1
		[[ $n == 2 ]] && base=$b2
		# every batch but one is an invocation the direct run does not pay: Criterion's start
		# (inv); what is left over per batch is balrun's own
		note "$(awk -F '\t' -v n="$n" -v base="$base" -v units="$(units "$dir/n$n.json")" \
			-v tests="$CRITERION" -v one="$one" -v b1="$b1" -v bone="$bone" \
			'$1 == "criterion" && $2 == "balrun -n " n " warm" {
			added = ($4 - base) * 1000
			inv = (one - b1 / tests) * 1000
			printf "criterion -n %d: balrun adds %.0f ms over -j%d: %.1f ms per batch (%d batches), %.2f ms per test",
				n, added, n, units ? added / units : 0, units, added / tests
			# one worker: the batches run one after the other, each but the first a start of Criterion
			if (n == 1 && units) {
				own = (added - (units - 1) * inv) / units
				printf "; Criterion starts an invocation in %.1f ms, which leaves %s per batch to balrun",
					inv, own < 1 ? "under 1 ms" : sprintf("%.1f ms", own)
				# what balrun costs once per run (balrun, one test - binary, one test) is no batch cost
				fixed = (bone - one) * 1000
				printf "; of that, %.0f ms is paid once per run (start, collection, report)", fixed
				if (units > 1)
					printf ", leaving %.1f ms per further batch",
						(added - fixed) / (units - 1) - inv
			}
			printf "\n" }' "$TABLE")"
		note "criterion -n $n: balrun's own part of a unit (its wall less its invocations', the report's own_s): $(own_ms "$dir/n$n.json") ms per unit"
	done
}

part_examples() {
	local dir=$WORK_DIR/examples json wall bound f i last
	local -a bins=("$BUILD_DIR"/examples/example_*)
	if [[ ! -x ${bins[0]} ]]; then
		note "examples: none in '$BUILD_DIR/examples' (build the target 'examples'): skipped"
		return
	fi
	mkdir -p "$dir"
	cd "$dir"
	say "examples: cold run to fill the cache"
	"$BALRUN" -n 2 -q --cache-dir "$dir/cache" "${bins[@]}" >"$WORK_DIR/logs/examples-cold.log" 2>&1 || true
	json=$dir/warm.json
	examples_run=0
	# before each run: keep the previous run's report (row measures REPEAT runs)
	keep_examples_json() {
		if [[ -s $json ]]; then mv "$json" "$dir/warm-$((++examples_run)).json"; fi
	}
	rm -f "$json" "$dir"/warm-*.json
	row examples "balrun -n 2 warm" - "$REPEAT" prep:keep_examples_json \
		"$BALRUN" -n 2 --cache-dir "$dir/cache" --json "$json" "${bins[@]}"
	keep_examples_json
	for ((i = 1; i <= examples_run; i++)); do
		f=$dir/warm-$i.json
		wall=$(json_number "$f" wall_s)
		bound=$(json_number "$f" lower_bound_s)
		# the last test's end: what comes after it is the end of the run (the check of the
		# failures for order dependence, a second phase whose tests the bound leaves out)
		last=$(tr -d ' \n' <"$f" | grep -o '"end_s":[0-9.eE+-]*' | cut -d: -f2 | sort -g | tail -n 1)
		note "$(awk -v w="$wall" -v b="$bound" -v l="${last:-0}" -v u="$(units "$f")" 'BEGIN {
			printf "examples -n 2 warm (exit 1 expected: some examples fail on purpose): wall_s %.3f," \
				" lower_bound_s %.3f (from measured durations), ratio %.3f; %d units;" \
				" %.3f s after the last test ends (ratio up to it %.3f)", w, b, (b > 0 ? w / b : 0),
				u, w - l, (b > 0 ? l / b : 0) }'); outside tests: $(outside_s "$f" "$wall")"
	done
}

print_table() {
	printf '\nbalrun scale benchmark: %s, commit %s, %s CPUs\n' "$(date +%Y-%m-%d)" \
		"$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')" "$(nproc)"
	printf 'small: %d cmocka cases in 1 binary; big: %d x %d cmocka cases; criterion: %d tests\n' \
		"$SMALL" "$BIG_BINARIES" "$BIG_TESTS" "$CRITERION"
	printf 'wall_s: median of %d runs (small, criterion), else 1; ratio: over the part'"'"'s direct run\n' "$REPEAT"
	printf 'RSS in MB: tree = /usr/bin/time %%M; coord, workers = VmHWM polled every 50 ms\n\n'
	awk -F '\t' '
		function mb(kb) { return kb == "-" ? "-" : sprintf("%.1f", kb / 1024) }
		function mbs(list,   n, a, i, s) {
			if (list == "-") return "-"
			n = split(list, a, "/"); s = ""
			for (i = 1; i <= n; i++) s = s (i > 1 ? "/" : "") sprintf("%.0f", a[i] / 1024)
			return s
		}
		BEGIN { printf "%-10s %-22s %9s %8s %8s %8s  %-10s %3s\n",
			"part", "row", "wall_s", "ratio", "tree_MB", "coord_MB", "workers_MB", "rc" }
		{ wall[$1 "\t" $2] = $4
		  base = $3 == "-" ? $4 : wall[$1 "\t" $3]
		  printf "%-10s %-22s %9.3f %8s %8s %8s  %-10s %3d\n", $1, $2, $4,
			(base > 0 ? sprintf("%.2f", $4 / base) : "-"), mb($5), mb($6), mbs($7), $8 }
	' "$TABLE"
	if [[ -s $NOTES ]]; then
		printf '\n'
		cat "$NOTES"
	fi
}

build_balrun
mkdir -p "$WORK_DIR/logs"
: >"$TABLE"
: >"$NOTES"
"$CC" -O2 -o "$WORK_DIR/genscale" "$REPO/bench/gen/genscale.c"
if want small; then part_small; fi
if want big && ((BIG_TESTS > 0)); then part_big; fi
if want criterion; then part_criterion; fi
if want examples; then part_examples; fi
print_table
