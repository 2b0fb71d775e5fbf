/*
 * test_e2e_trust.c - balrun gives the serial answer (issue 8): one test per
 * way it used not to, each on a fixture of tests/fixtures/trust_*.c whose
 * top comment says what a serial run of it reports.
 *
 * Every test here failed on balrun 0.1; BALRUN_E2E_BALRUN=<old balrun> runs
 * them against another build (harness.h).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault-util.h"
#include "harness.h"
#include "tcache.h"

TestSuite(trust, .timeout = 120);

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define ENV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *fx(const char *name)
{
	return e2e_fixture(name);
}

static const char *str(json_t *t, const char *key)
{
	const char *s = json_string_value(json_object_get(t, key));
	return s ? s : "";
}

/* The report's entries with "fault": true, and the one whose id ends with suffix. */
static size_t faults(const struct e2e_run *r)
{
	json_t *t;
	size_t i, n = 0;

	json_array_foreach(json_object_get(r->report, "tests"), i, t)
		n += json_is_true(json_object_get(t, "fault"));
	return n;
}

/* Kill every process listed in dir/pids (what fault_hang_* left after balrun was SIGKILLed). */
static void kill_listed(const char *dir)
{
	char path[4200];
	long pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pids", dir);
	f = fopen(path, "r");
	while (f && fscanf(f, "%ld", &pid) == 1)
		kill((pid_t)pid, SIGKILL);
	if (f)
		fclose(f);
}

/*
 * Item 1: a Criterion binary of 400 tests: every batch selects its tests,
 * cold and warm (warm on one worker, batches are largest: 0.1 put 100 and
 * more tests in one --filter pattern there, and Criterion crashed on it).
 */
Test(trust, criterion_binary_of_400_tests_passes)
{
	const char *cache = e2e_tmpdir(), *workers[] = { "2", "1", "2" };
	struct e2e_run r;

	for (int pass = 0; pass < 3; pass++) {
		e2e_balrun(&r, NULL, ARGS("-n", workers[pass], "--cache-dir", cache, fx("trust_crit_many")));
		cr_assert_eq(r.code, 0, "exit %d; stdout: %.2000s", r.code, r.out);
		cr_expect_eq(e2e_count(&r), 400);
		cr_expect_eq(e2e_count_outcome(&r, "passed"), 400);
		cr_expect(!strstr(r.out, "fallbacks"), "stdout: %.2000s", r.out);
		e2e_free(&r);
	}
}

/* Item 2: the same names twice in one binary: unique ids, every occurrence runs once. */
Test(trust, repeated_cmocka_names_all_run_once)
{
	for (int warm = 0; warm < 2; warm++) {
		const char *cache = e2e_tmpdir();
		struct e2e_run r;

		for (int pass = 0; pass <= warm; pass++) {
			e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, fx("trust_dups")));
			if (pass < warm)
				e2e_free(&r);
		}
		cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
		cr_assert_eq(e2e_count(&r), 5);
		cr_expect_str_eq(e2e_outcome(&r, "::tests/t_a"), "passed");
		cr_expect_str_eq(e2e_outcome(&r, "::tests/t_b"), "passed");
		cr_expect_str_eq(e2e_outcome(&r, "::tests/t_a#2"), "passed");
		cr_expect_str_eq(e2e_outcome(&r, "::tests/t_b#2"), "failed");
		cr_expect_str_eq(e2e_outcome(&r, "::tests/t_a#3"), "passed");
		cr_expect(strstr(str(e2e_test(&r, "::tests/t_a#2"), "output"), "key type 2"),
			  "the second group's t_a ran in the second group");
		cr_expect(strstr(str(e2e_test(&r, "::tests/t_a"), "output"), "key type 1"));
		e2e_free(&r);
	}
}

