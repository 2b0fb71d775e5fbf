/*
 * dispatch-msg.c - what workers say.  Frames are read as they arrive; each
 * message is first checked against the slot's state (a RESULT for a test it
 * was not given, a second RESULT, a frame that does not decode make it a
 * lost worker, never a wrong report), then applied to the run.
 */
#define _GNU_SOURCE
#include "dispatch-internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "reap.h"
#include "retry.h"
#include "strvec.h"
#include "util.h"

/* 0 if the message fits the slot's state, else -1 with why. */
static int check_msg(const struct slot *s, const struct proto_msg *m, char *why, size_t len)
{
	uint32_t unit = 0, test = 0;
	int busy_msg = 1;

	switch (m->type) {
	case PROTO_HELLO:
		if (s->state != SLOT_STARTING) {
			snprintf(why, len, "said hello twice");
			return -1;
		}
		return 0;
	case PROTO_START: unit = m->u.start.unit; test = m->u.start.test; break;
	case PROTO_RESULT: unit = m->u.result.unit; test = m->u.result.test; break;
	case PROTO_DONE: unit = m->u.done.unit; busy_msg = 0; break;
	case PROTO_FAULT: unit = m->u.fault.unit; busy_msg = 0; break;
	default:
		snprintf(why, len, "sent a message only the coordinator sends");
		return -1;
	}
	if (s->state != SLOT_BUSY || unit != s->unit) {
		snprintf(why, len, "reported on unit %u it was not running", unit);
		return -1;
	}
	if (busy_msg && (test >= s->ntests || s->got[test])) {
		snprintf(why, len, "reported test %u of unit %u that it was not running", test, unit);
		return -1;
	}
	if ((m->type == PROTO_DONE && m->u.done.ninv != s->ninv) ||
	    (m->type == PROTO_FAULT && m->u.fault.inv >= s->ninv)) {
		snprintf(why, len, "reported on invocations of unit %u it was not given", unit);
		return -1;
	}
	return 0;
}

static void on_hello(struct dispatcher *d, struct slot *s, const struct proto_hello *h)
{
	if (h->version != PROTO_VERSION) {
		if (!d->fatal)
			strbuf_addf(d->err, "worker '%s' speaks protocol version %u, this balrun speaks %u "
				    "(mixed installations?)", d->o->worker_path, h->version, PROTO_VERSION);
		d->fatal = 1;
		dispatch_stop(d, "internal error: worker protocol mismatch");
		slot_reap(s, NULL);
		return;
	}
	s->state = d->stopping ? SLOT_STOPPING : SLOT_IDLE;
	if (d->stopping)
		slot_retire(s);
}

/* Test k of the slot's unit runs since start (coordinator clock). */
static void mark_started(struct dispatcher *d, struct slot *s, uint32_t k, double start)
{
	struct test_case *t = dispatch_test(d, s->tests[k]);

	s->running = k;
	d->started_alone[t->binary] |= t->isolated;
	t->state = TEST_RUNNING;
	t->start = start;
	t->worker = (int)s->id;
	if (d->obs->test_started)
		d->obs->test_started(d->obs->data, t, s->id);
}

static void on_start(struct dispatcher *d, struct slot *s, const struct proto_start *m)
{
	mark_started(d, s, m->test, dispatch_clock(d));
}

static void on_result(struct dispatcher *d, struct slot *s, struct proto_result *m)
{
	uint32_t bi = s->tests[m->test];
	struct test_case *t = dispatch_test(d, bi);
	double now = dispatch_clock(d), duration = (double)m->duration_us / 1e6;

	/* A test that ended before its START was written has none (docs/protocol.md). */
	if (t->state != TEST_RUNNING)
		mark_started(d, s, m->test, now - duration > 0 ? now - duration : 0);
	s->got[m->test] = 1;
	if (s->running == (long)m->test)
		s->running = -1;
	t->end = now;
	t->duration = duration;
	t->worker = (int)s->id;
	t->unit = s->unit + 1;
	t->rss_kb = m->rss_kb > UINT32_MAX ? UINT32_MAX : (uint32_t)m->rss_kb;
	t->in_context = s->ctx[m->test];
	if (d->o->drop_passing_output && (m->outcome == OUTCOME_PASS || m->outcome == OUTCOME_SKIP)) {
		free(m->output);	/* a million passing tests keep nothing */
		m->output = NULL;
		m->output_len = 0;
		m->output_dropped = 0;
	}
	test_take_output(t, &m->output, &m->output_len, m->output_dropped);
	test_finish(t, m->outcome, m->message);
	if (dispatch_retry(d, s, m->test))
		return;		/* still running for the balancer: requeued when the unit ends */
	dispatch_remember(d, t, t->rss_kb);
	retry_settle(t);
	balancer_observe(d->b, s->id, bi, t->duration);
	d->st->tests[s->id]++;
	if (d->obs->test_finished)
		d->obs->test_finished(d->obs->data, t);
	dispatch_count_failure(d, t);
	dispatch_smoke_observe(d, s, t);
}

