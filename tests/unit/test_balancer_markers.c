/*
 * test_balancer_markers.c - unit tests of the markers in balancer/: groups,
 * serial tests, named locks, weights, the EASY backfilling rule and plans.
 *
 * Two kinds of tests.  Scripted ones drive the balancer by hand (next,
 * observe, unit_done, set_now) and check each decision.  Simulated ones run
 * whole schedules of generated suites with markers (balancer/simsuite.h,
 * fixed seeds, actual durations off the estimates by up to 2x) through
 * bal_sim_run, and check every invariant on the recorded plan: every test
 * once, groups whole in one unit, no two lock holders overlapping, a serial
 * unit overlapping nothing, never more slots in use than workers.  No clock
 * is read anywhere.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "internal.h"
#include "simsuite.h"
#include "test_balancer_fx.h"

/*
 * The next unit worker w gets starts with test `want`; want < 0: the worker
 * is told to wait.
 */
static void next_is(struct balancer *b, unsigned w, int64_t want)
{
	struct bal_unit u;

	if (want < 0) {
		cr_expect_eq(balancer_next(b, w, &u), BAL_WAIT, "worker %u should wait", w);
		return;
	}
	cr_assert_eq(balancer_next(b, w, &u), BAL_UNIT, "worker %u got no unit", w);
	cr_expect_eq(u.tests[0], want, "worker %u got test %u, want %lld", w, u.tests[0],
		     (long long)want);
}

static int unit_has(const struct bal_unit *u, uint32_t test)
{
	for (size_t i = 0; i < u->ntests; i++)
		if (u->tests[i] == test)
			return 1;
	return 0;
}

Test(groups, one_unit_across_binaries_never_batched)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1), c = fx_binary(&f, 0.01, 1);
	struct bal_unit u;
	size_t i;

	for (i = 0; i < 20; i++)
		fx_test(&f, i % 2 ? a : c, 0.01);               /* tiny, batchable */
	f.tests[3].has_group = f.tests[4].has_group = f.tests[7].has_group = 1;
	f.tests[3].group = f.tests[4].group = f.tests[7].group = 9;
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	/* The group (0.03 s) is the longest item: it comes first, alone. */
	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_assert_eq(u.ntests, 3, "the group's 3 tests and nothing else (%zu)", u.ntests);
	cr_expect(unit_has(&u, 3) && unit_has(&u, 4) && unit_has(&u, 7));
	cr_expect_eq(f.tests[u.tests[0]].binary, f.tests[u.tests[1]].binary,
		     "each binary's tests are contiguous: one invocation per binary");
	cr_expect_neq(f.tests[u.tests[1]].binary, f.tests[u.tests[2]].binary);
	cr_expect_float_eq(u.est, 0.03 + 0.04 + 0.01, 1e-9, "members plus one overhead per binary");
	cr_assert_eq(balancer_next(b, 1, &u), BAL_UNIT);
	cr_expect_gt(u.ntests, 1, "other tests are still batched");
	cr_expect(!unit_has(&u, 3) && !unit_has(&u, 4) && !unit_has(&u, 7));
	balancer_free(b);
}

Test(groups, requeued_members_go_back_as_one_item)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0, 0), q[8];
	struct bal_unit u;
	size_t i;

	for (i = 0; i < 4; i++)
		fx_test(&f, a, 1);
	fx_test(&f, a, 0.5);
	for (i = 0; i < 4; i++) {
		f.tests[i].has_group = 1;
		f.tests[i].group = 0;
	}
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 1 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_assert_eq(u.ntests, 4);
	balancer_observe(b, 0, u.tests[0], 1);
	balancer_observe(b, 0, u.tests[1], 1);
	uint32_t notrun[] = { u.tests[2], u.tests[3] };

	balancer_unit_done(b, 0, notrun, 2);
	cr_assert_eq(balancer_queued_tests(b, q), 3);
	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_expect_eq(u.ntests, 2, "only the members that did not run, together");
	cr_expect(unit_has(&u, notrun[0]) && unit_has(&u, notrun[1]));
	balancer_free(b);
}

