/*
 * phases.c - the main run, phase by phase; see phases.h.
 */
#include "phases.h"

#include <stdlib.h>
#include <string.h>

#include "depends.h"
#include "plan-input.h"
#include "util.h"

/* Add the stats of one phase (workers of them) into the run's (*have workers so far). */
static void phases_merge(struct dispatch_stats *into, unsigned *have, struct dispatch_stats *from,
			 unsigned workers)
{
	if (workers > *have) {
		into->busy = xrealloc(into->busy, workers * sizeof(*into->busy));
		into->own = xrealloc(into->own, workers * sizeof(*into->own));
		into->units = xrealloc(into->units, workers * sizeof(*into->units));
		into->tests = xrealloc(into->tests, workers * sizeof(*into->tests));
		for (unsigned i = *have; i < workers; i++) {
			into->busy[i] = into->own[i] = 0;
			into->units[i] = into->tests[i] = 0;
		}
		*have = workers;
	}
	for (unsigned i = 0; from->busy && i < workers; i++) {
		into->busy[i] += from->busy[i];
		into->own[i] += from->own ? from->own[i] : 0;
		into->units[i] += from->units[i];
		into->tests[i] += from->tests[i];
	}
	into->wall += from->wall;
	into->restarts += from->restarts;
	into->interrupted = into->interrupted ? into->interrupted : from->interrupted;
	into->stopped |= from->stopped;
	into->aborted |= from->aborted;
	into->smoke_failed |= from->smoke_failed;
	for (size_t i = 0; i < from->nfallbacks; i++) {
		ALLOC_GROW(into->fallbacks, into->nfallbacks + 1, into->fallbacks_alloc);
		into->fallbacks[into->nfallbacks++] = from->fallbacks[i];
	}
	from->nfallbacks = 0;	/* moved */
	dispatch_stats_release(from);
}

/* The tests of the phases that did not run: NOT RUN, with why. */
static void phases_abandon(struct run *r, const struct dispatch_stats *st, int failed)
{
	const char *why = failed ? "not run: balrun failed before its phase (internal error)" :
			  st->interrupted || st->aborted ? "not run: the run was interrupted first" :
			  st->smoke_failed ? "not run: the run stopped after its smoke tests failed" :
			  "not run: the run stopped first (-x / --maxfail)";

	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected && r->tests[i].state != TEST_FINISHED)
			test_finish(&r->tests[i], OUTCOME_NOTRUN, why);
}

static int phases_over(const struct dispatch_stats *st)
{
	return st->interrupted || st->aborted || st->stopped || st->smoke_failed;
}

/* The predicted makespan of every phase (each planned on its own, then freed). */
static double phases_predict(struct run *r, const struct phases_opts *o)
{
	double sum = 0;

	for (uint32_t level = 0; level < o->levels; level++) {
		uint32_t *map;
		size_t n;
		double p;
		struct balancer *b = plan_balancer(r, o->o, o->dispatch.workers, o->plan_tc, (int)level,
						   &map, &n, &p);
		sum += p;
		balancer_free(b);
		free(map);
	}
	return sum;
}

/*
 * Room in tc for one result per test still to run, and a sixteenth more for
 * the binaries' overheads and retries: reserved at once, a million results
 * leave no growth slack in the coordinator.  Their keys' room is not
 * reserved: front-coded against the result before, in the order they come,
 * they take some bytes more than the names, and a buffer that grows past
 * what is used costs address space, not memory (the pages are never touched).
 */
static void phases_reserve_results(const struct run *r, struct timing_cache *tc)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ntests; i++)
		n += r->tests[i].selected && r->tests[i].state != TEST_FINISHED;
	tc_reserve_updates(tc, n + n / 16 + 64);
}

/* Plan and dispatch one phase.  0, or -1 with err. */
static int phases_one(struct run *r, const struct phases_opts *o, uint32_t level, int first,
		      const struct run_observer *obs, struct dispatch_stats *st, unsigned *have,
		      struct strbuf *err)
{
	struct dispatch_opts dopts = o->dispatch;
	struct dispatch_stats one;
	uint32_t *map;
	size_t n;
	double predicted;
	struct balancer *b = plan_balancer(r, o->o, o->dispatch.workers, o->plan_tc, (int)level, &map, &n,
					   &predicted);
	int ret = 0;

	if (level + 1 == o->levels && o->tc)	/* the results of the tests still to run */
		phases_reserve_results(r, o->tc);
	dopts.workers = o->dispatch.workers < n ? o->dispatch.workers : (n ? (unsigned)n : 1);
	if (o->dispatch.max_restarts == PHASES_DEFAULT_RESTARTS)
		dopts.max_restarts = 4 * dopts.workers;
	if (first && o->starting)
		o->starting(o->data, o->levels > 1 ? phases_predict(r, o) : predicted, dopts.workers);
	if (n) {
		ret = dispatch_run(r, b, map, n, o->tc, &dopts, obs, &one, err);
		phases_merge(st, have, &one, dopts.workers);
	}
	balancer_free(b);
	free(map);
	return ret;
}

int phases_run(struct run *r, const struct phases_opts *o, const struct run_observer *obs,
	       struct dispatch_stats *st, unsigned *workers, struct strbuf *err)
{
	int ret = 0;

	memset(st, 0, sizeof(*st));
	*workers = 0;
	for (uint32_t level = 0; level < o->levels && !ret; level++) {
		ret = phases_one(r, o, level, level == 0, obs, st, workers, err);
		if (!ret && phases_over(st))
			break;
		depends_settle(r, level);
	}
	if (ret || phases_over(st))
		phases_abandon(r, st, ret != 0);
	if (!*workers)
		*workers = 1;
	return ret;
}
