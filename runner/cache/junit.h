/*
 * junit.h - read test results from JUnit XML files (ctest --output-junit,
 * Criterion --xml, and the like) as balrun test ids, to seed the timing
 * cache from earlier CI runs (balrun cache import-junit).
 *
 * Mapping of a <testcase> to a balrun id (docs/timing-cache.md):
 *   classname set and different from name   PREFIX + classname "/" name
 *   classname equal to name (ctest)         PREFIX + name
 *   no classname (Criterion)                PREFIX + testsuite name "/" name
 *                                           (PREFIX + name if no suite name)
 * Outcome: <failure> failed, <error> crashed, <skipped> skipped, else passed.
 * The same id seen again right after itself (a Criterion parameterized
 * test, once per parameter) is one result: durations add up, the worst
 * outcome wins.
 */
#ifndef BALRUN_JUNIT_H
#define BALRUN_JUNIT_H

#include <stddef.h>

#include "outcome.h"
#include "strbuf.h"

struct junit_result {
	char *id;
	enum outcome outcome;
	double seconds;        /* NaN if the file gave no time */
};

struct junit_results {
	struct junit_result *v;
	size_t nr, alloc;
};

/*
 * Read the testcases of the JUnit file at path, ids prefixed with prefix
 * (may be NULL), appending one result per id to out in file order.  0, or -1
 * with one line in err naming the file (unreadable, not XML, no <testcase>).
 */
int junit_read(const char *path, const char *prefix, struct junit_results *out,
	       struct strbuf *err);
void junit_results_release(struct junit_results *r);

#endif
