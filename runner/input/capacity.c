/*
 * capacity.c - the worker count the machine can take; see capacity.h.
 *
 * Integer arithmetic on bytes, saturating where a fake or absurd figure
 * (a peak RSS of 2^60 KiB) would overflow; the quota alone is a double, as
 * cgroups give it (1.5 CPUs).
 */
#include "capacity.h"

#include <math.h>

static unsigned capacity_cpu_workers(const struct capacity_facts *f)
{
	unsigned n = f->cpus ? f->cpus : 1;

	if (f->quota > 0 && ceil(f->quota) < (double)n)
		n = (unsigned)ceil(f->quota);
	return n ? n : 1;
}

/* The memory to share out: the smaller known figure, less the reserve; 0 if none is known. */
static uint64_t capacity_memory(const struct capacity_facts *f)
{
	uint64_t m = f->mem_limit, reserve;

	if (!m || (f->mem_available && f->mem_available < m))
		m = f->mem_available;
	reserve = m / 10 > CAPACITY_RESERVE ? m / 10 : CAPACITY_RESERVE;
	return m > reserve ? m - reserve : 0;
}

static uint64_t capacity_per_worker(uint64_t rss_kb)
{
	if (rss_kb > (UINT64_MAX - CAPACITY_WORKER_SELF) / 1024)
		return UINT64_MAX;
	return rss_kb * 1024 + CAPACITY_WORKER_SELF;
}

/* Workers for tests that use share CPU per wall second on n CPU workers: at least n. */
static unsigned capacity_wait_workers(unsigned n, double share)
{
	double w = floor(n / fmax(share, CAPACITY_MIN_SHARE));

	if (w > (double)n * CAPACITY_WAIT_FACTOR)
		w = (double)n * CAPACITY_WAIT_FACTOR;
	return w > n ? (unsigned)w : n;
}

void capacity_decide(const struct capacity_facts *f, struct capacity *c)
{
	unsigned least;

	c->cpu_workers = c->workers = capacity_cpu_workers(f);
	c->by_share = f->cpu_share > 0 && f->cpu_share < 1;
	c->wait_workers = c->by_share ? capacity_wait_workers(c->cpu_workers, f->cpu_share) : 0;
	c->cpu_share = c->by_share ? f->cpu_share : 0;
	if (c->by_share)
		c->workers = c->wait_workers;
	c->by_memory = f->rss_kb && (f->mem_limit || f->mem_available);
	c->mem_workers = 0;
	c->per_worker = 0;
	if (c->by_memory) {
		uint64_t n;

		c->per_worker = capacity_per_worker(f->rss_kb);
		n = capacity_memory(f) / c->per_worker;
		c->mem_workers = n > CAPACITY_MEM_WORKERS_MAX ? CAPACITY_MEM_WORKERS_MAX : (unsigned)n;
		if (c->mem_workers < c->workers)
			c->workers = c->mem_workers;
	}
	least = f->weight < c->cpu_workers ? f->weight : c->cpu_workers;
	if (c->workers < least)
		c->workers = least;
	if (c->workers < 1)
		c->workers = 1;
}

void capacity_add_size(struct strbuf *sb, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes / 1024;
	unsigned u = 0;

	if (bytes < 1024) {
		strbuf_addf(sb, "%u bytes", (unsigned)bytes);
		return;
	}
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (v < 9.95)
		strbuf_addf(sb, "%.1f %s", v, units[u]);
	else
		strbuf_addf(sb, "%.0f %s", v, units[u]);
}

static void capacity_add_memory(struct strbuf *sb, const struct capacity *c)
{
	strbuf_addf(sb, "memory for %u worker%s at ", c->mem_workers, c->mem_workers == 1 ? "" : "s");
	capacity_add_size(sb, c->per_worker);
	strbuf_adds(sb, " each");
}

void capacity_explain(const struct capacity_facts *f, const struct capacity *c, struct strbuf *why)
{
	unsigned cpus = f->cpus ? f->cpus : 1;

	strbuf_addf(why, "%u CPU%s", cpus, cpus == 1 ? "" : "s");
	if (f->quota > 0)
		strbuf_addf(why, ", quota %.3g", f->quota);
	if (c->by_share)
		strbuf_addf(why, ", tests busy %.0f%% of their time: %u workers",
			    fmin(f->cpu_share, 1) * 100, c->wait_workers);
	if (c->by_memory) {
		strbuf_adds(why, ", ");
		capacity_add_memory(why, c);
	}
	if (c->by_memory && c->workers > c->mem_workers && c->workers > 1)
		strbuf_addf(why, ", raised for a test of weight %u", f->weight);
	strbuf_addf(why, " -> %u", c->workers);
}

int capacity_warn(const struct capacity *c, const char *what, unsigned requested, struct strbuf *warn)
{
	int waiting = c->by_share && c->wait_workers > 2 * c->cpu_workers;
	int cpu = requested > (waiting ? c->wait_workers : 2 * c->cpu_workers);
	int mem = c->by_memory && requested > c->mem_workers;

	if (requested <= c->workers || (!cpu && !mem))
		return 0;
	strbuf_addf(warn, "%s is more than ", what);
	if (cpu && waiting)
		strbuf_addf(warn, "%u workers for tests busy %.0f%% of their time on %u CPU%s", c->wait_workers,
			    c->cpu_share * 100, c->cpu_workers, c->cpu_workers == 1 ? "" : "s");
	else if (cpu)
		strbuf_addf(warn, "2 x %u CPU%s", c->cpu_workers, c->cpu_workers == 1 ? "" : "s");
	if (cpu && mem)
		strbuf_adds(warn, " and ");
	if (mem)
		capacity_add_memory(warn, c);
	strbuf_addf(warn, "; -n auto would pick %u", c->workers);
	return 1;
}
