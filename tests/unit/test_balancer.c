/*
 * test_balancer.c - unit tests of balancer/: estimates, dispatch order,
 * batching, requeue, the WAIT/DONE protocol, and simulated schedule quality.
 *
 * Every test drives the balancer with scripted events (next, observe,
 * unit_done) and checks the decisions; no clock is read.  The quality
 * checks simulate generated suites (balancer/simsuite.h) with a fixed seed,
 * so their numbers are the same on every run.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "balancer.h"
#include "simsuite.h"
#include "test_balancer_fx.h"

/* Dispatch everything on worker 0, one unit at a time; record the tests in order. */
static size_t drain(struct balancer *b, uint32_t *seq, size_t *unit_sizes, size_t *nunits)
{
	struct bal_unit u;
	size_t n = 0, units = 0, i;

	while (balancer_next(b, 0, &u) == BAL_UNIT) {
		for (i = 0; i < u.ntests; i++)
			seq[n++] = u.tests[i];
		if (unit_sizes)
			unit_sizes[units] = u.ntests;
		units++;
		balancer_unit_done(b, 0, NULL, 0);
	}
	if (nunits)
		*nunits = units;
	return n;
}

Test(estimate, same_binary_median_then_global_median_then_default)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0, 0), c = fx_binary(&f, 0, 0), d = fx_binary(&f, 0, 0);

	fx_test(&f, a, 1);
	fx_test(&f, a, 3);
	fx_test(&f, a, 10);
	fx_test(&f, a, -1);             /* 3: median of 1, 3, 10 */
	fx_test(&f, c, 2);
	fx_test(&f, c, 4);
	fx_test(&f, c, -1);             /* 6: median of 2, 4 */
	fx_test(&f, d, -1);             /* 9: global median of 1 2 3 4 10 */
	bal_estimate(f.tests, f.ntests, f.nbins, 0.5);
	cr_expect_float_eq(f.tests[3].est, 3, 1e-12);
	cr_expect_float_eq(f.tests[6].est, 3, 1e-12);
	cr_expect_float_eq(f.tests[7].est, 3, 1e-12);
	cr_expect_float_eq(f.tests[2].est, 10, 1e-12, "known estimates stay");

	struct fx g = { 0 };
	uint32_t e = fx_binary(&g, 0, 0);

	fx_test(&g, e, -1);
	bal_estimate(g.tests, g.ntests, g.nbins, 0);
	cr_expect_float_eq(g.tests[0].est, 0.5, 1e-12, "default_est 0 means 0.5");
	g.tests[0].est = -1;
	bal_estimate(g.tests, g.ntests, g.nbins, 2);
	cr_expect_float_eq(g.tests[0].est, 2, 1e-12);
}

Test(estimate, even_count_median_per_binary)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0, 0), c = fx_binary(&f, 0, 0);

	fx_test(&f, a, 2);
	fx_test(&f, a, 4);
	fx_test(&f, a, 6);
	fx_test(&f, a, 8);
	fx_test(&f, a, -1);
	fx_test(&f, c, 100);
	bal_estimate(f.tests, f.ntests, f.nbins, 0.5);
	cr_expect_float_eq(f.tests[4].est, 5, 1e-12);
}

/* One odd value among few known tests of a binary does not set the others (issue 8, item 9). */
Test(estimate, few_known_in_the_binary_use_the_global_median)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0, 0), c = fx_binary(&f, 0, 0);

	fx_test(&f, a, 500000);
	fx_test(&f, a, -1);
	fx_test(&f, c, 1);
	fx_test(&f, c, 2);
	fx_test(&f, c, 3);
	bal_estimate(f.tests, f.ntests, f.nbins, 0.5);
	cr_expect_float_eq(f.tests[1].est, 2.5, 1e-12);   /* median of 500000, 1, 2, 3 */
}

Test(order, strict_longest_first_with_distinct_estimates)
{
	static const double est[] = { 0.3, 5, 1.5, 0.01, 2, 7, 0.7 };
	static const uint32_t want[] = { 5, 1, 4, 2, 6, 0, 3 };
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0.01, 0), seq[16];
	size_t i;

	for (i = 0; i < 7; i++)
		fx_test(&f, bin, est[i]);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	cr_assert_eq(drain(b, seq, NULL, NULL), 7);
	for (i = 0; i < 7; i++)
		cr_expect_eq(seq[i], want[i], "dispatch %zu: test %u, want %u", i, seq[i], want[i]);
	balancer_free(b);
}

