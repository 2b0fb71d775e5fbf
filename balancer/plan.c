/*
 * plan.c - planning around the balancer: estimates for unknown tests, a
 * simulated run, and the lower bound no schedule can beat.
 *
 * bal_simulate is an event-driven simulation of opts->workers workers that
 * uses the public balancer API exactly as the runner does: an idle worker
 * asks balancer_next; a unit pays its binary's overhead and then runs its
 * tests one after the other, each end being an event that calls
 * balancer_observe; the last one ends the unit (balancer_unit_done) and the
 * worker asks again, followed by every worker that was told BAL_WAIT.
 * Events are taken earliest first, ties by worker index, so a simulation is
 * deterministic.
 */
#include <stdlib.h>

#include "balancer.h"
#include "util.h"

/* Sort key for the per-binary medians: binary, then estimate. */
struct plan_known {
	uint32_t binary;
	double est;
};

static int plan_cmp_known(const void *pa, const void *pb)
{
	const struct plan_known *a = pa, *b = pb;

	if (a->binary != b->binary)
		return a->binary < b->binary ? -1 : 1;
	return a->est < b->est ? -1 : a->est > b->est;
}

/* Median of v[0..n), sorted (n > 0). */
static double plan_median(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int plan_cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a < b ? -1 : a > b;
}

/* per_bin[b] = median of binary b's known estimates, or fallback if it has none. */
static void plan_binary_medians(struct plan_known *known, double *ests, size_t nknown,
				double *per_bin, size_t nbinaries, double fallback)
{
	size_t i, start;

	for (i = 0; i < nbinaries; i++)
		per_bin[i] = fallback;
	qsort(known, nknown, sizeof(*known), plan_cmp_known);
	for (i = 0; i < nknown; i++)
		ests[i] = known[i].est;
	for (start = 0; start < nknown; start = i) {
		for (i = start; i < nknown && known[i].binary == known[start].binary; i++)
			;
		if (known[start].binary < nbinaries)
			per_bin[known[start].binary] = plan_median(ests + start, i - start);
	}
}

void bal_estimate(struct bal_test *tests, size_t ntests, size_t nbinaries, double default_est)
{
	struct plan_known *known = xcalloc(ntests ? ntests : 1, sizeof(*known));
	double *ests = xcalloc(ntests ? ntests : 1, sizeof(*ests));
	double *per_bin = xcalloc(nbinaries ? nbinaries : 1, sizeof(*per_bin));
	double fallback = default_est > 0 ? default_est : 0.5;
	size_t nknown = 0, i;

	for (i = 0; i < ntests; i++) {
		if (tests[i].est < 0)
			continue;
		known[nknown].binary = tests[i].binary;
		known[nknown].est = ests[nknown] = tests[i].est;
		nknown++;
	}
	if (nknown) {
		qsort(ests, nknown, sizeof(*ests), plan_cmp_double);
		fallback = plan_median(ests, nknown);
	}
	plan_binary_medians(known, ests, nknown, per_bin, nbinaries, fallback);
	for (i = 0; i < ntests; i++)
		if (tests[i].est < 0)
			tests[i].est = tests[i].binary < nbinaries ? per_bin[tests[i].binary] : fallback;
	free(per_bin);
	free(ests);
	free(known);
}

/* One simulated worker: idle, waiting for another unit to end, busy, or done. */
enum plan_wstate { PLAN_IDLE, PLAN_WAITING, PLAN_BUSY, PLAN_DONE };

struct plan_worker {
	enum plan_wstate state;
	struct bal_unit unit;
	size_t next;            /* the unit's test that ends at `at` */
	double at;              /* time of this worker's next event */
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
};

static double plan_duration(const struct plan_sim *s, uint32_t test)
{
	return s->actual ? s->actual[test] : s->tests[test].est;
}

/* Worker i is free at time t: give it a unit, or note that it waits or is done. */
static void plan_dispatch(struct plan_sim *s, unsigned i, double t)
{
	struct plan_worker *w = &s->w[i];
	double overhead;

	switch (balancer_next(s->b, i, &w->unit)) {
	case BAL_UNIT:
		overhead = s->binaries[w->unit.binary].overhead;
		if (overhead < 0)
			overhead = s->default_overhead;
		w->state = PLAN_BUSY;
		w->next = 0;
		w->at = t + overhead + plan_duration(s, w->unit.tests[0]);
		if (s->busy)
			s->busy[i] += overhead;
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
	double t = w->at, d = plan_duration(s, test);
	unsigned j;

	balancer_observe(s->b, i, test, d);
	if (s->busy)
		s->busy[i] += d;
	if (++w->next < w->unit.ntests) {
		w->at = t + plan_duration(s, w->unit.tests[w->next]);
		return;
	}
	balancer_unit_done(s->b, i, NULL, 0);
	if (t > s->makespan)
		s->makespan = t;
	plan_dispatch(s, i, t);
	for (j = 0; j < s->nw; j++)
		if (s->w[j].state == PLAN_WAITING)
			plan_dispatch(s, j, t);
}

double bal_simulate(const struct bal_opts *opts,
		    const struct bal_binary *binaries, size_t nbinaries,
		    const struct bal_test *tests, size_t ntests,
		    const double *actual, double *worker_busy)
{
	struct plan_sim s = { 0 };
	unsigned i;
	int next;

	s.b = balancer_new(opts, binaries, nbinaries, tests, ntests);
	s.binaries = binaries;
	s.tests = tests;
	s.actual = actual;
	s.default_overhead = opts->default_overhead > 0 ? opts->default_overhead : 0.04;
	s.nw = opts->workers ? opts->workers : 1;
	s.w = xcalloc(s.nw, sizeof(*s.w));
	s.busy = worker_busy;
	for (i = 0; worker_busy && i < s.nw; i++)
		worker_busy[i] = 0;
	for (i = 0; i < s.nw; i++)
		plan_dispatch(&s, i, 0);
	while ((next = plan_earliest(&s)) >= 0)
		plan_step(&s, next);
	free(s.w);
	balancer_free(s.b);
	return s.makespan;
}

double bal_lower_bound(const struct bal_test *tests, size_t ntests, const double *actual,
		       unsigned workers)
{
	double total = 0, longest = 0;
	size_t i;

	for (i = 0; i < ntests; i++) {
		double d = actual ? actual[i] : tests[i].est;

		if (d < 0)
			d = 0;
		total += d;
		if (d > longest)
			longest = d;
	}
	total /= workers ? workers : 1;
	return total > longest ? total : longest;
}
