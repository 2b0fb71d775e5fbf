/*
 * main.c - balrun-worker: runs the units of tests the coordinator sends.
 *
 * The coordinator starts the worker with the protocol (common/proto.h) on
 * stdin (RUN and BYE frames in) and stdout (frames out); stderr carries the
 * worker's own diagnostics.  BALRUN_WORKER_ID names the worker in HELLO;
 * it and BALRUN_WORKER_COUNT reach every test process unchanged.
 *
 *   HELLO -> loop { RUN: run each invocation of the unit with the adapter
 *   it names (adapters/adapter.h), then DONE | PREPARE: start that
 *   binary's process ahead (held.h) | BYE or EOF: exit 0 }
 *
 * While a unit runs, the worker reads on (child_set_control): a PREPARE
 * is acted on at once, anything else waits for the loop.
 *
 * A protocol error (garbage, an unexpected message) prints one line on
 * stderr and exits 3 (common/exit-codes.h); so does losing the coordinator while sending.
 *
 * The worker is a child subreaper (common/reap.h): whatever a test leaves
 * behind (daemons, processes that setsid() away, Criterion's per-test
 * children) becomes the worker's child when its parent dies, and is killed
 * and reaped after each invocation, so no test process outlives its
 * invocation and none can hold a pipe open across tests.
 */
#include "adapter.h"
#include "child.h"
#include "driver.h"
#include "exit-codes.h"
#include "held.h"
#include "proto.h"
#include "reap.h"
#include "session.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define WORKER_IN 0
#define WORKER_OUT 1

static int worker_hello(void)
{
	const char *id = getenv("BALRUN_WORKER_ID");
	struct proto_msg m = { .type = PROTO_HELLO };

	m.u.hello.version = PROTO_VERSION;
	m.u.hello.worker_id = id ? (uint32_t)strtoul(id, NULL, 10) : 0;
	m.u.hello.pid = (int64_t)getpid();
	return proto_send(WORKER_OUT, &m);
}

/* What comes from the coordinator: the reader, and a message read during a unit that waits. */
struct worker_in {
	struct proto_reader *r;
	struct proto_msg pending;
	enum proto_status pending_st;   /* PROTO_AGAIN: nothing waits */
	int unread;                     /* the reader may hold PREPAREs that came with the RUN */
	struct session *s;              /* the unit's, while one runs */
	char err[256];
};

/* PREPARE: start its invocation's process ahead, if its adapter can. */
static void worker_prepare(const struct proto_run *run)
{
	const struct adapter *a = run->ninv == 1 ? adapter_by_name(run->inv[0].framework) : NULL;

	if (a && a->prestart)
		a->prestart(&run->inv[0], run->timeout_ms);
	else
		held_discard();
}

/*
 * Act on the PREPAREs the reader holds; the first other message (or an
 * error) waits in in->pending and stops reading during the unit.
 */
static void worker_take_prepares(struct worker_in *in)
{
	enum proto_status st;

	if (in->pending_st != PROTO_AGAIN)
		return;
	for (;;) {
		st = proto_reader_next(in->r, &in->pending, in->err, sizeof(in->err));
		if (st != PROTO_OK || in->pending.type != PROTO_PREPARE)
			break;
		worker_prepare(&in->pending.u.run);
		proto_msg_release(&in->pending);
	}
	if (st == PROTO_AGAIN)
		return;
	in->pending_st = st;	/* a message that waits, or an error */
	child_set_control(-1, NULL, NULL);
}

/*
 * The unit's idle callback (child_set_idle): its session's frames go out,
 * and PREPAREs that came with the RUN are acted on, now that the unit's
 * first process has started (a process started ahead must not delay it).
 */
static void worker_idle(void *data)
{
	struct worker_in *in = data;

	session_idle(in->s);
	if (in->unread) {
		in->unread = 0;
		worker_take_prepares(in);
	}
}

/*
 * During a unit: the coordinator's fd is readable.  PREPAREs are acted on;
 * the first other message, end of file or an error waits for the loop (and
 * reading stops until then).
 */
static void worker_control(void *data)
{
	struct worker_in *in = data;
	enum proto_status st = proto_reader_fill(in->r, WORKER_IN, in->err, sizeof(in->err));

	if (st == PROTO_OK) {
		worker_take_prepares(in);
	} else if (st != PROTO_AGAIN) {
		in->pending_st = st;	/* end of file or an error: for the loop */
		child_set_control(-1, NULL, NULL);
	}
}

/* Run inv with the adapter it names. */
static void worker_run_invocation(struct session *s, const struct proto_invocation *inv)
{
	const struct adapter *a = adapter_by_name(inv->framework);

	if (!a) {
		session_error(s, "running '%s': unknown framework '%s'", inv->binary, inv->framework);
		return;
	}
	a->run_batch(s, inv);
}

/*
 * CPU time (user + system, microseconds) of every child this worker has
 * waited for, and of the descendants they waited for: the difference
 * across an invocation is what its processes used, however many it forked.
 */
static uint64_t worker_children_cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru))
		return 0;
	return proc_cpu_us(&ru);
}

