/*
 * test_e2e_flaky.c - --retries, FLAKY and --rerun-failed-serially with the
 * real balrun on the flaky_* fixtures (tests/fixtures/flaky_plain.c), whose
 * state lives in files under BALRUN_FLAKY_DIR so that it carries across
 * workers and processes:
 *   - a test that fails once and then passes is FLAKY, with the output of
 *     both attempts in the summary and the JSON report, and the run exits 0;
 *   - an always-failing test runs N+1 times with --retries N and ends failed;
 *   - every attempt is in the timing cache's history, and `cache show
 *     --flaky` lists the tests whose recent pass rate is below 100%;
 *   - -x counts a test only once it has finally failed;
 *   - --rerun-failed-serially says that the test which conflicts with
 *     another one (a held flock) failed only in parallel, and that the
 *     always-failing one failed alone too.
 * Nothing here depends on timing luck: the conflicting pair synchronises
 * through files.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *str(json_t *t, const char *key)
{
	const char *s = json_string_value(json_object_get(t, key));
	return s ? s : "";
}

/* "BALRUN_FLAKY_DIR=<a fresh directory>", for e2e_balrun's env (one per test). */
static const char *flaky_env(const char **dir)
{
	static char entry[4200];	/* putenv keeps it: static */

	*dir = e2e_tmpdir();
	snprintf(entry, sizeof(entry), "BALRUN_FLAKY_DIR=%s", *dir);
	return entry;
}

/* Lines in dir/name (0 if missing). */
static size_t count_lines(const char *dir, const char *name)
{
	char path[4200];
	size_t n = 0;
	int c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "r")))
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* stdout of `balrun cache ARGS --cache-dir dir` (caller frees); *code its exit status. */
static char *cache_cmd(const char *dir, const char *args, int *code)
{
	char *cmd, *buf = NULL;
	size_t len = 0;
	FILE *p, *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	int st;

	cr_assert(asprintf(&cmd, "'%s' cache %s --cache-dir '%s'", BALRUN_PATH, args, dir) > 0);
	cr_assert((p = popen(cmd, "r")));
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		fwrite(chunk, 1, n, m);
	st = pclose(p);
	fclose(m);
	free(cmd);
	*code = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	return buf;
}

/* The cache's record of the test whose id ends with suffix, from `cache export`. */
static json_t *cached(json_t *export, const char *suffix)
{
	json_t *t;
	size_t i, n = strlen(suffix);

	json_array_foreach(json_object_get(export, "tests"), i, t) {
		const char *id = str(t, "id");
		if (strlen(id) >= n && !strcmp(id + strlen(id) - n, suffix))
			return t;
	}
	cr_assert_fail("'%s' is not in the cache", suffix);
	return NULL;
}

Test(flaky, fails_then_passes_is_flaky_with_both_outputs)
{
	const char *dir, *env[] = { flaky_env(&dir), NULL };
	struct e2e_run r;
	json_t *t, *attempts;

	e2e_balrun(&r, env, ARGS("-n", "2", "--retries", "1", "--cache-dir", e2e_tmpdir(),
				 e2e_fixture("flaky_once"), e2e_fixture("plain_pass")));
	cr_assert_eq(r.code, 0, "exit %d; stdout: %s; stderr: %s", r.code, r.out, r.err);
	cr_expect_str_eq(e2e_outcome(&r, "flaky_once"), "flaky");
	cr_expect_str_eq(e2e_outcome(&r, "plain_pass"), "passed");
	t = e2e_test(&r, "flaky_once");
	attempts = json_object_get(t, "attempts");
	cr_assert_eq(json_array_size(attempts), 2);
	cr_expect_str_eq(str(json_array_get(attempts, 0), "outcome"), "failed");
	cr_expect(strstr(str(json_array_get(attempts, 0), "output"), "first run fails"));
	cr_expect_str_eq(str(json_array_get(attempts, 1), "outcome"), "passed");
	cr_expect(strstr(str(json_array_get(attempts, 1), "output"), "passed on a later run"));
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(r.report, "counts"), "flaky")), 1);
	cr_expect_eq(json_array_size(json_object_get(e2e_test(&r, "plain_pass"), "attempts")), 0);
	/* the summary: its own section with both outputs, and the counts line */
	cr_expect(strstr(r.out, "== flaky (1)"), "stdout: %s", r.out);
	cr_expect(strstr(r.out, "first run fails") && strstr(r.out, "passed on a later run"), "stdout: %s", r.out);
	cr_expect(strstr(r.out, "1 passed, 1 flaky in"), "stdout: %s", r.out);
	e2e_free(&r);
}

