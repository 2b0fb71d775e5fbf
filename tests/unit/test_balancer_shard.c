/*
 * test_balancer_shard.c - unit tests of bal_shard, the CI shards by time.
 *
 * Every CI job computes its shard alone, so the properties that matter are
 * checked directly: the shards' union is every test exactly once for 1..16
 * shards; the same partition comes out of a shuffled collection order (and
 * renumbered groups); groups are never split; the longest-first rule gives
 * the expected split on a small case; unknown tests are spread; and the
 * imbalance target (within 3% of perfect for 8 shards of 600 tests) holds
 * on a generated suite with a fixed seed.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balancer.h"
#include "simsuite.h"

/* Shuffle the suite's tests and ids the same way (Fisher-Yates), renumbering groups. */
static void shuffle(struct sim_suite *s, uint64_t seed)
{
	struct sim_rng r;

	sim_rng_seed(&r, seed);
	for (size_t i = s->ntests; i > 1; i--) {
		size_t j = (size_t)(sim_uniform(&r) * i);
		struct bal_test t = s->tests[i - 1];
		char *id = s->ids[i - 1];
		double a = s->actual[i - 1];

		s->tests[i - 1] = s->tests[j];
		s->ids[i - 1] = s->ids[j];
		s->actual[i - 1] = s->actual[j];
		s->tests[j] = t;
		s->ids[j] = id;
		s->actual[j] = a;
	}
	for (size_t i = 0; i < s->ntests; i++)
		if (s->tests[i].has_group)
			s->tests[i].group = 1000 - s->tests[i].group;
}

