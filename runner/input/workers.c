/*
 * workers.c - how many workers a run gets; see workers.h.
 *
 * The automatic count:
 * cgroup v2 puts the quota in <root>/cpu.max as "QUOTA PERIOD" or "max
 * PERIOD"; v1 in <root>/cpu/cpu.cfs_quota_us (-1 = none) and
 * cpu.cfs_period_us (some systems mount the controller at <root>/cpu,cpuacct
 * or directly at <root>).  Only the root of this process's own cgroup
 * namespace is read, which is what a container sees.  The memory figures
 * are sysmem.c's, the rule capacity.c's; this file gathers the facts.
 */
#define _GNU_SOURCE
#include "workers.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysmem.h"
#include "util.h"

static int read_two_numbers(const char *path, char *first, size_t len, long long *second)
{
	FILE *f = fopen(path, "r");
	int n;
	char fmt[32];

	if (!f)
		return -1;
	snprintf(fmt, sizeof(fmt), "%%%zus %%lld", len - 1);
	n = fscanf(f, fmt, first, second);
	fclose(f);
	return n;
}

static long long read_number(const char *path)
{
	char buf[64];
	long long unused = 0;

	if (read_two_numbers(path, buf, sizeof(buf), &unused) < 1)
		return -2;
	return strtoll(buf, NULL, 10);
}

static double quota_v1(const char *dir)
{
	char q[1024], p[1024];
	long long quota, period;

	snprintf(q, sizeof(q), "%s/cpu.cfs_quota_us", dir);
	snprintf(p, sizeof(p), "%s/cpu.cfs_period_us", dir);
	quota = read_number(q);
	period = read_number(p);
	if (quota <= 0 || period <= 0)
		return 0;
	return (double)quota / (double)period;
}

double workers_cgroup_quota(const char *root)
{
	static const char *const v1_dirs[] = { "cpu", "cpu,cpuacct", "cpuacct,cpu", "" };
	char path[512], quota[64];
	long long period = 0;

	snprintf(path, sizeof(path), "%s/cpu.max", root);
	if (read_two_numbers(path, quota, sizeof(quota), &period) == 2) {
		double q = strtod(quota, NULL);
		if (quota[0] == 'm' || q <= 0 || period <= 0)
			return 0;
		return q / (double)period;
	}
	for (size_t i = 0; i < sizeof(v1_dirs) / sizeof(v1_dirs[0]); i++) {
		double q;
		snprintf(path, sizeof(path), "%s/%s", root, v1_dirs[i]);
		q = quota_v1(path);
		if (q > 0)
			return q;
	}
	return 0;
}

static int affinity_cpus(void)
{
	cpu_set_t set;
	long online;

	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		int n = CPU_COUNT(&set);
		if (n > 0)
			return n;
	}
	online = sysconf(_SC_NPROCESSORS_ONLN);
	return online > 0 ? (int)online : 1;
}

int workers_auto(const char *cgroup_root, struct strbuf *why)
{
	struct capacity_facts f = { .cpus = affinity_cpus(), .quota = workers_cgroup_quota(cgroup_root) };
	struct capacity c;

	capacity_decide(&f, &c);
	if (why)
		capacity_explain(&f, &c, why);
	return (int)c.workers;
}

int workers_parse(const char *what, const char *s, int *out, struct strbuf *err)
{
	char *end;
	long v;

	if (!strcmp(s, "auto")) {
		*out = 0;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || (errno && errno != ERANGE)) {
		strbuf_addf(err, "%s: '%s' is neither a whole number nor auto", what, s);
		return -1;
	}
	if (errno == ERANGE || v > WORKERS_MAX) {
		strbuf_addf(err, "%s: %s workers is more than the %d balrun supports", what, s,
			    WORKERS_MAX);
		return -1;
	}
	*out = v ? (int)v : 1;	/* 0 runs in one worker, like 1 */
	return 0;
}

/* A root to read the machine under: the variable's value, else dflt. */
static const char *workers_root(const char *var, const char *dflt)
{
	const char *v = getenv(var);
	return v && *v ? v : dflt;
}

