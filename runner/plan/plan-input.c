/*
 * plan-input.c - turn the run's tests into balancer input; see plan-input.h.
 *
 * Disabled tests never run, so they do not take part in the medians that
 * estimate unknown tests: they are appended after bal_estimate, at 0 s.
 *
 * A test that failed last time, in a binary that runs several tests per
 * process, is planned with its scope's earlier tests as a loose group
 * (bal_test.loose): one invocation holds them, so if it fails again it has
 * run in context (context.h) and the check of failures for order dependence
 * has nothing to run again after the run.  Only when every earlier test of
 * the scope is to run in this plan, none of them, nor the failure, is in a
 * group already, and they are not too much work for one unit (below); the
 * loose groups are numbered after every other group.  Not for --shard (all):
 * a shard keeps a group whole, and the balance of the shards comes first.
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

/*
 * marks[b][s]: 1 + the highest rank of a test of scope s of binary b that
 * failed last time; NULL when there is none (a run without failures pays no
 * more than this one pass).
 */
static uint32_t **plan_failed_scopes(const struct plan_input *in, const struct run *r)
{
	uint32_t **marks = NULL;

	for (size_t i = 0; i < in->n; i++) {
		const struct test_case *t = &r->tests[in->map[i]];
		const struct binary *b = &r->bins[t->binary];

		if (!in->tests[i].failed_last || in->tests[i].has_group || !t->scope_rank ||
		    t->scope >= b->nscopes || (b->adapter->flags & ADAPTER_ONE_TEST) ||
		    (b->conf && b->conf->batch && t->scope_rank >= b->conf->batch))
			continue;	/* the last: more than one invocation of a configured framework */
		if (!marks)
			marks = xcalloc(r->nbins, sizeof(*marks));
		if (!marks[t->binary])
			marks[t->binary] = xcalloc(b->nscopes, sizeof(**marks));
		if (marks[t->binary][t->scope] < t->scope_rank + 1)
			marks[t->binary][t->scope] = t->scope_rank + 1;
	}
	return marks;
}

/* Test i's binary if it is in a marked scope, below the mark; else -1. */
static long plan_marked_binary(const struct plan_input *in, const struct run *r, uint32_t **marks, size_t i)
{
	const struct test_case *t = &r->tests[in->map[i]];
	uint32_t *m = marks[t->binary];

	return m && t->scope < r->bins[t->binary].nscopes && t->scope_rank < m[t->scope] ?
	       (long)t->binary : -1;
}

/* A marked scope's tests in the plan below its mark, and their estimated work. */
struct plan_scope {
	uint32_t have;
	double work;
};

/* Per binary with marks, per scope: what the plan holds of it (NULL where marks are). */
static struct plan_scope **plan_count_scopes(const struct plan_input *in, const struct run *r,
					     uint32_t **marks)
{
	struct plan_scope **sc = xcalloc(r->nbins, sizeof(*sc));

	for (size_t i = 0; i < in->n; i++) {
		long b = plan_marked_binary(in, r, marks, i);
		uint32_t s = r->tests[in->map[i]].scope;

		if (b < 0)
			continue;
		if (in->tests[i].has_group) {	/* in a group already: the scope is left alone */
			marks[b][s] = 0;
			continue;
		}
		if (!sc[b])
			sc[b] = xcalloc(r->bins[b].nscopes, sizeof(**sc));
		sc[b][s].have++;
		sc[b][s].work += in->tests[i].est > 0 ? in->tests[i].est : 0;
	}
	return sc;
}

/*
 * Loose groups of last run's failures with their scopes' earlier tests (see
 * the top), each at most the batching target of the run's first unit
 * (bal_unit_target): a longer one would hold tests on one worker that the
 * others should share.
 */
static void plan_keep_in_context(struct plan_input *in, const struct run *r, unsigned workers)
{
	uint32_t **marks = plan_failed_scopes(in, r), **group, next = 0;
	struct bal_opts bo = { .workers = workers };
	struct plan_scope **sc;
	double total = 0;

	if (!marks)
		return;
	sc = plan_count_scopes(in, r, marks);
	group = xcalloc(r->nbins, sizeof(*group));
	for (size_t i = 0; i < in->n; i++) {
		total += in->tests[i].est > 0 ? in->tests[i].est : 0;
		if (in->tests[i].has_group && in->tests[i].group >= next)
			next = in->tests[i].group + 1;
	}
	for (size_t i = 0; i < in->n; i++) {
		long b = plan_marked_binary(in, r, marks, i);
		uint32_t s = r->tests[in->map[i]].scope;

		if (b < 0 || sc[b][s].have != marks[b][s] ||
		    sc[b][s].work > bal_unit_target(&bo, in->bins[b].overhead, total))
			continue;
		if (!group[b])
			group[b] = xcalloc(r->bins[b].nscopes, sizeof(**group));
		if (!group[b][s])
			group[b][s] = ++next;
		in->tests[i].has_group = 1;
		in->tests[i].loose = 1;
		in->tests[i].group = group[b][s] - 1;
	}
	for (size_t b = 0; b < r->nbins; b++) {
		free(marks[b]);
		free(sc[b]);
		free(group[b]);
	}
	free(marks);
	free(sc);
	free(group);
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
	if (!all)	/* --shard splits by time alone: a shard cannot split a group */
		plan_keep_in_context(in, r, workers < in->n ? workers : (unsigned)in->n);
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
