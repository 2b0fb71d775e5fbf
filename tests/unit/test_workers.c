/*
 * test_workers.c - the worker count (runner/input/workers.c): "-n auto"
 * against fake cgroup trees (v2 cpu.max, v1 cfs quota in the usual places,
 * no limit), which of -n, BALRUN_WORKERS and the config file decides; the
 * memory figures (runner/input/sysmem.c) from fake /proc and cgroup trees
 * (v1, v2, both, none, "max", garbage, no MemAvailable, a path the tree
 * does not have); and the count settled for the selected tests with peak
 * RSS from a real timing cache.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapter.h"
#include "known.h"
#include "sysmem.h"
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
	for (char *slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
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
	cr_expect(strstr(why.buf, " CPU"), "%s", why.buf);
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

/* ---- memory: sysmem.c on fake trees, <root>/proc and <root>/cg ---- */

#define MiB (1ull << 20)

static char proc[128], cg[128];

static void make_trees(void)
{
	make_root();
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(cg, sizeof(cg), "%s/cg", root);
	mkdir(proc, 0700);
	mkdir(cg, 0700);
}

TestSuite(sysmem, .init = make_trees, .fini = drop_root);

Test(sysmem, mem_available)
{
	static const struct { const char *meminfo, *why; uint64_t kb; } cases[] = {
		{ "MemTotal:  16000000 kB\nMemFree:  100 kB\nMemAvailable:    8000000 kB\nCached: 1 kB\n", "", 8000000 },
		{ "MemTotal:  16000000 kB\nMemFree:  100 kB\n", "no MemAvailable line (before Linux 3.14)", 0 },
		{ "MemAvailable: lots kB\n", "garbage", 0 },
		{ "MemAvailable: -5 kB\n", "a sign", 0 },
		{ "MemAvailable: 5 MB\n", "another unit", 0 },
		{ "MemAvailable: 99999999999999999999999 kB\n", "overflow", 0 },
		{ "MemAvailable: 18014398509481984 kB\n", "too many bytes to count", 0 },
	};

	cr_expect_eq(sysmem_available(proc), 0, "no meminfo");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put("proc/meminfo", cases[i].meminfo);
		cr_expect_eq(sysmem_available(proc), cases[i].kb * 1024, "%s", cases[i].why);
	}
}

/* A cgroup tree: files under the root (path, content; up to 7) and the limit they make, in MiB. */
struct tree_case {
	const char *name;
	const char *files[8][2];
	uint64_t limit_mib;
};

#define V1_NONE "9223372036854771712\n"	/* what v1 writes for no limit */

