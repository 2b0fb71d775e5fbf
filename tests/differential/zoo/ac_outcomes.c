/*
 * ac_outcomes - one acutest test per outcome (acutest runs each test in a
 * child process; the child's exit status is its verdict).
 *
 * Serial answer (exit 1; the XML report plus the crash lines on stdout):
 *   pass, output, nocheck, with space, with/slash, été, -dash,
 *   pass extended, xpass                          passed
 *   exit0 (exit(0) in the child: no verdict line) passed
 *   fail (two TEST_CHECKs), assert (TEST_ASSERT),
 *   cases (a TEST_CASE fails)                     failed
 *   exit3 (exit(3): no verdict; XML <failure />)  failed
 *   skip (TEST_SKIP), exit2 (exit(2))             skipped
 *   segv, abort ("Test interrupted by SIG...")    crashed
 */
#include <stdio.h>
#include <stdlib.h>
#include "../../fixtures/acutest/acutest.h"

static void t_pass(void) { TEST_CHECK(1); }
static void t_fail(void) { TEST_CHECK_(1 == 2, "one is two"); TEST_CHECK(2 + 2 == 5); }
static void t_assert(void) { TEST_ASSERT(0); printf("never\n"); }
static void t_skip(void) { TEST_SKIP("not today"); }
static void t_output(void) { printf("out"); fprintf(stderr, "err\n"); TEST_CHECK(1); }
static void t_segv(void) { *(volatile int *)NULL = 1; }
static void t_abort(void) { abort(); }
static void t_exit0(void) { printf("before exit(0)\n"); exit(0); }
static void t_exit2(void) { exit(2); }
static void t_exit3(void) { exit(3); }
static void t_nocheck(void) { }
static void t_cases(void) { TEST_CASE("first"); TEST_CHECK(1); TEST_CASE("second"); TEST_CHECK(0); }

TEST_LIST = {
	{ "pass", t_pass },
	{ "fail", t_fail },
	{ "assert", t_assert },
	{ "skip", t_skip },
	{ "output", t_output },
	{ "segv", t_segv },
	{ "after-segv", t_pass },
	{ "abort", t_abort },
	{ "exit0", t_exit0 },
	{ "exit2", t_exit2 },
	{ "exit3", t_exit3 },
	{ "nocheck", t_nocheck },
	{ "cases", t_cases },
	{ "with space", t_pass },
	{ "with/slash", t_pass },
	{ "\xc3\xa9t\xc3\xa9", t_pass },
	{ "-dash", t_pass },
	{ "pass extended", t_pass },
	{ "xpass", t_pass },
	{ NULL, NULL }
};
