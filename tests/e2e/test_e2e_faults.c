/*
 * test_e2e_faults.c - fault injection, end to end: Ctrl-C (once and
 * twice), --resume after it, a worker SIGKILLed in the middle of a batch,
 * the restart limit, and smoke tests that all fail.
 *
 * Every test checks that each collected test is reported exactly once, that
 * the timing cache still opens cleanly, and (where the fixtures leave
 * processes behind) that none of them outlived balrun.  Synchronisation is
 * through files the fixtures write ("started.<name>"), never through sleeps.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fault-util.h"
#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define ENV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *fx(const char *name)
{
	return e2e_fixture(name);
}

static int report_true(const struct e2e_run *r, const char *key)
{
	return json_is_true(json_object_get(r->report, key));
}

/*
 * A warm-up run records the hang fixtures as instant and the quick ones as
 * 150 ms, so with one worker and no smoke tests the quick ones run first
 * and the hang fixtures last.
 */
static void warm_up(const char *cache, const char *fault_env)
{
	struct e2e_run r;

	e2e_balrun(&r, ENV(fault_env, "FAULT_QUICK_MS=150"),
		   ARGS("-n", "1", "--smoke", "0", "--cache-dir", cache, fx("fault_quick_a"),
			fx("fault_quick_b"), fx("fault_quick_c"), fx("fault_hang_a"), fx("fault_hang_b")));
	cr_assert_eq(r.code, 0, "warm-up exit %d; stderr: %s", r.code, r.err);
	e2e_free(&r);
}

static pid_t start_hanging_run(struct e2e_run *r, const char *cache, const char *fault_env,
			       const char *ignore_term, const char *workers)
{
	return e2e_start(r, ENV(fault_env, "FAULT_HANG=1", "FAULT_QUICK_MS=150", ignore_term),
			 ARGS("-n", workers, "--smoke", "0", "--cache-dir", cache, fx("fault_quick_a"),
			      fx("fault_quick_b"), fx("fault_quick_c"), fx("fault_hang_a"),
			      fx("fault_hang_b")));
}

/* The first hang fixture to start, given the other one may start instead. */
static void wait_hang_started(const char *dir)
{
	char a[4200], b[4200];

	snprintf(a, sizeof(a), "%s/started.fault_hang_a", dir);
	snprintf(b, sizeof(b), "%s/started.fault_hang_b", dir);
	for (int i = 0; i < 6000 && access(a, F_OK) && access(b, F_OK); i++)
		usleep(10000);
	cr_assert(!access(a, F_OK) || !access(b, F_OK), "no hang fixture started");
}

Test(faults, ctrl_c_stops_reports_saves_and_leaves_nothing)
{
	const char *env, *dir = fu_dir(&env), *cache = e2e_tmpdir();
	struct e2e_run r;
	pid_t pid;

	warm_up(cache, env);
	pid = start_hanging_run(&r, cache, env, "FAULT_IGNORE_TERM=0", "1");
	wait_hang_started(dir);
	cr_assert_eq(kill(pid, SIGINT), 0);
	e2e_finish(&r, pid);

	cr_assert_eq(r.code, 2, "exit %d; stderr: %s", r.code, r.err);
	cr_assert(report_true(&r, "interrupted"));
	fu_assert_accounted(&r, 5);
	cr_expect_eq(e2e_count_outcome(&r, "passed"), 3, "stdout: %s", r.out);
	cr_expect_eq(e2e_count_outcome(&r, "not run"), 2);
	cr_expect_str_eq(e2e_outcome(&r, "fault_hang_a"), "not run");
	cr_expect_str_eq(fu_message(&r, "fault_hang_a"), "interrupted");
	cr_expect_str_eq(fu_message(&r, "fault_hang_b"), "interrupted");
	cr_expect(strstr(r.out, "interrupted"), "the summary names the reason: %s", r.out);
	/* finished tests' timings are saved: a second recorded run */
	cr_expect_eq(fu_cache_runs(cache, "fault_quick_a"), 2);
	cr_expect_eq(fu_cache_runs(cache, "fault_quick_c"), 2);
	fu_assert_all_dead(dir);
	e2e_free(&r);
}

