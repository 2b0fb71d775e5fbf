/*
 * test_worker.c - drives the real balrun-worker over its protocol pipes.
 *
 * Each test starts the worker (BALRUN_WORKER_ID=7, BALRUN_WORKER_COUNT=3),
 * checks HELLO, sends RUN frames naming the fixture binaries of
 * tests/unit/worker-fixtures/, and collects START/RESULT/DONE per unit:
 * outcomes, messages, which output went to which test, which tests got no
 * RESULT.  Time limits in the fixtures are 300 ms; nothing here asserts how
 * fast anything was, only that the worker got to the end.  The harness
 * (starting the worker, collecting a unit) is worker-harness.c.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preload.h"
#include "proc.h"
#include "proto.h"
#include "strbuf.h"
#include "util.h"
#include "worker-harness.h"

TestSuite(worker, .timeout = 60);

Test(worker, hello_then_bye_or_eof)
{
	struct worker w;

	worker_start(&w);
	worker_stop(&w, 1);
	worker_start(&w);
	worker_stop(&w, 0);
}

Test(worker, garbage_is_a_protocol_error)
{
	struct worker w;
	int status = -1;

	worker_start(&w);
	cr_assert_eq(write_full(w.p.in, "\xc1\xc1\xc1\xc1", 4), 0);
	cr_assert_eq(proc_wait(&w.p, &status, NULL, 0), 1);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status 0x%x", status);
	proc_close_fds(&w.p);
	proto_reader_free(w.r);
}

/* Four plain binaries in one unit: indexes count across invocations. */
Test(worker, plain_outcomes)
{
	static const char *const modes[] = { "pass", "fail", "skip", "segv" };
	char *ids[4][1] = { { "p" }, { "f" }, { "s" }, { "c" } };
	struct proto_invocation inv[4];
	char *bins[4];
	struct proto_run run = { .unit = 5, .inv = inv, .ninv = 4 };
	struct unit_log log;
	struct worker w;

	for (int i = 0; i < 4; i++) {
		bins[i] = xasprintf("%s/wf-plain-%s", WF_DIR, modes[i]);
		one_inv(&inv[i], bins[i], "plain", ids[i], 1);
	}
	inv[0].preload = PRELOAD_SO;   /* harmless in a program that never calls cmocka */
	worker_start(&w);
	run_unit(&w, &run, &log);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect_output(&log, 0, "plain pass worker=7 count=3", NULL);
	expect(&log, 1, OUTCOME_FAIL, "exit 3");
	expect_output(&log, 1, "plain fail on stderr", NULL);
	expect(&log, 2, OUTCOME_SKIP, NULL);
	expect(&log, 3, OUTCOME_CRASH, "killed by SIGSEGV");
	for (int i = 0; i < 4; i++) {
		cr_assert_str_eq(log.done.errors[i], "", "invocation %d: %s", i, log.done.errors[i]);
		free(bins[i]);
	}
	finish(&w, &log, 1);
}

Test(worker, missing_binary_fails_its_test)
{
	char *ids[] = { "gone" };
	struct unit_log log;
	struct worker w;

	run_single(&w, &log, WF_DIR "/no-such-binary", "plain", ids, 1, 0);
	expect(&log, 0, OUTCOME_FAIL, "cannot execute");
	cr_assert(strstr(log.done.errors[0], "no-such-binary"), "%s", log.done.errors[0]);
	finish(&w, &log, 0);
}

/* A framework the worker has no adapter for: its tests are not started, DONE says why. */
Test(worker, unknown_framework_runs_nothing)
{
	char *ids[] = { "s/a", "s/b" };
	struct unit_log log;
	struct worker w;

	run_single(&w, &log, WF_DIR "/wf-plain-pass", "nosuchframework", ids, 2, 0);
	cr_assert_eq(log.started[0] + log.started[1], 0);
	cr_assert(strstr(log.done.errors[0], "unknown framework 'nosuchframework'"), "%s", log.done.errors[0]);
	finish(&w, &log, 0);
}

/*
 * Ignores SIGTERM: TIMEOUT after the 1 s grace and SIGKILL, with its output.
 * A test that runs this long has its START written while it runs.
 */
