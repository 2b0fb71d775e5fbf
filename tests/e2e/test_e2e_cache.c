/*
 * test_e2e_cache.c - the timing cache as a shared record, end to end with
 * the real balrun: `balrun cache show` sorts and filters, `cache merge` of
 * caches written by real runs is associative and commutative byte for byte,
 * `cache prune` and `cache export` work from the command line,
 * `cache import-junit` seeds the cache from real JUnit files written by
 * ctest --output-junit and Criterion --xml so that a later run plans with
 * those timings, --timings-from REV plans with a cache committed in a
 * scratch git repository (and degrades to a note outside one), and 8
 * concurrent balrun runs on one cache lose no result.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The whole file as a string (caller frees), "" if missing. */
static char *file_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return strdup("");
	cr_assert(getdelim(&buf, &len, '\0', f) >= 0 || feof(f));
	fclose(f);
	return buf ? buf : strdup("");
}

/* The balrun id of a fixture binary (what --list prints before "::"). */
static char *fixture_id(const char *name)
{
	const char *tmp = e2e_tmpdir();
	cr_assert_eq(e2e_sh("'%s' --list '%s' > '%s/list'", BALRUN_PATH, e2e_fixture(name), tmp), 0);
	char *path, *text;
	cr_assert(asprintf(&path, "%s/list", tmp) > 0);
	text = file_text(path);
	free(path);
	text[strcspn(text, ":\n")] = '\0';
	return text;
}

/* Run balrun on a fixture into a cache dir, with extra arguments. */
static void run_into(const char *cache, const char *fixture, const char *extra)
{
	int code = e2e_sh("'%s' -q -n 1 --cache-dir '%s' %s '%s' >/dev/null 2>&1", BALRUN_PATH, cache,
		      extra, e2e_fixture(fixture));
	cr_assert(code == 0 || code == 1, "balrun exited %d", code);
}

static json_t *export_json(const char *cache)
{
	const char *tmp = e2e_tmpdir();
	char *path;
	json_t *j;

	cr_assert_eq(e2e_sh("'%s' cache export --format json --cache-dir '%s' -o '%s/x.json'", BALRUN_PATH,
			cache, tmp), 0);
	cr_assert(asprintf(&path, "%s/x.json", tmp) > 0);
	j = json_load_file(path, 0, NULL);
	cr_assert_not_null(j);
	free(path);
	return j;
}

/* The exported entry of test id (NULL if absent). */
static json_t *exported(json_t *j, const char *id)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(j, "tests"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "id")), id))
			return t;
	return NULL;
}

Test(cache, show_sorts_filters_and_rejects_bad_flags)
{
	const char *cache = e2e_tmpdir(), *out = e2e_tmpdir();
	char *path, *text;

	run_into(cache, "crit_durations", "-k ms1 -k ms3");
	cr_assert_eq(e2e_sh("'%s' cache show --sort duration --cache-dir '%s' ms > '%s/o'", BALRUN_PATH,
			cache, out), 0);
	cr_assert(asprintf(&path, "%s/o", out) > 0);
	text = file_text(path);
	/* header, ms350, ms300, ms150, ms100, footer: longest first */
	char *a = strstr(text, "ms350"), *b = strstr(text, "ms300"), *c = strstr(text, "ms100");
	cr_assert(a && b && c && a < b && b < c, "%s", text);
	cr_assert_not_null(strstr(text, "4 of 4 tests"), "%s", text);
	cr_assert_not_null(strstr(text, "100% of 1"), "%s", text);
	free(text);
	cr_assert_eq(e2e_sh("'%s' cache show --sort name --cache-dir '%s' '*ms3?0' > '%s/o'", BALRUN_PATH,
			cache, out), 0);
	text = file_text(path);
	a = strstr(text, "ms300");
	b = strstr(text, "ms350");
	cr_assert(a && b && a < b && !strstr(text, "ms100"), "%s", text);
	free(text);
	free(path);
	cr_assert_eq(e2e_sh("'%s' cache show --sort fastest 2>/dev/null", BALRUN_PATH), 4);
	cr_assert_eq(e2e_sh("'%s' cache frobnicate 2>/dev/null", BALRUN_PATH), 4);
	cr_assert_eq(e2e_sh("'%s' cache prune --days -1 2>/dev/null", BALRUN_PATH), 4);
	cr_assert_eq(e2e_sh("'%s' cache merge --cache-dir '%s' '%s/none' 2>/dev/null", BALRUN_PATH, cache,
			out), 1);
}