Test(faults, second_ctrl_c_quits_and_still_leaves_nothing)
{
	const char *env, *dir = fu_dir(&env), *cache = e2e_tmpdir();
	char a[4200], b[4200];
	struct e2e_run r;
	pid_t pid;

	/* two workers, both stuck in tests that ignore SIGTERM and left daemons */
	pid = e2e_start(&r, ENV(env, "FAULT_HANG=1", "FAULT_IGNORE_TERM=1"),
			ARGS("-n", "2", "--smoke", "0", "--cache-dir", cache, fx("fault_hang_a"),
			     fx("fault_hang_b"), fx("fault_quick_a")));
	snprintf(a, sizeof(a), "%s/started.fault_hang_a", dir);
	snprintf(b, sizeof(b), "%s/started.fault_hang_b", dir);
	fu_wait_file(a);
	fu_wait_file(b);
	cr_assert_eq(kill(pid, SIGINT), 0);
	cr_assert_eq(kill(pid, SIGINT), 0);
	e2e_finish(&r, pid);

	cr_assert_eq(r.code, 2, "exit %d; stderr: %s", r.code, r.err);
	fu_assert_accounted(&r, 3);
	cr_expect_str_eq(e2e_outcome(&r, "fault_hang_a"), "not run");
	cr_expect_str_eq(e2e_outcome(&r, "fault_hang_b"), "not run");
	fu_cache_runs(cache, "fault_quick_a");
	fu_assert_all_dead(dir);
	e2e_free(&r);
}

/* Interrupt a run (one worker, quick tests first) and return its cache's checkpoint path. */
static void interrupted_run(const char *dir, const char *cache, const char *env, char *ckpt, size_t len)
{
	struct e2e_run r;
	pid_t pid = start_hanging_run(&r, cache, env, "FAULT_IGNORE_TERM=0", "1");

	wait_hang_started(dir);
	kill(pid, SIGINT);
	e2e_finish(&r, pid);
	cr_assert_eq(r.code, 2, "exit %d; stderr: %s", r.code, r.err);
	e2e_free(&r);
	snprintf(ckpt, len, "%s/checkpoint", cache);
}

