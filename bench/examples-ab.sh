#!/usr/bin/env bash
# bench/examples-ab.sh - the bundled examples at -n 2, warm, through two or more
# builds of balrun, run in turn so that the machine's drift falls on all alike.
#
#   bench/examples-ab.sh [ROUNDS] BUILD_DIR...
#
# Each BUILD_DIR is a configured and built balrun tree (bin/balrun and the
# target 'examples'), for instance main's and a branch's.  Each gets its own
# cache, warmed by two runs; then ROUNDS (default 5) rounds run each build
# once, in the order given, at nice -n -15 when allowed.  Per build it prints
# the medians and ranges of: the wall time, the lower bound from the measured
# durations, their ratio (the issue 12 goal: within 2 %), and the time each
# worker spent outside its tests (its wall less the sum of its tests'
# durations: process starts and hand-overs).  Needs python3 for the JSON.
set -euo pipefail

ROUNDS=5
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
	ROUNDS=$1
	shift
fi
if (($# < 1)); then
	echo "usage: bench/examples-ab.sh [ROUNDS] BUILD_DIR..." >&2
	exit 4
fi
for b in "$@"; do
	if [[ ! -x $b/bin/balrun || ! -x $b/examples/example_calc ]]; then
		echo "examples-ab: '$b' has no bin/balrun or examples (build the targets balrun and examples)" >&2
		exit 4
	fi
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/balrun-examples-ab.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
NICE=()
if nice -n -15 true 2>/dev/null; then NICE=(nice -n -15); fi

run() {	# run BUILD_INDEX OUT_JSON
	local b=${BUILDS[$1]}
	"${NICE[@]}" "$b/bin/balrun" -n 2 -q --cache-dir "$WORK/cache-$1" ${2:+--json "$2"} \
		"$b"/examples/example_* >/dev/null 2>&1 || true   # some examples fail on purpose
}

BUILDS=("$@")
for i in "${!BUILDS[@]}"; do
	run "$i" ""
	run "$i" ""
done
for ((r = 1; r <= ROUNDS; r++)); do
	for i in "${!BUILDS[@]}"; do
		run "$i" "$WORK/b$i-r$r.json"
	done
done
python3 - "$WORK" "${BUILDS[@]}" <<'EOF'
import glob, json, statistics, sys
work, builds = sys.argv[1], sys.argv[2:]
def stat(v, fmt):
    return (fmt + " (" + fmt + "-" + fmt + ")") % (statistics.median(v), min(v), max(v))
for i, b in enumerate(builds):
    wall, bound, ratio, outside = [], [], [], []
    for f in sorted(glob.glob("%s/b%d-r*.json" % (work, i))):
        d = json.load(open(f))
        sums = {}
        for t in d["tests"]:
            if t["worker"] >= 0:
                sums[t["worker"]] = sums.get(t["worker"], 0) + t["duration_s"]
        wall.append(d["wall_s"])
        bound.append(d["lower_bound_s"])
        ratio.append(d["wall_s"] / d["lower_bound_s"])
        outside += [d["wall_s"] - s for s in sums.values()]
    print("%s: %d runs; wall %s s; lower bound %s s; ratio %s; outside tests per worker %s s" % (
        b, len(wall), stat(wall, "%.3f"), stat(bound, "%.3f"), stat(ratio, "%.4f"),
        stat(outside, "%.3f")))
EOF
