/*
 * test_balancer_fx.h - a suite under construction for the balancer's unit
 * tests (test_balancer*.c): binaries and tests added one by one, then a
 * balancer over them.  Header-only: each test program includes it once.
 */
#ifndef BALRUN_TEST_BALANCER_FX_H
#define BALRUN_TEST_BALANCER_FX_H

#include "balancer.h"

#define MAXT 2048

struct fx {
	struct bal_binary bins[8];
	size_t nbins;
	struct bal_test tests[MAXT];
	size_t ntests;
};

static inline uint32_t fx_binary(struct fx *f, double overhead, int batchable)
{
	f->bins[f->nbins].overhead = overhead;
	f->bins[f->nbins].batchable = batchable;
	return f->nbins++;
}

/* A test of that binary; est < 0 means unknown. */
static inline uint32_t fx_test(struct fx *f, uint32_t binary, double est)
{
	struct bal_test *t = &f->tests[f->ntests];

	t->binary = binary;
	t->est = est;
	t->known = est >= 0;
	return f->ntests++;
}

static inline struct balancer *fx_new(struct fx *f, struct bal_opts opts)
{
	return balancer_new(&opts, f->bins, f->nbins, f->tests, f->ntests);
}

#endif
