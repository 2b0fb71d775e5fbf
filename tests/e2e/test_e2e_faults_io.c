/*
 * test_e2e_faults_io.c - fault injection, end to end: tests that misuse
 * their output or their process tree, and suites big enough to exhaust
 * something if balrun leaked it.
 *
 *   - a test that prints 1 GiB: it passes, its output is cut to head and
 *     tail with the rest counted, and balrun's peak memory (with its
 *     workers) stays far below the output;
 *   - a test that writes protocol-looking bytes to stdout and to every
 *     descriptor it inherited, then closes stdout and stderr: it inherited
 *     none of the protocol pipes, it passes, and nothing is confused;
 *   - a test that leaves a daemon holding its output pipe: the run does not
 *     wait for it and the daemon is dead afterwards;
 *   - 100,000 tests of one cmocka binary: all pass, and the descriptors of
 *     balrun and its workers, sampled by the tests themselves, stay few.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault-util.h"
#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define ENV(...) ((const char *const[]){ __VA_ARGS__, NULL })

Test(faults_io, gigabyte_of_output_keeps_memory_flat, .timeout = 240)
{
	const char *cache = e2e_tmpdir();
	struct e2e_run r;
	json_t *t;
	json_int_t dropped;

	e2e_balrun(&r, ENV("FAULT_FLOOD_MB=1024"),
		   ARGS("-n", "1", "--cache-dir", cache, e2e_fixture("fault_flood")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	fu_assert_accounted(&r, 1);
	t = e2e_test(&r, "fault_flood");
	dropped = json_integer_value(json_object_get(t, "output_dropped"));
	/* 1 GiB printed, 64 KiB head + 64 KiB tail kept */
	cr_expect_eq(dropped, (json_int_t)1024 * 1024 * 1024 - 2 * 65536, "dropped %lld", (long long)dropped);
	cr_expect_eq(strlen(json_string_value(json_object_get(t, "output"))), 2 * 65536);
	/* balrun and its worker: far below the gigabyte (ASan builds included) */
	cr_expect_lt(r.ru.ru_maxrss, 200 * 1024, "peak RSS %ld KiB", r.ru.ru_maxrss);
	fu_cache_runs(cache, "fault_flood");
	e2e_free(&r);
}

Test(faults_io, test_scribbling_on_descriptors_and_closing_stdout_confuses_nothing)
{
	const char *env, *dir = fu_dir(&env), *cache = e2e_tmpdir();
	char path[4200];
	const char *fds;
	struct e2e_run r;

	e2e_balrun(&r, ENV(env), ARGS("-n", "2", "--cache-dir", cache, e2e_fixture("fault_closeout"),
				      e2e_fixture("fault_quick_a"), e2e_fixture("fault_quick_b")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	fu_assert_accounted(&r, 3);
	cr_expect_eq(e2e_count_outcome(&r, "passed"), 3);
	snprintf(path, sizeof(path), "%s/fds", dir);
	fds = fu_read(path);
	cr_assert(fds, "the fixture did not run");
	cr_expect_str_eq(fds, "none\n", "descriptors a test inherited: %s", fds);
	fu_cache_runs(cache, "fault_closeout");
	e2e_free(&r);
}

Test(faults_io, daemon_holding_the_pipe_neither_blocks_nor_survives)
{
	const char *env, *dir = fu_dir(&env), *cache = e2e_tmpdir();
	struct e2e_run r;

	e2e_balrun(&r, ENV(env), ARGS("-n", "1", "--timeout", "60", "--cache-dir", cache,
				      e2e_fixture("fault_daemon"), e2e_fixture("fault_quick_a")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	fu_assert_accounted(&r, 2);
	cr_expect_str_eq(e2e_outcome(&r, "fault_daemon"), "passed");
	cr_expect(strstr(json_string_value(json_object_get(e2e_test(&r, "fault_daemon"), "output")),
			 "left a daemon behind"));
	fu_assert_all_dead(dir);
	e2e_free(&r);
}

Test(faults_io, hundred_thousand_tests_keep_descriptors_bounded, .timeout = 600)
{
	const char *env, *dir = fu_dir(&env), *cache = e2e_tmpdir();
	const char *many = getenv("BALRUN_E2E_MANY") ? getenv("BALRUN_E2E_MANY") : "100000";
	char path[4200], assign[64];
	const char *log;
	struct e2e_run r;
	int worker_fds, balrun_fds, samples = 0, off = 0, n;

	snprintf(assign, sizeof(assign), "FAULT_MANY=%s", many);
	e2e_balrun(&r, ENV(env, assign), ARGS("-n", "2", "-q", "--cache-dir", cache,
					      e2e_fixture("fault_cmocka_many")));
	cr_assert_eq(r.code, 0, "exit %d; stderr: %s", r.code, r.err);
	cr_assert_eq(e2e_count_outcome(&r, "passed"), (size_t)atol(many));
	snprintf(path, sizeof(path), "%s/fdlog", dir);
	log = fu_read(path);
	cr_assert(log, "no descriptor samples");
	while (sscanf(log + off, "%d %d\n%n", &worker_fds, &balrun_fds, &n) == 2) {
		/* worker: stdio + the test's pipes; balrun: stdio, 2 pipes per worker, files */
		cr_expect(worker_fds > 0 && worker_fds <= 16, "worker holds %d descriptors", worker_fds);
		cr_expect(balrun_fds > 0 && balrun_fds <= 24, "balrun holds %d descriptors", balrun_fds);
		samples++;
		off += n;
	}
	cr_expect_geq(samples, 2, "only %d samples", samples);
	cr_expect_eq(fu_cache_runs(cache, "::many/t099999") + (atol(many) != 100000), 1);
	e2e_free(&r);
}
