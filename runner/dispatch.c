/*
 * dispatch.c - the coordinator's loop; see dispatch.h for the slot states
 * and the signal rules.
 *
 * One ppoll() loop over the workers' stdout pipes.  Writes to workers are
 * small (a RUN frame) and only go to idle workers, which are waiting to read
 * them, so they are done blocking.  Everything a worker says is checked: a
 * RESULT for a test it was not given, a second RESULT, or a frame that does
 * not decode makes it a lost worker, never a wrong report.
 */
#define _GNU_SOURCE
#include "dispatch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "proto.h"
#include "reap.h"
#include "strvec.h"
#include "util.h"

#define HELLO_TIMEOUT_NS   (15ull * 1000000000ull)
#define STOP_GRACE_NS      (5ull * 1000000000ull)
#define TICK_MS            100
#define MAX_ATTEMPTS       3

enum slot_state { SLOT_STARTING, SLOT_IDLE, SLOT_BUSY, SLOT_STOPPING, SLOT_DEAD };

struct slot {
	unsigned id;
	enum slot_state state;
	struct proc proc;
	pid_t pgid;
	struct proto_reader *reader;
	uint64_t since_ns;        /* when it entered STARTING or STOPPING */
	/* valid while BUSY */
	uint32_t unit;
	uint32_t *tests;          /* balancer indexes, in the order sent */
	size_t ntests;
	unsigned char *got;       /* RESULT seen for tests[i] */
	long running;             /* index in tests of the running test, or -1 */
	uint64_t unit_start_ns;
	int smoke;                /* the unit is a smoke test */
};

struct dispatcher {
	struct run *r;
	struct balancer *b;
	const uint32_t *map;
	size_t nmap;
	struct timing_cache *tc;
	const struct dispatch_opts *o;
	const struct run_observer *obs;
	struct dispatch_stats *st;
	struct strbuf *err;
	struct slot *slots;
	uint64_t t0;
	uint32_t next_unit;
	unsigned failures;
	int stopping;             /* no more dispatching */
	char *stop_reason;        /* why tests that did not run did not run */
	int fatal;
	unsigned smoke_sent, smoke_done, smoke_failed;
	int smoke_unproven;       /* a smoke test did not pass last time: no verdict on the environment */
	int other_sent;           /* a unit that is no smoke test was sent */
};

static volatile sig_atomic_t pending_signal, signal_count;

static void on_signal(int sig)
{
	pending_signal = sig;
	signal_count++;
}

static struct test_case *test_of(struct dispatcher *d, uint32_t bi)
{
	return &d->r->tests[d->map[bi]];
}

static double since_start(const struct dispatcher *d)
{
	return (double)(now_ns() - d->t0) / 1e9;
}

static void note(struct dispatcher *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct dispatcher *d, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (d->obs->note)
		d->obs->note(d->obs->data, sb.buf);
	strbuf_release(&sb);
}

static int slot_spawn(struct dispatcher *d, struct slot *s)
{
	struct strvec env = STRVEC_INIT;
	char *argv[] = { (char *)d->o->worker_path, NULL };
	struct proc_opts po = { 0 };
	char err[512];
	char num[32];
	int ret;

	strvec_env(&env, NULL);
	snprintf(num, sizeof(num), "%u", s->id);
	strvec_setenv(&env, "BALRUN_WORKER_ID", num);
	snprintf(num, sizeof(num), "%u", d->o->workers);
	strvec_setenv(&env, "BALRUN_WORKER_COUNT", num);
	po.file = d->o->worker_path;
	po.argv = argv;
	po.env = env.v;
	po.in = PROC_IO_PIPE;
	po.out = PROC_IO_PIPE;
	po.err = PROC_IO_INHERIT;
	po.new_pgroup = 1;
	ret = proc_spawn(&s->proc, &po, err, sizeof(err));
	strvec_clear(&env);
	if (ret) {
		strbuf_addf(d->err, "cannot start worker %u: %s", s->id, err);
		s->state = SLOT_DEAD;
		return -1;
	}
	s->pgid = s->proc.pid;
	s->reader = proto_reader_new();
	s->state = SLOT_STARTING;
	s->since_ns = now_ns();
	s->running = -1;
	return 0;
}

static void slot_clear_unit(struct slot *s)
{
	free(s->tests);
	free(s->got);
	s->tests = NULL;
	s->got = NULL;
	s->ntests = 0;
	s->running = -1;
}

