/*
 * dispatch.h - the coordinator's loop: start N workers, hand them units
 * chosen by the balancer, collect their results, and stop cleanly.
 *
 * Worker slot states:
 *   STARTING  spawned, HELLO not seen yet (bounded wait)
 *   IDLE      ready for a unit
 *   BUSY      running a unit (unit_tests, got[] valid)
 *   STOPPING  BYE sent or SIGTERM sent; waiting for EOF
 *   DEAD      reaped; replaced if restarts are left and work remains
 * All workers are started first and their HELLOs awaited together.  A worker
 * that dies (EOF, protocol error) is noticed at once: the test it was
 * running is CRASHED, the unit's tests that never started go back to the
 * queue, and a replacement is started (at most opts.max_restarts in all).
 *
 * Signals: SIGINT/SIGTERM/SIGHUP are blocked except while waiting in
 * ppoll().  The first stops dispatching and terminates the running units
 * (their unfinished tests become NOT RUN "interrupted"); a second one kills
 * everything and returns at once.
 *
 * Orphans: the coordinator is a child subreaper while it runs (reap.h).
 * Processes that a lost or SIGKILLed worker leaves behind (its running test
 * and whatever that forked) become its children; they are killed when a
 * worker is lost and before dispatch_run returns, so nothing outlives it.
 *
 * Smoke tests: once at least two smoke units ran, all of them failed after
 * passing last time (timing cache), and the dispatch moves on to the rest,
 * the run stops ("the environment looks broken"): the remaining tests are
 * NOT RUN.
 *
 * Retries (opts.retries, retry.h): a failed attempt with retries left is
 * recorded in the timing cache, kept in the test's tries, and the test goes
 * back to the queue when its unit ends, as the tests a dead batch never ran
 * do.  Only final outcomes reach -x/--maxfail, smoke and test_finished.
 *
 * Jobserver (opts.jobserver): an idle worker gets a unit only once the run
 * holds a slot of the jobserver for each of the unit's weight, beside those
 * the running units hold; the others wait, polling the jobserver.  A unit's
 * slots are freed when it ends, however it ends (DONE, a lost or killed
 * worker, a stop, an abort), and the surplus tokens are given back at once.
 *
 * Progress is reported through struct run_observer, so the dispatch loop
 * knows nothing about terminals.
 */
#ifndef BALRUN_DISPATCH_H
#define BALRUN_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "balancer.h"
#include "checkpoint.h"
#include "run.h"
#include "tcache.h"

struct jobserver;

/*
 * How the dispatch loop tells the outside what happens (output/status.c
 * implements it; exec/ never prints).  Every callback may be NULL: a NULL
 * callback is simply not called.  data is passed back to each unchanged.
 * The test_case pointers are valid only during the call.
 */
struct run_observer {
	/* Once, before any worker starts: how many tests this run will run, on how many workers. */
	void (*run_started)(void *data, size_t tests, unsigned workers);
	/* A worker began running t. */
	void (*test_started)(void *data, const struct test_case *t, unsigned worker);
	/* t has its final outcome (faults too: t->fault). */
	void (*test_finished)(void *data, const struct test_case *t);
	/* An attempt failed and the test will run again (--retries); t still describes that attempt. */
	void (*test_retried)(void *data, const struct test_case *t);
	/* About every 100 ms while tests run: for live status lines. */
	void (*tick)(void *data, double elapsed, double remaining_est, unsigned running);
	/* A line to show the user (worker restarts, stops, the phases after the run); no newline. */
	void (*note)(void *data, const char *line);
	void *data;
};

struct dispatch_opts {
	unsigned workers;
	const char *worker_path;
	double timeout;           /* per test seconds, 0 = none */
	int maxfail;              /* stop after this many failures; 0 = never */
	unsigned max_restarts;    /* replacement workers allowed in all */
	struct checkpoint *checkpoint; /* finished tests are appended to it; may be NULL */
	unsigned retries;         /* --retries: run a failed test again up to this many times (retry.h) */
	int drop_passing_output;  /* 1: keep no output of a test that passed or skipped: nothing of
	                             the run will show it (no -v, no report file, no retries) */
	struct jobserver *jobserver; /* make's jobserver or the machine's budget (common/jobserver.h):
	                             a unit runs once the run holds a slot per its weight, and every
	                             token is back when dispatch_run returns; NULL: workers only */
};

/*
 * A time balrun had to do something other than run a batch as planned: it
 * ran tests alone, ran tests again in a new batch, or reported a failure it
 * could not pin on a test.  Equal notes of one binary are merged (count).
 */
struct dispatch_fallback {
	uint32_t binary;
	char *what;               /* one line */
	size_t tests;             /* tests it concerned, summed over merged notes */
	unsigned times;
};

struct dispatch_stats {
	double wall;              /* seconds from the first worker start to the end */
	double *busy;             /* per worker: seconds with a unit in hand */
	double *own;              /* per worker: of those, seconds outside its test processes (the
	                             unit's wall less its invocations' walls, as DONE gives them):
	                             balrun's own part of a unit, sending, spawning, reaping, reading */
	unsigned *units;          /* per worker: units run */
	unsigned *tests;          /* per worker: tests finished */
	unsigned restarts;
	int interrupted;          /* the signal that interrupted the run, or 0 */
	int stopped;              /* 1 if maxfail stopped the run */
	int aborted;              /* 1 if a second signal cut the run short */
	int smoke_failed;         /* 1 if every smoke test failed and the run stopped */
	struct dispatch_fallback *fallbacks;
	size_t nfallbacks, fallbacks_alloc;
};

/*
 * Run the tests map[0..nmap) of r (balancer test i is r->tests[map[i]]) as
 * the balancer decides.  tc (may be NULL) receives every result.  Returns 0,
 * or -1 with err on an internal error (a worker could not be started at
 * all, a worker of another protocol version).  Afterwards every mapped test
 * is FINISHED (those that never ran are NOTRUN with a reason).  The stats
 * arrays are allocated here: dispatch_stats_release.
 */
int dispatch_run(struct run *r, struct balancer *b, const uint32_t *map, size_t nmap,
		 struct timing_cache *tc, const struct dispatch_opts *opts,
		 const struct run_observer *obs, struct dispatch_stats *stats, struct strbuf *err);
void dispatch_stats_release(struct dispatch_stats *s);
/* Add a fallback note to st (merged with an equal one of the same binary). */
void dispatch_stats_fallback(struct dispatch_stats *st, uint32_t binary, size_t tests,
			     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
