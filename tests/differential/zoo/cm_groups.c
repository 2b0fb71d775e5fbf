/*
 * cm_groups - a cmocka binary with three groups and every per-test outcome.
 *
 * Serial answer (default text output; exit status 8 = failures + errors):
 *   alpha/a_pass             passed
 *   alpha/b_fail             failed   (assert_int_equal)
 *   alpha/c_skip             skipped  (skip())
 *   alpha/d_segv             failed   (SIGSEGV: cmocka catches it and goes on)
 *   alpha/e_output           passed   (prints on stdout and stderr)
 *   beta/a_setup_fails       failed   (its setup returns -1: cmocka's ERROR,
 *                                      the body never runs)
 *   beta/b_teardown_fails    failed   (its teardown returns -1: ERROR)
 *   beta/c_pass              passed
 *   beta/d_fail_msg          failed   (fail_msg)
 *   gamma/a_leak             failed   (a test_malloc block never freed)
 *   gamma/b_leftover         failed   (will_return values never consumed)
 *   gamma/c_setup_leak       failed   (a block from its setup that the
 *                                      teardown does not free: ERROR)
 *   gamma/d_pass             passed
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

static void a_pass(void **state)
{
	assert_true(1);
}

static void b_fail(void **state)
{
	assert_int_equal(41, 42);
}

static void c_skip(void **state)
{
	skip();
}

static void d_segv(void **state)
{
	volatile int *nowhere = NULL;

	*nowhere = 1;
}

static void e_output(void **state)
{
	printf("cm_groups: line on stdout\n");
	fprintf(stderr, "cm_groups: line on stderr\n");
}

static int setup_fails(void **state)
{
	return -1;
}

static int teardown_fails(void **state)
{
	return -1;
}

static void a_setup_fails(void **state)
{
	fail_msg("the body ran although its setup failed");
}

static void b_teardown_fails(void **state)
{
}

static void c_pass(void **state)
{
	assert_string_equal("balrun", "balrun");
}

static void d_fail_msg(void **state)
{
	fail_msg("beta/d_fail_msg fails on purpose");
}

static void a_leak(void **state)
{
	void *block = test_malloc(32);

	(void)block;
}

static int cm_groups_value(void)
{
	return (int)mock();
}

static void b_leftover(void **state)
{
	will_return(cm_groups_value, 1);
	will_return(cm_groups_value, 2);
	assert_int_equal(cm_groups_value(), 1);
}

static int setup_allocates(void **state)
{
	*state = test_malloc(16);
	return 0;
}

static int teardown_keeps(void **state)
{
	return 0;
}

static void c_setup_leak(void **state)
{
	assert_non_null(*state);
}

static void d_pass(void **state)
{
}

int main(void)
{
	const struct CMUnitTest alpha[] = {
		cmocka_unit_test(a_pass),
		cmocka_unit_test(b_fail),
		cmocka_unit_test(c_skip),
		cmocka_unit_test(d_segv),
		cmocka_unit_test(e_output),
	};
	const struct CMUnitTest beta[] = {
		cmocka_unit_test_setup(a_setup_fails, setup_fails),
		cmocka_unit_test_teardown(b_teardown_fails, teardown_fails),
		cmocka_unit_test(c_pass),
		cmocka_unit_test(d_fail_msg),
	};
	const struct CMUnitTest gamma[] = {
		cmocka_unit_test(a_leak),
		cmocka_unit_test(b_leftover),
		cmocka_unit_test_setup_teardown(c_setup_leak, setup_allocates, teardown_keeps),
		cmocka_unit_test(d_pass),
	};
	int failed = cmocka_run_group_tests(alpha, NULL, NULL);

	failed += cmocka_run_group_tests(beta, NULL, NULL);
	failed += cmocka_run_group_tests(gamma, NULL, NULL);
	return failed;
}