Test(serial, nothing_else_runs_meanwhile)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0, 0);

	fx_test(&f, a, 9);
	fx_test(&f, a, 1);                                      /* serial */
	fx_test(&f, a, 3);
	f.tests[1].serial = 1;
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 3 });

	next_is(b, 0, 1);
	next_is(b, 1, -1);
	next_is(b, 2, -1);
	balancer_unit_done(b, 0, NULL, 0);
	next_is(b, 1, 0);
	next_is(b, 2, 2);
	balancer_free(b);
}

Test(weights, a_weighted_unit_makes_others_wait)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0, 0);

	fx_test(&f, a, 5);                                      /* weight 3 of 4 */
	fx_test(&f, a, 4);
	fx_test(&f, a, 3);
	f.tests[0].weight = 3;
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 4 });

	balancer_set_now(b, 0);
	next_is(b, 0, 0);
	next_is(b, 1, 1);               /* one slot is left */
	next_is(b, 2, -1);              /* 3 + 1 slots of 4 are taken */
	next_is(b, 3, -1);
	balancer_set_now(b, 4);
	balancer_unit_done(b, 1, NULL, 0);
	next_is(b, 2, 2);
	balancer_free(b);
}

Test(locks, holders_of_one_lock_never_run_together)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1);

	fx_test(&f, a, 5);                                      /* lock 0 */
	fx_test(&f, a, 4);                                      /* lock 0 and 1 */
	fx_test(&f, a, 3);                                      /* lock 1 */
	fx_test(&f, a, 2);
	f.tests[0].locks = 1;
	f.tests[1].locks = 3;
	f.tests[2].locks = 2;
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 3 });

	balancer_set_now(b, 0);
	next_is(b, 0, 0);
	next_is(b, 1, 2);               /* not 1: it shares lock 0 with the running test 0 */
	next_is(b, 2, 3);
	balancer_set_now(b, 3);
	balancer_unit_done(b, 1, NULL, 0);
	next_is(b, 1, -1);              /* test 1 still waits for lock 0 */
	balancer_set_now(b, 5);
	balancer_unit_done(b, 0, NULL, 0);
	next_is(b, 0, 1);
	balancer_free(b);
}

Test(batching, only_tests_with_the_same_slots_and_locks_share_a_unit)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1), seen = 0;
	struct bal_unit u;
	size_t i, j;

	for (i = 0; i < 30; i++) {
		fx_test(&f, a, 0.01);
		f.tests[i].locks = i % 3 == 0 ? 1 : 0;
		f.tests[i].weight = i % 3 == 1 ? 2 : 1;
	}
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	while (balancer_next(b, 0, &u) == BAL_UNIT) {
		for (j = 1; j < u.ntests; j++) {
			cr_expect_eq(f.tests[u.tests[j]].locks, f.tests[u.tests[0]].locks);
			cr_expect_eq(f.tests[u.tests[j]].weight, f.tests[u.tests[0]].weight);
		}
		seen += u.ntests;
		cr_expect_lt(u.ntests, 11, "a unit of one kind holds at most 10 tests");
		balancer_unit_done(b, 0, NULL, 0);
	}
	cr_expect_eq(seen, 30);
	balancer_free(b);
}

Test(order, smoke_tests_are_never_constrained)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0, 0);
	struct bal_unit u;

	fx_test(&f, a, 0.1);                                    /* serial */
	fx_test(&f, a, 0.2);                                    /* weight 2 */
	fx_test(&f, a, 0.3);                                    /* lock */
	fx_test(&f, a, 0.4);                                    /* group */
	fx_test(&f, a, 0.5);
	fx_test(&f, a, 9);
	f.tests[0].serial = 1;
	f.tests[1].weight = 2;
	f.tests[2].locks = 4;
	f.tests[3].has_group = 1;
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2, .smoke = 1 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_expect_eq(u.smoke, 1);
	cr_expect_eq(u.tests[0], 4, "the fastest unconstrained test");
	balancer_free(b);
}

/* A serial head waiting behind a running 10 s unit; now = 0. */
static struct balancer *easy_setup(struct fx *f, int clock)
{
	uint32_t a = fx_binary(f, 0, 0);
	struct bal_unit u;
	struct balancer *b;

