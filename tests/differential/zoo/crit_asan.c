/*
 * crit_asan - a Criterion suite built with -fsanitize=address (gcc:
 * libasan.so in DT_NEEDED).  Criterion runs each test in a child process;
 * an ASan report ends that child with status 1 and Criterion says [FAIL].
 *
 * Serial answer:
 *   mem/pass            passed
 *   mem/overflow        failed (heap-buffer-overflow)
 *   mem/use_after_free  failed (heap-use-after-free)
 *   other/pass          passed
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

Test(mem, pass)
{
	cr_assert_eq(1, 1);
}

Test(mem, overflow)
{
	volatile char *volatile p = malloc(8);

	printf("crit_asan: writing past a malloc(8)\n");
	fflush(stdout);
	p[8] = 'x';
	free((void *)p);
}

Test(mem, use_after_free)
{
	volatile int *volatile p = malloc(sizeof(*p));

	*p = 1;
	free((void *)p);
	cr_assert_eq(*p, 1);
}

Test(other, pass)
{
	cr_assert(1);
}
