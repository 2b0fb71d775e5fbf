/*
 * phases.h - the main run, phase by phase.
 *
 * Tests a build system orders (plan/depends.h: DEPENDS, fixtures) have
 * levels; without them every test is level 0 and there is one phase.
 * Each phase is planned (plan/plan-input.h) when it starts, so that a test
 * that a failed fixture setup made NOT RUN is not planned, and dispatched
 * (dispatch.h) on at most the run's workers; after it, failed setups are
 * settled (depends_settle).  A phase that is interrupted, stopped (-x,
 * --maxfail) or stopped by failed smoke tests ends the run: the tests of
 * the later phases are NOT RUN with that reason.  The stats of all phases
 * add up into one struct dispatch_stats, as if one dispatch had run.
 */
#ifndef BALRUN_PHASES_H
#define BALRUN_PHASES_H

#include <limits.h>
#include <stdint.h>

#include "cli.h"
#include "dispatch.h"
#include "run.h"
#include "strbuf.h"
#include "tcache.h"

/* dispatch.max_restarts: the default, 4 x the phase's workers */
#define PHASES_DEFAULT_RESTARTS UINT_MAX

struct phases_opts {
	const struct options *o;            /* the balancer's options (smoke tests, failed first) */
	struct dispatch_opts dispatch;      /* .workers: at most this many; the rest as dispatch.h */
	const struct timing_cache *plan_tc; /* the timings to plan with (may be NULL) */
	struct timing_cache *tc;            /* where results go (may be NULL) */
	uint32_t levels;                    /* depends_levels() */
	/*
	 * Called once before the first test starts, with the predicted
	 * makespan of all phases (0 without timings) and the workers the first
	 * phase starts.  May be NULL.
	 */
	void (*starting)(void *data, double predicted, unsigned workers);
	void *data;
};

/*
 * Run every phase; st receives the stats of the whole run and *workers the
 * most workers any phase ran (the size of st's arrays).  0, or -1 with err
 * on an internal error (the phase's dispatch failed; later phases did not
 * run).
 */
int phases_run(struct run *r, const struct phases_opts *o, const struct run_observer *obs,
	       struct dispatch_stats *st, unsigned *workers, struct strbuf *err);

#endif
