/*
 * cm_asan - a cmocka binary built with -fsanitize=address (gcc: libasan.so
 * in DT_NEEDED, so it must come first in LD_PRELOAD, before any shim; the
 * census runs it with ASAN_OPTIONS=verify_asan_link_order=0).
 *
 * Serial answer: AddressSanitizer ends the process with status 1 at the
 * first report, with no cmocka verdict.
 *   asan/t_before       passed
 *   asan/t_overflow     failed (heap-buffer-overflow: exit 1 during the test)
 *   asan/t_after        unknown (never reached serially)
 *   later/t_before      unknown (balrun: passed)
 *
 * One report only: ASan symbolizes each report (about half a second), and
 * the differential runs share a time budget.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

static void t_before(void **state)
{
}

static void t_overflow(void **state)
{
	volatile char *volatile p = malloc(8);

	printf("cm_asan: writing past a malloc(8)\n");
	fflush(stdout);
	p[8] = 'x';
	free((void *)p);
}

static void t_after(void **state)
{
}

int main(void)
{
	const struct CMUnitTest asan[] = {
		cmocka_unit_test(t_before),
		cmocka_unit_test(t_overflow),
		cmocka_unit_test(t_after),
	};
	const struct CMUnitTest later[] = {
		cmocka_unit_test(t_before),
	};
	int failed = cmocka_run_group_tests(asan, NULL, NULL);

	failed += cmocka_run_group_tests(later, NULL, NULL);
	return failed;
}
