/*
 * crit_hook_abort - a ReportHook(POST_ALL) that prints a line and calls
 * abort() after every test has run: a failure outside any test.
 *
 * Serial answer: hook/a passed, hook/b passed; then the runner dies by
 * SIGABRT (exit 134 in a shell) and writes no XML report, so the serial
 * evidence is "killed by a signal after the tests": balrun must report a
 * fault entry "<bin>::[after tests]".
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>

Test(hook, a)
{
}

Test(hook, b)
{
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	fprintf(stderr, "crit_hook_abort: POST_ALL hook aborts\n");
	abort();
}