Test(worker, plain_timeout_kills_after_grace)
{
	char *ids[] = { "h" };
	struct unit_log log;
	struct worker w;

	run_single(&w, &log, WF_DIR "/wf-plain-hang", "plain", ids, 1, 300);
	cr_assert_eq(log.start_frames[0], 1, "the coordinator never learnt the test runs");
	expect(&log, 0, OUTCOME_TIMEOUT, "killed by SIGKILL");
	expect_output(&log, 0, "hanging", NULL);
	cr_assert_geq(log.duration_us[0], 1300000, "ran %llu us",
		      (unsigned long long)log.duration_us[0]);
	finish(&w, &log, 1);
}

/* A per-test limit (timeouts_ms) replaces the unit's: 0 there means none. */
Test(worker, per_test_timeouts_replace_the_unit_limit)
{
	char *ids[] = { "h" };
	uint64_t limit[] = { 200 }, none[] = { 0 };
	struct proto_invocation inv[2];
	struct proto_run run = { .unit = 1, .timeout_ms = 60000, .inv = inv, .ninv = 2 };
	struct unit_log log;
	struct worker w;

	one_inv(&inv[0], WF_DIR "/wf-plain-hang", "plain", ids, 1);
	inv[0].timeouts_ms = limit;
	one_inv(&inv[1], WF_DIR "/wf-plain-pass", "plain", ids, 1);
	inv[1].timeouts_ms = none;
	worker_start(&w);
	run_unit(&w, &run, &log);
	expect(&log, 0, OUTCOME_TIMEOUT, "timed out after 200 ms");
	expect(&log, 1, OUTCOME_PASS, NULL);
	finish(&w, &log, 1);
}

/* The daemon keeps stdout open for 30 s; the worker kills its group and moves on. */
Test(worker, daemon_holding_stdout_does_not_block)
{
	char *ids[] = { "d" };
	struct unit_log log;
	struct worker w;
	char path[64], stat[256] = "";
	int pid = 0;
	FILE *f;

	run_single(&w, &log, WF_DIR "/wf-plain-daemon", "plain", ids, 1, 0);
	expect(&log, 0, OUTCOME_PASS, NULL);
	cr_assert_eq(sscanf(log.output[0].buf, "daemon %d", &pid), 1, "%s", log.output[0].buf);
	cr_assert_lt(log.done.wall_us, 10000000);
	/* Gone, or a zombie waiting for a reaper that is not ours. */
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 100 && (f = fopen(path, "r")); i++) {
		cr_assert(fgets(stat, sizeof(stat), f));
		fclose(f);
		if (strstr(stat, ") Z "))
			break;
		usleep(10000);
	}
	cr_assert(!f || strstr(stat, ") Z "), "daemon %d still alive: %s", pid, stat);
	finish(&w, &log, 1);
}

Test(worker, flood_output_is_bounded)
{
	char *ids[] = { "x" };
	struct unit_log log;
	struct worker w;

	run_single(&w, &log, WF_DIR "/wf-plain-flood", "plain", ids, 1, 0);
	expect(&log, 0, OUTCOME_PASS, NULL);
	cr_assert_eq(log.output[0].len, 128u << 10);
	cr_assert_gt(log.dropped[0], 0);
	cr_assert_eq(log.output[0].len + log.dropped[0], (100u << 20) + 12,
		     "kept %zu dropped %llu", log.output[0].len, (unsigned long long)log.dropped[0]);
	expect_output(&log, 0, "flood start", NULL);
	finish(&w, &log, 1);
}

/* Unit order differs from Criterion's run order on purpose: results go by name. */
Test(worker, criterion_batch)
{
	char *tests[] = { "par/p", "math/add", "math/bad", "math/crash", "other/skip2",
			  "other/off", "other/slow" };
	struct unit_log log;
	struct worker w;

	/*
	 * other/slow times out by Criterion's own .timeout; the worker's limit
	 * is generous, so that a loaded machine starting Criterion slowly does
	 * not stop the batch before its first test.
	 */
	run_single(&w, &log, WF_DIR "/wf-criterion", "criterion", tests, ARRAY_SIZE(tests), 5000);
	expect(&log, 0, OUTCOME_FAIL, "two is bad");   /* 3 parameters folded into one */
	expect_output(&log, 0, "param 1", "hello from add");
	expect_output(&log, 0, "param 2", NULL);
	expect_output(&log, 0, "param 3", NULL);
	expect(&log, 1, OUTCOME_PASS, NULL);
	expect_output(&log, 1, "hello from add", "about to fail");
	expect(&log, 2, OUTCOME_FAIL, "one is not two");
	expect_output(&log, 2, "about to fail", "hello from add");
	expect(&log, 3, OUTCOME_CRASH, NULL);
	expect_output(&log, 3, "Unexpected signal caught", "about to fail");
	expect_output(&log, 3, NULL, "[RUN ]");   /* Criterion's own lines are left out */
	expect(&log, 4, OUTCOME_SKIP, "not today");
	expect(&log, 5, OUTCOME_SKIP, "disabled");
	expect(&log, 6, OUTCOME_TIMEOUT, "Timed out");
	for (int i = 0; i < 7; i++)
		expect_output(&log, i, NULL, "SHOULD NOT RUN");
	cr_assert_str_eq(log.done.errors[0], "");
	finish(&w, &log, 1);
}