Test(order, ties_broken_by_index)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0, 0), seq[8];
	size_t i;

	for (i = 0; i < 5; i++)
		fx_test(&f, bin, i == 2 ? 9 : 1);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 1 });

	static const uint32_t want[] = { 2, 0, 1, 3, 4 };

	drain(b, seq, NULL, NULL);
	for (i = 0; i < 5; i++)
		cr_expect_eq(seq[i], want[i], "dispatch %zu: test %u, want %u", i, seq[i], want[i]);
	balancer_free(b);
}

/* Test a goes before b in the dispatch order without smoke: longest first, ties by index. */
static int longest_first_cmp(const void *pa, const void *pb, void *arg)
{
	const struct bal_test *t = arg;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	if (t[a].est != t[b].est)
		return t[a].est > t[b].est ? -1 : 1;
	return a < b ? -1 : a > b;
}

/*
 * The order is sorted in place (order.c's introsort): random suites of every
 * size around its cut-offs, with many ties, sorted input and reversed input,
 * come out as qsort's order.
 */
Test(order, in_place_sort_matches_qsort_on_random_suites)
{
	static const size_t sizes[] = { 1, 2, 15, 16, 17, 18, 33, 100, 1000, MAXT };
	const size_t nsizes = sizeof(sizes) / sizeof(*sizes);
	static uint32_t seq[MAXT], want[MAXT];
	static struct fx f;
	unsigned seed = 7;

	for (size_t s = 0; s < nsizes * 3; s++) {
		size_t n = sizes[s % nsizes], i;
		int shape = (int)(s / nsizes);	/* 0 random, 1 ascending, 2 descending */
		struct balancer *b;

		memset(&f, 0, sizeof(f));
		fx_binary(&f, 0, 0);
		for (i = 0; i < n; i++)
			fx_test(&f, 0, shape == 1 ? (double)i : shape == 2 ? (double)(n - i)
					 : (double)(rand_r(&seed) % 7));
		b = fx_new(&f, (struct bal_opts){ .workers = 1 });
		cr_assert_eq(drain(b, seq, NULL, NULL), n);
		for (i = 0; i < n; i++)
			want[i] = (uint32_t)i;
		qsort_r(want, n, sizeof(*want), longest_first_cmp, f.tests);
		for (i = 0; i < n; i++)
			cr_assert_eq(seq[i], want[i], "size %zu shape %d, place %zu: test %u, want %u", n, shape,
				     i, seq[i], want[i]);
		balancer_free(b);
	}
}

Test(order, smoke_fastest_spread_over_binaries)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1), c = fx_binary(&f, 0.04, 1), d = fx_binary(&f, 0.04, 1);
	struct bal_unit u;

	fx_test(&f, a, 0.01);   /* 0: fastest overall */
	fx_test(&f, a, 0.02);   /* 1: second fastest, but binary a already has one */
	fx_test(&f, a, 3);
	fx_test(&f, c, 0.5);    /* 3: c's fastest */
	fx_test(&f, c, 4);
	fx_test(&f, d, 0.2);    /* 5: d's fastest */
	fx_test(&f, d, 0.2);    /* 6: tie with 5, loses on index */
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 1, .smoke = 4 });
	static const uint32_t want[] = { 0, 5, 3, 1 };   /* round 0 by speed, then round 1 */
	size_t i;

	for (i = 0; i < 4; i++) {
		cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
		cr_expect_eq(u.ntests, 1, "a smoke test runs in a unit of its own");
		cr_expect_eq(u.smoke, 1);
		cr_expect_eq(u.tests[0], want[i], "smoke %zu: test %u, want %u", i, u.tests[0], want[i]);
		balancer_unit_done(b, 0, NULL, 0);
	}
	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_expect_eq(u.smoke, 0);
	cr_expect_eq(u.tests[0], 4, "then the longest");
	balancer_free(b);
}

/* The smoke rule written out plainly: rank in binary by (est, index), then (rank, est, index). */
struct ref_key {
	unsigned rank;
	double est;
	uint32_t test;
};

static int ref_cmp(const void *pa, const void *pb)
{
	const struct ref_key *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->est != b->est)
		return a->est < b->est ? -1 : 1;
	return a->test < b->test ? -1 : a->test > b->test;
}

