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
 *   3. exclusive tests (serial, or weight >= workers), longest first;
 *   4. everything else, longest first.
 * Dispatch is dynamic: a worker asks for the next unit only when it is idle,
 * so a wrong estimate never leaves other workers idle while a private queue
 * drains.
 *
 * Markers (bal_test: group, serial, weight, locks) are honoured with EASY
 * backfilling: the head of the queue starts as soon as its slots and locks
 * are free; until then it holds a reservation (the earliest expected time
 * they will be), and other workers only take later units that end before it
 * or use slots and locks it does not need.  Neither delays the head, so no
 * weighted or serial test starves (docs/scheduling.md).
 *
 * Batching: tests of a batchable binary (Criterion, cmocka) are packed into
 * one unit (one invocation) because an invocation costs a fixed overhead.  A
 * unit is filled from the head of the queue with tests of the head test's
 * binary, next-longest first, while the tests' estimates stay within a
 * target that shrinks as the run goes on (guided self-scheduling, factor 2):
 *      target = max(remaining_work / (2 * workers),
 *                   sqrt(4 * overhead * remaining_work / workers), 2 * overhead)
 * The square-root floor is the unit size that balances the overheads of
 * more units against the tail of larger ones, so a binary with a costly
 * start is cut into fewer units late in the run; the last floor keeps the
 * overhead at most a third of a unit.  A test at or above the target runs
 * alone; smoke tests and tests of non-batchable binaries always run alone;
 * a test that does not fit is passed over (at most two of them per unit) so
 * that shorter ones may still join.  A loose group (bal_test.loose) batches
 * like a single test.  With one worker there is nothing to balance and the
 * target is unbounded: a binary's tests share one invocation.  Units never
 * exceed opts.max_batch tests.  See bal_fill_unit in balancer.c for the exact rule.
 */
#ifndef BALRUN_BALANCER_H
#define BALRUN_BALANCER_H

#include <stddef.h>
#include <stdint.h>

struct bal_test {
	/* Fields by size, largest first (32 bytes: a million of them are planned at once). */
	double est;             /* estimated seconds; < 0 means unknown (see bal_estimate) */
	uint64_t locks;         /* see below */
	uint32_t binary;        /* index into the binaries array */
	uint32_t group;         /* see below */
	uint32_t weight;        /* see below */
	unsigned known : 1;     /* est comes from the timing cache */
	unsigned failed_last : 1; /* the test failed (fail/crash/timeout) last time */
	/*
	 * Constraints from markers (issue 3; a zeroed struct means none):
	 *   group   same-worker group: all tests with the same group >= 0 form
	 *           ONE unit (possibly across binaries; its tests sorted so that
	 *           each binary's tests are contiguous) whose cost is the sum of
	 *           its members plus one overhead per binary.  group is only
	 *           meaningful when has_group is 1.
	 *   serial  nothing else runs while it runs.
	 *   weight  slots of the N it occupies while it runs (0 and 1 mean 1;
	 *           never more than workers: the caller rejects that).
	 *   locks   bit i set: holds named lock i; units holding a common lock
	 *           never overlap (at most 64 named locks).
	 * A group's constraints are the union of its members' (serial if any
	 * member is, the largest weight, all locks).
	 */
	unsigned has_group : 1;
	unsigned serial : 1;
	/*
	 * With has_group, on every member: the group only asks for one
	 * invocation (a failure with its scope's earlier tests, so that it runs
	 * in context), not for a worker of its own: other tests of its binary
	 * may join its unit and it may join theirs like a single test.  Its
	 * members must be of one binary, one slot and no locks; otherwise, or
	 * when not every member has it, the group is an ordinary one.
	 */
	unsigned loose : 1;
};

struct bal_binary {
	double overhead;        /* seconds one invocation costs beyond its tests; < 0 unknown */
	unsigned batchable : 1; /* several tests may share one invocation */
	unsigned max_batch;     /* most of its tests in one unit (a configured framework's
	                           batch); 0: bal_opts.max_batch */
};

struct bal_opts {
	unsigned workers;       /* >= 1 */
	unsigned smoke;         /* smoke tests up front; 0 = none */
	int failed_first;       /* 1: last run's failures right after the smoke tests */
	double default_est;     /* seconds, when nothing at all is known (0 -> 0.5) */
	double default_overhead;/* seconds, for binaries with unknown overhead (0 -> 0.04) */
	unsigned max_batch;     /* most tests in one unit (0 -> 4096) */
};

