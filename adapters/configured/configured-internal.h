/*
 * configured-internal.h - the files of adapters/configured/ only.
 */
#ifndef BALRUN_CONFIGURED_INTERNAL_H
#define BALRUN_CONFIGURED_INTERNAL_H

#include "configured.h"
#include "driver.h"
#include "outcome.h"

/* configured.c: never recognised from a binary's facts; .balrun.conf chooses it. */
int configured_recognise(const struct binary_facts *f, const char *id, struct strbuf *note);
/* configured-run.c */
void configured_run_batch(struct session *s, const struct proto_invocation *inv);

/* configured-junit.c: one <testcase> of a JUnit file. */
struct cf_junit_case {
	char *name, *classname, *suite;  /* attributes ("" if absent); suite: the nearest <testsuite> */
	enum outcome outcome;            /* <failure> FAIL, <error> CRASH, <skipped> SKIP, else PASS */
	char *message;                   /* its message attribute, or its first text line */
	double time;                     /* seconds; < 0 when absent */
	struct strbuf output;            /* <system-out>, <system-err>, the failure's text */
};

/*
 * Read the JUnit XML file at path: its <testcase> elements at any depth,
 * in document order, into *v (*n of them).  0, or -1 with a one-line
 * reason in err (missing, empty, not XML).  Free with cf_junit_free().
 */
int cf_junit_read(const char *path, struct cf_junit_case **v, size_t *n, struct strbuf *err);
void cf_junit_free(struct cf_junit_case *v, size_t n);

#endif