static size_t ref_smoke(const struct fx *f, unsigned smoke, uint32_t *want)
{
	static struct ref_key keys[MAXT];
	unsigned seen[8] = { 0 };
	size_t i;

	for (i = 0; i < f->ntests; i++)
		keys[i] = (struct ref_key){ 0, f->tests[i].est, (uint32_t)i };
	qsort(keys, f->ntests, sizeof(*keys), ref_cmp);
	for (i = 0; i < f->ntests; i++)
		keys[i].rank = seen[f->tests[keys[i].test].binary]++;
	qsort(keys, f->ntests, sizeof(*keys), ref_cmp);
	for (i = 0; i < f->ntests && i < smoke; i++)
		want[i] = keys[i].test;
	return i;
}

/* The balancer keeps only each binary's fastest candidates: it must choose what the plain rule does. */
Test(order, smoke_choice_matches_the_plain_rule_on_random_suites)
{
	static const double ests[] = { 0.1, 0.2, 0.2, 0.5, 1, 3 };

	srand(12);
	for (int round = 0; round < 300; round++) {
		struct fx f = { 0 };
		size_t nbins = 1 + (size_t)rand() % 6, ntests = 1 + (size_t)rand() % 80, n;
		unsigned smoke = 1 + (unsigned)rand() % 12;
		uint32_t want[MAXT];
		struct bal_unit u;

		for (size_t b = 0; b < nbins; b++)
			fx_binary(&f, 0.01, 1);
		for (size_t i = 0; i < ntests; i++)
			fx_test(&f, (uint32_t)((size_t)rand() % nbins), ests[rand() % 6]);
		n = ref_smoke(&f, smoke, want);
		struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 1, .smoke = smoke });
		for (size_t i = 0; i < n; i++) {
			cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
			cr_assert_eq(u.smoke, 1, "round %d: unit %zu is no smoke test", round, i);
			cr_assert_eq(u.tests[0], want[i], "round %d: smoke %zu: test %u, want %u", round, i,
				     u.tests[0], want[i]);
			balancer_unit_done(b, 0, NULL, 0);
		}
		if (balancer_next(b, 0, &u) == BAL_UNIT)
			cr_assert_eq(u.smoke, 0, "round %d: more smoke tests than %u", round, smoke);
		balancer_free(b);
	}
}

Test(order, failed_first_after_smoke_longest_first)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0, 0), seq[8];

	fx_test(&f, bin, 0.1);                  /* 0: smoke */
	fx_test(&f, bin, 9);                    /* 1 */
	fx_test(&f, bin, 1);                    /* 2: failed */
	fx_test(&f, bin, 2);                    /* 3: failed */
	fx_test(&f, bin, 5);                    /* 4 */
	f.tests[2].failed_last = f.tests[3].failed_last = 1;
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 1, .smoke = 1,
							    .failed_first = 1 });

	drain(b, seq, NULL, NULL);
	cr_expect_eq(seq[0], 0);
	cr_expect_eq(seq[1], 3);
	cr_expect_eq(seq[2], 2);
	cr_expect_eq(seq[3], 1);
	cr_expect_eq(seq[4], 4);
	balancer_free(b);

	b = fx_new(&f, (struct bal_opts){ .workers = 1 });
	drain(b, seq, NULL, NULL);
	cr_expect_eq(seq[0], 1, "without failed_first, failures are not special");
	balancer_free(b);
}

Test(batching, many_tiny_tests_give_few_units)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0.04, 1), seq[MAXT];
	char seen[MAXT] = { 0 };
	size_t i, nunits;

	for (i = 0; i < 1000; i++)
		fx_test(&f, bin, 0.001);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 4 });

	cr_assert_eq(drain(b, seq, NULL, &nunits), 1000);
	for (i = 0; i < 1000; i++) {
		cr_expect_eq(seen[seq[i]], 0, "test %u dispatched twice", seq[i]);
		seen[seq[i]] = 1;
	}
	/* 1 s of work in 80 ms units (the 2-overhead floor) is about 13 units, not 1000. */
	cr_expect_leq(nunits, 20, "%zu units", nunits);
	balancer_free(b);
}