Test(flaky, always_failing_runs_n_plus_one_times_then_fails)
{
	const char *dir, *env[] = { flaky_env(&dir), NULL };
	struct e2e_run r;
	json_t *attempts, *a;
	size_t i;

	e2e_balrun(&r, env, ARGS("-n", "2", "--retries", "2", "--cache-dir", e2e_tmpdir(),
				 e2e_fixture("flaky_always"), e2e_fixture("plain_pass")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	cr_expect_str_eq(e2e_outcome(&r, "flaky_always"), "failed");
	cr_expect_eq(count_lines(dir, "flaky_always.runs"), 3);
	attempts = json_object_get(e2e_test(&r, "flaky_always"), "attempts");
	cr_assert_eq(json_array_size(attempts), 3);
	json_array_foreach(attempts, i, a) {
		cr_expect_str_eq(str(a, "outcome"), "failed");
		cr_expect(strstr(str(a, "output"), "fails every time"));
	}
	cr_expect(strstr(r.out, "failed all 3 attempts"), "stdout: %s", r.out);
	cr_expect(strstr(r.out, "1 passed, 1 failed in"), "stdout: %s", r.out);
	e2e_free(&r);
}

Test(flaky, every_attempt_is_in_the_cache_history_and_cache_show_flaky_lists_it)
{
	const char *dir, *env[] = { flaky_env(&dir), NULL }, *cache = e2e_tmpdir();
	struct e2e_run r;
	json_t *export;
	char *text;
	int code;

	e2e_balrun(&r, env, ARGS("-n", "2", "--retries", "2", "--cache-dir", cache, e2e_fixture("flaky_once"),
				 e2e_fixture("flaky_always"), e2e_fixture("plain_pass")));
	cr_assert_eq(r.code, 1, "exit %d; stderr: %s", r.code, r.err);
	e2e_free(&r);
	text = cache_cmd(cache, "export --format json", &code);
	cr_assert_eq(code, 0);
	export = json_loads(text, 0, NULL);
	cr_assert(export, "export: %s", text);
	cr_expect_eq(json_integer_value(json_object_get(cached(export, "flaky_once"), "runs")), 2);
	cr_expect_str_eq(str(cached(export, "flaky_once"), "history"), "PF");	/* newest first */
	cr_expect_eq(json_integer_value(json_object_get(cached(export, "flaky_always"), "runs")), 3);
	cr_expect_str_eq(str(cached(export, "flaky_always"), "history"), "FFF");
	cr_expect_str_eq(str(cached(export, "plain_pass"), "history"), "P");
	json_decref(export);
	free(text);

	text = cache_cmd(cache, "show --flaky", &code);
	cr_assert_eq(code, 0);
	/* worst first: the always-failing test, then the flaky one; the passing test not at all */
	char *always = strstr(text, "0% of 3"), *once = strstr(text, "50% of 2");
	cr_expect(always && once && always < once, "show --flaky: %s", text);
	cr_expect(strstr(text, "flaky_once") && !strstr(text, "plain_pass"), "show --flaky: %s", text);
	free(text);
	text = cache_cmd(cache, "prune --flaky", &code);
	cr_expect_eq(code, 4, "--flaky belongs to show only");
	free(text);
}

Test(flaky, exitfirst_counts_a_test_only_once_it_finally_failed)
{
	const char *dir, *env[] = { flaky_env(&dir), NULL };
	struct e2e_run r;

	e2e_balrun(&r, env, ARGS("-n", "1", "-x", "--retries", "1", "--smoke", "0", "--cache-dir", e2e_tmpdir(),
				 e2e_fixture("flaky_once"), e2e_fixture("plain_pass"), e2e_fixture("plain_sleep")));
	cr_assert_eq(r.code, 0, "exit %d; stdout: %s; stderr: %s", r.code, r.out, r.err);
	cr_expect_str_eq(e2e_outcome(&r, "flaky_once"), "flaky");
	cr_expect_eq(e2e_count_outcome(&r, "passed"), 2);
	cr_expect_eq(e2e_count_outcome(&r, "not run"), 0);
	e2e_free(&r);
}

Test(flaky, rerun_failed_serially_tells_parallel_only_failures_apart)
{
	const char *dir, *env[] = { flaky_env(&dir), NULL };
	struct e2e_run r;
	json_t *alone;

	/* three workers: the holder and the grabber run at the same time */
	e2e_balrun(&r, env, ARGS("-n", "3", "--smoke", "0", "--rerun-failed-serially", "--cache-dir",
				 e2e_tmpdir(), e2e_fixture("flaky_holder"), e2e_fixture("flaky_grabber"),
				 e2e_fixture("flaky_always")));
	cr_assert_eq(r.code, 1, "exit %d; stdout: %s; stderr: %s", r.code, r.out, r.err);
	cr_expect_str_eq(e2e_outcome(&r, "flaky_holder"), "passed");
	cr_expect_str_eq(e2e_outcome(&r, "flaky_grabber"), "failed");
	cr_expect(strstr(str(e2e_test(&r, "flaky_grabber"), "output"), "held by another test"));
	cr_expect_str_eq(e2e_outcome(&r, "flaky_always"), "failed");

	alone = json_object_get(e2e_test(&r, "flaky_grabber"), "alone");
	cr_assert(alone, "the grabber was not run alone");
	cr_expect_str_eq(str(alone, "outcome"), "passed");
	cr_expect_str_eq(str(alone, "verdict"), "failed only in parallel");
	alone = json_object_get(e2e_test(&r, "flaky_always"), "alone");
	cr_assert(alone, "the always-failing test was not run alone");
	cr_expect_str_eq(str(alone, "outcome"), "failed");
	cr_expect_str_eq(str(alone, "verdict"), "failed alone too");
	cr_expect(!json_object_get(e2e_test(&r, "flaky_holder"), "alone"), "a passing test is not run again");
	cr_expect_eq(count_lines(dir, "flaky_always.runs"), 2);

	cr_expect(strstr(r.out, "1 failed only in parallel, 1 did not"), "stdout: %s", r.out);
	cr_expect(strstr(r.out, "failed only in parallel: ") && strstr(r.out, "flaky_grabber (alone: PASS"),
		  "stdout: %s", r.out);
	cr_expect(strstr(r.out, "failed alone too: "), "stdout: %s", r.out);
	e2e_free(&r);
}

Test(flaky, bad_retries_value_is_a_usage_error)
{
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("--retries", "-1", e2e_fixture("plain_pass")));
	cr_expect_eq(r.code, 4);
	cr_expect(strstr(r.err, "--retries: '-1' is not a whole number from 0 up"), "stderr: %s", r.err);
	e2e_free(&r);
}
