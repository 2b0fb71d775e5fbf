/*
 * cm_groupfix - group fixtures that fail without killing the process.
 *
 * Serial answer (exit 1: the failed group setup counts as one error; the
 * failed group teardown is not counted at all):
 *   setup_fails/t_a, setup_fails/t_b   not run  (the group setup returns -1;
 *                                      stderr "[  FAILED  ] GROUP SETUP")
 *   teardown_fails/t_c                 passed
 *   teardown_fails/t_d                 passed   (then the group teardown
 *                                      returns -1; stderr "[  FAILED  ] GROUP
 *                                      TEARDOWN"; the XML report says nothing)
 *   after/t_e                          passed
 * balrun must report "<bin>::setup_fails [group setup]" and
 * "<bin>::teardown_fails [group teardown]".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

static int group_setup_fails(void **state)
{
	printf("cm_groupfix: group setup says no\n");
	return -1;
}

static int group_teardown_fails(void **state)
{
	printf("cm_groupfix: group teardown says no\n");
	return -1;
}

static void t_pass(void **state)
{
}

static void t_never(void **state)
{
	fail_msg("a test of a group whose setup failed ran");
}

int main(void)
{
	const struct CMUnitTest setup_fails[] = {
		{ "t_a", t_never, NULL, NULL, NULL },
		{ "t_b", t_never, NULL, NULL, NULL },
	};
	const struct CMUnitTest teardown_fails[] = {
		{ "t_c", t_pass, NULL, NULL, NULL },
		{ "t_d", t_pass, NULL, NULL, NULL },
	};
	const struct CMUnitTest after[] = {
		{ "t_e", t_pass, NULL, NULL, NULL },
	};
	int failed = cmocka_run_group_tests(setup_fails, group_setup_fails, NULL);

	failed += cmocka_run_group_tests(teardown_fails, NULL, group_teardown_fails);
	failed += cmocka_run_group_tests(after, NULL, NULL);
	return failed;
}
