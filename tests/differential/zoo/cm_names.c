/*
 * cm_names - test names no text report carries whole, built as CMUnitTest
 * structs: a newline inside, 2100 bytes, bytes that are not UTF-8, and names
 * that are only a prefix of each other.  cmocka prints them raw and cuts its
 * lines at 1023 bytes, so the serial run identifies tests by position.
 *
 * Serial answer (exit 2):
 *   odd/plain_first            passed
 *   odd/line1\nline2           passed   (a newline inside the name)
 *   odd/L<2100 bytes>          failed   (2100 bytes: "L" then 2099 "n")
 *   odd/bad\xff\xfe            passed   (not UTF-8: balrun shows \xff\xfe)
 *   odd/latin1_caf\xe9         failed   (a Latin-1 byte)
 *   odd/caf\xc3\xa9_utf8       passed   (valid UTF-8)
 *   odd/prefix                 passed
 *   odd/prefix_longer          passed
 *   odd/plain_last             passed
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#define CM_NAMES_LONG 2100

static char cm_names_long[CM_NAMES_LONG + 1];

static void t_pass(void **state)
{
}

static void t_fail(void **state)
{
	fail_msg("an oddly named test fails on purpose");
}

int main(void)
{
	struct CMUnitTest odd[] = {
		{ "plain_first", t_pass, NULL, NULL, NULL },
		{ "line1\nline2", t_pass, NULL, NULL, NULL },
		{ cm_names_long, t_fail, NULL, NULL, NULL },
		{ "bad\xff\xfe", t_pass, NULL, NULL, NULL },
		{ "latin1_caf\xe9", t_fail, NULL, NULL, NULL },
		{ "caf\xc3\xa9_utf8", t_pass, NULL, NULL, NULL },
		{ "prefix", t_pass, NULL, NULL, NULL },
		{ "prefix_longer", t_pass, NULL, NULL, NULL },
		{ "plain_last", t_pass, NULL, NULL, NULL },
	};

	memset(cm_names_long, 'n', CM_NAMES_LONG);
	cm_names_long[0] = 'L';
	return cmocka_run_group_tests(odd, NULL, NULL);
}
