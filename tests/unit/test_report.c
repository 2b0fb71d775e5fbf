/*
 * test_report.c - what balrun prints after a run and writes with --json
 * (runner/output/report*.c), from a run model built by hand: no worker,
 * no binary.  Each section appears only when some test is in it; the exit
 * code follows the outcomes.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit-codes.h"
#include "report.h"
#include "util.h"

static struct run r;
static struct dispatch_stats st;

/* bin/t with one test per name; group names its scope. */
static void setup(void)
{
	static const char *const names[] = { "g/pass", "g/fail", "g/flaky", "g/order", "g/alone",
					     "g/skip", "g/notrun" };
	struct binary *b;

	run_init(&r);
	memset(&st, 0, sizeof(st));
	b = run_add_binary(&r);
	b->id = xstrdup("bin/t");
	b->adapter = adapter_by_name("cmocka");
	b->scopes = xcalloc(1, sizeof(*b->scopes));
	b->scopes[0] = xstrdup("g");
	b->nscopes = 1;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		run_add_test(&r, 0, names[i])->worker = 0;
	st.wall = 2;
}

static void teardown(void)
{
	dispatch_stats_release(&st);
	run_release(&r);
}

TestSuite(report, .init = setup, .fini = teardown);

static struct test_case *test(const char *name)
{
	for (size_t i = 0; i < r.ntests; i++)
		if (!strcmp(r.tests[i].name, name))
			return &r.tests[i];
	cr_assert_fail("no test %s", name);
	return NULL;
}

static struct test_attempt *attempt(enum outcome o, const char *msg, const char *out)
{
	struct test_attempt *a = xcalloc(1, sizeof(*a));

	*a = (struct test_attempt){ .outcome = o, .duration = 0.5, .worker = 1,
				    .message = msg ? xstrdup(msg) : NULL, .output = xstrdup(out),
				    .output_len = strlen(out) };
	return a;
}

/* Every test finished: one of each outcome and kind of second run. */
static void finish_all(void)
{
	struct test_case *t;

	test_finish(test("g/pass"), OUTCOME_PASS, NULL);
	t = test("g/fail");
	t->duration = 1.5;
	t->output = xstrdup("fail output\n");
	t->output_len = strlen(t->output);
	test_finish(t, OUTCOME_FAIL, "t.c:9: expected 2");
	t = test("g/flaky");
	test_more(t)->tries = attempt(OUTCOME_FAIL, "first try", "try output");
	t->more->ntries = t->more->tries_alloc = 1;
	test_finish(t, OUTCOME_FLAKY, "passed on attempt 2; attempt 1 FAIL: first try");
	t = test("g/order");
	t->apart = OUTCOME_FAIL;
	test_more(t)->context = attempt(OUTCOME_PASS, NULL, "");
	test_finish(t, OUTCOME_ORDERDEP, "failed apart from the tests before it in its group");
	t = test("g/alone");
	test_more(t)->alone = attempt(OUTCOME_PASS, NULL, "");
	test_finish(t, OUTCOME_CRASH, "killed by SIGSEGV");
	test_finish(test("g/skip"), OUTCOME_SKIP, "skipped");
	t = test("g/notrun");
	t->worker = -1;
	test_finish(t, OUTCOME_NOTRUN, "the run stopped (-x)");
}

/* report_print into a string. */
static char *printed(int verbose)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct report_opts o = { .out = f, .verbose = verbose, .workers = 2 };

	report_print(&r, &st, &o);
	fclose(f);
	return buf;
}

Test(report, every_section_and_the_counts_line)
{
	char *out;

	finish_all();
	dispatch_stats_fallback(&st, 0, 3, "ran 3 tests alone after their batch died");
	out = printed(0);
	cr_expect(strstr(out, "== failures ==\n--- FAIL bin/t::g/fail (1.50s, worker 0)\n"
			 "t.c:9: expected 2\nfail output\n"), "%s", out);
	cr_expect(strstr(out, "--- CRASH bin/t::g/alone"), "%s", out);
	cr_expect(strstr(out, "== flaky (1): failed, then passed when run again ==\n"
			 "--- FLAKY bin/t::g/flaky (passed on attempt 2)\n"
			 "attempt 1: FAIL 0.50s, worker 1: first try\ntry output\n"), "%s", out);
	cr_expect(strstr(out, "== order-dependent (1):"), "%s", out);
	cr_expect(strstr(out, "--- ORDER bin/t::g/order\n"), "%s", out);
	cr_expect(strstr(out, "tests = bin/t::g/*\n"), "%s", out);
	cr_expect(strstr(out, "== failures run again alone (1): 1 failed only in parallel, 0 did not ==\n"
			 "failed only in parallel: bin/t::g/alone (alone: PASS 0.50s)\n"), "%s", out);
	cr_expect(strstr(out, "== not run (1) ==\nbin/t::g/notrun: the run stopped (-x)\n"), "%s", out);
	cr_expect(strstr(out, "== fallbacks (1) ==\nbin/t: ran 3 tests alone after their batch died (3 tests)\n"),
		  "%s", out);
	cr_expect(strstr(out, "== 1 passed, 1 flaky, 1 order-dependent, 1 failed, 1 crashed, 1 skipped, "
			 "1 not run in 2.00s =="), "%s", out);
	cr_expect(!strstr(out, "\033["), "no colour unless asked");
	free(out);
}