Test(faults, resume_skips_what_passed_and_runs_the_rest)
{
	const char *env, *dir = fu_dir(&env), *cache = e2e_tmpdir();
	char ckpt[4200];
	const char *text;
	struct e2e_run r;
	FILE *f;

	warm_up(cache, env);
	interrupted_run(dir, cache, env, ckpt, sizeof(ckpt));
	text = fu_read(ckpt);
	cr_assert(text, "no checkpoint after an interrupted run");
	cr_expect(strstr(text, "PASS\t") && strstr(text, "fault_quick_b\n"), "checkpoint: %s", text);
	cr_expect(!strstr(text, "fault_hang_a"), "tests that did not finish are not in it: %s", text);
	/* durations in seconds with six decimals, as "%.6f" prints them */
	for (const char *p = strstr(text, "PASS\t"); p; p = strstr(p + 1, "PASS\t")) {
		unsigned whole, frac;
		int n = 0;

		cr_expect(sscanf(p, "PASS\t%u.%u\t%n", &whole, &frac, &n) == 2 && n &&
			  p[n - 8] == '.' && whole < 10, "checkpoint line: %.60s", p);
	}
	/* balrun killed in the middle of an append: a torn last line */
	f = fopen(ckpt, "a");
	fputs("PASS\t0.1\tfault_ha", f);
	fclose(f);

	e2e_balrun(&r, ENV(env, "FAULT_QUICK_MS=150"),
		   ARGS("-n", "1", "--smoke", "0", "--resume", "--cache-dir", cache, fx("fault_quick_a"),
			fx("fault_quick_b"), fx("fault_quick_c"), fx("fault_hang_a"), fx("fault_hang_b")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	fu_assert_accounted(&r, 5);
	cr_expect_eq(e2e_count_outcome(&r, "passed"), 5);
	cr_expect_str_eq(fu_message(&r, "fault_quick_a"), "passed before the interruption (--resume)");
	cr_expect_str_eq(fu_message(&r, "fault_quick_c"), "passed before the interruption (--resume)");
	cr_expect_eq(json_integer_value(json_object_get(e2e_test(&r, "fault_quick_b"), "worker")), -1);
	/* the tests that did not finish ran now */
	cr_expect_str_eq(fu_message(&r, "fault_hang_a"), "");
	cr_expect_geq(json_integer_value(json_object_get(e2e_test(&r, "fault_hang_b"), "worker")), 0);
	cr_expect(strstr(r.out, "3 tests passed before the interruption"), "stdout: %s", r.out);
	cr_expect(!fu_read(ckpt), "a completed run removes the checkpoint");
	/* resumed tests are not recorded twice */
	cr_expect_eq(fu_cache_runs(cache, "fault_quick_a"), 2);
	e2e_free(&r);
	fu_assert_all_dead(dir);
}

Test(faults, resume_ignores_a_checkpoint_of_another_selection)
{
	const char *env, *dir = fu_dir(&env), *cache = e2e_tmpdir();
	char ckpt[4200];
	struct e2e_run r;

	warm_up(cache, env);
	interrupted_run(dir, cache, env, ckpt, sizeof(ckpt));
	e2e_balrun(&r, ENV(env), ARGS("-n", "1", "--resume", "--cache-dir", cache, fx("fault_quick_a")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	cr_expect(strstr(r.err, "from another selection"), "stderr: %s", r.err);
	cr_expect_str_eq(fu_message(&r, "fault_quick_a"), "");
	cr_expect_eq(fu_cache_runs(cache, "fault_quick_a"), 3);
	e2e_free(&r);
	/* nothing to resume at all */
	e2e_balrun(&r, ENV(env), ARGS("-n", "1", "--resume", "--cache-dir", cache, fx("fault_quick_a")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	cr_expect(strstr(r.err, "no checkpoint"), "stderr: %s", r.err);
	e2e_free(&r);
}

Test(faults, worker_killed_mid_batch_is_replaced_and_nothing_is_lost)
{
	const char *env, *dir = fu_dir(&env), *cache = e2e_tmpdir();
	struct e2e_run r;

	e2e_balrun(&r, ENV(env), ARGS("-n", "1", "--smoke", "0", "--cache-dir", cache,
				      fx("fault_cmocka_killworker")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	fu_assert_accounted(&r, 4);
	cr_expect_str_eq(e2e_outcome(&r, "::killer/b_kill_worker"), "crashed");
	cr_expect(strstr(fu_message(&r, "::killer/b_kill_worker"), "SIGKILL"), "message: %s",
		  fu_message(&r, "::killer/b_kill_worker"));
	cr_expect_str_eq(e2e_outcome(&r, "::killer/a_pass"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::killer/c_pass"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::killer/d_pass"), "passed");
	cr_expect_eq(json_integer_value(json_object_get(r.report, "restarts")), 1);
	cr_expect_eq(fu_cache_runs(cache, "::killer/d_pass"), 1);
	fu_assert_all_dead(dir);
	e2e_free(&r);
}

Test(faults, restart_limit_zero_reports_the_rest_not_run)
{
	const char *env, *dir = fu_dir(&env), *cache = e2e_tmpdir();
	struct e2e_run r;

	e2e_balrun(&r, ENV(env), ARGS("-n", "1", "--smoke", "0", "--max-worker-restart", "0",
				      "--cache-dir", cache, fx("fault_cmocka_killworker")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	fu_assert_accounted(&r, 4);
	cr_expect_str_eq(e2e_outcome(&r, "::killer/b_kill_worker"), "crashed");
	cr_expect_str_eq(e2e_outcome(&r, "::killer/c_pass"), "not run");
	cr_expect_str_eq(fu_message(&r, "::killer/d_pass"), "no worker was left to run it");
	cr_expect(strstr(r.out, "--max-worker-restart") || strstr(r.err, "--max-worker-restart"),
		  "the limit is named: %s", r.out);
	cr_expect_eq(json_integer_value(json_object_get(r.report, "restarts")), 0);
	fu_assert_all_dead(dir);
	e2e_free(&r);
}

static const char *const env_fixtures[] = { "fault_env_a", "fault_env_b", "fault_env_c",
					    "fault_env_d", "fault_env_e" };

static void run_env_suite(struct e2e_run *r, const char *cache, const char *broken, const char *smoke)
{
	e2e_balrun(r, ENV(broken, "FAULT_QUICK_MS=50"),
		   ARGS("-n", "2", "--smoke", smoke, "--cache-dir", cache, fx(env_fixtures[0]),
			fx(env_fixtures[1]), fx(env_fixtures[2]), fx(env_fixtures[3]), fx(env_fixtures[4])));
}

Test(faults, all_smoke_tests_failing_stops_the_run)
{
	const char *cache = e2e_tmpdir();
	struct e2e_run r;
	size_t failed, notrun;

	run_env_suite(&r, cache, "FAULT_BROKEN=0", "2");	/* timings make smoke tests known */
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	e2e_free(&r);

	run_env_suite(&r, cache, "FAULT_BROKEN=1", "2");
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	fu_assert_accounted(&r, 5);
	cr_expect(strstr(r.out, "all 2 smoke tests failed: the environment looks broken; stopping "
			 "(use --smoke 0 to run everything anyway)") ||
		  strstr(r.err, "all 2 smoke tests failed"), "stdout: %s\nstderr: %s", r.out, r.err);
	failed = e2e_count_outcome(&r, "failed");
	notrun = e2e_count_outcome(&r, "not run");
	/* the two smoke tests; nothing else starts while the smoke verdict is pending */
	cr_expect(failed == 2 && notrun == 3, "%zu failed, %zu not run", failed, notrun);
	for (size_t i = 0; i < 5; i++)
		if (!strcmp(e2e_outcome(&r, env_fixtures[i]), "not run"))
			cr_expect_str_eq(fu_message(&r, env_fixtures[i]), "not run: all smoke tests failed");
	fu_cache_runs(cache, "fault_env_a");
	e2e_free(&r);

	/* --smoke 0 runs everything to the same failure */
	run_env_suite(&r, cache, "FAULT_BROKEN=1", "0");
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_expect_eq(e2e_count_outcome(&r, "failed"), 5);
	e2e_free(&r);
}
