/*
 * capacity.h - how many workers this machine can take: the rule behind
 * "-n auto", and the warning for an -n larger than that.
 *
 * Pure: numbers in (CPUs, CPU quota, memory, the heaviest test's peak RSS),
 * a count and its explanation out; no files, no clocks, no environment.
 * workers.c reads the CPUs, sysmem.c the memory figures, and the peak RSS
 * comes from the timing cache.  The rule (docs/scheduling.md):
 *
 *   CPU workers   the CPUs in the affinity mask, capped by the cgroup CPU
 *                 quota rounded up;
 *   waiting tests when the timing cache knows how much CPU the selected
 *                 tests' binaries use per second of wall time (the share,
 *                 weighted by the tests' times) and it is below 1: the CPU
 *                 workers / max(share, CAPACITY_MIN_SHARE), rounded down,
 *                 at most CAPACITY_WAIT_FACTOR x the CPU workers, and never
 *                 fewer than the CPU workers (tests that sleep or wait for
 *                 I/O leave the CPUs idle);
 *   memory        the smaller of the cgroup memory limit and MemAvailable,
 *                 less a reserve of a tenth of it, at least CAPACITY_RESERVE;
 *   per worker    the heaviest selected test's peak RSS plus
 *                 CAPACITY_WORKER_SELF for the worker process itself;
 *   memory workers  memory / per worker, rounded down.  No memory rule
 *                 when no peak RSS is known or no memory figure is;
 *   auto          min(CPU workers or waiting tests', memory workers), raised to the largest
 *                 weight of a selected test (up to the CPU workers: a test
 *                 of weight w needs w workers at once), at least 1.
 */
#ifndef BALRUN_CAPACITY_H
#define BALRUN_CAPACITY_H

#include <stdint.h>

#include "strbuf.h"

#define CAPACITY_RESERVE (256ull << 20)     /* bytes kept free at least */
#define CAPACITY_WORKER_SELF (8ull << 20)   /* balrun-worker's own memory, bytes (it uses about 4 MiB) */
#define CAPACITY_MEM_WORKERS_MAX 1000000u   /* memory workers are counted up to this */
#define CAPACITY_MIN_SHARE 0.25             /* a share below this counts as this */
#define CAPACITY_WAIT_FACTOR 4u             /* waiting tests get at most this x the CPU workers */

/* What the machine offers and what the run needs; 0 means unknown or none. */
struct capacity_facts {
	unsigned cpus;            /* CPUs in the affinity mask (0 counts as 1) */
	double quota;             /* cgroup CPU quota in CPUs; 0: none */
	uint64_t mem_limit;       /* cgroup memory limit in bytes; 0: none */
	uint64_t mem_available;   /* MemAvailable in bytes; 0: unknown */
	uint64_t rss_kb;          /* peak RSS of the heaviest selected test, KiB; 0: unknown */
	unsigned weight;          /* largest weight of a selected test; 0 or 1: none */
	double cpu_share;         /* CPU seconds the selected tests use per wall second; 0: unknown */
};

/* The decision, with what it rests on. */
struct capacity {
	unsigned cpu_workers;     /* from the CPUs and the quota, >= 1 */
	int by_share;             /* the tests wait: more workers than CPUs (wait_workers) */
	unsigned wait_workers;    /* with by_share: the CPU workers scaled by the share */
	double cpu_share;         /* with by_share: the share it was scaled by */
	int by_memory;            /* the memory rule applies: a peak RSS and a memory figure are known */
	unsigned mem_workers;     /* with by_memory: the workers memory has room for (may be 0) */
	uint64_t per_worker;      /* with by_memory: bytes one worker takes */
	unsigned workers;         /* what -n auto picks, >= 1 */
};

/* Apply the rule above to f. */
void capacity_decide(const struct capacity_facts *f, struct capacity *c);

/*
 * Append why c->workers, e.g. "8 CPUs, quota 4, memory for 3 workers at
 * 1.9 GiB each -> 3" (the memory part only with by_memory), or "2 CPUs,
 * tests busy 25% of their time: 8 workers -> 8" (with by_share).
 */
void capacity_explain(const struct capacity_facts *f, const struct capacity *c, struct strbuf *why);

/*
 * A request for more than the machine takes: more than 2 x the CPU
 * workers (or than the waiting tests' workers, if more), or (with
 * by_memory) more than the memory workers, and more than -n auto would
 * pick.  Then 1, with one line in warn, e.g. "-n 16 is more
 * than 2 x 4 CPUs and memory for 3 workers at 1.9 GiB each; -n auto would
 * pick 3"; what names the request ("-n 16").  Else 0 and warn untouched.
 */
int capacity_warn(const struct capacity *c, const char *what, unsigned requested, struct strbuf *warn);

/* "1.9 GiB", "300 MiB", "12 KiB": bytes as people read them. */
void capacity_add_size(struct strbuf *sb, uint64_t bytes);

#endif
