#!/usr/bin/env bash
# scripts/test.sh - set everything up and run the whole test suite: a short
# run of the libFuzzer targets, then unit, end-to-end and failure tests in a
# normal build and in an AddressSanitizer + UndefinedBehaviorSanitizer build
# (ctest's summary of the sanitizer build is the last thing printed).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
# tests that would skip without a tool setup.sh installs fail instead
export BALRUN_TEST_SH=1

"$top/scripts/setup.sh" "$top/build"

# The libFuzzer targets (fuzz/): 20 s each on a copy of the seed corpus (a
# longer run: docs/faults.md).  clang and libclang-rt-14-dev come from setup.sh.
CC=clang cmake -S "$top" -B "$top/build-fuzz" -DBALRUN_FUZZ=ON -DBALRUN_TESTS=OFF \
  -DBALRUN_EXAMPLES=OFF >/dev/null
cmake --build "$top/build-fuzz" -j"$jobs" --target fuzz_proto fuzz_tcache >/dev/null
for target in proto tcache; do
  corpus=$(mktemp -d)
  cp "$top/fuzz/corpus/$target/"* "$corpus/"
  # an assignment keeps the fuzzer's exit status (with pipefail), so a crash stops the script
  last=$("$top/build-fuzz/bin/fuzz_$target" -max_total_time=20 "$corpus" 2>&1 | tail -n 1)
  echo "fuzz_$target: $last"
  rm -rf "$corpus"
done

echo "== tests (normal build) =="
(cd "$top/build" && ctest --output-on-failure -j"$jobs" --timeout 600)

echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer) =="
"$top/scripts/setup.sh" "$top/build-asan" -DBALRUN_SANITIZE=ON -DBALRUN_EXAMPLES=OFF
(cd "$top/build-asan" && \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" --timeout 900)