/* Item 3: a failing or aborting group fixture fails the run, as it fails the serial run. */
Test(trust, cmocka_group_fixture_failures_are_reported)
{
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", fx("trust_groupfix")));
	cr_assert_eq(r.code, 1, "exit %d; stdout: %s", r.code, r.out);
	cr_expect_str_eq(e2e_outcome(&r, "::setup_fails [group setup]"), "failed");
	cr_expect(strstr(str(e2e_test(&r, "::setup_fails [group setup]"), "output"), "group setup says no"));
	cr_expect_str_eq(e2e_outcome(&r, "::setup_fails/t1"), "not run");
	cr_expect(strstr(str(e2e_test(&r, "::setup_fails/t2"), "message"), "group setup failed"));
	cr_expect_str_eq(e2e_outcome(&r, "::teardown_fails/t3"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::teardown_fails [group teardown]"), "failed");
	cr_expect(strstr(str(e2e_test(&r, "::teardown_fails [group teardown]"), "output"),
			 "group teardown says no"));
	cr_expect_str_eq(e2e_outcome(&r, "::teardown_aborts/t4"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::teardown_aborts [group teardown]"), "crashed");
	cr_expect(strstr(str(e2e_test(&r, "::teardown_aborts [group teardown]"), "message"), "SIGABRT"));
	cr_expect(strstr(str(e2e_test(&r, "::teardown_aborts [group teardown]"), "output"),
			 "group teardown aborts"));
	cr_expect_eq(faults(&r), 3);
	cr_expect(strstr(r.out, "== fallbacks"), "stdout: %s", r.out);
	e2e_free(&r);
}

/* Item 3: a Criterion POST_ALL hook that aborts, a warning that makes Criterion exit 1. */
Test(trust, criterion_failures_after_the_tests_are_reported)
{
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", fx("trust_crit_hooks"), fx("trust_crit_warn")));
	cr_assert_eq(r.code, 1, "exit %d; stdout: %s", r.code, r.out);
	cr_expect_str_eq(e2e_outcome(&r, "trust_crit_hooks::hooks/first"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "trust_crit_hooks::hooks/second"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "trust_crit_hooks::[after tests]"), "crashed");
	cr_expect(strstr(str(e2e_test(&r, "trust_crit_hooks::[after tests]"), "output"),
			 "post-all hook gives up"));
	cr_expect_str_eq(e2e_outcome(&r, "trust_crit_warn::warn/warns"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "trust_crit_warn::[after tests]"), "failed");
	cr_expect(strstr(str(e2e_test(&r, "trust_crit_warn::[after tests]"), "output"),
			 "the disk is almost full"));
	cr_expect_eq(faults(&r), 2);
	e2e_free(&r);
}

/* Item 4: tests killed by other tests' batch deaths are never given up on. */
Test(trust, killers_never_make_innocent_tests_not_run)
{
	const char *cache = e2e_tmpdir();
	struct e2e_run r;

	/* warm: every test is known to be quick, so the whole binary is one batch */
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--smoke", "0", "--cache-dir", cache, fx("trust_killers")));
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--smoke", "0", "--cache-dir", cache, fx("trust_killers")));
	cr_assert_eq(r.code, 1, "exit %d; stdout: %s", r.code, r.out);
	fu_assert_accounted(&r, 6);
	cr_expect_str_eq(e2e_outcome(&r, "::g/k1_abort"), "crashed");
	cr_expect_str_eq(e2e_outcome(&r, "::g/k2_abort"), "crashed");
	cr_expect_str_eq(e2e_outcome(&r, "::g/k3_exit"), "failed");
	cr_expect_str_eq(e2e_outcome(&r, "::g/innocent_a"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::g/innocent_b"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::g/innocent_c"), "passed");
	cr_expect_eq(e2e_count_outcome(&r, "not run"), 0);
	e2e_free(&r);
}

/* Item 5: names with a newline, long names, bytes that are not UTF-8. */
Test(trust, names_of_any_bytes_survive)
{
	const char *cache = e2e_tmpdir();
	char *long_fail = malloc(5001);
	struct e2e_run r;

	memset(long_fail, 'M', 5000);
	long_fail[5000] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, fx("trust_names")));
		cr_assert_eq(r.code, 1, "exit %d; stdout: %s", r.code, r.out);
		cr_assert_eq(e2e_count(&r), 4);
		cr_expect_str_eq(e2e_outcome(&r, "::names/two\nlines"), "passed");
		cr_expect_str_eq(e2e_outcome(&r, "::names/bad\\xff\\xfe"), "passed");
		cr_expect_str_eq(e2e_outcome(&r, long_fail), "failed");
		cr_expect_eq(e2e_count_outcome(&r, "passed"), 3);
		/* shown on one line, escaped */
		cr_expect(strstr(r.out, "::names/two\\nlines"), "stdout: %s", r.out);
		e2e_free(&r);
	}
	/* the cache holds each name whole: the second run knew every test */
	cr_expect_eq(fu_cache_runs(cache, "::names/two\nlines"), 2);
	cr_expect_eq(fu_cache_runs(cache, long_fail), 2);
	free(long_fail);
}

/* Item 5: Criterion names of 1200 and 5000 bytes (lines Criterion cuts at 1023). */
Test(trust, long_criterion_names_survive)
{
	char *name = malloc(5100);
	struct e2e_run r;

	snprintf(name, 5100, "::long_names/%0*d", 5000, 0);
	memset(name + strlen("::long_names/"), 'm', 5000);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", fx("trust_crit_long")));
	cr_assert_eq(r.code, 1, "exit %d; stdout: %.3000s", r.code, r.out);
	cr_expect_eq(e2e_count(&r), 3);
	cr_expect_str_eq(e2e_outcome(&r, name), "failed");
	cr_expect(strstr(str(e2e_test(&r, name), "message"), "the long one fails"));
	cr_expect_str_eq(e2e_outcome(&r, "::long_names/short_one"), "passed");
	cr_expect_eq(e2e_count_outcome(&r, "passed"), 2);
	e2e_free(&r);
	free(name);
}

/* Item 6: a time limit below what can be enforced is refused, not silently "none". */
Test(trust, tiny_time_limits_are_usage_errors)
{
	const char *dir = e2e_tmpdir();
	char conf[4200];
	struct e2e_run r;
	FILE *f;

	e2e_balrun(&r, NULL, ARGS("--timeout", "1e-7", "--no-cache", fx("plain_sleep")));
	cr_expect_eq(r.code, 4, "exit %d; stderr: %s", r.code, r.err);
	cr_expect(strstr(r.err, "--timeout: '1e-7' is below 0.001 s"), "stderr: %s", r.err);
	e2e_free(&r);
	snprintf(conf, sizeof(conf), "%s/balrun.conf", dir);
	f = fopen(conf, "w");
	fputs("[balrun]\n\ttimeout = 0.0002\n", f);
	fclose(f);
	e2e_balrun(&r, NULL, ARGS("--config", conf, "--no-cache", fx("plain_sleep")));
	cr_expect_eq(r.code, 4, "exit %d; stderr: %s", r.code, r.err);
	cr_expect(strstr(r.err, "'0.0002' is below 0.001 s"), "stderr: %s", r.err);
	e2e_free(&r);
	/* the smallest limit is enforced: the 300 ms test times out */
	e2e_balrun(&r, NULL, ARGS("--timeout", "0.001", "--no-cache", fx("plain_sleep")));
	cr_expect_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_expect_str_eq(e2e_outcome(&r, "plain_sleep"), "timed out");
	e2e_free(&r);
}

/* Item 7: a banner printed by a constructor does not break Criterion's listing. */
Test(trust, criterion_banner_does_not_break_collection)
{
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", fx("trust_banner")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	cr_expect_eq(e2e_count(&r), 2);
	cr_expect_eq(e2e_count_outcome(&r, "passed"), 2);
	e2e_free(&r);
}

/* Item 8: tests that close or overwrite descriptors 3.. pass, as they do alone. */
Test(trust, tests_that_close_descriptors_pass)
{
	struct e2e_run r;

	for (int n = 1; n <= 2; n++) {
		e2e_balrun(&r, NULL, ARGS("-n", n == 1 ? "1" : "2", "--smoke", "0", "--no-cache",
					  fx("trust_fds")));
		cr_assert_eq(r.code, 0, "exit %d; stdout: %s", r.code, r.out);
		cr_expect_eq(e2e_count_outcome(&r, "passed"), 3);
		cr_expect(strstr(str(e2e_test(&r, "::fds/closes_3_to_1023"), "output"), "closed 3..1023"));
		cr_expect(strstr(str(e2e_test(&r, "::fds/after"), "output"), "after"));
		e2e_free(&r);
	}
}

/* Item 9: a run that finishes leaves another run's checkpoint alone. */
Test(trust, concurrent_runs_keep_their_own_checkpoints)
{
	const char *env, *dir = fu_dir(&env), *cache = e2e_tmpdir();
	char started[4200];
	struct e2e_run slow, quick;
	pid_t pid;

	pid = e2e_start(&slow, ENV(env, "FAULT_HANG=1", "FAULT_IGNORE_TERM=0"),
			ARGS("-n", "1", "--smoke", "0", "--cache-dir", cache, fx("fault_quick_a"),
			     fx("fault_hang_a")));
	snprintf(started, sizeof(started), "%s/started.fault_hang_a", dir);
	fu_wait_file(started);
	e2e_balrun(&quick, ENV(env), ARGS("-n", "1", "--cache-dir", cache, fx("fault_quick_b")));
	kill(pid, SIGKILL);	/* no save, no goodbye (and nothing left behind if the test fails) */
	e2e_finish(&slow, pid);
	e2e_free(&slow);
	kill_listed(dir);	/* the hung test's daemon, orphaned by the SIGKILL */
	cr_assert_eq(quick.code, 0, "exit %d; stderr: %s", quick.code, quick.err);
	e2e_free(&quick);
	e2e_balrun(&slow, ENV(env),
		   ARGS("-n", "1", "--smoke", "0", "--resume", "--cache-dir", cache, fx("fault_quick_a"),
			fx("fault_hang_a")));
	cr_assert_eq(slow.code, 0, "exit %d; stderr: %s", slow.code, slow.err);
	cr_expect_str_eq(fu_message(&slow, "fault_quick_a"), "passed before the interruption (--resume)");
	/* what passed before the SIGKILL reached the timings now, once */
	cr_expect_eq(fu_cache_runs(cache, "fault_quick_a"), 1);
	cr_expect(strstr(slow.err, "went to the timings now"), "stderr: %s", slow.err);
	e2e_free(&slow);
}

/* Item 9: checkpoint lines with durations that are no durations are damage, not resumed. */
Test(trust, resume_refuses_absurd_checkpoint_durations)
{
	const char *cache = e2e_tmpdir();
	const char *bad[] = { "nan", "inf", "1e308", "-1" };
	char path[4200], header[256], *id;
	struct e2e_run r;
	FILE *f;

	/* an interrupted (-x) run's checkpoint: its header names this selection */
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--smoke", "0", "--cache-dir", cache, "-x",
				  fx("plain_fail"), fx("plain_pass")));
	id = strdup(str(e2e_test(&r, "plain_pass"), "id"));
	e2e_free(&r);
	snprintf(path, sizeof(path), "%s/checkpoint", cache);
	f = fopen(path, "r");
	cr_assert(f && fgets(header, sizeof(header), f), "no checkpoint after a -x run");
	fclose(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(path, "w");
		fprintf(f, "%sPASS\t%s\t%s\n", header, bad[i], id);
		fclose(f);
		e2e_balrun(&r, NULL, ARGS("-n", "1", "--smoke", "0", "--cache-dir", cache, "-x",
					  "--resume", fx("plain_fail"), fx("plain_pass")));
		cr_expect_str_neq(fu_message(&r, "plain_pass"), "passed before the interruption (--resume)",
				  "a %s duration was resumed", bad[i]);
		cr_expect(strstr(r.err, "1 damaged line ignored"), "%s: stderr: %s", bad[i], r.err);
		e2e_free(&r);
	}
	free(id);
}

