/*
 * crit_outcomes - one Criterion test per outcome and per test attribute.
 *
 * Serial answer (`crit_outcomes -j1 --verbose -Oxml:F`, exit 1):
 *   out/pass              passed
 *   out/fail              failed   (cr_assert_eq)
 *   out/expect_fail       failed   (two cr_expect, the test goes on)
 *   out/crash             crashed  (SIGSEGV through a null pointer)
 *   out/abort             crashed  (abort())
 *   out/skip              skipped  (cr_skip_test)
 *   out/disabled          skipped  (.disabled = true: never runs)
 *   out/exit3             passed   (.exit_code = 3, calls exit(3))
 *   out/exit3_unexpected  failed   (exit(3) with no .exit_code)
 *   out/exit0_midtest     passed   (exit(0) in the test process: Criterion
 *                                   counts that as a pass)
 *   out/segv_expected     passed   (.signal = SIGSEGV, raises SIGSEGV)
 *   out/segv_missing      failed   (.signal = SIGSEGV, returns normally)
 *   out/timeout           timed out (.timeout = 0.3, sleeps 3 s)
 *   out/output            passed   (prints a line on stdout and stderr)
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int crit_outcomes_answer(void)
{
	return 41;
}

Test(out, pass)
{
	cr_assert_eq(1 + 1, 2);
}

Test(out, fail)
{
	cr_assert_eq(crit_outcomes_answer(), 42, "expected 42");
}

Test(out, expect_fail)
{
	cr_expect(0, "first expectation");
	cr_expect(0, "second expectation");
}

Test(out, crash)
{
	volatile int *nowhere = NULL;

	*nowhere = 1;
}

Test(out, abort)
{
	abort();
}

Test(out, skip)
{
	cr_skip_test("not on this machine");
}

Test(out, disabled, .disabled = true)
{
	cr_assert_fail("a disabled test must never run");
}

Test(out, exit3, .exit_code = 3)
{
	exit(3);
}

Test(out, exit3_unexpected)
{
	exit(3);
}

Test(out, exit0_midtest)
{
	exit(0);
}

Test(out, segv_expected, .signal = SIGSEGV)
{
	raise(SIGSEGV);
}

Test(out, segv_missing, .signal = SIGSEGV)
{
}

Test(out, timeout, .timeout = 0.3)
{
	sleep(3);
}

Test(out, output)
{
	printf("crit_outcomes: line on stdout\n");
	fflush(stdout);
	fprintf(stderr, "crit_outcomes: line on stderr\n");
}
