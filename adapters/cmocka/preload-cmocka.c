/*
 * preload-cmocka.c - the cmocka part of balrun-preload.so (the contract is
 * in common/preload.h; what the parts share is shim.c).
 *
 * LD_PRELOADed into an unmodified cmocka test binary, it interposes
 * _cmocka_run_group_tests() (reached by the binary through the PLT) and
 * reaches the real one with dlsym(RTLD_NEXT).  With BALRUN_PRELOAD_MODE unset
 * it passes every call through, so it is harmless in any other process.
 *
 * Every group call, in either mode, advances two counters: the group
 * ordinal and the test ordinal (by the group's named tests).  List mode
 * writes the group and its tests and runs nothing.  Run mode hands cmocka a
 * copy of the group holding only the selected tests, each with its setup,
 * test and teardown replaced by wrappers.  cmocka runs a group's tests one
 * at a time in array order and always calls the setup, so a cursor advanced
 * by the setup wrapper says which test is current:
 *
 *   setup wrapper     end the previous test if it never ended (E FAIL),
 *                     S, call the real setup; if that fails, E FAIL
 *                     (cmocka then skips body and teardown)
 *   test wrapper      call the real test; returning means the body passed
 *                     (cmocka failures and skip() longjmp out of it)
 *   teardown wrapper  call the real teardown (cmocka calls it after a failed
 *                     body too), then E PASS if the body returned and the
 *                     teardown succeeded, else E FAIL
 *   _skip()           E SKIP before the real _skip longjmps
 *
 * A test whose teardown never ended it (a failure inside the teardown
 * longjmps out of the wrapper) is ended FAIL by the next setup wrapper, or
 * when the group call returns.  The group's own setup and teardown get
 * wrappers too, for the U/V and W/X events.  While the group runs, the
 * signal() calls cmocka makes around each setup, body and teardown are
 * virtual (preload-signals.c): thirty system calls per test otherwise.
 *
 * The shim must not link cmocka (the binary brings its own), so it declares
 * its own copy of struct CMUnitTest, as laid out in cmocka 1.1.5's
 * /usr/include/cmocka.h.  Not handled: a program that sets
 * cmocka_set_test_filter() itself (cmocka then leaves tests out of the copy
 * and the cursor no longer matches), and nested group runs from inside a
 * test.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "preload.h"
#include "shim.h"

/* Copy of cmocka 1.1.5's types (cmocka.h: CMUnitTestFunction, CMFixtureFunction, CMUnitTest). */
typedef void (*shim_test_fn)(void **state);
typedef int (*shim_fixture_fn)(void **state);
struct shim_unit_test {
	const char *name;
	shim_test_fn test_func;
	shim_fixture_fn setup_func;
	shim_fixture_fn teardown_func;
	void *initial_state;
};
typedef int (*shim_run_group_fn)(const char *group_name, const struct shim_unit_test *tests,
				 size_t count, shim_fixture_fn group_setup,
				 shim_fixture_fn group_teardown);
typedef void (*shim_skip_fn)(const char *file, int line);

/* Counters over the whole process (both modes). */
static unsigned long shim_next_group, shim_next_test;

/* cmocka 1.1.5 silently drops entries without a name or without any function. */
static int shim_runnable(const struct shim_unit_test *t)
{
	return t->name && (t->test_func || t->setup_func || t->teardown_func);
}

/* ---- run mode: the group being run ---- */

/* Where the current test is: IDLE before its setup, RUNNING until its end event. */
enum shim_test_state { SHIM_IDLE, SHIM_RUNNING, SHIM_ENDED };

static struct {
	int active;
	unsigned long group;                /* its ordinal */
	const struct shim_unit_test *orig;  /* the selected tests, as the binary defined them */
	unsigned long *ordinals;            /* theirs */
	size_t count;
	size_t next;                        /* cursor: index of the next test to set up */
	enum shim_test_state state;         /* of test next - 1 */
	int body_returned;
	shim_fixture_fn group_setup, group_teardown;
} shim_run;