Test(batching, long_test_runs_alone_and_fill_stays_in_binary)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1), c = fx_binary(&f, 0.04, 1);
	struct bal_unit u;
	size_t i;

	fx_test(&f, a, 10);
	for (i = 0; i < 50; i++)
		fx_test(&f, a, 0.01);
	for (i = 0; i < 50; i++)
		fx_test(&f, c, 0.02);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_expect_eq(u.ntests, 1);
	cr_expect_eq(u.tests[0], 0);
	cr_expect_float_eq(u.est, 10.04, 1e-9, "est includes the overhead");
	cr_assert_eq(balancer_next(b, 1, &u), BAL_UNIT);
	cr_expect_gt(u.ntests, 1);
	for (i = 0; i < u.ntests; i++)
		cr_expect_eq(f.tests[u.tests[i]].binary, c);
	balancer_free(b);
}

Test(batching, max_batch_and_non_batchable)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1), p = fx_binary(&f, 0.04, 0), seq[MAXT];
	size_t sizes[MAXT], nunits, i, in_plain = 0;   /* units of one test */

	for (i = 0; i < 100; i++)
		fx_test(&f, i % 2 ? a : p, 0.001);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 1, .max_batch = 5 });

	cr_assert_eq(drain(b, seq, sizes, &nunits), 100);
	for (i = 0; i < nunits; i++)
		cr_expect_leq(sizes[i], 5);
	for (i = 0; i < nunits; i++)
		in_plain += sizes[i] == 1;
	cr_expect_eq(nunits, 50 + 10, "50 plain tests alone, 50 batched by 5 (%zu units)", nunits);
	cr_expect_eq(in_plain, 50);
	balancer_free(b);
}

Test(batching, a_binary_of_its_own_max_batch)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1), c = fx_binary(&f, 0.04, 1), seq[MAXT];
	size_t sizes[MAXT], nunits, i, k = 0;

	f.bins[c].max_batch = 3;	/* a configured framework's batch = 3 */
	for (i = 0; i < 60; i++)
		fx_test(&f, i % 2 ? a : c, 0.001);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 1, .max_batch = 10 });

	cr_assert_eq(drain(b, seq, sizes, &nunits), 60);
	for (i = 0; i < nunits; k += sizes[i++]) {
		uint32_t bin = f.tests[seq[k]].binary;
		cr_expect_leq(sizes[i], bin == c ? 3 : 10, "unit %zu of binary %u: %zu tests", i, bin, sizes[i]);
	}
	balancer_free(b);
}

Test(batching, a_test_that_does_not_fit_is_passed_over)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0.01, 1), head, one;
	struct bal_unit u;
	size_t i;

	/* 16.5 s of work on 2 workers: the first unit's target is 16.5 / 4 = 4.125 s. */
	head = fx_test(&f, bin, 3.0);
	fx_test(&f, bin, 2.5);		/* 5.5 s with the head: passed over */
	one = fx_test(&f, bin, 1.0);	/* 4.0 s: joins */
	for (i = 0; i < 20; i++)
		fx_test(&f, bin, 0.5);	/* 4.5 s: passed over twice more, which ends the fill */
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_assert_eq(u.ntests, 2, "%zu tests", u.ntests);
	cr_expect_eq(u.tests[0], head);
	cr_expect_eq(u.tests[1], one);
	cr_assert_eq(balancer_next(b, 1, &u), BAL_UNIT);
	cr_expect_eq(u.tests[0], 1, "the test passed over heads the next unit");
	balancer_free(b);
}

Test(batching, the_fill_passes_over_at_most_two_tests)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0.01, 1), head;
	struct bal_unit u;
	size_t i;

	/*
	 * 22 s on 2 workers: target 5.5 s.  3.4, 3.3 and 3.2 s do not fit beside
	 * the head's 3.5; 1.0 and the short ones after it would, but three tests
	 * passed over end the fill (a longer walk would take the shortest tests
	 * from the end of the order, which the last units need).
	 */
	head = fx_test(&f, bin, 3.5);
	fx_test(&f, bin, 3.4);
	fx_test(&f, bin, 3.3);
	fx_test(&f, bin, 3.2);
	fx_test(&f, bin, 1.0);
	for (i = 0; i < 20; i++)
		fx_test(&f, bin, 0.38);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_expect_eq(u.tests[0], head);
	cr_expect_eq(u.ntests, 1, "%zu tests", u.ntests);
	balancer_free(b);
}

