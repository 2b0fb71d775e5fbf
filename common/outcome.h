/*
 * outcome.h - how one test case ended, shared by the worker, the protocol,
 * the timing cache and the reports.
 *
 * Every collected test ends in exactly one of these.  NOTRUN is what a test
 * is when balrun never got to it (interrupted, -x, worker lost); the reason
 * is carried next to it as text.
 *
 * FLAKY is the coordinator's verdict over several runs of one test (--retries:
 * it failed, then passed).  ORDERDEP likewise: it failed in a batch without
 * the tests before it in its group and passed when run after them, as a
 * serial run does.  No single run ends FLAKY or ORDERDEP, so neither travels
 * in a RESULT frame nor sits in the timing cache: those accept only outcomes
 * below OUTCOME__WIRE.
 */
#ifndef BALRUN_OUTCOME_H
#define BALRUN_OUTCOME_H

enum outcome {
	OUTCOME_PASS = 0,
	OUTCOME_FAIL,     /* assertion failed or non-zero exit */
	OUTCOME_CRASH,    /* killed by a signal / crashed inside the framework */
	OUTCOME_TIMEOUT,  /* ran past its time limit and was stopped */
	OUTCOME_SKIP,     /* the test skipped itself, or is disabled */
	OUTCOME_NOTRUN,   /* never ran to completion; see the reason */
	OUTCOME_FLAKY,    /* failed, then passed when run again (coordinator only) */
	OUTCOME_ORDERDEP, /* failed apart from the tests before it, passed with them (coordinator only) */
	OUTCOME__COUNT
};

/* Outcomes below this one are what one run of a test can end in. */
#define OUTCOME__WIRE OUTCOME_FLAKY

/* "passed", "failed", "crashed", "timed out", "skipped", "not run", "flaky", "order-dependent". */
const char *outcome_name(enum outcome o);
/* Short upper-case tag for one-line reports: "PASS", "FAIL", "CRASH", ... */
const char *outcome_tag(enum outcome o);
/*
 * Parse the tag or name of one run's outcome back (as written by outcome_tag);
 * -1 if unknown.  FLAKY is no run's outcome: -1 too (files and shims that
 * say it are wrong).
 */
int outcome_parse(const char *s);
/* 1 for FAIL, CRASH and TIMEOUT: outcomes that make the run fail. */
int outcome_is_failure(enum outcome o);

#endif
