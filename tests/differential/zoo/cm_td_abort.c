/*
 * cm_td_abort - a group teardown that calls abort() after its tests passed.
 * The process dies between groups: the group after it never runs serially.
 *
 * Serial answer (killed by SIGABRT):
 *   first/t_a, first/t_b   passed (then the group teardown aborts)
 *   never/t_c, never/t_d   unknown: the serial run never reached them;
 *                          balrun must still report each exactly once
 * balrun must report "<bin>::first [group teardown]" (or "[after tests]").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

static int group_teardown_aborts(void **state)
{
	fprintf(stderr, "cm_td_abort: group teardown aborts\n");
	abort();
}

static void t_a(void **state)
{
}

static void t_b(void **state)
{
}

static void t_c(void **state)
{
}

static void t_d(void **state)
{
}

int main(void)
{
	const struct CMUnitTest first[] = {
		cmocka_unit_test(t_a),
		cmocka_unit_test(t_b),
	};
	const struct CMUnitTest never[] = {
		cmocka_unit_test(t_c),
		cmocka_unit_test(t_d),
	};
	int failed = cmocka_run_group_tests(first, NULL, group_teardown_aborts);

	failed += cmocka_run_group_tests(never, NULL, NULL);
	return failed;
}
