/*
 * cm_orderdep - a test that passes only after the test before it in its
 * group has run in the same process (a static variable the earlier test
 * sets).  Serially it passes; run apart from t_sets it fails, which balrun
 * reports as order-dependent (compared as passed).
 *
 * Serial answer (exit 0):
 *   od/t_sets     passed
 *   od/t_needs    passed   (order-dependent)
 *   od/t_alone    passed
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

static int cm_orderdep_ready;

static void t_sets(void **state)
{
	cm_orderdep_ready = 1;
}

static void t_needs(void **state)
{
	assert_int_equal(cm_orderdep_ready, 1);
}

static void t_alone(void **state)
{
}

int main(void)
{
	const struct CMUnitTest od[] = {
		cmocka_unit_test(t_sets),
		cmocka_unit_test(t_needs),
		cmocka_unit_test(t_alone),
	};

	return cmocka_run_group_tests(od, NULL, NULL);
}