Test(cache, merge_of_real_shard_caches_is_associative_and_commutative)
{
	const char *d = e2e_tmpdir();
	char *ca, *cb, *cc;

	cr_assert(asprintf(&ca, "%s/a", d) > 0 && asprintf(&cb, "%s/b", d) > 0 &&
		  asprintf(&cc, "%s/c", d) > 0);
	/* three "shards": overlapping subsets, so some tests are in several caches */
	run_into(ca, "crit_durations", "-k ms0");
	run_into(cb, "crit_durations", "-k ms01 -k ms1");
	run_into(cc, "crit_basic", "");
	run_into(cc, "crit_durations", "-k ms02");
#define M(out, ...) cr_assert_eq(e2e_sh("cd '%s' && '%s' cache merge -o " out " " __VA_ARGS__ " >/dev/null", \
				    d, BALRUN_PATH), 0)
	M("bc", "b/timings c/timings");
	M("a_bc", "a/timings bc");
	M("ab", "a/timings b/timings");
	M("ab_c", "ab c/timings");
	M("cba", "c/timings b/timings a/timings");
	M("ba", "b/timings a/timings");
#undef M
	cr_assert_eq(e2e_sh("cd '%s' && cmp -s a_bc ab_c && cmp -s a_bc cba && cmp -s ab ba", d), 0);
	/* merging into the default cache (here --cache-dir) keeps what was there */
	cr_assert_eq(e2e_sh("'%s' cache merge --cache-dir '%s' '%s/b/timings' >/dev/null", BALRUN_PATH,
			ca, d), 0);
	json_t *j = export_json(ca);
	/* a: ms010-ms080 (5); b: ms010, ms100, ms150 */
	cr_assert_eq(json_array_size(json_object_get(j, "tests")), 7);
	json_decref(j);
	free(ca);
	free(cb);
	free(cc);
}

Test(cache, prune_from_the_command_line)
{
	const char *cache = e2e_tmpdir();

	run_into(cache, "crit_durations", "-k ms010");
	for (int i = 0; i < 3; i++)
		run_into(cache, "crit_durations", "-k ms020");
	/* runs 1-4; ms010 last seen in run 1: kept by --runs 4, dropped by --runs 3 */
	cr_assert_eq(e2e_sh("'%s' cache prune --runs 4 --days 0 --cache-dir '%s' >/dev/null", BALRUN_PATH,
			cache), 0);
	json_t *j = export_json(cache);
	cr_assert_eq(json_array_size(json_object_get(j, "tests")), 2);
	json_decref(j);
	cr_assert_eq(e2e_sh("'%s' cache prune --runs 3 --days 0 --cache-dir '%s' >/dev/null", BALRUN_PATH,
			cache), 0);
	j = export_json(cache);
	cr_assert_eq(json_array_size(json_object_get(j, "tests")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(json_object_get(j, "tests"), 0),
							"runs")), 3);
	json_decref(j);
}

