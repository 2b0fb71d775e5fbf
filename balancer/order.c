/*
 * order.c - the fixed dispatch order: smoke items, then failures, then the
 * rest, each longest first.
 *
 * Smoke selection takes the opts.smoke fastest items, but at most one per
 * binary while other binaries still have candidates: items are ranked within
 * their binary by (estimate, index), and the smoke items are the first ones
 * by (rank in binary, estimate, index).  Round 0 is the fastest test of every
 * binary, fastest first; round 1 the second fastest of every binary; and so
 * on.  A broken environment usually breaks every binary, and a broken binary
 * should be noticed within seconds, hence the spread.
 *
 * Everything is a sort with a total order (the index breaks every tie), so
 * the same input always gives the same order.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "order.h"
#include "util.h"

/* Sort key for the smoke choice: round (rank within the binary), then speed. */
struct order_smoke_key {
	uint32_t rank;
	double est;
	uint32_t item;
};

static int order_cmp_fastest(const void *pa, const void *pb)
{
	const struct order_smoke_key *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->est != b->est)
		return a->est < b->est ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

static void order_choose_smoke(struct bal_item *items, size_t n, size_t nbinaries,
			       unsigned smoke)
{
	struct order_smoke_key *keys = xcalloc(n ? n : 1, sizeof(*keys));
	uint32_t *seen = xcalloc(nbinaries ? nbinaries : 1, sizeof(*seen));
	size_t i;

	/* First pass: fastest first over everything, to rank within binaries. */
	for (i = 0; i < n; i++) {
		keys[i].est = items[i].est;
		keys[i].item = i;
	}
	qsort(keys, n, sizeof(*keys), order_cmp_fastest);
	for (i = 0; i < n; i++)
		keys[i].rank = seen[items[keys[i].item].binary]++;

	/* Second pass: round by round. */
	qsort(keys, n, sizeof(*keys), order_cmp_fastest);
	for (i = 0; i < n && i < smoke; i++) {
		struct bal_item *it = &items[keys[i].item];

		it->cls = BAL_CLASS_SMOKE;
		it->smoke_seq = i;
	}
	free(seen);
	free(keys);
}

/* qsort_r comparator: class, then smoke order or longest first, then index. */
static int order_cmp_dispatch(const void *pa, const void *pb, void *data)
{
	const struct bal_item *items = data;
	const struct bal_item *a = &items[*(const uint32_t *)pa];
	const struct bal_item *b = &items[*(const uint32_t *)pb];

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->cls == BAL_CLASS_SMOKE)
		return a->smoke_seq < b->smoke_seq ? -1 : 1;
	if (a->est != b->est)
		return a->est > b->est ? -1 : 1;
	return a->test < b->test ? -1 : a->test > b->test;
}

void bal_order_build(struct bal_item *items, uint32_t *order,
		     const struct bal_test *tests, size_t n, size_t nbinaries,
		     unsigned smoke, int failed_first)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct bal_item *it = &items[i];

		it->test = i;
		it->binary = tests[i].binary;
		it->est = tests[i].est > 0 ? tests[i].est : 0;
		it->cls = failed_first && tests[i].failed_last ? BAL_CLASS_FAILED : BAL_CLASS_REST;
		it->smoke_seq = 0;
		it->state = BAL_ITEM_QUEUED;
		it->worker = 0;
		order[i] = i;
	}
	if (smoke)
		order_choose_smoke(items, n, nbinaries, smoke);
	qsort_r(order, n, sizeof(*order), order_cmp_dispatch, items);
	for (i = 0; i < n; i++)
		items[order[i]].pos = i;
}
