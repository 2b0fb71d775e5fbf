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
#include "dispatch-internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "reap.h"
#include "retry.h"
#include "signals.h"
#include "strvec.h"
#include "util.h"

struct test_case *dispatch_test(struct dispatcher *d, uint32_t bi)
{
	return &d->r->tests[d->map[bi]];
}

double dispatch_clock(const struct dispatcher *d)
{
	return (double)(now_ns() - d->t0) / 1e9;
}

void dispatch_note(struct dispatcher *d, const char *fmt, ...)
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

void dispatch_stop(struct dispatcher *d, const char *reason)
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

void dispatch_count_failure(struct dispatcher *d, const struct test_case *t)
{
	if (!outcome_is_failure(t->outcome))
		return;
	d->failures++;
	if (d->o->maxfail && d->failures >= (unsigned)d->o->maxfail && !d->stopping) {
		char why[128];
		snprintf(why, sizeof(why), "stopped after %u failure%s (%s)", d->failures,
			 d->failures == 1 ? "" : "s", d->o->maxfail == 1 ? "-x" : "--maxfail");
		dispatch_note(d, "%s", why);
		dispatch_stop(d, why);
	}
}

/* Write a finished test to the timing cache and the checkpoint. */
void dispatch_remember(struct dispatcher *d, const struct test_case *t, uint64_t rss_kb)
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

/*
 * Every smoke test that finished failed, having passed last time, and some
 * are still running: their verdict decides whether the run goes on, so no
 * other work starts until it is in (else a fast worker would run the suite
 * against a broken environment meanwhile).
 */
static int smoke_verdict_pending(const struct dispatcher *d)
{
	return d->smoke_sent >= 2 && !d->smoke_unproven && d->smoke_done >= 1 &&
	       d->smoke_done < d->smoke_sent && d->smoke_failed == d->smoke_done;
}

/* A smoke test is evidence about the environment only if it passed last time (phases.c noted it). */
void dispatch_smoke_sent(struct dispatcher *d, const struct bal_unit *u)
{
	for (size_t i = 0; i < u->ntests; i++)
		d->smoke_unproven |= !dispatch_test(d, u->tests[i])->passed_last;
	d->smoke_sent += (unsigned)u->ntests;
}

static void smoke_stop(struct dispatcher *d)
{
	char why[200];

	snprintf(why, sizeof(why), "all %u smoke tests failed: the environment looks broken; stopping "
		 "(use --smoke 0 to run everything anyway)", d->smoke_done);
	dispatch_note(d, "%s", why);
	d->st->smoke_failed = 1;
	dispatch_stop(d, "not run: all smoke tests failed");
}

/* A test of slot s finished: count it if it was a smoke test. */
void dispatch_smoke_observe(struct dispatcher *d, const struct slot *s, const struct test_case *t)
{
	if (!s->smoke || t->outcome == OUTCOME_NOTRUN)
		return;
	d->smoke_done++;
	d->smoke_failed += outcome_is_failure(t->outcome);
	if (smoke_broken(d) && d->other_sent && !d->stopping)
		smoke_stop(d);
}

/*
 * Test i of slot s's unit failed and has retries left (retry.h): its attempt
 * goes to the timing cache and into t->more->tries, and the test goes back to the
 * queue when the unit ends (s->again).  Returns 1 if so; 0 and nothing done
 * otherwise (no retries left, not a failure, or the run is stopping).
 */
int dispatch_retry(struct dispatcher *d, struct slot *s, size_t i)
{
	struct test_case *t = dispatch_test(d, s->tests[i]);

	if (d->stopping || !retry_wanted(t, d->o->retries))
		return 0;
	if (d->tc)
		tc_record_test(d->tc, t->id, t->outcome, t->duration, t->rss_kb);
	if (d->obs->test_retried)
		d->obs->test_retried(d->obs->data, t);
	retry_keep(t);
	s->again[i] = 1;
	d->st->tests[s->id]++;
	return 1;
}

/*
 * Test i of a busy slot ended without a RESULT from the worker.  Returns 1
 * if it failed and will run again (dispatch_retry).  A retry stopped by
 * the end of the run ends with its last failed attempt.
 */
