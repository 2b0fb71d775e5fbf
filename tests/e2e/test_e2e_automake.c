/*
 * test_e2e_automake.c - an autotools + libtool project
 * (tests/fixtures/automake-project/, built here with autoreconf, configure
 * and make) run by `make -k check` and by balrun: every test's outcome
 * must be make check's (test for test, through its .trs files), the cmocka
 * programs behind libtool wrappers must be split into cases whose outcomes
 * are those of the program run alone, and balrun must find the tests by
 * itself in the build directory; a wrapper named on the command line is
 * seen through as well.
 *
 * The autotools come from scripts/setup.sh.  Without them the test is
 * skipped, except under scripts/test.sh (BALRUN_TEST_SH set), where that
 * is a failure.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static int run_sh(const char *fmt, const char *a, const char *b)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

static void need_autotools(void)
{
	if (!run_sh("command -v autoreconf && command -v libtoolize && command -v automake && "
		    "command -v make && command -v cc%s%s", "", " >/dev/null 2>&1"))
		return;
	if (getenv("BALRUN_TEST_SH"))
		cr_assert_fail("autoconf, automake, libtool or make is missing (scripts/setup.sh installs them)");
	cr_skip_test("autoconf, automake, libtool or make is missing (scripts/setup.sh installs them)");
}

/* The fixture project copied, configured and built; make -k check run once.  Its build dir. */
static const char *build_project(void)
{
	static char build[4096];
	const char *tmp = e2e_tmpdir();

	need_autotools();
	snprintf(build, sizeof(build), "%s/project/build", tmp);
	if (run_sh("cp -R '" AUTOMAKE_PROJECT "' '%s/project' && cd '%s/project' && "
		   "{ autoreconf -fi && mkdir build && cd build && ../configure -q --disable-static && "
		   "make -j2 -s; } >log 2>&1 || { tail -30 log; exit 1; }", tmp, tmp))
		cr_assert_fail("the fixture project did not build (autoreconf, configure, make)");
	/* the native run: .trs files; exit 2 because of the failing tests */
	cr_assert_eq(run_sh("cd '%s' && make -k -j2 check >check.log 2>&1%s", build, ""), 2 << 8);
	return build;
}

/* make check's verdict on a test (its .trs), e.g. "PASS". */
static char *trs_result(const char *build, const char *log_name)
{
	char path[4096], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.trs", build, log_name);
	f = fopen(path, "r");
	cr_assert(f, "no %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, ":test-result: ", 14)) {
			fclose(f);
			line[strcspn(line, "\n")] = '\0';
			return strdup(line + 14);
		}
	}
	fclose(f);
	cr_assert_fail("no result in %s", path);
	return NULL;
}

/* The outcomes of balrun's entries for test name (its cases, or itself), counted. */
static void entries(const struct e2e_run *r, const char *name, size_t *n, size_t *passed, size_t *failed,
		    size_t *skipped)
{
	json_t *tests = json_object_get(r->report, "tests"), *t;
	size_t i, len = strlen(name);

	*n = *passed = *failed = *skipped = 0;
	json_array_foreach(tests, i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		const char *o = json_string_value(json_object_get(t, "outcome"));

		if (strcmp(id, name) && (strncmp(id, name, len) || strncmp(id + len, "::", 2)))
			continue;
		(*n)++;
		*passed += !strcmp(o, "passed");
		*failed += !strcmp(o, "failed");
		*skipped += !strcmp(o, "skipped");
	}
}

/* Every test of make check has balrun's outcome: PASS and XFAIL pass, SKIP skips, the rest fail. */
static void compare_with_make(const struct e2e_run *r, const char *build)
{
	static const struct { const char *name, *log, *want; size_t cases; } tests[] = {
		{ "tests/cmocka_pass", "tests/cmocka_pass", "PASS", 3 },
		{ "tests/cmocka_fail", "tests/cmocka_fail", "FAIL", 4 },
		{ "tests/plain_pass", "tests/plain_pass", "PASS", 1 },
		{ "tests/check_skip", "tests/check_skip", "SKIP", 1 },
		{ "tests/check_hard", "tests/check_hard", "ERROR", 1 },
		{ "tests/check_xfail", "tests/check_xfail", "XFAIL", 1 },
		{ "tests/script_env.sh", "tests/script_env", "PASS", 1 },
		{ "tests/sub/sub_wrapped", "tests/sub/sub_wrapped", "PASS", 1 },
	};
	size_t total = 0;

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		char *got = trs_result(build, tests[i].log);
		size_t n, passed, failed, skipped;

		/* the fixture is what its README says */
		cr_expect_str_eq(got, tests[i].want, "make check: %s", tests[i].name);
		entries(r, tests[i].name, &n, &passed, &failed, &skipped);
		cr_expect_eq(n, tests[i].cases, "%s: %zu entries", tests[i].name, n);
		if (!strcmp(got, "PASS") || !strcmp(got, "XFAIL"))
			cr_expect_eq(passed, n, "%s is %s for make check", tests[i].name, got);
		else if (!strcmp(got, "SKIP"))
			cr_expect_eq(skipped, n, "%s is SKIP for make check", tests[i].name);
		else
			cr_expect(failed >= 1, "%s is %s for make check", tests[i].name, got);
		total += n;
		free(got);
	}
	cr_expect_eq(e2e_count(r), total);
	cr_expect_str_eq(json_string_value(json_object_get(e2e_test(r, "tests/check_hard"), "message")),
			 "hard error (exit 99)");
}

