/*
 * wf_cmocka.c - a cmocka program for test_worker.c, run through the preload
 * shim.  Group "basic": pass, fail, skip, a failing setup, a segfault (cmocka
 * catches it) and a test the batches never select.  Group "gsetup": its group
 * setup fails.  Group "dies": abort() between two passing tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

static void t_pass(void **state) { printf("out pass\n"); }
static void t_fail(void **state) { printf("out fail\n"); assert_int_equal(1, 2); }
static void t_skip(void **state) { skip(); }
static int setup_fails(void **state) { return -1; }
static void t_never(void **state) { printf("body after failed setup\n"); }
static void t_segv(void **state) { *(volatile int *)0 = 1; }
static void t_unselected(void **state) { printf("SHOULD NOT RUN\n"); }
static int group_setup_fails(void **state) { return -1; }
static void t_before(void **state) { printf("out before\n"); }
static void t_aborts(void **state) { printf("out aborts\n"); fflush(stdout); abort(); }
static void t_after(void **state) { printf("SHOULD NOT RUN after abort\n"); }

int main(void)
{
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(t_pass),
		cmocka_unit_test(t_fail),
		cmocka_unit_test(t_skip),
		cmocka_unit_test_setup(t_never, setup_fails),
		cmocka_unit_test(t_segv),
		cmocka_unit_test(t_unselected),
	};
	const struct CMUnitTest gsetup[] = {
		cmocka_unit_test(t_pass),
	};
	const struct CMUnitTest dies[] = {
		cmocka_unit_test(t_before),
		cmocka_unit_test(t_aborts),
		cmocka_unit_test(t_after),
	};
	int failed = cmocka_run_group_tests(basic, NULL, NULL);

	failed += cmocka_run_group_tests(gsetup, group_setup_fails, NULL);
	failed += cmocka_run_group_tests(dies, NULL, NULL);
	return failed;
}
