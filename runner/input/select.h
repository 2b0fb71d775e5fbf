/*
 * select.h - which collected tests run, before markers and shards:
 *
 *   -k EXPR   a test runs if any positive pattern matches its id (or there
 *             is none) and no "not PATTERN" does; a pattern matches as a
 *             substring or as a glob (fnmatch) of the whole id
 *   --lf      of those, only the ones whose last outcome in the timing
 *             cache was a failure; if none failed last time, all of them
 *             (and a note says so)
 *
 * docs/usage.md documents both for users.
 */
#ifndef BALRUN_SELECT_H
#define BALRUN_SELECT_H

#include <stddef.h>

#include "run.h"
#include "strbuf.h"

/*
 * Set test_case.selected for every test of r from the -k keywords and
 * --lf (test_case.lf_failed, input/known.h).  A line for the user goes to
 * note.  Returns the number of selected tests.
 */
size_t select_tests(struct run *r, char *const *keywords, size_t nkeywords, int last_failed,
		    struct strbuf *note);

#endif
