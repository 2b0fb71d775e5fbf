/*
 * crit_fixtures - suite fixtures (TestSuite .init/.fini) and per-test
 * .init/.fini.  Criterion runs the fixtures inside each test's process.
 *
 * Serial answer (exit 1):
 *   suitefx/sees_init        passed   (checks that the suite .init ran)
 *   suitefx/second           passed
 *   pertest/ok               passed   (its .init sets a value, its .fini prints)
 *   pertest/init_fails       crashed  (cr_assert_fail in its .init: the verbose
 *                                      log prints no verdict at all, only
 *                                      "crashed during its setup or teardown";
 *                                      the XML report says ERRORED, crash)
 *   pertest/after            passed
 */
#include <criterion/criterion.h>
#include <stdio.h>

static int crit_fixtures_state;

static void suite_init(void)
{
	crit_fixtures_state = 7;
	printf("crit_fixtures: suite init\n");
	fflush(stdout);
}

static void suite_fini(void)
{
	printf("crit_fixtures: suite fini\n");
	fflush(stdout);
}

TestSuite(suitefx, .init = suite_init, .fini = suite_fini);

Test(suitefx, sees_init)
{
	cr_assert_eq(crit_fixtures_state, 7, "the suite init did not run");
}

Test(suitefx, second)
{
}

static void test_init(void)
{
	crit_fixtures_state = 11;
}

static void test_fini(void)
{
	printf("crit_fixtures: test fini\n");
	fflush(stdout);
}

static void init_fails(void)
{
	cr_assert_fail("the per-test init fails");
}

Test(pertest, ok, .init = test_init, .fini = test_fini)
{
	cr_assert_eq(crit_fixtures_state, 11);
}

Test(pertest, init_fails, .init = init_fails)
{
}

Test(pertest, after)
{
}
