/*
 * child.h - one test process as the worker runs it: spawn, pump, stop, reap.
 *
 * The process is started with proc_spawn in a process group of its own, with
 * stdin on /dev/null and stdout+stderr merged into one pipe.  child_run()
 * then polls the pipe and hands what arrives to the driver's callback until
 * the process has exited and its pipe is done with:
 *
 *   running --(exit)--> draining --(EOF on the pipe, or 200 ms)--> done
 *
 * While running, the driver may arm a deadline (the current test's time
 * limit).  At the deadline the whole group gets SIGTERM and timed_out is set;
 * CHILD_GRACE_MS later, SIGKILL.  While draining, processes the test left
 * behind that still hold the output pipe (daemons) get CHILD_DRAIN_MS to
 * finish writing; then the group is SIGKILLed and the pipe is closed
 * whatever holds it, so the worker never waits for a leftover process.
 * (The cmocka shim's events travel inside this output: common/preload.h.)
 *
 * An adapter whose framework can write machine-readable records to a file
 * descriptor of its own (Check's CK_LOG_FILE_NAME=/dev/fd/N) sets
 * ops->on_events: the child then also gets a pipe at fd CHILD_EVENT_FD,
 * whose bytes go to on_events.  Ordering across the two pipes: before
 * anything read from the event pipe is handed over, the output pipe is read
 * dry, so output the test wrote before a record reaches on_output before
 * that record reaches on_events.  The child is done when it is reaped and
 * both pipes are (closed by it, or given up on after the drain).
 */
#ifndef BALRUN_CHILD_H
#define BALRUN_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "preload.h"
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

/* The child's end of the event pipe (the number the collector's listers use too). */
#define CHILD_EVENT_FD PRELOAD_EVENT_FD

struct child_ops {
	/* Bytes from the merged stdout+stderr pipe, as they arrive. */
	void (*on_output)(void *data, const char *buf, size_t len);
	/* Bytes from the event pipe at CHILD_EVENT_FD; NULL: the child gets no such pipe. */
	void (*on_events)(void *data, const char *buf, size_t len);
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
};

/*
 * Start argv[0] (an absolute path) with env (NULL: the worker's environ)
 * in directory cwd (NULL or "": the worker's).  0, or -1 with a one-line
 * reason in err.
 */
int child_start(struct child *c, char *const *argv, char *const *env, const char *cwd,
		const struct child_ops *ops, void *data, char *err, size_t errlen);

/*
 * The spawn options child_start uses (own group, stdin /dev/null, stdout
 * and stderr on one pipe, the event pipe if ops reads one), for a caller
 * that adds its own (worker/held.c: the hold pipe) and spawns itself.
 */
struct proc_opts child_proc_opts(char *const *argv, char *const *env, const char *cwd,
				 const struct child_ops *ops);
/*
 * c becomes the started process p (from proc_spawn with child_proc_opts), as
 * child_start leaves it: running, its start now.
 */
void child_adopt(struct child *c, const struct proc *p, const struct child_ops *ops, void *data);

/* Pump until the child is reaped and its pipe is closed. */
void child_run(struct child *c);

/*
 * Call fn(data) whenever child_run is about to wait (before each poll() or
 * blocking wait), so that what the output callbacks produced from one read
 * leaves in one piece: the session writes its queued frames (session.h).
 * NULL: nothing.  One hook for the process.
 */
void child_set_idle(void (*fn)(void *data), void *data);

/*
 * While a child runs, also wait for fd to be readable and then call fn
 * (the worker reads its coordinator's messages meanwhile: a PREPARE).  fn
 * may call child_set_control(-1, NULL, NULL) to stop; NULL fn: none.
 */
void child_set_control(int fd, void (*fn)(void *data), void *data);

/* Arm (or with 0 clear) the time limit of the current test, as a duration from now. */
void child_set_timeout(struct child *c, uint64_t timeout_ms);

/* Stop the whole group now with SIGKILL (the worker lost its coordinator). */
void child_abandon(struct child *c);

/* Close whatever is still open and free memory.  Does not wait. */
void child_release(struct child *c);

#endif
