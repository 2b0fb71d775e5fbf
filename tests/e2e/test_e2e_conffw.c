/*
 * test_e2e_conffw.c - a framework balrun has no adapter for, taught in
 * .balrun.conf ([framework "cfw"], adapters/configured.h): the fixture
 * tests/fixtures/conffw/cfw.c lists with --enumerate and runs with
 * conventions of its own.  For each results kind (exitcode, tap, junit)
 * balrun's answer is compared case by case with each case's own serial run
 * (`cfw --run NAME`), at -n 1 and -n 2, cold and warm cache; a case the
 * fixture leaves out of its TAP or JUnit output is NOT RUN, a crash in a
 * batch is charged to the crashing case only.  Bad sections and a failing
 * list command end the run with one line naming the file, line and key.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *const cases[] = {
	"math/add", "math/sub", "math/mul", "io/skip", "io/crash", "io/slow", "io/silent",
	"str/upper", "str/lower",
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* The outcome of one case run alone by the fixture itself, as the report names it. */
static const char *serial_outcome(const char *name)
{
	char *cmd = NULL;
	int st;

	cr_assert(asprintf(&cmd, "'%s' --run '%s' >/dev/null 2>&1", e2e_fixture("cfw"), name) > 0);
	st = system(cmd);
	free(cmd);
	if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) > 128))
		return "crashed";	/* system()'s shell reports a killed child as 128+N */
	return WEXITSTATUS(st) == 0 ? "passed" : WEXITSTATUS(st) == 77 ? "skipped" : "failed";
}

/* A config file teaching cfw (run and results as given, extra lines after). */
static char *write_conf(const char *run, const char *results, const char *extra)
{
	char *path = NULL;
	FILE *f;

	cr_assert(asprintf(&path, "%s/cfw.conf", e2e_tmpdir()) > 0);
	f = fopen(path, "w");
	cr_assert(f);
	fprintf(f, "# a framework balrun does not know\n[framework \"cfw\"]\n\tbinaries = %s\n"
		"\tlist = {bin} --enumerate\n\trun = %s\n\tresults = %s\n%s", e2e_fixture("cfw"), run,
		results, extra ? extra : "");
	fclose(f);
	return path;
}

static void compare(const char *run, const char *results, const char *extra)
{
	char *conf = write_conf(run, results, extra);
	int batches = strcmp(results, "exitcode") != 0;

	for (int n = 1; n <= 2; n++) {
		const char *cache = e2e_tmpdir();
		const char *workers = n == 1 ? "1" : "2";

		for (int warm = 0; warm < 2; warm++) {
			struct e2e_run r;

			e2e_balrun(&r, NULL, ARGS("-q", "-n", workers, "--config", conf, "--cache-dir", cache,
						  e2e_fixture("cfw")));
			cr_expect_eq(r.code, 1, "%s -n %d %s: exit %d\n%s", results, n, warm ? "warm" : "cold",
				     r.code, r.err);
			cr_assert_eq(e2e_count(&r), NCASES, "%s: %s", results, r.err);
			for (size_t i = 0; i < NCASES; i++) {
				char suffix[64];
				const char *want = serial_outcome(cases[i]);

				if (batches && !strcmp(cases[i], "io/silent"))
					want = "not run";	/* missing from its output */
				snprintf(suffix, sizeof(suffix), "::%s", cases[i]);
				cr_expect_str_eq(e2e_outcome(&r, suffix), want, "%s -n %d %s: %s", results, n,
						 warm ? "warm" : "cold", cases[i]);
			}
			e2e_free(&r);
		}
	}
	free(conf);
}

Test(conffw, exitcode_matches_the_serial_run, .timeout = 120)
{
	compare("{bin} --run {names}", "exitcode", NULL);
}

Test(conffw, tap_matches_the_serial_run, .timeout = 120)
{
	compare("{bin} --tap --only {names:,}", "tap", NULL);
}

