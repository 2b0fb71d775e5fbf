/*
 * preload.h - the contract between balrun and its preload shim
 * (worker/preload.c, built as balrun-preload.so).
 *
 * cmocka has no command line, so balrun LD_PRELOADs a small library that
 * interposes _cmocka_run_group_tests() (see shared notes/frameworks.md):
 *
 *   BALRUN_CMOCKA_MODE=list   every group's tests are written to the event fd
 *                             as "L <group>/<name>\n" lines; nothing runs.
 *   BALRUN_CMOCKA_MODE=run    only the tests named in BALRUN_CMOCKA_TESTS
 *                             (newline-separated "<group>/<name>") run; the
 *                             others are left out of the group.  Groups with
 *                             none selected are not entered at all.
 *
 * Events go to file descriptor BALRUN_EVENT_FD (a pipe made by the worker),
 * one line per write(), so they survive abort() and never mix with the
 * test's own output:
 *
 *   L <group>/<name>                      listed (list mode)
 *   S <ns> <group>/<name>                 test started (CLOCK_MONOTONIC ns)
 *   E <ns> <outcome> <group>/<name>       test ended: PASS, FAIL or SKIP
 *   G <group> <what>                      group setup/teardown failed
 *
 * Before each event the shim flushes stdout and stderr, so output already in
 * the output pipe when an event is read belongs to the test before it.  In
 * run mode it also waits (up to PRELOAD_DRAIN_WAIT_MS) until the reader has
 * emptied the output pipe before writing S, E or G events: a reader that
 * handles pending events before reading more output then sees output and
 * events in the order they were written (draining the output pipe when an
 * event arrives is not exact: it may already hold output from after it).
 */
#ifndef BALRUN_PRELOAD_H
#define BALRUN_PRELOAD_H

#define PRELOAD_ENV_MODE   "BALRUN_CMOCKA_MODE"
#define PRELOAD_ENV_TESTS  "BALRUN_CMOCKA_TESTS"
#define PRELOAD_ENV_FD     "BALRUN_EVENT_FD"
/* The fd number the worker and collector put the event pipe on. */
#define PRELOAD_EVENT_FD   198
#define PRELOAD_SHIM_NAME  "balrun-preload.so"
/* Longest the shim waits for the output pipe to be emptied before an event. */
#define PRELOAD_DRAIN_WAIT_MS 1000

#endif
