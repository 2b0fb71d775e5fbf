/*
 * cm_skip_setup - skip() called inside a per-test setup.  cmocka treats it
 * as a failed setup (ERROR: "Could not run test: ... Skipped! / Test setup
 * failed"), not as a skip.  It also leaves cmocka's skip flag set, so the
 * next test whose body fails in the same process is reported SKIPPED; that
 * is why the skip-in-setup test is the last one of the binary.
 *
 * Serial answer (exit 2: one failure, one error):
 *   skipsetup/t_pass           passed
 *   skipsetup/t_skip           skipped (skip() in the body)
 *   skipsetup/t_fail           failed
 *   skipsetup/t_setup_skips    failed  (ERROR: the setup called skip())
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

static int setup_skips(void **state)
{
	skip();
	return 0;
}

static void t_pass(void **state)
{
}

static void t_skip(void **state)
{
	skip();
}

static void t_fail(void **state)
{
	assert_int_equal(1, 2);
}

static void t_setup_skips(void **state)
{
	fail_msg("the body ran although its setup skipped");
}

int main(void)
{
	const struct CMUnitTest skipsetup[] = {
		cmocka_unit_test(t_pass),
		cmocka_unit_test(t_skip),
		cmocka_unit_test(t_fail),
		cmocka_unit_test_setup(t_setup_skips, setup_skips),
	};

	return cmocka_run_group_tests(skipsetup, NULL, NULL);
}
