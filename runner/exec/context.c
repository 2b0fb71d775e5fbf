/*
 * context.c - failures run again in their original context; see context.h.
 *
 * The scopes to check are found in one pass over the failures (per binary,
 * an array by scope of the highest rank that failed out of context), the
 * tests to run in a second pass over all tests (the scope's tests up to
 * that rank, in the binary's order, whether the user selected them or not:
 * a serial run would run them).  Each scope is one same-worker group of the
 * scratch run, so the balancer hands it to one worker as one unit, and the
 * binary runs it in one invocation in its own order.
 */
#include "context.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "scratch.h"
#include "util.h"

/* A failure worth checking: it failed out of context, in a binary that runs several tests per process. */
static int context_candidate(const struct run *r, const struct test_case *t)
{
	return t->selected && !t->fault && outcome_is_failure(t->outcome) && !t->in_context &&
	       t->worker >= 0 && !(r->bins[t->binary].adapter->flags & ADAPTER_ONE_TEST) &&
	       t->scope < r->bins[t->binary].nscopes;
}

/* What running a test again costs: its time in this run, else its estimate. */
static double context_cost(const struct test_case *t)
{
	return t->worker >= 0 ? t->duration : t->est;
}

/* A scope to check: its binary and scope, how far, what it costs, how many failures. */
struct context_scope {
	uint32_t binary, scope, upto;
	double cost;
	size_t failures;
};

static int context_cmp_cost(const void *pa, const void *pb)
{
	const struct context_scope *a = pa, *b = pb;

	return a->cost < b->cost ? -1 : a->cost > b->cost;
}

/* The scopes with failures out of context: one entry each, its mark the highest failing rank + 1. */
static struct context_scope *context_find(const struct run *r, size_t *n)
{
	uint32_t **at = xcalloc(r->nbins ? r->nbins : 1, sizeof(*at));	/* 1 + index in v, 0: none */
	struct context_scope *v = NULL;
	size_t alloc = 0;

	*n = 0;
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		struct context_scope *c;

		if (!context_candidate(r, t))
			continue;
		if (!at[t->binary])
			at[t->binary] = xcalloc(r->bins[t->binary].nscopes, sizeof(**at));
		if (!at[t->binary][t->scope]) {
			ALLOC_GROW(v, *n + 1, alloc);
			v[*n] = (struct context_scope){ .binary = t->binary, .scope = t->scope };
			at[t->binary][t->scope] = (uint32_t)++*n;
		}
		c = &v[at[t->binary][t->scope] - 1];
		c->failures++;
		c->cost += context_cost(t);	/* its run alone */
		if (c->upto < t->scope_rank + 1)
			c->upto = t->scope_rank + 1;
	}
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		uint32_t k = at[t->binary] && t->scope < r->bins[t->binary].nscopes ?
			     at[t->binary][t->scope] : 0;

		if (k && !t->fault && !t->disabled && t->scope_rank < v[k - 1].upto)
			v[k - 1].cost += context_cost(t);
	}
	for (size_t b = 0; b < r->nbins; b++)
		free(at[b]);
	free(at);
	return v;
}

/*
 * upto[b][s] = how many tests of scope s of binary b to run (0: none), for
 * the cheapest scopes that fit in the budget: at most CONTEXT_MAX_SCOPES
 * scopes, and at most max(CONTEXT_MIN_BUDGET, a CONTEXT_SHARE of the run's
 * test time) of work, so that a large Criterion suite (a process per test)
 * is not run again for one failure.  Returns the scopes chosen; the
 * failures left unchecked are counted in *skipped.
 */
static size_t context_scopes(const struct run *r, uint32_t **upto, size_t *skipped)
{
	size_t n, chosen = 0;
	struct context_scope *v = context_find(r, &n);
	double budget = 0, spent = 0;

	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected && !r->tests[i].fault && r->tests[i].worker >= 0)
			budget += r->tests[i].duration;
	budget = budget * CONTEXT_SHARE > CONTEXT_MIN_BUDGET ? budget * CONTEXT_SHARE : CONTEXT_MIN_BUDGET;
	if (n)
		qsort(v, n, sizeof(*v), context_cmp_cost);
	*skipped = 0;
	for (size_t i = 0; i < n; i++) {
		if (chosen >= CONTEXT_MAX_SCOPES || spent + v[i].cost > budget) {
			*skipped += v[i].failures;
			continue;
		}
		if (!upto[v[i].binary])
			upto[v[i].binary] = xcalloc(r->bins[v[i].binary].nscopes, sizeof(**upto));
		upto[v[i].binary][v[i].scope] = v[i].upto;
		spent += v[i].cost;
		chosen++;
	}
	free(v);
	return chosen;
}

/*
 * The scratch run: every scope's tests up to its mark, one group per scope,
 * then each failure again alone (a group of its own), so that a test that
 * simply passes now (flaky) is not called order-dependent.  from[k] = r's
 * index of scratch test k; alone[k] = 1 for the alone copies.
 */
