/*
 * wf_criterion.c - a Criterion suite for test_worker.c: pass, fail, crash,
 * skip, disabled, a test Criterion times out itself (.timeout), a
 * parameterized test with one failing parameter, a hang that only the
 * worker's time limit stops (zz/hang) and a test after it (zz/later).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <unistd.h>

Test(math, add) { printf("hello from add\n"); }
Test(math, bad) { printf("about to fail\n"); cr_assert(0, "one is not two"); }
Test(math, crash) { printf("crashing\n"); fflush(stdout); *(volatile int *)0 = 1; }
Test(math, unselected) { printf("SHOULD NOT RUN\n"); }
Test(other, skip2) { cr_skip_test("not today"); }
Test(other, off, .disabled = true) { }
Test(other, slow, .timeout = 0.3) { sleep(10); }

ParameterizedTestParameters(par, p)
{
	static int values[] = { 1, 2, 3 };
	return cr_make_param_array(int, values, 3);
}
ParameterizedTest(int *x, par, p)
{
	printf("param %d\n", *x);
	cr_assert(*x != 2, "two is bad");
}

Test(zz, hang) { printf("hanging\n"); fflush(stdout); for (;;) pause(); }
Test(zz, later) { printf("later ran\n"); }
