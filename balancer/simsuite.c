/*
 * simsuite.c - synthetic suites and static splits for simulation.
 *
 * The PRNG is xorshift64* (Vigna), the normal deviate Box-Muller; both are
 * deterministic across platforms given the seed.  See simsuite.h for the
 * suite shapes and how a static split is timed.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>

#include "simsuite.h"
#include "util.h"

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	r->state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

double sim_uniform(struct sim_rng *r)
{
	uint64_t x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return (double)((x * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

double sim_lognormal(struct sim_rng *r, double mu, double sigma)
{
	double u1 = 1.0 - sim_uniform(r), u2 = sim_uniform(r);
	double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);

	return exp(mu + sigma * z);
}

static double sim_draw(struct sim_rng *r, enum sim_shape shape)
{
	switch (shape) {
	case SIM_UNIFORM:
		return 0.05 + 1.95 * sim_uniform(r);
	case SIM_LOGNORMAL:
		return sim_lognormal(r, log(0.2), 1.5);
	case SIM_GIANT:
		return 0.05 + 0.45 * sim_uniform(r);
	case SIM_TINY:
		return 0.0005 + 0.0045 * sim_uniform(r);
	}
	return 0;
}

void sim_suite_make(struct sim_suite *s, const struct sim_spec *spec)
{
	struct sim_rng r;
	size_t nb = spec->nbinaries ? spec->nbinaries : 1, i;
	double total = 0;

	sim_rng_seed(&r, spec->seed);
	s->nbinaries = nb;
	s->ntests = spec->ntests;
	s->binaries = xcalloc(nb, sizeof(*s->binaries));
	s->tests = xcalloc(s->ntests ? s->ntests : 1, sizeof(*s->tests));
	s->actual = xcalloc(s->ntests ? s->ntests : 1, sizeof(*s->actual));
	for (i = 0; i < nb; i++) {
		s->binaries[i].overhead = spec->overhead;
		s->binaries[i].batchable = spec->batchable ? 1 : 0;
	}
	for (i = 0; i < s->ntests; i++) {
		s->actual[i] = sim_draw(&r, spec->shape);
		total += s->actual[i];
		s->tests[i].binary = i * nb / s->ntests;
		s->tests[i].known = 1;
	}
	if (spec->shape == SIM_GIANT && s->ntests)
		s->actual[s->ntests * 3 / 4] = total / 3;   /* a quarter of the new total */
	s->ids = xcalloc(s->ntests ? s->ntests : 1, sizeof(*s->ids));
	for (i = 0; i < s->ntests; i++) {
		s->tests[i].est = s->actual[i];
		s->ids[i] = xasprintf("b%02u/suite::t%05zu", (unsigned)s->tests[i].binary, i);
	}
}

void sim_suite_noise(struct sim_suite *s, double lo, double hi, uint64_t seed)
{
	struct sim_rng r;
	size_t i;

	sim_rng_seed(&r, seed);
	for (i = 0; i < s->ntests; i++)
		s->tests[i].est = s->actual[i] * exp(log(lo) + (log(hi) - log(lo)) * sim_uniform(&r));
}

void sim_suite_release(struct sim_suite *s)
{
	size_t i;

	for (i = 0; s->ids && i < s->ntests; i++)
		free(s->ids[i]);
	free(s->ids);
	s->ids = NULL;
	free(s->binaries);
	free(s->tests);
	free(s->actual);
	s->binaries = NULL;
	s->tests = NULL;
	s->actual = NULL;
	s->ntests = s->nbinaries = 0;
}

void sim_split_round_robin(const struct sim_suite *s, unsigned workers, unsigned *assign)
{
	size_t i;

	for (i = 0; i < s->ntests; i++)
		assign[i] = i % workers;
}

void sim_split_chunks(const struct sim_suite *s, unsigned workers, unsigned *assign)
{
	size_t i;

	for (i = 0; i < s->ntests; i++)
		assign[i] = i * workers / s->ntests;
}

void sim_split_duration_chunks(const struct sim_suite *s, unsigned workers, unsigned *assign)
{
	double total = 0, per_group, group = 0;
	unsigned g = 0;
	size_t i;

	for (i = 0; i < s->ntests; i++)
		total += s->tests[i].est;
	per_group = total / workers;
	for (i = 0; i < s->ntests; i++) {
		if (group >= per_group && g + 1 < workers) {
			g++;
			group = 0;
		}
		assign[i] = g;
		group += s->tests[i].est;
	}
}