static const struct tree_case tree_cases[] = {
	{ "no files: no limit", { { "proc/self/cgroup", "0::/user.slice/run.scope\n" } }, 0 },
	{ "v2: a parent's limit bounds its children",
	  { { "proc/self/cgroup", "0::/user.slice/run.scope\n" }, { "cg/memory.max", "max\n" },
	    { "cg/user.slice/memory.max", "2147483648\n" }, { "cg/user.slice/run.scope/memory.max", "max\n" } },
	  2048 },
	{ "v2: the smallest on the way up",
	  { { "proc/self/cgroup", "0::/user.slice/run.scope\n" }, { "cg/user.slice/memory.max", "2147483648\n" },
	    { "cg/user.slice/run.scope/memory.max", "1073741824\n" } }, 1024 },
	{ "v2: max everywhere",
	  { { "proc/self/cgroup", "0::/a/b\n" }, { "cg/memory.max", "max\n" }, { "cg/a/memory.max", "max\n" },
	    { "cg/a/b/memory.max", "max\n" } }, 0 },
	{ "v2: a container's root", { { "proc/self/cgroup", "0::/\n" }, { "cg/memory.max", "536870912\n" } }, 512 },
	{ "v2: the host's path in a container without its own namespace",
	  { { "proc/self/cgroup", "0::/docker/4f2a/inner\n" }, { "cg/memory.max", "536870912\n" } }, 512 },
	{ "v1: no limit is a huge number",
	  { { "proc/self/cgroup", "12:pids:/docker/abc\n4:memory:/docker/abc\n" },
	    { "cg/memory/memory.limit_in_bytes", V1_NONE }, { "cg/memory/docker/abc/memory.limit_in_bytes", V1_NONE } },
	  0 },
	{ "v1: a parent's limit",
	  { { "proc/self/cgroup", "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n" },
	    { "cg/memory/docker/memory.limit_in_bytes", "805306368\n" },
	    { "cg/memory/docker/abc/memory.limit_in_bytes", V1_NONE } }, 768 },
	{ "v1: only the memory controller's tree",
	  { { "proc/self/cgroup", "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n" },
	    { "cg/memory/docker/abc/memory.limit_in_bytes", "268435456\n" },
	    { "cg/cpu,cpuacct/docker/abc/memory.limit_in_bytes", "1048576\n" } }, 256 },
	{ "v1 and v2: the smaller",
	  { { "proc/self/cgroup", "4:memory:/a\n0::/a\n" }, { "cg/memory/a/memory.limit_in_bytes", "1073741824\n" },
	    { "cg/a/memory.max", "536870912\n" } }, 512 },
	{ "no /proc: the v2 root", { { "cg/memory.max", "1073741824\n" } }, 1024 },
	{ "no /proc: the v1 root",
	  { { "cg/memory.max", "max\n" }, { "cg/memory/memory.limit_in_bytes", "536870912\n" } }, 512 },
	{ "garbage", { { "proc/self/cgroup", "0::/\n" }, { "cg/memory.max", "banana\n" } }, 0 },
	{ "a number and garbage", { { "proc/self/cgroup", "0::/\n" }, { "cg/memory.max", "12abc\n" } }, 0 },
	{ "empty", { { "proc/self/cgroup", "0::/\n" }, { "cg/memory.max", "" } }, 0 },
	{ "a sign", { { "proc/self/cgroup", "0::/\n" }, { "cg/memory.max", "-1\n" } }, 0 },
	{ "zero", { { "proc/self/cgroup", "0::/\n" }, { "cg/memory.max", "0\n" } }, 0 },
	{ "two numbers", { { "proc/self/cgroup", "0::/\n" }, { "cg/memory.max", "1 2\n" } }, 0 },
	{ "overflow", { { "proc/self/cgroup", "0::/\n" }, { "cg/memory.max", "99999999999999999999999\n" } }, 0 },
	{ "bad lines and a relative path",
	  { { "proc/self/cgroup", "garbage\n::\n0::relative\n" }, { "cg/memory.max", "1048576\n" } }, 1 },
	{ "no climbing out of the tree",	/* <root>/outside is beside cg/, not in it */
	  { { "proc/self/cgroup", "0::/../outside\n" }, { "outside/memory.max", "524288\n" },
	    { "cg/memory.max", "1048576\n" } }, 1 },
};

Test(sysmem, cgroup_trees)
{
	for (size_t i = 0; i < sizeof(tree_cases) / sizeof(tree_cases[0]); i++) {
		const struct tree_case *k = &tree_cases[i];
		char cmd[800];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' && mkdir '%s' '%s'", proc, cg, proc, cg);
		cr_assert_eq(system(cmd), 0);
		for (size_t j = 0; j < 8 && k->files[j][0]; j++)
			put(k->files[j][0], k->files[j][1]);
		cr_expect_eq(sysmem_cgroup_limit(proc, cg), k->limit_mib * MiB, "%s: %llu MiB", k->name,
			     (unsigned long long)(sysmem_cgroup_limit(proc, cg) / MiB));
	}
}

/* ---- the count settled for the selected tests (workers_settle) ---- */

/* A run of bin/t with tests a, b (deselected), c (disabled) and d, as collected. */
static void heavy_run(struct run *r)
{
	static const char *const names[] = { "g/a", "g/b", "g/c", "g/d" };
	struct binary *b;

	run_init(r);
	b = run_add_binary(r);
	b->id = strdup("bin/t");
	b->adapter = adapter_by_name("criterion");
	for (size_t i = 0; i < 4; i++)
		run_add_test(r, 0, names[i]);
	r->tests[1].selected = 0;
	r->tests[2].disabled = 1;
}

/*
 * heavy_run's run with a cache that remembers a at 1900 MiB, b and c at
 * 9000 MiB and d without RSS, read as a run reads it (input/known.h).
 */
static struct timing_cache *heavy_cache(struct run *r)
{
	static const uint64_t rss_mib[] = { 1900, 9000, 9000, 0 };
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	char dir[160];
	struct timing_cache *tc;

