/*
 * retry.h - --retries: a test that fails is run again, up to N more times,
 * on whichever worker is free, and one that fails and then passes is FLAKY.
 *
 * The dispatcher (dispatch.c) decides when: a failed attempt (FAIL, CRASH,
 * TIMEOUT) with retries left is recorded in the timing cache like any run,
 * kept here (retry_keep moves its outcome, message and output into
 * t->more->tries), and its test goes back to the balancer's queue as a unit of its
 * own instead of being finished.  Its final attempt settles it
 * (retry_settle): a pass after failed attempts becomes FLAKY, a failure
 * stays the last failure.  -x/--maxfail, the status line's failure count and
 * the smoke-test verdict only ever see final outcomes.
 * The report shows them: output/report-attempts.c (docs/flaky.md).
 */
#ifndef BALRUN_RETRY_H
#define BALRUN_RETRY_H

#include "run.h"

/* 1 if t's attempt that just ended failed and it may run again (retries: --retries N). */
int retry_wanted(const struct test_case *t, unsigned retries);

/* Move t's finished attempt into t->more->tries and make t pending again. */
void retry_keep(struct test_case *t);

/* t's last attempt is in: a pass after failed attempts makes it FLAKY. */
void retry_settle(struct test_case *t);

/*
 * The run stopped (interrupt, -x) before t's next attempt finished: t ends
 * with its last failed attempt, taken back out of t->more->tries.  Returns 0, or
 * -1 (nothing done) if t has no kept attempt.
 */
int retry_restore(struct test_case *t);

#endif
