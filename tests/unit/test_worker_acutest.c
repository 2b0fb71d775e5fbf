/*
 * test_worker_acutest.c - the acutest adapter's run_batch, through the real
 * balrun-worker (worker-harness.h) and tests/fixtures/acutest/ac_outcomes
 * (what each test does is at the top of its source).
 *
 * Each invocation carries what collection would send: the tests' names and
 * checks (acutest-internal.h: the place in TEST_LIST, and whether an
 * earlier test has the same name).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "worker-harness.h"

TestSuite(worker_acutest, .timeout = 60);

#define UNREACHABLE ((uint64_t)1 << 32)

/* ac_outcomes' TEST_LIST, in order: a test's place is its index here. */
static const char *const listed[] = {
	"pass", "fail", "assert", "skip", "output", "segv", "abort", "exit0", "exit2", "exit3",
	"cases", "sleep", "with space", "with/slash", "\xc3\xa9t\xc3\xa9", "-dash", "pass extended",
	"xpass", "dup", "dup",
};

static uint64_t place_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(listed); i++)
		if (!strcmp(listed[i], name))
			return i;
	cr_assert_fail("no test '%s' in ac_outcomes", name);
	return 0;
}

/* One unit of one acutest invocation of ac_outcomes with tests (checks from their places). */
static void ac_run(struct worker *w, struct unit_log *log, char **tests, uint64_t *checks, size_t n,
		   char **env, size_t nenv, uint32_t timeout_ms)
{
	char *path = xasprintf("%s/ac_outcomes", AC_DIR);
	struct proto_invocation inv;
	struct proto_run run = { .unit = 1, .timeout_ms = timeout_ms, .inv = &inv, .ninv = 1 };

	for (size_t i = 0; i < n; i++)
		if (!checks[i])
			checks[i] = place_of(tests[i]);
	one_inv(&inv, path, "acutest", tests, n);
	inv.checks = checks;
	inv.env = env;
	inv.nenv = nenv;
	worker_start(w);
	run_unit(w, &run, log);
	free(path);
}

/* Out of acutest's order on purpose: acutest runs them in TEST_LIST order, results go by name. */
Test(worker_acutest, outcomes_messages_and_output)
{
	char *tests[] = { "skip", "output", "pass", "fail", "assert", "cases" };
	uint64_t checks[ARRAY_SIZE(tests)] = { 0 };
	struct unit_log log;
	struct worker w;

	ac_run(&w, &log, tests, checks, ARRAY_SIZE(tests), NULL, 0, 5000);
	expect(&log, 0, OUTCOME_SKIP, "skip reason... skipped");
	expect(&log, 1, OUTCOME_PASS, NULL);
	expect_output(&log, 1, "to-stderr line 1", "[ OK ]");
	expect_output(&log, 1, "to-stdout no newline", "Test output...");
	expect(&log, 2, OUTCOME_PASS, NULL);
	expect_output(&log, 2, "pass out", "to-stdout");
	expect(&log, 3, OUTCOME_FAIL, "ac_outcomes.c:");
	expect(&log, 3, OUTCOME_FAIL, "a == b (a=1)... failed");
	expect_output(&log, 3, "extra message: b=2", "pass out");
	expect(&log, 4, OUTCOME_FAIL, "0... failed");
	expect_output(&log, 4, NULL, "after the assert");
	expect(&log, 5, OUTCOME_FAIL, "failed");
	cr_assert_eq(log.nfaults, 0, "a FAULT: %s", log.nfaults ? log.faults[0].message : "");
	cr_assert_str_eq(log.done.errors[0], "");
	finish(&w, &log, 1);
}

/* Each test runs in a child of its own: a crash charges that test only, and the run goes on. */
Test(worker_acutest, crash_charges_only_its_test)
{
	char *tests[] = { "pass", "segv", "abort", "with space" };
	uint64_t checks[ARRAY_SIZE(tests)] = { 0 };
	struct unit_log log;
	struct worker w;

	ac_run(&w, &log, tests, checks, ARRAY_SIZE(tests), NULL, 0, 5000);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect(&log, 1, OUTCOME_CRASH, "Test interrupted by SIGSEGV");
	expect_output(&log, 1, "segv out", "Test interrupted");
	expect(&log, 2, OUTCOME_CRASH, "Test interrupted by SIGABRT");
	expect(&log, 3, OUTCOME_PASS, NULL);
	cr_assert_eq(log.nfaults, 0);
	finish(&w, &log, 1);
}

