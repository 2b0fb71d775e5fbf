/*
 * plan-input.c - turn the run's tests into balancer input; see plan-input.h.
 *
 * Disabled tests never run, so they do not take part in the medians that
 * estimate unknown tests: they are appended after bal_estimate, at 0 s.
 */
#include "plan-input.h"

#include <string.h>

#include "outcome.h"
#include "util.h"

static void plan_input_add(struct plan_input *in, const struct test_case *t, uint32_t index)
{
	struct bal_test *b = &in->tests[in->n];

	memset(b, 0, sizeof(*b));
	b->binary = t->binary;
	b->est = t->est_known ? t->est : -1;
	b->known = t->est_known;
	b->failed_last = t->failed_last;
	b->has_group = t->group != 0;
	b->group = t->group ? t->group - 1 : 0;
	b->serial = t->serial;
	b->weight = t->weight;
	b->locks = test_locks(t);
	in->map[in->n++] = index;
}

void plan_input_build(struct plan_input *in, struct run *r, const struct timing_cache *tc,
		     unsigned workers, int all, int level)
{
	size_t room = r->ntests ? r->ntests : 1;

	memset(in, 0, sizeof(*in));
	in->nbins = r->nbins;
	in->bins = xcalloc(r->nbins ? r->nbins : 1, sizeof(*in->bins));
	in->tests = xcalloc(room, sizeof(*in->tests));
	in->map = xcalloc(room, sizeof(*in->map));
	for (size_t i = 0; i < r->nbins; i++) {
		const struct tc_binary *cb = tc ? tc_binary(tc, r->bins[i].id) : NULL;
		in->bins[i].overhead = cb ? cb->overhead : -1;
		in->bins[i].batchable = !(r->bins[i].adapter->flags & ADAPTER_ONE_TEST);
		in->bins[i].max_batch = r->bins[i].conf ? r->bins[i].conf->batch : 0;
	}
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		if (t->selected && !t->disabled && (all || t->state != TEST_FINISHED) &&
		    (level < 0 || t->level == (uint32_t)level))
			plan_input_add(in, t, (uint32_t)i);
	}
	bal_estimate(in->tests, in->n, r->nbins, 0);
	for (size_t i = 0; i < in->n; i++) {
		r->tests[in->map[i]].est = in->tests[i].est;
		r->tests[in->map[i]].est_known = in->tests[i].known;
	}
	for (size_t i = 0; all && i < r->ntests; i++) {
		if (!r->tests[i].selected || !r->tests[i].disabled)
			continue;
		plan_input_add(in, &r->tests[i], (uint32_t)i);
		in->tests[in->n - 1].est = 0;
	}
	in->workers = workers < in->n ? workers : (in->n ? (unsigned)in->n : 1);
	for (size_t i = 0; i < in->n; i++)
		if (in->tests[i].weight > in->workers)
			in->tests[i].weight = in->workers;
}

void plan_input_release(struct plan_input *in)
{
	free(in->bins);
	free(in->tests);
	free(in->map);
	memset(in, 0, sizeof(*in));
}

void plan_input_opts(const struct plan_input *in, const struct options *o, struct bal_opts *bo)
{
	memset(bo, 0, sizeof(*bo));
	bo->workers = in->workers;
	bo->smoke = o->smoke < 0 ? (in->workers < 4 ? in->workers : 4) : (unsigned)o->smoke;
	bo->failed_first = o->failed_first;
}

struct balancer *plan_balancer(struct run *r, const struct options *o, unsigned workers,
			       const struct timing_cache *tc, int level, uint32_t **map, size_t *nmap,
			       double *predicted)
{
	struct plan_input in;
	struct bal_opts bo;
	struct balancer *b;
	int known = 0;

	plan_input_build(&in, r, tc, workers, 0, level);
	plan_input_opts(&in, o, &bo);
	for (size_t i = 0; i < in.n && !known; i++)
		known = in.tests[i].known;
	*predicted = known ? bal_simulate(&bo, in.bins, in.nbins, in.tests, in.n, NULL, NULL) : 0;
	b = balancer_new(&bo, in.bins, in.nbins, in.tests, in.n);
	*map = in.map;
	*nmap = in.n;
	in.map = NULL;
	plan_input_release(&in);
	return b;
}
