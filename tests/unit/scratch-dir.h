/*
 * scratch-dir.h - a temporary directory per test for the unit tests that
 * build files on disk (test_libtool, test_automake): scratch_setup() makes
 * it (its real path in scratch_dir), scratch_teardown() removes it, and
 * scratch_sh() runs a shell command that must succeed.
 */
#ifndef BALRUN_TEST_SCRATCH_DIR_H
#define BALRUN_TEST_SCRATCH_DIR_H

#include <limits.h>

extern char scratch_dir[PATH_MAX];

void scratch_setup(void);
void scratch_teardown(void);
void scratch_sh(const char *cmd);

#endif