/*
 * Fill in est for tests whose est < 0: the median of the known estimates of
 * the same binary if it has at least 3, else the median of all known
 * estimates, else default_est (0 -> 0.5 s).  Known estimates are left alone.
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

/*
 * A unit of work: tests of one binary, to be run in one invocation, or a
 * same-worker group whose tests may span binaries (each binary's tests
 * contiguous: one invocation per binary, in order).
 */
struct bal_unit {
	const uint32_t *tests;  /* test indexes; valid until balancer_unit_done for this worker */
	size_t ntests;
	uint32_t binary;        /* the first test's binary */
	double est;             /* estimated seconds, overheads included */
	int smoke;              /* 1 if this is a smoke test */
	int guarded;            /* 1 if it holds locks or more than one slot: nothing of it may
	                           start before it is dispatched (balancer_predict) */
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
 * A guess for starting work ahead: the busy worker expected to need work
 * first (earliest unit start + estimate) into *worker, and the first queued
 * test of the head of the order, which that worker would most likely get,
 * into *test.  0 (nothing set) when a worker is idle (it takes the head),
 * nothing is queued, or the head holds locks or more than one slot (its
 * binary must not start before them).  Dispatches nothing.
 */
int balancer_predict(struct balancer *b, unsigned *worker, uint32_t *test);

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

/*
 * From now on the test runs in a unit of its own, never batched (its batch
 * ended before any test ran, or without running it).  A test of a group
 * stays in its group, which is a unit of its own anyway; the tests of a
 * loose group (bal_test.loose) then run one per unit.
 */
void balancer_isolate(struct balancer *b, uint32_t test);

/* Stop dispatching: from now on balancer_next returns BAL_DONE. */
void balancer_stop(struct balancer *b);

/*
 * The batching target (above): the most estimated work a unit of a binary
 * with this overhead (< 0: unknown, opts->default_overhead) may hold when
 * `remaining` seconds of work are left; HUGE_VAL with one worker.
 */
double bal_unit_target(const struct bal_opts *opts, double overhead, double remaining);

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

/*
 * The caller's clock, in seconds since the run started.  Only used to know
 * when running units are expected to end (start + est), so that a unit
 * waiting for slots or for "serial" gets a reservation and small units are
 * only backfilled where they end before it.  Call it before balancer_next
 * and balancer_unit_done.  Until the first call there is no clock: only
 * units that use slots and locks the waiting unit does not need are
 * backfilled (safe, but slots may idle while a serial test waits).
 */
void balancer_set_now(struct balancer *b, double now);

/*
 * A planned run (for --plan): the units in dispatch order with the worker,
 * start and end the simulation gives them (bal_simulate's machinery, the
 * real policy, every test taking its estimate).
 */
struct bal_planned_unit {
	double start, end;       /* simulated seconds */
	unsigned worker;
	size_t first, ntests;    /* its tests: plan.tests[first .. first+ntests) */
	int smoke;
};
struct bal_plan {
	struct bal_planned_unit *units;
	size_t nunits;
	uint32_t *tests;
	double makespan;
	double lower_bound;
	double *worker_busy;     /* opts->workers entries */
};
/* Simulate with the estimates and keep the schedule.  Release with bal_plan_release. */
void bal_plan_make(const struct bal_opts *opts, const struct bal_binary *binaries, size_t nbinaries,
		   const struct bal_test *tests, size_t ntests, struct bal_plan *plan);
void bal_plan_release(struct bal_plan *plan);

/*
 * CI shards by time: assign every test to one of nshards shards so that the
 * shards' estimated loads are as even as possible.  Deterministic: the same
 * tests, ids and estimates give the same partition on every machine,
 * whatever order they come in (sort by est descending, then by id; tests
 * whose est is not known are placed by a stable hash of the id after the
 * known ones), longest first to the least-loaded shard (ties: lowest shard).
 * A group goes whole to one shard.  keys[i] is test i's stable id (unique;
 * compared bytewise, never by locale).  Estimates should be filled
 * (bal_estimate); one still < 0 counts as 0.5 s.  Needs no balancer.
 * shard_of[i] receives 0..nshards-1; load (nshards entries, may be NULL) the
 * estimated seconds of each shard.
 */
void bal_shard(const struct bal_test *tests, size_t ntests, const char *const *keys,
	       unsigned nshards, uint32_t *shard_of, double *load);

/*
 * No schedule can beat it: the larger of the area (duration x slots, over
 * workers) and the longest chain that cannot overlap (the longest test,
 * group or lock's holders) plus every exclusive test.  Without markers:
 * max(longest test, total work / workers).  Overheads are left out.
 */
double bal_lower_bound(const struct bal_test *tests, size_t ntests, const double *actual,
		       unsigned workers);

#endif
