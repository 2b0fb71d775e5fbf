/*
 * child.h - one test process as the worker runs it: spawn, pump, stop, reap.
 *
 * The process is started with proc_spawn in a process group of its own, with
 * stdin on /dev/null and stdout+stderr merged into one pipe, plus (for the
 * cmocka shim) an event pipe on a fixed fd.  child_run() then polls both
 * pipes and hands what arrives to the driver's callbacks until the process
 * has exited and its pipes are done with:
 *
 *   running --(exit)--> draining --(EOF on both pipes, or 200 ms)--> done
 *
 * While running, the driver may arm a deadline (the current test's time
 * limit).  At the deadline the whole group gets SIGTERM and timed_out is set;
 * CHILD_GRACE_MS later, SIGKILL.  While draining, processes the test left
 * behind that still hold the output pipe (daemons) get CHILD_DRAIN_MS to
 * finish writing; then the group is SIGKILLed and the pipes are closed
 * whatever holds them, so the worker never waits for a leftover process.
 *
 * Ordering of events and output: the shim writes an event only once the
 * output pipe is empty (see common/preload.h), so all output from before an
 * event has already been handed to on_output when the event can be read.
 * Each pass of the loop handles what the event pipe holds before reading the
 * output pipe, so output written after an event is handed over after it.
 * (Draining the output pipe when an event arrives would not do: by then it
 * may also hold output written after the event.)
 */
#ifndef BALRUN_CHILD_H
#define BALRUN_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "proc.h"
#include "strbuf.h"

#define CHILD_GRACE_MS 1000  /* SIGTERM .. SIGKILL */

/*
 * Set (from a signal handler) when the worker is told to stop: the running
 * child's group gets SIGTERM at once and SIGKILL after CHILD_GRACE_MS, and
 * child_run returns when it is gone.  The worker then exits without running
 * anything more.
 */
#include <signal.h>
extern volatile sig_atomic_t child_stop_requested;
/* 1 from just before a child is spawned until it is reaped (for the handler). */
extern volatile sig_atomic_t child_active;
#define CHILD_DRAIN_MS 200   /* exit .. giving up on leftover pipe holders */

struct child_ops {
	/* Bytes from the merged stdout+stderr pipe, as they arrive. */
	void (*on_output)(void *data, const char *buf, size_t len);
	/* One event line from the event pipe, without its newline. */
	void (*on_event)(void *data, const char *line);
};

struct child {
	struct proc proc;
	pid_t pgid;               /* the group to signal, kept after reaping */
	const struct child_ops *ops;
	void *data;
	uint64_t started_ns, exited_ns;
	uint64_t deadline_ns;     /* 0: no time limit armed */
	uint64_t kill_ns;         /* 0 until SIGTERM was sent; then when to SIGKILL */
	int timed_out;            /* the deadline passed and the group was signalled */
	int reaped;               /* status and ru are valid */
	int status;
	struct rusage ru;
	struct strbuf event;      /* partial event line */
};

/*
 * Start argv[0] with env (NULL: the worker's environ); event_fd >= 3 also
 * makes the event pipe.  0, or -1 with a one-line reason in err.
 */
int child_start(struct child *c, char *const *argv, char *const *env, int event_fd,
		const struct child_ops *ops, void *data, char *err, size_t errlen);

/* Pump until the child is reaped and its pipes are closed. */
void child_run(struct child *c);

/* Arm (or with 0 clear) the time limit of the current test, as a duration from now. */
void child_set_timeout(struct child *c, uint64_t timeout_ms);

/* Stop the whole group now with SIGKILL (the worker lost its coordinator). */
void child_abandon(struct child *c);

/* Close whatever is still open and free memory.  Does not wait. */
void child_release(struct child *c);

#endif
