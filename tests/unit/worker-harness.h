/*
 * worker-harness.h - driving the real balrun-worker over its protocol pipes,
 * for the worker-level tests (test_worker.c, test_worker_frameworks.c).
 *
 * worker_start() starts the worker (BALRUN_WORKER_ID=7,
 * BALRUN_WORKER_COUNT=3) and checks HELLO; run_unit() sends one RUN and
 * collects START/RESULT/FAULT/DONE into a struct unit_log (per unit test
 * index: how often each was started and reported, outcome, message,
 * output); expect() and expect_output() check one test of it.  Every
 * failure is a Criterion assertion, so these run inside Criterion tests.
 * WORKER_BIN (and PRELOAD_SO for cmocka invocations) come from the build.
 */
#ifndef BALRUN_WORKER_HARNESS_H
#define BALRUN_WORKER_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "proc.h"
#include "proto.h"
#include "strbuf.h"

#define MAX_TESTS 16
#define WAIT_MS 30000

struct worker {
	struct proc p;
	struct proto_reader *r;
};

/* What one unit produced, per unit test index. */
struct unit_log {
	/* started: START frames, plus one for a RESULT that came without (docs/protocol.md) */
	int started[MAX_TESTS], results[MAX_TESTS];
	int start_frames[MAX_TESTS];
	enum outcome outcome[MAX_TESTS];
	char *message[MAX_TESTS];
	struct strbuf output[MAX_TESTS];
	uint64_t duration_us[MAX_TESTS], dropped[MAX_TESTS];
	struct proto_done done;
	struct proto_fault faults[MAX_TESTS];   /* FAULT messages, in order */
	int nfaults;
	int *big_results;        /* run_unit_big: RESULTs per test */
	enum outcome *big_outcome;
};

/* The next message from the worker (asserts one arrives within WAIT_MS). */
void worker_recv(struct worker *w, struct proto_msg *m);
/* Start the worker and check its HELLO. */
void worker_start(struct worker *w);
/* Close stdin (or send BYE first) and expect exit 0. */
void worker_stop(struct worker *w, int bye);
/* Send RUN and collect everything up to DONE. */
void run_unit(struct worker *w, const struct proto_run *run, struct unit_log *log);
/* run_unit in two steps: empty log and send RUN; collect up to DONE. */
void run_send(struct worker *w, const struct proto_run *run, struct unit_log *log);
void collect_unit(struct worker *w, const struct proto_run *run, struct unit_log *log);
/* Send RUN for a unit of n tests (n may pass MAX_TESTS) and count RESULTs and outcomes up to DONE. */
void run_unit_big(struct worker *w, const struct proto_run *run, struct unit_log *log, size_t n);
void log_release(struct unit_log *log);
/* One invocation of binary with the given tests (cmocka: the shim as its preload). */
void one_inv(struct proto_invocation *inv, const char *binary, const char *framework,
	     char **tests, size_t ntests);
/* Start a worker and run a unit of one invocation of binary with tests. */
void run_single(struct worker *w, struct unit_log *log, const char *binary,
		const char *framework, char **tests, size_t ntests, uint32_t timeout_ms);
/* Free the log and stop the worker with BYE (bye) or EOF. */
void finish(struct worker *w, struct unit_log *log, int bye);
/* Test i got one START and one RESULT with outcome o, and a message holding message (if not NULL). */
void expect(const struct unit_log *log, int i, enum outcome o, const char *message);
/* Test i's output holds has and lacks lacks (each if not NULL). */
void expect_output(const struct unit_log *log, int i, const char *has, const char *lacks);

/* Test i got neither START nor RESULT (its batch died first: it runs again elsewhere). */
void expect_unreported(const struct unit_log *log, int i);

#endif
