/*
 * A cmocka test program registered with CTest the way real projects do:
 * from a working directory of its own (it reads data.txt there) and with an
 * environment variable it needs (FIXENV=yes).  Each case fails where balrun
 * would get either wrong, and one case fails on purpose.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static void reads_data_in_cwd(void **state)
{
	(void)state;
	assert_int_equal(access("data.txt", R_OK), 0);
}

static void sees_its_environment(void **state)
{
	(void)state;
	assert_non_null(getenv("FIXENV"));
	assert_string_equal(getenv("FIXENV"), "yes");
}

static void plain_pass(void **state)
{
	(void)state;
	assert_true(1);
}

static void fails_on_purpose(void **state)
{
	(void)state;
	assert_int_equal(2 + 2, 5);
}

static void skips(void **state)
{
	(void)state;
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_data_in_cwd),
		cmocka_unit_test(sees_its_environment),
		cmocka_unit_test(plain_pass),
		cmocka_unit_test(fails_on_purpose),
		cmocka_unit_test(skips),
	};
	return cmocka_run_group_tests_name("unit", tests, NULL, NULL);
}
