/*
 * test_e2e_ci.c - --ci-output: on GitHub Actions (GITHUB_ACTIONS=true) a
 * `::error file=,line=` annotation per failure and a markdown summary
 * appended to $GITHUB_STEP_SUMMARY; on GitLab CI each failure's output a
 * collapsed section; nothing of it elsewhere or with --ci-output none.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t n = 0;

	cr_assert_not_null(f, "no %s", path);
	cr_assert(getdelim(&text, &n, '\0', f) >= 0);
	fclose(f);
	return text;
}

Test(ci, github_annotations_and_step_summary)
{
	char summary[4200], env_summary[4300];
	struct e2e_run r;
	char *md;

	snprintf(summary, sizeof(summary), "%s/summary.md", e2e_tmpdir());
	snprintf(env_summary, sizeof(env_summary), "GITHUB_STEP_SUMMARY=%s", summary);
	e2e_balrun(&r, ARGS("GITHUB_ACTIONS=true", "GITLAB_CI=", env_summary,
			    "GITHUB_WORKSPACE=" BALRUN_SOURCE_DIR),
		   ARGS("-n", "2", "--no-cache", e2e_fixture("crit_basic"), e2e_fixture("plain_fail")));
	cr_assert_eq(r.code, 1, "stderr: %s", r.err);
	/* Criterion's failure line gives the file (relative to the workspace) and the line */
	cr_expect(strstr(r.out, "::error file=tests/fixtures/crit_basic.c,line=35,title="), "%s", r.out);
	cr_expect(strstr(r.out, "basic/fail failed::"), "%s", r.out);
	cr_expect(strstr(r.out, "basic/crash crashed::"), "%s", r.out);
	cr_expect(strstr(r.out, "::error title="), "plain_fail has no location: %s", r.out);
	cr_expect(!strstr(r.out, "%3A%3Abasic/pass passed::"), "no annotation for a passing test");
	md = slurp(summary);
	cr_expect(strstr(md, "## balrun: some tests did not pass"), "%s", md);
	cr_expect(strstr(md, "| failed | 2 |"), "%s", md);
	cr_expect(strstr(md, "::basic/fail` | failed |"), "%s", md);
	cr_expect(strstr(md, "### Slowest tests"), "%s", md);
	cr_expect(strstr(md, "### Balance"), "%s", md);
	free(md);
	e2e_free(&r);
}

Test(ci, gitlab_sections_and_nothing_elsewhere)
{
	struct e2e_run r;

	e2e_balrun(&r, ARGS("GITHUB_ACTIONS=", "GITLAB_CI=true"),
		   ARGS("-n", "1", "--no-cache", e2e_fixture("plain_fail")));
	cr_expect(strstr(r.out, "section_start:") && strstr(r.out, ":balrun_failure_1[collapsed=true]"),
		  "%s", r.out);
	cr_expect(strstr(r.out, "section_end:"), "%s", r.out);
	cr_expect(!strstr(r.out, "::error"), "%s", r.out);
	e2e_free(&r);
	e2e_balrun(&r, ARGS("GITHUB_ACTIONS=true", "GITLAB_CI="),
		   ARGS("-n", "1", "--no-cache", "--ci-output", "none", e2e_fixture("plain_fail")));
	cr_expect(!strstr(r.out, "::error") && !strstr(r.out, "section_start"), "%s", r.out);
	e2e_free(&r);
	e2e_balrun(&r, ARGS("GITHUB_ACTIONS=", "GITLAB_CI="),
		   ARGS("-n", "1", "--no-cache", e2e_fixture("plain_fail")));
	cr_expect(!strstr(r.out, "::error") && !strstr(r.out, "section_start"), "%s", r.out);
	e2e_free(&r);
	e2e_balrun(&r, NULL, ARGS("--ci-output", "jenkins", e2e_fixture("plain_fail")));
	cr_expect_eq(r.code, 4);
	cr_expect(strstr(r.err, "--ci-output: 'jenkins'"), "%s", r.err);
	e2e_free(&r);
}