	fx_test(f, a, 10);                                      /* 0: failed last time: first */
	fx_test(f, a, 5);                                       /* 1: serial */
	fx_test(f, a, 20);                                      /* 2: ends after the reservation */
	fx_test(f, a, 4);                                       /* 3: ends before it */
	f->tests[0].failed_last = 1;
	f->tests[1].serial = 1;
	b = fx_new(f, (struct bal_opts){ .workers = 3, .failed_first = 1 });
	if (clock)
		balancer_set_now(b, 0);
	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_assert_eq(u.tests[0], 0);
	return b;
}

Test(easy, backfills_only_what_ends_before_the_reservation)
{
	struct fx f = { 0 };
	struct balancer *b = easy_setup(&f, 1);

	next_is(b, 1, 3);               /* 4 s ends at 4, before the reservation at 10 */
	next_is(b, 2, -1);              /* 20 s would delay the serial test */
	balancer_set_now(b, 10);
	balancer_unit_done(b, 0, NULL, 0);
	balancer_unit_done(b, 1, NULL, 0);
	next_is(b, 0, 1);               /* the serial test starts at its reservation */
	balancer_free(b);
}

Test(easy, without_a_clock_only_spare_slots_are_backfilled)
{
	struct fx f = { 0 };
	struct balancer *b = easy_setup(&f, 0);
	struct bal_unit u;

	cr_expect_eq(balancer_next(b, 1, &u), BAL_WAIT,
		     "no clock: whether 4 s ends before the reservation is unknown");
	balancer_free(b);
}

Test(easy, an_overdue_unit_moves_the_reservation)
{
	struct fx f = { 0 };
	struct balancer *b = easy_setup(&f, 1);

	balancer_set_now(b, 7);         /* the 10 s unit is expected to end in 3 s */
	next_is(b, 1, -1);              /* 4 s no longer fits before 10 */
	balancer_free(b);
}

Test(easy, spare_slots_are_backfilled_past_the_reservation)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0, 0);

	fx_test(&f, a, 10);                                     /* 0: lock 1 */
	fx_test(&f, a, 8);                                      /* 1: lock 1, blocked */
	fx_test(&f, a, 7);                                      /* 2: lock 1: would block 1 */
	fx_test(&f, a, 30);                                     /* 3: no lock, past R */
	f.tests[0].locks = f.tests[1].locks = f.tests[2].locks = 1;
	f.tests[3].locks = 0;
	f.tests[0].failed_last = f.tests[1].failed_last = f.tests[2].failed_last = 1;
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 3, .failed_first = 1 });

	balancer_set_now(b, 0);
	next_is(b, 0, 0);
	next_is(b, 1, 3);               /* the head needs 1 slot at 10; 2 more will be free */
	next_is(b, 2, -1);              /* test 2 holds lock 1 too */
	balancer_free(b);
}

/* Start of the unit holding test t in a plan. */
static double plan_start_of(const struct bal_plan *p, uint32_t t)
{
	for (size_t u = 0; u < p->nunits; u++)
		for (size_t i = 0; i < p->units[u].ntests; i++)
			if (p->tests[p->units[u].first + i] == t)
				return p->units[u].start;
	return -1;
}

/* 4 long tests ending at 10..13, a weight-3 test, then a stream of tiny ones. */
static double starved_start(enum bal_backfill policy)
{
	static struct fx f;
	struct bal_opts opts = { .workers = 4 };
	struct bal_plan plan = { 0 };
	struct bal_sim_opts so = { .backfill = policy, .plan = &plan };
	uint32_t a, heavy;
	size_t i;
	double start;

	f.nbins = f.ntests = 0;
	a = fx_binary(&f, 0, 0);
	for (i = 0; i < 4; i++)
		fx_test(&f, a, 13 - (double)i);
	heavy = fx_test(&f, a, 5);
	f.tests[heavy].weight = 3;
	for (i = 0; i < 400; i++)
		fx_test(&f, a, 0.3);
	bal_sim_run(&opts, f.bins, f.nbins, f.tests, f.ntests, &so);
	start = plan_start_of(&plan, heavy);
	bal_plan_release(&plan);
	return start;
}