/* zz/hang ignores the (ignored) --timeout: the worker stops it; zz/later is handed back. */
Test(worker, criterion_hang_stopped_by_worker)
{
	char *tests[] = { "zz/hang", "zz/later" };
	struct unit_log log;
	struct worker w;

	run_single(&w, &log, WF_DIR "/wf-criterion", "criterion", tests, 2, 300);
	expect(&log, 0, OUTCOME_TIMEOUT, "timed out after 300 ms");
	expect_output(&log, 0, "hanging", "[RUN ]");
	cr_assert_eq(log.started[1] + log.results[1], 0, "zz/later was reported");
	finish(&w, &log, 1);
}

Test(worker, criterion_bad_filter_is_an_invocation_error)
{
	char *tests[] = { "math/add", "bad(" };
	struct unit_log log;
	struct worker w;

	run_single(&w, &log, WF_DIR "/wf-criterion", "criterion", tests, 2, 0);
	cr_assert_eq(log.started[0] + log.started[1], 0);
	cr_assert(strstr(log.done.errors[0], "exit 3 before any test ran: pattern error"), "%s",
		  log.done.errors[0]);
	finish(&w, &log, 1);
}

/*
 * wf-cmocka's tests by their ordinal (their place in its listing): basic
 * 0-5, gsetup 6, dies 7-9.  Fills the invocation's ordinals and checks.
 */
static void cmocka_select(struct proto_invocation *inv, char **names, uint64_t *ordinals,
			  uint64_t *checks)
{
	static const char *const listing[] = {
		"basic/t_pass", "basic/t_fail", "basic/t_skip", "basic/t_never", "basic/t_segv",
		"basic/t_unselected", "gsetup/t_pass", "dies/t_before", "dies/t_aborts", "dies/t_after",
	};

	for (size_t i = 0; i < inv->ntests; i++) {
		char *slash = strchr(names[i], '/');
		char *group = xstrndup(names[i], (size_t)(slash - names[i]));

		ordinals[i] = 99;
		for (size_t k = 0; k < ARRAY_SIZE(listing); k++)
			if (!strcmp(listing[k], names[i]))
				ordinals[i] = k;
		checks[i] = preload_check(group, slash + 1);
		free(group);
	}
	inv->ordinals = ordinals;
	inv->checks = checks;
}

/*
 * Without the preload shim, a batch is chosen with --filter patterns that
 * Criterion's matcher takes (at most 100 stack entries): 250 tests need
 * several processes, and every test is reported once.
 */
Test(worker, criterion_patterns_within_the_matcher_limits)
{
	char *tests[250];
	struct proto_invocation inv;
	struct proto_run run = { .unit = 1, .timeout_ms = 60000, .inv = &inv, .ninv = 1 };
	struct unit_log log;
	struct worker w;
	int passed = 0;

	for (int i = 0; i < 250; i++)
		tests[i] = i < 200 ? xasprintf("many/t%03d", i) : xasprintf("more/t%02d", i - 200);
	one_inv(&inv, WF_DIR "/wf-criterion-many", "criterion", tests, 250);
	worker_start(&w);
	run_unit_big(&w, &run, &log, 250);
	for (int i = 0; i < 250; i++)
		passed += log.big_results[i] == 1 && log.big_outcome[i] == OUTCOME_PASS;
	cr_expect_eq(passed, 250, "%d of 250 passed once", passed);
	cr_expect_str_eq(log.done.errors[0], "");
	free(log.big_results);
	free(log.big_outcome);
	finish(&w, &log, 1);
	for (int i = 0; i < 250; i++)
		free(tests[i]);
}