static void workers_machine(struct capacity_facts *f)
{
	const char *proc = workers_root("BALRUN_PROC_ROOT", "/proc");
	const char *cgroup = workers_root("BALRUN_CGROUP_ROOT", "/sys/fs/cgroup");

	memset(f, 0, sizeof(*f));
	f->cpus = (unsigned)affinity_cpus();
	f->quota = workers_cgroup_quota(cgroup);
	f->mem_limit = sysmem_cgroup_limit(proc, cgroup);
	f->mem_available = sysmem_available(proc);
}

/* The count asked for into *n (0: auto), and in what how it was asked.  -1 for a bad BALRUN_WORKERS. */
static int workers_request(int cli_given, int cli, int config, int *n, char *what, size_t len,
			   struct strbuf *err)
{
	const char *env = getenv("BALRUN_WORKERS");
	int has_env = env && *env;

	*n = cli_given ? cli : !has_env && config > 0 ? config : 0;
	if (*n) {
		snprintf(what, len, cli_given ? "-n %d" : "the config file's workers = %d", *n);
		return 0;
	}
	if (has_env && workers_parse("BALRUN_WORKERS", env, n, err))
		return -1;
	snprintf(what, len, "BALRUN_WORKERS=%d", *n);
	return 0;
}

int workers_choose(struct workers_choice *c, int cli_given, int cli, int config, struct strbuf *err)
{
	int n;

	memset(c, 0, sizeof(*c));
	if (workers_request(cli_given, cli, config, &n, c->what, sizeof(c->what), err))
		return -1;
	c->requested = (unsigned)n;
	workers_machine(&c->facts);
	capacity_decide(&c->facts, &c->cap);
	c->workers = c->requested ? c->requested : c->cap.workers;
	return (int)c->workers;
}

int workers_resolve(int cli_given, int cli, int config, struct strbuf *err)
{
	struct workers_choice c;

	return workers_choose(&c, cli_given, cli, config, err);
}

/* The heaviest peak RSS and the largest weight among the tests that will run. */
/* Each binary's CPU share from the cache, 0 where unknown. */
static double *workers_binary_shares(const struct run *r, const struct timing_cache *tc)
{
	double *share = xcalloc(r->nbins ? r->nbins : 1, sizeof(*share));
	const struct tc_binary *b;

	for (size_t i = 0; tc && i < r->nbins; i++)
		if ((b = tc_binary(tc, r->bins[i].id)))
			share[i] = b->cpu_share;
	return share;
}

/*
 * What the selected tests need: the largest weight, the largest peak RSS,
 * and their CPU share, weighted by their cached times (a binary whose share
 * is unknown counts as busy, 1; no share at all leaves it unknown, 0).
 */
static void workers_needs(const struct run *r, const struct timing_cache *tc, struct capacity_facts *f)
{
	double *share = workers_binary_shares(r, tc), busy = 0, total = 0;
	int known = 0;

	f->rss_kb = 0;
	f->weight = 0;
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];

		if (!t->selected || t->disabled)
			continue;
		if (t->weight > f->weight)
			f->weight = t->weight;
		if (t->cached_rss_kb > f->rss_kb)
			f->rss_kb = t->cached_rss_kb;
		if (t->est_known && t->est > 0) {
			known |= share[t->binary] > 0;
			busy += t->est * (share[t->binary] > 0 ? share[t->binary] : 1);
			total += t->est;
		}
	}
	f->cpu_share = known && total > 0 ? busy / total : 0;
	free(share);
}

unsigned workers_settle(struct workers_choice *c, const struct run *r, const struct timing_cache *tc,
			struct strbuf *warn)
{
	workers_needs(r, tc, &c->facts);
	capacity_decide(&c->facts, &c->cap);
	if (!c->requested)
		c->workers = c->cap.workers;
	else
		capacity_warn(&c->cap, c->what, c->requested, warn);
	return c->workers;
}

void workers_explain(const struct workers_choice *c, int brief, struct strbuf *why)
{
	if (c->requested || (brief && c->workers == (c->facts.cpus ? c->facts.cpus : 1)))
		return;
	capacity_explain(&c->facts, &c->cap, why);
}
