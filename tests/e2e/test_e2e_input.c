/*
 * test_e2e_input.c - bad input and selection: each bad argument gives one
 * clear line naming it and the right exit code; -k, --list and -x behave.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void expect_error(const char *const *args, int code, const char *needle)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, args);
	cr_expect_eq(r.code, code, "exit %d, want %d; stderr: %s", r.code, code, r.err);
	cr_expect(strstr(r.err, needle), "stderr lacks '%s': %s", needle, r.err);
	cr_expect(!strstr(r.err, "AddressSanitizer") && !strstr(r.err, "runtime error"), "%s", r.err);
	e2e_free(&r);
}

Test(input, missing_file)
{
	expect_error(ARGS("--no-cache", "/nonexistent/test_binary"), 4, "'/nonexistent/test_binary': no such file");
}

Test(input, not_executable)
{
	expect_error(ARGS("--no-cache", e2e_fixture("not_executable")), 4, "is not executable");
}

Test(input, directory)
{
	expect_error(ARGS("--no-cache", FIXTURE_DIR), 4, "is a directory");
}

Test(input, not_a_test_binary)
{
	expect_error(ARGS("--no-cache", e2e_fixture("not_elf")), 4, "is not a test binary");
}

Test(input, no_arguments)
{
	/* not in the build tree, whose CTestTestfile.cmake a bare balrun would import */
	cr_assert_eq(chdir(e2e_tmpdir()), 0);
	expect_error(ARGS("--no-cache"), 4, "no test binaries given");
}

Test(input, bad_flag_values)
{
	expect_error(ARGS("-n", "many", e2e_fixture("plain_pass")), 4, "-n: 'many'");
	expect_error(ARGS("--maxfail", "0", e2e_fixture("plain_pass")), 4, "--maxfail");
	expect_error(ARGS("--timeout", "-3", e2e_fixture("plain_pass")), 4, "--timeout");
	expect_error(ARGS("--frobnicate", e2e_fixture("plain_pass")), 4, "--frobnicate");
}

Test(input, listing_that_hangs_times_out)
{
	expect_error(ARGS("--no-cache", "--collect-timeout", "0.5", e2e_fixture("crit_hang_list"),
			  e2e_fixture("plain_pass")), 2, "crit_hang_list' timed out");
}

Test(input, nothing_selected_exits_5)
{
	expect_error(ARGS("--no-cache", "-k", "no_such_test", e2e_fixture("crit_basic")), 5, "no tests selected");
}

Test(input, list_prints_ids)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("--no-cache", "--list", e2e_fixture("crit_basic"), e2e_fixture("cmocka_basic"),
				  e2e_fixture("plain_pass")));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_expect(strstr(r.out, "crit_basic::basic/pass\n"), "%s", r.out);
	cr_expect(strstr(r.out, "crit_basic::basic/disabled (disabled)\n"), "%s", r.out);
	cr_expect(strstr(r.out, "cmocka_basic::beta/c_pass\n"), "%s", r.out);
	cr_expect(strstr(r.out, "plain_pass\n"), "%s", r.out);
	e2e_free(&r);
}

Test(input, keyword_selection)
{
	struct e2e_run r;
	e2e_balrun(&r, NULL, ARGS("--no-cache", "-k", "basic/", "-k", "not fail", "-k", "not crash",
				  e2e_fixture("crit_basic")));
	cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
	cr_expect_eq(e2e_count(&r), 3, "ran %zu", e2e_count(&r));	/* pass, skip, disabled */
	e2e_free(&r);
}

/* A first run records the failures; -x then runs them first (--ff) and stops at once. */
Test(input, exitfirst_stops_and_accounts_for_everything)
{
	const char *cache = e2e_tmpdir();
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("--cache-dir", cache, "-n", "1", e2e_fixture("crit_durations"),
				  e2e_fixture("plain_fail"), e2e_fixture("crit_basic")));
	cr_assert_eq(r.code, 1, "exit %d: %s", r.code, r.err);
	size_t all = e2e_count(&r);
	e2e_free(&r);

	e2e_balrun(&r, NULL, ARGS("--cache-dir", cache, "-x", "-n", "1", "--smoke", "0",
				  e2e_fixture("crit_durations"), e2e_fixture("plain_fail"), e2e_fixture("crit_basic")));
	cr_assert_eq(r.code, 1, "exit %d: %s", r.code, r.err);
	cr_assert_eq(e2e_count(&r), all, "every collected test is in the report");
	size_t counted = e2e_count_outcome(&r, "passed") + e2e_count_outcome(&r, "failed") +
			 e2e_count_outcome(&r, "crashed") + e2e_count_outcome(&r, "skipped") +
			 e2e_count_outcome(&r, "not run");
	cr_expect_eq(counted, all);
	cr_expect(e2e_count_outcome(&r, "not run") > all / 2, "-x did not stop the run early");
	cr_expect(strstr(r.out, "stopped after 1 failure"), "%s", r.out);
	e2e_free(&r);
}