/* Run every invocation of run and send DONE.  0, or -1 if the coordinator is gone. */
static int worker_run_unit(const struct proto_run *run, struct worker_in *in)
{
	struct proto_msg done = { .type = PROTO_DONE };
	struct session s;
	uint64_t unit_start = now_ns();
	uint32_t base = 0;
	int ret;

	done.u.done.unit = run->unit;
	done.u.done.ninv = run->ninv;
	done.u.done.overhead_us = xcalloc(run->ninv ? run->ninv : 1, sizeof(uint64_t));
	done.u.done.errors = xcalloc(run->ninv ? run->ninv : 1, sizeof(char *));
	done.u.done.inv_wall_us = xcalloc(run->ninv ? run->ninv : 1, sizeof(uint64_t));
	done.u.done.cpu_us = xcalloc(run->ninv ? run->ninv : 1, sizeof(uint64_t));
	session_init(&s, WORKER_OUT, run);
	in->s = &s;
	in->unread = 1;
	child_set_idle(worker_idle, in);
	held_unit_begins();
	if (in->pending_st == PROTO_AGAIN)
		child_set_control(WORKER_IN, worker_control, in);
	for (size_t i = 0; i < run->ninv && !child_stop_requested; i++) {
		uint64_t start = now_ns(), cpu = worker_children_cpu_us();
		pid_t keep;

		session_begin(&s, (uint32_t)i, base, &run->inv[i]);
		if (!s.broken)
			worker_run_invocation(&s, &run->inv[i]);
		keep = held_pid();
		reap_descendants(&keep, keep ? 1 : 0);	/* leftovers of the invocation */
		done.u.done.overhead_us[i] = driver_elapsed(s.tests_ns, now_ns() - start) / 1000;
		done.u.done.inv_wall_us[i] = (now_ns() - start) / 1000;
		done.u.done.cpu_us[i] = worker_children_cpu_us() - cpu;
		done.u.done.errors[i] = xstrdup(s.error.buf);
		base += (uint32_t)run->inv[i].ntests;
	}
	done.u.done.wall_us = driver_elapsed(unit_start, now_ns()) / 1000;
	child_set_idle(NULL, NULL);
	child_set_control(-1, NULL, NULL);
	in->s = NULL;
	if (in->unread) {	/* the unit started no process */
		in->unread = 0;
		worker_take_prepares(in);
	}
	held_unit_ends();
	if (child_stop_requested)
		ret = -1;	/* stopped: no DONE, the coordinator knows */
	else
		ret = session_flush(&s) || proto_send(WORKER_OUT, &done) < 0 ? -1 : 0;
	session_release(&s);
	proto_msg_release(&done);
	return ret;
}

/*
 * Take the next message from stdin other than PREPARE (acted on here):
 * PROTO_OK, PROTO_EOF or PROTO_ERROR.  What waits from the last unit first.
 */
static enum proto_status worker_next(struct worker_in *in, struct proto_msg *m)
{
	enum proto_status st;

	for (;;) {
		worker_take_prepares(in);
		st = in->pending_st;
		if (st != PROTO_AGAIN) {
			*m = in->pending;
			in->pending_st = PROTO_AGAIN;
			memset(&in->pending, 0, sizeof(in->pending));
			return st;
		}
		st = proto_reader_fill(in->r, WORKER_IN, in->err, sizeof(in->err));
		if (st == PROTO_EOF || st == PROTO_ERROR)
			return st;
	}
}

/* The message loop.  Exit status: 0 on BYE or EOF, 3 on a protocol error. */
static int worker_loop(void)
{
	struct worker_in in = { .r = proto_reader_new(), .pending_st = PROTO_AGAIN };
	struct proto_msg m;
	int status = -1;

	memset(&m, 0, sizeof(m));
	while (status < 0 && !child_stop_requested) {
		enum proto_status st = worker_next(&in, &m);

		if (st == PROTO_EOF) {
			status = 0;
		} else if (st == PROTO_ERROR) {
			fprintf(stderr, "balrun-worker: reading from the coordinator: %s\n", in.err);
			status = EXIT_INTERNAL;
		} else if (m.type == PROTO_BYE) {
			status = 0;
		} else if (m.type != PROTO_RUN) {
			fprintf(stderr, "balrun-worker: reading from the coordinator: "
				"unexpected message type %d\n", (int)m.type);
			status = EXIT_INTERNAL;
		} else if (worker_run_unit(&m.u.run, &in) < 0) {
			status = EXIT_INTERNAL;
		}
		if (st == PROTO_OK)
			proto_msg_release(&m);
	}
	held_discard();
	proto_reader_free(in.r);
	return status < 0 ? 0 : status;
}

/* Nothing running: leave at once.  A test running: stop it first (child.c). */
static void on_stop_signal(int sig)
{
	(void)sig;
	if (!child_active)
		_exit(0);
	child_stop_requested = 1;
}

int main(void)
{
	/* A lost coordinator shows as a failed write, not a silent death; test
	   processes get SIGPIPE back at its default (see proc.h). */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * SIGTERM (the coordinator stopping the run) ends the running test's
	 * whole process group before the worker exits.  No SA_RESTART, so a
	 * blocking poll() or read() returns at once with EINTR.
	 */
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* balrun killed outright (SIGKILL): stop the running test as for SIGTERM */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (reap_become_subreaper() < 0)
		perror("balrun-worker: warning: cannot become a child subreaper; "
		       "processes that tests leave behind may survive");
	if (worker_hello() < 0) {
		perror("balrun-worker: sending HELLO");
		return EXIT_INTERNAL;
	}
	return worker_loop();
}
