/*
 * cm_exitcode - every test passes, but main() returns 2 anyway (as a main
 * that checks something after the tests might).
 *
 * Serial answer: rc/t_a passed, rc/t_b passed; exit status 2 with no failed
 * test: a failure outside the tests, so balrun must report
 * "<bin>::[after tests]".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

static void t_a(void **state)
{
}

static void t_b(void **state)
{
}

int main(void)
{
	const struct CMUnitTest rc[] = {
		cmocka_unit_test(t_a),
		cmocka_unit_test(t_b),
	};

	if (cmocka_run_group_tests(rc, NULL, NULL) == 0)
		fprintf(stderr, "cm_exitcode: all passed, exiting 2 anyway\n");
	return 2;
}
