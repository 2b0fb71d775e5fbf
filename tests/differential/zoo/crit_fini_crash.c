/*
 * crit_fini_crash - a per-test .fini that crashes after the test body
 * passed.  Criterion keeps the verdict PASS, prints "Warning! The test
 * `finicrash::crashes_after` crashed during its setup or teardown.", and
 * counts the warning: the run exits 1 although every test passed.
 *
 * Serial answer: finicrash/crashes_after passed, finicrash/other passed;
 * exit 1 with no failed test: a failure outside the tests, so balrun must
 * report "<bin>::[after tests]".
 */
#include <criterion/criterion.h>
#include <signal.h>

static void fini_crashes(void)
{
	raise(SIGSEGV);
}

Test(finicrash, crashes_after, .fini = fini_crashes)
{
}

Test(finicrash, other)
{
}