/* Item 9: a timings file that is a symlink stays one, and is not said to be replaced. */
Test(trust, symlinked_timings_file)
{
	const char *cache = e2e_tmpdir(), *shared = e2e_tmpdir();
	char link[4200], target[4200];
	struct e2e_run r;
	struct stat st;
	FILE *f;

	snprintf(link, sizeof(link), "%s/timings", cache);
	snprintf(target, sizeof(target), "%s/shared-timings", shared);
	f = fopen(target, "w");
	fputs("balrun-timings 1\nT\tbroken line\n", f);
	fclose(f);
	cr_assert_eq(symlink(target, link), 0);
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--cache-dir", cache, fx("plain_pass")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	cr_expect(!strstr(r.err, "replaced it meanwhile"), "stderr: %s", r.err);
	cr_expect(strstr(r.err, "kept it as"), "stderr: %s", r.err);
	e2e_free(&r);
	cr_assert_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the symlink was replaced by a file");
	cr_expect(strstr(fu_read(target), "plain_pass"), "the target got the timings: %s", fu_read(target));
}

/* Item 9: one absurd cached duration does not set the estimate of the other tests. */
Test(trust, absurd_cached_duration_poisons_nothing)
{
	const char *cache = e2e_tmpdir();
	char path[4200];
	struct e2e_run r;
	FILE *f;

	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, fx("crit_basic")));
	/* one test's mean becomes 999999999 s, the others are forgotten */
	snprintf(path, sizeof(path), "%s/timings", cache);
	f = fopen(path, "w");
	fprintf(f, "balrun-timings 1\nT\t%s\t999999999.000000\t0.000000\t999999999.000000"
		"\t1\tPASS\t0\t1\t0\t1\t1700000000\n", str(e2e_test(&r, "::basic/pass"), "id"));
	fclose(f);
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, "--plan", fx("crit_basic")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	cr_expect(!strstr(r.out, "99999"), "an absurd estimate reached the plan: %s", r.out);
	e2e_free(&r);
}

