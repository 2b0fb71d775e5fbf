/*
 * balancer.h - pure scheduling: which tests run, in which order, in which
 * batches, on which worker.
 *
 * No I/O, no clocks, no globals: the caller feeds events (a worker is idle,
 * a unit finished, a test took so long) and takes decisions out.  That makes
 * every rule here unit-testable with scripted events and benchmarkable by
 * simulation (bal_simulate).
 *
 * Order of dispatch (see docs/scheduling.md):
 *   1. smoke tests: the opts.smoke fastest tests (by estimate; at most one
 *      per binary while other binaries have candidates), one per unit, so
 *      that a broken environment fails within seconds;
 *   2. tests that failed last time (opts.failed_first), longest first;
 *   3. everything else, longest first.
 * Dispatch is dynamic: a worker asks for the next unit only when it is idle,
 * so a wrong estimate never leaves other workers idle while a private queue
 * drains.
 *
 * Batching: tests of a batchable binary (Criterion, cmocka) are packed into
 * one unit (one invocation) because an invocation costs a fixed overhead.  A
 * unit is filled from the head of the queue with tests of the head test's
 * binary, next-longest first, while the tests' estimates stay within a
 * target that shrinks as the run goes on (guided self-scheduling, factor 2):
 *      target = max(remaining_work / (2 * workers), 2 * overhead)
 * The floor keeps the overhead at most a third of a unit late in the run; a
 * test at or above the target runs alone; smoke tests and tests of
 * non-batchable binaries always run alone.  Units never exceed
 * opts.max_batch tests.  See bal_fill_unit in balancer.c for the exact rule.
 */
#ifndef BALRUN_BALANCER_H
#define BALRUN_BALANCER_H

#include <stddef.h>
#include <stdint.h>

struct bal_test {
	uint32_t binary;        /* index into the binaries array */
	double est;             /* estimated seconds; < 0 means unknown (see bal_estimate) */
	unsigned known : 1;     /* est comes from the timing cache */
	unsigned failed_last : 1; /* the test failed (fail/crash/timeout) last time */
};

struct bal_binary {
	double overhead;        /* seconds one invocation costs beyond its tests; < 0 unknown */
	unsigned batchable : 1; /* several tests may share one invocation */
};

struct bal_opts {
	unsigned workers;       /* >= 1 */
	unsigned smoke;         /* smoke tests up front; 0 = none */
	int failed_first;       /* 1: last run's failures right after the smoke tests */
	double default_est;     /* seconds, when nothing at all is known (0 -> 0.5) */
	double default_overhead;/* seconds, for binaries with unknown overhead (0 -> 0.04) */
	unsigned max_batch;     /* most tests in one unit (0 -> 256) */
};

/*
 * Fill in est for tests whose est < 0: the median of the known estimates of
 * the same binary, else the median of all known estimates, else
 * default_est (0 -> 0.5 s).  Known estimates are left alone.
 */
void bal_estimate(struct bal_test *tests, size_t ntests, size_t nbinaries, double default_est);

struct balancer;

/*
 * Build a balancer over tests[0..ntests) (all of them are to be run; the
 * caller leaves out what it does not want run).  Estimates must already be
 * filled (bal_estimate).  The arrays are copied.
 */
struct balancer *balancer_new(const struct bal_opts *opts,
			      const struct bal_binary *binaries, size_t nbinaries,
			      const struct bal_test *tests, size_t ntests);
void balancer_free(struct balancer *b);

/* A unit of work: tests of one binary, to be run in one invocation. */
struct bal_unit {
	const uint32_t *tests;  /* test indexes; valid until balancer_unit_done for this worker */
	size_t ntests;
	uint32_t binary;
	double est;             /* estimated seconds, overhead included */
	int smoke;              /* 1 if this is a smoke test */
};

enum bal_status {
	BAL_UNIT,   /* *u filled: run it on this worker */
	BAL_WAIT,   /* nothing for this worker now; ask again after another unit ends */
	BAL_DONE,   /* nothing left to dispatch, ever (unless something is requeued) */
};
/*
 * Today BAL_WAIT means "the queue is empty but other units still run, and
 * their tests may be requeued"; BAL_DONE is returned only once the queue is
 * empty and no unit runs (so nothing can be requeued any more), and always
 * after balancer_stop.
 */

/* The worker (0..workers-1) is idle: what should it run?  A worker holds at most one unit. */
enum bal_status balancer_next(struct balancer *b, unsigned worker, struct bal_unit *u);

/*
 * A test of the worker's current unit finished and took this long: its
 * estimate leaves balancer_remaining (the time it took is in the past).
 * Tests not in the worker's unit, or already observed, are ignored.
 */
void balancer_observe(struct balancer *b, unsigned worker, uint32_t test, double seconds);

/*
 * The worker's unit is over.  Tests of it that did not run (listed in
 * notrun) go back to the queue, at their place in the order.
 */
void balancer_unit_done(struct balancer *b, unsigned worker,
			const uint32_t *notrun, size_t nnotrun);

/* Stop dispatching: from now on balancer_next returns BAL_DONE. */
void balancer_stop(struct balancer *b);

/* Estimated seconds of work not yet finished (queued + rest of running units). */
double balancer_remaining(const struct balancer *b);
/* Number of tests queued (not dispatched). */
size_t balancer_queued(const struct balancer *b);
/* Write the indexes of queued tests in dispatch order into out (room for balancer_queued). */
size_t balancer_queued_tests(const struct balancer *b, uint32_t *out);

/*
 * Simulate a whole run where every test takes exactly its estimate and every
 * invocation its binary's overhead.  Returns the predicted makespan in
 * seconds; worker_busy (if non-NULL, opts->workers entries) receives each
 * worker's busy seconds.  actual (if non-NULL) gives the true durations to
 * use instead of the estimates (the balancer still plans with est): that is
 * how benchmarks measure the cost of wrong estimates.
 */
double bal_simulate(const struct bal_opts *opts,
		    const struct bal_binary *binaries, size_t nbinaries,
		    const struct bal_test *tests, size_t ntests,
		    const double *actual, double *worker_busy);

/* max(longest test, total work / workers): no schedule can beat it. */
double bal_lower_bound(const struct bal_test *tests, size_t ntests, const double *actual,
		       unsigned workers);

#endif
