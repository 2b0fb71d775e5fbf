/*
 * driver.h - what an adapter's run_batch (adapters/adapter.h) uses to run
 * one invocation of a test binary: its environment, starting and following
 * the process (child.h), failing the whole invocation, temporary files,
 * nonces, and the tests by ordinal.
 *
 * A run_batch starts the binary, follows it, and reports its tests through
 * the session (session.h).  It never exits and never fails as a whole:
 * what went wrong for the invocation goes into session_error().
 */
#ifndef BALRUN_DRIVER_H
#define BALRUN_DRIVER_H

#include "proto.h"
#include "session.h"
#include "strvec.h"

/*
 * The environment of a test process into env: the worker's own (so
 * BALRUN_WORKER_ID and BALRUN_WORKER_COUNT pass through), with the
 * invocation's changes applied in order (inv->env: "NAME=value" sets,
 * "NAME" unsets) and inv->preload put in front of LD_PRELOAD when it is
 * not empty (what the environment preloads already stays, after it).  The caller adds its own with
 * strvec_setenv() and frees env with strvec_clear().
 */
void driver_env(struct strvec *env, const struct proto_invocation *inv);
/* Append the registered command's arguments (inv->args) to argv. */
void driver_argv(struct strvec *argv, const struct proto_invocation *inv);

/*
 * Start the invocation's process (see child_start; or take the process held
 * for exactly this command: held.h) and follow it to its end,
 * with s->active set meanwhile.  Until the driver arms a test's own limit,
 * the process has the invocation's longest one (session_max_timeout_ms), so
 * that nothing before the first test (a slow --filter, a hung hook or
 * group setup) runs unbounded.  0 when it ran (the caller settles the
 * results, then calls child_release); -1 when it could not start, after
 * driver_fail_all().
 */
int driver_follow(struct session *s, const struct proto_invocation *inv, struct child *c,
		  char *const *argv, char *const *env, const struct child_ops *ops, void *data);

/* driver_follow_test() for an invocation of one test (index 0), with its own time limit. */
int driver_follow_one(struct session *s, const struct proto_invocation *inv, struct child *c,
		      char *const *argv, char *const *env, const struct child_ops *ops, void *data,
		      struct wtest *t);

/*
 * The general form of both: t (if not NULL) is started (START sent) as
 * test index of the invocation as the process starts, and the process has
 * timeout_ms (0: none) until the caller arms another limit from its
 * on_output.  A process that is one test (Check runs one TCase per
 * process) passes its t, its index and session_timeout_ms(s, index).
 */
int driver_follow_test(struct session *s, const struct proto_invocation *inv, struct child *c,
		       char *const *argv, char *const *env, const struct child_ops *ops, void *data,
		       struct wtest *t, int index, uint64_t timeout_ms);

/*
 * The binary could not be started: report every test of inv as FAIL with
 * reason as its message, and make reason the invocation's error.
 */
void driver_fail_all(struct session *s, const struct proto_invocation *inv, const char *reason);

/*
 * Write data to a new file named "<prefix>-<pid>-<n>" in the worker's
 * temporary directory ($BALRUN_RUN_DIR, which the coordinator removes after
 * the run; without it, a directory of the worker's own, removed at exit).
 * The path goes into path.  0, or -1 with a one-line reason in err.  The
 * caller unlinks the file when done with it.
 */
int driver_temp_file(const char *prefix, const char *data, size_t len, struct strbuf *path,
		     struct strbuf *err);

/* A new name as driver_temp_file gives, for a file not written yet.  0, or -1 (err). */
int driver_temp_name(const char *prefix, struct strbuf *path, struct strbuf *err);
/* Write data to path (created or truncated, mode 0600).  0, or -1 (err), path removed. */
int driver_write_file(const char *path, const char *data, size_t len, struct strbuf *err);

/* 16 random hex digits (and a NUL) into out: a nonce no test can guess. */
void driver_nonce(char out[17]);

/*
 * The invocation's tests by ordinal (the shim names tests by their place in
 * the binary's listing: common/preload.h).  inv->ordinals must be set.
 */
struct ordinal_index {
	const uint64_t *ordinals;
	uint32_t *by;            /* invocation indexes sorted by ordinal */
	size_t n;
};
void ordinal_index_init(struct ordinal_index *ix, const struct proto_invocation *inv);
/* Index in the invocation of the test with this ordinal, or -1. */
int ordinal_index_find(const struct ordinal_index *ix, uint64_t ordinal);
void ordinal_index_release(struct ordinal_index *ix);

/*
 * The process ended while test t (started at run_ns) was running: note how
 * on t (TIMEOUT at its limit, FAIL "exited with status N during the test",
 * CRASH what, the status in words) and set its duration; the caller sends
 * the RESULT.
 */
void driver_test_died(struct session *s, struct wtest *t, const struct child *c, uint64_t run_ns,
		      const char *what);
/*
 * The process ended with no test running: send a FAULT (before or after
 * the tests, with the output captured outside them) if it timed out, died
 * by a signal, exited 0 before the end of its run (premature: why the
 * adapter knows, or NULL), or exited non-zero with none of its tests
 * failed.  1 if a FAULT was sent.
 */
int driver_fault_outside(struct session *s, const struct child *c, const char *what, int any_test,
			 int failed, const char *premature, const struct capture *outside);
/* Elapsed nanoseconds from a to b, 0 if b is before a. */
uint64_t driver_elapsed(uint64_t a, uint64_t b);

#endif