Test(conffw, junit_matches_the_serial_run, .timeout = 120)
{
	compare("{bin} --junit {junit} {names}", "junit", NULL);
}

Test(conffw, small_batches_too, .timeout = 120)
{
	compare("{bin} --tap --only {names:,}", "tap", "\tbatch = 2\n");
}

Test(conffw, messages_and_crash_charged_to_its_case)
{
	char *conf = write_conf("{bin} --tap --only {names:,}", "tap", NULL);
	struct e2e_run r;
	json_t *t;

	e2e_balrun(&r, NULL, ARGS("-q", "-n", "1", "--config", conf, "--no-cache", e2e_fixture("cfw")));
	t = e2e_test(&r, "::math/mul");
	cr_expect_str_eq(json_string_value(json_object_get(t, "message")), "expected 6, got 5");
	t = e2e_test(&r, "::io/crash");
	cr_expect(strstr(json_string_value(json_object_get(t, "message")), "SIGSEGV"), "%s",
		  json_string_value(json_object_get(t, "message")));
	cr_expect_str_eq(e2e_outcome(&r, "::io/slow"), "passed", "the rest ran again after the crash");
	e2e_free(&r);
	free(conf);
}

Test(conffw, an_exit_after_passing_cases_is_an_entry_of_its_own)
{
	static const char *const runs[][2] = { { "{bin} --tap --only {names:,}", "tap" },
					       { "{bin} --junit {junit} {names}", "junit" } };

	for (size_t i = 0; i < 2; i++) {
		char *conf = write_conf(runs[i][0], runs[i][1], NULL);
		struct e2e_run r;

		e2e_balrun(&r, ARGS("CFW_EXIT=5"), ARGS("-q", "-n", "1", "--config", conf, "--no-cache",
							"-k", "math/add", e2e_fixture("cfw")));
		cr_expect_eq(r.code, 1, "%s: %s", runs[i][1], r.err);
		cr_expect_str_eq(e2e_outcome(&r, "::math/add"), "passed", "%s", runs[i][1]);
		cr_expect_str_eq(e2e_outcome(&r, "::[after tests]"), "failed", "%s", runs[i][1]);
		cr_expect(strstr(json_string_value(json_object_get(e2e_test(&r, "::[after tests]"), "message")),
				 "exit 5 although none of its cases failed"), "%s", runs[i][1]);
		e2e_free(&r);
		free(conf);
	}
}

/* A bad config: exit code, and one line on stderr holding each word. */
static void refused(const char *run, const char *results, const char *const *env, int code,
		    const char *const *words)
{
	char *conf = write_conf(run, results, NULL);
	struct e2e_run r;

	e2e_balrun(&r, env, ARGS("-q", "--config", conf, "--no-cache", e2e_fixture("cfw")));
	cr_expect_eq(r.code, code, "exit %d: %s", r.code, r.err);
	for (size_t i = 0; words[i]; i++)
		cr_expect(strstr(r.err, words[i]), "'%s' not in: %s", words[i], r.err);
	e2e_free(&r);
	free(conf);
}

#define W(...) ((const char *const[]){ __VA_ARGS__, NULL })

Test(conffw, bad_sections_are_usage_errors)
{
	refused("{bin} --tap --only {names:,}", "xml", NULL, 4,
		W("cfw.conf' line 6: framework.cfw.results", "'xml' is not one of exitcode, tap, junit"));
	refused("{bin} --tap --only", "tap", NULL, 4, W("line 5: framework.cfw.run", "{names}"));
	refused("{bin} --junit out.xml {names}", "junit", NULL, 4, W("framework.cfw.run", "{junit}"));
}

Test(conffw, a_failing_list_command_is_a_collection_error)
{
	refused("{bin} --tap --only {names:,}", "tap", W("CFW_FAIL_LIST=1"), 2,
		W("listing the tests of", "line 4: framework.cfw.list", "cannot enumerate today"));
}
