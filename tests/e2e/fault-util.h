/*
 * fault-util.h - what the fault-injection end-to-end tests
 * (test_e2e_faults*.c) check after balrun ran a misbehaving fixture:
 * processes left alive, tests accounted for, the timing cache intact.
 *
 * The fixtures of tests/fixtures/fault_* leave evidence in a directory
 * named by FAULT_DIR: "started.<name>" files and a "pids" list (see
 * tests/fixtures/fault_plain.c).
 */
#ifndef BALRUN_E2E_FAULT_UTIL_H
#define BALRUN_E2E_FAULT_UTIL_H

#include <stddef.h>

#include "harness.h"

/* A fresh FAULT_DIR and the "FAULT_DIR=..." assignment for it. */
const char *fu_dir(const char **assignment);

/* Wait (up to 60 s, polling) until path exists; the test fails if it never does. */
void fu_wait_file(const char *path);

/* Assert no pid listed in dir/pids is alive (a zombie counts as dead: PID 1 here does not reap). */
void fu_assert_all_dead(const char *dir);

/* Assert the report lists exactly n tests, each id once. */
void fu_assert_accounted(const struct e2e_run *r, size_t n);

/* Assert the timing cache in cache_dir opens cleanly; the runs recorded for the test ending in suffix. */
unsigned fu_cache_runs(const char *cache_dir, const char *suffix);

/* The "message" of the report's test ending in suffix ("" if none). */
const char *fu_message(const struct e2e_run *r, const char *suffix);

/* Whole content of a file, or NULL if it does not exist (kept until exit). */
const char *fu_read(const char *path);

#endif
