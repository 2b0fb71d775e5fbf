/*
 * balsim.c - compare balrun's dispatch policy with the static splits other
 * runners use, by simulation (no test is run, no clock is read).
 *
 * For every generated suite (balancer/simsuite.h), worker count and
 * estimate quality (exact, or off by a log-uniform factor in [0.5, 2]), it
 * prints makespan / lower bound for:
 *   balrun   dynamic dispatch, longest first, guided batching (bal_simulate)
 *   rrobin   round-robin static split (ctest -I stride, gtest-parallel shards)
 *   chunks   equal-count contiguous chunks (xdist --dist load without refill)
 *   pysplit  pytest-split duration_based_chunks
 *   stestr   longest first to the least loaded partition, run in discovery order
 * The lower bound is max(longest test, total / workers) and ignores the
 * invocation overhead, so with many tiny tests no policy can reach 1.00.
 *
 * Then two tables for markers (docs/scheduling.md):
 *   shards     max shard / mean shard of the CI shards bal_shard computes,
 *              next to round-robin (ctest -I stride, gtest-parallel) and
 *              pytest-split's duration_based_chunks, for 2..16 shards;
 *   markers    makespan / lower bound on suites with groups, serial tests,
 *              locks and weights, for balrun's EASY backfilling and the
 *              policies it was measured against (bal_backfill in
 *              balancer/internal.h), with, in brackets, when the serial and
 *              weighted units start on average, as a fraction of the
 *              makespan (a late start is what starvation looks like).
 *
 *   balsim            every table
 *   balsim SEED       the same with another seed
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "simsuite.h"
#include "util.h"

struct balsim_case {
	const char *name;
	struct sim_spec spec;
};

static const struct balsim_case balsim_cases[] = {
	{ "uniform 400, criterion", { SIM_UNIFORM, 400, 10, 0.04, 1, 0 } },
	{ "lognormal 400, criterion", { SIM_LOGNORMAL, 400, 10, 0.04, 1, 0 } },
	{ "lognormal 400, plain", { SIM_LOGNORMAL, 400, 10, 0.002, 0, 0 } },
	{ "one giant + 200, criterion", { SIM_GIANT, 200, 5, 0.04, 1, 0 } },
	{ "tiny 5000, criterion", { SIM_TINY, 5000, 20, 0.04, 1, 0 } },
	{ "tiny 5000, cmocka", { SIM_TINY, 5000, 20, 0.001, 1, 0 } },
};

static const unsigned balsim_workers[] = { 2, 8, 32 };

typedef void (*balsim_split_fn)(const struct sim_suite *, unsigned, unsigned *);

static const balsim_split_fn balsim_splits[] = {
	sim_split_round_robin, sim_split_chunks, sim_split_duration_chunks, sim_split_lpt,
};

static void balsim_row(const char *name, const struct sim_suite *s, unsigned workers,
		       const char *quality)
{
	struct bal_opts opts = { .workers = workers };
	unsigned *assign = xcalloc(s->ntests, sizeof(*assign));
	double lb = bal_lower_bound(s->tests, s->ntests, s->actual, workers);
	double ours = bal_simulate(&opts, s->binaries, s->nbinaries, s->tests, s->ntests,
				   s->actual, NULL);
	size_t i;

	printf("%-28s %3u  %-7s %9.2f  %7.3f", name, workers, quality, lb, ours / lb);
	for (i = 0; i < ARRAY_SIZE(balsim_splits); i++) {
		balsim_splits[i](s, workers, assign);
		printf("  %7.3f", sim_static_makespan(s, assign, workers) / lb);
	}
	printf("\n");
	free(assign);
}

/* Shards: bal_shard against round-robin and duration_based_chunks. */
static const struct balsim_case balsim_shard_cases[] = {
	{ "uniform 600", { SIM_UNIFORM, 600, 12, 0.04, 1, 0 } },
	{ "lognormal 600", { SIM_LOGNORMAL, 600, 12, 0.04, 1, 0 } },
	{ "lognormal 600, 10% new", { SIM_LOGNORMAL, 600, 12, 0.04, 1, 0 } },
	{ "lognormal 600, 20 groups", { SIM_LOGNORMAL, 600, 12, 0.04, 1, 0 } },
};

static const unsigned balsim_nshards[] = { 2, 4, 8, 16 };

/* Mark every 10th test new (unknown: estimated from its binary), or put 20 groups of 5 in. */
static void balsim_shard_variant(struct sim_suite *s, size_t c)
{
	struct sim_marks groups = { .ngroups = 20, .group_size = 5 };
	size_t i;

	if (c == 2) {
		for (i = 0; i < s->ntests; i += 10) {
			s->tests[i].est = -1;
			s->tests[i].known = 0;
		}
		bal_estimate(s->tests, s->ntests, s->nbinaries, 0);
	} else if (c == 3) {
		sim_suite_mark(s, &groups, 5);
	}
}

static void balsim_shards(uint64_t seed)
{
	size_t c, k;

	printf("\nCI shards: max shard / mean shard, warm cache (1.000 is perfect)\n");
	printf("%-28s %3s  %7s  %7s  %7s\n", "suite", "N", "balrun", "rrobin", "pysplit");
	for (c = 0; c < ARRAY_SIZE(balsim_shard_cases); c++) {
		struct sim_spec spec = balsim_shard_cases[c].spec;
		struct sim_suite s;

		spec.seed = seed + 100 + c;
		sim_suite_make(&s, &spec);
		balsim_shard_variant(&s, c);
		for (k = 0; k < ARRAY_SIZE(balsim_nshards); k++) {
			unsigned n = balsim_nshards[k];
			unsigned *assign = xcalloc(s.ntests, sizeof(*assign));

			bal_shard(s.tests, s.ntests, (const char *const *)s.ids, n, assign, NULL);
			printf("%-28s %3u  %7.3f", balsim_shard_cases[c].name, n,
			       sim_shard_imbalance(&s, assign, n));
			sim_split_round_robin(&s, n, assign);
			printf("  %7.3f", sim_shard_imbalance(&s, assign, n));
			sim_split_duration_chunks(&s, n, assign);
			printf("  %7.3f\n", sim_shard_imbalance(&s, assign, n));
			free(assign);
		}
		sim_suite_release(&s);
	}
}