/* Send BYE; the worker exits and we see EOF. */
static void slot_retire(struct slot *s)
{
	struct proto_msg m = { .type = PROTO_BYE };
	if (proto_send(s->proc.in, &m))
		kill(-s->pgid, SIGTERM);
	s->state = SLOT_STOPPING;
	s->since_ns = now_ns();
}

static void begin_stop(struct dispatcher *d, const char *reason)
{
	if (d->stopping)
		return;
	d->stopping = 1;
	d->stop_reason = xstrdup(reason);
	balancer_stop(d->b);
	for (unsigned i = 0; i < d->o->workers; i++) {
		struct slot *s = &d->slots[i];
		if (s->state == SLOT_IDLE) {
			slot_retire(s);
		} else if (s->state == SLOT_BUSY || s->state == SLOT_STARTING) {
			kill(-s->pgid, SIGTERM);	/* the worker stops its test and exits */
			s->state = s->state == SLOT_BUSY ? SLOT_BUSY : SLOT_STOPPING;
			s->since_ns = now_ns();
		}
	}
}

static void count_failure(struct dispatcher *d, const struct test_case *t)
{
	if (!outcome_is_failure(t->outcome))
		return;
	d->failures++;
	if (d->o->maxfail && d->failures >= (unsigned)d->o->maxfail && !d->stopping) {
		char why[128];
		snprintf(why, sizeof(why), "stopped after %u failure%s (%s)", d->failures,
			 d->failures == 1 ? "" : "s", d->o->maxfail == 1 ? "-x" : "--maxfail");
		note(d, "%s", why);
		begin_stop(d, why);
	}
}

/* Write a finished test to the timing cache and the checkpoint. */
static void remember(struct dispatcher *d, const struct test_case *t, uint64_t rss_kb)
{
	if (d->tc)
		tc_record_test(d->tc, t->id, t->outcome, t->duration, rss_kb);
	checkpoint_add(d->o->checkpoint, t);
}

/*
 * Every smoke test that ran failed (at least two), and each had passed last
 * time: the environment is broken.  (Tests that failed last time, or never
 * ran, failing now say nothing about the environment.)
 */
static int smoke_broken(const struct dispatcher *d)
{
	return d->smoke_sent >= 2 && !d->smoke_unproven && d->smoke_done == d->smoke_sent &&
	       d->smoke_failed == d->smoke_done;
}

/* A smoke test is evidence about the environment only if it passed last time. */
static void smoke_note_sent(struct dispatcher *d, const struct bal_unit *u)
{
	for (size_t i = 0; i < u->ntests; i++) {
		const struct tc_entry *e = d->tc ? tc_get(d->tc, test_of(d, u->tests[i])->id) : NULL;
		d->smoke_unproven |= !e || !e->runs || e->last_outcome != OUTCOME_PASS;
	}
	d->smoke_sent += (unsigned)u->ntests;
}

static void smoke_stop(struct dispatcher *d)
{
	char why[200];

	snprintf(why, sizeof(why), "all %u smoke tests failed: the environment looks broken; stopping "
		 "(use --smoke 0 to run everything anyway)", d->smoke_done);
	note(d, "%s", why);
	d->st->smoke_failed = 1;
	begin_stop(d, "not run: all smoke tests failed");
}

/* A test of slot s finished: count it if it was a smoke test. */
static void smoke_observe(struct dispatcher *d, const struct slot *s, const struct test_case *t)
{
	if (!s->smoke || t->outcome == OUTCOME_NOTRUN)
		return;
	d->smoke_done++;
	d->smoke_failed += outcome_is_failure(t->outcome);
	if (smoke_broken(d) && d->other_sent && !d->stopping)
		smoke_stop(d);
}

/* A test of a busy slot ended without a RESULT from the worker. */
static void finish_unreported(struct dispatcher *d, struct slot *s, uint32_t bi, enum outcome o,
			      const char *msg)
{
	struct test_case *t = test_of(d, bi);
	t->end = since_start(d);
	if (t->state != TEST_RUNNING)
		t->start = t->end;
	t->duration = t->end - t->start;
	t->worker = (int)s->id;
	test_finish(t, o, msg);
	if (o != OUTCOME_NOTRUN)
		remember(d, t, 0);
	d->st->tests[s->id]++;
	if (d->obs->test_finished)
		d->obs->test_finished(d->obs->data, t);
	count_failure(d, t);
	smoke_observe(d, s, t);
}

