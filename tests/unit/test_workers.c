/*
 * test_workers.c - the "-n auto" worker count (runner/input/workers.c) against fake
 * cgroup trees: v2 cpu.max, v1 cfs quota in the usual places, no limit.
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
