/*
 * worker-harness.c - driving the real balrun-worker for the worker-level
 * tests; see worker-harness.h.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preload.h"
#include "util.h"
#include "worker-harness.h"

extern char **environ;

static char **worker_env(void)
{
	size_t n = 0;
	char **env;

	while (environ[n])
		n++;
	env = xcalloc(n + 3, sizeof(*env));
	for (size_t i = 0, j = 0; i < n; i++)
		if (!starts_with(environ[i], "BALRUN_WORKER_"))
			env[j++] = environ[i];
	for (n = 0; env[n]; n++)
		;
	env[n++] = "BALRUN_WORKER_ID=7";
	env[n++] = "BALRUN_WORKER_COUNT=3";
	return env;
}

void worker_recv(struct worker *w, struct proto_msg *m)
{
	char err[256] = "";

	for (;;) {
		struct pollfd pfd = { .fd = w->p.out, .events = POLLIN };
		enum proto_status st = proto_reader_next(w->r, m, err, sizeof(err));

		if (st == PROTO_OK)
			return;
		cr_assert_eq(st, PROTO_AGAIN, "reading from the worker: %s", err);
		cr_assert_gt(poll(&pfd, 1, WAIT_MS), 0, "the worker sent nothing for %d ms", WAIT_MS);
		st = proto_reader_fill(w->r, w->p.out, err, sizeof(err));
		cr_assert(st == PROTO_OK || st == PROTO_AGAIN, "worker output ended: %s", err);
	}
}

void worker_start(struct worker *w)
{
	char *argv[] = { WORKER_BIN, NULL };
	char **env = worker_env();
	struct proc_opts o = {
		.file = WORKER_BIN, .argv = argv, .env = env,
		.in = PROC_IO_PIPE, .out = PROC_IO_PIPE, .err = PROC_IO_INHERIT,
	};
	char err[256] = "";
	struct proto_msg m;

	cr_assert_eq(proc_spawn(&w->p, &o, err, sizeof(err)), 0, "%s", err);
	set_nonblock(w->p.in, 0);
	free(env);
	w->r = proto_reader_new();
	worker_recv(w, &m);
	cr_assert_eq(m.type, PROTO_HELLO);
	cr_assert_eq(m.u.hello.version, PROTO_VERSION);
	cr_assert_eq(m.u.hello.worker_id, 7);
	cr_assert_eq(m.u.hello.pid, (int64_t)w->p.pid);
	proto_msg_release(&m);
}

/* Close stdin (or send BYE first) and expect exit 0. */
void worker_stop(struct worker *w, int bye)
{
	int status = -1;

	if (bye) {
		struct proto_msg m = { .type = PROTO_BYE };
		cr_assert_eq(proto_send(w->p.in, &m), 0);
	} else {
		close(w->p.in);
		w->p.in = -1;
	}
	cr_assert_eq(proc_wait(&w->p, &status, NULL, 0), 1);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "worker ended with status 0x%x",
		  status);
	proc_close_fds(&w->p);
	proto_reader_free(w->r);
}

void log_result(struct unit_log *log, const struct proto_result *r)
{
	cr_assert_lt(r->test, MAX_TESTS);
	if (!log->started[r->test])
		log->started[r->test] = 1;   /* its START was dropped: the RESULT came right behind */
	log->results[r->test]++;
	log->outcome[r->test] = r->outcome;
	log->message[r->test] = xstrdup(r->message);
	strbuf_add(&log->output[r->test], r->output, r->output_len);
	log->duration_us[r->test] = r->duration_us;
	log->dropped[r->test] = r->output_dropped;
}

/* Empty log, then send RUN. */
void run_send(struct worker *w, const struct proto_run *run, struct unit_log *log)
{
	struct proto_msg m = { .type = PROTO_RUN };

	memset(log, 0, sizeof(*log));
	for (int i = 0; i < MAX_TESTS; i++)
		strbuf_init(&log->output[i], 0);
	m.u.run = *run;
	cr_assert_eq(proto_send(w->p.in, &m), 0);
}

/* Send RUN and collect everything up to DONE. */
void run_unit(struct worker *w, const struct proto_run *run, struct unit_log *log)
{
	run_send(w, run, log);
	collect_unit(w, run, log);
}

