/*
 * report.h - the end of a run: failures with their output, the tests that
 * did not run and why, the slowest tests, the per-worker balance, the
 * closing counts line (report.c), the machine-readable JSON report
 * (report-json.c, read back by report-load.c), the JUnit XML one
 * (report-junit.c), the timeline (report-timeline.c) and trace
 * (report-trace.c).  The sections
 * about tests that ran more than once:
 * report-attempts.c (report-internal.h).
 */
#ifndef BALRUN_REPORT_H
#define BALRUN_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "dispatch.h"
#include "run.h"

struct report_opts {
	FILE *out;
	int color;
	int verbose;          /* >0: output of passing tests too */
	int durations;        /* N slowest; -1 all; 0 none */
	unsigned workers;
	int exit_code;
	enum ci_mode ci;      /* GitLab: each failure's output a collapsed section */
	double predicted;     /* the predicted makespan (seconds); 0: none */
	int planned;          /* the tests' start, end and worker are --plan's simulation, their
	                         duration the estimate; nothing ran (--timeline only) */
	const char *shard;    /* --shard, for summaries; NULL */
};

/* Counts by outcome over the selected tests. */
void report_counts(const struct run *r, size_t counts[OUTCOME__COUNT]);

/*
 * The run's exit code (common/exit-codes.h): interrupted, internal error
 * (fatal), some test failed, crashed, timed out or did not run, else 0.
 */
int report_exit_code(const struct run *r, const struct dispatch_stats *st, int fatal);

/*
 * The line before the run: "balrun: 59 tests from 5 binaries on 2 workers;
 * timings for 59, about 11.4s expected".  why (may be NULL) says how -n auto
 * came to the count: "on 2 workers (-n auto: 8 CPUs, quota 2 -> 2); ...".
 */
void report_header(FILE *out, const struct run *r, size_t selected, unsigned workers, const char *why,
		   double predicted);

/* --list: each selected test's id, one per line ("(disabled)" after disabled ones).  Returns how many. */
size_t report_list(FILE *out, const struct run *r);

/* Everything printed after the run, in order. */
void report_print(const struct run *r, const struct dispatch_stats *st, const struct report_opts *o);
/* Its last part: the per-worker balance (unless o->verbose < 0) and the closing counts line. */
void report_print_totals(const struct run *r, const struct dispatch_stats *st, const struct report_opts *o);

/*
 * Write the JUnit XML report (--junit; report-junit.c, docs/report-junit.md):
 * a testsuite per binary, a testcase per selected test.  0 or -1 with err.
 */
int report_junit(const struct run *r, const struct dispatch_stats *st, const char *path,
		 struct strbuf *err);

/* The run as Chrome trace events (--trace; report-trace.c).  0 or -1 with err. */
int report_trace(const struct run *r, const struct report_opts *o, const char *path, struct strbuf *err);

/* The run as a self-contained HTML Gantt chart (--timeline; report-timeline.c).  0 or -1 with err. */
int report_timeline(const struct run *r, const struct dispatch_stats *st, const struct report_opts *o,
		    const char *path, struct strbuf *err);

/*
 * Read a JSON report back (report-load.c): into r (empty) a binary per
 * binary id and a finished test per entry, into st the wall time, per-worker
 * stats and fallbacks (release with dispatch_stats_release), into o the
 * workers, exit code and predicted makespan.  0, or -1 with a one-line err
 * naming the file and what is wrong.
 */
int report_load(const char *path, struct run *r, struct dispatch_stats *st, struct report_opts *o,
		struct strbuf *err);

/* Write the JSON report (format in docs/usage.md).  0 or -1 with err. */
int report_json(const struct run *r, const struct dispatch_stats *st, const struct report_opts *o,
		const char *path, struct strbuf *err);

#endif
