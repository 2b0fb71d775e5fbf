/*
 * dispatch-slot.c - one worker slot's life: start the worker process, hand
 * it a unit (a RUN frame built from the balancer's unit), tell it what it
 * will likely run next (PREPARE), retire it with BYE, reap it, and, when it
 * dies unasked, account for its unit and start a replacement.  See
 * dispatch.h for the slot states.
 */
#define _GNU_SOURCE
#include "dispatch-internal.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "reap.h"
#include "strvec.h"
#include "util.h"

int slot_spawn(struct dispatcher *d, struct slot *s)
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

void slot_clear_unit(struct slot *s)
{
	free(s->ctx);
	s->ctx = NULL;
	free(s->inv_of);
	s->inv_of = NULL;
	s->ninv = 0;
	free(s->tests);
	free(s->got);
	free(s->again);
	s->tests = NULL;
	s->got = NULL;
	s->again = NULL;
	s->ntests = 0;
	s->running = -1;
	s->load = 0;		/* its jobserver slots are free: tokens_settle gives them back */
}

/* Send BYE; the worker exits and we see EOF. */
void slot_retire(struct slot *s)
{
	struct proto_msg m = { .type = PROTO_BYE };
	if (proto_send(s->proc.in, &m))
		kill(-s->pgid, SIGTERM);
	s->state = SLOT_STOPPING;
	s->since_ns = now_ns();
}

void slot_reap(struct slot *s, int *status)
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
void slot_lost(struct dispatcher *d, struct slot *s, const char *why)
{
	enum slot_state was = s->state;
	char st[64], msg[256];
	int status = 0;

	slot_reap(s, &status);
	dispatch_reap_orphans(d);
	if (was == SLOT_STOPPING && !s->tests)
		return;		/* an orderly exit */
	snprintf(msg, sizeof(msg), "worker %u %s (%s)", s->id, why,
		 proc_describe_status(status, st, sizeof(st)));
	if (s->tests) {
		if (s->running >= 0) {
			size_t i = (size_t)s->running;
			s->got[i] = 1;
			if (d->stopping)
				dispatch_finish_unreported(d, s, i, OUTCOME_NOTRUN, d->stop_reason);
			else
				dispatch_finish_unreported(d, s, i, OUTCOME_CRASH, msg);
		}
		dispatch_account_unit(d, s);
		dispatch_requeue_rest(d, s, NULL);
		slot_clear_unit(s);
	}
	if (d->stopping)
		return;
	dispatch_note(d, "%s", msg);
	if (balancer_queued(d->b) == 0)
		return;
	if (d->st->restarts >= d->o->max_restarts) {
		dispatch_note(d, "not replacing worker %u: %u restarts is the limit (--max-worker-restart)",
		     s->id, d->o->max_restarts);
		return;
	}
	d->st->restarts++;
	if (slot_spawn(d, s) == 0)
		dispatch_note(d, "started a new worker %u", s->id);
}

/* A positive limit is never 0 ms ("none"): it rounds up. */
static uint64_t seconds_to_ms(double s)
{
	return s > 0 ? (uint64_t)ceil(s * 1000) : 0;
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
		own |= test_timeout(dispatch_test(d, u->tests[i])) > 0;
	if (!own)
		return;
	for (size_t i = 0; i < run->ninv; i++) {
		struct proto_invocation *inv = &run->inv[i];
		inv->timeouts_ms = xcalloc(inv->ntests, sizeof(*inv->timeouts_ms));
		for (size_t j = 0; j < inv->ntests; j++, k++) {
			const struct test_case *t = dispatch_test(d, u->tests[k]);
			inv->timeouts_ms[j] = seconds_to_ms(test_timeout(t) > 0 ? test_timeout(t) : d->o->timeout);
		}
	}
}

/*
 * Invocations of listed binaries say which tests by ordinal too (the
 * preload shim selects by it: common/preload.h); some adapters' by a check
 * of the name as well (ADAPTER_CHECKS).
 */