static void account_unit(struct dispatcher *d, struct slot *s)
{
	d->st->busy[s->id] += (double)(now_ns() - s->unit_start_ns) / 1e9;
	d->st->units[s->id]++;
}

/* Tests of the slot's unit without a RESULT and not running go back to the queue. */
static void requeue_rest(struct dispatcher *d, struct slot *s, int progress, const char *why)
{
	uint32_t *back = xcalloc(s->ntests ? s->ntests : 1, sizeof(*back));
	size_t nback = 0;

	for (size_t i = 0; i < s->ntests; i++) {
		struct test_case *t;
		if (s->got[i])
			continue;
		t = test_of(d, s->tests[i]);
		if (!progress && !d->stopping) {
			finish_unreported(d, s, s->tests[i], OUTCOME_FAIL, why);
		} else if (t->attempts >= MAX_ATTEMPTS && !d->stopping) {
			finish_unreported(d, s, s->tests[i], OUTCOME_NOTRUN,
					  "handed to workers 3 times and never reported");
		} else {
			t->state = TEST_PENDING;
			back[nback++] = s->tests[i];
			d->smoke_sent -= s->smoke;	/* it will be sent again */
		}
	}
	balancer_unit_done(d->b, s->id, back, nback);
	free(back);
}

/* Kill what lost workers left behind: every child of ours that is not a live worker. */
static void reap_orphans(struct dispatcher *d)
{
	pid_t *keep = xcalloc(d->o->workers, sizeof(*keep));
	size_t n = 0;

	for (unsigned i = 0; i < d->o->workers; i++)
		if (d->slots[i].state != SLOT_DEAD && d->slots[i].proc.pid > 0)
			keep[n++] = d->slots[i].proc.pid;
	reap_descendants(keep, n);
	free(keep);
}

static void slot_reap(struct slot *s, int *status)
{
	kill(-s->pgid, SIGKILL);
	if (s->proc.pid)
		proc_wait(&s->proc, status, NULL, 0);
	proc_close_fds(&s->proc);
	proto_reader_free(s->reader);
	s->reader = NULL;
	s->state = SLOT_DEAD;
}

/*
 * The worker is gone (EOF, error, or we gave up on it).  why says what we
 * saw; the exit status is added.
 */
static void slot_lost(struct dispatcher *d, struct slot *s, const char *why)
{
	enum slot_state was = s->state;
	char st[64], msg[256];
	int status = 0;

	slot_reap(s, &status);
	reap_orphans(d);
	if (was == SLOT_STOPPING && !s->tests)
		return;		/* an orderly exit */
	snprintf(msg, sizeof(msg), "worker %u %s (%s)", s->id, why,
		 proc_describe_status(status, st, sizeof(st)));
	if (s->tests) {
		if (s->running >= 0) {
			uint32_t bi = s->tests[s->running];
			s->got[s->running] = 1;
			if (d->stopping)
				finish_unreported(d, s, bi, OUTCOME_NOTRUN, d->stop_reason);
			else
				finish_unreported(d, s, bi, OUTCOME_CRASH, msg);
		}
		account_unit(d, s);
		requeue_rest(d, s, 1, NULL);
		slot_clear_unit(s);
	}
	if (d->stopping)
		return;
	note(d, "%s", msg);
	if (balancer_queued(d->b) == 0)
		return;
	if (d->st->restarts >= d->o->max_restarts) {
		note(d, "not replacing worker %u: %u restarts is the limit (--max-worker-restart)",
		     s->id, d->o->max_restarts);
		return;
	}
	d->st->restarts++;
	if (slot_spawn(d, s) == 0)
		note(d, "started a new worker %u", s->id);
}

static uint64_t seconds_to_ms(double s)
{
	return s > 0 ? (uint64_t)(s * 1000 + 0.5) : 0;
}

/*
 * Tests with a time limit of their own (markers, config) make their
 * invocation carry a per-test array; the others in it get --timeout.
 */
