#!/usr/bin/env bash
# scripts/stress-interrupt.sh - interrupt balrun at random moments, many
# times, and check after each that the timing cache and the checkpoint are
# still readable and that --resume completes the run.  Not part of ctest
# (it takes minutes); see docs/faults.md.
#
#   scripts/stress-interrupt.sh [BUILD_DIR] [ROUNDS]     (defaults: build, 200)
#
# Each round starts balrun on a small mixed suite, waits a random 0-600 ms,
# sends SIGINT (every 10th round SIGKILL, which can tear the checkpoint's
# last line, and every 7th a second SIGINT right after the first), then:
#   - the cache must open without a "damaged" warning (balrun --list),
#   - every complete checkpoint line must be well-formed,
#   - balrun --resume must finish with exit 0 or 1 and no damage warning.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
rounds=${2:-200}
fx=$build/fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
suite=("$fx/fault_quick_a" "$fx/fault_quick_b" "$fx/fault_quick_c" "$fx/plain_pass"
       "$fx/plain_sleep" "$fx/cmocka_basic" "$fx/crit_durations")
export FAULT_QUICK_MS=120 BALRUN_FIXTURE_SLEEP_MS=200

fail() { echo "stress-interrupt: round $1: $2" >&2; exit 1; }

check_checkpoint() {   # round, file
  local body
  [ -f "$2" ] || return 0
  head -n 1 "$2" | grep -Eq '^balrun-checkpoint 1 [0-9a-f]{16} [0-9]+$' || fail "$1" "bad checkpoint header"
  body=$(tail -n +2 "$2")
  # a torn last line (no newline at the end) is allowed: balrun skips it
  [ -n "$(tail -c 1 "$2")" ] && body=$(printf '%s\n' "$body" | sed '$d')
  if [ -n "$body" ] && printf '%s\n' "$body" | grep -Pvq '^(PASS|FAIL|CRASH|TIMEOUT|SKIP)\t[0-9]+\.[0-9]{6}\t.+$'; then
    fail "$1" "malformed checkpoint line: $(printf '%s\n' "$body" | grep -Pv '^(PASS|FAIL|CRASH|TIMEOUT|SKIP)\t' | head -n 1)"
  fi
  return 0
}

for ((i = 1; i <= rounds; i++)); do
  cache=$work/cache
  "$build/bin/balrun" -q -n 2 --cache-dir "$cache" "${suite[@]}" >"$work/out" 2>&1 &
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 600)))"
  if ((i % 10 == 0)); then kill -KILL "$pid" 2>/dev/null || true
  else
    kill -INT "$pid" 2>/dev/null || true
    ((i % 7 == 0)) && { kill -INT "$pid" 2>/dev/null || true; }
  fi
  rc=0; wait "$pid" || rc=$?
  case $rc in 0|1|2|137) ;; *) cat "$work/out" >&2; fail "$i" "balrun exited $rc";; esac
  "$build/bin/balrun" --list --cache-dir "$cache" "${suite[@]}" >/dev/null 2>"$work/err" ||
    fail "$i" "balrun --list failed: $(cat "$work/err")"
  grep -qi "damaged\|warning" "$work/err" && fail "$i" "cache damaged: $(cat "$work/err")"
  check_checkpoint "$i" "$cache/checkpoint"
  rc=0
  "$build/bin/balrun" -q -n 2 --resume --cache-dir "$cache" "${suite[@]}" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" -le 1 ] || fail "$i" "--resume exited $rc: $(cat "$work/err")"
  grep -qi "damaged\|warning" "$work/err" && fail "$i" "--resume: $(cat "$work/err")"
  [ -f "$cache/checkpoint" ] && fail "$i" "a completed --resume run left its checkpoint"
  ((i % 20 == 0)) && echo "stress-interrupt: $i rounds ok"
done
echo "stress-interrupt: $rounds rounds: cache and checkpoint always readable"