int dispatch_finish_unreported(struct dispatcher *d, struct slot *s, size_t i, enum outcome o,
			       const char *msg)
{
	struct test_case *t = dispatch_test(d, s->tests[i]);
	t->end = dispatch_clock(d);
	if (t->state != TEST_RUNNING)
		t->start = t->end;
	t->duration = t->end - t->start;
	t->worker = (int)s->id;
	test_finish(t, o, msg);
	if (o == OUTCOME_NOTRUN && retry_restore(t) == 0)
		o = t->outcome;
	else if (o != OUTCOME_NOTRUN && dispatch_retry(d, s, i))
		return 1;
	else if (o != OUTCOME_NOTRUN)
		dispatch_remember(d, t, 0);
	d->st->tests[s->id]++;
	if (d->obs->test_finished)
		d->obs->test_finished(d->obs->data, t);
	dispatch_count_failure(d, t);
	dispatch_smoke_observe(d, s, t);
	return 0;
}

void dispatch_account_unit(struct dispatcher *d, struct slot *s)
{
	d->st->busy[s->id] += (double)(now_ns() - s->unit_start_ns) / 1e9;
	d->st->units[s->id]++;
}

static void stats_fallback(struct dispatch_stats *st, uint32_t binary, size_t tests,
			   const char *fmt, va_list ap)
{
	struct strbuf what = STRBUF_INIT;

	strbuf_vaddf(&what, fmt, ap);
	for (size_t i = 0; i < st->nfallbacks; i++) {
		struct dispatch_fallback *f = &st->fallbacks[i];
		if (f->binary == binary && !strcmp(f->what, what.buf)) {
			f->tests += tests;
			f->times++;
			strbuf_release(&what);
			return;
		}
	}
	ALLOC_GROW(st->fallbacks, st->nfallbacks + 1, st->fallbacks_alloc);
	st->fallbacks[st->nfallbacks++] = (struct dispatch_fallback){
		.binary = binary, .what = strbuf_detach(&what, NULL), .tests = tests, .times = 1 };
}

void dispatch_stats_fallback(struct dispatch_stats *st, uint32_t binary, size_t tests,
			     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stats_fallback(st, binary, tests, fmt, ap);
	va_end(ap);
}

void dispatch_fallback(struct dispatcher *d, uint32_t binary, size_t tests, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stats_fallback(d->st, binary, tests, fmt, ap);
	va_end(ap);
}

/*
 * Test i of the slot's unit got no RESULT, and its invocation made no
 * progress at all (or the worker was lost before any test started).  That is
 * the batch's problem, not the test's (a selection the framework choked on,
 * a death before the first test): the first time, the test goes back to run
 * alone; alone too, it is finished NOT RUN with what happened.  error: the
 * invocation's error from DONE ("" for none), NULL when the worker was lost.
 * Returns 1 if the test goes back to the queue.
 */
static int dispatch_isolate(struct dispatcher *d, struct slot *s, size_t i, const char *error)
{
	struct test_case *t = dispatch_test(d, s->tests[i]);
	char *why;

	if (!t->isolated) {
		t->isolated = 1;
		balancer_isolate(d->b, s->tests[i]);
		if (!error)
			dispatch_fallback(d, t->binary, 1, "ran tests alone: their batch lost its worker "
					  "before any test started");
		else if (*error)
			dispatch_fallback(d, t->binary, 1, "ran tests alone: their batch ended before any "
					  "test ran (%s)", error);
		else
			dispatch_fallback(d, t->binary, 1, "ran tests alone: their batch ended without "
					  "running any of them");
		return 1;
	}
	if (!error)
		why = xstrdup("not run: its worker was lost before it started, also when run alone");
	else if (*error)
		why = xasprintf("not run: its binary ended before any test ran, also when run alone (%s)",
				error);
	else
		why = xstrdup("not run: its binary did not run it, also when run alone");
	d->dead_alone[t->binary] += !error || *error;
	dispatch_finish_unreported(d, s, i, OUTCOME_NOTRUN, why);
	free(why);
	return 0;
}

void dispatch_requeue_rest(struct dispatcher *d, struct slot *s, char *const *errors)
{
	uint32_t *back = xcalloc(s->ntests ? s->ntests : 1, sizeof(*back));
	unsigned char *progress = xcalloc(s->ninv ? s->ninv : 1, 1);
	size_t nback = 0, nagain = 0;
	uint32_t again_bin = 0;
	int any = 0;

	for (size_t i = 0; i < s->ntests; i++) {
		progress[s->inv_of[i]] |= s->got[i];
		any |= s->got[i];
	}
	for (size_t i = 0; i < s->ntests; i++) {
		struct test_case *t = dispatch_test(d, s->tests[i]);
		const char *error = errors ? errors[s->inv_of[i]] : NULL;
		int requeue = s->again[i] && !d->stopping;	/* a retry: a unit of its own later */

		if (s->got[i] && !requeue)
			continue;
		if (requeue || d->stopping) {
			requeue = 1;
		} else if (errors ? progress[s->inv_of[i]] : any) {
			requeue = 1;	/* another test ended the batch: nothing against this one */
			again_bin = nagain++ ? again_bin : t->binary;
			t->unreached += t->unreached < MAX_UNREACHED;
			if (t->unreached >= MAX_UNREACHED && !t->isolated) {
				t->isolated = 1;
				balancer_isolate(d->b, s->tests[i]);
			}
		} else {
			requeue = dispatch_isolate(d, s, i, error);
		}
		if (!requeue)
			continue;
		t->state = TEST_PENDING;
		back[nback++] = s->tests[i];
		d->smoke_sent -= s->smoke;	/* it will be sent again */
	}
	if (nagain && !d->stopping)
		dispatch_fallback(d, again_bin, nagain,
				  "ran tests again in a new batch: their batch ended before reaching them");
	balancer_set_now(d->b, dispatch_clock(d));
	balancer_unit_done(d->b, s->id, back, nback);
	free(progress);
	free(back);
}

