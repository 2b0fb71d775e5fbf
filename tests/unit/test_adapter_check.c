/*
 * test_adapter_check.c - the Check adapter (adapters/check/) without
 * running a binary: recognising Check binaries (libsubunit, libcheck's
 * symbols, a static one), the listing command, reading the preload shim's
 * suite and TCase records (duplicates, odd names, damage, no suite), the
 * suite/TCase split of a case name, adopting a registered command's
 * CK_RUN_SUITE / CK_RUN_CASE, and reading Check's result lines.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "adapter.h"
#include "adapter-facts.h"
#include "check-internal.h"
#include "preload.h"
#include "util.h"

TestSuite(check);

static const struct adapter *check(void)
{
	return adapter_by_name("check");
}

Test(check, recognised_by_subunit_or_libchecks_symbols)
{
	struct binary_facts f;
	struct strbuf notes = STRBUF_INIT;
	const char *const main_only[] = { "main", NULL };
	const char *const subunit[] = { "subunit_test_start", "subunit_test_pass", NULL };
	const char *const runner[] = { "main", "srunner_run_all", "suite_create", NULL };

	test_facts(&f, "libsubunit.so.0", main_only, subunit);   /* Debian's, stripped too */
	cr_expect_str_eq(test_recognised(&f, &notes), "check");
	test_facts(&f, "libc.so.6", runner, NULL);                /* unstripped, built without subunit */
	cr_expect_str_eq(test_recognised(&f, &notes), "check");
	test_facts(&f, "libcheck.so.0", main_only, NULL);         /* a shared libcheck */
	cr_expect_str_eq(test_recognised(&f, &notes), "check");
	test_facts(&f, "libsubunit.so.0", main_only, NULL);       /* needs it but starts no test */
	cr_expect_str_eq(test_recognised(&f, &notes), "plain");
	cr_expect_str_eq(notes.buf, "");
	test_facts(&f, NULL, runner, NULL);                       /* static: the shim cannot load */
	cr_expect_str_eq(test_recognised(&f, &notes), "plain");
	cr_expect(strstr(notes.buf, "'bin/t' is a static Check binary"), "%s", notes.buf);
	strbuf_release(&notes);
}

Test(check, lists_through_the_shim_with_marker_names)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;

	strvec_push(&env, "CK_LOG_FILE_NAME=/tmp/x");
	strvec_push(&env, "CK_TAP_LOG_FILE_NAME=/tmp/y");
	check()->list_command(&argv, &env);
	cr_expect_eq(argv.nr, 0);
	cr_expect_str_eq(strvec_getenv(&env, PRELOAD_ENV_MODE), "list");
	cr_expect_str_eq(strvec_getenv(&env, "CK_RUN_SUITE"), PRELOAD_CHECK_SUITE);
	cr_expect_str_eq(strvec_getenv(&env, "CK_RUN_CASE"), PRELOAD_CHECK_CASE);
	cr_expect_null(strvec_getenv(&env, "CK_LOG_FILE_NAME"), "Check would truncate the user's log");
	cr_expect_null(strvec_getenv(&env, "CK_TAP_LOG_FILE_NAME"));
	strvec_clear(&argv);
	strvec_clear(&env);
}

static int parse(const char *events, int exited_zero, struct listing *l, struct strbuf *why,
		 struct strbuf *notes)
{
	struct listing_output o = { .id = "t", .out = "", .events = events, .events_len = strlen(events),
				    .exited_zero = exited_zero, .status = exited_zero ? "exit 0" : "exit 2" };

	return check()->parse_listing(&o, l, why, notes);
}

