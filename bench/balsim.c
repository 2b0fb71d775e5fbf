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
 *   balsim            the whole table
 *   balsim SEED       the same with another seed
 */
#include <stdio.h>
#include <stdlib.h>

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
	return 0;
}
