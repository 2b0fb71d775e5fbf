/*
 * test_e2e_outcomes.c - the real balrun on fixture suites: every collected
 * test reported exactly once, with the right outcome, message and output.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *str(json_t *t, const char *key)
{
	const char *s = json_string_value(json_object_get(t, key));
	return s ? s : "";
}

Test(outcomes, criterion_every_kind)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", e2e_tmpdir(), e2e_fixture("crit_basic")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_assert_eq(e2e_count(&r), 8);
	cr_expect_str_eq(e2e_outcome(&r, "::basic/pass"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::basic/fail"), "failed");
	cr_expect(strstr(str(e2e_test(&r, "::basic/fail"), "output"), "expected 42"));
	cr_expect_str_eq(e2e_outcome(&r, "::basic/crash"), "crashed");
	cr_expect_str_eq(e2e_outcome(&r, "::basic/skip"), "skipped");
	cr_expect_str_eq(e2e_outcome(&r, "::basic/disabled"), "skipped");
	cr_expect_str_eq(e2e_outcome(&r, "::params/triple"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::output/lines"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::timing/slow"), "passed");
	/* output goes to the test that printed it, and only there */
	const char *out = str(e2e_test(&r, "::output/lines"), "output");
	cr_expect(strstr(out, "crit_basic: line on stdout"), "output: %s", out);
	cr_expect(strstr(out, "crit_basic: line on stderr"), "output: %s", out);
	cr_expect(!strstr(str(e2e_test(&r, "::basic/pass"), "output"), "line on stdout"));
	cr_expect(json_real_value(json_object_get(e2e_test(&r, "::timing/slow"), "duration_s")) >= 0.14);
	/* ids are relative to the repository root, not absolute */
	cr_expect(str(e2e_test(&r, "::basic/pass"), "id")[0] != '/');
	e2e_free(&r);
}

Test(outcomes, cmocka_every_kind)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", e2e_tmpdir(), e2e_fixture("cmocka_basic")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_assert_eq(e2e_count(&r), 8);
	cr_expect_str_eq(e2e_outcome(&r, "::alpha/a_pass"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::alpha/b_fail"), "failed");
	cr_expect_str_eq(e2e_outcome(&r, "::alpha/c_skip"), "skipped");
	cr_expect_str_eq(e2e_outcome(&r, "::alpha/d_segfault"), "failed");
	cr_expect_str_eq(e2e_outcome(&r, "::alpha/e_output"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::beta/a_pass"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::beta/b_setup_fails"), "failed");
	cr_expect_str_eq(e2e_outcome(&r, "::beta/c_pass"), "passed");
	const char *out = str(e2e_test(&r, "::alpha/e_output"), "output");
	cr_expect(strstr(out, "cmocka_basic: line on stdout"), "output: %s", out);
	cr_expect(strstr(out, "cmocka_basic: line on stderr"), "output: %s", out);
	e2e_free(&r);
}

Test(outcomes, cmocka_abort_loses_nothing)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--cache-dir", e2e_tmpdir(), e2e_fixture("cmocka_abort")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_assert_eq(e2e_count(&r), 4);
	cr_expect_str_eq(e2e_outcome(&r, "::aborting/a_ok"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::aborting/b_abort"), "crashed");
	cr_expect(strstr(str(e2e_test(&r, "::aborting/b_abort"), "message"), "SIGABRT"));
	cr_expect_str_eq(e2e_outcome(&r, "::aborting/c_ok"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::aborting/d_ok"), "passed");
	e2e_free(&r);
}

Test(outcomes, cmocka_exit_mid_group)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--cache-dir", e2e_tmpdir(), e2e_fixture("cmocka_exit")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_expect_str_eq(e2e_outcome(&r, "::exiting/a_ok"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::exiting/b_exit"), "failed");
	cr_expect_str_eq(e2e_outcome(&r, "::exiting/c_ok"), "passed");
	e2e_free(&r);
}

Test(outcomes, criterion_runner_killed_mid_batch)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--cache-dir", e2e_tmpdir(), e2e_fixture("crit_abort_runner")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_assert_eq(e2e_count(&r), 5);
	cr_expect_str_eq(e2e_outcome(&r, "::abort/a_pass"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::abort/b_pass"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::abort/c_kill_runner"), "crashed");
	cr_expect_str_eq(e2e_outcome(&r, "::abort/d_pass"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::abort/e_pass"), "passed");
	e2e_free(&r);
}

Test(outcomes, plain_executables_and_scripts)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", e2e_tmpdir(), e2e_fixture("plain_pass"),
				  e2e_fixture("plain_fail"), e2e_fixture("plain_skip"), e2e_fixture("plain_segv"),
				  e2e_fixture("plain_script.sh")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_assert_eq(e2e_count(&r), 5);
	cr_expect_str_eq(e2e_outcome(&r, "plain_pass"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "plain_fail"), "failed");
	cr_expect(strstr(str(e2e_test(&r, "plain_fail"), "output"), "expected 42, got 41"));
	cr_expect_str_eq(e2e_outcome(&r, "plain_skip"), "skipped");
	cr_expect_str_eq(e2e_outcome(&r, "plain_segv"), "crashed");
	cr_expect(strstr(str(e2e_test(&r, "plain_segv"), "message"), "SIGSEGV"));
	cr_expect_str_eq(e2e_outcome(&r, "plain_script.sh"), "passed");
	e2e_free(&r);
}

Test(outcomes, static_cmocka_is_one_test_with_a_note)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--cache-dir", e2e_tmpdir(), e2e_fixture("cmocka_static")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	cr_assert_eq(e2e_count(&r), 1);
	cr_expect_str_eq(e2e_outcome(&r, "cmocka_static"), "passed");
	cr_expect(strstr(r.err, "cmocka compiled in"), "stderr: %s", r.err);
	e2e_free(&r);
}

Test(outcomes, all_pass_exits_zero_and_mixed_kinds_run_together)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("-n", "3", "--cache-dir", e2e_tmpdir(), e2e_fixture("plain_pass"),
				  e2e_fixture("crit_durations"), e2e_fixture("cmocka_static"),
				  e2e_fixture("crit_workers")));
	cr_assert_eq(r.code, 0, "exit %d; stdout: %s stderr: %s", r.code, r.out, r.err);
	cr_expect_eq(e2e_count_outcome(&r, "passed"), e2e_count(&r));
	cr_expect(strstr(r.out, "passed"));
	e2e_free(&r);
}

Test(outcomes, workers_see_their_id_and_count)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", e2e_tmpdir(), e2e_fixture("crit_workers"),
				  e2e_fixture("plain_workers")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	const char *ids[] = { "::workers/print_id", "plain_workers" };
	for (size_t i = 0; i < 2; i++) {
		json_t *t = e2e_test(&r, ids[i]);
		char want[64];
		snprintf(want, sizeof(want), "worker id=%lld count=2",
			 (long long)json_integer_value(json_object_get(t, "worker")));
		cr_expect(strstr(str(t, "output"), want), "%s output: %s (want %s)", ids[i], str(t, "output"), want);
	}
	e2e_free(&r);
}

Test(outcomes, timeout_stops_a_hanging_test)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--timeout", "2", "--cache-dir", e2e_tmpdir(),
				  e2e_fixture("crit_timeout"), e2e_fixture("plain_sleep")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_expect_str_eq(e2e_outcome(&r, "::timeout/forever"), "timed out");
	cr_expect_str_eq(e2e_outcome(&r, "::timeout/ok"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "plain_sleep"), "passed");
	e2e_free(&r);
}