/* The cmocka program alone (through its wrapper): each case's outcome is balrun's. */
static void compare_with_alone(const struct e2e_run *r, const char *build, const char *prog)
{
	char cmd[4096], line[512], id[1024];
	size_t seen = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "cd '%s/tests' && FROM_AM_ENV=yes ./%s 2>&1", build, prog);
	p = popen(cmd, "r");
	cr_assert(p);
	while (fgets(line, sizeof(line), p)) {
		const char *want = !strncmp(line, "[       OK ] ", 13) ? "passed" :
				   !strncmp(line, "[  FAILED  ] ", 13) && !strstr(line, "test(s)") ? "failed" : NULL;

		if (!want)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(id, sizeof(id), "tests/%s::cases/%s", prog, line + 13);
		cr_expect_str_eq(e2e_outcome(r, id), want, "%s", id);
		seen++;
	}
	pclose(p);
	cr_expect_gt(seen, 2, "%s alone printed no cases", prog);
}

Test(automake, same_outcomes_as_make_check)
{
	const char *build = build_project();
	struct e2e_run r, here;

	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", "--automake", build));
	cr_assert(r.report, "no report; stderr: %s", r.err);
	cr_expect_eq(r.code, 1, "stderr: %s", r.err);
	compare_with_make(&r, build);
	compare_with_alone(&r, build, "cmocka_pass");
	compare_with_alone(&r, build, "cmocka_fail");

	/* standing in the build directory, with no arguments: the same tests, the same outcomes */
	cr_assert_eq(chdir(build), 0);
	e2e_balrun(&here, NULL, ARGS("-n", "2", "--no-cache"));
	cr_assert(here.report, "no report; stderr: %s", here.err);
	compare_with_make(&here, build);
	e2e_free(&here);

	/* a wrapper named on the command line is seen through too: its cases, under the wrapper's id */
	e2e_balrun(&here, ARGS("FROM_AM_ENV=yes"), ARGS("-n", "2", "--no-cache", "tests/cmocka_pass"));
	cr_expect_eq(here.code, 0, "stderr: %s", here.err);
	cr_expect_eq(e2e_count(&here), 3);
	cr_expect_str_eq(e2e_outcome(&here, "tests/cmocka_pass::cases/answer"), "passed");
	e2e_free(&here);
	e2e_free(&r);
}

static void write_makefile(const char *dir, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/Makefile", dir);
	cr_assert((f = fopen(path, "w")));
	fputs(text, f);
	fclose(f);
}

Test(automake, errors_are_one_line)
{
	const char *tmp = e2e_tmpdir();
	struct e2e_run r;

	write_makefile(tmp, "all:\n\ttrue\n");
	e2e_balrun(&r, NULL, ARGS("--no-cache", "--automake", tmp));
	cr_expect_eq(r.code, 4, "%s", r.err);
	cr_expect(strstr(r.err, "is not an automake build directory"), "%s", r.err);
	e2e_free(&r);

	write_makefile(tmp, "# Makefile.in generated by automake 1.16.5 from Makefile.am.\nTESTS = t\n");
	e2e_balrun(&r, ARGS("PATH=/nonexistent"), ARGS("--no-cache", "--automake", tmp));
	cr_expect_eq(r.code, 4, "%s", r.err);
	cr_expect(strstr(r.err, "make is not installed"), "%s", r.err);
	e2e_free(&r);

	e2e_balrun(&r, NULL, ARGS("--no-cache", "--automake", tmp, "/bin/true"));
	cr_expect_eq(r.code, 4, "%s", r.err);
	cr_expect(strstr(r.err, "--automake with binaries"), "%s", r.err);
	e2e_free(&r);
}