/* Kill what lost workers left behind: every child of ours that is not a live worker. */
void dispatch_reap_orphans(struct dispatcher *d)
{
	pid_t *keep = xcalloc(d->o->workers, sizeof(*keep));
	size_t n = 0;

	for (unsigned i = 0; i < d->o->workers; i++)
		if (d->slots[i].state != SLOT_DEAD && d->slots[i].proc.pid > 0)
			keep[n++] = d->slots[i].proc.pid;
	reap_descendants(keep, n);
	free(keep);
}

/*
 * Isolated tests of this unit's binary died before they started MAX_DEAD_ALONE
 * times, and none ever started alone: the binary cannot run a test at all, so
 * the unit's tests end NOT RUN without another try.  1 if so.
 */
static int skip_broken(struct dispatcher *d, unsigned worker, const struct bal_unit *u)
{
	uint32_t bin = dispatch_test(d, u->tests[0])->binary;

	for (size_t i = 0; i < u->ntests; i++) {
		const struct test_case *t = dispatch_test(d, u->tests[i]);
		if (!t->isolated || d->dead_alone[t->binary] < MAX_DEAD_ALONE ||
		    d->started_alone[t->binary])
			return 0;
	}
	for (size_t i = 0; i < u->ntests; i++) {
		struct test_case *t = dispatch_test(d, u->tests[i]);
		t->worker = -1;
		test_finish(t, OUTCOME_NOTRUN, "not run: other tests of its binary, run alone, all "
			    "ended before they started");
		if (d->obs->test_finished)
			d->obs->test_finished(d->obs->data, t);
	}
	dispatch_fallback(d, bin, u->ntests, "gave up on tests: %d tests of the binary, run alone, "
			  "all ended before they started", MAX_DEAD_ALONE);
	balancer_unit_done(d->b, worker, NULL, 0);
	return 1;
}