static void context_build(const struct run *r, uint32_t **upto, struct run *tmp, uint32_t *from,
			  unsigned char *alone)
{
	uint32_t **group = xcalloc(r->nbins ? r->nbins : 1, sizeof(*group));
	uint32_t ngroups = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];

		if (t->fault || t->disabled || !upto[t->binary] || t->scope >= r->bins[t->binary].nscopes ||
		    t->scope_rank >= upto[t->binary][t->scope])
			continue;
		if (!group[t->binary])
			group[t->binary] = xcalloc(r->bins[t->binary].nscopes, sizeof(**group));
		if (!group[t->binary][t->scope])
			group[t->binary][t->scope] = ++ngroups;
		run_copy_test(tmp, t)->group = group[t->binary][t->scope];
		from[tmp->ntests - 1] = (uint32_t)i;
	}
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];

		if (!context_candidate(r, t) || !upto[t->binary] || !upto[t->binary][t->scope])
			continue;
		run_copy_test(tmp, t)->group = ++ngroups;
		from[tmp->ntests - 1] = (uint32_t)i;
		alone[tmp->ntests - 1] = 1;
	}
	for (size_t b = 0; b < r->nbins; b++)
		free(group[b]);
	free(group);
}

/* ORDERDEP, with the parallel failure's message kept after the verdict. */
static void context_keep_message(struct test_case *t)
{
	char *msg = xasprintf("failed apart from the tests before it in its group, passed after "
			      "them%s%s", t->message ? "; apart: " : "", t->message ? t->message : "");

	test_finish(t, OUTCOME_ORDERDEP, msg);
	free(msg);
}

/* A failure that passed both after its group's earlier tests and alone: no verdict. */
static void context_inconclusive(struct test_case *t)
{
	char *msg = xasprintf("%s%s(it passed when run again, both after the tests before it and "
			      "alone: flaky?)", t->message ? t->message : "", t->message ? " " : "");

	free(t->message);
	t->message = msg;
}

/*
 * The verdict on each checked failure (the first built tests of tmp; later
 * ones are faults): ORDER-DEPENDENT if it passed in context and failed alone
 * again.
 */
static void context_settle(struct run *r, struct run *tmp, size_t built, const uint32_t *from,
			   const unsigned char *alone, struct timing_cache *tc)
{
	for (size_t k = 0; k < built; k++) {
		struct test_case *t = &r->tests[from[k]];
		struct test_case *again = NULL;

		if (alone[k] || !context_candidate(r, t))
			continue;
		for (size_t j = k + 1; j < built && !again; j++)
			if (alone[j] && from[j] == from[k])
				again = &tmp->tests[j];
		struct test_more *m = test_more(t);

		if (m->context)
			test_attempt_release(m->context);
		free(m->context);
		m->context = xcalloc(1, sizeof(*m->context));
		*m->context = test_move_attempt(&tmp->tests[k]);
		if (m->context->outcome != OUTCOME_PASS || !again)
			continue;
		if (!outcome_is_failure(again->outcome)) {
			context_inconclusive(t);
			continue;
		}
		t->apart = t->outcome;
		context_keep_message(t);
		if (tc) {
			tc_record_test(tc, t->id, OUTCOME_PASS, m->context->duration, 0);
			tc_flag_test(tc, t->id, TC_FLAG_ORDER_DEPENDENT);
		}
	}
}

/* The binary of a failure left unchecked, for the fallback line. */
static uint32_t context_first_skipped(const struct run *r, uint32_t **upto)
{
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		if (context_candidate(r, t) && (!upto[t->binary] || !upto[t->binary][t->scope]))
			return t->binary;
	}
	return 0;
}

int context_rerun(struct run *r, const struct context_opts *o, const struct run_observer *obs,
		  struct dispatch_stats *main_st, int *interrupted, struct strbuf *err)
{
	uint32_t **upto = xcalloc(r->nbins ? r->nbins : 1, sizeof(*upto));
	uint32_t *from = xcalloc(2 * r->ntests + 1, sizeof(*from));
	unsigned char *alone = xcalloc(2 * r->ntests + 1, 1);
	struct dispatch_stats st;
	size_t skipped, nscopes = context_scopes(r, upto, &skipped);
	struct run tmp;
	int ret = 0;

	run_init(&tmp);
	tmp.bins = r->bins;	/* borrowed: not released with tmp */
	tmp.nbins = r->nbins;
	if (skipped)
		dispatch_stats_fallback(main_st, context_first_skipped(r, upto), skipped,
					"did not check failures for order dependence: running their "
					"groups again up to them would take too long (--dist group runs "
					"groups whole)");
	if (nscopes) {
		size_t built;

		context_build(r, upto, &tmp, from, alone);
		built = tmp.ntests;
		struct scratch_opts so = { .worker_path = o->worker_path, .workers = o->workers,
					   .timeout = o->timeout, .jobserver = o->jobserver };

		if (!o->quiet && obs->note) {
			char *note = xasprintf("checking failures for order dependence: running %zu "
					       "group%s again from the start up to the failed tests, in "
					       "the binary's order", nscopes, nscopes == 1 ? "" : "s");
			obs->note(obs->data, note);
			free(note);
		}
		ret = scratch_run(&tmp, &so, obs, &st, err);
		main_st->wall += st.wall;	/* the run took that long too */
		if (!ret && !st.interrupted && !st.aborted)
			context_settle(r, &tmp, built, from, alone, o->tc);
		*interrupted = st.interrupted ? st.interrupted : st.aborted ? SIGINT : *interrupted;
		dispatch_stats_release(&st);
	}
	for (size_t b = 0; b < r->nbins; b++)
		free(upto[b]);
	free(upto);
	free(from);
	free(alone);
	tmp.bins = NULL;
	tmp.nbins = 0;
	run_release(&tmp);
	return ret;
}
