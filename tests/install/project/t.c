/* A project's test built against an installed balrun: a marker from <balrun.h>. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <balrun.h>

BALRUN_SERIAL("*/alone");

static void works(void **state) { (void)state; assert_int_equal(2 + 2, 4); }
static void alone(void **state) { (void)state; assert_true(1); }

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(works), cmocka_unit_test(alone) };
	return cmocka_run_group_tests_name("installed", tests, NULL, NULL);
}
