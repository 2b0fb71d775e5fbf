/*
 * collect.h - turn the binaries named on the command line into test cases.
 *
 * Each argument is checked (exists, a regular file, executable, a test
 * binary), read without running it (elfprobe.h), and given to the first
 * adapter that recognises it (adapters/adapter.h).  Then the binaries
 * whose adapter lists tests are run in listing mode, all at once, each
 * bounded by a timeout, and their adapters read the listings.  Plain
 * executables, scripts, and binaries with cmocka compiled in are one test
 * each.
 */
#ifndef BALRUN_COLLECT_H
#define BALRUN_COLLECT_H

#include <stdint.h>

#include "repo.h"
#include "run.h"
#include "strbuf.h"

struct collect_opts {
	double timeout;             /* seconds to list one binary */
	const char *shim;           /* absolute path of balrun-preload.so */
	const struct repo_info *repo;
};

enum collect_status {
	COLLECT_OK = 0,
	COLLECT_USAGE,   /* an argument is not a test binary at all: exit 4 */
	COLLECT_ERROR,   /* listing failed or timed out for some binary: exit 2 */
};

/*
 * Add the binaries and their tests to r.  errors receives one line per
 * problem (each naming the file); notes one line per binary run in a
 * special way.  On COLLECT_USAGE nothing was run.
 */
enum collect_status collect(struct run *r, char *const *args, size_t nargs,
			    const struct collect_opts *o, struct strbuf *errors, struct strbuf *notes);

#endif
