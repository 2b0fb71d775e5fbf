/*
 * session.h - how the worker reports one unit: START and RESULT per test, and
 * the per-invocation figures that DONE carries.
 *
 * A driver (plain, Criterion, cmocka) runs one invocation and reports its
 * tests through a struct wtest: session_start() sends START and resets it,
 * wtest_note()/capture_add() build the result while the test runs, and
 * session_result() sends RESULT.  Each test of an invocation is reported at
 * most once; a test never reported is "not run" for the coordinator.  Indexes
 * given to the session are the invocation's; the session adds the offset of
 * the invocation within the unit.
 *
 * Frames are queued and written together by session_flush(), which the
 * worker calls whenever it is about to wait (child_set_idle) and before
 * DONE: the START and RESULT frames that one read of a test's output
 * produced cost one write(2), not one each, and none waits longer than the
 * processing of that read.  A START still queued as the last frame when its
 * test's RESULT is sent is dropped: the test ended before the coordinator
 * could have read it (docs/protocol.md).  If a write fails (the coordinator is gone) the
 * session becomes broken: the active test process is killed and nothing
 * more is sent.
 */
#ifndef BALRUN_SESSION_H
#define BALRUN_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "child.h"
#include "outcome.h"
#include "proto.h"
#include "strbuf.h"

#define WTEST_MESSAGE_MAX 512

/* The test being reported.  index is -1 while there is none. */
struct wtest {
	int index;              /* in the invocation */
	enum outcome outcome;   /* worst seen so far; PASS until noted otherwise */
	struct strbuf message;  /* one line, "" if none */
	struct capture out;
	uint64_t duration_ns;
	uint64_t cpu_us, rss_kb;
};

struct session {
	int fd;                  /* protocol output */
	uint32_t unit;
	uint32_t timeout_ms;     /* per test unless the invocation has its own; 0 = none */
	const uint64_t *timeouts_ms; /* this invocation's per-test limits, or NULL */
	uint32_t base;           /* unit index of this invocation's first test */
	uint32_t inv;            /* index of this invocation in the RUN */
	size_t ntests;           /* tests in this invocation */
	unsigned char *reported; /* ntests flags: START sent */
	uint64_t tests_ns;       /* durations reported in this invocation */
	struct strbuf error;     /* this invocation's error line, "" if none */
	struct child *active;    /* the running test process, or NULL */
	int broken;
	struct strbuf out;       /* encoded frames not written yet (session_flush) */
	/*
	 * The START last queued, while it is the end of out: [start_at, out.len)
	 * for test start_index (-1: none).  Its RESULT then replaces it.
	 */
	size_t start_at;
	int start_index;
};

void wtest_init(struct wtest *t);
void wtest_release(struct wtest *t);
/* Make o the outcome if it is worse than the current one (keeping msg, one line). */
void wtest_note(struct wtest *t, enum outcome o, const char *msg);
/*
 * If the test's output holds a sanitizer report (common/sanitizer.h), the
 * test failed: it becomes at least FAIL, with the report's summary as its
 * message instead of what the framework or the exit said ("exited with
 * status 1 during the test").  A timeout stays a timeout.  1 if so.
 */
int wtest_sanitizer(struct wtest *t);
/*
 * Fill cpu/rss from the reaped child: both when the invocation runs exactly
 * one test, else the invocation's peak RSS only.
 */
void wtest_usage(struct wtest *t, const struct child *c, int single);

void session_init(struct session *s, int fd, const struct proto_run *run);
/* Write the queued frames with one write(2).  0, or -1 if the session is (now) broken. */
int session_flush(struct session *s);
/* session_flush for child_set_idle: data is the session. */
void session_idle(void *data);
void session_release(struct session *s);
/* Start bookkeeping for invocation inv (number index of the RUN), whose first test has unit index base. */
void session_begin(struct session *s, uint32_t index, uint32_t base,
		   const struct proto_invocation *inv);

/* Time limit in ms of test index of the invocation (0: none). */
uint64_t session_timeout_ms(const struct session *s, int index);
/* The largest time limit of the invocation's tests, 0 if some test has none. */
uint64_t session_max_timeout_ms(const struct session *s);

/* 1 if index was already started in this invocation. */
int session_seen(const struct session *s, int index);
/* Queue START for index and reset t to report it.  No-op (t->index = -1) if seen. */
void session_start(struct session *s, struct wtest *t, int index);
/*
 * Queue RESULT for t (if t->index >= 0) and set t->index to -1.  If t's
 * START is the last frame queued, it is dropped.
 */
void session_result(struct session *s, struct wtest *t);
/*
 * Send a FAULT: a failure of this invocation outside its tests (where, the
 * group's ordinal or -1, outcome, one line msg, the output captured outside
 * the tests; out may be NULL).
 */
void session_fault(struct session *s, enum fault_where where, int64_t group, enum outcome o,
		   const char *msg, const struct capture *out);
/* Set this invocation's error line (the first one set wins). */
void session_error(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* worst(a, b) in the order PASS < SKIP < FAIL < TIMEOUT < CRASH. */
enum outcome outcome_worst(enum outcome a, enum outcome b);

#endif
