/*
 * test_e2e_capacity.c - "-n auto" capped by memory, and the warning for an
 * -n the machine cannot take, through the real balrun on fake /proc and
 * cgroup trees (BALRUN_PROC_ROOT, BALRUN_CGROUP_ROOT): 8 GiB available, a
 * 4 GiB cgroup limit, and a timing cache whose tests each peaked at
 * 1900 MiB, so memory has room for one worker at 1.9 GiB.  --plan and the
 * run's header line explain the count; -n 99 gets one warning line, -n auto
 * none, and a cache without peak RSS no memory warning.  The heavy cache
 * says its binary keeps a CPU busy, so that only memory decides there;
 * tests that sleep (crit_durations) teach -n auto to run more workers than
 * CPUs.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tcache.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define HEAVY_KB (1900ull * 1024)

static char cache_dir[4200], env_proc[4300], env_cgroup[4300];
static const char *machine;	/* the fake trees' directory */

/* The fake machine: <tmp>/proc/{meminfo,self/cgroup}, <tmp>/cg/memory.max. */
static void fake_machine(void)
{
	const char *dir = machine = e2e_tmpdir();

	cr_assert_eq(e2e_sh("cd '%s' && mkdir -p proc/self cg && "
			    "printf 'MemTotal: 16777216 kB\\nMemAvailable: 8388608 kB\\n' > proc/meminfo && "
			    "echo 0::/ > proc/self/cgroup && echo 4294967296 > cg/memory.max", dir), 0);
	snprintf(env_proc, sizeof(env_proc), "BALRUN_PROC_ROOT=%s/proc", dir);
	snprintf(env_cgroup, sizeof(env_cgroup), "BALRUN_CGROUP_ROOT=%s/cg", dir);
}