static void make_suite(struct sim_suite *s)
{
	struct sim_spec spec = { SIM_LOGNORMAL, 600, 12, 0.04, 1, 77 };
	struct sim_marks marks = { .ngroups = 20, .group_size = 5 };

	sim_suite_make(s, &spec);
	sim_suite_mark(s, &marks, 78);
	for (size_t i = 0; i < s->ntests; i++)
		s->tests[i].est = (int)(s->tests[i].est * 10) / 10.0;  /* many ties */
	for (size_t i = 0; i < s->ntests; i += 9) {
		s->tests[i].est = -1;
		s->tests[i].known = 0;
	}
	bal_estimate(s->tests, s->ntests, s->nbinaries, 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "id shard" lines sorted by id: the partition, whatever the order of the tests. */
static char **partition(const struct sim_suite *s, unsigned n)
{
	uint32_t *shard = calloc(s->ntests, sizeof(*shard));
	char **lines = calloc(s->ntests, sizeof(*lines));

	bal_shard(s->tests, s->ntests, (const char *const *)s->ids, n, shard, NULL);
	for (size_t i = 0; i < s->ntests; i++) {
		lines[i] = malloc(strlen(s->ids[i]) + 16);
		sprintf(lines[i], "%s %u", s->ids[i], shard[i]);
	}
	qsort(lines, s->ntests, sizeof(*lines), cmp_str);
	free(shard);
	return lines;
}

Test(shard, union_is_every_test_exactly_once_for_1_to_16_shards)
{
	struct sim_suite s;

	make_suite(&s);
	uint32_t *shard = calloc(s.ntests, sizeof(*shard));

	for (unsigned n = 1; n <= 16; n++) {
		double load[16], sum = 0, total = 0;
		size_t count[16] = { 0 };

		memset(shard, 0xff, s.ntests * sizeof(*shard));
		bal_shard(s.tests, s.ntests, (const char *const *)s.ids, n, shard, load);
		for (size_t i = 0; i < s.ntests; i++) {
			cr_assert_lt(shard[i], n, "test %zu in shard %u of %u", i, shard[i], n);
			count[shard[i]]++;
			total += s.tests[i].est;
		}
		for (unsigned k = 0; k < n; k++) {
			cr_expect_gt(count[k], 0, "shard %u of %u is empty", k, n);
			sum += load[k];
		}
		cr_expect_float_eq(sum, total, 1e-6, "loads add up to the whole suite");
	}
	free(shard);
	sim_suite_release(&s);
}

Test(shard, same_partition_from_a_shuffled_collection_order)
{
	struct sim_suite s;

	make_suite(&s);
	for (unsigned n = 2; n <= 16; n *= 2) {
		char **before = partition(&s, n), **after;

		shuffle(&s, n);
		after = partition(&s, n);
		for (size_t i = 0; i < s.ntests; i++) {
			cr_expect_str_eq(before[i], after[i]);
			free(before[i]);
			free(after[i]);
		}
		free(before);
		free(after);
	}
	sim_suite_release(&s);
}

Test(shard, groups_are_never_split)
{
	struct sim_suite s;

	make_suite(&s);
	uint32_t *shard = calloc(s.ntests, sizeof(*shard));

	for (unsigned n = 2; n <= 16; n++) {
		bal_shard(s.tests, s.ntests, (const char *const *)s.ids, n, shard, NULL);
		for (size_t i = 0; i < s.ntests; i++)
			for (size_t j = 0; j < s.ntests; j++)
				if (s.tests[i].has_group && s.tests[j].has_group &&
				    s.tests[i].group == s.tests[j].group)
					cr_expect_eq(shard[i], shard[j], "group %u split", s.tests[i].group);
	}
	free(shard);
	sim_suite_release(&s);
}

Test(shard, longest_first_to_the_least_loaded_shard)
{
	static const double est[] = { 3, 5, 3, 4, 3 };
	static const char *const ids[] = { "c", "a", "e", "b", "d" };
	/* 5 -> 0; 4 -> 1; 3 (c) -> 1 (7); 3 (d) -> 0 (8); 3 (e) -> 1 (10) */
	static const uint32_t want[] = { 1, 0, 1, 1, 0 };
	struct bal_test tests[5] = { 0 };
	uint32_t shard[5];
	double load[2];

	for (size_t i = 0; i < 5; i++) {
		tests[i].est = est[i];
		tests[i].known = 1;
	}
	bal_shard(tests, 5, ids, 2, shard, load);
	for (size_t i = 0; i < 5; i++)
		cr_expect_eq(shard[i], want[i], "%s in shard %u, want %u", ids[i], shard[i], want[i]);
	cr_expect_float_eq(load[0], 8, 1e-9);
	cr_expect_float_eq(load[1], 10, 1e-9);
}

/* 64-bit FNV-1a, as the placement of unknown tests is documented. */
static uint64_t fnv1a(const char *p)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return h;
}

Test(shard, unknown_tests_after_known_ones_in_hash_order)
{
	static const char *const ids[] = { "k_long", "new_a", "new_b", "new_c", "new_d" };
	struct bal_test tests[5] = { 0 };
	uint32_t shard[5];
	size_t i, j, rank;

	tests[0].est = 10;
	tests[0].known = 1;
	for (i = 1; i < 5; i++)
		tests[i].est = 1;               /* unknown, estimated 1 s each */
	bal_shard(tests, 5, ids, 5, shard, NULL);
	cr_expect_eq(shard[0], 0, "the known test is placed first");
	/* Equal loads: the unknown tests fill shards 1..4 in the order of their hashes. */
	for (i = 1; i < 5; i++) {
		for (rank = 0, j = 1; j < 5; j++)
			rank += fnv1a(ids[j]) < fnv1a(ids[i]);
		cr_expect_eq(shard[i], 1 + rank, "%s: shard %u, want %zu", ids[i], shard[i], 1 + rank);
	}
}

Test(shard, unplaced_estimates_count_as_half_a_second)
{
	static const char *const ids[] = { "a", "b", "c" };
	struct bal_test tests[3] = { { .est = -1 }, { .est = -1 }, { .est = 0.75, .known = 1 } };
	uint32_t shard[3];
	double load[2];

	bal_shard(tests, 3, ids, 2, shard, load);
	/* 0.75 -> shard 0; 0.5 -> shard 1; 0.5 -> shard 1 again (0.5 < 0.75). */
	cr_expect_eq(shard[2], 0);
	cr_expect_eq(shard[0], 1);
	cr_expect_eq(shard[1], 1);
	cr_expect_float_eq(load[1], 1.0, 1e-9);
}

Test(shard, within_3_percent_of_perfect_for_8_shards)
{
	struct sim_spec spec = { SIM_LOGNORMAL, 600, 12, 0.04, 1, 142 };
	struct sim_suite s;
	unsigned assign[600];
	uint32_t shard[600];
	double ours, rr;

	sim_suite_make(&s, &spec);
	bal_shard(s.tests, s.ntests, (const char *const *)s.ids, 8, shard, NULL);
	for (size_t i = 0; i < s.ntests; i++)
		assign[i] = shard[i];
	ours = sim_shard_imbalance(&s, assign, 8);
	sim_split_round_robin(&s, 8, assign);
	rr = sim_shard_imbalance(&s, assign, 8);
	cr_expect_leq(ours, 1.03, "max / mean %.3f", ours);
	cr_expect_lt(ours, rr, "ours %.3f, round-robin %.3f", ours, rr);
	sim_suite_release(&s);
}
