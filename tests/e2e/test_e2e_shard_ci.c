/*
 * test_e2e_shard_ci.c - "--shard ci" on every CI engine balrun knows: the
 * tests it picks from each engine's variables (GitLab, CircleCI, Buildkite,
 * a Kubernetes indexed Job with BALRUN_SHARD_COUNT or --shard ci/N, and
 * BALRUN_SHARD_INDEX/BALRUN_SHARD_COUNT as a GitHub Actions matrix or a
 * Jenkins stage sets them) are the ones of the same --shard K/N, for every
 * K; bad or inconsistent values exit 4 with one line naming the variable.
 * Every other engine's variables are blanked, so the machine running the
 * tests (itself a CI job) does not leak its own.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define SHARDS 3

static const char *const blank[] = {
	"CI_NODE_INDEX=", "CI_NODE_TOTAL=", "CIRCLE_NODE_INDEX=", "CIRCLE_NODE_TOTAL=",
	"BUILDKITE_PARALLEL_JOB=", "BUILDKITE_PARALLEL_JOB_COUNT=", "JOB_COMPLETION_INDEX=",
	"BALRUN_SHARD_INDEX=", "BALRUN_SHARD_COUNT=", "GITHUB_ACTIONS=", "JENKINS_URL=",
};
#define NBLANK (sizeof(blank) / sizeof(blank[0]))

/* balrun --list --shard SPEC with only these CI variables set; fills r. */
static void list_shard(struct e2e_run *r, const char *const *vars, const char *spec)
{
	const char *env[NBLANK + 8];
	size_t n = 0;

	for (size_t i = 0; i < NBLANK; i++)
		env[n++] = blank[i];
	for (size_t i = 0; vars && vars[i]; i++) {
		cr_assert(n + 1 < sizeof(env) / sizeof(env[0]));
		env[n++] = vars[i];
	}
	env[n] = NULL;
	e2e_balrun(r, env, ARGS("--no-cache", "--list", "--shard", spec, e2e_fixture("marked_crit"),
				e2e_fixture("marked_cmocka")));
}

/* The ids of shard k (1-based) of SHARDS, the plain way. */
static char *ids_of(unsigned k)
{
	struct e2e_run r;
	char spec[16];
	char *ids;

	snprintf(spec, sizeof(spec), "%u/%u", k, SHARDS);
	list_shard(&r, NULL, spec);
	cr_assert_eq(r.code, 0, "%s: %s", spec, r.err);
	cr_assert(r.out[0], "shard %s is empty", spec);
	ids = strdup(r.out);
	e2e_free(&r);
	return ids;
}

/* One engine: its variables for shard k (1-based) of SHARDS, into buf's strings. */
struct engine {
	const char *name;
	const char *spec;                    /* the --shard value: "ci" or "ci/3" */
	const char *fmt[3];                  /* "NAME=%u" with the index or the count, NULL-ended */
	int zero_based;                      /* the index in fmt[0] counts from 0 */
};

static const struct engine engines[] = {
	{ "GitLab", "ci", { "CI_NODE_INDEX=%u", "CI_NODE_TOTAL=%u" }, 0 },
	{ "CircleCI", "ci", { "CIRCLE_NODE_INDEX=%u", "CIRCLE_NODE_TOTAL=%u" }, 1 },
	{ "Buildkite", "ci", { "BUILDKITE_PARALLEL_JOB=%u", "BUILDKITE_PARALLEL_JOB_COUNT=%u" }, 1 },
	{ "Kubernetes", "ci", { "JOB_COMPLETION_INDEX=%u", "BALRUN_SHARD_COUNT=%u" }, 1 },
	{ "Kubernetes, ci/N", "ci/3", { "JOB_COMPLETION_INDEX=%u" }, 1 },
	{ "GitHub Actions", "ci", { "BALRUN_SHARD_INDEX=%u", "BALRUN_SHARD_COUNT=%u", "GITHUB_ACTIONS=true" }, 1 },
	{ "Jenkins", "ci/3", { "BALRUN_SHARD_INDEX=%u", "JENKINS_URL=http://jenkins.invalid/" }, 1 },
};

