/*
 * plan.c - the simulated run: bal_simulate, plans for --plan
 * (bal_plan_make), and bal_sim_run, which both use and which the benchmark
 * calls with other backfilling policies.
 *
 * The simulation is event-driven over opts->workers workers and uses the
 * public balancer API exactly as the runner does: the clock is set
 * (balancer_set_now) before every call; an idle worker asks balancer_next; a
 * unit pays an invocation overhead at its start and at every change of
 * binary inside it (a multi-binary group), then runs its tests one after the
 * other, each end being an event that calls balancer_observe; the last one
 * ends the unit (balancer_unit_done) and the worker asks again, followed by
 * every worker that was told BAL_WAIT.  Events are taken earliest first,
 * ties by worker index, so a simulation is deterministic.  A plan records
 * every unit with its worker, start and end, in dispatch order.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

/* One simulated worker: idle, waiting for another unit to end, busy, or done. */
enum plan_wstate { PLAN_IDLE, PLAN_WAITING, PLAN_BUSY, PLAN_DONE };

struct plan_worker {
	enum plan_wstate state;
	struct bal_unit unit;
	size_t next;            /* the unit's test that ends at `at` */
	double at;              /* time of this worker's next event */
	size_t planned;         /* its unit's index in the plan */
};

struct plan_sim {
	struct balancer *b;
	const struct bal_binary *binaries;
	const struct bal_test *tests;
	const double *actual;
	double default_overhead;
	struct plan_worker *w;
	unsigned nw;
	double *busy;           /* may be NULL */
	double makespan;
	struct bal_plan *plan;  /* may be NULL */
	size_t units_alloc, tests_alloc;
};

static double plan_duration(const struct plan_sim *s, uint32_t test)
{
	double d = s->actual ? s->actual[test] : s->tests[test].est;

	return d > 0 ? d : 0;
}

static double plan_overhead(const struct plan_sim *s, uint32_t binary)
{
	double overhead = s->binaries[binary].overhead;

	return overhead < 0 ? s->default_overhead : overhead;
}

/* Worker i starts a test of its unit at t; an overhead first if it opens an invocation. */
static void plan_start_test(struct plan_sim *s, unsigned i, double t)
{
	struct plan_worker *w = &s->w[i];
	uint32_t test = w->unit.tests[w->next];
	double overhead = 0;

	if (!w->next || s->tests[w->unit.tests[w->next - 1]].binary != s->tests[test].binary)
		overhead = plan_overhead(s, s->tests[test].binary);
	if (s->busy)
		s->busy[i] += overhead;
	w->at = t + overhead + plan_duration(s, test);
}

static void plan_record(struct plan_sim *s, unsigned i, double t)
{
	struct bal_plan *p = s->plan;
	struct plan_worker *w = &s->w[i];
	const struct bal_planned_unit *last = p->nunits ? &p->units[p->nunits - 1] : NULL;
	size_t first = last ? last->first + last->ntests : 0;
	struct bal_planned_unit *pu;

	ALLOC_GROW(p->units, p->nunits + 1, s->units_alloc);
	ALLOC_GROW(p->tests, first + w->unit.ntests, s->tests_alloc);
	pu = &p->units[p->nunits];
	pu->start = pu->end = t;
	pu->worker = i;
	pu->first = first;
	pu->ntests = w->unit.ntests;
	pu->smoke = w->unit.smoke;
	memcpy(p->tests + first, w->unit.tests, w->unit.ntests * sizeof(*p->tests));
	w->planned = p->nunits++;
}

/* Worker i is free at time t: give it a unit, or note that it waits or is done. */
static void plan_dispatch(struct plan_sim *s, unsigned i, double t)
{
	struct plan_worker *w = &s->w[i];

	balancer_set_now(s->b, t);
	switch (balancer_next(s->b, i, &w->unit)) {
	case BAL_UNIT:
		w->state = PLAN_BUSY;
		w->next = 0;
		plan_start_test(s, i, t);
		if (s->plan)
			plan_record(s, i, t);
		break;
	case BAL_WAIT:
		w->state = PLAN_WAITING;
		break;
	case BAL_DONE:
		w->state = PLAN_DONE;
		break;
	}
}

