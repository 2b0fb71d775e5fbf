#!/usr/bin/env bash
# scripts/examples.sh - set everything up and run balrun on the bundled
# example suites twice: the first run has no timings (cold cache), the second
# starts the longest tests first using the timings the first one saved.
#
# The example suites contain failing tests and one crashing test on purpose,
# so balrun exits 1; this script shows both runs and exits 0 if they behaved
# as expected.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
"$top/scripts/setup.sh" "$build" || exit 1

cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
balrun=("$build/bin/balrun" -n auto --cache-dir "$cache" --durations 5)
examples=("$build"/examples/example_*)

echo
echo "=== first run: no timings yet ==="
"${balrun[@]}" "${examples[@]}"
first=$?
echo
echo "=== second run: longest tests first, from the timings of the first run ==="
"${balrun[@]}" "${examples[@]}"
second=$?
echo
echo "exit codes: first run $first, second run $second (1 = some example tests fail on purpose)"
[ "$first" -eq 1 ] && [ "$second" -eq 1 ]
