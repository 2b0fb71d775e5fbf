/*
 * ctest.h - import the tests of a CMake build directory as CTest would
 * run them: `balrun -n auto` in a build directory, or --ctest DIR.
 *
 * Every property ctest honours when it runs a test is kept:
 *
 *   command, WORKING_DIRECTORY   the program, its arguments, its directory
 *   ENVIRONMENT,                 resolved into the command's environment
 *   ENVIRONMENT_MODIFICATION     changes (set, unset, reset, string_*,
 *                                path_list_*, cmake_list_*)
 *   TIMEOUT                      its time limit (0 or less: none)
 *   DISABLED                     not run; reported skipped
 *   WILL_FAIL, PASS_/FAIL_/      judged as a whole process (worker/judge.h),
 *   SKIP_REGULAR_EXPRESSION      so never split into cases
 *   SKIP_RETURN_CODE             that exit status is SKIP (without it, 77
 *                                is a failure, as for ctest)
 *   RUN_SERIAL, RESOURCE_LOCK,   the serial, lock and weight markers
 *   PROCESSORS
 *   RESOURCE_GROUPS              each resource type a lock "resource:TYPE"
 *                                (tests needing the same kind never overlap)
 *   LABELS                       -L / -LE, and matched by -k
 *   FIXTURES_*, DEPENDS          run order and skips (plan/depends.h)
 *   TIMEOUT_AFTER_MATCH          not supported: a note says so
 *
 * A test that names a framework binary is split into its cases later
 * (collect.c, adapters/), with the same arguments, environment and
 * directory.
 */
#ifndef BALRUN_CTEST_H
#define BALRUN_CTEST_H

#include <stddef.h>

#include "collect.h"
#include "run.h"
#include "strbuf.h"

/*
 * The tests of the CMake build directory dir (for configuration config,
 * ctest's -C, or NULL), in ctest's order, into
 * *cmds (*n of them; release each with test_command_release, then free).
 * Lines for the user go to notes.  IMPORT_USAGE (ctest missing) or
 * IMPORT_ERROR (ctest failed, a format balrun does not know, a test
 * without an executable) with one line per problem in err.
 */
enum import_status ctest_import(const char *dir, const char *config, struct test_command **cmds,
				size_t *n, struct strbuf *notes, struct strbuf *err);

#endif