Test(shard_ci, every_engine_picks_the_tests_of_shard_k_of_n)
{
	char *want[SHARDS];

	for (unsigned k = 1; k <= SHARDS; k++)
		want[k - 1] = ids_of(k);
	for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
		const struct engine *g = &engines[e];

		for (unsigned k = 1; k <= SHARDS; k++) {
			char vars[3][64];
			const char *env[4] = { NULL };
			struct e2e_run r;

			for (size_t i = 0; i < 3 && g->fmt[i]; i++) {
				snprintf(vars[i], sizeof(vars[i]), g->fmt[i], i ? SHARDS : k - g->zero_based);
				env[i] = vars[i];
			}
			list_shard(&r, env, g->spec);
			cr_expect_eq(r.code, 0, "%s, shard %u: %s", g->name, k, r.err);
			cr_expect_str_eq(r.out, want[k - 1], "%s, shard %u of %u", g->name, k, SHARDS);
			e2e_free(&r);
		}
	}
	for (unsigned k = 0; k < SHARDS; k++)
		free(want[k]);
}

/* Exit 4, one line on stderr holding needle. */
static void expect_bad(const char *const *vars, const char *spec, const char *needle)
{
	struct e2e_run r;
	const char *nl;

	list_shard(&r, vars, spec);
	cr_expect_eq(r.code, 4, "--shard %s exits %d: %s", spec, r.code, r.err);
	nl = strchr(r.err, '\n');
	cr_expect(nl && !nl[1], "one line: %s", r.err);
	cr_expect(strstr(r.err, needle), "'%s' lacks '%s'", r.err, needle);
	e2e_free(&r);
}

Test(shard_ci, bad_values_are_one_line_and_exit_4)
{
	expect_bad(NULL, "ci", "--shard ci: no shard index in the environment (BALRUN_SHARD_INDEX, CI_NODE_INDEX");
	expect_bad(ARGS("GITHUB_ACTIONS=true"), "ci",
		   "on GitHub Actions set BALRUN_SHARD_INDEX to ${{ strategy.job-index }}");
	expect_bad(ARGS("JENKINS_URL=http://jenkins.invalid/"), "ci", "on Jenkins set BALRUN_SHARD_INDEX");
	expect_bad(ARGS("JOB_COMPLETION_INDEX=1"), "ci",
		   "JOB_COMPLETION_INDEX='1' says which shard but not how many: set BALRUN_SHARD_COUNT");
	expect_bad(ARGS("JOB_COMPLETION_INDEX=one", "BALRUN_SHARD_COUNT=3"), "ci",
		   "JOB_COMPLETION_INDEX='one' is not a whole number");
	expect_bad(ARGS("JOB_COMPLETION_INDEX=3", "BALRUN_SHARD_COUNT=3"), "ci",
		   "JOB_COMPLETION_INDEX counts from 0, so shards are 0 to 2");
	expect_bad(ARGS("JOB_COMPLETION_INDEX=1", "BALRUN_SHARD_COUNT=4"), "ci/3",
		   "ci/3 and BALRUN_SHARD_COUNT='4' disagree on the number of shards");
	expect_bad(ARGS("CI_NODE_INDEX=1", "CI_NODE_TOTAL=3"), "ci/4",
		   "CI_NODE_TOTAL='3' and ci/4 disagree on the number of shards");
	expect_bad(ARGS("CI_NODE_INDEX=0", "CI_NODE_TOTAL=3"), "ci", "shard 0 of 3 does not exist");
	expect_bad(ARGS("BALRUN_SHARD_INDEX=0", "BALRUN_SHARD_COUNT=0"), "ci", "shard 1 of 0 does not exist");
	expect_bad(ARGS("BALRUN_SHARD_INDEX=1", "BALRUN_SHARD_COUNT=3 "), "ci",
		   "BALRUN_SHARD_COUNT='3 ' is not a whole number");
	expect_bad(ARGS("JOB_COMPLETION_INDEX=1"), "ci/three", "'ci/three' is not K/N or ci/N");
}
