/*
 * rerun.c - run a parallel run's failures again, alone; see rerun.h.
 * Only the shape of the scratch run is its own: one worker, units of one
 * test.
 */
#include "rerun.h"

#include <signal.h>
#include <string.h>

#include "scratch.h"
#include "util.h"

int rerun_failed_serially(struct run *r, const struct rerun_opts *o, const struct run_observer *obs,
			  int *interrupted, struct strbuf *err)
{
	uint32_t *from = xcalloc(r->ntests + 1, sizeof(*from));	/* scratch test k is r->tests[from[k]] */
	struct dispatch_stats st;
	struct run tmp;
	size_t n = 0;
	int ret = 0;

	run_init(&tmp);
	tmp.bins = r->bins;	/* borrowed: not released with tmp */
	tmp.nbins = r->nbins;
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		if (!t->selected || t->fault || !outcome_is_failure(t->outcome))
			continue;
		run_copy_test(&tmp, t);
		from[n++] = (uint32_t)i;
	}
	if (n) {
		struct scratch_opts so = { .worker_path = o->worker_path, .workers = 1, .max_batch = 1,
					   .timeout = o->timeout, .jobserver = o->jobserver };
		char *note = xasprintf("running the %zu failed test%s again, alone, one at a time "
				       "(--rerun-failed-serially)", n, n == 1 ? "" : "s");

		if (!o->quiet && obs->note)
			obs->note(obs->data, note);
		free(note);
		ret = scratch_run(&tmp, &so, obs, &st, err);
		for (size_t k = 0; k < n; k++) {
			struct test_attempt *a = xcalloc(1, sizeof(*a));

			*a = test_move_attempt(&tmp.tests[k]);
			test_more(&r->tests[from[k]])->alone = a;
		}
		*interrupted = st.interrupted ? st.interrupted : st.aborted ? SIGINT : *interrupted;
		dispatch_stats_release(&st);
	}
	tmp.bins = NULL;
	tmp.nbins = 0;
	run_release(&tmp);
	free(from);
	return ret;
}
