/*
 * outcome.h - how one test case ended, shared by the worker, the protocol,
 * the timing cache and the reports.
 *
 * Every collected test ends in exactly one of these.  NOTRUN is what a test
 * is when balrun never got to it (interrupted, -x, worker lost); the reason
 * is carried next to it as text.
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
	OUTCOME__COUNT
};

/* "passed", "failed", "crashed", "timed out", "skipped", "not run". */
const char *outcome_name(enum outcome o);
/* Short upper-case tag for one-line reports: "PASS", "FAIL", "CRASH", ... */
const char *outcome_tag(enum outcome o);
/* Parse a tag or name back (as written by outcome_tag); -1 if unknown. */
int outcome_parse(const char *s);
/* 1 for FAIL, CRASH and TIMEOUT: outcomes that make the run fail. */
int outcome_is_failure(enum outcome o);

#endif
