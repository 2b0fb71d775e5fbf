/*
 * test_capacity.c - the rule behind -n auto (runner/input/capacity.c), a
 * pure function: CPUs, quota, memory and the heaviest test's peak RSS in,
 * a worker count and its explanation out.  A table of cases (each boundary
 * of the rule: the reserve, the per-worker cost, the smaller of limit and
 * MemAvailable, no RSS, no memory figure, weights, absurd figures, tests
 * that wait), then
 * the warning for a larger -n and the sizes people read.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capacity.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define KiB_OF(bytes) ((bytes) / 1024)

struct rule_case {
	const char *name;
	struct capacity_facts f;
	unsigned workers;
	int by_memory;
	unsigned mem_workers;
	const char *why;      /* the whole explanation */
};

static const struct rule_case rule_cases[] = {
	{ "CPUs alone", { .cpus = 8 }, 8, 0, 0, "8 CPUs -> 8" },
	{ "one CPU", { .cpus = 1 }, 1, 0, 0, "1 CPU -> 1" },
	{ "no CPU count is one", { .cpus = 0 }, 1, 0, 0, "1 CPU -> 1" },
	{ "quota caps", { .cpus = 8, .quota = 4 }, 4, 0, 0, "8 CPUs, quota 4 -> 4" },
	{ "quota rounded up", { .cpus = 8, .quota = 1.5 }, 2, 0, 0, "8 CPUs, quota 1.5 -> 2" },
	{ "half a CPU is one worker", { .cpus = 8, .quota = 0.5 }, 1, 0, 0, "8 CPUs, quota 0.5 -> 1" },
	{ "quota above the CPUs", { .cpus = 4, .quota = 16 }, 4, 0, 0, "4 CPUs, quota 16 -> 4" },
	{ "peak RSS but no memory figure", { .cpus = 8, .rss_kb = KiB_OF(GiB) }, 8, 0, 0, "8 CPUs -> 8" },
	{ "memory but no peak RSS", { .cpus = 8, .mem_available = 8 * GiB }, 8, 0, 0, "8 CPUs -> 8" },
	/* 8 GiB less a tenth = 7372.8 MiB; 1900 + 8 MiB each: 3.86 */
	{ "memory caps", { .cpus = 8, .mem_available = 8 * GiB, .rss_kb = KiB_OF(1900 * MiB) }, 3, 1, 3,
	  "8 CPUs, memory for 3 workers at 1.9 GiB each -> 3" },
	{ "the issue's example", { .cpus = 8, .quota = 4, .mem_available = 8 * GiB, .rss_kb = KiB_OF(1900 * MiB) },
	  3, 1, 3, "8 CPUs, quota 4, memory for 3 workers at 1.9 GiB each -> 3" },
	/* 3686.4 MiB / 1032 MiB = 3.57 either way round */
	{ "limit below MemAvailable", { .cpus = 8, .mem_limit = 4 * GiB, .mem_available = 16 * GiB, .rss_kb = KiB_OF(GiB) },
	  3, 1, 3, "8 CPUs, memory for 3 workers at 1.0 GiB each -> 3" },
	{ "MemAvailable below limit", { .cpus = 8, .mem_limit = 16 * GiB, .mem_available = 4 * GiB, .rss_kb = KiB_OF(GiB) },
	  3, 1, 3, "8 CPUs, memory for 3 workers at 1.0 GiB each -> 3" },
	{ "limit, MemAvailable unknown", { .cpus = 8, .mem_limit = 4 * GiB, .rss_kb = KiB_OF(GiB) }, 3, 1, 3,
	  "8 CPUs, memory for 3 workers at 1.0 GiB each -> 3" },
	/* a tenth of 1 GiB is below the 256 MiB floor: 768 MiB / 108 MiB = 7.1 */
	{ "reserve at least 256 MiB", { .cpus = 16, .mem_available = GiB, .rss_kb = KiB_OF(100 * MiB) }, 7, 1, 7,
	  "16 CPUs, memory for 7 workers at 108 MiB each -> 7" },
	{ "memory below the reserve", { .cpus = 4, .mem_available = 200 * MiB, .rss_kb = 1024 }, 1, 1, 0,
	  "4 CPUs, memory for 0 workers at 9.0 MiB each -> 1" },
	{ "one test larger than memory", { .cpus = 4, .mem_available = 2 * GiB, .rss_kb = KiB_OF(4 * GiB) }, 1, 1, 0,
	  "4 CPUs, memory for 0 workers at 4.0 GiB each -> 1" },
	/* 10 GiB less a tenth = 9216 MiB: exactly 2 x 4608 MiB, and 1 MiB more each is too much */
	{ "exactly two", { .cpus = 8, .mem_available = 10 * GiB, .rss_kb = KiB_OF(4600 * MiB) }, 2, 1, 2,
	  "8 CPUs, memory for 2 workers at 4.5 GiB each -> 2" },
	{ "just not two", { .cpus = 8, .mem_available = 10 * GiB, .rss_kb = KiB_OF(4601 * MiB) }, 1, 1, 1,
	  "8 CPUs, memory for 1 worker at 4.5 GiB each -> 1" },
	{ "memory to spare", { .cpus = 8, .mem_available = 64 * GiB, .rss_kb = KiB_OF(10 * MiB) }, 8, 1, 3276,
	  "8 CPUs, memory for 3276 workers at 18 MiB each -> 8" },
	{ "weight raises it", { .cpus = 8, .mem_available = 4 * GiB, .rss_kb = KiB_OF(2 * GiB), .weight = 3 }, 3, 1, 1,
	  "8 CPUs, memory for 1 worker at 2.0 GiB each, raised for a test of weight 3 -> 3" },
	{ "weight raises it up to the CPUs only", { .cpus = 4, .mem_available = 4 * GiB, .rss_kb = KiB_OF(2 * GiB), .weight = 16 },
	  4, 1, 1, "4 CPUs, memory for 1 worker at 2.0 GiB each, raised for a test of weight 16 -> 4" },
	{ "weight without the memory rule", { .cpus = 8, .weight = 2 }, 8, 0, 0, "8 CPUs -> 8" },
	{ "weight 1 raises nothing", { .cpus = 8, .mem_available = 200 * MiB, .rss_kb = 1024, .weight = 1 }, 1, 1, 0,
	  "8 CPUs, memory for 0 workers at 9.0 MiB each -> 1" },
	{ "absurd peak RSS", { .cpus = 4, .mem_available = 8 * GiB, .rss_kb = UINT64_MAX }, 1, 1, 0,
	  "4 CPUs, memory for 0 workers at 16 EiB each -> 1" },
	{ "absurd memory", { .cpus = 4, .mem_limit = UINT64_MAX, .mem_available = UINT64_MAX, .rss_kb = 1 },
	  4, 1, CAPACITY_MEM_WORKERS_MAX, "4 CPUs, memory for 1000000 workers at 8.0 MiB each -> 4" },
	/* tests that wait: CPUs / share, at most 4 x the CPUs, never fewer than the CPUs */
	{ "tests busy half their time", { .cpus = 4, .cpu_share = 0.5 }, 8, 0, 0,
	  "4 CPUs, tests busy 50% of their time: 8 workers -> 8" },
	{ "tests that sleep: 4 x the CPUs", { .cpus = 2, .cpu_share = 0.01 }, 8, 0, 0,
	  "2 CPUs, tests busy 1% of their time: 8 workers -> 8" },
	{ "share rounds down", { .cpus = 3, .cpu_share = 0.7 }, 4, 0, 0,
	  "3 CPUs, tests busy 70% of their time: 4 workers -> 4" },
	{ "nearly busy: the CPUs", { .cpus = 4, .cpu_share = 0.9 }, 4, 0, 0,
	  "4 CPUs, tests busy 90% of their time: 4 workers -> 4" },
	{ "busy: the CPUs", { .cpus = 4, .cpu_share = 1.0 }, 4, 0, 0, "4 CPUs -> 4" },
	{ "two threads each: the CPUs", { .cpus = 4, .cpu_share = 2.0 }, 4, 0, 0, "4 CPUs -> 4" },
	{ "waiting on a quota", { .cpus = 8, .quota = 2, .cpu_share = 0.25 }, 8, 0, 0,
	  "8 CPUs, quota 2, tests busy 25% of their time: 8 workers -> 8" },
	{ "waiting, capped by memory", { .cpus = 2, .cpu_share = 0.1, .mem_available = 8 * GiB, .rss_kb = KiB_OF(1900 * MiB) },
	  3, 1, 3, "2 CPUs, tests busy 10% of their time: 8 workers, memory for 3 workers at 1.9 GiB each -> 3" },
};

