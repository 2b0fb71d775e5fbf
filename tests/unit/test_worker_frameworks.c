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