	snprintf(dir, sizeof(dir), "%s/cache", root);
	tc = tc_open(dir, &warn, &err);
	cr_assert(tc, "%s", err.buf);
	heavy_run(r);
	for (size_t i = 0; i < 4; i++)
		tc_record_test(tc, r->tests[i].id, OUTCOME_PASS, 0.5, rss_mib[i] * 1024);
	cr_assert_eq(tc_save(tc, &err), 0, "%s", err.buf);
	tc_free(tc);
	tc = known_open(r, dir, KNOWN_PLAN | KNOWN_LOCAL, &warn, &err);
	cr_assert(tc, "%s", err.buf);
	strbuf_release(&warn);
	strbuf_release(&err);
	return tc;
}

/* The suite "settle": a fake machine with memory for one 1.9 GiB worker, and heavy_cache's run and cache. */
static struct run settle_run;
static struct timing_cache *settle_tc;
static struct strbuf err = STRBUF_INIT, warn = STRBUF_INIT, why = STRBUF_INIT;

static void settle_setup(void)
{
	make_trees();
	setenv("BALRUN_PROC_ROOT", proc, 1);
	setenv("BALRUN_CGROUP_ROOT", cg, 1);
	unsetenv("BALRUN_WORKERS");
	put("proc/meminfo", "MemAvailable: 8388608 kB\n");	/* 8 GiB */
	put("proc/self/cgroup", "0::/\n");
	put("cg/memory.max", "4294967296\n");			/* 4 GiB: memory for one 1.9 GiB worker */
	settle_tc = heavy_cache(&settle_run);
}

static void settle_teardown(void)
{
	tc_free(settle_tc);
	run_release(&settle_run);
	strbuf_release(&err);
	strbuf_release(&warn);
	strbuf_release(&why);
	drop_root();
}

TestSuite(settle, .init = settle_setup, .fini = settle_teardown);

Test(settle, auto_is_capped_by_the_heaviest_selected_test)
{
	struct workers_choice c;
	struct run bare;

	cr_assert_eq(workers_choose(&c, 1, 0, -1, &err), affinity(), "before the tests: the CPUs");
	cr_expect_eq(workers_settle(&c, &settle_run, settle_tc, &warn), 1);
	cr_expect_eq(c.workers, 1);
	cr_expect_eq(warn.len, 0, "no warning for -n auto: %s", warn.buf);
	workers_explain(&c, 0, &why);
	cr_expect(strstr(why.buf, ", memory for 1 worker at 1.9 GiB each -> 1"), "%s", why.buf);
	strbuf_reset(&why);
	workers_explain(&c, 1, &why);
	cr_expect_eq(why.len > 0, affinity() > 1, "the header explains a count below the CPUs: '%s'", why.buf);
	heavy_run(&bare);
	cr_expect_eq(workers_settle(&c, &bare, NULL, &warn), (unsigned)affinity(), "no cache: no memory rule");
	run_release(&bare);
}

/* Settle a request (cli_given, cli, config) and return the warning. */
static const char *settle_warning(int cli_given, int cli, int config)
{
	struct workers_choice c;

	strbuf_reset(&warn);
	cr_assert_gt(workers_choose(&c, cli_given, cli, config, &err), 0, "%s", err.buf);
	cr_expect_eq(workers_settle(&c, &settle_run, settle_tc, &warn), c.requested, "as asked");
	strbuf_reset(&why);
	workers_explain(&c, 0, &why);
	cr_expect_eq(why.len, 0, "no explanation for a count asked for: %s", why.buf);
	return warn.buf;
}

Test(settle, a_larger_request_stays_with_a_warning)
{
	const char *w = settle_warning(1, 3, -1);

	cr_expect(strstr(w, "-n 3 is more than "), "%s", w);
	cr_expect(strstr(w, "memory for 1 worker at 1.9 GiB each; -n auto would pick 1"), "%s", w);
	setenv("BALRUN_WORKERS", "2", 1);
	w = settle_warning(0, 0, -1);
	cr_expect(strstr(w, "BALRUN_WORKERS=2 is more than "), "%s", w);
	unsetenv("BALRUN_WORKERS");
	w = settle_warning(0, 0, 2);
	cr_expect(strstr(w, "the config file's workers = 2 is more than "), "%s", w);
	w = settle_warning(1, 1, -1);
	cr_expect_eq(*w, '\0', "one worker is never too many: %s", w);
}