/* Each clean invocation's CPU per wall second, for its binary (-n auto learns from it). */
static void record_cpu(struct dispatcher *d, const struct slot *s, const struct proto_done *m)
{
	for (size_t k = 0; k < s->ntests; k++) {
		uint32_t inv = s->inv_of[k];
		/* the invocation's first test names its binary */
		if ((k && s->inv_of[k - 1] == inv) || inv >= m->ninv || m->errors[inv][0])
			continue;
		struct test_case *t = dispatch_test(d, s->tests[k]);
		tc_record_binary_cpu(d->tc, d->r->bins[t->binary].id, (double)m->cpu_us[inv] / 1e6,
				     (double)m->inv_wall_us[inv] / 1e6);
	}
}

/* The unit's wall on the coordinator's clock less its invocations' walls: balrun's own part. */
static void record_own(struct dispatcher *d, const struct slot *s, const struct proto_done *m)
{
	double wall = (double)(now_ns() - s->unit_start_ns) / 1e9, inv = 0;

	for (size_t i = 0; i < m->ninv; i++)
		inv += (double)m->inv_wall_us[i] / 1e6;
	if (wall > inv)
		d->st->own[s->id] += wall - inv;
}

static void on_done(struct dispatcher *d, struct slot *s, const struct proto_done *m)
{
	int progress = 0;

	checkpoint_flush(d->o->checkpoint);
	for (size_t i = 0; i < s->ntests; i++)
		progress |= s->got[i];
	/* overhead is only meaningful for a clean single-binary unit */
	if (d->tc && m->ninv == 1 && !m->errors[0][0] && progress) {
		struct test_case *t = dispatch_test(d, s->tests[0]);
		tc_record_binary(d->tc, d->r->bins[t->binary].id, (double)m->overhead_us[0] / 1e6);
	}
	if (d->tc)
		record_cpu(d, s, m);
	record_own(d, s, m);
	dispatch_account_unit(d, s);
	dispatch_requeue_rest(d, s, m->errors);
	slot_clear_unit(s);
	s->state = SLOT_IDLE;
}

/* Handle one message; a protocol violation loses the worker. */
static void on_message(struct dispatcher *d, struct slot *s, struct proto_msg *m)
{
	char why[200];

	if (check_msg(s, m, why, sizeof(why))) {
		slot_lost(d, s, why);
		return;
	}
	switch (m->type) {
	case PROTO_HELLO: on_hello(d, s, &m->u.hello); break;
	case PROTO_START: on_start(d, s, &m->u.start); break;
	case PROTO_RESULT: on_result(d, s, &m->u.result); break;
	case PROTO_DONE: on_done(d, s, &m->u.done); break;
	case PROTO_FAULT: dispatch_fault(d, s, &m->u.fault); break;
	default: break;
	}
}

void slot_readable(struct dispatcher *d, struct slot *s)
{
	char err[256];
	enum proto_status st = proto_reader_fill(s->reader, s->proc.out, err, sizeof(err));

	if (st == PROTO_EOF) {
		slot_lost(d, s, s->state == SLOT_STARTING ? "exited before saying hello" : "exited");
		return;
	}
	if (st == PROTO_ERROR) {
		slot_lost(d, s, err);
		return;
	}
	while (s->state != SLOT_DEAD) {
		struct proto_msg m;
		st = proto_reader_next(s->reader, &m, err, sizeof(err));
		if (st == PROTO_AGAIN)
			break;
		if (st != PROTO_OK) {
			char why[300];
			snprintf(why, sizeof(why), "broke the protocol: %s", err);
			slot_lost(d, s, why);
			break;
		}
		on_message(d, s, &m);
		proto_msg_release(&m);
	}
}
