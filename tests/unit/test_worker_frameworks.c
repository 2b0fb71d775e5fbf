/*
 * test_worker_frameworks.c - the real balrun-worker running invocations of
 * the TAP, GLib and Check adapters on the fixture binaries of
 * tests/fixtures/tap/, glib/ and check/ (their top comments say what each
 * one does): pass, fail, skip, crash and timeout per framework, which output
 * goes to which test, and which tests of a batch get no RESULT after a
 * crash (they are the coordinator's to run again).  The harness is
 * worker-harness.c.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "util.h"
#include "worker-harness.h"

TestSuite(frameworks, .timeout = 60);

#define FIX(name) FIXTURE_DIR "/" name

/* ---- TAP ---- */

/* One TAP producer, run whole, with a limit of timeout_ms. */
static void tap_one(const char *name, uint32_t timeout_ms, enum outcome o, const char *message)
{
	char *ids[] = { (char *)name }, *bin = xasprintf("%s/%s", FIXTURE_DIR, name);
	struct unit_log log;
	struct worker w;

	run_single(&w, &log, bin, "tap", ids, 1, timeout_ms);
	expect(&log, 0, o, message);
	finish(&w, &log, 1);
	free(bin);
}

Test(frameworks, tap_streams)
{
	tap_one("tap_pass", 0, OUTCOME_PASS, NULL);
	tap_one("tap_fail", 0, OUTCOME_FAIL, "1 of 3 test points failed: #2 b fails");
	tap_one("tap_todo_pass", 0, OUTCOME_FAIL, "#1 fixed (TODO, but passed)");
	tap_one("tap_skip_all", 0, OUTCOME_SKIP, "skipped: no database");
	tap_one("tap_bail", 0, OUTCOME_FAIL, "Bail out! db gone");
	tap_one("tap_few", 0, OUTCOME_FAIL, "too few test points (planned 3, ran 2)");
	tap_one("tap_exit1", 0, OUTCOME_FAIL, "exit 1 after 1 test point, all passed");
	tap_one("tap_noise", 0, OUTCOME_PASS, NULL);
	tap_one("tap_segv", 0, OUTCOME_CRASH, "killed by SIGSEGV");
	tap_one("tap_hang", 300, OUTCOME_TIMEOUT, "timed out after 300 ms");
}

Test(frameworks, tap_output_keeps_the_whole_stream)
{
	char *ids[] = { "tap_fail" };
	struct unit_log log;
	struct worker w;

	run_single(&w, &log, FIX("tap_fail"), "tap", ids, 1, 0);
	expect(&log, 0, OUTCOME_FAIL, NULL);
	expect_output(&log, 0, "1..3\nok 1 - a\nnot ok 2 - b fails\n#   Failed test 'b fails'\nok 3 - c\n",
		      NULL);
	finish(&w, &log, 1);
}

Test(frameworks, tap_should_fail_swaps_pass_and_failed_points)
{
	char *ids[] = { "t" };
	struct proto_invocation inv;
	struct proto_run run = { .unit = 1, .inv = &inv, .ninv = 1 };
	struct unit_log log;
	struct worker w;

	one_inv(&inv, FIX("tap_fail"), "tap", ids, 1);
	inv.judge = INV_WILL_FAIL;
	worker_start(&w);
	run_unit(&w, &run, &log);
	expect(&log, 0, OUTCOME_FAIL, "exit 1");   /* a non-zero exit stays a failure (meson) */
	log_release(&log);
	one_inv(&inv, FIX("tap_pass"), "tap", ids, 1);
	inv.judge = INV_WILL_FAIL;
	run_unit(&w, &run, &log);
	expect(&log, 0, OUTCOME_FAIL, "expected to fail");
	finish(&w, &log, 1);
}

/* ---- GLib ---- */

#define GLIB_TESTS FIX("glib_tests")

struct glib_unit {
	struct proto_invocation inv;
	uint64_t ordinals[MAX_TESTS], checks[MAX_TESTS];
	char *env[2];
};

/*
 * One invocation of glib_tests with these paths, in serial order; "/odd"
 * is marked as the suite of "/odd/child" (GL_CHECK_SUITE), as the listing
 * marks it.
 */
static void glib_unit(struct glib_unit *u, char **paths, size_t n)
{
	one_inv(&u->inv, GLIB_TESTS, "glib", paths, n);
	for (size_t i = 0; i < n; i++) {
		u->ordinals[i] = i;
		u->checks[i] = !strcmp(paths[i], "/odd");
	}
	u->inv.ordinals = u->ordinals;
	u->inv.checks = u->checks;
}

static void glib_run(struct worker *w, struct unit_log *log, struct glib_unit *u, uint32_t timeout_ms)
{
	struct proto_run run = { .unit = 1, .timeout_ms = timeout_ms, .inv = &u->inv, .ninv = 1 };

	worker_start(w);
	run_unit(w, &run, log);
}