static void fill_ordinals(struct dispatcher *d, const struct bal_unit *u, struct proto_run *run)
{
	size_t k = 0;

	for (size_t i = 0; i < run->ninv; i++) {
		struct proto_invocation *inv = &run->inv[i];
		const struct adapter *a = d->r->bins[dispatch_test(d, u->tests[k])->binary].adapter;

		if (a->flags & ADAPTER_ONE_TEST) {
			k += inv->ntests;
			continue;
		}
		inv->ordinals = xcalloc(inv->ntests, sizeof(*inv->ordinals));
		if (a->flags & ADAPTER_CHECKS)
			inv->checks = xcalloc(inv->ntests, sizeof(*inv->checks));
		for (size_t j = 0; j < inv->ntests; j++, k++) {
			const struct test_case *t = dispatch_test(d, u->tests[k]);
			inv->ordinals[j] = t->ordinal;
			if (inv->checks)
				inv->checks[j] = t->check;
		}
	}
}

/* What an invocation of bin says about its command (borrowed from bin). */
static void fill_command(struct proto_invocation *inv, const struct binary *bin)
{
	const struct test_command *c = &bin->cmd;

	inv->binary = bin->abspath;
	inv->framework = (char *)bin->adapter->name;
	inv->preload = bin->preload;
	inv->args = c->args.v;
	inv->nargs = c->args.nr;
	inv->cwd = c->cwd;
	inv->env = c->env.v;
	inv->nenv = c->env.nr;
	inv->judge = c->judge;
	inv->skip_code = c->skip_code;
	inv->pass_regex = c->pass_regex.v;
	inv->npass_regex = c->pass_regex.nr;
	inv->fail_regex = c->fail_regex.v;
	inv->nfail_regex = c->fail_regex.nr;
	inv->skip_regex = c->skip_regex.v;
	inv->nskip_regex = c->skip_regex.nr;
	if (bin->conf) {
		inv->command = bin->conf->run.v;
		inv->ncommand = bin->conf->run.nr;
		inv->results = (char *)conf_results_name(bin->conf->results);
	}
}