void collect_unit(struct worker *w, const struct proto_run *run, struct unit_log *log)
{
	struct proto_msg m;

	for (;;) {
		worker_recv(w, &m);
		if (m.type == PROTO_DONE)
			break;
		if (m.type == PROTO_START) {
			cr_assert_eq(m.u.start.unit, run->unit);
			cr_assert_lt(m.u.start.test, MAX_TESTS);
			cr_assert_eq(log->results[m.u.start.test], 0, "START %u after its RESULT",
				     m.u.start.test);
			log->started[m.u.start.test]++;
			log->start_frames[m.u.start.test]++;
		} else if (m.type == PROTO_FAULT) {
			cr_assert_lt(log->nfaults, MAX_TESTS);
			log->faults[log->nfaults++] = m.u.fault;   /* freed by log_release */
			continue;
		} else {
			cr_assert_eq(m.type, PROTO_RESULT);
			cr_assert_eq(m.u.result.unit, run->unit);
			log_result(log, &m.u.result);
		}
		proto_msg_release(&m);
	}
	cr_assert_eq(m.u.done.unit, run->unit);
	cr_assert_eq(m.u.done.ninv, run->ninv);
	log->done = m.u.done;   /* freed by log_release */
}

/* Send RUN for a unit of n tests (n may pass MAX_TESTS) and count RESULTs and outcomes up to DONE. */
void run_unit_big(struct worker *w, const struct proto_run *run, struct unit_log *log, size_t n)
{
	struct proto_msg m;

	run_send(w, run, log);
	log->big_results = xcalloc(n, sizeof(*log->big_results));
	log->big_outcome = xcalloc(n, sizeof(*log->big_outcome));
	for (;;) {
		worker_recv(w, &m);
		if (m.type == PROTO_DONE)
			break;
		cr_assert_neq(m.type, PROTO_FAULT, "a FAULT: %s", m.u.fault.message);
		if (m.type == PROTO_RESULT) {
			cr_assert_lt(m.u.result.test, n);
			log->big_results[m.u.result.test]++;
			log->big_outcome[m.u.result.test] = m.u.result.outcome;
		}
		proto_msg_release(&m);
	}
	log->done = m.u.done;   /* freed by log_release */
}

void log_release(struct unit_log *log)
{
	struct proto_msg m = { .type = PROTO_DONE };

	for (int i = 0; i < MAX_TESTS; i++) {
		free(log->message[i]);
		strbuf_release(&log->output[i]);
	}
	m.u.done = log->done;
	proto_msg_release(&m);
	for (int i = 0; i < log->nfaults; i++) {
		m.type = PROTO_FAULT;
		m.u.fault = log->faults[i];
		proto_msg_release(&m);
	}
}

/* One invocation of binary with the given tests. */
void one_inv(struct proto_invocation *inv, const char *binary, const char *framework,
		    char **tests, size_t ntests)
{
	memset(inv, 0, sizeof(*inv));
	inv->binary = (char *)binary;
	inv->framework = (char *)framework;
	inv->tests = tests;
	inv->ntests = ntests;
	inv->preload = !strcmp(framework, "cmocka") ? PRELOAD_SO : "";
}

/* Start a worker and run a unit of one invocation of binary with tests. */
void run_single(struct worker *w, struct unit_log *log, const char *binary,
		       const char *framework, char **tests, size_t ntests, uint32_t timeout_ms)
{
	struct proto_invocation inv;
	struct proto_run run = { .unit = 1, .timeout_ms = timeout_ms, .inv = &inv, .ninv = 1 };

	one_inv(&inv, binary, framework, tests, ntests);
	worker_start(w);
	run_unit(w, &run, log);
}

/* Free the log and stop the worker with BYE (bye) or EOF. */
void finish(struct worker *w, struct unit_log *log, int bye)
{
	log_release(log);
	worker_stop(w, bye);
}

void expect(const struct unit_log *log, int i, enum outcome o, const char *message)
{
	cr_assert_eq(log->started[i], 1, "test %d: %d STARTs", i, log->started[i]);
	cr_assert_eq(log->results[i], 1, "test %d: %d RESULTs", i, log->results[i]);
	cr_assert_eq(log->outcome[i], o, "test %d: %s, expected %s (%s)", i,
		     outcome_tag(log->outcome[i]), outcome_tag(o), log->message[i]);
	if (message)
		cr_assert(strstr(log->message[i], message), "test %d: message '%s' lacks '%s'", i,
			  log->message[i], message);
}

void expect_output(const struct unit_log *log, int i, const char *has, const char *lacks)
{
	const char *out = log->output[i].buf;

	if (has)
		cr_assert(strstr(out, has), "test %d: output lacks '%s':\n%s", i, has, out);
	if (lacks)
		cr_assert(!strstr(out, lacks), "test %d: output has '%s':\n%s", i, lacks, out);
}

void expect_unreported(const struct unit_log *log, int i)
{
	cr_assert_eq(log->started[i] + log->results[i], 0, "test %d was reported (%s)", i,
		     log->results[i] ? log->message[i] : "START only");
}