/* Item 10: every output path and input file is checked before anything runs. */
Test(trust, bad_paths_and_values_are_usage_errors_up_front)
{
	const char *dir = e2e_tmpdir();
	char fifo[4200], json[4200];
	struct e2e_run r;

	snprintf(json, sizeof(json), "%s/missing-dir/report.json", dir);
	e2e_balrun(&r, NULL, ARGS("--no-cache", "--json", json, fx("plain_sleep")));
	cr_expect_eq(r.code, 4, "exit %d; stderr: %s", r.code, r.err);
	cr_expect(strstr(r.err, "--json: cannot write"), "stderr: %s", r.err);
	cr_expect(!strstr(r.out, "plain_sleep"), "a test ran: %s", r.out);
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS("--no-cache", "--retries", "1000", fx("plain_pass")));
	cr_expect_eq(r.code, 4);
	cr_expect(strstr(r.err, "--retries: 1000 is more than 20"), "stderr: %s", r.err);
	e2e_free(&r);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	e2e_balrun(&r, NULL, ARGS("--no-cache", "--config", fifo, fx("plain_pass")));
	cr_expect_eq(r.code, 4);
	cr_expect(strstr(r.err, "a FIFO, not a regular file"), "stderr: %s", r.err);
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS("--no-cache", "-n", "5000", fx("plain_pass")));
	cr_expect_eq(r.code, 4);
	cr_expect(strstr(r.err, "-n: 5000 workers is more than the 1024"), "stderr: %s", r.err);
	e2e_free(&r);
	e2e_balrun(&r, ENV("BALRUN_WORKERS=5000"), ARGS("--no-cache", fx("plain_pass")));
	cr_expect_eq(r.code, 4);
	cr_expect(strstr(r.err, "BALRUN_WORKERS: 5000 workers is more than the 1024"), "stderr: %s", r.err);
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS(fx("plain_pass"), "--timeout"));
	cr_expect_eq(r.code, 4);
	cr_expect(strstr(r.err, "--timeout needs a value"), "stderr: %s", r.err);
	e2e_free(&r);
}

