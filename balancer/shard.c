/*
 * shard.c - CI shards by time (bal_shard): every CI job computes the same
 * partition from the same test list and timings, with no coordination, so
 * the union of the shards is every test exactly once.
 *
 * How:
 *   1. Units: every ungrouped test, and every whole group.  A unit is named
 *      by its smallest member id (strcmp: bytes, not the locale), so neither
 *      the collection order nor the group numbers the caller happened to
 *      give matter.  Its estimate is the sum of its members' (a test whose
 *      est is still < 0 counts as 0.5 s, bal_estimate's default).
 *   2. Order: units with a known member first, longest first, ties by name;
 *      then units with no known member, by a stable hash of the name
 *      (64-bit FNV-1a), ties by name.  Unknown units come last because their
 *      estimates are guesses, and by hash rather than by name so that a
 *      family of new tests (test_new_1, test_new_2, ...) spreads over the
 *      shards instead of landing together.
 *   3. Longest processing time first: each unit to the shard with the least
 *      load so far, ties to the lowest shard.  The loads are summed in the
 *      same order on every machine, so even the floating-point ties agree.
 * Longest-first to the least loaded shard is within 4/3 of the best
 * partition in the worst case (Graham), and within a fraction of the
 * smallest test of it on suites of many tests.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "balancer.h"
#include "util.h"

struct shard_unit {
	const char *name;       /* smallest member id */
	uint64_t hash;
	double est;
	int known;
	size_t first, n;        /* members: the sorted test array [first .. first+n) */
};

struct shard_ctx {
	const struct bal_test *tests;
	const char *const *keys;
};

static uint64_t shard_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Test indexes: ungrouped first, then grouped by group number (for gathering only). */
static int shard_cmp_tests(const void *pa, const void *pb, void *data)
{
	const struct shard_ctx *c = data;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const struct bal_test *ta = &c->tests[a], *tb = &c->tests[b];

	if (ta->has_group != tb->has_group)
		return ta->has_group ? 1 : -1;
	if (ta->has_group && ta->group != tb->group)
		return ta->group < tb->group ? -1 : 1;
	return strcmp(c->keys[a], c->keys[b]);
}

static int shard_cmp_units(const void *pa, const void *pb)
{
	const struct shard_unit *a = pa, *b = pb;

	if (a->known != b->known)
		return a->known ? -1 : 1;
	if (a->known && a->est != b->est)
		return a->est > b->est ? -1 : 1;
	if (!a->known && a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Gather the units over idx (sorted by shard_cmp_tests); returns their number. */
static size_t shard_units(const struct bal_test *tests, const char *const *keys,
			  const uint32_t *idx, size_t ntests, struct shard_unit *units)
{
	size_t n = 0, i;

	for (i = 0; i < ntests; i++) {
		const struct bal_test *t = &tests[idx[i]];
		const struct bal_test *prev = i ? &tests[idx[i - 1]] : NULL;
		struct shard_unit *u;

		if (!t->has_group || !prev || !prev->has_group || prev->group != t->group)
			units[n++] = (struct shard_unit){ .name = keys[idx[i]], .first = i };
		u = &units[n - 1];
		u->n++;
		u->est += t->est >= 0 ? t->est : 0.5;
		u->known |= t->known;
		if (strcmp(keys[idx[i]], u->name) < 0)
			u->name = keys[idx[i]];
	}
	for (i = 0; i < n; i++)
		units[i].hash = shard_hash(units[i].name);
	return n;
}

void bal_shard(const struct bal_test *tests, size_t ntests, const char *const *keys,
	       unsigned nshards, uint32_t *shard_of, double *load)
{
	struct shard_ctx ctx = { tests, keys };
	uint32_t *idx = xcalloc(ntests ? ntests : 1, sizeof(*idx));
	struct shard_unit *units = xcalloc(ntests ? ntests : 1, sizeof(*units));
	double *sum = xcalloc(nshards ? nshards : 1, sizeof(*sum));
	size_t nunits, i, j;
	unsigned s, least;

	if (!nshards)
		nshards = 1;
	for (i = 0; i < ntests; i++)
		idx[i] = i;
	qsort_r(idx, ntests, sizeof(*idx), shard_cmp_tests, &ctx);
	nunits = shard_units(tests, keys, idx, ntests, units);
	qsort(units, nunits, sizeof(*units), shard_cmp_units);
	for (i = 0; i < nunits; i++) {
		for (least = 0, s = 1; s < nshards; s++)
			if (sum[s] < sum[least])
				least = s;
		sum[least] += units[i].est;
		for (j = units[i].first; j < units[i].first + units[i].n; j++)
			shard_of[idx[j]] = least;
	}
	if (load)
		memcpy(load, sum, nshards * sizeof(*load));
	free(sum);
	free(units);
	free(idx);
}