static void feed_idle(struct dispatcher *d)
{
	d->tk.waiting = 0;	/* this round says again who waits for a token */
	for (unsigned i = 0; i < d->o->workers; i++) {
		struct slot *s = &d->slots[i];
		struct bal_unit u;
		if (s->state != SLOT_IDLE)
			continue;
		if (d->stopping) {
			slot_retire(s);
			continue;
		}
		if (balancer_queued(d->b) && !tokens_ready(d))
			return;	/* no jobserver slot for more work: every idle worker waits */
		balancer_set_now(d->b, dispatch_clock(d));
		switch (balancer_next(d->b, s->id, &u)) {
		case BAL_UNIT:
			if (skip_broken(d, s->id, &u)) {
				i--;	/* ask again for this worker */
				break;
			}
			if (!u.smoke && smoke_broken(d)) {
				balancer_unit_done(d->b, s->id, u.tests, u.ntests);
				smoke_stop(d);
				break;
			}
			if (!u.smoke && smoke_verdict_pending(d)) {
				balancer_unit_done(d->b, s->id, u.tests, u.ntests);
				break;	/* wait for the other smoke tests first */
			}
			if (tokens_charge(d, s, &u)) {
				balancer_unit_done(d->b, s->id, u.tests, u.ntests);
				return;	/* it comes back when the jobserver has its slots */
			}
			slot_send_unit(d, s, &u);
			break;
		case BAL_DONE:
			slot_retire(s);
			break;
		case BAL_WAIT:
			break;
		}
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
	struct pollfd *pfd = xcalloc(d->o->workers + 1, sizeof(*pfd));
	unsigned *who = xcalloc(d->o->workers + 1, sizeof(*who));
	struct timespec tick = { 0, TICK_MS * 1000000L };
	nfds_t n = 0;

	for (unsigned i = 0; i < d->o->workers; i++) {
		if (d->slots[i].state == SLOT_DEAD || d->slots[i].proc.out < 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = d->slots[i].proc.out, .events = POLLIN };
		who[n++] = i;
	}
	if (tokens_poll_fd(d) >= 0) {	/* a token may be free: the next round takes it */
		pfd[n] = (struct pollfd){ .fd = tokens_poll_fd(d), .events = POLLIN };
		who[n++] = d->o->workers;
	}
	if (ppoll(pfd, n, &tick, waitmask) > 0) {
		for (nfds_t k = 0; k < n; k++)
			if (pfd[k].revents && who[k] < d->o->workers && d->slots[who[k]].state != SLOT_DEAD)
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
		d->obs->tick(d->obs->data, dispatch_clock(d), balancer_remaining(d->b),
			     count_state(d, SLOT_BUSY));
}

static void loop(struct dispatcher *d, const sigset_t *waitmask)
{
	for (;;) {
		if (signals_count() >= 2) {
			d->st->aborted = 1;
			abort_all(d);
			return;
		}
		if (signals_pending() && !d->st->interrupted) {
			d->st->interrupted = signals_pending();
			dispatch_note(d, "interrupted by %s: stopping the running tests (again to quit at once)",
			     proc_signal_name(d->st->interrupted));
			dispatch_stop(d, "interrupted");
		}
		feed_idle(d);
		dispatch_advise(d);
		tokens_settle(d);
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
		struct test_case *t = dispatch_test(d, (uint32_t)i);
		if (t->state == TEST_FINISHED)
			continue;
		if (retry_restore(t))	/* a retry that never ran ends with its last failure */
			test_finish(t, OUTCOME_NOTRUN, why);
		if (d->obs->test_finished)
			d->obs->test_finished(d->obs->data, t);
	}
}

static void stats_alloc(struct dispatch_stats *st, unsigned workers)
{
	memset(st, 0, sizeof(*st));
	st->busy = xcalloc(workers, sizeof(*st->busy));
	st->own = xcalloc(workers, sizeof(*st->own));
	st->units = xcalloc(workers, sizeof(*st->units));
	st->tests = xcalloc(workers, sizeof(*st->tests));
}

int dispatch_run(struct run *r, struct balancer *b, const uint32_t *map, size_t nmap,
		 struct timing_cache *tc, const struct dispatch_opts *opts,
		 const struct run_observer *obs, struct dispatch_stats *stats, struct strbuf *err)
{
	struct dispatcher d = { .r = r, .b = b, .map = map, .nmap = nmap, .tc = tc, .o = opts,
				.obs = obs, .st = stats, .err = err };
	struct signals sig;
	unsigned started = 0;

	stats_alloc(stats, opts->workers);
	d.dead_alone = xcalloc(r->nbins ? r->nbins : 1, sizeof(*d.dead_alone));
	d.started_alone = xcalloc(r->nbins ? r->nbins : 1, 1);
	if (obs->run_started)
		obs->run_started(obs->data, nmap, opts->workers);
	signals_catch(&sig);

	/* what a killed worker leaves behind becomes ours to kill (not fatal if unsupported) */
	reap_become_subreaper();
	d.t0 = now_ns();
	d.slots = xcalloc(opts->workers, sizeof(*d.slots));
	for (unsigned i = 0; i < opts->workers; i++) {
		d.slots[i].id = i;
		d.slots[i].proc.in = d.slots[i].proc.out = d.slots[i].proc.err = d.slots[i].proc.extra =
			d.slots[i].proc.hold = -1;
		started += slot_spawn(&d, &d.slots[i]) == 0;
	}
	if (started)
		loop(&d, &sig.waitmask);
	else
		d.fatal = 1;
	finish_leftovers(&d);
	stats->wall = dispatch_clock(&d);

	for (unsigned i = 0; i < opts->workers; i++) {
		if (d.slots[i].state != SLOT_DEAD)
			slot_reap(&d.slots[i], NULL);
		slot_clear_unit(&d.slots[i]);
	}
	reap_descendants(NULL, 0);
	tokens_release(&d);
	free(d.slots);
	free(d.stop_reason);
	free(d.faults);
	free(d.dead_alone);
	free(d.started_alone);
	signals_restore(&sig);
	return d.fatal ? -1 : 0;
}

void dispatch_stats_release(struct dispatch_stats *s)
{
	for (size_t i = 0; i < s->nfallbacks; i++)
		free(s->fallbacks[i].what);
	free(s->fallbacks);
	free(s->busy);
	free(s->own);
	free(s->units);
	free(s->tests);
	memset(s, 0, sizeof(*s));
}
