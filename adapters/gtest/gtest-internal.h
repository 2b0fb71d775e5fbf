/*
 * gtest-internal.h - between the files of the GoogleTest adapter: gtest.c
 * (recognise, list, the adapter), gtest-listing.c (read a listing, the
 * checks), gtest-filter.c (gtest's --gtest_filter, a registered command's
 * own choice), gtest-run.c (run a batch) and gtest-lines.c (follow a
 * process's output).  Private to adapters/gtest/.
 *
 * A case is "Suite.Name" (gtest's full name), its scope the suite.  Each
 * case's check (sent to the worker with it: ADAPTER_CHECKS) says:
 *
 *   bits  0..31  its suite's scope index (for a FAULT of SetUpTestSuite or
 *                TearDownTestSuite)
 *   bits 32..63  0: its exact name selects it alone in --gtest_filter;
 *                else 1 + its place among the binary's runnable tests
 *                (in listing order: not disabled, or all with
 *                --gtest_also_run_disabled_tests), for a name that a
 *                filter cannot select alone (it holds ':', '-', '*', '?',
 *                '#' or a control byte, or another case has the same
 *                name): the worker runs such a case alone with the filter
 *                "*" and gtest's sharding, GTEST_TOTAL_SHARDS=GT_SHARDS
 *                and GTEST_SHARD_INDEX=place, which selects exactly the
 *                runnable test at that place.
 */
#ifndef BALRUN_GTEST_INTERNAL_H
#define BALRUN_GTEST_INTERNAL_H

#include <stdint.h>

#include "adapter.h"
#include "child.h"
#include "driver.h"
#include "proto.h"
#include "session.h"
#include "strbuf.h"

#define GT_CHECK_SCOPE(c) ((uint32_t)((c) & 0xffffffffu))
#define GT_CHECK_PLACE(c) ((uint32_t)((c) >> 32))
/* More shards than any binary has tests: shard k holds only the runnable test k. */
#define GT_SHARDS "2147483647"
#define GT_LINE_MAX 8192

/* ---- listings (gtest-listing.c) ---- */

/* gtest's own rule: the suite or the name matches "DISABLED_*" or "*\/DISABLED_*". */
int gtest_is_disabled(const char *suite, const char *name);
/* The JSON list of --gtest_list_tests --gtest_output=json:... into l.  0, or -1 with err. */
int gtest_parse_json(const char *text, struct listing *l, struct strbuf *err);
/* The text of --gtest_list_tests into l.  0, or -1 with err. */
int gtest_parse_text(const char *text, struct listing *l, struct strbuf *err);
/* Set every case's check (above) from the listing and its disabled flags. */
void gtest_set_checks(struct listing *l);

/* ---- filters (gtest-filter.c) ---- */

/* 1 if name ("Suite.Name") passes --gtest_filter=filter, as gtest 1.12 decides. */
int gtest_filter_match(const char *filter, const char *name);
/* The adapter's adopt_command (adapter.h). */
int gtest_adopt(struct strvec *args, struct strvec *env, struct listing *l, struct strbuf *why);

/* ---- following a process (gtest-lines.c) ---- */

struct gt {
	struct session *s;
	const struct proto_invocation *inv;
	struct child *c;
	uint32_t *by_name;       /* indexes of the by-name tests, sorted by name */
	size_t nby_name;
	int alone;               /* a sharded run of this one test (index), or -1 */
	struct wtest t;          /* the running test, or index -1 */
	int running, foreign;    /* between a RUN line and its verdict (foreign: not ours) */
	struct strbuf name;      /* the running test's name, as its RUN line gives it */
	uint64_t run_ns;
	struct strbuf msg;       /* the first failure or skip text of the test (or suite) */
	int block;               /* lines of the failure text being read, -1 outside one */
	int any_test, failed, ended;
	int in_suite;            /* between a suite's first and last "[----------]" line */
	int suite_tests;         /* tests of the current suite seen (a RUN line) */
	int64_t suite_scope;     /* its scope, -1 before its first test */
	enum fault_where suite_where; /* of suite_fault */
	int suite_fault;         /* SetUpTestSuite or TearDownTestSuite failed */
	struct strbuf suite_msg; /* ... with this first failure text */
	struct capture outside;  /* output outside the tests, for a FAULT */
	struct strbuf line, first;
	int long_line;
};

extern const struct child_ops gt_ops;
/* The process is gone: settle the running test, faults, the tests it did not run. */
void gt_settle(struct gt *g, int premature_exit);
/* Index of the by-name test called name[0..len), or -1. */
int gt_find(const struct gt *g, const char *name, size_t len);

/* The adapter's run_batch (gtest-run.c). */
void gtest_run_batch(struct session *s, const struct proto_invocation *inv);

#endif
