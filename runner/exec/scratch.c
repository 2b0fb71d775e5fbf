/*
 * scratch.c - a run after the run; see scratch.h.
 */
#include "scratch.h"

#include "plan-input.h"

int scratch_run(struct run *tmp, const struct scratch_opts *o, const struct run_observer *obs,
		struct dispatch_stats *st, struct strbuf *err)
{
	struct bal_opts bo = { .max_batch = o->max_batch };
	struct dispatch_opts dopts = { .worker_path = o->worker_path, .timeout = o->timeout,
				       .jobserver = o->jobserver };
	struct plan_input in;
	struct balancer *b;
	int ret;

	plan_input_build(&in, tmp, NULL, o->workers ? o->workers : 1, 0, -1);
	bo.workers = dopts.workers = in.workers;
	dopts.max_restarts = 4 * in.workers;
	b = balancer_new(&bo, in.bins, in.nbins, in.tests, in.n);
	ret = dispatch_run(tmp, b, in.map, in.n, NULL, &dopts, obs, st, err);
	balancer_free(b);
	plan_input_release(&in);
	return ret;
}
