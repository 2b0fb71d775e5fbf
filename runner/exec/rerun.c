/*
 * rerun.c - run a parallel run's failures again, alone; see rerun.h.
 *
 * The scratch run (tests copied, binaries borrowed) goes through the same
 * balancer and dispatch loop as a real run, so timeouts, crashes, lost
 * workers and Ctrl-C behave exactly as they do there.  Only the shape
 * differs: one worker, units of one test, no smoke tests, no timing cache,
 * no checkpoint, no retries.
 */
#include "rerun.h"

#include <signal.h>
#include <string.h>

#include "scratch.h"
#include "retry.h"
#include "status.h"
#include "util.h"

/* "failed only in parallel" and the like, from how the alone run ended. */
static const char *rerun_verdict(const struct test_attempt *a)
{
	if (a->outcome == OUTCOME_PASS)
		return "failed only in parallel";
	if (outcome_is_failure(a->outcome))
		return "failed alone too";
	return a->outcome == OUTCOME_SKIP ? "skipped alone" : "not run alone";
}

int rerun_failed_serially(struct run *r, const struct rerun_opts *o, int *interrupted,
			  struct strbuf *err)
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
		run_add_test(&tmp, t->binary, t->name)->timeout = t->timeout;
		from[n++] = (uint32_t)i;
	}
	if (n) {
		if (o->verbose >= 0)
			fprintf(o->out, "balrun: running the %zu failed test%s again, alone, one at a time "
				"(--rerun-failed-serially)\n", n, n == 1 ? "" : "s");
		struct scratch_opts so = { .out = o->out, .worker_path = o->worker_path, .workers = 1,
					   .max_batch = 1, .timeout = o->timeout, .verbose = o->verbose,
					   .color = o->color };

		ret = scratch_run(&tmp, &so, &st, err);
		for (size_t k = 0; k < n; k++) {
			struct test_attempt *a = xcalloc(1, sizeof(*a));

			*a = test_move_attempt(&tmp.tests[k]);
			r->tests[from[k]].alone = a;
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

void rerun_print(const struct run *r, const struct report_opts *o)
{
	size_t parallel_only = 0, total = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_attempt *a = r->tests[i].selected ? r->tests[i].alone : NULL;
		total += a != NULL;
		parallel_only += a && a->outcome == OUTCOME_PASS;
	}
	if (!total)
		return;
	struct strbuf shown = STRBUF_INIT;
	fprintf(o->out, "\n== failures run again alone (%zu): %zu failed only in parallel, %zu did not ==\n",
		total, parallel_only, total - parallel_only);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		const struct test_attempt *a = t->selected ? t->alone : NULL;

		if (!a)
			continue;
		fprintf(o->out, "%s%s%s: %s (alone: %s %.2fs%s%s)\n",
			status_outcome_color(a->outcome == OUTCOME_PASS ? OUTCOME_FLAKY : a->outcome, o->color),
			rerun_verdict(a), o->color ? "\033[0m" : "", run_display(t->id, &shown), outcome_tag(a->outcome),
			a->duration, a->message && a->outcome != OUTCOME_PASS ? ": " : "",
			a->message && a->outcome != OUTCOME_PASS ? a->message : "");
		if (o->verbose > 0)
			report_print_output(o->out, a->output, a->output_len, a->output_dropped);
	}
	strbuf_release(&shown);
}

json_t *rerun_json(const struct test_case *t)
{
	json_t *j = retry_attempt_json(t->alone);

	json_object_set_new(j, "verdict", json_string(rerun_verdict(t->alone)));
	return j;
}