Test(frameworks, glib_outcomes_messages_and_output)
{
	char *paths[] = { "/basic/pass", "/basic/fail", "/basic/fail_printf", "/basic/skip",
			  "/basic/incomplete", "/basic/output", "/basic/after" };
	struct glib_unit u;
	struct unit_log log;
	struct worker w;

	glib_unit(&u, paths, 7);
	glib_run(&w, &log, &u, 0);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect(&log, 1, OUTCOME_FAIL, "failed");
	expect_output(&log, 1, "# a message before failing", "not ok");
	expect(&log, 2, OUTCOME_FAIL, "formatted failure 42");
	expect(&log, 3, OUTCOME_SKIP, "skip reason here");
	expect(&log, 4, OUTCOME_SKIP, "incomplete: not done yet");
	expect(&log, 5, OUTCOME_PASS, NULL);
	expect_output(&log, 5, "out line\n", "ok 6");
	expect_output(&log, 5, "err line\n", "# Start of");
	expect_output(&log, 5, "no newline", "after ran");
	expect(&log, 6, OUTCOME_PASS, NULL);
	expect_output(&log, 6, "after ran\n", "no newline");
	cr_assert_eq(log.nfaults, 0);
	cr_assert_str_eq(log.done.errors[0], "");
	finish(&w, &log, 1);
}

/* A crash charges the running test only; the tests after it get no RESULT (run again elsewhere). */
Test(frameworks, glib_crash_charges_the_running_test_only)
{
	static const struct { const char *path, *message; enum outcome o; } kills[] = {
		{ "/kill/segv", "killed by SIGSEGV", OUTCOME_CRASH },
		{ "/kill/assert", "assertion failed (1 == 2)", OUTCOME_FAIL },
		{ "/kill/exit3", "exited with status 3 during the test", OUTCOME_FAIL },
	};

	for (size_t k = 0; k < sizeof(kills) / sizeof(kills[0]); k++) {
		char *paths[] = { "/basic/pass", (char *)kills[k].path, "/basic/after" };
		struct glib_unit u;
		struct unit_log log;
		struct worker w;

		glib_unit(&u, paths, 3);
		glib_run(&w, &log, &u, 0);
		expect(&log, 0, OUTCOME_PASS, NULL);
		expect(&log, 1, kills[k].o, kills[k].message);
		cr_assert_eq(log.results[2], 0, "%s: the test after it was reported", kills[k].path);
		cr_assert_eq(log.nfaults, 0);
		finish(&w, &log, 1);
	}
}

Test(frameworks, glib_timeout_stops_the_running_test)
{
	char *paths[] = { "/basic/pass", "/basic/sleep", "/basic/after" };
	struct glib_unit u;
	struct unit_log log;
	struct worker w;

	glib_unit(&u, paths, 3);
	u.env[0] = "GLIB_FIXTURE_SLEEP_MS=20000";
	u.inv.env = u.env;
	u.inv.nenv = 1;
	glib_run(&w, &log, &u, 300);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect(&log, 1, OUTCOME_TIMEOUT, "timed out after 300 ms");
	cr_assert_eq(log.results[2], 0);
	finish(&w, &log, 1);
}

/* "/odd" is a test and the suite of "/odd/child": alone it runs alone; with its child, both run once. */
Test(frameworks, glib_path_that_is_also_a_suite)
{
	char *alone[] = { "/odd" }, *both[] = { "/odd", "/odd/child" };
	struct glib_unit u;
	struct unit_log log;
	struct worker w;

	glib_unit(&u, alone, 1);
	glib_run(&w, &log, &u, 0);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect_output(&log, 0, "odd ran", "child ran");
	finish(&w, &log, 1);

	glib_unit(&u, both, 2);
	glib_run(&w, &log, &u, 0);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect_output(&log, 0, "odd ran", "child ran");
	expect(&log, 1, OUTCOME_PASS, NULL);
	expect_output(&log, 1, "child ran", "odd ran");
	finish(&w, &log, 1);
}

/* Non-ASCII paths shown as '?' under a C locale, a subprocess test, a path the binary lacks. */
Test(frameworks, glib_names_subprocesses_and_missing_paths)
{
	char *paths[] = { "/names/with space", "/names/\xc3\xa9t\xc3\xa9", "/sub/trap", "/no/such/test",
			  "/basic/after" };
	struct glib_unit u;
	struct unit_log log;
	struct worker w;

	glib_unit(&u, paths, 5);
	u.env[0] = "LC_ALL=C";
	u.inv.env = u.env;
	u.inv.nenv = 1;
	glib_run(&w, &log, &u, 0);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect(&log, 1, OUTCOME_PASS, NULL);
	expect(&log, 2, OUTCOME_PASS, NULL);
	expect(&log, 3, OUTCOME_NOTRUN, "ran nothing for this path");
	expect(&log, 4, OUTCOME_PASS, NULL);
	finish(&w, &log, 1);
}

