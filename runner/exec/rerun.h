/*
 * rerun.h - --rerun-failed-serially: after the parallel phase, every test
 * that failed there (after --retries) runs again, alone, one at a time, and
 * the report says per test "failed only in parallel" (it passed alone: it
 * depends on what ran beside it) or "failed alone too".
 *
 * How: the failed tests are copied into a scratch struct run that borrows
 * the real run's binaries, and the ordinary dispatch loop runs it with one
 * worker and batches of one test (one invocation each, so no test shares a
 * process with another either).  The results land in t->alone; the test's
 * own outcome stays what the parallel run gave (a test that failed in
 * parallel failed: the run still exits 1).  Alone runs are not written to
 * the timing cache nor to the checkpoint: they are a diagnosis, and the
 * next --lf must still pick the test.  See docs/flaky.md.
 */
#ifndef BALRUN_RERUN_H
#define BALRUN_RERUN_H

#include <jansson.h>
#include <stdio.h>

#include "report.h"
#include "run.h"
#include "strbuf.h"

struct rerun_opts {
	FILE *out;                /* progress lines */
	const char *worker_path;
	double timeout;           /* --timeout; tests' own limits still apply */
	int verbose;              /* -v / -q */
	int color;                /* --color: -1 auto, 0 never, 1 always */
};

/*
 * Run r's failed tests again alone (nothing if none failed).  0, or -1 with
 * err on an internal error (the worker could not be started).
 * *interrupted receives the signal that stopped it, if any.
 */
int rerun_failed_serially(struct run *r, const struct rerun_opts *o, int *interrupted,
			  struct strbuf *err);

/* The summary section: one line per test run alone, with its verdict. */
void rerun_print(const struct run *r, const struct report_opts *o);

/* t->alone as JSON: an attempt (retry_attempt_json) plus "verdict". */
json_t *rerun_json(const struct test_case *t);

#endif
