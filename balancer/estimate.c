/*
 * estimate.c - estimates for tests the timing cache does not know, and the
 * lower bound no schedule can beat.
 *
 * Estimates: the median of the known tests of the same binary when it has
 * at least EST_MIN_KNOWN of them (so that one odd value cannot set the
 * estimate of all the others), else of all known tests, else the default
 * (see bal_estimate in balancer.h).
 *
 * Lower bound: the larger of
 *   - the area: the sum over tests of duration x slots, over the workers (a
 *     serial test occupies all of them);
 *   - the longest chain of work that cannot overlap: the longest test, the
 *     longest group, or the holders of one named lock (they run one after
 *     the other), plus every exclusive test (serial, or as many slots as
 *     workers), which overlaps nothing.
 * Invocation overheads are left out, so with many tiny tests no schedule
 * reaches it.  Without markers this is max(longest test, total / workers).
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "order.h"
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

#define EST_MIN_KNOWN 3

/* per_bin[b] = median of binary b's known estimates, or fallback if it has fewer than EST_MIN_KNOWN. */
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
		if (known[start].binary < nbinaries && i - start >= EST_MIN_KNOWN)
			per_bin[known[start].binary] = plan_median(ests + start, i - start);
	}
}

void bal_estimate(struct bal_test *tests, size_t ntests, size_t nbinaries, double default_est)
{
	struct plan_known *known;
	double *ests, *per_bin, fallback = default_est > 0 ? default_est : 0.5;
	size_t nknown = 0, i;

	for (i = 0; i < ntests; i++)
		nknown += tests[i].est >= 0;
	if (nknown == ntests)
		return;	/* every test is known (a warm run): no median to take, nothing to sort */
	known = xcalloc(nknown ? nknown : 1, sizeof(*known));
	ests = xcalloc(nknown ? nknown : 1, sizeof(*ests));
	per_bin = xcalloc(nbinaries ? nbinaries : 1, sizeof(*per_bin));
	nknown = 0;
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

/* A group's member, for summing groups: group number, duration. */
struct est_member {
	uint32_t group;
	double d;
};

static int est_cmp_group(const void *pa, const void *pb)
{
	const struct est_member *a = pa, *b = pb;

	return a->group < b->group ? -1 : a->group > b->group;
}

/* The longest group, by the sum of its non-exclusive members' durations (d[i] < 0: exclusive). */
static double est_longest_group(const struct bal_test *tests, size_t ntests, const double *d)
{
	struct est_member *m = xcalloc(ntests ? ntests : 1, sizeof(*m));
	size_t n = 0, i, j;
	double longest = 0;

	for (i = 0; i < ntests; i++)
		if (tests[i].has_group && d[i] >= 0)
			m[n++] = (struct est_member){ tests[i].group, d[i] };
	qsort(m, n, sizeof(*m), est_cmp_group);
	for (i = 0; i < n; i = j) {
		double sum = 0;

		for (j = i; j < n && m[j].group == m[i].group; j++)
			sum += m[j].d;
		if (sum > longest)
			longest = sum;
	}
	free(m);
	return longest;
}

double bal_lower_bound(const struct bal_test *tests, size_t ntests, const double *actual,
		       unsigned workers)
{
	double *d = xcalloc(ntests ? ntests : 1, sizeof(*d));
	double area = 0, chain = 0, exclusive = 0, group, lock_sum[64] = { 0 };
	size_t i;
	unsigned l;

	if (!workers)
		workers = 1;
	for (i = 0; i < ntests; i++) {
		double di = actual ? actual[i] : tests[i].est;
		uint32_t slots = bal_test_slots(&tests[i], workers);

		di = di > 0 ? di : 0;
		area += di * slots;
		if (slots == workers) {
			exclusive += di;
			d[i] = -1;
			continue;
		}
		d[i] = di;
		if (di > chain)
			chain = di;
		for (l = 0; l < 64; l++)
			if (tests[i].locks >> l & 1)
				lock_sum[l] += di;
	}
	for (l = 0; l < 64; l++)
		if (lock_sum[l] > chain)
			chain = lock_sum[l];
	area /= workers;
	group = est_longest_group(tests, ntests, d);
	if (group > chain)
		chain = group;
	free(d);
	/* Nothing overlaps an exclusive test, so it adds to any chain. */
	return area > chain + exclusive ? area : chain + exclusive;
}
