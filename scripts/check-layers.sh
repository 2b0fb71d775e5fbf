#!/bin/sh
# scripts/check-layers.sh - dependencies point one way (docs/architecture.md).
#
#   scripts/check-layers.sh [REPO]
#
# Reads every #include "..." of the sources and fails (exit 1, one line per
# finding) when
#   - a file includes a header of a later layer, or of another folder of the
#     same layer;
#   - a file includes another folder's private header (*-internal.h and the
#     headers listed below), which only its own folder may use;
#   - modules (a .c file and its .h) depend on each other in a circle;
#   - a source file has more than 600 lines (split it by what it does).
# The layers, first to last (a file may include its own and earlier ones):
#   0 common/                 1 balancer/, timing-cache/      2 worker/ (its core)
#   3 adapters/               4 worker/main.c, runner/run.*   5 runner/input/
#   6 runner/collect/         7 runner/plan/                  8 runner/exec/
#   9 runner/output/         10 runner/cache/                11 runner/main.c
# Tests, fuzzers and benchmarks may include anything.  Needs only sh, find,
# sed and awk.
set -eu

top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top"

# "file<TAB>included name" for every quoted include of the checked sources
find common balancer timing-cache worker adapters runner -name '*.[ch]' 2>/dev/null | sort |
while read -r f; do
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
	while read -r inc; do printf '%s\t%s\n' "$f" "$inc"; done
done > /tmp/check-layers.$$ || true
find common balancer timing-cache worker adapters runner -name '*.h' 2>/dev/null | sort > /tmp/check-layers-h.$$

awk -F '\t' '
function dir(p) { sub(/\/[^\/]*$/, "", p); return p }
function module(p) { sub(/\.[ch]$/, "", p); return p }
function base(p) { sub(/^.*\//, "", p); return p }
function layer(p) {
	if (p ~ /^common\//) return 0
	if (p ~ /^(balancer|timing-cache)\//) return 1
	if (p == "worker/main.c") return 4
	if (p ~ /^worker\//) return 2
	if (p ~ /^adapters\//) return 3
	if (p ~ /^runner\/run\.[ch]$/ || p ~ /^runner\/json\.[ch]$/) return 4
	if (p ~ /^runner\/input\//) return 5
	if (p ~ /^runner\/collect\//) return 6
	if (p ~ /^runner\/plan\//) return 7
	if (p ~ /^runner\/exec\//) return 8
	if (p ~ /^runner\/output\//) return 9
	if (p ~ /^runner\/cache\//) return 10
	if (p == "runner/main.c") return 11
	return -1
}
# the layer group a folder belongs to: folders of one layer must not include each other
function group(p,  d) { d = dir(p); if (d ~ /^adapters/) return "adapters"; return d }
function private(p,  b) {
	b = base(p)
	return b ~ /-internal\.h$/ || b == "internal.h" || b == "order.h" || b ~ /^tc-(file|format|table|ops|updates)\.h$/
}
FNR == NR { byname[base($0)] = (base($0) in byname) ? byname[base($0)] " " $0 : $0; next }
{
	file = $1; inc = $2
	# resolve: the same folder first, else the one header of that name
	cand = dir(file) "/" inc
	if (!(base(inc) in byname)) next		# a system or generated header
	n = split(byname[base(inc)], all, " ")
	target = all[1]
	for (i = 1; i <= n; i++) if (all[i] == cand) target = cand
	# private headers belong to the modules of their folder: no circle through them
	if (module(target) != module(file) && !private(target) && !private(file))
		edges[module(file)] = edges[module(file)] " " module(target)
	lf = layer(file); lt = layer(target)
	if (lf < 0 || lt < 0) next
	if (lt > lf) { printf "%s: includes %s, a later layer (%d > %d)\n", file, target, lt, lf; bad = 1 }
	else if (lt == lf && group(file) != group(target) && dir(file) != dir(target)) {
		printf "%s: includes %s, another folder of the same layer\n", file, target; bad = 1
	}
	if (private(target) && group(file) != group(target)) {
		printf "%s: includes %s, private to %s/\n", file, target, dir(target); bad = 1
	}
}
function visit(m,  n, i, e, k, path) {
	if (state[m] == 1) {
		path = m
		for (k = depth; k >= 1 && stack[k] != m; k--)
			path = stack[k] " -> " path
		printf "dependency circle: %s -> %s\n", m, path; bad = 1
		return
	}
	if (state[m] == 2) return
	state[m] = 1
	stack[++depth] = m
	n = split(edges[m], e, " ")
	for (i = 1; i <= n; i++) visit(e[i])
	depth--
	state[m] = 2
}
END {
	for (m in edges) visit(m)
	exit bad
}' /tmp/check-layers-h.$$ /tmp/check-layers.$$ && status=0 || status=1
rm -f /tmp/check-layers.$$ /tmp/check-layers-h.$$
long=$(find common balancer timing-cache worker adapters runner -name '*.[ch]' 2>/dev/null | sort |
       xargs wc -l | awk '$2 != "total" && $1 > 600 { printf "%s: %d lines, more than 600\n", $2, $1 }')
if [ -n "$long" ]; then
	echo "$long"
	status=1
fi
[ "$status" -eq 0 ] && echo "check-layers: every include points to an earlier layer, no circle, no file over 600 lines"
exit "$status"
