/*
 * context.h - a failure is checked in its original context before it is
 * reported: the serial run is the oracle, and a test that fails only
 * because its batch left out the tests before it is not a failing test.
 *
 * A test ran "in context" when its invocation held every test of its scope
 * (its cmocka group, its Criterion suite) that comes before it in the
 * binary's order (test_case.in_context, set by the dispatcher).  After the
 * parallel phase (and --retries), every test that failed, crashed or timed
 * out NOT in context runs again in context: one unit per scope, holding the
 * scope's tests from its first up to the last such failure, in one
 * invocation, so the binary runs them in its own order as a serial run
 * would.  A test that passes there is ORDER-DEPENDENT: it keeps both runs
 * (its own fields the parallel failure, t->more->context the run in context),
 * the run does not fail because of it (the serial answer is a pass), the
 * report shows it with the marker that keeps its group together, and the
 * timing cache remembers it (TC_FLAG_ORDER_DEPENDENT) so that later runs
 * keep its scope together by themselves (dist.h).  A test that fails there
 * too stays a failure, now known to be a real one.
 *
 * The context runs go through the ordinary balancer and dispatch loop
 * (scratch struct run borrowing the binaries, one same-worker group per
 * scope), on as many workers as the main run, without checkpoint or
 * retries; only the failing tests' results reach the timing cache.  The
 * check is bounded: at most CONTEXT_MAX_SCOPES scopes, cheapest first, and
 * at most a quarter of the run's test time (2 s at least), so that a large
 * Criterion suite (a process per test) is not run again for one failure;
 * the failures left unchecked stay failures, with a fallback line saying so.
 * The report's section: output/report-attempts.c.
 */
#ifndef BALRUN_CONTEXT_H
#define BALRUN_CONTEXT_H

#include "dispatch.h"
#include "run.h"
#include "strbuf.h"
#include "tcache.h"

#define CONTEXT_MAX_SCOPES 64
/* The check may take up to this share of the run's test time, and at least CONTEXT_MIN_BUDGET s. */
#define CONTEXT_SHARE 0.25
#define CONTEXT_MIN_BUDGET 2.0

struct context_opts {
	const char *worker_path;
	unsigned workers;
	double timeout;           /* --timeout; tests' own limits still apply */
	int quiet;                /* -q: no note announcing the check */
	struct timing_cache *tc;  /* may be NULL */
	struct jobserver *jobserver; /* the main run's (dispatch.h); may be NULL */
};

/*
 * Run the failures of r that did not run in context again in context (see
 * above), reporting to obs (dispatch.h; its note gets one line saying so
 * unless quiet).  Fallback lines go to main_st (the main run's stats).  0,
 * or -1 with err on an internal error.  *interrupted receives the signal
 * that stopped it, if any.
 */
int context_rerun(struct run *r, const struct context_opts *o, const struct run_observer *obs,
		  struct dispatch_stats *main_st, int *interrupted, struct strbuf *err);

#endif