Test(batching, one_worker_runs_each_binary_in_one_unit)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1), c = fx_binary(&f, 0.001, 1), seq[MAXT];
	size_t sizes[MAXT], nunits, i;

	for (i = 0; i < 300; i++)
		fx_test(&f, i % 3 ? a : c, 0.01 + 0.001 * (double)(i % 7));
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 1 });

	cr_assert_eq(drain(b, seq, sizes, &nunits), 300);
	/* With guided self-scheduling (target: half of what is left) it would be about 2 x 8 units. */
	cr_expect_eq(nunits, 2, "%zu units", nunits);
	cr_expect_eq(sizes[0] + sizes[1], 300);
	balancer_free(b);
}

Test(batching, units_shrink_towards_the_end)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0.001, 1), seq[MAXT];
	size_t sizes[MAXT], nunits, i;

	for (i = 0; i < 2000; i++)
		fx_test(&f, bin, 0.1);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 4, .max_batch = 1000 });

	drain(b, seq, sizes, &nunits);
	cr_assert_gt(nunits, 10);
	for (i = 1; i < nunits; i++)
		cr_expect_leq(sizes[i], sizes[i - 1], "unit %zu grew: %zu > %zu", i, sizes[i],
			      sizes[i - 1]);
	/* First unit: 200 s / 8 = 25 s = 250 tests; the last ones are single tests. */
	cr_expect_eq(sizes[0], 250);
	cr_expect_eq(sizes[nunits - 1], 1);
	balancer_free(b);
}

Test(queue, requeue_puts_tests_back_at_their_place)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0, 0), q[8];
	struct bal_unit u;

	fx_test(&f, bin, 4);
	fx_test(&f, bin, 3);
	fx_test(&f, bin, 2);
	fx_test(&f, bin, 1);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);        /* test 0 */
	cr_assert_eq(balancer_next(b, 1, &u), BAL_UNIT);        /* test 1 */
	cr_assert_eq(u.tests[0], 1);
	cr_expect_eq(balancer_queued(b), 2);
	uint32_t notrun = 1;

	balancer_unit_done(b, 1, &notrun, 1);
	cr_expect_eq(balancer_queued(b), 3);
	cr_assert_eq(balancer_queued_tests(b, q), 3);
	cr_expect_eq(q[0], 1);
	cr_expect_eq(q[1], 2);
	cr_expect_eq(q[2], 3);
	cr_assert_eq(balancer_next(b, 1, &u), BAL_UNIT);
	cr_expect_eq(u.tests[0], 1, "the requeued test comes first again");
	balancer_free(b);
}

Test(queue, wait_while_others_run_done_when_all_over)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0, 0), t = 0;
	struct bal_unit u;

	fx_test(&f, bin, 1);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_expect_eq(balancer_next(b, 1, &u), BAL_WAIT, "worker 0 may still give test 0 back");
	balancer_unit_done(b, 0, &t, 1);                        /* it did not run */
	cr_assert_eq(balancer_next(b, 1, &u), BAL_UNIT);
	cr_expect_eq(u.tests[0], 0);
	cr_expect_eq(balancer_next(b, 0, &u), BAL_WAIT);
	balancer_observe(b, 1, 0, 1.0);
	balancer_unit_done(b, 1, NULL, 0);
	cr_expect_eq(balancer_next(b, 0, &u), BAL_DONE);
	cr_expect_eq(balancer_next(b, 1, &u), BAL_DONE);
	balancer_free(b);
}

Test(queue, stop_ends_dispatch_and_keeps_queue)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0, 0), t;
	struct bal_unit u;

	fx_test(&f, bin, 2);
	fx_test(&f, bin, 1);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	t = u.tests[0];
	balancer_stop(b);
	cr_expect_eq(balancer_next(b, 1, &u), BAL_DONE);
	balancer_unit_done(b, 0, &t, 1);
	cr_expect_eq(balancer_next(b, 0, &u), BAL_DONE);
	cr_expect_eq(balancer_queued(b), 2, "stopped tests stay queued, to be reported not run");
	balancer_free(b);
}