Test(check, records_give_suites_and_tcases_once_each)
{
	struct strbuf why = STRBUF_INIT, notes = STRBUF_INIT;
	struct listing l = { 0 };
	char *suite, *tcase;

	cr_assert_eq(parse("P check\nS Basic\nC core\nC crash\nC odd%20name/x%3Ay\nC core\n"
			   "S Fix/tures\nC a/b\nS Empty\nS Basic\nC core\nC late\n", 1, &l, &why, &notes),
		     0, "%s", why.buf);
	cr_assert_eq(l.n, 5);
	cr_expect_str_eq(l.v[0].name, "Basic/core");
	cr_expect_str_eq(l.v[1].name, "Basic/crash");
	cr_expect_str_eq(l.v[2].name, "Basic/odd name/x:y");
	cr_expect_str_eq(l.v[3].name, "Fix/tures/a/b");
	cr_expect_str_eq(l.v[4].name, "Basic/late", "a second suite Basic adds its new TCases to the first");
	cr_assert_eq(l.nscopes, 2, "Empty has no TCase, Basic is one scope");
	cr_expect_eq(l.v[4].scope, l.v[0].scope);
	cr_expect_str_eq(l.scopes[l.v[3].scope], "Fix/tures");
	check_split(l.v[3].name, l.v[3].check, &suite, &tcase);
	cr_expect_str_eq(suite, "Fix/tures", "the check says where the suite ends");
	cr_expect_str_eq(tcase, "a/b");
	free(suite);
	free(tcase);
	cr_expect(l.no_preload, "TCases run without the shim");
	cr_expect_str_eq(notes.buf, "");
	listing_release(&l);
	strbuf_release(&why);
	strbuf_release(&notes);
}

