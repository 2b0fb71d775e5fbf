/*
 * A Criterion test program registered with CTest the way real projects do:
 * CRITERION_TEST_PATTERN in the test's environment leaves the slow suite
 * out, --filter in its arguments picks a suite, and it runs from a
 * working directory of its own (data.txt).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

Test(fast, pass) { cr_assert(1); }
Test(fast, reads_data_in_cwd) { cr_assert_eq(access("data.txt", R_OK), 0); }
Test(fast, sees_env) { cr_assert_str_eq(getenv("FIXENV") ? getenv("FIXENV") : "", "yes"); }
Test(other, fails) { cr_assert_eq(1, 2, "fails on purpose"); }
Test(other, pass) { cr_assert(1); }
/* must never run: the pattern or the filter leaves it out */
Test(fast, slow_performance) { cr_assert_fail("the pattern should have left this out"); }