/* End the current test (once). */
static void shim_end(const char *outcome)
{
	if (shim_run.state != SHIM_RUNNING)
		return;
	shim_run.state = SHIM_ENDED;
	shim_mark("E %lu %llu %s", shim_run.ordinals[shim_run.next - 1], shim_now_ns(), outcome);
}

static int shim_setup(void **state)
{
	const struct shim_unit_test *t;
	int rc = 0;

	shim_end("FAIL");   /* the previous test never reached its teardown wrapper */
	if (shim_run.next >= shim_run.count)
		return -1;      /* cannot happen: cmocka runs exactly our copy */
	t = &shim_run.orig[shim_run.next++];
	shim_run.state = SHIM_RUNNING;
	shim_run.body_returned = 0;
	shim_mark("S %lu %llu", shim_run.ordinals[shim_run.next - 1], shim_now_ns());
	if (t->setup_func)
		rc = t->setup_func(state);
	if (rc)
		shim_end("FAIL");
	return rc;
}

static void shim_test(void **state)
{
	shim_run.orig[shim_run.next - 1].test_func(state);
	shim_run.body_returned = 1;
}

static int shim_teardown(void **state)
{
	const struct shim_unit_test *t = &shim_run.orig[shim_run.next - 1];
	int rc = t->teardown_func ? t->teardown_func(state) : 0;

	shim_end(shim_run.body_returned && !rc ? "PASS" : "FAIL");
	return rc;
}

static int shim_group_setup(void **state)
{
	int rc;

	shim_mark("U %lu", shim_run.group);
	rc = shim_run.group_setup(state);
	if (rc)
		shim_mark("V %lu", shim_run.group);
	return rc;
}

static int shim_group_teardown(void **state)
{
	int rc;

	shim_end("FAIL");
	shim_mark("W %lu", shim_run.group);
	rc = shim_run.group_teardown(state);
	if (rc)
		shim_mark("X %lu", shim_run.group);
	return rc;
}

static shim_run_group_fn shim_real_run_group(void)
{
	static shim_run_group_fn real;

	if (!real)
		real = (shim_run_group_fn)dlsym(RTLD_NEXT, "_cmocka_run_group_tests");
	if (!real)
		fprintf(stderr, "balrun-preload: cannot find the real _cmocka_run_group_tests\n");
	return real;
}

/* ---- list mode ---- */

static int shim_list(const char *group, const struct shim_unit_test *tests, size_t count)
{
	shim_record('G', group);
	for (size_t i = 0; i < count; i++)
		if (shim_runnable(&tests[i]))
			shim_record('T', tests[i].name);
	shim_flush();
	return 0;
}

/* ---- run mode: one group call ---- */

/* Ordinal and check of a selection line "<ordinal, 10 digits> <check, 16 hex digits>". */
static void shim_cmocka_line(const char *line, unsigned long *ordinal, uint64_t *check)
{
	char *end;

	*ordinal = strtoul(line, &end, 10);
	*check = strtoull(end, NULL, 16);
}

/*
 * The selected tests of the group, wrapped, into copy; the originals into
 * orig.  The group's named tests have the ordinals first, first + 1, ...;
 * the selection is sorted by ordinal, so its lines for this group are the
 * ones from the first not below `first` on, and choosing a batch costs its
 * own tests, not the group's (a batch of 4096 from a group of 100,000).
 * named maps an ordinal - first to the test's index in tests.
 */
static size_t shim_select(const char *group, const struct shim_unit_test *tests, size_t count,
			  unsigned long first, size_t *named, struct shim_unit_test *copy,
			  struct shim_unit_test *orig, unsigned long *ordinals)
{
	size_t nlines, n = 0, nnamed = 0;
	char **lines = shim_selection(&nlines);
	char key[24];

