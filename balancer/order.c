/*
 * order.c - items and the fixed dispatch order: smoke items, then failures,
 * then exclusive items, then the rest, each longest first.
 *
 * Classes: smoke, last run's failures, exclusive items (serial, or as many
 * slots as workers), the rest.  Exclusive items go before the rest because
 * an exclusive unit can only start once every worker is free: right after
 * the smoke tests and failures little runs, so little waits for it (its
 * reservation is near), while in the middle of the run every worker would
 * drain for it (docs/scheduling.md measures both).
 *
 * Items: the test indexes are sorted with ungrouped tests first (by index)
 * and grouped tests after them by (group, binary, index); every ungrouped
 * test is an item, and every run of one group number is an item.  That
 * sorted array is the members array, so an item's members are one slice of
 * it.  A group's constraints are the union of its members': the most slots
 * (a serial member makes the group serial), every lock, "failed" if any
 * member failed last time.  A loose group (bal_test.loose: one binary, one
 * slot, no locks, every member loose) is an item that batches like a single
 * test; any other group is `grouped` and never batched.
 *
 * Smoke selection takes the opts.smoke fastest eligible items (single tests
 * of one slot, no lock), but at most one per binary while other binaries still
 * have candidates: items are ranked within their binary by (estimate,
 * index), and the smoke items are the first ones by (rank in binary,
 * estimate, index).  Round 0 is the fastest test of every binary, fastest
 * first; round 1 the second fastest of every binary; and so on.  A broken
 * environment usually breaks every binary, and a broken binary should be
 * noticed within seconds, hence the spread.
 *
 * Everything is a sort with a total order (the index breaks every tie), so
 * the same input always gives the same order.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "order.h"
#include "util.h"

uint32_t bal_test_slots(const struct bal_test *t, unsigned workers)
{
	if (!workers)
		workers = 1;
	if (t->serial || t->weight >= workers)
		return workers;
	return t->weight > 1 ? t->weight : 1;
}

/* qsort_r comparator over test indexes: ungrouped by index, then groups by (group, binary, index). */
static int order_cmp_members(const void *pa, const void *pb, void *data)
{
	const struct bal_test *tests = data;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const struct bal_test *ta = &tests[a], *tb = &tests[b];

	if (ta->has_group != tb->has_group)
		return ta->has_group ? 1 : -1;
	if (ta->has_group && ta->group != tb->group)
		return ta->group < tb->group ? -1 : 1;
	if (ta->has_group && ta->binary != tb->binary)
		return ta->binary < tb->binary ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Add test t to item `it` (the item's first member was set by the caller). */
static void order_add_member(struct bal_item *it, const struct bal_test *t, uint32_t index,
			     const struct bal_opts *opts)
{
	uint32_t slots = bal_test_slots(t, opts->workers);

	it->ntests++;
	it->nqueued++;
	it->est += t->est > 0 ? t->est : 0;
	if (slots > it->slots)
		it->slots = slots;
	it->locks |= t->locks;
	if (t->has_group && (!t->loose || t->binary != it->binary || slots > 1 || t->locks))
		it->grouped = 1;
	if (index < it->test)
		it->test = index;
	if (it->slots == opts->workers && it->cls == BAL_CLASS_REST)
		it->cls = BAL_CLASS_EXCLUSIVE;
	if (opts->failed_first && t->failed_last)
		it->cls = BAL_CLASS_FAILED;
}

/* 1 if members[0..n) is already in order_cmp_members order (no groups at all, usually). */
static int order_members_sorted(const uint32_t *members, size_t n, const struct bal_test *tests)
{
	for (size_t i = 1; i < n; i++)
		if (order_cmp_members(&members[i - 1], &members[i], (void *)tests) > 0)
			return 0;
	return 1;
}

static size_t order_make_items(struct bal_item *items, uint32_t *members, uint32_t *item_of,
			       const struct bal_test *tests, size_t n, const struct bal_opts *opts)
{
	size_t nitems = 0, i;

	for (i = 0; i < n; i++)
		members[i] = i;
	if (!order_members_sorted(members, n, tests))
		qsort_r(members, n, sizeof(*members), order_cmp_members, (void *)tests);
	for (i = 0; i < n; i++) {
		const struct bal_test *t = &tests[members[i]];
		const struct bal_test *prev = i ? &tests[members[i - 1]] : NULL;
		struct bal_item *it;

		if (!t->has_group || !prev || !prev->has_group || prev->group != t->group) {
			it = &items[nitems++];
			*it = (struct bal_item){ .first = i, .test = members[i], .binary = t->binary,
						 .slots = 1,
						 .cls = BAL_CLASS_REST };
		}
		it = &items[nitems - 1];
		order_add_member(it, t, members[i], opts);
		item_of[members[i]] = nitems - 1;
	}
	return nitems;
}

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

static int order_smoke_eligible(const struct bal_item *it)
{
	return !it->grouped && it->ntests == 1 && it->slots == 1 && !it->locks;
}

/* Keep key among the `keep` fastest of a binary: heap is a max-heap by (est, item) of *nr keys. */
static void order_heap_offer(struct order_smoke_key *heap, size_t *nr, size_t keep,
			     struct order_smoke_key key)
{
	size_t i;

	if (*nr == keep) {
		if (order_cmp_fastest(&key, &heap[0]) >= 0)
			return;
		/* replace the slowest and sift it down */
		for (i = 0;;) {
			size_t c = 2 * i + 1;
			if (c >= *nr)
				break;
			if (c + 1 < *nr && order_cmp_fastest(&heap[c + 1], &heap[c]) > 0)
				c++;
			if (order_cmp_fastest(&heap[c], &key) <= 0)
				break;
			heap[i] = heap[c];
			i = c;
		}
		heap[i] = key;
		return;
	}
	for (i = (*nr)++; i && order_cmp_fastest(&heap[(i - 1) / 2], &key) < 0; i = (i - 1) / 2)
		heap[i] = heap[(i - 1) / 2];
	heap[i] = key;
}

/*
 * The smoke items: items ranked within their binary fastest first, then
 * taken by (rank, estimate, item).  An item of rank r follows the r faster
 * ones of its binary, so only each binary's `smoke` fastest can be chosen:
 * one pass keeps those (a bounded heap per binary), and only they are
 * sorted, not every item of a run of a million.
 */
static void order_choose_smoke(struct bal_item *items, size_t n, size_t nbinaries,
			       unsigned smoke)
{
	size_t nb = nbinaries ? nbinaries : 1, nkeys = 0, total = 0, i;
	size_t *fill = xcalloc(nb, sizeof(*fill)), *room = xcalloc(nb, sizeof(*room));
	size_t *at = xcalloc(nb, sizeof(*at));
	struct order_smoke_key *heaps;

	/* each binary's heap holds min(smoke, its eligible items) */
	for (i = 0; i < n; i++)
		if (order_smoke_eligible(&items[i]) && room[items[i].binary] < smoke)
			room[items[i].binary]++;
	for (size_t b = 0; b < nb; b++) {
		at[b] = total;
		total += room[b];
	}
	heaps = xcalloc(total ? total : 1, sizeof(*heaps));
	for (i = 0; i < n; i++) {
		uint32_t b = items[i].binary;
		if (order_smoke_eligible(&items[i]))
			order_heap_offer(heaps + at[b], &fill[b], room[b],
					 (struct order_smoke_key){ 0, items[i].est, (uint32_t)i });
	}
	/* compact the candidates to the front (never past their heap), ranked within their binary */
	for (size_t b = 0; b < nb; b++) {
		struct order_smoke_key *h = heaps + at[b];
		qsort(h, fill[b], sizeof(*h), order_cmp_fastest);
		for (size_t r = 0; r < fill[b]; r++) {
			struct order_smoke_key k = h[r];
			k.rank = (uint32_t)r;
			heaps[nkeys++] = k;
		}
	}
	qsort(heaps, nkeys, sizeof(*heaps), order_cmp_fastest);
	for (i = 0; i < nkeys && i < smoke; i++) {
		struct bal_item *it = &items[heaps[i].item];

		it->cls = BAL_CLASS_SMOKE;
		it->pos = (uint32_t)i;	/* its place among the smoke items, until the sort */
	}
	free(at);
	free(room);
	free(fill);
	free(heaps);
}

/*
 * The dispatch order's sort key of one item, packed in 16 bytes: sorting
 * these rather than item indexes through a comparator that reads items[]
 * keeps a sort of a million in the cache.  The item is the one its test
 * belongs to (item_of), so it needs no field.
 */
struct order_key {
	double est;
	uint32_t cls_seq;      /* class in the high byte, the smoke place below it */
	uint32_t test;         /* the item's smallest test: breaks ties (smoke items never tie) */
};

/* a goes before b: by class and smoke place, then longest first, then by test. */
static int order_key_before(const struct order_key *a, const struct order_key *b)
{
	if (a->cls_seq != b->cls_seq)
		return a->cls_seq < b->cls_seq;
	if (a->est != b->est)
		return a->est > b->est;
	return a->test < b->test;
}

static void order_key_swap(struct order_key *a, struct order_key *b)
{
	struct order_key t = *a;

	*a = *b;
	*b = t;
}

/* Sift k[i] down the max-heap k[0..n) ("max": the key that goes last). */
static void order_keys_sift(struct order_key *k, size_t i, size_t n)
{
	for (size_t c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && order_key_before(&k[c], &k[c + 1]))
			c++;
		if (!order_key_before(&k[i], &k[c]))
			return;
		order_key_swap(&k[i], &k[c]);
	}
}

static void order_keys_heapsort(struct order_key *k, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		order_keys_sift(k, i, n);
	for (size_t end = n; end-- > 1;) {
		order_key_swap(&k[0], &k[end]);
		order_keys_sift(k, 0, end);
	}
}

/*
 * Sort k[0..n) in place (introsort: quicksort on the median of three,
 * heapsort past a depth of 2 log n, insertion sort for short ranges).  In
 * place because qsort takes a buffer as large as the keys: for a million
 * items, 16 MB at the planning's peak.  The keys are all distinct.
 */
static void order_keys_sort(struct order_key *k, size_t n, unsigned depth)
{
	while (n > 16) {
		size_t mid = n / 2, i = 0, j = n - 1;
		struct order_key pivot;

		if (!depth--) {
			order_keys_heapsort(k, n);
			return;
		}
		if (order_key_before(&k[mid], &k[0]))
			order_key_swap(&k[mid], &k[0]);
		if (order_key_before(&k[n - 1], &k[mid]))
			order_key_swap(&k[n - 1], &k[mid]);
		if (order_key_before(&k[mid], &k[0]))
			order_key_swap(&k[mid], &k[0]);
		pivot = k[mid];
		for (;;) {	/* Hoare: k[0] <= pivot <= k[n-1] stop both scans */
			while (order_key_before(&k[i], &pivot))
				i++;
			while (order_key_before(&pivot, &k[j]))
				j--;
			if (i >= j)
				break;
			order_key_swap(&k[i++], &k[j--]);
		}
		/* k[0..j] before or equal to the pivot, k[j+1..n) after: recurse on the smaller */
		if (j + 1 < n - j - 1) {
			order_keys_sort(k, j + 1, depth);
			k += j + 1;
			n -= j + 1;
		} else {
			order_keys_sort(k + j + 1, n - j - 1, depth);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct order_key v = k[i];
		size_t j = i;

		for (; j > 0 && order_key_before(&v, &k[j - 1]); j--)
			k[j] = k[j - 1];
		k[j] = v;
	}
}

static unsigned order_log2(size_t n)
{
	unsigned l = 0;

	while (n >>= 1)
		l++;
	return l;
}

size_t bal_order_build(struct bal_item *items, uint32_t *members, uint32_t *item_of,
		       uint32_t **order, const struct bal_test *tests, size_t n,
		       size_t nbinaries, const struct bal_opts *opts)
{
	size_t nitems = order_make_items(items, members, item_of, tests, n, opts), i;
	struct order_key *keys = xmalloc((nitems ? nitems : 1) * sizeof(*keys));

	if (opts->smoke)
		order_choose_smoke(items, nitems, nbinaries, opts->smoke);
	for (i = 0; i < nitems; i++) {
		const struct bal_item *it = &items[i];
		int smoke = it->cls == BAL_CLASS_SMOKE;
		/* smoke items go by their place alone (their estimate does not count) */
		keys[i] = (struct order_key){ smoke ? 0 : it->est, (uint32_t)it->cls << 24 |
					      (smoke ? it->pos : 0), it->test };
	}
	order_keys_sort(keys, nitems, 2 * order_log2(nitems) + 2);
	/* the order takes the keys' place: item i's 4 bytes end before key i + 1 begins */
	for (i = 0; i < nitems; i++) {
		uint32_t item = item_of[keys[i].test];

		memcpy((char *)keys + i * sizeof(item), &item, sizeof(item));
		items[item].pos = (uint32_t)i;
	}
	*order = xrealloc(keys, (nitems ? nitems : 1) * sizeof(**order));
	return nitems;
}
