/*
 * scratch.h - runs after the main one (--rerun-failed-serially, the check
 * of failures in their context) go through the same balancer and dispatch
 * loop as a real run, on a scratch struct run that borrows the real run's
 * binaries: timeouts, crashes, lost workers and Ctrl-C behave exactly as in
 * a run.  No timing cache, no checkpoint, no retries, no smoke tests.
 *
 *   run_init(&tmp); tmp.bins = r->bins; tmp.nbins = r->nbins;   borrowed
 *   run_copy_test(&tmp, t) for each test to run
 *   scratch_run(&tmp, &opts, obs, &st, &err);
 *   ... read tmp.tests ...; tmp.bins = NULL; tmp.nbins = 0; run_release(&tmp);
 */
#ifndef BALRUN_SCRATCH_H
#define BALRUN_SCRATCH_H

#include "dispatch.h"
#include "run.h"
#include "strbuf.h"

struct scratch_opts {
	const char *worker_path;
	unsigned workers;         /* at most; never more than tests */
	unsigned max_batch;       /* most tests in one unit (1: each test alone); 0: the default */
	double timeout;           /* --timeout; tests' own limits still apply */
	struct jobserver *jobserver; /* the main run's (dispatch.h); may be NULL */
};

/*
 * Run every test of tmp, reporting to obs (the caller's: dispatch.h).  0,
 * or -1 with err on an internal error; st as dispatch_run's.
 */
int scratch_run(struct run *tmp, const struct scratch_opts *o, const struct run_observer *obs,
		struct dispatch_stats *st, struct strbuf *err);

#endif