Test(worker, cmocka_batch)
{
	char *tests[] = { "basic/t_pass", "basic/t_fail", "basic/t_skip", "basic/t_never",
			  "basic/t_segv", "gsetup/t_pass", "dies/t_before", "dies/t_aborts",
			  "dies/t_after" };
	uint64_t ordinals[ARRAY_SIZE(tests)], checks[ARRAY_SIZE(tests)];
	struct proto_invocation inv;
	struct proto_run run = { .unit = 1, .timeout_ms = 5000, .inv = &inv, .ninv = 1 };
	struct unit_log log;
	struct worker w;

	one_inv(&inv, WF_DIR "/wf-cmocka", "cmocka", tests, ARRAY_SIZE(tests));
	cmocka_select(&inv, tests, ordinals, checks);
	worker_start(&w);
	run_unit(&w, &run, &log);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect_output(&log, 0, "out pass", "out fail");
	expect(&log, 1, OUTCOME_FAIL, "0x1 != 0x2");
	expect_output(&log, 1, "out fail", "out pass");
	expect(&log, 2, OUTCOME_SKIP, NULL);
	expect(&log, 3, OUTCOME_FAIL, "setup failed");
	expect_output(&log, 3, NULL, "body after failed setup");
	expect(&log, 4, OUTCOME_FAIL, "Segmentation fault");
	/* a failing group setup is a FAULT of the group; cmocka runs none of its tests */
	cr_assert_eq(log.started[5] + log.results[5], 0, "gsetup/t_pass was reported");
	cr_assert_eq(log.nfaults, 1);
	cr_assert_eq(log.faults[0].where, FAULT_GROUP_SETUP);
	cr_assert_eq(log.faults[0].group, 1);
	cr_assert_eq(log.faults[0].outcome, OUTCOME_FAIL);
	cr_assert_str_eq(log.faults[0].message, "group setup failed");
	expect(&log, 6, OUTCOME_PASS, NULL);
	expect_output(&log, 6, "out before", "out aborts");
	expect(&log, 7, OUTCOME_CRASH, "killed by SIGABRT");
	expect_output(&log, 7, "out aborts", NULL);
	cr_assert_eq(log.started[8] + log.results[8], 0, "dies/t_after was reported");
	for (int i = 0; i < 8; i++)
		expect_output(&log, i, NULL, "SHOULD NOT RUN");
	finish(&w, &log, 0);
}

/* An ordinal whose check does not match is not run, and says why. */
Test(worker, cmocka_listing_mismatch_is_not_run)
{
	char *tests[] = { "basic/t_pass", "basic/t_fail" };
	uint64_t ordinals[2], checks[2];
	struct proto_invocation inv;
	struct proto_run run = { .unit = 1, .timeout_ms = 5000, .inv = &inv, .ninv = 1 };
	struct unit_log log;
	struct worker w;

	one_inv(&inv, WF_DIR "/wf-cmocka", "cmocka", tests, 2);
	cmocka_select(&inv, tests, ordinals, checks);
	checks[1] ^= 1;
	worker_start(&w);
	run_unit(&w, &run, &log);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect(&log, 1, OUTCOME_NOTRUN, "no longer has this test");
	finish(&w, &log, 0);
}

/*
 * A batch's first Criterion test is timed from its suite's "[====] Running"
 * line, like the later ones from the verdict before them: each includes the
 * process Criterion starts for it (tens of ms), so two trivial tests cost
 * about the same first and second.  From its [RUN ] line the first would
 * cost a few ms only.
 */
Test(worker, criterion_first_test_includes_its_process_start)
{
	char *tests[] = { "held/pair", "held/quick" };
	uint64_t ordinals[] = { 0, 1 };
	struct proto_invocation inv;
	struct proto_run run = { .unit = 1, .inv = &inv, .ninv = 1 };
	struct unit_log log;
	struct worker w;

	one_inv(&inv, WF_DIR "/wf-criterion-held", "criterion", tests, 2);
	inv.preload = PRELOAD_SO;
	inv.ordinals = ordinals;
	worker_start(&w);
	run_unit(&w, &run, &log);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect(&log, 1, OUTCOME_PASS, NULL);
	cr_assert_geq(log.duration_us[0] * 2, log.duration_us[1], "first %llu us, second %llu us",
		      (unsigned long long)log.duration_us[0], (unsigned long long)log.duration_us[1]);
	finish(&w, &log, 1);
}
