/*
 * plan-input.h - the balancer's view of a run: its binaries and the tests
 * to schedule, with estimates from the timing cache and constraints from
 * markers.  Built once and shared by the real run (main.c), --shard
 * (shard.c), --plan (plan-print.c) and the runs after the run
 * (exec/scratch.c), so that all of them see the same estimates and the
 * same groups, locks and weights.
 */
#ifndef BALRUN_PLAN_INPUT_H
#define BALRUN_PLAN_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "balancer.h"
#include "cli.h"
#include "run.h"
#include "tcache.h"

struct plan_input {
	struct bal_binary *bins;    /* one per r->bins */
	size_t nbins;
	struct bal_test *tests;     /* tests[i] is r->tests[map[i]] */
	uint32_t *map;
	size_t n;
	unsigned workers;           /* the workers that will run them: min(-n, n), at least 1 */
};

/*
 * Every selected test that is to run, in r's order: not disabled, not
 * already finished (--resume).  With all, every selected test: finished
 * ones too, and the disabled ones last, at estimate 0 (for --shard).
 * Estimates come from the tests (r->tests[].est where est_known: the
 * timing cache's, input/known.h), the rest from bal_estimate, which fills
 * in r->tests[].est of the others; the binaries' overheads from tc (NULL:
 * none).  A run with fewer tests than workers starts fewer workers
 * (in->workers), and weights above that are lowered to it
 * (markers_check_weight has already rejected weights above -n).  level >=
 * 0: only the tests of that phase (plan/depends.h); -1: every phase.
 * Release with plan_input_release.
 */
void plan_input_build(struct plan_input *in, struct run *r, const struct timing_cache *tc,
		     unsigned workers, int all, int level);
void plan_input_release(struct plan_input *in);

/* The balancer options for running in with the command line's options (smoke, failed-first). */
void plan_input_opts(const struct plan_input *in, const struct options *o, struct bal_opts *bo);

/*
 * The balancer for the real run: the selected tests of phase level (-1:
 * all) still to run, with o's options on workers.  *map receives the test index of each balancer
 * test (*nmap of them; the caller frees it), *predicted the simulated
 * makespan when some timings are known, else 0.
 */
struct balancer *plan_balancer(struct run *r, const struct options *o, unsigned workers,
			       const struct timing_cache *tc, int level, uint32_t **map, size_t *nmap,
			       double *predicted);

#endif