	if (!lines)
		return 0;
	for (size_t i = 0; i < count; i++)
		if (shim_runnable(&tests[i]))
			named[nnamed++] = i;
	snprintf(key, sizeof(key), "%010lu", first);
	for (size_t k = shim_lower_bound(key, 1); k < nlines; k++) {
		unsigned long ord;
		uint64_t check;

		shim_cmocka_line(lines[k], &ord, &check);
		if (ord - first >= nnamed)
			break;
		const struct shim_unit_test *t = &tests[named[ord - first]];
		if (check != preload_check(group, t->name)) {
			shim_mark("M %lu", ord);
			continue;
		}
		orig[n] = *t;
		ordinals[n] = ord;
		copy[n] = *t;
		copy[n].setup_func = shim_setup;
		copy[n].test_func = t->test_func ? shim_test : NULL;
		copy[n].teardown_func = shim_teardown;
		n++;
	}
	return n;
}

static int shim_run_selected(shim_run_group_fn real, const char *group,
			     const struct shim_unit_test *tests, size_t count,
			     shim_fixture_fn group_setup, shim_fixture_fn group_teardown,
			     unsigned long gord, unsigned long first)
{
	size_t room = count ? count : 1;
	struct shim_unit_test *copy = calloc(room, sizeof(*copy));
	struct shim_unit_test *orig = calloc(room, sizeof(*orig));
	unsigned long *ordinals = calloc(room, sizeof(*ordinals));
	size_t *named = malloc(room * sizeof(*named));
	size_t n;
	int rc = 0;

	if (!copy || !orig || !ordinals || !named) {
		fprintf(stderr, "balrun-preload: out of memory selecting tests of '%s'\n", group);
		rc = -1;
		goto out;
	}
	n = shim_select(group, tests, count, first, named, copy, orig, ordinals);
	if (!n)
		goto out;   /* no test of this group selected: do not enter it */
	memset(&shim_run, 0, sizeof(shim_run));
	shim_run.active = 1;
	shim_run.group = gord;
	shim_run.orig = orig;
	shim_run.ordinals = ordinals;
	shim_run.count = n;
	shim_run.group_setup = group_setup;
	shim_run.group_teardown = group_teardown;
	shim_signals_begin();
	rc = real(group, copy, n, group_setup ? shim_group_setup : NULL,
		  group_teardown ? shim_group_teardown : NULL);
	shim_signals_end();
	shim_end("FAIL");   /* the last test never reached its teardown wrapper */
	shim_mark("Z %lu", gord);
	memset(&shim_run, 0, sizeof(shim_run));
out:
	free(copy);
	free(orig);
	free(ordinals);
	free(named);
	return rc;
}

static size_t shim_named(const struct shim_unit_test *tests, size_t count)
{
	size_t n = 0;

	for (size_t i = 0; i < count; i++)
		n += shim_runnable(&tests[i]);
	return n;
}

int _cmocka_run_group_tests(const char *group_name, const struct shim_unit_test *tests,
			    size_t count, shim_fixture_fn group_setup, shim_fixture_fn group_teardown)
{
	const char *mode = shim_mode();
	shim_run_group_fn real = shim_real_run_group();
	unsigned long gord = shim_next_group++, first = shim_next_test;

	shim_next_test += shim_named(tests, count);
	if (mode && !strcmp(mode, "list"))
		return shim_list(group_name ? group_name : "", tests, count);
	if (!real)
		return -1;
	if (mode && !strcmp(mode, "run"))
		return shim_run_selected(real, group_name ? group_name : "", tests, count,
					 group_setup, group_teardown, gord, first);
	return real(group_name, tests, count, group_setup, group_teardown);
}

void _skip(const char *file, int line)
{
	shim_skip_fn real = (shim_skip_fn)dlsym(RTLD_NEXT, "_skip");

	if (shim_run.active)
		shim_end("SKIP");
	if (!real) {
		fprintf(stderr, "balrun-preload: cannot find the real _skip\n");
		abort();
	}
	real(file, line);
	abort();   /* the real _skip longjmps and never returns */
}
