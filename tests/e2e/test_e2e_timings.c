/*
 * test_e2e_timings.c - the timing cache through the real balrun: the second
 * run starts the longest tests first, timings survive failing runs, a
 * damaged cache is put aside without losing the run.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static double num(json_t *t, const char *key)
{
	return json_number_value(json_object_get(t, key));
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char buf[1 << 20];
	size_t n = 0;
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * env_b is made the longest test (600 ms) and sorts after all the others;
 * ms010 is the shortest.  With timings known, env_b must start before the
 * short tests; ordering rather than absolute times is asserted.
 */
Test(timings, second_run_starts_longest_first)
{
	const char *cache = e2e_tmpdir();
	const char *env[] = { "BALRUN_FIXTURE_B_MS=600", NULL };
	struct e2e_run r;

	e2e_balrun(&r, env, ARGS("-n", "2", "--smoke", "0", "--cache-dir", cache, e2e_fixture("crit_durations")));
	cr_assert_eq(r.code, 0, "first run exit %d: %s", r.code, r.err);
	e2e_free(&r);

	e2e_balrun(&r, env, ARGS("-n", "2", "--smoke", "0", "--cache-dir", cache, e2e_fixture("crit_durations")));
	cr_assert_eq(r.code, 0, "second run exit %d: %s", r.code, r.err);
	json_t *longest = e2e_test(&r, "::durations/env_b");
	cr_expect(json_is_real(json_object_get(longest, "estimate_s")), "second run had no estimate");
	double start_longest = num(longest, "start_s");
	const char *shortest[] = { "::durations/ms010", "::durations/ms020", "::durations/env_a" };
	for (size_t i = 0; i < 3; i++)
		cr_expect(start_longest <= num(e2e_test(&r, shortest[i]), "start_s"),
			  "%s started before the longest test", shortest[i]);
	/* each worker's own part of its units (own_s) is a part of its busy time, and not nothing */
	json_t *ws = json_object_get(r.report, "worker_stats"), *w;
	size_t i;
	cr_assert_eq(json_array_size(ws), 2);
	json_array_foreach(ws, i, w) {
		double own = num(w, "own_s"), busy = num(w, "busy_s");
		cr_expect(own > 0 && own < busy, "worker %zu: own_s %g, busy_s %g", i, own, busy);
	}
	e2e_free(&r);
}

Test(timings, cache_written_even_when_tests_fail)
{
	const char *cache = e2e_tmpdir();
	char path[4200];
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, e2e_fixture("crit_basic")));
	cr_assert_eq(r.code, 1);
	e2e_free(&r);
	snprintf(path, sizeof(path), "%s/timings", cache);
	char *text = read_file(path);
	cr_assert(text, "no timings file at %s", path);
	cr_expect(strncmp(text, "balrun-timings 2\n", 17) == 0, "first line: %.40s", text);
	/* ids are stored under prefixes: ask balrun for them */
	cr_expect(e2e_sh("'%s' cache show --cache-dir '%s' | grep -q '::basic/fail'", BALRUN_PATH, cache) == 0,
		  "failed test not recorded");
	cr_expect(e2e_sh("'%s' cache show --cache-dir '%s' | grep -q '::timing/slow'", BALRUN_PATH, cache) == 0,
		  "passing test not recorded");
}

Test(timings, damaged_cache_is_kept_aside_and_the_run_goes_on)
{
	const char *cache = e2e_tmpdir();
	char path[4200];
	struct e2e_run r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/timings", cache);
	f = fopen(path, "w");
	fputs("this is not a balrun timing cache\n\x01\x02\n", f);
	fclose(f);
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--cache-dir", cache, e2e_fixture("plain_pass")));
	cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
	cr_expect(strstr(r.err, "timings"), "no warning naming the cache: %s", r.err);
	cr_expect(strchr(r.err, '\n') == strrchr(r.err, '\n'), "warning is not one line: %s", r.err);
	e2e_free(&r);
	/* the new cache is valid, the damaged one kept as a backup */
	cr_expect(strncmp(read_file(path), "balrun-timings 2\n", 17) == 0);
	char cmd[4300];
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -q '^timings\\.bad-'", cache);
	cr_expect(system(cmd) == 0, "no backup of the damaged cache");
}

Test(timings, last_failed_runs_only_the_failures)
{
	const char *cache = e2e_tmpdir();
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, e2e_fixture("crit_basic")));
	cr_assert_eq(r.code, 1);
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--lf", "--cache-dir", cache, e2e_fixture("crit_basic")));
	cr_assert_eq(r.code, 1);
	cr_expect_eq(e2e_count(&r), 2, "ran %zu tests", e2e_count(&r));
	e2e_test(&r, "::basic/fail");
	e2e_test(&r, "::basic/crash");
	e2e_free(&r);
}

/*
 * Starting work ahead: on one worker, crit_ahead_b's process starts while
 * crit_ahead_a's test runs (ahead/a sees its line), and the run's answer is
 * the serial one.  With a lock on b's test it must not start early: ahead/a
 * waits 1 s and sees nothing.
 */
Test(timings, the_next_criterion_binary_starts_while_a_unit_runs)
{
	char log[] = "/tmp/balrun-ahead-XXXXXX", var[64];
	const char *env[] = { var, NULL }, *env_short[] = { var, "BALRUN_FIXTURE_A_MS=1000", NULL };
	const char *a = e2e_fixture("crit_ahead_a"), *b = e2e_fixture("crit_ahead_b");
	struct e2e_run r;
	int fd = mkstemp(log);

	cr_assert_geq(fd, 0);
	close(fd);
	snprintf(var, sizeof(var), "BALRUN_FIXTURE_LOG=%s", log);
	e2e_balrun(&r, env, ARGS("-n", "1", "--smoke", "0", "--no-cache", a, b));
	cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.out);
	cr_expect(strstr(json_string_value(json_object_get(e2e_test(&r, "::ahead/a"), "output")),
			 "b started: yes"), "b did not start ahead");
	cr_expect_str_eq(e2e_outcome(&r, "::ahead/b"), "passed");
	e2e_free(&r);
	cr_assert_eq(truncate(log, 0), 0);
	e2e_balrun(&r, env_short, ARGS("-n", "1", "--smoke", "0", "--no-cache", "--lock", "l=*ahead/b",
				       a, b));
	cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.out);
	cr_expect(strstr(json_string_value(json_object_get(e2e_test(&r, "::ahead/a"), "output")),
			 "b started: no"), "b started before its lock was taken");
	cr_expect_str_eq(e2e_outcome(&r, "::ahead/b"), "passed");
	e2e_free(&r);
	unlink(log);
}
