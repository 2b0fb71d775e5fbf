/*
 * check-internal.h - between the files of the Check adapter: check.c
 * (recognise, list, adopt a registered command), check-run.c (one process
 * per TCase, its verdict) and check-lines.c (reading Check's log lines and
 * its stdout).  Private to adapters/check/ (and its unit test).
 */
#ifndef BALRUN_CHECK_INTERNAL_H
#define BALRUN_CHECK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "child.h"
#include "outcome.h"
#include "proto.h"
#include "session.h"
#include "strbuf.h"

/* Lines longer than this are output, not read for results. */
#define CK_LINE_MAX 65536

/*
 * A case is "suite/tcase"; its check (listed_test.check) says where the two
 * names end, since either may hold '/': the suite's length in the low 32
 * bits, the TCase's in the high ones.
 */
uint64_t check_pack(size_t suite_len, size_t tcase_len);
/* The suite and TCase of name (malloc'd), by its check; by its first '/' if the check does not fit. */
void check_split(const char *name, uint64_t check, char **suite, char **tcase);

/* One result line of Check's log, for our TCase: "file:line:R:tcase:test:iteration: message". */
struct ck_result {
	char kind;                 /* 'P' passed, 'F' failed, 'E' error, 'S' fixture failure */
	const char *test;          /* the test function's name */
	size_t test_len;
	const char *message;
	size_t message_len;
};
/* 1 if line[0..len) is a result line of tcase, read into out. */
int ck_parse_result(const char *line, size_t len, const char *tcase, struct ck_result *out);
/* The outcome a result line stands for. */
enum outcome ck_result_outcome(const struct ck_result *r);

/* One process: one TCase (the invocation's test index). */
struct ck_run {
	struct session *s;
	const struct proto_invocation *inv;
	struct child *c;
	int index;
	char *suite, *tcase;
	struct wtest t;
	long results;              /* result lines of its tests */
	long failures;             /* ... that failed */
	enum outcome worst;        /* the worst of them */
	struct strbuf message;     /* "test: message" of the first line with the worst outcome */
	struct strbuf failed;      /* names of the other failing tests, ", "-separated (bounded) */
	struct strbuf unchecked;   /* an unchecked fixture's failure from stdout, "" if none */
	int suite_ran;             /* Check's log said "Running suite ..." (the TCase exists) */
	int summary;               /* Check's log reached its end ("Results for all suites run:") */
	struct strbuf out_line, log_line;   /* lines being assembled */
	int out_long, log_long;    /* inside a line past CK_LINE_MAX */
};

/* Following one process (check-lines.c). */
extern const struct child_ops ck_ops;
/* The process ended: read the lines left unterminated. */
void ck_flush(struct ck_run *k);

/* The adapter's run_batch (check-run.c). */
void check_run_batch(struct session *s, const struct proto_invocation *inv);

#endif