Test(queue, remaining_follows_dispatch_observe_and_requeue)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0.1, 1), notrun;
	struct bal_unit u;
	size_t i;

	fx_test(&f, bin, 4);
	for (i = 0; i < 8; i++)
		fx_test(&f, bin, 0.25);
	/* two workers, so that the target shrinks (one worker would take everything at once) */
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	cr_expect_float_eq(balancer_remaining(b), 6, 1e-9);
	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);        /* 4 >= target 6 / 4: alone */
	cr_assert_eq(u.ntests, 1);
	cr_expect_float_eq(balancer_remaining(b), 6.1, 1e-9, "plus the running unit's overhead");
	balancer_observe(b, 0, 0, 7.0);
	cr_expect_float_eq(balancer_remaining(b), 2.1, 1e-9);
	balancer_observe(b, 0, 0, 7.0);
	cr_expect_float_eq(balancer_remaining(b), 2.1, 1e-9, "a second observation is ignored");
	balancer_unit_done(b, 0, NULL, 0);
	cr_expect_float_eq(balancer_remaining(b), 2, 1e-9);
	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);        /* target 2 / 4: two tests */
	cr_assert_eq(u.ntests, 2);
	cr_expect_float_eq(u.est, 0.6, 1e-9);
	balancer_observe(b, 0, u.tests[0], 1.0);
	cr_expect_float_eq(balancer_remaining(b), 1.85, 1e-9);
	notrun = u.tests[1];
	balancer_unit_done(b, 0, &notrun, 1);
	cr_expect_float_eq(balancer_remaining(b), 1.75, 1e-9);
	cr_expect_eq(balancer_queued(b), 7);
	balancer_free(b);
}

/* Units of a whole run on 3 workers taking turns, flattened with separators. */
static size_t run_script(const struct fx *f, uint32_t *out)
{
	struct bal_opts opts = { .workers = 3, .smoke = 2, .failed_first = 1 };
	struct balancer *b = balancer_new(&opts, f->bins, f->nbins, f->tests, f->ntests);
	struct bal_unit u;
	size_t n = 0, i;
	unsigned w = 0;

	while (balancer_next(b, w, &u) == BAL_UNIT) {
		for (i = 0; i < u.ntests; i++)
			out[n++] = u.tests[i];
		out[n++] = UINT32_MAX;
		for (i = 0; i < u.ntests; i++)
			balancer_observe(b, w, u.tests[i], f->tests[u.tests[i]].est * 1.5);
		balancer_unit_done(b, w, NULL, 0);
		w = (w + 1) % 3;
	}
	balancer_free(b);
	return n;
}

Test(queue, same_input_same_units)
{
	static struct fx f;
	static uint32_t one[2 * MAXT], two[2 * MAXT];
	struct sim_rng r;
	size_t i, n1, n2;

	f.nbins = 0;
	f.ntests = 0;
	fx_binary(&f, 0.04, 1);
	fx_binary(&f, 0.001, 1);
	fx_binary(&f, 0.01, 0);
	sim_rng_seed(&r, 7);
	for (i = 0; i < 600; i++) {
		fx_test(&f, i % 3, (double)(int)(sim_uniform(&r) * 20) / 100);  /* many ties */
		f.tests[i].failed_last = i % 17 == 0;
	}
	n1 = run_script(&f, one);
	n2 = run_script(&f, two);
	cr_assert_eq(n1, n2);
	cr_expect_eq(memcmp(one, two, n1 * sizeof(*one)), 0);
}

Test(simulate, small_exact_schedule)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0.5, 0);
	double busy[2];

	fx_test(&f, bin, 3);
	fx_test(&f, bin, 2);
	fx_test(&f, bin, 1);
	struct bal_opts opts = { .workers = 2 };

	/* w0: 3 (+0.5); w1: 2 (+0.5) then 1 (+0.5) */
	cr_expect_float_eq(bal_simulate(&opts, f.bins, f.nbins, f.tests, f.ntests, NULL, busy),
			   4, 1e-9);
	cr_expect_float_eq(busy[0], 3.5, 1e-9);
	cr_expect_float_eq(busy[1], 4, 1e-9);
	cr_expect_float_eq(bal_lower_bound(f.tests, f.ntests, NULL, 2), 3, 1e-9);

	double actual[] = { 1, 1, 5 };

	/* w0: test 0 ends at 1.5, then test 2 (planned 1 s, takes 5) ends at 7 */
	cr_expect_float_eq(bal_simulate(&opts, f.bins, f.nbins, f.tests, f.ntests, actual, NULL),
			   7, 1e-9, "planned with est, run with actual");
	cr_expect_float_eq(bal_lower_bound(f.tests, f.ntests, actual, 2), 5, 1e-9);
}

