/*
 * test_workers.c - the worker count (runner/input/workers.c): "-n auto"
 * against fake cgroup trees (v2 cpu.max, v1 cfs quota in the usual places,
 * no limit), and which of -n, BALRUN_WORKERS and the config file decides.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workers.h"

static char root[64];

static void make_root(void)
{
	snprintf(root, sizeof(root), "/tmp/balrun-ncpu.XXXXXX");
	cr_assert(mkdtemp(root));
}

static void drop_root(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (strchr(rel, '/')) {
		char dir[256];
		snprintf(dir, sizeof(dir), "%s/%.*s", root, (int)(strrchr(rel, '/') - rel), rel);
		mkdir(dir, 0700);
	}
	f = fopen(path, "w");
	cr_assert(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

TestSuite(ncpu, .init = make_root, .fini = drop_root);

Test(ncpu, no_cgroup_files_means_no_limit)
{
	cr_expect_eq(workers_cgroup_quota(root), 0);
}

Test(ncpu, v2_quota)
{
	put("cpu.max", "150000 100000\n");
	cr_expect_float_eq(workers_cgroup_quota(root), 1.5, 1e-9);
}

Test(ncpu, v2_max_is_no_limit)
{
	put("cpu.max", "max 100000\n");
	cr_expect_eq(workers_cgroup_quota(root), 0);
}

Test(ncpu, v1_quota_in_cpu_dir)
{
	put("cpu/cpu.cfs_quota_us", "200000\n");
	put("cpu/cpu.cfs_period_us", "100000\n");
	cr_expect_float_eq(workers_cgroup_quota(root), 2.0, 1e-9);
}

Test(ncpu, v1_quota_in_combined_dir)
{
	put("cpu,cpuacct/cpu.cfs_quota_us", "50000\n");
	put("cpu,cpuacct/cpu.cfs_period_us", "100000\n");
	cr_expect_float_eq(workers_cgroup_quota(root), 0.5, 1e-9);
}

Test(ncpu, v1_minus_one_is_no_limit)
{
	put("cpu/cpu.cfs_quota_us", "-1\n");
	put("cpu/cpu.cfs_period_us", "100000\n");
	cr_expect_eq(workers_cgroup_quota(root), 0);
}

Test(ncpu, garbage_is_no_limit)
{
	put("cpu.max", "banana\n");
	cr_expect_eq(workers_cgroup_quota(root), 0);
}

static int affinity(void)
{
	cpu_set_t set;
	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	return CPU_COUNT(&set);
}

Test(ncpu, auto_is_affinity_without_quota)
{
	struct strbuf why = STRBUF_INIT;
	cr_expect_eq(workers_auto(root, &why), affinity());
	cr_expect(strstr(why.buf, "affinity mask"), "%s", why.buf);
	strbuf_release(&why);
}

Test(ncpu, auto_is_capped_by_quota_and_rounded_up)
{
	put("cpu.max", "50000 100000\n");	/* half a CPU: still one worker */
	cr_expect_eq(workers_auto(root, NULL), 1);
}

Test(ncpu, auto_follows_a_narrowed_affinity_mask)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
	cr_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	cr_expect_eq(workers_auto(root, NULL), 1);
}

/* Who decides: -n N, else BALRUN_WORKERS (also for -n auto), else the config file, else auto. */
Test(workers, precedence_of_flag_environment_and_file)
{
	struct strbuf err = STRBUF_INIT;
	int all = workers_auto("/sys/fs/cgroup", NULL);

	unsetenv("BALRUN_WORKERS");
	cr_expect_eq(workers_resolve(1, 7, 3, &err), 7);
	cr_expect_eq(workers_resolve(0, 0, 3, &err), 3);
	cr_expect_eq(workers_resolve(0, 0, -1, &err), all);
	cr_expect_eq(workers_resolve(1, 0, 3, &err), all, "-n auto beats the file");
	setenv("BALRUN_WORKERS", "5", 1);
	cr_expect_eq(workers_resolve(1, 7, 3, &err), 7);
	cr_expect_eq(workers_resolve(0, 0, 3, &err), 5);
	cr_expect_eq(workers_resolve(1, 0, -1, &err), 5, "BALRUN_WORKERS stands in for -n auto");
	setenv("BALRUN_WORKERS", "auto", 1);
	cr_expect_eq(workers_resolve(0, 0, 3, &err), all);
	setenv("BALRUN_WORKERS", "lots", 1);
	cr_expect_eq(workers_resolve(0, 0, 3, &err), -1);
	cr_expect(strstr(err.buf, "BALRUN_WORKERS: 'lots' is neither a whole number nor auto"), "%s", err.buf);
	unsetenv("BALRUN_WORKERS");
	strbuf_release(&err);
}
