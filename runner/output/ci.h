/*
 * ci.h - what a run shows the CI system it runs in (--ci-output): GitHub
 * Actions annotations and step summary (GitLab's collapsed sections are
 * the report's own, report.c).  docs/report-ci.md is the user's page.
 */
#ifndef BALRUN_CI_H
#define BALRUN_CI_H

#include <stdio.h>

#include "report.h"

/* A `::error` workflow command per selected test that failed, crashed, timed out or did not run. */
void ci_github_annotations(FILE *out, const struct run *r);

/* Append the run's markdown summary to path ($GITHUB_STEP_SUMMARY).  0, or -1 with err. */
int ci_github_summary(const char *path, const struct run *r, const struct dispatch_stats *st,
		      const struct report_opts *o, struct strbuf *err);

#endif
