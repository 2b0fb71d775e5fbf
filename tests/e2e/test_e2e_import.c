/*
 * test_e2e_import.c - tests a build system registered, at the edges: a
 * directory that is no build directory, ctest missing, a listing format
 * balrun does not know, programs that were never built, and a bare
 * `balrun` in a CTest directory.  Each CTest directory is a hand-written
 * CTestTestfile.cmake (what CMake generates is the same language); the
 * whole-project comparisons with ctest and meson test are tests/projects/.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* A CTest directory whose CTestTestfile.cmake is text. */
static const char *ctest_dir(const char *text)
{
	const char *dir = e2e_tmpdir();

	write_file(dir, "CTestTestfile.cmake", text, 0644);
	return dir;
}

static void expect_error(const char *const *env, const char *const *args, int code, const char *needle)
{
	struct e2e_run r;

	e2e_balrun(&r, env, args);
	cr_expect_eq(r.code, code, "exit %d, want %d; stderr: %s", r.code, code, r.err);
	cr_expect(strstr(r.err, needle), "stderr lacks '%s': %s", needle, r.err);
	cr_expect(!strstr(r.err, "AddressSanitizer") && !strstr(r.err, "runtime error"), "%s", r.err);
	e2e_free(&r);
}

Test(import, directories_that_are_no_build_directories)
{
	const char *dir = e2e_tmpdir();
	char meson_info[4200];

	expect_error(NULL, ARGS("--ctest", dir), 4, "is not a CMake build directory");
	expect_error(NULL, ARGS("--meson", dir), 4, "is not a meson build directory");
	snprintf(meson_info, sizeof(meson_info), "%s/meson-info", dir);
	cr_assert_eq(mkdir(meson_info, 0755), 0);	/* configured and then broken */
	expect_error(NULL, ARGS("--meson", dir), 4, "is not a meson build directory");
	expect_error(NULL, ARGS("--ctest", "/nonexistent/build"), 4, "/nonexistent/build");
}

Test(import, ctest_not_installed)
{
	char text[4300];

	snprintf(text, sizeof(text), "add_test(t \"%s\")\n", e2e_fixture("plain_pass"));
	expect_error(ARGS("PATH=/nonexistent"), ARGS("--ctest", ctest_dir(text)), 4,
		     "ctest is not installed");
}

Test(import, a_listing_format_balrun_does_not_know)
{
	const char *bin = e2e_tmpdir();
	char path[4300], text[4300];

	write_file(bin, "ctest", "#!/bin/sh\nprintf '{\"kind\": \"ctestInfo\", \"version\": "
		   "{\"major\": 2, \"minor\": 0}, \"tests\": []}'\n", 0755);
	snprintf(path, sizeof(path), "PATH=%s:/usr/bin:/bin", bin);
	snprintf(text, sizeof(text), "add_test(t \"%s\")\n", e2e_fixture("plain_pass"));
	expect_error(ARGS(path), ARGS("--ctest", ctest_dir(text)), 2, "version 2.0");
	write_file(bin, "ctest", "#!/bin/sh\necho 'not json'\n", 0755);
	expect_error(ARGS(path), ARGS("--ctest", ctest_dir(text)), 2, "ctest");
}

Test(import, a_tree_never_built_is_a_collection_error)
{
	expect_error(NULL, ARGS("--ctest", ctest_dir("add_test(a \"/nonexistent/a_test\")\n"
						      "add_test(b \"/nonexistent/b_test\")\n")),
		     2, "is the project built?");
}

Test(import, one_missing_program_is_not_run_and_the_rest_runs)
{
	struct e2e_run r;
	char text[8400];

	snprintf(text, sizeof(text), "add_test(gone \"/nonexistent/gone_test\")\nadd_test(here \"%s\")\n",
		 e2e_fixture("plain_pass"));
	e2e_balrun(&r, NULL, ARGS("--no-cache", "--ctest", ctest_dir(text)));
	cr_expect_eq(r.code, 1, "stderr: %s", r.err);
	cr_expect_str_eq(e2e_outcome(&r, "gone"), "not run");
	cr_expect(strstr(json_string_value(json_object_get(e2e_test(&r, "gone"), "message")),
			 "no executable"));
	cr_expect_str_eq(e2e_outcome(&r, "here"), "passed");
	e2e_free(&r);
}

Test(import, bare_balrun_in_a_ctest_directory_runs_its_tests)
{
	struct e2e_run r;
	char text[8400];
	const char *dir;

	snprintf(text, sizeof(text),
		 "add_test(ok \"%s\")\nadd_test(bad \"%s\")\nadd_test(off \"%s\")\n"
		 "set_tests_properties(off PROPERTIES DISABLED TRUE)\n"
		 "set_tests_properties(ok PROPERTIES LABELS fast)\n",
		 e2e_fixture("plain_pass"), e2e_fixture("plain_fail"), e2e_fixture("plain_fail"));
	dir = ctest_dir(text);
	cr_assert_eq(chdir(dir), 0);
	e2e_balrun(&r, NULL, ARGS("--no-cache"));
	cr_expect_eq(r.code, 1, "stderr: %s", r.err);
	cr_expect_eq(e2e_count(&r), 3);
	cr_expect_str_eq(e2e_outcome(&r, "ok"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "bad"), "failed");
	cr_expect_str_eq(e2e_outcome(&r, "off"), "skipped");
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS("--no-cache", "-L", "fast"));
	cr_expect_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect_eq(e2e_count(&r), 1);
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS("--no-cache", "-k", "not fast"));
	cr_expect_eq(e2e_count(&r), 2, "-k matches labels; stderr: %s", r.err);
	e2e_free(&r);
	expect_error(NULL, ARGS("--no-cache", "-R", "nothing_has_this_name"), 5, "no tests");
	expect_error(NULL, ARGS("--no-cache", "-R", "("), 4, "-R");
	expect_error(NULL, ARGS("--no-cache", "--timeout-multiplier", "-1"), 4, "--timeout-multiplier");
}
