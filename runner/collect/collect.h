/*
 * collect.h - turn the binaries named on the command line into test cases.
 *
 * Each argument is checked (exists, a regular file, executable, a test
 * binary), its kind detected without running it (elfprobe.h), and then the
 * tests of Criterion and cmocka binaries are listed by running them in
 * listing mode, all at once, each bounded by a timeout.  Plain executables,
 * scripts, and binaries with cmocka compiled in are one test each.
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

/*
 * One binary's listing, in the order a serial run runs its tests: each
 * test's name as the framework knows it ("suite/name", "group/name"), its
 * scope (an index into scopes: the Criterion suite, the cmocka group call)
 * and whether it is disabled in the source.  Names may hold any byte but
 * NUL and may repeat (collect makes the ids unique).
 */
struct listed_test {
	char *name;
	uint32_t scope;
	uint64_t check;          /* cmocka: preload_check(group, name) */
	unsigned disabled : 1;
};
struct listing {
	struct listed_test *v;
	size_t n, alloc;
	char **scopes;           /* raw scope names (a cmocka group name may repeat) */
	size_t nscopes, scopes_alloc;
};
void listing_release(struct listing *l);

/*
 * Parse Criterion's --list output (UTF-8 or ASCII tree): "SUITE: N tests"
 * headers, each followed by its N items.  Lines outside that shape (a
 * banner printed by a constructor) are left out.  Returns the number of
 * tests, or -1 with err if the text holds no listing at all although it
 * holds text, or a header whose items do not follow.  Exposed for tests.
 */
long collect_parse_criterion(const char *text, struct listing *l, struct strbuf *err);

/*
 * Parse the cmocka shim's list records (common/preload.h): "G group" and
 * "T name" lines, percent-encoded.  0, or -1 with err.  Exposed for tests.
 */
int collect_parse_cmocka(const char *text, size_t len, struct listing *l, struct strbuf *err);

#endif
