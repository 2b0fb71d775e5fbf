/*
 * rerun.h - --rerun-failed-serially: after the parallel phase, every test
 * that failed there (after --retries) runs again, alone, one at a time, and
 * the report says per test "failed only in parallel" (it passed alone: it
 * depends on what ran beside it) or "failed alone too".
 *
 * How: the failed tests are copied into a scratch run (scratch.h) run with
 * one worker and batches of one test (one invocation each, so no test shares
 * a process with another either).  The results land in t->more->alone; the test's
 * own outcome stays what the parallel run gave (a test that failed in
 * parallel failed: the run still exits 1).  Alone runs are not written to
 * the timing cache nor to the checkpoint: they are a diagnosis, and the
 * next --lf must still pick the test.  The report's section:
 * output/report-attempts.c.  See docs/flaky.md.
 */
#ifndef BALRUN_RERUN_H
#define BALRUN_RERUN_H

#include "dispatch.h"
#include "run.h"
#include "strbuf.h"

struct rerun_opts {
	const char *worker_path;
	double timeout;           /* --timeout; tests' own limits still apply */
	int quiet;                /* -q: no note announcing the re-run */
	struct jobserver *jobserver; /* the main run's (dispatch.h); may be NULL */
};

/*
 * Run r's failed tests again alone (nothing if none failed), reporting to
 * obs (its note gets one line saying so, unless quiet).  0, or -1 with err
 * on an internal error (the worker could not be started).  *interrupted
 * receives the signal that stopped it, if any.
 */
int rerun_failed_serially(struct run *r, const struct rerun_opts *o, const struct run_observer *obs,
			  int *interrupted, struct strbuf *err);

#endif