Test(easy, a_weighted_test_in_a_stream_of_tiny_ones_starts_at_its_reservation)
{
	double easy = starved_start(BAL_BACKFILL_EASY), greedy = starved_start(BAL_BACKFILL_GREEDY);

	/* 3 slots are free once the units ending at 10, 11 and 12 are over. */
	cr_expect_float_eq(easy, 12, 1e-6, "EASY: starts at %.3f", easy);
	cr_expect_gt(greedy, 30, "greedy backfilling (ctest) starves it: %.3f", greedy);
}

/* Check every invariant of a simulated schedule (see the top of this file). */
static void check_plan(const struct sim_suite *s, const struct bal_plan *p, unsigned workers)
{
	char *seen = calloc(s->ntests, 1);
	size_t u, v, i;

	for (u = 0; u < p->nunits; u++) {
		const struct bal_planned_unit *pu = &p->units[u];
		const struct bal_test *h = &s->tests[p->tests[pu->first]];
		uint32_t slots = 0;

		for (i = 0; i < pu->ntests; i++) {
			uint32_t t = p->tests[pu->first + i];

			cr_expect_eq(seen[t], 0, "test %u twice", t);
			seen[t] = 1;
			cr_expect_eq(s->tests[t].has_group, h->has_group);
			if (h->has_group)
				cr_expect_eq(s->tests[t].group, h->group, "a unit mixes groups");
		}
		/* Everything overlapping pu's start, pu included. */
		for (v = 0; v < p->nunits; v++) {
			const struct bal_planned_unit *pv = &p->units[v];
			const struct bal_test *hv = &s->tests[p->tests[pv->first]];

			if (!(pv->start <= pu->start && pu->start < pv->end) && v != u)
				continue;
			slots += bal_test_slots(hv, workers);
			if (v == u || !(pu->start < pv->end && pv->start < pu->end))
				continue;
			cr_expect_eq(h->locks & hv->locks, 0, "units %zu and %zu share a lock", u, v);
			cr_expect(!h->serial && !hv->serial, "units %zu and %zu overlap a serial", u, v);
		}
		cr_expect_leq(slots, workers, "%u slots in use at %.3f", slots, pu->start);
	}
	for (i = 0; i < s->ntests; i++)
		cr_expect_eq(seen[i], 1, "test %zu never ran", i);
	free(seen);
}

/* A group's members all sit in one unit. */
static void check_groups_whole(const struct sim_suite *s, const struct bal_plan *p)
{
	for (size_t u = 0; u < p->nunits; u++) {
		const struct bal_test *h = &s->tests[p->tests[p->units[u].first]];
		size_t in_unit = p->units[u].ntests, total = 0;

		if (!h->has_group)
			continue;
		for (size_t i = 0; i < s->ntests; i++)
			total += s->tests[i].has_group && s->tests[i].group == h->group;
		cr_expect_eq(in_unit, total, "group %u split: %zu of %zu", h->group, in_unit, total);
	}
}

Test(simulate, markers_hold_in_every_simulated_schedule)
{
	static const unsigned workers[] = { 1, 2, 3, 8 };
	struct sim_marks marks = { .ngroups = 6, .group_size = 4, .nserial = 3, .nlocks = 3,
				   .per_lock = 8, .nweighted = 15, .max_weight = 4 };

	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct sim_spec spec = { SIM_LOGNORMAL, 200, 4, 0.04, 1, seed };
		struct sim_suite s;

		sim_suite_make(&s, &spec);
		sim_suite_mark(&s, &marks, seed);
		sim_suite_noise(&s, 0.5, 2, seed);
		for (size_t w = 0; w < sizeof(workers) / sizeof(*workers); w++) {
			struct bal_opts opts = { .workers = workers[w], .smoke = 3 };
			struct bal_plan plan = { 0 };
			struct bal_sim_opts so = { .actual = s.actual, .plan = &plan };

			bal_sim_run(&opts, s.binaries, s.nbinaries, s.tests, s.ntests, &so);
			check_plan(&s, &plan, workers[w]);
			check_groups_whole(&s, &plan);
			bal_plan_release(&plan);
		}
		sim_suite_release(&s);
	}
}