static void fill_timeouts(struct dispatcher *d, const struct bal_unit *u, struct proto_run *run)
{
	size_t k = 0;
	int own = 0;

	for (size_t i = 0; i < u->ntests; i++)
		own |= test_of(d, u->tests[i])->timeout > 0;
	if (!own)
		return;
	for (size_t i = 0; i < run->ninv; i++) {
		struct proto_invocation *inv = &run->inv[i];
		inv->timeouts_ms = xcalloc(inv->ntests, sizeof(*inv->timeouts_ms));
		for (size_t j = 0; j < inv->ntests; j++, k++) {
			const struct test_case *t = test_of(d, u->tests[k]);
			inv->timeouts_ms[j] = seconds_to_ms(t->timeout > 0 ? t->timeout : d->o->timeout);
		}
	}
}

static void fill_run(struct dispatcher *d, const struct bal_unit *u, struct proto_run *run)
{
	run->unit = d->next_unit++;
	run->timeout_ms = (uint32_t)(seconds_to_ms(d->o->timeout) > UINT32_MAX ? UINT32_MAX :
				     seconds_to_ms(d->o->timeout));
	run->inv = xcalloc(u->ntests, sizeof(*run->inv));
	run->ninv = 0;
	for (size_t i = 0; i < u->ntests; i++) {
		struct test_case *t = test_of(d, u->tests[i]);
		struct binary *bin = &d->r->bins[t->binary];
		struct proto_invocation *inv = run->ninv ? &run->inv[run->ninv - 1] : NULL;
		if (!inv || strcmp(inv->binary, bin->abspath)) {
			inv = &run->inv[run->ninv++];
			inv->binary = bin->abspath;
			inv->kind = bin->kind;
			inv->preload = bin->preload;
			inv->tests = xcalloc(u->ntests, sizeof(*inv->tests));
		}
		inv->tests[inv->ntests++] = t->name;
	}
	fill_timeouts(d, u, run);
}

static void send_unit(struct dispatcher *d, struct slot *s, const struct bal_unit *u)
{
	struct proto_msg m = { .type = PROTO_RUN };
	int failed;

	fill_run(d, u, &m.u.run);
	s->unit = m.u.run.unit;
	s->ntests = u->ntests;
	s->tests = xcalloc(u->ntests, sizeof(*s->tests));
	memcpy(s->tests, u->tests, u->ntests * sizeof(*s->tests));
	s->got = xcalloc(u->ntests, 1);
	s->running = -1;
	s->unit_start_ns = now_ns();
	s->state = SLOT_BUSY;
	s->smoke = u->smoke;
	if (u->smoke)
		smoke_note_sent(d, u);
	d->other_sent |= !u->smoke;
	for (size_t i = 0; i < u->ntests; i++)
		test_of(d, u->tests[i])->attempts++;
	failed = proto_send(s->proc.in, &m);
	for (size_t i = 0; i < m.u.run.ninv; i++) {
		free(m.u.run.inv[i].tests);
		free(m.u.run.inv[i].timeouts_ms);
	}
	free(m.u.run.inv);
	if (failed)
		slot_lost(d, s, "could not be sent its work");
}

static void feed_idle(struct dispatcher *d)
{
	for (unsigned i = 0; i < d->o->workers; i++) {
		struct slot *s = &d->slots[i];
		struct bal_unit u;
		if (s->state != SLOT_IDLE)
			continue;
		if (d->stopping) {
			slot_retire(s);
			continue;
		}
		switch (balancer_next(d->b, s->id, &u)) {
		case BAL_UNIT:
			if (!u.smoke && smoke_broken(d)) {
				balancer_unit_done(d->b, s->id, u.tests, u.ntests);
				smoke_stop(d);
				break;
			}
			send_unit(d, s, &u);
			break;
		case BAL_DONE:
			slot_retire(s);
			break;
		case BAL_WAIT:
			break;
		}
	}
}

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
	return 0;
}

static void on_hello(struct dispatcher *d, struct slot *s, const struct proto_hello *h)
{
	if (h->version != PROTO_VERSION) {
		if (!d->fatal)
			strbuf_addf(d->err, "worker '%s' speaks protocol version %u, this balrun speaks %u "
				    "(mixed installations?)", d->o->worker_path, h->version, PROTO_VERSION);
		d->fatal = 1;
		begin_stop(d, "internal error: worker protocol mismatch");
		slot_reap(s, NULL);
		return;
	}
	s->state = d->stopping ? SLOT_STOPPING : SLOT_IDLE;
	if (d->stopping)
		slot_retire(s);
}

