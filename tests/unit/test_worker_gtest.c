/*
 * test_worker_gtest.c - the gtest adapter's run_batch, through the real
 * balrun-worker (worker-harness.h) and the GoogleTest fixtures of
 * tests/fixtures/gtest/ (what each case does is at the top of its source).
 *
 * Each invocation carries what collection would send: the cases' names
 * and checks (gtest-internal.h: the suite's scope, and for a name no
 * filter selects alone, 1 + its place among the runnable tests).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "worker-harness.h"

TestSuite(worker_gtest, .timeout = 60);

#define CHECK(scope, place) ((uint64_t)(place) << 32 | (scope))

/* A unit of one gtest invocation of fixture bin: tests with checks. */
static void gt_inv(struct proto_invocation *inv, const char *bin, char **tests, uint64_t *checks,
		   size_t n)
{
	char *path = xasprintf("%s/%s", GT_DIR, bin);

	one_inv(inv, path, "gtest", tests, n);
	inv->checks = checks;
}

static void gt_run(struct worker *w, struct unit_log *log, struct proto_invocation *inv,
		   uint32_t timeout_ms)
{
	struct proto_run run = { .unit = 1, .timeout_ms = timeout_ms, .inv = inv, .ninv = 1 };

	worker_start(w);
	run_unit(w, &run, log);
	free(inv->binary);
}

/* Out of gtest's order on purpose: results go by name. */
Test(worker_gtest, outcomes_messages_and_output)
{
	char *tests[] = { "Slow.After", "Basic.Output", "Basic.Pass", "Basic.Fail", "Basic.Fatal",
			  "Basic.Skip", "Basic.Throw" };
	uint64_t checks[] = { CHECK(2, 0), 0, 0, 0, 0, 0, 0 };
	struct proto_invocation inv;
	struct unit_log log;
	struct worker w;

	gt_inv(&inv, "gt_outcomes", tests, checks, ARRAY_SIZE(tests));
	gt_run(&w, &log, &inv, 5000);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect_output(&log, 0, "after the hang", "pass out");
	expect(&log, 1, OUTCOME_PASS, NULL);
	expect_output(&log, 1, "to-stderr line 1", "[       OK ]");
	expect_output(&log, 1, "to-stdout no newline", "[ RUN      ]");
	expect(&log, 2, OUTCOME_PASS, NULL);
	expect_output(&log, 2, "pass out", "to-stdout");
	expect(&log, 3, OUTCOME_FAIL, "gt_outcomes.cc:23: Expected equality of these values: 1 2 "
	       "custom message one");
	expect_output(&log, 3, "second failure", "pass out");
	expect(&log, 4, OUTCOME_FAIL, "fatal msg");
	expect_output(&log, 4, NULL, "never");
	expect(&log, 5, OUTCOME_SKIP, "gt_outcomes.cc:25: skip reason here");
	expect(&log, 6, OUTCOME_FAIL, "C++ exception with description \"boom\"");
	cr_assert_eq(log.nfaults, 0, "a FAULT: %s", log.nfaults ? log.faults[0].message : "");
	cr_assert_str_eq(log.done.errors[0], "");
	finish(&w, &log, 1);
}

/* The crash ends the process: the next case gets no RESULT (it runs again elsewhere). */
Test(worker_gtest, crash_mid_batch)
{
	char *tests[] = { "Crash.A_Pass", "Crash.B_Segv", "Crash.C_Pass" };
	uint64_t checks[] = { 0, 0, 0 };
	struct proto_invocation inv;
	struct unit_log log;
	struct worker w;

	gt_inv(&inv, "gt_crash", tests, checks, 3);
	gt_run(&w, &log, &inv, 5000);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect_output(&log, 0, "A out", NULL);
	expect(&log, 1, OUTCOME_CRASH, "killed by SIGSEGV");
	expect_output(&log, 1, "B before the crash", "A out");
	expect_unreported(&log, 2);
	cr_assert_eq(log.nfaults, 0);
	finish(&w, &log, 1);
}

/* exit(3) and exit(0) inside a case fail it; the rest of the run is not charged. */
Test(worker_gtest, exit_inside_a_case)
{
	char *tests[] = { "Crash.E_Exit3", "Crash.F_Pass" }, *tests0[] = { "Crash.G_Exit0", "Crash.H_Pass" };
	uint64_t checks[] = { 0, 0 };
	struct proto_invocation inv;
	struct unit_log log;
	struct worker w;

	gt_inv(&inv, "gt_crash", tests, checks, 2);
	gt_run(&w, &log, &inv, 5000);
	expect(&log, 0, OUTCOME_FAIL, "exited with status 3 during the test");
	expect_output(&log, 0, "E before exit(3)", NULL);
	expect_unreported(&log, 1);
	finish(&w, &log, 1);

	gt_inv(&inv, "gt_crash", tests0, checks, 2);
	gt_run(&w, &log, &inv, 5000);
	expect(&log, 0, OUTCOME_FAIL, "exited with status 0 during the test");
	expect_unreported(&log, 1);
	cr_assert_eq(log.nfaults, 0);
	finish(&w, &log, 1);
}

