/*
 * cm_fds - tests that close or overwrite every file descriptor from 3 to
 * 1023, each followed by an innocent test.  A runner that talks to its shim
 * or worker over an inherited descriptor loses it here.
 *
 * Serial answer (exit 0): every test passes.
 *   fds/close_all, fds/after_close, fds/dup2_all, fds/after_dup2,
 *   fds/close_range, fds/after_close_range
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

static void close_all(void **state)
{
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
}

static void dup2_all(void **state)
{
	int null = open("/dev/null", O_RDWR);

	assert_true(null >= 0);
	for (int fd = 3; fd < 1024; fd++)
		if (fd != null)
			dup2(null, fd);
	close(null);
}

static void close_range_all(void **state)
{
	close_range(3, 1023, 0);
}

static void innocent(void **state)
{
	printf("cm_fds: still here\n");
}

int main(void)
{
	const struct CMUnitTest fds[] = {
		cmocka_unit_test(close_all),
		{ "after_close", innocent, NULL, NULL, NULL },
		cmocka_unit_test(dup2_all),
		{ "after_dup2", innocent, NULL, NULL, NULL },
		{ "close_range", close_range_all, NULL, NULL, NULL },
		{ "after_close_range", innocent, NULL, NULL, NULL },
	};

	return cmocka_run_group_tests(fds, NULL, NULL);
}