static void on_start(struct dispatcher *d, struct slot *s, const struct proto_start *m)
{
	struct test_case *t = test_of(d, s->tests[m->test]);
	s->running = m->test;
	t->state = TEST_RUNNING;
	t->start = since_start(d);
	t->worker = (int)s->id;
	if (d->obs->test_started)
		d->obs->test_started(d->obs->data, t, s->id);
}

static void on_result(struct dispatcher *d, struct slot *s, struct proto_result *m)
{
	uint32_t bi = s->tests[m->test];
	struct test_case *t = test_of(d, bi);

	s->got[m->test] = 1;
	if (s->running == (long)m->test)
		s->running = -1;
	t->end = since_start(d);
	t->duration = (double)m->duration_us / 1e6;
	if (t->state != TEST_RUNNING)
		t->start = t->end - t->duration > 0 ? t->end - t->duration : 0;
	t->worker = (int)s->id;
	t->cpu_us = m->cpu_us;
	t->rss_kb = m->rss_kb;
	free(t->output);
	t->output = m->output;	/* taken over from the message */
	t->output_len = m->output_len;
	t->output_dropped = m->output_dropped;
	m->output = NULL;
	m->output_len = 0;
	test_finish(t, m->outcome, m->message);
	remember(d, t, t->rss_kb);
	balancer_observe(d->b, s->id, bi, t->duration);
	d->st->tests[s->id]++;
	if (d->obs->test_finished)
		d->obs->test_finished(d->obs->data, t);
	count_failure(d, t);
	smoke_observe(d, s, t);
}

static void on_done(struct dispatcher *d, struct slot *s, const struct proto_done *m)
{
	int progress = 0;
	struct strbuf why = STRBUF_INIT;

	for (size_t i = 0; i < s->ntests; i++)
		progress |= s->got[i];
	for (size_t i = 0; i < m->ninv; i++) {
		if (m->errors[i][0])
			strbuf_addf(&why, "%s%s", why.len ? "; " : "", m->errors[i]);
	}
	if (!why.len)
		strbuf_adds(&why, "the test binary ended without reporting this test");
	/* overhead is only meaningful for a clean single-binary unit */
	if (d->tc && m->ninv == 1 && !m->errors[0][0] && progress) {
		struct test_case *t = test_of(d, s->tests[0]);
		tc_record_binary(d->tc, d->r->bins[t->binary].id, (double)m->overhead_us[0] / 1e6);
	}
	account_unit(d, s);
	requeue_rest(d, s, progress, why.buf);
	slot_clear_unit(s);
	s->state = SLOT_IDLE;
	strbuf_release(&why);
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
	default: break;
	}
}

static void slot_readable(struct dispatcher *d, struct slot *s)
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

static void check_timeouts(struct dispatcher *d)
{
	uint64_t now = now_ns();
	for (unsigned i = 0; i < d->o->workers; i++) {
		struct slot *s = &d->slots[i];
		if (s->state == SLOT_STARTING && now - s->since_ns > HELLO_TIMEOUT_NS)
			slot_lost(d, s, "did not say hello within 15 s");
		else if ((s->state == SLOT_STOPPING || (s->state == SLOT_BUSY && d->stopping)) &&
			 now - s->since_ns > STOP_GRACE_NS)
			kill(-s->pgid, SIGKILL);	/* EOF follows */
	}
}

static unsigned count_state(const struct dispatcher *d, enum slot_state st)
{
	unsigned n = 0;
	for (unsigned i = 0; i < d->o->workers; i++)
		n += d->slots[i].state == st;
	return n;
}

static void wait_for_events(struct dispatcher *d, const sigset_t *waitmask)
{
	struct pollfd *pfd = xcalloc(d->o->workers, sizeof(*pfd));
	unsigned *who = xcalloc(d->o->workers, sizeof(*who));
	struct timespec tick = { 0, TICK_MS * 1000000L };
	nfds_t n = 0;

	for (unsigned i = 0; i < d->o->workers; i++) {
		if (d->slots[i].state == SLOT_DEAD || d->slots[i].proc.out < 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = d->slots[i].proc.out, .events = POLLIN };
		who[n++] = i;
	}
	if (ppoll(pfd, n, &tick, waitmask) > 0) {
		for (nfds_t k = 0; k < n; k++)
			if (pfd[k].revents && d->slots[who[k]].state != SLOT_DEAD)
				slot_readable(d, &d->slots[who[k]]);
	}
	free(pfd);
	free(who);
}