Test(report, a_clean_run_has_no_sections)
{
	char *out;

	for (size_t i = 0; i < r.ntests; i++)
		test_finish(&r.tests[i], OUTCOME_PASS, NULL);
	out = printed(0);
	cr_expect(!strstr(out, "== failures"), "%s", out);
	cr_expect(!strstr(out, "== flaky"), "%s", out);
	cr_expect(!strstr(out, "== order"), "%s", out);
	cr_expect(!strstr(out, "== not run"), "%s", out);
	cr_expect(!strstr(out, "== fallbacks"), "%s", out);
	cr_expect(strstr(out, "== 7 passed in 2.00s =="), "%s", out);
	free(out);
}

Test(report, exit_codes_follow_the_outcomes)
{
	for (size_t i = 0; i < r.ntests; i++)
		test_finish(&r.tests[i], i % 2 ? OUTCOME_SKIP : OUTCOME_PASS, NULL);
	cr_expect_eq(report_exit_code(&r, &st, 0), EXIT_OK);
	test_finish(test("g/order"), OUTCOME_FLAKY, NULL);
	test_finish(test("g/pass"), OUTCOME_ORDERDEP, NULL);
	cr_expect_eq(report_exit_code(&r, &st, 0), EXIT_OK, "flaky and order-dependent tests passed");
	test_finish(test("g/notrun"), OUTCOME_NOTRUN, "never ran");
	cr_expect_eq(report_exit_code(&r, &st, 0), EXIT_FAILED, "a test that did not run is not a pass");
	test_finish(test("g/notrun"), OUTCOME_TIMEOUT, NULL);
	cr_expect_eq(report_exit_code(&r, &st, 0), EXIT_FAILED);
	cr_expect_eq(report_exit_code(&r, &st, 1), EXIT_INTERNAL);
	st.interrupted = 2;
	cr_expect_eq(report_exit_code(&r, &st, 1), EXIT_INTERRUPTED, "an interrupt says so first");
}

Test(report, json_holds_every_run_of_every_test)
{
	char path[] = "/tmp/balrun-report.XXXXXX";
	struct strbuf err = STRBUF_INIT;
	struct report_opts o = { .out = stdout, .workers = 2, .exit_code = 1 };
	json_error_t jerr;
	json_t *root, *tests;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	finish_all();
	free(test("g/fail")->message);
	test("g/fail")->message = xstrdup("bad \xff byte");
	cr_assert_eq(report_json(&r, &st, &o, path, &err), 0, "%s", err.buf);
	root = json_load_file(path, 0, &jerr);
	cr_assert(root, "%s", jerr.text);
	cr_expect_eq(json_integer_value(json_object_get(root, "exit_code")), 1);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(root, "counts"), "flaky")), 1);
	tests = json_object_get(root, "tests");
	cr_assert_eq(json_array_size(tests), 7);
	for (size_t i = 0; i < json_array_size(tests); i++) {
		json_t *t = json_array_get(tests, i);
		const char *id = json_string_value(json_object_get(t, "id"));

		if (!strcmp(id, "bin/t::g/fail"))
			cr_expect_str_eq(json_string_value(json_object_get(t, "message")), "bad ? byte");
		if (!strcmp(id, "bin/t::g/flaky")) {
			json_t *a = json_object_get(t, "attempts");
			cr_expect_eq(json_array_size(a), 2, "the failed attempt and the pass");
			cr_expect_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "message")),
					 "first try");
		}
		if (!strcmp(id, "bin/t::g/alone"))
			cr_expect_str_eq(json_string_value(json_object_get(json_object_get(t, "alone"), "verdict")),
					 "failed only in parallel");
		if (!strcmp(id, "bin/t::g/order"))
			cr_expect_str_eq(json_string_value(json_object_get(json_object_get(t, "context"), "outcome")),
					 "passed");
	}
	json_decref(root);
	unlink(path);
	strbuf_release(&err);
	cr_expect_neq(report_json(&r, &st, &o, "/nonexistent/dir/r.json", &err), 0);
	cr_expect(strstr(err.buf, "cannot write the JSON report '/nonexistent/dir/r.json'"), "%s", err.buf);
	strbuf_release(&err);
}

Test(report, header_and_list)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	test("g/skip")->disabled = 1;
	test("g/notrun")->selected = 0;
	cr_expect_eq(report_list(f, &r), 6);
	report_header(f, &r, 6, 2, NULL, 0);
	test("g/pass")->est_known = 1;
	report_header(f, &r, 6, 1, NULL, 3.14);
	report_header(f, &r, 6, 3, "8 CPUs, memory for 3 workers at 1.9 GiB each -> 3", 3.14);
	fclose(f);
	cr_expect(strstr(buf, "bin/t::g/skip (disabled)\n"), "%s", buf);
	cr_expect(!strstr(buf, "g/notrun"), "%s", buf);
	cr_expect(strstr(buf, "balrun: 6 tests from 1 binary on 2 workers; no timings yet"), "%s", buf);
	cr_expect(strstr(buf, "balrun: 6 tests from 1 binary on 1 worker; timings for 1, about 3.1s expected"),
		  "%s", buf);
	cr_expect(strstr(buf, "balrun: 6 tests from 1 binary on 3 workers (-n auto: 8 CPUs, memory for 3 "
			 "workers at 1.9 GiB each -> 3); timings for 1"), "%s", buf);
	free(buf);
}
