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