/* A cache of marked_cmocka's tests (a real run's ids), every one with a peak RSS of 1900 MiB. */
static void heavy_cache(void)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	const struct tc_entry *v;
	struct timing_cache *tc;
	struct e2e_run r;
	size_t n;

	snprintf(cache_dir, sizeof(cache_dir), "%s/cache", e2e_tmpdir());
	e2e_balrun(&r, NULL, ARGS("-n", "1", "--cache-dir", cache_dir, e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	e2e_free(&r);
	tc = tc_open(cache_dir, &warn, &err);
	cr_assert(tc, "%s", err.buf);
	v = tc_entries(tc, &n);
	cr_assert_eq(n, 8);
	for (size_t i = 0; i < n; i++)
		tc_record_test(tc, v[i].id, OUTCOME_PASS, v[i].mean, HEAVY_KB);
	/* busy: its smoothed CPU share reaches 1.000 (the waiting-tests rule stays out) */
	for (int i = 0; i < 40; i++)
		tc_record_binary_cpu(tc, tc_binaries(tc, &n)[0].path, 1, 1);
	cr_assert_eq(tc_save(tc, &err), 0, "%s", err.buf);
	tc_free(tc);
	strbuf_release(&warn);
	strbuf_release(&err);
}

static void setup(void)
{
	fake_machine();
	heavy_cache();
}

TestSuite(capacity, .init = setup);

static int affinity(void)
{
	cpu_set_t set;

	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	return CPU_COUNT(&set);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

Test(capacity, plan_explains_auto_capped_by_memory)
{
	struct e2e_run r;
	int cpus = affinity();
	char want[128];

	e2e_balrun(&r, ARGS(env_proc, env_cgroup, "BALRUN_WORKERS="),
		   ARGS("--plan", "-n", "auto", "--cache-dir", cache_dir, e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect(strstr(r.out, "balrun plan: 8 tests from 1 binary on 1 worker (8 timed"), "%s", r.out);
	cr_expect(strstr(r.out, "\n-n auto: ") && strstr(r.out, " CPU"), "%s", r.out);
	cr_expect(strstr(r.out, ", memory for 1 worker at 1.9 GiB each -> 1\n"), "%s", r.out);
	cr_expect(!strstr(r.err, "warning"), "no warning for -n auto: %s", r.err);
	e2e_free(&r);

	/* no cgroup limit: MemAvailable's 8 GiB less a tenth has room for 3 */
	cr_assert_eq(e2e_sh("echo max > '%s/cg/memory.max'", machine), 0);
	e2e_balrun(&r, ARGS(env_proc, env_cgroup, "BALRUN_WORKERS="),
		   ARGS("--plan", "--cache-dir", cache_dir, e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	snprintf(want, sizeof(want), ", memory for 3 workers at 1.9 GiB each -> %d\n", cpus < 3 ? cpus : 3);
	cr_expect(strstr(r.out, want), "no '%s' in %s", want, r.out);
	e2e_free(&r);

	/* the same machine with the cache's RSS unknown: the CPUs alone */
	e2e_balrun(&r, ARGS(env_proc, env_cgroup, "BALRUN_WORKERS="),
		   ARGS("--plan", "--no-cache", e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect(!strstr(r.out, "memory for"), "%s", r.out);
	e2e_free(&r);
}

Test(capacity, run_header_explains_the_count)
{
	struct e2e_run r;
	int cpus = affinity();

	e2e_balrun(&r, ARGS(env_proc, env_cgroup, "BALRUN_WORKERS="),
		   ARGS("--cache-dir", cache_dir, e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect(strstr(r.out, "balrun: 8 tests from 1 binary on 1 worker"), "%s", r.out);
	if (cpus > 1)	/* held below the CPUs: the header says why */
		cr_expect(strstr(r.out, " on 1 worker (-n auto: ") &&
			  strstr(r.out, ", memory for 1 worker at 1.9 GiB each -> 1); timings for 8"), "%s", r.out);
	cr_expect_eq(json_integer_value(json_object_get(r.report, "workers")), 1, "%s", r.out);
	e2e_free(&r);
}

Test(capacity, warning_for_more_than_the_machine_takes)
{
	struct e2e_run r;

	e2e_balrun(&r, ARGS(env_proc, env_cgroup, "BALRUN_WORKERS="),
		   ARGS("--plan", "-n", "99", "--cache-dir", cache_dir, e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect(strstr(r.err, "balrun: warning: -n 99 is more than 2 x ") &&
		  strstr(r.err, "memory for 1 worker at 1.9 GiB each; -n auto would pick 1\n"), "%s", r.err);
	cr_expect_eq(count_lines(r.err), 1, "one line: %s", r.err);
	cr_expect(!strstr(r.out, "-n auto:"), "no explanation for a count asked for: %s", r.out);
	e2e_free(&r);

	e2e_balrun(&r, ARGS(env_proc, env_cgroup, "BALRUN_WORKERS="),
		   ARGS("--plan", "-n", "2", "--cache-dir", cache_dir, e2e_fixture("marked_cmocka")));
	cr_expect(strstr(r.err, "balrun: warning: -n 2 is more than memory for 1 worker at 1.9 GiB each; "
			 "-n auto would pick 1\n"), "%s", r.err);
	e2e_free(&r);

	e2e_balrun(&r, ARGS(env_proc, env_cgroup, "BALRUN_WORKERS="),
		   ARGS("--plan", "-n", "2", "--no-cache", e2e_fixture("marked_cmocka")));
	cr_expect_eq(r.err[0], '\0', "no peak RSS known: no memory warning: %s", r.err);
	e2e_free(&r);

	e2e_balrun(&r, ARGS(env_proc, env_cgroup, "BALRUN_WORKERS="),
		   ARGS("--plan", "-n", "auto", "--cache-dir", cache_dir, e2e_fixture("marked_cmocka")));
	cr_expect_eq(r.err[0], '\0', "no warning for -n auto: %s", r.err);
	e2e_free(&r);
}

Test(capacity, waiting_tests_get_more_workers_than_cpus)
{
	char dir[4300];
	struct e2e_run r;
	int cpus = affinity();
	char want[160];

	snprintf(dir, sizeof(dir), "%s/cache", e2e_tmpdir());
	/* a first run measures how little CPU the sleeping tests use */
	e2e_balrun(&r, ARGS("BALRUN_WORKERS="), ARGS("-n", "2", "--cache-dir", dir, e2e_fixture("crit_durations")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	e2e_free(&r);
	cr_assert_eq(e2e_sh("grep -q '^B\t.*crit_durations\t[0-9]*\t[0-9]*\t[0-9][0-9]*$' '%s/timings'", dir), 0,
		     "no CPU share recorded for the binary");
	e2e_balrun(&r, ARGS("BALRUN_WORKERS="), ARGS("--plan", "--cache-dir", dir, e2e_fixture("crit_durations")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	/* they sleep (Criterion's process per test is what uses the CPU): more workers than CPUs */
	const char *line = strstr(r.out, "\n-n auto: "), *arrow = line ? strstr(line, " -> ") : NULL;
	cr_assert(arrow, "no explanation in %s", r.out);
	cr_expect(strstr(line, ", tests busy "), "%s", r.out);
	cr_expect_gt(atoi(arrow + 4), cpus, "no more workers than CPUs: %s", r.out);
	snprintf(want, sizeof(want), "from 1 binary on %d workers", atoi(arrow + 4));
	cr_expect(strstr(r.out, want), "the plan does not use what it explains: %s", r.out);
	e2e_free(&r);
	/* a count asked for within what auto picks: no warning */
	e2e_balrun(&r, ARGS("BALRUN_WORKERS="),
		   ARGS("--plan", "-n", "5", "--cache-dir", dir, e2e_fixture("crit_durations")));
	cr_expect(cpus > 2 || !strstr(r.err, "warning"), "%s", r.err);
	e2e_free(&r);
}