/* makespan / lower bound of balrun, and the same for a round-robin split. */
static void quality(double noise_lo, double noise_hi, double *ours, double *rr)
{
	struct sim_spec spec = { SIM_LOGNORMAL, 400, 10, 0.04, 1, 12345 };
	struct bal_opts opts = { .workers = 8 };
	struct sim_suite s;
	unsigned assign[400];
	double lb;

	sim_suite_make(&s, &spec);
	sim_suite_noise(&s, noise_lo, noise_hi, 99);
	lb = bal_lower_bound(s.tests, s.ntests, s.actual, 8);
	*ours = bal_simulate(&opts, s.binaries, s.nbinaries, s.tests, s.ntests, s.actual, NULL) / lb;
	sim_split_round_robin(&s, 8, assign);
	*rr = sim_static_makespan(&s, assign, 8) / lb;
	sim_suite_release(&s);
}

Test(simulate, heavy_tail_exact_estimates_within_5_percent)
{
	double ours, rr;

	quality(1, 1, &ours, &rr);
	cr_expect_leq(ours, 1.05, "makespan %.3f x lower bound", ours);
	cr_expect_leq(ours, rr, "balrun %.3f, round-robin %.3f", ours, rr);
}

Test(simulate, heavy_tail_noisy_estimates_within_15_percent)
{
	double ours, rr;

	quality(0.5, 2, &ours, &rr);
	cr_expect_leq(ours, 1.15, "makespan %.3f x lower bound", ours);
	cr_expect_leq(ours, rr, "balrun %.3f, round-robin %.3f", ours, rr);
}

Test(batching, late_units_are_no_smaller_than_the_overheads_warrant)
{
	struct fx f = { 0 };
	uint32_t bin = fx_binary(&f, 0.05, 1);
	struct bal_unit u;
	size_t i;

	/*
	 * 1 s of 0.05 s tests on 2 workers, invocations of 0.05 s: guided
	 * self-scheduling alone would take 1 / 4 = 0.25 s (5 tests); the
	 * square-root floor sqrt(4 x 0.05 x 1 / 2) = 0.32 s takes 6.
	 */
	for (i = 0; i < 20; i++)
		fx_test(&f, bin, 0.05);
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2, .smoke = 0 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_expect_eq(u.ntests, 6, "%zu tests", u.ntests);
	balancer_free(b);
}

/* balancer_predict: the worker expected free first, and the head of the order. */
Test(queue, predict_names_the_first_free_worker_and_the_head)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0, 0), c = fx_binary(&f, 0, 0), w = 9, t = 99;
	struct bal_unit u;

	fx_test(&f, a, 5);	/* 0 */
	fx_test(&f, a, 3);	/* 1 */
	fx_test(&f, c, 2);	/* 2 */
	f.tests[fx_test(&f, c, 1)].locks = 1;	/* 3: holds a lock */
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	cr_expect_eq(balancer_predict(b, &w, &t), 0, "idle workers take the head themselves");
	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);	/* test 0: ends at 5 */
	cr_expect_eq(balancer_predict(b, &w, &t), 0, "worker 1 is idle");
	balancer_set_now(b, 1);
	cr_assert_eq(balancer_next(b, 1, &u), BAL_UNIT);	/* test 1: ends at 4 */
	cr_assert_eq(balancer_predict(b, &w, &t), 1);
	cr_expect_eq(w, 1, "worker 1 ends first (4 s against 5 s)");
	cr_expect_eq(t, 2, "the head of the order");
	cr_expect_eq(balancer_queued(b), 2, "a prediction dispatches nothing");
	balancer_unit_done(b, 1, NULL, 0);
	cr_assert_eq(balancer_next(b, 1, &u), BAL_UNIT);	/* test 2 */
	cr_expect_eq(u.tests[0], 2);
	cr_expect_eq(u.guarded, 0);
	cr_expect_eq(balancer_predict(b, &w, &t), 0, "the head holds a lock: its binary waits");
	balancer_unit_done(b, 1, NULL, 0);
	cr_assert_eq(balancer_next(b, 1, &u), BAL_UNIT);	/* test 3 */
	cr_expect_eq(u.guarded, 1, "a unit that holds a lock is guarded");
	balancer_stop(b);
	cr_expect_eq(balancer_predict(b, &w, &t), 0, "stopped");
	balancer_free(b);
}