/* Item 11: a test that needs the test before it is ORDER-DEPENDENT, and remembered. */
Test(trust, order_dependent_test_is_told_from_a_failure)
{
	const char *cache = e2e_tmpdir(), *dir = e2e_tmpdir();
	char *env = NULL;
	struct e2e_run r;

	cr_assert(asprintf(&env, "TRUST_DIR=%s", dir) > 0);
	e2e_balrun(&r, ENV(env), ARGS("-n", "2", "--cache-dir", cache, fx("trust_orderdep")));
	cr_assert_eq(r.code, 1, "exit %d; stdout: %s", r.code, r.out);
	cr_expect_str_eq(e2e_outcome(&r, "::db/t_query"), "order-dependent");
	cr_expect(json_object_get(e2e_test(&r, "::db/t_query"), "context"), "no run in context");
	cr_expect(strstr(r.out, "== order-dependent (1)"), "stdout: %s", r.out);
	cr_expect(strstr(r.out, "trust_orderdep::db/*"), "no marker suggested: %s", r.out);
	/* failed once, passed again in context and alone: a failure, not order-dependent */
	cr_expect_str_eq(e2e_outcome(&r, "::db/t_flaky_once"), "failed");
	cr_expect(strstr(str(e2e_test(&r, "::db/t_flaky_once"), "message"), "flaky?"));
	e2e_free(&r);
	/* the cache keeps the group together from now on: no failure, no re-run */
	e2e_balrun(&r, ENV(env), ARGS("-n", "2", "--cache-dir", cache, fx("trust_orderdep")));
	cr_assert_eq(r.code, 0, "exit %d; stdout: %s", r.code, r.out);
	cr_expect(strstr(r.out, "keeping 1 group together"), "stdout: %s", r.out);
	cr_expect_str_eq(e2e_outcome(&r, "::db/t_query"), "passed");
	cr_expect(!strstr(r.out, "checking failures for order dependence"), "stdout: %s", r.out);
	e2e_free(&r);
	free(env);
}