/* gtest has no time limit: the worker's stops the case; the next one is not charged. */
Test(worker_gtest, timeout)
{
	char *tests[] = { "Slow.Hang", "Slow.After" }, *env[] = { "GT_HANG=1" };
	uint64_t checks[] = { 0, 0 };
	struct proto_invocation inv;
	struct unit_log log;
	struct worker w;

	gt_inv(&inv, "gt_outcomes", tests, checks, 2);
	inv.env = env;
	inv.nenv = 1;
	gt_run(&w, &log, &inv, 300);
	expect(&log, 0, OUTCOME_TIMEOUT, "timed out after 300 ms");
	expect_output(&log, 0, "hanging", NULL);
	expect_unreported(&log, 1);
	finish(&w, &log, 1);
}

/* A disabled case runs only with --gtest_also_run_disabled_tests (kept by adopt_command). */
Test(worker_gtest, disabled)
{
	char *tests[] = { "Basic.DISABLED_Off", "Basic.Pass" }, *args[] = { "--gtest_also_run_disabled_tests=1" };
	uint64_t checks[] = { 0, 0 };
	struct proto_invocation inv;
	struct unit_log log;
	struct worker w;

	gt_inv(&inv, "gt_outcomes", tests, checks, 2);
	gt_run(&w, &log, &inv, 5000);
	expect(&log, 0, OUTCOME_NOTRUN, "gtest did not run it");
	expect(&log, 1, OUTCOME_PASS, NULL);
	finish(&w, &log, 1);

	gt_inv(&inv, "gt_outcomes", tests, checks, 2);
	inv.args = args;
	inv.nargs = 1;
	gt_run(&w, &log, &inv, 5000);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect_output(&log, 0, "disabled ran!", NULL);
	finish(&w, &log, 1);
}

Test(worker_gtest, typed_and_parameterized)
{
	char *tests[] = { "Typed/1.Default", "Inst/TypedP/0.One", "Inst/TypedP/1.One",
			  "Nums/Param.IsSmall/2", "Named/Param.IsSmall/v1", "Nums/Param.IsSmall/0" };
	uint64_t checks[] = { CHECK(1, 0), CHECK(3, 0), CHECK(4, 0), CHECK(5, 0), CHECK(6, 0), CHECK(5, 0) };
	struct proto_invocation inv;
	struct unit_log log;
	struct worker w;

	gt_inv(&inv, "gt_params", tests, checks, ARRAY_SIZE(tests));
	gt_run(&w, &log, &inv, 5000);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect(&log, 1, OUTCOME_PASS, NULL);
	expect(&log, 2, OUTCOME_FAIL, "not one byte");
	expect(&log, 3, OUTCOME_FAIL, "param=3");
	expect(&log, 4, OUTCOME_PASS, NULL);
	expect(&log, 5, OUTCOME_PASS, NULL);
	finish(&w, &log, 1);
}

/*
 * The environment would change what runs (another filter, fail fast after
 * the first failure, brief output without RUN lines, another shard): the
 * worker's own choice wins.
 */
Test(worker_gtest, gtest_environment_is_overridden)
{
	char *tests[] = { "Basic.Fail", "Basic.Pass", "Basic.Skip" };
	char *env[] = { "GTEST_FILTER=Slow.*", "GTEST_FAIL_FAST=1", "GTEST_BRIEF=1", "GTEST_COLOR=yes",
			"GTEST_TOTAL_SHARDS=3", "GTEST_SHARD_INDEX=2", "GTEST_SHUFFLE=1" };
	uint64_t checks[] = { 0, 0, 0 };
	struct proto_invocation inv;
	struct unit_log log;
	struct worker w;

	gt_inv(&inv, "gt_outcomes", tests, checks, 3);
	inv.env = env;
	inv.nenv = ARRAY_SIZE(env);
	gt_run(&w, &log, &inv, 5000);
	expect(&log, 0, OUTCOME_FAIL, "custom message one");
	expect(&log, 1, OUTCOME_PASS, NULL);
	expect(&log, 2, OUTCOME_SKIP, "skip reason here");
	finish(&w, &log, 1);
}

/*
 * Names no filter selects alone run alone, by their place among the
 * runnable tests (Plain.T 0, then Odd.* in registration order 1..8); a
 * place that holds another test now is not run.
 */