/* The earliest event, ties by worker index; -1 when nothing is running. */
static int plan_earliest(const struct plan_sim *s)
{
	int best = -1;
	unsigned i;

	for (i = 0; i < s->nw; i++)
		if (s->w[i].state == PLAN_BUSY && (best < 0 || s->w[i].at < s->w[best].at))
			best = i;
	return best;
}

/* Worker i's current test ends: observe it, start the next one or end the unit. */
static void plan_step(struct plan_sim *s, unsigned i)
{
	struct plan_worker *w = &s->w[i];
	uint32_t test = w->unit.tests[w->next];
	double t = w->at;
	unsigned j;

	balancer_set_now(s->b, t);
	balancer_observe(s->b, i, test, plan_duration(s, test));
	if (s->busy)
		s->busy[i] += plan_duration(s, test);
	if (++w->next < w->unit.ntests) {
		plan_start_test(s, i, t);
		return;
	}
	balancer_unit_done(s->b, i, NULL, 0);
	if (s->plan)
		s->plan->units[w->planned].end = t;
	if (t > s->makespan)
		s->makespan = t;
	plan_dispatch(s, i, t);
	for (j = 0; j < s->nw; j++)
		if (s->w[j].state == PLAN_WAITING)
			plan_dispatch(s, j, t);
}

double bal_sim_run(const struct bal_opts *opts, const struct bal_binary *binaries,
		   size_t nbinaries, const struct bal_test *tests, size_t ntests,
		   const struct bal_sim_opts *so)
{
	struct plan_sim s = { 0 };
	unsigned i;
	int next;

	s.b = balancer_new(opts, binaries, nbinaries, tests, ntests);
	balancer_set_backfill(s.b, so->backfill);
	s.binaries = binaries;
	s.tests = tests;
	s.actual = so->actual;
	s.default_overhead = opts->default_overhead > 0 ? opts->default_overhead : 0.04;
	s.nw = opts->workers ? opts->workers : 1;
	s.w = xcalloc(s.nw, sizeof(*s.w));
	s.busy = so->worker_busy;
	s.plan = so->plan;
	for (i = 0; s.busy && i < s.nw; i++)
		s.busy[i] = 0;
	for (i = 0; i < s.nw; i++)
		plan_dispatch(&s, i, 0);
	while ((next = plan_earliest(&s)) >= 0)
		plan_step(&s, next);
	free(s.w);
	balancer_free(s.b);
	return s.makespan;
}

double bal_simulate(const struct bal_opts *opts,
		    const struct bal_binary *binaries, size_t nbinaries,
		    const struct bal_test *tests, size_t ntests,
		    const double *actual, double *worker_busy)
{
	struct bal_sim_opts so = { .backfill = BAL_BACKFILL_EASY, .actual = actual,
				   .worker_busy = worker_busy };

	return bal_sim_run(opts, binaries, nbinaries, tests, ntests, &so);
}

void bal_plan_make(const struct bal_opts *opts, const struct bal_binary *binaries, size_t nbinaries,
		   const struct bal_test *tests, size_t ntests, struct bal_plan *plan)
{
	unsigned workers = opts->workers ? opts->workers : 1;
	struct bal_sim_opts so = { .backfill = BAL_BACKFILL_EASY, .plan = plan };

	memset(plan, 0, sizeof(*plan));
	plan->worker_busy = xcalloc(workers, sizeof(*plan->worker_busy));
	so.worker_busy = plan->worker_busy;
	plan->makespan = bal_sim_run(opts, binaries, nbinaries, tests, ntests, &so);
	plan->lower_bound = bal_lower_bound(tests, ntests, NULL, workers);
}

void bal_plan_release(struct bal_plan *plan)
{
	free(plan->units);
	free(plan->tests);
	free(plan->worker_busy);
	memset(plan, 0, sizeof(*plan));
}
