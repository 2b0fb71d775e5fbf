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

#include "configured.h"
#include "repo.h"
#include "run.h"
#include "strbuf.h"

struct collect_opts {
	double timeout;             /* seconds to list one binary */
	const char *shim;           /* absolute path of balrun-preload.so */
	const struct repo_info *repo;
	const struct conf_frameworks *frameworks; /* .balrun.conf's; a binary one matches runs
	                                             with it (adapters/configured.h); may be NULL */
};

/* How importing a build system's tests went (ctest.h, meson.h). */
enum import_status {
	IMPORT_OK = 0,
	IMPORT_USAGE,    /* its tool is missing, the directory is not configured: exit 4 */
	IMPORT_ERROR,    /* its tool failed, or printed what balrun cannot read: exit 2 */
};

/* For the importers (import-util.c): name (a program) on balrun's PATH (unset: /usr/bin:/bin), malloc'd; NULL if not there. */
char *collect_which(const char *name);
/*
 * A new file /tmp/balrun-STEM.XXXXXX holding text (mode 0755 if executable),
 * its path malloc'd (the caller unlinks it); NULL with a line in err.
 */
char *collect_temp_file(const char *stem, const char *text, int executable, struct strbuf *err);

enum collect_status {
	COLLECT_OK = 0,
	COLLECT_USAGE,   /* an argument is not a test binary at all: exit 4 */
	COLLECT_ERROR,   /* listing failed or timed out for some binary: exit 2 */
};

/*
 * Add the binaries of the n commands (moved into the run: each cmds[i] is
 * left empty) and their tests to r.  errors receives one line per problem
 * (each naming the file or the registered test); notes one line per
 * binary run in a special way.  A command named on the command line that
 * is no test binary is COLLECT_USAGE (nothing was run); one a build system
 * registered, COLLECT_ERROR.
 */
enum collect_status collect(struct run *r, struct test_command *cmds, size_t n,
			    const struct collect_opts *o, struct strbuf *errors, struct strbuf *notes);

#endif