/*
 * Last run's failures run with the tests before them in their group, in one
 * invocation: in context, so no check for order dependence after the run
 * (cmocka_basic's smoke tests take alpha/e_output and beta/c_pass out of the
 * groups, which without this left alpha/b_fail and alpha/d_segfault out of
 * context on every run), and the answer stays the serial one.
 */
Test(trust, last_runs_failures_run_in_context)
{
	const char *cache = e2e_tmpdir();
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, fx("cmocka_basic")));
	cr_assert_eq(r.code, 1, "exit %d; stdout: %s", r.code, r.out);
	e2e_free(&r);
	for (int i = 0; i < 2; i++) {
		e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, fx("cmocka_basic")));
		cr_assert_eq(r.code, 1, "exit %d; stdout: %s", r.code, r.out);
		cr_expect(!strstr(r.out, "checking failures for order dependence"), "stdout: %s", r.out);
		cr_expect_str_eq(e2e_outcome(&r, "::alpha/b_fail"), "failed");
		cr_expect_str_eq(e2e_outcome(&r, "::alpha/d_segfault"), "failed");
		cr_expect_str_eq(e2e_outcome(&r, "::beta/b_setup_fails"), "failed");
		e2e_free(&r);
	}
}

/*
 * ... but not when the tests before a failure are most of the run: 30 s of
 * alpha/a_pass (as the cache says) in front of alpha/b_fail would be one unit
 * on one worker.  The failure runs apart, and the check after the run puts it
 * in context.
 */
Test(trust, failures_after_long_tests_are_checked_after_the_run)
{
	const char *cache = e2e_tmpdir();
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, fx("cmocka_basic")));
	e2e_free(&r);
	/*
	 * Both groups' a_pass; the mean, in microseconds, is the field after the
	 * name.  A T line's id is the last P line's prefix and its name, and a
	 * test whose neighbours in the file (the run's order) are of another
	 * group has no prefix: an empty P line, then its whole id.
	 */
	cr_assert_eq(e2e_sh("awk -F '\t' -v OFS='\t' '$1 == \"P\" { p = $2 } "
			    "$1 == \"T\" && (p $2) ~ /::(alpha|beta)\\/a_pass$/ { $3 = 30000000; n++ } "
			    "{ print } END { exit n != 2 }' '%s/timings' > '%s/t' && mv '%s/t' '%s/timings'",
			    cache, cache, cache, cache), 0);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, fx("cmocka_basic")));
	cr_assert_eq(r.code, 1, "exit %d; stdout: %s", r.code, r.out);
	cr_expect(strstr(r.out, "checking failures for order dependence"), "stdout: %s", r.out);
	cr_expect_str_eq(e2e_outcome(&r, "::alpha/b_fail"), "failed");
	e2e_free(&r);
}

/* Item 11: --dist group keeps each group in one unit; --dist binary each binary. */
Test(trust, dist_group_and_binary)
{
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", "--dist", "group", fx("trust_orderdep")));
	cr_assert_eq(r.code, 0, "exit %d; stdout: %s", r.code, r.out);
	cr_expect_str_eq(e2e_outcome(&r, "::db/t_query"), "passed");
	cr_expect_eq(json_integer_value(json_object_get(e2e_test(&r, "::db/t_open"), "worker")),
		     json_integer_value(json_object_get(e2e_test(&r, "::db/t_query"), "worker")));
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", "--dist", "loadfile", "--plan",
				  fx("trust_orderdep")));
	cr_assert_eq(r.code, 0, "exit %d; stdout: %s", r.code, r.out);
	cr_expect(strstr(r.out, "group binary"), "stdout: %s", r.out);
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS("--dist", "sideways", fx("trust_orderdep")));
	cr_expect_eq(r.code, 4);
	cr_expect(strstr(r.err, "--dist: 'sideways' is not one of"), "stderr: %s", r.err);
	e2e_free(&r);
}
