#!/usr/bin/env bash
# scripts/test.sh - set everything up and run the whole test suite: unit,
# end-to-end and failure tests, in a normal build and in an
# AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

"$top/scripts/setup.sh" "$top/build"
(cd "$top/build" && ctest --output-on-failure -j"$jobs" --timeout 600)

"$top/scripts/setup.sh" "$top/build-asan" -DBALRUN_SANITIZE=ON -DBALRUN_EXAMPLES=OFF
(cd "$top/build-asan" && \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" --timeout 900)

# The libFuzzer targets (fuzz/): 20 s each on a copy of the seed corpus (a
# longer run: docs/faults.md).  clang and libclang-rt-14-dev come from setup.sh.
CC=clang cmake -S "$top" -B "$top/build-fuzz" -DBALRUN_FUZZ=ON -DBALRUN_TESTS=OFF \
  -DBALRUN_EXAMPLES=OFF >/dev/null
cmake --build "$top/build-fuzz" -j"$jobs" --target fuzz_proto fuzz_tcache
for target in proto tcache; do
  corpus=$(mktemp -d)
  cp "$top/fuzz/corpus/$target/"* "$corpus/"
  "$top/build-fuzz/bin/fuzz_$target" -max_total_time=20 "$corpus" 2>&1 | tail -n 1
  rm -rf "$corpus"
done
