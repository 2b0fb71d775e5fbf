/*
 * ck_exitcode.c - a Check binary whose one TCase passes and whose main()
 * returns 2 all the same.  Run alone: Exit/only passed; [after tests].
 * (One TCase: balrun runs each TCase in a process of its own, and each
 * such process would report the exit status again.)
 */
#include <check.h>

START_TEST(t_pass) { ck_assert_int_eq(1, 1); }
END_TEST

int main(void)
{
	Suite *s = suite_create("Exit");
	TCase *tc = tcase_create("only");
	SRunner *sr;

	tcase_add_test(tc, t_pass);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	srunner_free(sr);
	return 2;
}