Test(simulate, easy_within_10_percent_of_the_bound_with_markers)
{
	struct sim_spec spec = { SIM_UNIFORM, 400, 10, 0.04, 1, 242 };
	struct sim_marks marks = { .ngroups = 8, .group_size = 5, .nserial = 4, .nlocks = 3,
				   .per_lock = 12, .nweighted = 30, .max_weight = 4 };
	struct bal_opts opts = { .workers = 8 };
	struct sim_suite s;

	sim_suite_make(&s, &spec);
	sim_suite_mark(&s, &marks, 342);
	double lb = bal_lower_bound(s.tests, s.ntests, NULL, 8);
	struct bal_sim_opts easy = { .backfill = BAL_BACKFILL_EASY };
	struct bal_sim_opts none = { .backfill = BAL_BACKFILL_NONE };
	double m_easy = bal_sim_run(&opts, s.binaries, s.nbinaries, s.tests, s.ntests, &easy);
	double m_none = bal_sim_run(&opts, s.binaries, s.nbinaries, s.tests, s.ntests, &none);

	cr_expect_leq(m_easy / lb, 1.10, "EASY %.3f x lower bound", m_easy / lb);
	cr_expect_lt(m_easy, m_none, "backfilling beats waiting: %.3f vs %.3f", m_easy, m_none);
	sim_suite_release(&s);
}

Test(plan, records_every_unit_of_the_real_policy)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.5, 0);
	struct bal_opts opts = { .workers = 2 };
	struct bal_plan p;

	fx_test(&f, a, 3);
	fx_test(&f, a, 2);
	fx_test(&f, a, 1);
	fx_test(&f, a, 1);                                      /* serial: first */
	f.tests[3].serial = 1;
	bal_plan_make(&opts, f.bins, f.nbins, f.tests, f.ntests, &p);
	cr_assert_eq(p.nunits, 4);
	/* serial 0-1.5 alone; then w0: 3 (1.5-5); w1: 2 (1.5-4), 1 (4-5.5) */
	cr_expect_eq(p.tests[p.units[0].first], 3);
	cr_expect_float_eq(p.units[0].end, 1.5, 1e-9);
	cr_expect_float_eq(p.units[1].start, 1.5, 1e-9, "nothing ran beside the serial test");
	cr_expect_eq(p.tests[p.units[3].first], 2);
	cr_expect_eq(p.units[3].worker, 1);
	cr_expect_float_eq(p.units[3].end, 5.5, 1e-9);
	cr_expect_float_eq(p.makespan, 5.5, 1e-9);
	cr_expect_float_eq(p.worker_busy[0] + p.worker_busy[1], 7 + 4 * 0.5, 1e-9);
	/* chain: the serial test + the longest other (3); area (3 + 2 + 1 + 2 * 1) / 2 = 4 */
	cr_expect_float_eq(p.lower_bound, 4, 1e-9);
	bal_plan_release(&p);
	cr_expect_null(p.units);
}

Test(estimate, lower_bound_counts_weights_locks_groups_and_serial)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0, 0);

	fx_test(&f, a, 2);
	fx_test(&f, a, 2);
	fx_test(&f, a, 2);
	cr_expect_float_eq(bal_lower_bound(f.tests, 3, NULL, 4), 2, 1e-9, "no markers: longest");
	f.tests[0].locks = f.tests[1].locks = f.tests[2].locks = 8;
	cr_expect_float_eq(bal_lower_bound(f.tests, 3, NULL, 4), 6, 1e-9, "one lock: a chain");
	f.tests[2].locks = 0;
	f.tests[2].serial = 1;
	cr_expect_float_eq(bal_lower_bound(f.tests, 3, NULL, 4), 6, 1e-9,
			   "the serial test adds to the chain");
	f.tests[2].serial = 0;
	f.tests[0].locks = f.tests[1].locks = 0;
	f.tests[0].weight = f.tests[1].weight = f.tests[2].weight = 4;
	cr_expect_float_eq(bal_lower_bound(f.tests, 3, NULL, 8), 3, 1e-9, "area: 3 x 2 x 4 / 8");
	f.tests[0].weight = f.tests[1].weight = f.tests[2].weight = 0;
	f.tests[0].has_group = f.tests[1].has_group = 1;
	cr_expect_float_eq(bal_lower_bound(f.tests, 3, NULL, 8), 4, 1e-9, "a group is one unit");
}