/* Markers: EASY backfilling against no backfilling, greedy (ctest) and "ends before R only". */
static const struct balsim_case balsim_marker_cases[] = {
	{ "uniform 400, criterion", { SIM_UNIFORM, 400, 10, 0.04, 1, 0 } },
	{ "lognormal 400, criterion", { SIM_LOGNORMAL, 400, 10, 0.04, 1, 0 } },
	{ "lognormal 400, plain", { SIM_LOGNORMAL, 400, 10, 0.002, 0, 0 } },
};

static const struct sim_marks balsim_marks = {
	.ngroups = 8, .group_size = 5, .nserial = 4, .nlocks = 3, .per_lock = 12,
	.nweighted = 30, .max_weight = 4,
};

static const unsigned balsim_marker_workers[] = { 4, 8, 16 };

static const enum bal_backfill balsim_policies[] = {
	BAL_BACKFILL_EASY, BAL_BACKFILL_NONE, BAL_BACKFILL_GREEDY, BAL_BACKFILL_BEFORE,
};

/* Mean start of the units holding a serial or weighted test, over the makespan. */
static double balsim_heavy_start(const struct sim_suite *s, const struct bal_plan *p,
				 double makespan)
{
	double sum = 0;
	size_t u, n = 0;

	for (u = 0; u < p->nunits; u++) {
		const struct bal_test *t = &s->tests[p->tests[p->units[u].first]];

		if (t->serial || t->weight > 1) {
			sum += p->units[u].start;
			n++;
		}
	}
	return n && makespan > 0 ? sum / n / makespan : 0;
}

static void balsim_marker_row(const char *name, const struct sim_suite *s, unsigned workers,
			      const char *quality)
{
	struct bal_opts opts = { .workers = workers };
	double lb = bal_lower_bound(s->tests, s->ntests, s->actual, workers);
	size_t i;

	printf("%-28s %3u  %-7s %9.2f", name, workers, quality, lb);
	for (i = 0; i < ARRAY_SIZE(balsim_policies); i++) {
		struct bal_plan plan = { 0 };
		struct bal_sim_opts so = { .backfill = balsim_policies[i], .actual = s->actual,
					   .plan = &plan };
		double makespan = bal_sim_run(&opts, s->binaries, s->nbinaries, s->tests,
					      s->ntests, &so);

		printf("  %6.3f (%3.0f%%)", makespan / lb,
		       100 * balsim_heavy_start(s, &plan, makespan));
		bal_plan_release(&plan);
	}
	printf("\n");
}

static void balsim_markers(uint64_t seed)
{
	size_t c, w;

	printf("\nmarkers (%u groups of %u, %u serial, %u locks x %u, %u weighted 2-%u): "
	       "makespan / lower bound (mean start of the serial and weighted units / makespan)\n",
	       balsim_marks.ngroups, balsim_marks.group_size, balsim_marks.nserial,
	       balsim_marks.nlocks, balsim_marks.per_lock, balsim_marks.nweighted,
	       balsim_marks.max_weight);
	printf("%-28s %3s  %-7s %9s  %-14s  %-14s  %-14s  %-14s\n", "suite", "W", "est",
	       "bound(s)", "EASY", "no backfill", "greedy", "before-R only");
	for (c = 0; c < ARRAY_SIZE(balsim_marker_cases); c++) {
		struct sim_spec spec = balsim_marker_cases[c].spec;
		struct sim_suite s;

		spec.seed = seed + 200 + c;
		sim_suite_make(&s, &spec);
		sim_suite_mark(&s, &balsim_marks, seed + 300 + c);
		for (w = 0; w < ARRAY_SIZE(balsim_marker_workers); w++) {
			sim_suite_noise(&s, 1, 1, 0);
			balsim_marker_row(balsim_marker_cases[c].name, &s,
					  balsim_marker_workers[w], "exact");
			sim_suite_noise(&s, 0.5, 2, seed * 7 + c);
			balsim_marker_row(balsim_marker_cases[c].name, &s,
					  balsim_marker_workers[w], "x0.5-2");
		}
		sim_suite_release(&s);
	}
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 42;
	size_t c, w;

	printf("makespan / lower bound (lower is better; 1.000 is perfect)\n");
	printf("%-28s %3s  %-7s %9s  %7s  %7s  %7s  %7s  %7s\n", "suite", "W", "est",
	       "bound(s)", "balrun", "rrobin", "chunks", "pysplit", "stestr");
	for (c = 0; c < ARRAY_SIZE(balsim_cases); c++) {
		struct sim_spec spec = balsim_cases[c].spec;
		struct sim_suite s;

		spec.seed = seed + c;
		sim_suite_make(&s, &spec);
		for (w = 0; w < ARRAY_SIZE(balsim_workers); w++) {
			sim_suite_noise(&s, 1, 1, 0);
			balsim_row(balsim_cases[c].name, &s, balsim_workers[w], "exact");
			sim_suite_noise(&s, 0.5, 2, seed * 7 + c);
			balsim_row(balsim_cases[c].name, &s, balsim_workers[w], "x0.5-2");
		}
		sim_suite_release(&s);
	}
	balsim_shards(seed);
	balsim_markers(seed);
	return 0;
}
