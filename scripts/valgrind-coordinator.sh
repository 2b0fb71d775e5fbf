#!/usr/bin/env bash
# scripts/valgrind-coordinator.sh - run balrun (the coordinator only; workers
# and tests are not traced) under valgrind's memcheck on fixture suites that
# pass, fail, crash, time out and kill their runner, and fail on any memory
# error or definite leak.  Registered with ctest as valgrind_coordinator
# (normal builds only: valgrind and ASan do not mix).
#
#   scripts/valgrind-coordinator.sh BUILD_DIR
set -euo pipefail

build=${1:?usage: valgrind-coordinator.sh BUILD_DIR}
fx=$build/fixtures
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT

run() {
  local rc=0
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    "$build/bin/balrun" -q -n 2 --cache-dir "$cache" --json "$cache/report.json" "$@" \
    >"$cache/out" 2>&1 || rc=$?
  # balrun's own verdicts (0 passed, 1 failed) are fine; 99 is valgrind's
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    cat "$cache/out" >&2
    echo "valgrind-coordinator: balrun $* exited $rc" >&2
    exit 1
  fi
}

run --timeout 2 "$fx/crit_basic" "$fx/cmocka_basic" "$fx/cmocka_abort" "$fx/crit_abort_runner" \
  "$fx/plain_pass" "$fx/plain_fail" "$fx/plain_segv" "$fx/plain_sleep"
run --timeout 2 "$fx/crit_basic" "$fx/cmocka_basic"    # a second run: with timings
run -x "$fx/plain_fail" "$fx/plain_pass" "$fx/plain_sleep"
echo "valgrind-coordinator: no memory errors, no definite leaks"