static void abort_all(struct dispatcher *d)
{
	for (unsigned i = 0; i < d->o->workers; i++)
		if (d->slots[i].state != SLOT_DEAD) {
			if (d->slots[i].tests) {
				slot_clear_unit(&d->slots[i]);
			}
			slot_reap(&d->slots[i], NULL);
		}
}

static void tick(struct dispatcher *d)
{
	if (d->obs->tick)
		d->obs->tick(d->obs->data, since_start(d), balancer_remaining(d->b),
			     count_state(d, SLOT_BUSY));
}

static void loop(struct dispatcher *d, const sigset_t *waitmask)
{
	for (;;) {
		if (signal_count >= 2) {
			d->st->aborted = 1;
			abort_all(d);
			return;
		}
		if (pending_signal && !d->st->interrupted) {
			d->st->interrupted = pending_signal;
			note(d, "interrupted by %s: stopping the running tests (again to quit at once)",
			     proc_signal_name(pending_signal));
			begin_stop(d, "interrupted");
		}
		feed_idle(d);
		if (count_state(d, SLOT_DEAD) == d->o->workers)
			return;
		wait_for_events(d, waitmask);
		check_timeouts(d);
		tick(d);
	}
}

static void finish_leftovers(struct dispatcher *d)
{
	const char *why = d->stop_reason ? d->stop_reason :
		d->fatal ? "internal error" : "no worker was left to run it";
	for (size_t i = 0; i < d->nmap; i++) {
		struct test_case *t = test_of(d, (uint32_t)i);
		if (t->state == TEST_FINISHED)
			continue;
		test_finish(t, OUTCOME_NOTRUN, why);
		if (d->obs->test_finished)
			d->obs->test_finished(d->obs->data, t);
	}
}

static void stats_alloc(struct dispatch_stats *st, unsigned workers)
{
	memset(st, 0, sizeof(*st));
	st->busy = xcalloc(workers, sizeof(*st->busy));
	st->units = xcalloc(workers, sizeof(*st->units));
	st->tests = xcalloc(workers, sizeof(*st->tests));
}

int dispatch_run(struct run *r, struct balancer *b, const uint32_t *map, size_t nmap,
		 struct timing_cache *tc, const struct dispatch_opts *opts,
		 const struct run_observer *obs, struct dispatch_stats *stats, struct strbuf *err)
{
	struct dispatcher d = { .r = r, .b = b, .map = map, .nmap = nmap, .tc = tc, .o = opts,
				.obs = obs, .st = stats, .err = err };
	struct sigaction sa = { .sa_handler = on_signal }, old[3], ign = { .sa_handler = SIG_IGN }, oldpipe;
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t block, waitmask;
	unsigned started = 0;

	stats_alloc(stats, opts->workers);
	pending_signal = signal_count = 0;
	sigemptyset(&block);
	for (int i = 0; i < 3; i++) {
		sigaddset(&block, sigs[i]);
		sigaction(sigs[i], &sa, &old[i]);
	}
	sigaction(SIGPIPE, &ign, &oldpipe);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	for (int i = 0; i < 3; i++)
		sigdelset(&waitmask, sigs[i]);

	/* what a killed worker leaves behind becomes ours to kill (not fatal if unsupported) */
	reap_become_subreaper();
	d.t0 = now_ns();
	d.slots = xcalloc(opts->workers, sizeof(*d.slots));
	for (unsigned i = 0; i < opts->workers; i++) {
		d.slots[i].id = i;
		d.slots[i].proc.in = d.slots[i].proc.out = d.slots[i].proc.err = d.slots[i].proc.extra = -1;
		started += slot_spawn(&d, &d.slots[i]) == 0;
	}
	if (started)
		loop(&d, &waitmask);
	else
		d.fatal = 1;
	finish_leftovers(&d);
	stats->wall = since_start(&d);

	for (unsigned i = 0; i < opts->workers; i++) {
		if (d.slots[i].state != SLOT_DEAD)
			slot_reap(&d.slots[i], NULL);
		slot_clear_unit(&d.slots[i]);
	}
	reap_descendants(NULL, 0);
	free(d.slots);
	free(d.stop_reason);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	sigaction(SIGPIPE, &oldpipe, NULL);
	return d.fatal ? -1 : 0;
}

void dispatch_stats_release(struct dispatch_stats *s)
{
	free(s->busy);
	free(s->units);
	free(s->tests);
	memset(s, 0, sizeof(*s));
}
