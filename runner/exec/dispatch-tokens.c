/*
 * dispatch-tokens.c - the dispatch loop's share of a jobserver (make's, or
 * the machine's budget: common/jobserver.h, jobserver-machine.h).
 *
 * A busy worker slot holds as many jobserver slots as its unit's weight
 * (slot.load: its heaviest test's weight, at most the workers and the
 * jobserver's size; a worker runs one test at a time, so a unit of weight 1
 * is one running process).  The run holds the implicit slot (under make)
 * plus the tokens it took; an idle worker gets queued work only when that
 * covers the running units' loads and the new unit's.  Tokens are read
 * without blocking; when none is free the workers wait and the loop polls
 * the jobserver.
 *
 * Giving back is not tied to any one way a unit ends: a unit's load is
 * cleared with the unit (slot_clear_unit: DONE, a lost or SIGKILLed worker,
 * a stop, an abort), and after each round of feeding, tokens_settle gives
 * back every token beyond the loads of the units still running.  So the
 * token a finished unit frees goes to the next unit when there is one, and
 * back to the jobserver in the same round when there is none.
 * tokens_release gives back what is left when dispatch_run returns.
 *
 * A unit of weight W > 1 gathers: it keeps the tokens it got for up to
 * GATHER_NS while it waits for the rest.  Two runs gathering at once could
 * each hold part of what the other needs; so when the time is up the
 * partial tokens go back and the run does not gather again for a random
 * part of GATHER_NS.  Its weight is at most the jobserver's size, so it
 * can always fit once the others are done.
 *
 * A run of the machine's budget that has waited RECOUNT_NS for a token
 * recounts the budget (at most once per RECOUNT_NS): tokens a killed run
 * took with it are made anew (jobserver-machine.h).
 */
#include "dispatch-internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "jobserver-machine.h"
#include "jobserver.h"
#include "util.h"

#define GATHER_NS  (1000ull * 1000000ull)
#define RECOUNT_NS (1000ull * 1000000ull)

/* The jobserver the run uses now: NULL without one, or once it broke. */
static struct jobserver *tokens_js(const struct dispatcher *d)
{
	return d->tk.failed ? NULL : d->o->jobserver;
}

/* Jobserver slots the running units hold. */
static unsigned used_slots(const struct dispatcher *d)
{
	unsigned n = 0;

	for (unsigned i = 0; i < d->o->workers; i++)
		n += d->slots[i].load;
	return n;
}

/* The slots unit u takes: its heaviest test's weight, at most the workers and the jobserver's size. */
static unsigned unit_weight(struct dispatcher *d, const struct bal_unit *u)
{
	const struct jobserver *js = d->o->jobserver;
	unsigned w = 1;

	for (size_t i = 0; i < u->ntests; i++) {
		unsigned tw = dispatch_test(d, u->tests[i])->weight;
		w = tw > w ? tw : w;
	}
	w = w > d->o->workers ? d->o->workers : w;
	if (js && js->size && w > js->size)
		w = js->size;
	return w ? w : 1;
}

/* Take tokens until the run holds the running units' slots and want more.  1 if it does. */
static int fill(struct dispatcher *d, struct jobserver *js, unsigned want)
{
	unsigned need = used_slots(d) + want;

	while (jobserver_slots(js) < need) {
		int rc = jobserver_take(js);

		if (rc < 0) {
			dispatch_note(d, "cannot take a token from %s: %s; going on without it", js->name,
				      strerror(errno));
			d->tk.failed = 1;	/* a broken jobserver must not stall the run */
			return 1;
		}
		if (rc == 0)
			return 0;
	}
	return 1;
}

/*
 * No slot for the next unit of weight want: the idle workers wait, and a
 * heavy unit gathers (unless it is backing off: then it takes nothing).
 */
static void start_waiting(struct dispatcher *d, unsigned want, uint64_t now)
{
	d->tk.want = want;
	d->tk.waiting = 1;
	if (!d->tk.wait_since)
		d->tk.wait_since = now;
	if (want > 1 && !d->tk.gather_since && now >= d->tk.backoff_until)
		d->tk.gather_since = now;
}

int tokens_ready(struct dispatcher *d)
{
	struct jobserver *js = tokens_js(d);
	unsigned want = d->tk.want ? d->tk.want : 1;
	uint64_t now = now_ns();

	if (!js)
		return 1;
	if (now < d->tk.backoff_until || !fill(d, js, want)) {
		start_waiting(d, want, now);
		return 0;
	}
	return 1;
}

int tokens_charge(struct dispatcher *d, struct slot *s, const struct bal_unit *u)
{
	struct jobserver *js = tokens_js(d);
	unsigned w = unit_weight(d, u);

	if (js && !fill(d, js, w)) {
		start_waiting(d, w, now_ns());
		return -1;
	}
	s->load = w;
	d->tk.want = 1;
	d->tk.gather_since = 0;
	return 0;
}

/* A gather that ran out of time ends, and the next one waits a while (see the top). */
static int gathering(struct dispatcher *d, uint64_t now)
{
	if (!d->tk.gather_since)
		return 0;
	if (d->tk.waiting && now - d->tk.gather_since < GATHER_NS)
		return 1;
	if (d->tk.waiting)
		d->tk.backoff_until = now + (now ^ (uint64_t)getpid() * 2654435761u) % GATHER_NS;
	d->tk.gather_since = 0;
	return 0;
}

/* Waited long enough on the machine's budget: recount it (jobserver-machine.h). */
static void recount_if_starved(struct dispatcher *d, struct jobserver *js, uint64_t now)
{
	int made;

	if (!js->dir || !d->tk.wait_since || now - d->tk.wait_since < RECOUNT_NS || now < d->tk.recount_at)
		return;
	d->tk.recount_at = now + RECOUNT_NS;
	made = jobserver_machine_recount(js);
	if (made > 0)
		dispatch_note(d, "%s had lost %d token%s (a run that held them was killed): made anew",
			      js->name, made, made == 1 ? "" : "s");
}

void tokens_settle(struct dispatcher *d)
{
	struct jobserver *js = tokens_js(d);
	uint64_t now = now_ns();
	unsigned keep;

	if (!js)
		return;
	if (!d->tk.waiting)
		d->tk.wait_since = 0;
	keep = used_slots(d) + (gathering(d, now) ? d->tk.want : 0);
	while (jobserver_slots(js) > keep && js->nheld)
		jobserver_give(js);
	recount_if_starved(d, js, now);
}

int tokens_poll_fd(const struct dispatcher *d)
{
	const struct jobserver *js = tokens_js(d);

	if (!js || !d->tk.waiting || now_ns() < d->tk.backoff_until)
		return -1;
	return jobserver_poll_fd(js);
}

void tokens_release(struct dispatcher *d)
{
	if (d->o->jobserver)
		jobserver_give_all(d->o->jobserver);
}
