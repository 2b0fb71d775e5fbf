/*
 * cm_dupnames - the same group/name string more than once in one binary.
 * Two functions each run a local array called `tests`, so both groups are
 * named "tests"; the second lists the same test function twice.  A test
 * fails when its initial state (cmocka_unit_test_prestate) says so, so one
 * duplicate passes and the other fails, whatever order they run in.
 *
 * balrun appends #k to the k-th occurrence of a group/name string.
 * Serial answer (exit 2):
 *   tests/t_same       passed   (first group)
 *   tests/t_other      passed   (first group)
 *   tests/t_same#2     failed   (second group: its prestate says fail)
 *   tests/t_twice      passed   (second group)
 *   tests/t_twice#2    failed   (second group, listed again with prestate)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

static int cm_dupnames_fail = 1;

static void t_same(void **state)
{
	assert_null(*state);
}

static void t_other(void **state)
{
}

static void t_twice(void **state)
{
	assert_null(*state);
}

static int first_group(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_same),
		cmocka_unit_test(t_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

static int second_group(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(t_same, &cm_dupnames_fail),
		cmocka_unit_test(t_twice),
		cmocka_unit_test_prestate(t_twice, &cm_dupnames_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(void)
{
	int failed = first_group();

	failed += second_group();
	return failed;
}