/* ---- Check ---- */

#define CHECK_TESTS FIX("check_tests")

/* One invocation of check_tests with these TCases ("suite/tcase", split at the first '/') and env. */
static void check_run(struct worker *w, struct unit_log *log, char **tcases, size_t n, char **env,
		      uint32_t timeout_ms)
{
	struct proto_invocation inv;
	struct proto_run run = { .unit = 1, .timeout_ms = timeout_ms, .inv = &inv, .ninv = 1 };

	one_inv(&inv, CHECK_TESTS, "check", tcases, n);
	for (inv.env = env; env && env[inv.nenv]; inv.nenv++)
		;
	worker_start(w);
	run_unit(w, &run, log);
}

Test(frameworks, check_tcase_outcomes_messages_and_output)
{
	char *tcases[] = { "Basic/core", "Basic/crash", "Basic/odd name/with space \xc3\xa9:colon",
			   "Basic/limit", "Fixtures/checked_setup_fail", "Fixtures/unchecked_setup_fail",
			   "Fixtures/fine", "Nosuch/tcase" };
	struct unit_log log;
	struct worker w;

	check_run(&w, &log, tcases, 8, NULL, 0);
	expect(&log, 0, OUTCOME_FAIL, "t_loop: loop iteration 2 fails (2 results not passed: t_loop, t_fail)");
	expect_output(&log, 0, "out line\n", "Running suite");
	expect_output(&log, 0, "err line\n", "Checks:");
	expect_output(&log, 0, ":P:core:t_output:0: Passed\n", NULL);
	expect(&log, 1, OUTCOME_CRASH, "t_segv: (after this point) Received signal 11");
	expect_output(&log, 1, "segv test stdout\n", NULL);
	expect(&log, 2, OUTCOME_PASS, NULL);
	expect(&log, 3, OUTCOME_TIMEOUT, "t_nap: (after this point) Test timeout expired");
	expect(&log, 4, OUTCOME_FAIL, "t_body: checked setup failed (2 results not passed: t_body, t_pass)");
	expect(&log, 5, OUTCOME_FAIL, "unchecked_setup: unchecked setup failed");
	expect(&log, 6, OUTCOME_PASS, NULL);
	expect_output(&log, 6, "setup ran\n", "unchecked");
	expect(&log, 7, OUTCOME_NOTRUN, "the binary has no such TCase");
	cr_assert_eq(log.nfaults, 0);
	cr_assert_str_eq(log.done.errors[0], "");
	finish(&w, &log, 1);
}

/* balrun's limit stops the TCase's process; the next TCase runs in a process of its own. */
Test(frameworks, check_timeout_stops_one_tcase)
{
	char *tcases[] = { "Basic/slow", "Fixtures/fine" }, *env[] = { "CHECK_FIXTURE_SLEEP_MS=20000", NULL };
	struct unit_log log;
	struct worker w;

	check_run(&w, &log, tcases, 2, env, 300);
	expect(&log, 0, OUTCOME_TIMEOUT, "timed out after 300 ms (after 0 test results)");
	expect(&log, 1, OUTCOME_PASS, NULL);
	finish(&w, &log, 1);
}

/* CK_FORK=no: a crash ends the process before Check's summary; CK_EXCLUDE_TAGS leaves a TCase empty. */
Test(frameworks, check_nofork_crash_and_tags)
{
	char *tcases[] = { "Basic/crash", "Fixtures/tagged", "Fixtures/fine" };
	char *env[] = { "CK_FORK=no", "CK_EXCLUDE_TAGS=slow", NULL };
	struct unit_log log;
	struct worker w;

	check_run(&w, &log, tcases, 3, env, 0);
	expect(&log, 0, OUTCOME_CRASH, "killed by SIGSEGV before Check's summary (after 0 test results)");
	expect(&log, 1, OUTCOME_SKIP, "CK_INCLUDE_TAGS or CK_EXCLUDE_TAGS");
	expect(&log, 2, OUTCOME_PASS, NULL);
	finish(&w, &log, 1);
}

/* A non-zero exit after a summary without failures is a FAULT after the TCase, which passed. */
Test(frameworks, check_exit_status_after_the_summary)
{
	char *tcases[] = { "Fixtures/fine" }, *env[] = { "CHECK_FIXTURE_MAIN_EXIT=4", NULL };
	struct unit_log log;
	struct worker w;

	check_run(&w, &log, tcases, 1, env, 0);
	expect(&log, 0, OUTCOME_PASS, NULL);
	cr_assert_eq(log.nfaults, 1);
	cr_expect_eq(log.faults[0].where, FAULT_AFTER);
	cr_expect(strstr(log.faults[0].message, "exit 4 after Check's summary although"), "%s",
		  log.faults[0].message);
	finish(&w, &log, 1);
}
