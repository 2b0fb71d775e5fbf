/*
 * report-internal.h - the report's parts in other files of output/:
 * report.c prints the run, report-json.c writes --json, and
 * report-attempts.c the sections about tests that ran more than once:
 *
 *   flaky            --retries: failed, then passed (every attempt's output)
 *   order-dependent  failed apart from the tests before it in its group,
 *                    passed after them (both runs, and the marker that keeps
 *                    the group together: exec/context.h)
 *   run alone        --rerun-failed-serially: its verdict (exec/rerun.h)
 *
 * Each section is printed only when some test is in it.  Private to
 * output/.
 */
#ifndef BALRUN_REPORT_INTERNAL_H
#define BALRUN_REPORT_INTERNAL_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

/*
 * s[0..n) as text XML 1.0 can carry, into sb (returned as sb->buf): at most
 * max bytes of it, its end, after a line saying how much was left out;
 * control characters other than tab and newline, invalid UTF-8,
 * surrogates and U+FFFE/U+FFFF as "\xNN".  Not escaped for markup: the
 * writer does that.
 */
const char *report_xml_text(struct strbuf *sb, const char *s, size_t n, size_t max);

/* Captured output as the failures section shows it (a note first when its middle was dropped). */
void report_print_output(FILE *out, const char *output, size_t len, uint64_t dropped);

/* The test time of the selected tests that ran (sum) and the longest of them. */
void report_totals(const struct run *r, double *sum, double *longest);

void attempts_print_flaky(const struct run *r, const struct report_opts *o);
void attempts_print_order_dependent(const struct run *r, const struct report_opts *o);
void attempts_print_alone(const struct run *r, const struct report_opts *o);

/* An attempt as a JSON object (outcome, duration_s, worker, start_s, end_s, message, output). */
json_t *attempt_json(const struct test_attempt *a);
/* Every run of t, oldest first, when it ran more than once (--retries); [] otherwise. */
json_t *attempts_json(const struct test_case *t);
/* test_alone(t) with its "verdict" ("failed only in parallel", ...). */
json_t *attempts_alone_json(const struct test_case *t);

#endif