Test(check, a_listing_without_the_shim_or_a_suite_is_an_error)
{
	static const struct { const char *events; int zero; const char *why; } bad[] = {
		{ "", 1, "did not load" },
		{ "P check\n", 1, "ran no Check suite" },
		{ "P check\nC core\n", 1, "damaged" },
		{ "P check\nS Basic\nC core", 1, "damaged" },   /* cut short */
		{ "P check\nS Basic\nC a%2", 1, "damaged" },
		{ "P check\nS Basic\n", 0, "found no TCase and ended with exit 2" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct strbuf why = STRBUF_INIT, notes = STRBUF_INIT;
		struct listing l = { 0 };

		cr_expect_eq(parse(bad[i].events, bad[i].zero, &l, &why, &notes), -1, "%zu", i);
		cr_expect(strstr(why.buf, bad[i].why), "%zu: %s", i, why.buf);
		listing_release(&l);
		strbuf_release(&why);
		strbuf_release(&notes);
	}
}

Test(check, an_empty_suite_lists_nothing_and_a_failed_listing_notes)
{
	struct strbuf why = STRBUF_INIT, notes = STRBUF_INIT;
	struct listing l = { 0 };

	cr_expect_eq(parse("P check\nS Empty\n", 1, &l, &why, &notes), 0);
	cr_expect_eq(l.n, 0);
	listing_release(&l);
	memset(&l, 0, sizeof(l));
	cr_expect_eq(parse("P check\nS Basic\nC core\n", 0, &l, &why, &notes), 0);
	cr_expect_eq(l.n, 1);
	cr_expect(strstr(notes.buf, "ended with exit 2 after naming its TCases"), "%s", notes.buf);
	listing_release(&l);
	strbuf_release(&why);
	strbuf_release(&notes);
}

Test(check, split_without_a_check_takes_the_first_slash)
{
	char *suite, *tcase;

	check_split("Basic/core/x", 0, &suite, &tcase);
	cr_expect_str_eq(suite, "Basic");
	cr_expect_str_eq(tcase, "core/x");
	free(suite);
	free(tcase);
	check_split("Basic/core/x", check_pack(20, 3), &suite, &tcase);   /* does not fit */
	cr_expect_str_eq(suite, "Basic");
	free(suite);
	free(tcase);
}

/* Cases Basic/core, Basic/crash, Other/core; the command's environment adopted. */
static int adopt(const char *const *envs, struct listing *l, struct strvec *env, struct strbuf *why)
{
	struct strvec args = STRVEC_INIT;
	int ret;

	cr_assert_eq(parse("P check\nS Basic\nC core\nC crash\nS Other\nC core\n", 1, l, why, why), 0);
	for (; *envs; envs++)
		strvec_push(env, *envs);
	ret = check()->adopt_command(&args, env, l, why);
	strvec_clear(&args);
	return ret;
}

Test(check, adopts_ck_run_suite_and_ck_run_case)
{
	const char *const both[] = { "CK_RUN_SUITE=Basic", "CK_RUN_CASE=core", "CK_FORK=no", NULL };
	const char *const tcase[] = { "CK_RUN_CASE=core", NULL };
	struct strvec env = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	struct listing l = { 0 };

	cr_assert_eq(adopt(both, &l, &env, &why), 0);
	cr_expect(!l.v[0].filtered);
	cr_expect(l.v[1].filtered);
	cr_expect(l.v[2].filtered);
	cr_expect_str_eq(why.buf, "CK_RUN_SUITE=Basic CK_RUN_CASE=core");
	cr_expect_null(strvec_getenv(&env, "CK_RUN_SUITE"), "balrun sets its own per TCase");
	cr_expect_null(strvec_getenv(&env, "CK_RUN_CASE"));
	cr_expect_str_eq(strvec_getenv(&env, "CK_FORK"), "no");
	listing_release(&l);
	memset(&l, 0, sizeof(l));
	strvec_clear(&env);
	strbuf_reset(&why);
	cr_assert_eq(adopt(tcase, &l, &env, &why), 0);
	cr_expect(!l.v[0].filtered);
	cr_expect(l.v[1].filtered);
	cr_expect(!l.v[2].filtered, "CK_RUN_CASE alone: every suite's TCase of that name");
	listing_release(&l);
	strvec_clear(&env);
	strbuf_release(&why);
}

/* ck_parse_result on a line for tcase: its kind and "test|message", or "" if it is not one. */
static void result(const char *line, const char *tcase, const char *want, enum outcome o)
{
	struct ck_result r;
	char got[256] = "";

	if (ck_parse_result(line, strlen(line), tcase, &r))
		snprintf(got, sizeof(got), "%c %.*s|%.*s", r.kind, (int)r.test_len, r.test,
			 (int)r.message_len, r.message);
	cr_expect_str_eq(got, want, "%s", line);
	if (*got)
		cr_expect_eq(ck_result_outcome(&r), o, "%s", line);
}

Test(check, result_lines)
{
	result("src/a.c:8:P:core:t_pass:0: Passed", "core", "P t_pass|Passed", OUTCOME_PASS);
	result("src/a.c:10:F:core:t_fail:0: custom: message 42", "core", "F t_fail|custom: message 42",
	       OUTCOME_FAIL);
	result("src/a.c:34:F:core:t_loop:2: loop iteration 2 fails", "core", "F t_loop|loop iteration 2 fails",
	       OUTCOME_FAIL);
	result("a.c:22:E:crash:t_segv:0: (after this point) Received signal 11 (Segmentation fault)",
	       "crash", "E t_segv|(after this point) Received signal 11 (Segmentation fault)", OUTCOME_CRASH);
	result("a.c:20:E:core:t_sleep:0: (after this point) Test timeout expired", "core",
	       "E t_sleep|(after this point) Test timeout expired", OUTCOME_TIMEOUT);
	result("a.c:26:E:crash:t_exit3:0: (after this point) Early exit with return value 3", "crash",
	       "E t_exit3|(after this point) Early exit with return value 3", OUTCOME_FAIL);
	result("a.c:39:S:fix:t_body:0: checked setup failed", "fix", "S t_body|checked setup failed",
	       OUTCOME_FAIL);
	result("C:\\x.c:5:P:a:b:c:t:0: Passed", "a:b:c", "P t|Passed", OUTCOME_PASS);   /* ':' in the TCase name */
	result("a.c:8:P:core:t_pass:0: Passed", "cor", "", OUTCOME_PASS);                /* another TCase */
	result("a.c:8:P:xcore:t_pass:0: Passed", "core", "", OUTCOME_PASS);
	result("a.c:8:X:core:t_pass:0: Passed", "core", "", OUTCOME_PASS);
	result("a.c:8:P:core:t_pass:x: Passed", "core", "", OUTCOME_PASS);
	result("a.c:8:P:core::0: Passed", "core", "", OUTCOME_PASS);
	result("Running suite core", "core", "", OUTCOME_PASS);
}