/*
 * Tests 0 (binary b0) and 1 (binary b1) as one group (loose or not; test 1
 * failed last time), then `rest` tests of b0: how many tests the first unit
 * holds, and how many of them are the group's.
 */
static size_t first_unit_with_group(struct fx *f, uint32_t b0, uint32_t b1, size_t rest, int loose,
				    size_t *of_group)
{
	struct bal_unit u;
	size_t i, n;

	fx_test(f, b0, 0.01);
	fx_test(f, b1, 0.01);
	for (i = 0; i < rest; i++)
		fx_test(f, b0, 0.01);
	f->tests[0].has_group = f->tests[1].has_group = 1;
	f->tests[0].loose = f->tests[1].loose = loose;
	f->tests[1].failed_last = 1;
	struct balancer *b = fx_new(f, (struct bal_opts){ .workers = 2, .failed_first = 1 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	n = u.ntests;
	for (i = 0, *of_group = 0; i < u.ntests; i++)
		*of_group += u.tests[i] < 2;
	balancer_free(b);
	return n;
}

Test(batching, a_loose_group_batches_like_a_test)
{
	struct fx f = { 0 }, g = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1), c = fx_binary(&g, 0.04, 1);
	size_t of_group, n;

	/* a failure with the test before it in its scope: one invocation, shared with the rest */
	n = first_unit_with_group(&f, a, a, 4, 1, &of_group);
	cr_expect_eq(n, 6, "%zu tests: the loose group and the rest in one unit", n);
	cr_expect_eq(of_group, 2);
	/* an ordinary group is a unit of its own */
	n = first_unit_with_group(&g, c, c, 4, 0, &of_group);
	cr_expect_eq(n, 2, "%zu tests", n);
}

Test(batching, a_loose_group_across_binaries_is_an_ordinary_group)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1), c = fx_binary(&f, 0.04, 1);
	size_t of_group, n = first_unit_with_group(&f, a, c, 10, 1, &of_group);

	cr_expect_eq(n, 2, "%zu tests", n);
	cr_expect_eq(of_group, 2);
}

Test(batching, a_loose_group_joins_whole_within_max_batch)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.5, 1), g[3];	/* a target of 2 overheads holds every test */
	struct bal_unit u;
	size_t i;

	fx_test(&f, a, 0.05);	/* the head */
	fx_test(&f, a, 0.04);
	for (i = 0; i < 3; i++) {
		g[i] = fx_test(&f, a, 0.01);
		f.tests[g[i]].has_group = f.tests[g[i]].loose = 1;
	}
	fx_test(&f, a, 0.001);
	f.bins[a].max_batch = 4;
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 2 });

	/* 2 tests + the group's 3 would be 5: the group is passed over, the last test joins */
	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_expect_eq(u.ntests, 3, "%zu tests", u.ntests);
	cr_assert_eq(balancer_next(b, 1, &u), BAL_UNIT);
	cr_expect_eq(u.ntests, 3, "%zu tests: the loose group whole", u.ntests);
	cr_expect_eq(u.tests[0], g[0]);
	balancer_free(b);
}

Test(batching, an_isolated_loose_group_runs_a_test_per_unit)
{
	struct fx f = { 0 };
	uint32_t a = fx_binary(&f, 0.04, 1), i;
	struct bal_unit u;

	/* its batch died before any test ran: each test alone, as when it was not grouped */
	for (i = 0; i < 3; i++) {
		fx_test(&f, a, 0.01);
		f.tests[i].has_group = f.tests[i].loose = 1;
	}
	struct balancer *b = fx_new(&f, (struct bal_opts){ .workers = 1 });

	cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
	cr_assert_eq(u.ntests, 3);
	uint32_t notrun[3] = { u.tests[0], u.tests[1], u.tests[2] };
	for (i = 0; i < 3; i++)
		balancer_isolate(b, notrun[i]);
	balancer_unit_done(b, 0, notrun, 3);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(balancer_next(b, 0, &u), BAL_UNIT);
		cr_expect_eq(u.ntests, 1, "unit %u: %zu tests", i, u.ntests);
		balancer_unit_done(b, 0, NULL, 0);
	}
	cr_expect_eq(balancer_next(b, 0, &u), BAL_DONE);
	balancer_free(b);
}
