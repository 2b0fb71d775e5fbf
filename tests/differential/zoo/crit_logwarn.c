/*
 * crit_logwarn - every test passes, but one calls cr_log_warn.  Criterion
 * 2.4.1 then ends the run with exit status 1 although nothing failed.
 *
 * Serial answer: logwarn/warns passed, logwarn/quiet passed, exit 1 with no
 * failed test: a failure outside the tests, so balrun must report
 * "<bin>::[after tests]".
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

Test(logwarn, warns)
{
	cr_log_warn("crit_logwarn: a warning");
}

Test(logwarn, quiet)
{
}