/* The RUN's timeout_ms: --timeout. */
static uint32_t run_timeout_ms(const struct dispatcher *d)
{
	uint64_t ms = seconds_to_ms(d->o->timeout);

	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* The RUN for unit u; s->inv_of and s->ninv say which invocation holds each test. */
static void fill_run(struct dispatcher *d, struct slot *s, const struct bal_unit *u,
		     struct proto_run *run)
{
	run->unit = d->next_unit++;
	run->timeout_ms = run_timeout_ms(d);
	run->inv = xcalloc(u->ntests, sizeof(*run->inv));
	run->ninv = 0;
	for (size_t i = 0, cur = SIZE_MAX; i < u->ntests; i++) {
		struct test_case *t = dispatch_test(d, u->tests[i]);
		struct binary *bin = &d->r->bins[t->binary];
		struct proto_invocation *inv = run->ninv ? &run->inv[run->ninv - 1] : NULL;

		/* a new invocation per binary, and when a configured framework's batch is full */
		if (!inv || t->binary != cur || (bin->conf && bin->conf->batch &&
						 inv->ntests >= bin->conf->batch)) {
			cur = t->binary;
			inv = &run->inv[run->ninv++];
			fill_command(inv, bin);
			inv->tests = xcalloc(u->ntests, sizeof(*inv->tests));
		}
		inv->tests[inv->ntests++] = (char *)t->name;	/* borrowed: only encoded */
		s->inv_of[i] = (uint32_t)(run->ninv - 1);
	}
	s->ninv = run->ninv;
	fill_timeouts(d, u, run);
	fill_ordinals(d, u, run);
}

/* Order unit tests by invocation, binary, scope, rank in scope. */
static int ctx_cmp(const void *pa, const void *pb, void *data)
{
	const struct slot *s = ((void **)data)[0];
	struct dispatcher *d = ((void **)data)[1];
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const struct test_case *x = dispatch_test(d, s->tests[a]), *y = dispatch_test(d, s->tests[b]);

	if (s->inv_of[a] != s->inv_of[b])
		return s->inv_of[a] < s->inv_of[b] ? -1 : 1;
	if (x->binary != y->binary)
		return x->binary < y->binary ? -1 : 1;
	if (x->scope != y->scope)
		return x->scope < y->scope ? -1 : 1;
	return x->scope_rank < y->scope_rank ? -1 : x->scope_rank > y->scope_rank;
}

/*
 * s->ctx[i]: test i's invocation holds every test of its scope before it
 * (context.h).  Sorted by scope and rank, a test is in context when its
 * rank equals its place in its scope's run: 0, 1, 2, ... without a gap.
 */
static void fill_context(struct dispatcher *d, struct slot *s)
{
	uint32_t *v = xcalloc(s->ntests ? s->ntests : 1, sizeof(*v));
	void *data[2] = { s, d };

	for (size_t i = 0; i < s->ntests; i++)
		v[i] = (uint32_t)i;
	qsort_r(v, s->ntests, sizeof(*v), ctx_cmp, data);
	s->ctx = xcalloc(s->ntests ? s->ntests : 1, 1);
	for (size_t i = 0, pos = 0; i < s->ntests; i++) {
		const struct test_case *t = dispatch_test(d, s->tests[v[i]]);
		const struct test_case *p = i ? dispatch_test(d, s->tests[v[i - 1]]) : NULL;
		int same = p && s->inv_of[v[i - 1]] == s->inv_of[v[i]] && p->binary == t->binary &&
			   p->scope == t->scope;

		pos = same ? pos + 1 : 0;
		s->ctx[v[i]] = t->scope_rank == pos;	/* ranks are distinct: none is missing */
	}
	free(v);
}

/*
 * A unit that holds locks or more than one slot must not take a process its
 * worker started ahead, before the locks were its: an empty PREPARE makes
 * the worker discard what it holds.
 */
static int slot_unprepare(const struct slot *s)
{
	struct proto_msg m = { .type = PROTO_PREPARE };

	return proto_send(s->proc.in, &m);
}

void slot_send_unit(struct dispatcher *d, struct slot *s, const struct bal_unit *u)
{
	struct proto_msg m = { .type = PROTO_RUN };
	int failed, unprepare = s->advised && u->guarded;

	s->inv_of = xcalloc(u->ntests, sizeof(*s->inv_of));
	fill_run(d, s, u, &m.u.run);
	s->unit = m.u.run.unit;
	s->ntests = u->ntests;
	s->tests = xcalloc(u->ntests, sizeof(*s->tests));
	memcpy(s->tests, u->tests, u->ntests * sizeof(*s->tests));
	s->got = xcalloc(u->ntests, 1);
	s->again = xcalloc(u->ntests, 1);
	fill_context(d, s);
	s->running = -1;
	s->unit_start_ns = now_ns();
	s->state = SLOT_BUSY;
	s->advised = s->nadvised = 0;
	s->smoke = u->smoke;
	if (u->smoke)
		dispatch_smoke_sent(d, u);
	d->other_sent |= !u->smoke;
	for (size_t i = 0; i < u->ntests; i++)
		test_count_attempt(dispatch_test(d, u->tests[i]));
	failed = (unprepare && slot_unprepare(s)) || proto_send(s->proc.in, &m);
	for (size_t i = 0; i < m.u.run.ninv; i++) {
		free(m.u.run.inv[i].tests);
		free(m.u.run.inv[i].timeouts_ms);
		free(m.u.run.inv[i].ordinals);
		free(m.u.run.inv[i].checks);
	}
	free(m.u.run.inv);
	if (failed)
		slot_lost(d, s, "could not be sent its work");
}

/*
 * PREPAREs to one worker during one unit, at most: each is small, so the
 * pipe never fills (the coordinator writes blocking) even if the worker is
 * deaf until its unit ends.
 */
#define MAX_ADVICE 4

/*
 * Work ahead (worker/held.h): the worker expected to need work first hears
 * the binary it will most likely get (balancer_predict), so that binary's
 * process can start while the worker's unit runs.  Only for adapters that
 * can hold a process (adapter.prestart) and binaries the preload shim runs;
 * a binary once per unit.  A wrong guess costs a process start.
 */
void dispatch_advise(struct dispatcher *d)
{
	struct proto_msg m = { .type = PROTO_PREPARE };
	struct proto_invocation inv;
	const struct binary *bin;
	struct slot *s;
	uint32_t test, binary;
	unsigned w;

	if (d->stopping || !balancer_predict(d->b, &w, &test))
		return;
	s = &d->slots[w];
	binary = dispatch_test(d, test)->binary;
	bin = &d->r->bins[binary];
	if (s->state != SLOT_BUSY || !bin->adapter->prestart || !bin->preload || !*bin->preload ||
	    s->advised == binary + 1 || s->nadvised >= MAX_ADVICE)
		return;
	s->advised = binary + 1;
	s->nadvised++;
	memset(&inv, 0, sizeof(inv));
	fill_command(&inv, bin);
	m.u.run.timeout_ms = run_timeout_ms(d);
	m.u.run.inv = &inv;
	m.u.run.ninv = 1;
	if (proto_send(s->proc.in, &m))
		slot_lost(d, s, "could not be sent its work");
}
