/*
 * scratch.c - a run after the run; see scratch.h.
 */
#include "scratch.h"

#include "plan-input.h"
#include "status.h"

int scratch_run(struct run *tmp, const struct scratch_opts *o, struct dispatch_stats *st,
		struct strbuf *err)
{
	struct status_opts so = { .out = o->out, .color = o->color, .verbose = o->verbose };
	struct bal_opts bo = { .max_batch = o->max_batch };
	struct dispatch_opts dopts = { .worker_path = o->worker_path, .timeout = o->timeout };
	struct run_observer obs = { 0 };
	struct bal_input in;
	struct balancer *b;
	struct status *status;
	int ret;

	bal_input_build(&in, tmp, NULL, o->workers ? o->workers : 1, 0);
	bo.workers = dopts.workers = so.workers = in.workers;
	dopts.max_restarts = 4 * in.workers;
	b = balancer_new(&bo, in.bins, in.nbins, in.tests, in.n);
	so.total = in.n;
	status = status_new(&so);
	status_observer(status, &obs);
	ret = dispatch_run(tmp, b, in.map, in.n, NULL, &dopts, &obs, st, err);
	status_done(status);
	status_free(status);
	balancer_free(b);
	bal_input_release(&in);
	return ret;
}