Test(cache, import_junit_from_criterion_and_ctest_seeds_planning)
{
	const char *d = e2e_tmpdir(), *cache = e2e_tmpdir();
	char *crit = fixture_id("crit_basic"), *plain = fixture_id("plain_pass");
	char *dirpart = strdup(plain), id[4096];

	*strrchr(dirpart, '/') = '\0';
	/* real JUnit files: Criterion's --xml and ctest's --output-junit */
	e2e_sh("env -u BXFI_MAP '%s' --xml='%s/crit.xml' >/dev/null 2>&1", e2e_fixture("crit_basic"), d);
	cr_assert_eq(e2e_sh("cd '%s' && printf 'add_test(plain_pass \"%s\")\\nadd_test(plain_fail \"%s\")\\n' "
			"> CTestTestfile.cmake && ctest --output-junit ctest.xml >/dev/null 2>&1; "
			"test -s ctest.xml", d, e2e_fixture("plain_pass"), e2e_fixture("plain_fail")), 0);
	cr_assert_eq(e2e_sh("'%s' cache import-junit --cache-dir '%s' --prefix '%s::' '%s/crit.xml' >/dev/null",
			BALRUN_PATH, cache, crit, d), 0);
	cr_assert_eq(e2e_sh("'%s' cache import-junit --cache-dir '%s' --prefix '%s/' '%s/ctest.xml' >/dev/null",
			BALRUN_PATH, cache, dirpart, d), 0);
	json_t *j = export_json(cache);
	snprintf(id, sizeof(id), "%s::timing/slow", crit);
	cr_assert_not_null(exported(j, id), "no %s", id);
	cr_assert_gt(json_real_value(json_object_get(exported(j, id), "mean_s")), 0.1);
	snprintf(id, sizeof(id), "%s::basic/fail", crit);
	cr_assert_str_eq(json_string_value(json_object_get(exported(j, id), "last_outcome")), "failed");
	snprintf(id, sizeof(id), "%s::basic/crash", crit);
	cr_assert_str_eq(json_string_value(json_object_get(exported(j, id), "last_outcome")), "crashed");
	snprintf(id, sizeof(id), "%s::basic/skip", crit);
	cr_assert_str_eq(json_string_value(json_object_get(exported(j, id), "last_outcome")), "skipped");
	snprintf(id, sizeof(id), "%s::params/triple", crit);   /* 3 parameters, one test */
	cr_assert_eq(json_integer_value(json_object_get(exported(j, id), "runs")), 1);
	cr_assert_not_null(exported(j, plain), "no %s", plain);
	snprintf(id, sizeof(id), "%s/plain_fail", dirpart);
	cr_assert_str_eq(json_string_value(json_object_get(exported(j, id), "last_outcome")), "failed");
	json_decref(j);
	/* a run plans with the imported timings: its estimates are known */
	struct e2e_run r;
	e2e_balrun(&r, NULL, (const char *[]){ "-n", "1", "--cache-dir", cache,
					       e2e_fixture("crit_basic"), NULL });
	cr_assert(json_is_real(json_object_get(e2e_test(&r, "timing/slow"), "estimate_s")), "%s", r.err);
	cr_assert_gt(json_real_value(json_object_get(e2e_test(&r, "timing/slow"), "estimate_s")), 0.1);
	e2e_free(&r);
	cr_assert_eq(e2e_sh("'%s' cache import-junit --cache-dir '%s' '%s/CTestTestfile.cmake' 2>/dev/null",
			BALRUN_PATH, cache, d), 1);
	free(crit);
	free(plain);
	free(dirpart);
}

static void commit_timings(const char *repo, const char *id, const char *mean)
{
	cr_assert_eq(e2e_sh("cd '%s' && mkdir -p .balrun && printf 'balrun-timings 1\\nR\\t1\\t1700000000\\t-\\n"
			"T\\t%s\\t%s\\t0.000000\\t%s\\t1\\tPASS\\t0\\t1\\t0\\t1\\t1700000000\\n' > .balrun/timings && "
			"git add -f .balrun/timings crit_basic && "
			"git -c user.name=t -c user.email=t@t commit -qm timings", repo, id, mean, mean), 0);
}