Test(worker_gtest, odd_names_run_alone_by_place)
{
	char *tests[] = { "Odd.colon:minus-", "Odd.dup#2", "Odd.with space", "Odd.dup", "Odd.star*q?",
			  "Odd.hash#1", "Odd Suite.x" };
	uint64_t checks[] = { CHECK(1, 3), CHECK(1, 6), 0, CHECK(1, 5), CHECK(1, 4), CHECK(1, 1), 0 };
	struct proto_invocation inv;
	struct unit_log log;
	struct worker w;

	gt_inv(&inv, "gt_odd", tests, checks, ARRAY_SIZE(tests));
	gt_run(&w, &log, &inv, 5000);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect_output(&log, 0, "body 2", "body 1");
	expect(&log, 1, OUTCOME_FAIL, "the second dup");
	expect_output(&log, 1, "body 99", "body 4");
	expect(&log, 2, OUTCOME_PASS, NULL);
	expect_output(&log, 2, "body 1", NULL);
	expect(&log, 3, OUTCOME_PASS, NULL);
	expect_output(&log, 3, "body 4", "body 99");
	expect(&log, 4, OUTCOME_PASS, NULL);
	expect_output(&log, 4, "body 3", NULL);
	expect(&log, 5, OUTCOME_NOTRUN, "now holds another test");
	expect(&log, 6, OUTCOME_PASS, NULL);
	expect_output(&log, 6, "body 7", NULL);
	finish(&w, &log, 1);
}

/* SetUpTestSuite and TearDownTestSuite failures are FAULTs of their suites' scopes. */
Test(worker_gtest, suite_fixture_faults)
{
	char *tests[] = { "SetupFails.A", "SetupFails.B", "TeardownFails.A", "Fine.A" };
	uint64_t checks[] = { CHECK(0, 0), CHECK(0, 0), CHECK(1, 0), CHECK(2, 0) };
	struct proto_invocation inv;
	struct unit_log log;
	struct worker w;

	gt_inv(&inv, "gt_suitefix", tests, checks, 4);
	gt_run(&w, &log, &inv, 5000);
	expect(&log, 0, OUTCOME_SKIP, NULL);
	expect(&log, 1, OUTCOME_SKIP, NULL);
	expect(&log, 2, OUTCOME_PASS, NULL);
	expect(&log, 3, OUTCOME_PASS, NULL);
	cr_assert_eq(log.nfaults, 2);
	cr_expect_eq(log.faults[0].where, FAULT_GROUP_SETUP);
	cr_expect_eq(log.faults[0].group, 0);
	cr_expect(strstr(log.faults[0].message, "setup failed"), "%s", log.faults[0].message);
	cr_expect(memmem(log.faults[0].output, log.faults[0].output_len, "setup runs", 10));
	cr_expect_eq(log.faults[1].where, FAULT_GROUP_TEARDOWN);
	cr_expect_eq(log.faults[1].group, 1);
	cr_expect(strstr(log.faults[1].message, "teardown failed"), "%s", log.faults[1].message);
	finish(&w, &log, 1);
}

/* 300 cases in one batch, and 20 of 6000-byte names (their filter goes through a flag file). */
Test(worker_gtest, big_batches)
{
	char *many[300], *longs[20], *env[] = { "GT_LONG=1" };
	uint64_t checks[300] = { 0 };
	struct proto_invocation inv;
	struct proto_run run = { .unit = 1, .timeout_ms = 60000, .inv = &inv, .ninv = 1 };
	struct unit_log log;
	struct worker w;
	int passed = 0;

	for (int i = 0; i < 300; i++)
		many[i] = xasprintf("Many.T%03d", i);
	gt_inv(&inv, "gt_many", many, checks, 300);
	worker_start(&w);
	run_unit_big(&w, &run, &log, 300);
	for (int i = 0; i < 300; i++)
		passed += log.big_results[i] == 1 && log.big_outcome[i] == OUTCOME_PASS;
	cr_expect_eq(passed, 300, "%d of 300 passed once", passed);
	free(inv.binary);
	free(log.big_results);
	free(log.big_outcome);
	finish(&w, &log, 1);

	for (int i = 0; i < 20; i++) {
		char x[6001];
		memset(x, 'x', 6000);
		x[6000] = '\0';
		longs[i] = xasprintf("Long.%s%02d", x, i);
	}
	passed = 0;
	gt_inv(&inv, "gt_odd", longs, checks, 20);
	inv.env = env;
	inv.nenv = 1;
	worker_start(&w);
	run_unit_big(&w, &run, &log, 20);
	for (int i = 0; i < 20; i++)
		passed += log.big_results[i] == 1 && log.big_outcome[i] == OUTCOME_PASS;
	cr_expect_eq(passed, 20, "%d of 20 passed once (%s)", passed, log.done.errors[0]);
	free(inv.binary);
	free(log.big_results);
	free(log.big_outcome);
	finish(&w, &log, 1);
	for (int i = 0; i < 300; i++)
		free(many[i]);
	for (int i = 0; i < 20; i++)
		free(longs[i]);
}