Test(capacity, rule_cases)
{
	for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
		const struct rule_case *k = &rule_cases[i];
		struct strbuf why = STRBUF_INIT;
		struct capacity c;

		memset(&c, 0xa5, sizeof(c));	/* every field is set */
		capacity_decide(&k->f, &c);
		capacity_explain(&k->f, &c, &why);
		cr_expect_eq(c.workers, k->workers, "%s: %u workers, not %u", k->name, c.workers, k->workers);
		cr_expect_eq(c.by_memory, k->by_memory, "%s", k->name);
		if (k->by_memory)
			cr_expect_eq(c.mem_workers, k->mem_workers, "%s: memory for %u, not %u", k->name,
				     c.mem_workers, k->mem_workers);
		cr_expect_str_eq(why.buf, k->why, "%s", k->name);
		strbuf_release(&why);
	}
}

Test(capacity, per_worker_is_the_peak_rss_and_the_worker)
{
	struct capacity_facts f = { .cpus = 2, .mem_available = 8 * GiB, .rss_kb = 1000 };
	struct capacity c;

	capacity_decide(&f, &c);
	cr_expect_eq(c.per_worker, 1000 * 1024 + CAPACITY_WORKER_SELF);
	cr_expect_eq(c.cpu_workers, 2);
}

struct warn_case {
	const char *name;
	struct capacity_facts f;
	unsigned requested;
	const char *warning;  /* NULL: none */
};