static int sim_cmp_longest(const void *pa, const void *pb, void *data)
{
	const struct bal_test *tests = data;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	if (tests[a].est != tests[b].est)
		return tests[a].est > tests[b].est ? -1 : 1;
	return a < b ? -1 : a > b;
}

void sim_split_lpt(const struct sim_suite *s, unsigned workers, unsigned *assign)
{
	uint32_t *by_len = xcalloc(s->ntests ? s->ntests : 1, sizeof(*by_len));
	double *load = xcalloc(workers, sizeof(*load));
	size_t i;
	unsigned w, least;

	for (i = 0; i < s->ntests; i++)
		by_len[i] = i;
	qsort_r(by_len, s->ntests, sizeof(*by_len), sim_cmp_longest, s->tests);
	for (i = 0; i < s->ntests; i++) {
		for (least = 0, w = 1; w < workers; w++)
			if (load[w] < load[least])
				least = w;
		assign[by_len[i]] = least;
		load[least] += s->tests[by_len[i]].est;
	}
	free(load);
	free(by_len);
}

double sim_static_makespan(const struct sim_suite *s, const unsigned *assign, unsigned workers)
{
	double *load = xcalloc(workers, sizeof(*load));
	/* last binary invoked per worker, +1 (0 = none yet): tests come binary by binary */
	size_t *last = xcalloc(workers, sizeof(*last));
	double makespan = 0;
	size_t i;
	unsigned w;

	for (i = 0; i < s->ntests; i++) {
		const struct bal_test *t = &s->tests[i];
		const struct bal_binary *bin = &s->binaries[t->binary];

		w = assign[i];
		if (!bin->batchable || last[w] != t->binary + 1)
			load[w] += bin->overhead > 0 ? bin->overhead : 0;
		last[w] = t->binary + 1;
		load[w] += s->actual[i];
	}
	for (w = 0; w < workers; w++)
		if (load[w] > makespan)
			makespan = load[w];
	free(last);
	free(load);
	return makespan;
}

/* A random permutation of 0..n-1 (Fisher-Yates). */
static uint32_t *sim_permutation(size_t n, struct sim_rng *r)
{
	uint32_t *p = xcalloc(n ? n : 1, sizeof(*p));
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = i;
	for (i = n; i > 1; i--) {
		size_t j = (size_t)(sim_uniform(r) * i), t = p[i - 1];

		p[i - 1] = p[j];
		p[j] = t;
	}
	return p;
}

void sim_suite_mark(struct sim_suite *s, const struct sim_marks *m, uint64_t seed)
{
	struct sim_rng r;
	uint32_t *p;
	size_t k = 0, i;

	sim_rng_seed(&r, seed);
	p = sim_permutation(s->ntests, &r);
	for (i = 0; i < (size_t)m->ngroups * m->group_size && k < s->ntests; i++, k++) {
		s->tests[p[k]].has_group = 1;
		s->tests[p[k]].group = i / m->group_size;
	}
	for (i = 0; i < m->nserial && k < s->ntests; i++, k++)
		s->tests[p[k]].serial = 1;
	for (i = 0; i < (size_t)m->nlocks * m->per_lock && k < s->ntests; i++, k++)
		s->tests[p[k]].locks = 1ull << (i / m->per_lock % 64);
	for (i = 0; i < m->nweighted && k < s->ntests; i++, k++)
		s->tests[p[k]].weight = 2 + (uint32_t)(sim_uniform(&r) * (m->max_weight - 1));
	free(p);
}

double sim_shard_imbalance(const struct sim_suite *s, const unsigned *assign, unsigned nshards)
{
	double *load = xcalloc(nshards, sizeof(*load));
	double total = 0, most = 0;
	size_t i;
	unsigned k;

	for (i = 0; i < s->ntests; i++) {
		load[assign[i]] += s->actual[i];
		total += s->actual[i];
	}
	for (k = 0; k < nshards; k++)
		if (load[k] > most)
			most = load[k];
	free(load);
	return total > 0 ? most / (total / nshards) : 1;
}
