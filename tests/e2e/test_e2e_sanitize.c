/*
 * test_e2e_sanitize.c - binaries built with AddressSanitizer
 * (tests/fixtures/san_cmocka.c, san_crit.c): balrun still splits them into
 * cases (the runtime goes first in LD_PRELOAD, before the shim), a report
 * fails the test it came from with the report as its output and its
 * SUMMARY as its message, the other tests are not charged, LeakSanitizer
 * at exit is a failure after the tests, and the user's ASAN_OPTIONS hold.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *str(json_t *t, const char *key)
{
	const char *s = json_string_value(json_object_get(t, key));
	return s ? s : "";
}

/* 1 if the report has an entry whose id ends with suffix. */
static int has(const struct e2e_run *r, const char *suffix)
{
	json_t *tests = json_object_get(r->report, "tests"), *t;
	size_t i, n = strlen(suffix);

	json_array_foreach(tests, i, t) {
		const char *id = str(t, "id");
		size_t len = strlen(id);
		if (len >= n && !strcmp(id + len - n, suffix))
			return 1;
	}
	return 0;
}

static void check_cmocka(const struct e2e_run *r)
{
	const char *msg, *out;

	cr_assert_eq(r->code, 1, "exit %d; stderr: %s", r->code, r->err);
	cr_expect_str_eq(e2e_outcome(r, "::mem/a_pass"), "passed");
	cr_expect_str_eq(e2e_outcome(r, "::mem/b_overflow"), "failed");
	msg = str(e2e_test(r, "::mem/b_overflow"), "message");
	cr_expect(!strncmp(msg, "AddressSanitizer: heap-buffer-overflow", 38), "message: %s", msg);
	out = str(e2e_test(r, "::mem/b_overflow"), "output");
	cr_expect(strstr(out, "san_cmocka: before the overflow") && strstr(out, "SUMMARY: AddressSanitizer"),
		  "output: %s", out);
	cr_expect_str_eq(e2e_outcome(r, "::mem/c_pass"), "passed");
	cr_expect_str_eq(e2e_outcome(r, "::mem/d_use_after_free"), "failed");
	msg = str(e2e_test(r, "::mem/d_use_after_free"), "message");
	cr_expect(strstr(msg, "heap-use-after-free"), "message: %s", msg);
	cr_expect_str_eq(e2e_outcome(r, "::mem/e_leak"), "passed");
	cr_expect_str_eq(e2e_outcome(r, "::ub/a_int_overflow"), "failed");
	msg = str(e2e_test(r, "::ub/a_int_overflow"), "message");
	cr_expect(strstr(msg, "runtime error: signed integer overflow"), "message: %s", msg);
	cr_expect_str_eq(e2e_outcome(r, "::ub/b_pass"), "passed");
}

Test(sanitize, cmocka_asan_split_and_reports_fail_their_test)
{
	/*
	 * UBSan must not halt: a process that dies at ub/a_int_overflow never
	 * reaches the exit where LeakSanitizer reports e_leak, and whether e_leak
	 * shares a process with it depends on how the tests' microseconds fell
	 * (the binary run alone loses the leak then too).  The fixture is built
	 * recoverable; the sanitizer build's ctest sets halt_on_error=1 for
	 * everything else.
	 */
	const char *const env[] = { "ASAN_OPTIONS=detect_leaks=1", "UBSAN_OPTIONS=halt_on_error=0", NULL };
	const char *dir = e2e_tmpdir();
	static const char *const workers[] = { "2", "2", "1" };   /* cold, then warm */

	for (size_t i = 0; i < 3; i++) {
		struct e2e_run r;
		e2e_balrun(&r, env, ARGS("-n", workers[i], "--cache-dir", dir, e2e_fixture("san_cmocka")));
		check_cmocka(&r);
		/* the leak of e_leak: reported when the process exits, after the tests */
		cr_expect_str_eq(e2e_outcome(&r, "san_cmocka::[after tests]"), "failed");
		const char *msg = str(e2e_test(&r, "san_cmocka::[after tests]"), "message");
		cr_expect(strstr(msg, "leaked"), "message: %s", msg);
		cr_expect(strstr(str(e2e_test(&r, "san_cmocka::[after tests]"), "output"), "ERROR: LeakSanitizer"));
		e2e_free(&r);
	}
}

Test(sanitize, user_asan_options_are_kept)
{
	const char *const env[] = { "ASAN_OPTIONS=detect_leaks=0", NULL };
	struct e2e_run r;

	e2e_balrun(&r, env, ARGS("-n", "2", "--cache-dir", e2e_tmpdir(), e2e_fixture("san_cmocka")));
	check_cmocka(&r);
	cr_expect(!has(&r, "::[after tests]"), "detect_leaks=0: no leak report after the tests");
	cr_expect_eq(e2e_count(&r), 7);
	e2e_free(&r);
}

Test(sanitize, criterion_asan)
{
	const char *const env[] = { "ASAN_OPTIONS=detect_leaks=1", NULL };
	struct e2e_run r;
	const char *msg;

	e2e_balrun(&r, env, ARGS("-n", "2", "--cache-dir", e2e_tmpdir(), e2e_fixture("san_crit")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_assert_eq(e2e_count(&r), 5);
	cr_expect_str_eq(e2e_outcome(&r, "::mem/pass"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "::mem/overflow"), "failed");
	msg = str(e2e_test(&r, "::mem/overflow"), "message");
	cr_expect(strstr(msg, "AddressSanitizer: heap-buffer-overflow"), "message: %s", msg);
	cr_expect(strstr(str(e2e_test(&r, "::mem/overflow"), "output"), "san_crit: before the overflow"));
	cr_expect_str_eq(e2e_outcome(&r, "::mem/use_after_free"), "failed");
	/* Criterion says [PASS]; the leak report its child prints as it exits is the test's */
	cr_expect_str_eq(e2e_outcome(&r, "::mem/leak"), "failed");
	msg = str(e2e_test(&r, "::mem/leak"), "message");
	cr_expect(strstr(msg, "leaked"), "message: %s", msg);
	cr_expect_str_eq(e2e_outcome(&r, "::other/pass"), "passed");
	e2e_free(&r);
}
