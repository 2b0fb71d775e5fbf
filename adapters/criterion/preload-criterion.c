/*
 * preload-criterion.c - the Criterion part of balrun-preload.so (the
 * contract is in common/preload.h; what the parts share is shim.c).
 *
 * A Criterion binary's main() lives in libcriterion and reaches
 * criterion_initialize(), which registers every test with
 * criterion_register_test(), then criterion_run_all_tests(); libcriterion
 * makes those calls through its PLT, so a preloaded definition is the one
 * called, and the real one is reached with dlsym(RTLD_NEXT).  Measured on
 * Debian's libcriterion 2.4.1 (relocations R_X86_64_JUMP_SLOT for both).
 *
 *   probe  the first registration writes "P" to the event fd: selection
 *          works in this binary (a libcriterion linked with
 *          -Bsymbolic-functions, or a static one, would not call us)
 *   run    a test not in the selection is not registered: Criterion never
 *          hears of it, prints nothing for it and pays nothing for it (no
 *          --filter pattern, no matcher); a selected one is registered
 *          under its ordinal as its name, which keeps Criterion's order
 *          inside the suite and keeps the --verbose lines short
 *
 * Test children are re-executions of the binary with BXFI_MAP set; there
 * the shim does nothing (shim_mode() returns NULL), so they run the test
 * under its own name.  The shim copies the first fields of Criterion's
 * struct criterion_test (name, category: unchanged since Criterion 2.2), so
 * it builds without Criterion's headers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preload.h"
#include "shim.h"

/* The leading fields of Criterion's struct criterion_test (criterion/types.h). */
struct shim_cr_test {
	const char *name;
	const char *category;
};
struct shim_cr_set;

typedef void (*shim_register_fn)(struct shim_cr_set *, struct shim_cr_test *);
typedef int (*shim_run_all_fn)(struct shim_cr_set *);

static unsigned long shim_cr_registered, shim_cr_dropped;

/* "<ordinal>" of the selection line for "category/name", or NULL if it is not selected. */
static char *shim_cr_alias(const struct shim_cr_test *t)
{
	size_t n;
	char **lines = shim_selection(&n);
	char *key, *alias = NULL;
	long k;

	if (!lines || asprintf(&key, "%s/%s", t->category, t->name) < 0)
		return NULL;
	k = shim_find(key, 1);
	if (k >= 0)
		alias = strdup(lines[k] + strcspn(lines[k], " ") + 1);
	free(key);
	return alias;
}

void criterion_register_test(struct shim_cr_set *set, struct shim_cr_test *test)
{
	static shim_register_fn real;
	static int probed;
	const char *mode = shim_mode();
	char *alias;

	if (!real)
		real = (shim_register_fn)dlsym(RTLD_NEXT, "criterion_register_test");
	if (!real) {
		fprintf(stderr, "balrun-preload: cannot find the real criterion_register_test\n");
		return;
	}
	if (mode && !strcmp(mode, "probe") && !probed++) {
		shim_record('P', "");
		shim_flush();
	}
	if (!mode || strcmp(mode, "run")) {
		real(set, test);
		return;
	}
	alias = shim_cr_alias(test);
	if (!alias) {
		shim_cr_dropped++;
		return;
	}
	test->name = alias;	/* kept for the life of the process */
	shim_cr_registered++;
	real(set, test);
}

int criterion_run_all_tests(struct shim_cr_set *set)
{
	static shim_run_all_fn real;
	const char *mode = shim_mode();

	if (!real)
		real = (shim_run_all_fn)dlsym(RTLD_NEXT, "criterion_run_all_tests");
	if (!real) {
		fprintf(stderr, "balrun-preload: cannot find the real criterion_run_all_tests\n");
		return 0;
	}
	if (mode && !strcmp(mode, "run")) {
		size_t n;

		shim_selection(&n);	/* the marker channel, if no test was registered */
		shim_mark("C %lu %lu", shim_cr_registered, shim_cr_dropped);
	}
	return real(set);
}
