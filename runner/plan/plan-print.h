/*
 * plan-print.h - --plan: what a run would do, without running anything.
 *
 * The balancer simulates the run with the estimates (bal_plan_make), every
 * test taking exactly its estimate and every invocation its binary's
 * overhead, and this prints: the units in dispatch order with their worker,
 * start and end; the load of every worker (and, with --shard, of every
 * shard); and the predicted makespan against the lower bound
 * max(longest test, work / workers).
 */
#ifndef BALRUN_PLAN_PRINT_H
#define BALRUN_PLAN_PRINT_H

#include <stdio.h>

#include "plan-input.h"
#include "markers.h"
#include "shard.h"

struct plan_print_opts {
	FILE *out;
	int verbose;                  /* > 0: every test of every unit, not just the first */
	const struct shard *shard;    /* NULL unless --shard */
	const struct marker_set *marks; /* group names */
	const char *workers_why;      /* NULL, or why -n auto picked the workers (workers_explain) */
};

/*
 * Simulate the run of in (bal_opts from bo) and print the plan.  The
 * schedule is left in r's planned tests (worker, unit, start, end, and the
 * estimate as duration) for --plan --timeline.  Returns the predicted
 * makespan.
 */
double plan_print(struct run *r, const struct plan_input *in, const struct bal_opts *bo,
		  const struct plan_print_opts *o);

/*
 * --plan for the selected tests of r: build the balancer input (estimates
 * from tc, markers), simulate with o's options on *workers, print, and
 * leave the schedule in r as plan_print does.  *workers becomes the
 * workers the run would start.  Returns the predicted makespan.
 */
double plan_show(struct run *r, const struct timing_cache *tc, const struct options *o, unsigned *workers,
		 const struct plan_print_opts *po);

#endif