/* A child that exit()s prints no verdict: acutest's XML report decides (0 pass, 2 skip, else fail). */
Test(worker_acutest, exit_inside_a_test)
{
	char *tests[] = { "exit0", "exit2", "exit3", "cases" };
	uint64_t checks[ARRAY_SIZE(tests)] = { 0 };
	struct unit_log log;
	struct worker w;

	ac_run(&w, &log, tests, checks, ARRAY_SIZE(tests), NULL, 0, 5000);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect_output(&log, 0, "before exit(0)", NULL);
	expect(&log, 1, OUTCOME_SKIP, "exited with status 2");
	expect(&log, 2, OUTCOME_FAIL, "exited without a verdict");
	expect_output(&log, 2, NULL, "Test cases");
	expect(&log, 3, OUTCOME_FAIL, "second");
	cr_assert_eq(log.nfaults, 0);
	finish(&w, &log, 1);
}

/* One test alone still runs in a child (--exec=always): its crash is still its own. */
Test(worker_acutest, alone_in_a_child)
{
	char *tests[] = { "segv" };
	uint64_t checks[1] = { 0 };
	struct unit_log log;
	struct worker w;

	ac_run(&w, &log, tests, checks, 1, NULL, 0, 5000);
	expect(&log, 0, OUTCOME_CRASH, "Test interrupted by SIGSEGV");
	cr_assert_eq(log.nfaults, 0, "a FAULT: %s", log.nfaults ? log.faults[0].message : "");
	finish(&w, &log, 1);
}

/* The worker's time limit stops the whole process: that test timed out, the rest runs again elsewhere. */
Test(worker_acutest, timeout)
{
	char *tests[] = { "sleep", "with space" }, *env[] = { "AC_SLEEP=30" };
	uint64_t checks[ARRAY_SIZE(tests)] = { 0 };
	struct unit_log log;
	struct worker w;

	ac_run(&w, &log, tests, checks, ARRAY_SIZE(tests), env, 1, 300);
	expect(&log, 0, OUTCOME_TIMEOUT, "timed out after 300 ms");
	expect_unreported(&log, 1);
	finish(&w, &log, 1);
}

/* Names that are words and substrings of others, a leading '-', UTF-8: each selects only itself. */
Test(worker_acutest, odd_names)
{
	char *tests[] = { "-dash", "pass", "\xc3\xa9t\xc3\xa9", "with/slash", "xpass" };
	uint64_t checks[ARRAY_SIZE(tests)] = { 0 };
	struct unit_log log;
	struct worker w;

	ac_run(&w, &log, tests, checks, ARRAY_SIZE(tests), NULL, 0, 5000);
	for (int i = 0; i < (int)ARRAY_SIZE(tests); i++)
		expect(&log, i, OUTCOME_PASS, NULL);
	expect_output(&log, 1, "pass out", NULL);
	cr_assert_eq(log.nfaults, 0);
	finish(&w, &log, 1);
}

/* The second test of a name cannot be selected; a name acutest does not know is not run, the rest runs. */
Test(worker_acutest, unreachable_and_unknown_names)
{
	char *tests[] = { "dup", "dup", "no such test", "pass" };
	uint64_t checks[ARRAY_SIZE(tests)] = { 18, 19 | UNREACHABLE, 3, 0 };
	struct unit_log log;
	struct worker w;

	ac_run(&w, &log, tests, checks, ARRAY_SIZE(tests), NULL, 0, 5000);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect(&log, 1, OUTCOME_NOTRUN, "selects only the first test of a name");
	expect(&log, 2, OUTCOME_NOTRUN, "does not know this test");
	expect(&log, 3, OUTCOME_PASS, NULL);
	finish(&w, &log, 1);
}
