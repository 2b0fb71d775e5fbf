/*
 * simsuite.h - synthetic test suites and the static splits other runners
 * use, for measuring the balancer by simulation (bench/balsim.c and
 * tests/unit/test_balancer.c).  Not part of balrun itself.
 *
 * A suite is generated from a seeded PRNG (xorshift64*), so the same spec
 * always gives the same suite.  Tests come in discovery order: binary by
 * binary, as a listing would give them.  actual[] holds the true durations;
 * the estimates are either exact or actual times a random factor
 * (sim_suite_noise).
 *
 * A static split assigns every test to a worker before the run; its makespan
 * is computed as the runners that use it would run it: each worker runs its
 * share in discovery order, paying one overhead per binary for a batchable
 * binary (one invocation runs its whole share, as a gtest shard does) and
 * one per test otherwise.
 *
 * sim_suite_mark adds groups, serial tests, locks and weights, to measure
 * the constrained scheduler (the comparison policies themselves are in
 * balancer/internal.h: enum bal_backfill, bal_sim_run).
 */
#ifndef BALRUN_SIMSUITE_H
#define BALRUN_SIMSUITE_H

#include <stddef.h>
#include <stdint.h>

#include "balancer.h"

struct sim_rng {
	uint64_t state;
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed);
/* Uniform in [0, 1). */
double sim_uniform(struct sim_rng *r);
/* exp(N(mu, sigma^2)). */
double sim_lognormal(struct sim_rng *r, double mu, double sigma);

enum sim_shape {
	SIM_UNIFORM,    /* durations uniform in [0.05, 2] s */
	SIM_LOGNORMAL,  /* heavy tail: median 0.2 s, sigma 1.5 */
	SIM_GIANT,      /* 0.05..0.5 s each, plus one test of a quarter of the total, late in discovery */
	SIM_TINY,       /* 0.5..5 ms each: the invocation overhead dominates */
};

struct sim_spec {
	enum sim_shape shape;
	size_t ntests;
	size_t nbinaries;       /* >= 1 */
	double overhead;        /* every binary's invocation overhead, seconds */
	int batchable;
	uint64_t seed;
};

struct sim_suite {
	struct bal_binary *binaries;
	size_t nbinaries;
	struct bal_test *tests; /* est = actual until sim_suite_noise */
	size_t ntests;
	double *actual;
	char **ids;             /* "bNN/suite::tNNNNN", unique, for bal_shard */
};

void sim_suite_make(struct sim_suite *s, const struct sim_spec *spec);
/* Set every estimate to actual * f, f log-uniform in [lo, hi]. */
void sim_suite_noise(struct sim_suite *s, double lo, double hi, uint64_t seed);
void sim_suite_release(struct sim_suite *s);

/*
 * Markers to scatter over a suite: disjoint random tests become members of
 * ngroups groups of group_size, serial, holders of one of nlocks locks
 * (per_lock each) and weighted (2 .. max_weight slots).
 */
struct sim_marks {
	unsigned ngroups, group_size;
	unsigned nserial;
	unsigned nlocks, per_lock;
	unsigned nweighted, max_weight;
};
void sim_suite_mark(struct sim_suite *s, const struct sim_marks *m, uint64_t seed);

/*
 * Static splits: assign[i] receives the worker of test i.  Those that plan
 * with durations use the estimates (tests[i].est), like the real tools.
 */
/* Test i to worker i % workers (ctest -I stride, gtest-parallel shards). */
void sim_split_round_robin(const struct sim_suite *s, unsigned workers, unsigned *assign);
/* Equal-count contiguous chunks in discovery order (xdist --dist load without refill). */
void sim_split_chunks(const struct sim_suite *s, unsigned workers, unsigned *assign);
/* pytest-split duration_based_chunks: contiguous, a chunk closes once it reaches total / workers. */
void sim_split_duration_chunks(const struct sim_suite *s, unsigned workers, unsigned *assign);
/* stestr: longest first to the least loaded partition (run later in discovery order). */
void sim_split_lpt(const struct sim_suite *s, unsigned workers, unsigned *assign);

/* Makespan of a static split run with the actual durations (see the top of this file). */
double sim_static_makespan(const struct sim_suite *s, const unsigned *assign, unsigned workers);
/* Largest over mean of the shards' actual work (1.0 = perfect; overheads left out). */
double sim_shard_imbalance(const struct sim_suite *s, const unsigned *assign, unsigned nshards);

#endif
