/*
 * crit_banner - a constructor prints a banner line to stdout in every
 * process of the binary: `--list`, the runner and each test process.
 *
 * Serial answer (exit 1): banner/a passed, banner/b failed, banner/c passed.
 */
#include <criterion/criterion.h>
#include <stdio.h>

__attribute__((constructor)) static void crit_banner_hello(void)
{
	printf("crit_banner: hello from the constructor\n");
	fflush(stdout);
}

Test(banner, a)
{
}

Test(banner, b)
{
	cr_assert_fail("banner/b fails on purpose");
}

Test(banner, c)
{
}