Test(cache, timings_from_a_revision_of_a_scratch_repository)
{
	const char *repo = e2e_tmpdir();
	struct e2e_run r;

	cr_assert_eq(e2e_sh("cd '%s' && git init -q . && cp '%s' crit_basic", repo, e2e_fixture("crit_basic")), 0);
	commit_timings(repo, "crit_basic::basic/pass", "7.500000");
	commit_timings(repo, "crit_basic::basic/pass", "3.250000");
	cr_assert_eq(e2e_sh("cd '%s' && rm .balrun/timings", repo), 0);
	cr_assert_eq(chdir(repo), 0);
	e2e_balrun(&r, NULL, (const char *[]){ "-n", "1", "--timings-from", "HEAD~1", "crit_basic", NULL });
	cr_assert_float_eq(json_real_value(json_object_get(e2e_test(&r, "basic/pass"), "estimate_s")),
			   7.5, 1e-6, "%s", r.err);
	e2e_free(&r);
	e2e_balrun(&r, NULL, (const char *[]){ "-n", "1", "--timings-from", "HEAD", "crit_basic", NULL });
	cr_assert_float_eq(json_real_value(json_object_get(e2e_test(&r, "basic/pass"), "estimate_s")),
			   3.25, 1e-6, "%s", r.err);
	e2e_free(&r);
	/* the local cache got both runs, recorded at HEAD's commit; the committed file is untouched */
	char *local = file_text(".balrun/timings");
	char head[64] = "";
	FILE *p = popen("git rev-parse HEAD", "r");
	cr_assert(p && fgets(head, sizeof(head), p));
	pclose(p);
	head[strcspn(head, "\n")] = '\0';
	cr_assert_not_null(strstr(local, head), "%s", local);
	cr_assert_eq(e2e_sh("'%s' cache show | grep -q 'crit_basic::basic/pass'", BALRUN_PATH), 0, "%s", local);
	cr_assert_eq(e2e_sh("git diff --quiet HEAD -- crit_basic && git show HEAD:.balrun/timings | grep -q 3.250000"), 0);
	free(local);
	/* a revision that does not exist: a warning, and the run goes on */
	e2e_balrun(&r, NULL, (const char *[]){ "-n", "1", "--timings-from", "no-such-branch", "crit_basic",
					       NULL });
	cr_assert_eq(r.code, 1);
	cr_assert_not_null(strstr(r.err, "warning: --timings-from 'no-such-branch'"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "planning with the local timings"), "%s", r.err);
	e2e_free(&r);
}

Test(cache, timings_from_outside_a_repository_is_a_note)
{
	const char *dir = e2e_tmpdir();
	struct e2e_run r;

	cr_assert_eq(chdir(dir), 0);
	e2e_balrun(&r, (const char *[]){ "GIT_CEILING_DIRECTORIES=/tmp", NULL },
		   (const char *[]){ "-n", "1", "--timings-from", "origin/main", e2e_fixture("plain_pass"),
				     NULL });
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "note: --timings-from 'origin/main': not in a git repository"),
			   "%s", r.err);
	e2e_free(&r);
}

Test(cache, eight_concurrent_runs_lose_no_result)
{
	const char *cache = e2e_tmpdir();
	struct e2e_run r[8];
	pid_t pid[8];

	for (int i = 0; i < 8; i++)
		pid[i] = e2e_start(&r[i], NULL, (const char *[]){ "-q", "-n", "1", "--cache-dir", cache,
								  e2e_fixture("plain_pass"), NULL });
	for (int i = 0; i < 8; i++) {
		e2e_finish(&r[i], pid[i]);
		cr_assert_eq(r[i].code, 0, "%s", r[i].err);
		e2e_free(&r[i]);
	}
	json_t *j = export_json(cache);
	json_t *t = json_array_get(json_object_get(j, "tests"), 0);
	cr_assert_eq(json_integer_value(json_object_get(t, "runs")), 8);
	cr_assert_eq(json_integer_value(json_object_get(j, "last_run")), 8);
	cr_assert_str_eq(json_string_value(json_object_get(t, "history")), "PPPPPPPP");
	json_decref(j);
}