static const struct warn_case warn_cases[] = {
	{ "CPUs and memory", { .cpus = 4, .mem_available = 8 * GiB, .rss_kb = KiB_OF(1900 * MiB) }, 16,
	  "-n 16 is more than 2 x 4 CPUs and memory for 3 workers at 1.9 GiB each; -n auto would pick 3" },
	{ "CPUs only", { .cpus = 4 }, 9, "-n 9 is more than 2 x 4 CPUs; -n auto would pick 4" },
	{ "the quota counts as the CPUs", { .cpus = 8, .quota = 2 }, 5, "-n 5 is more than 2 x 2 CPUs; -n auto would pick 2" },
	{ "twice the CPUs is fine", { .cpus = 4 }, 8, NULL },
	{ "memory only", { .cpus = 4, .mem_available = 8 * GiB, .rss_kb = KiB_OF(1900 * MiB) }, 4,
	  "-n 4 is more than memory for 3 workers at 1.9 GiB each; -n auto would pick 3" },
	{ "as much as memory takes", { .cpus = 4, .mem_available = 8 * GiB, .rss_kb = KiB_OF(1900 * MiB) }, 3, NULL },
	{ "no peak RSS: no memory warning", { .cpus = 4, .mem_available = 1 * GiB }, 5, NULL },
	{ "one worker is never too many", { .cpus = 1, .mem_available = 100 * MiB, .rss_kb = KiB_OF(GiB) }, 1, NULL },
	{ "not more than auto would pick", { .cpus = 8, .mem_available = 4 * GiB, .rss_kb = KiB_OF(2 * GiB), .weight = 3 },
	  2, NULL },
	{ "one CPU", { .cpus = 1 }, 3, "-n 3 is more than 2 x 1 CPU; -n auto would pick 1" },
	{ "waiting tests take more", { .cpus = 4, .cpu_share = 0.25 }, 16, NULL },
	{ "more than waiting tests take", { .cpus = 4, .cpu_share = 0.25 }, 17,
	  "-n 17 is more than 16 workers for tests busy 25% of their time on 4 CPUs; -n auto would pick 16" },
	{ "busy tests: 2 x the CPUs", { .cpus = 4, .cpu_share = 0.8 }, 9,
	  "-n 9 is more than 2 x 4 CPUs; -n auto would pick 5" },
};

Test(capacity, warning_cases)
{
	for (size_t i = 0; i < sizeof(warn_cases) / sizeof(warn_cases[0]); i++) {
		const struct warn_case *k = &warn_cases[i];
		struct strbuf warn = STRBUF_INIT;
		struct capacity c;
		char what[32];
		int said;

		snprintf(what, sizeof(what), "-n %u", k->requested);
		capacity_decide(&k->f, &c);
		said = capacity_warn(&c, what, k->requested, &warn);
		cr_expect_eq(said, k->warning != NULL, "%s: %s", k->name, warn.buf);
		cr_expect_str_eq(warn.buf, k->warning ? k->warning : "", "%s", k->name);
		strbuf_release(&warn);
	}
}

Test(capacity, sizes)
{
	static const struct { uint64_t bytes; const char *text; } sizes[] = {
		{ 0, "0 bytes" }, { 1023, "1023 bytes" }, { 1024, "1.0 KiB" }, { 300 * MiB, "300 MiB" },
		{ 1908 * MiB, "1.9 GiB" }, { 10 * GiB, "10 GiB" }, { 9 * MiB + 1000 * 1024, "10 MiB" },
		{ UINT64_MAX, "16 EiB" },
	};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		capacity_add_size(&sb, sizes[i].bytes);
		cr_expect_str_eq(sb.buf, sizes[i].text, "%llu", (unsigned long long)sizes[i].bytes);
		strbuf_release(&sb);
	}
}
