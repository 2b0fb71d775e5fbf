/*
 * criterion-internal.h - between the files of the Criterion adapter:
 * criterion.c (recognise, list), criterion-run.c (choose the batch, start
 * the processes), criterion-lines.c (follow their output) and
 * criterion-pattern.c (Criterion's own patterns).  Private to
 * adapters/criterion/.
 */
#ifndef BALRUN_CRITERION_INTERNAL_H
#define BALRUN_CRITERION_INTERNAL_H

#include "child.h"
#include "driver.h"
#include "proto.h"
#include "session.h"
#include "strbuf.h"

#define CRIT_LINE_MAX 4096
/* Warning lines kept for a FAULT. */
#define CRIT_WARNINGS_MAX 4096

/* One invocation being run: the processes of a batch, one after the other. */
struct crit {
	struct session *s;
	const struct proto_invocation *inv;
	struct child *c;
	struct ordinal_index ix;  /* shim mode: the tests by ordinal (their names in the output) */
	int shim;                /* selection by the preload shim */
	int shim_seen;           /* its "C" marker arrived */
	int abandoned;           /* the worker killed the process (the shim did not select) */
	struct strbuf prefix;    /* shim mode: "\x1ebalrun-<nonce> " */
	const unsigned char *in_chunk; /* pattern mode: tests of the running process (NULL: all) */
	struct wtest t;          /* the test whose output is arriving, or index -1 */
	int running;             /* between its [RUN ] line and its verdict */
	uint64_t run_ns;         /* when its time started (see the top of the file) */
	uint64_t verdict_ns;     /* when the last verdict arrived, 0 before the first */
	uint64_t suite_ns;       /* when the last "[====] Running" line arrived, 0 before */
	int any_test;            /* a line about one of our tests was seen */
	int failed;              /* one of our tests failed, crashed or timed out */
	int long_line;           /* inside an overlong line */
	struct strbuf line;      /* the line being assembled */
	struct strbuf first;     /* first line that is not the banner */
	struct strbuf where;     /* "f.c:6" of a failed assertion awaiting its text */
	struct strbuf diag;      /* first assertion or signal text of this run of the test */
	struct capture after;    /* output after the last verdict (a hook's, a destructor's) */
	struct strbuf warnings;  /* Criterion's warning and error lines */
};

/* Following a process's output (criterion-lines.c): the child_ops of its run. */
extern const struct child_ops crit_ops;
/* The process is gone: settle the test it was running, an empty run, a fault. */
void crit_settle(struct crit *cr);

/* 1 if name ("suite/name") matches a Criterion pattern, as Criterion 2.4 matches it (criterion-pattern.c). */
int criterion_pattern_match(const char *pattern, const char *name);

/* The adapter's run_batch (adapter.h). */
void criterion_run_batch(struct session *s, const struct proto_invocation *inv);
void criterion_prestart(const struct proto_invocation *inv, uint32_t timeout_ms);

#endif
