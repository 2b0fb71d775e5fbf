/*
 * depends.c - levels from DEPENDS and fixtures, and failed setups; see
 * depends.h.
 *
 * The graph is over binaries (one per registered test): a depth-first
 * walk with a colour per binary finds each level and any cycle.  Edges
 * are found by name each time they are needed: registered suites have
 * hundreds or thousands of tests and few of them name others.
 */
#include "depends.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static int depends_has(const struct strvec *v, const char *s)
{
	for (size_t i = 0; i < v->nr; i++)
		if (!strcmp(v->v[i], s))
			return 1;
	return 0;
}

/* 1 if binary a must run after binary b. */
static int depends_after(const struct binary *a, const struct binary *b)
{
	const struct test_command *x = &a->cmd, *y = &b->cmd;

	if (a == b || !y->name)
		return 0;
	if (depends_has(&x->depends, y->name))
		return 1;
	for (size_t f = 0; f < x->fixtures_required.nr; f++)
		if (depends_has(&y->fixtures_setup, x->fixtures_required.v[f]))
			return 1;
	for (size_t f = 0; f < x->fixtures_cleanup.nr; f++)
		if (depends_has(&y->fixtures_required, x->fixtures_cleanup.v[f]) ||
		    depends_has(&y->fixtures_setup, x->fixtures_cleanup.v[f]))
			return 1;
	return 0;
}

static int depends_any(const struct binary *b)
{
	const struct test_command *c = &b->cmd;

	return c->depends.nr || c->fixtures_required.nr || c->fixtures_cleanup.nr;
}

enum { DEP_NEW = 0, DEP_WALKING, DEP_DONE };

/* The level of binary i (state and level memoised).  -1 with err on a cycle. */
static int64_t depends_walk(const struct run *r, size_t i, unsigned char *state, uint32_t *level,
			    struct strbuf *err)
{
	uint32_t lv = 0;

	if (state[i] == DEP_DONE)
		return level[i];
	if (state[i] == DEP_WALKING) {
		strbuf_addf(err, "the tests of %s depend on each other in a circle (through '%s'): "
			    "DEPENDS or FIXTURES_* make a cycle", r->bins[i].cmd.origin, r->bins[i].cmd.name);
		return -1;
	}
	state[i] = DEP_WALKING;
	for (size_t k = 0; depends_any(&r->bins[i]) && k < r->nbins; k++) {
		int64_t below;

		if (!depends_after(&r->bins[i], &r->bins[k]))
			continue;
		if ((below = depends_walk(r, k, state, level, err)) < 0)
			return -1;
		if ((uint32_t)below + 1 > lv)
			lv = (uint32_t)below + 1;
	}
	state[i] = DEP_DONE;
	level[i] = lv;
	return lv;
}

uint32_t depends_levels(struct run *r, struct strbuf *err)
{
	unsigned char *state = xcalloc(r->nbins ? r->nbins : 1, 1);
	uint32_t *level = xcalloc(r->nbins ? r->nbins : 1, sizeof(*level)), top = 0;

	for (size_t i = 0; i < r->nbins; i++) {
		if (depends_walk(r, i, state, level, err) < 0) {
			top = UINT32_MAX;
			break;
		}
		if (level[i] > top)
			top = level[i];
	}
	for (size_t i = 0; top != UINT32_MAX && i < r->ntests; i++)
		r->tests[i].level = level[r->tests[i].binary];
	free(state);
	free(level);
	return top == UINT32_MAX ? 0 : top + 1;
}

/*
 * Per binary: its level, and whether its run failed (a selected test that
 * did not pass, or never finished).
 */
static void depends_state(const struct run *r, uint32_t *level, unsigned char *failed)
{
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];

		level[t->binary] = t->level;
		failed[t->binary] |= t->selected && (t->state != TEST_FINISHED ||
						     outcome_is_failure(t->outcome) ||
						     t->outcome == OUTCOME_NOTRUN);
	}
}

/* The first fixture b requires whose setup (at level done) failed, or NULL; that setup in *setup. */
static const char *depends_broken(const struct run *r, const struct binary *b, uint32_t done,
				  const uint32_t *level, const unsigned char *failed,
				  const struct binary **setup)
{
	for (size_t f = 0; f < b->cmd.fixtures_required.nr; f++) {
		const char *fx = b->cmd.fixtures_required.v[f];

		for (size_t k = 0; k < r->nbins; k++) {
			if (level[k] == done && failed[k] && depends_has(&r->bins[k].cmd.fixtures_setup, fx)) {
				*setup = &r->bins[k];
				return fx;
			}
		}
	}
	return NULL;
}

size_t depends_settle(struct run *r, uint32_t done)
{
	uint32_t *level = xcalloc(r->nbins ? r->nbins : 1, sizeof(*level));
	unsigned char *failed = xcalloc(r->nbins ? r->nbins : 1, 1);
	size_t n = 0;

	depends_state(r, level, failed);
	for (size_t b = 0; b < r->nbins; b++) {
		const struct binary *setup = NULL;
		const char *fx = level[b] > done && r->bins[b].cmd.fixtures_required.nr ?
				 depends_broken(r, &r->bins[b], done, level, failed, &setup) : NULL;
		char *why;

		if (!fx)
			continue;
		why = xasprintf("not run: the setup of fixture '%s' failed (test '%s'), as ctest would",
				fx, setup->cmd.name);
		for (size_t i = 0; i < r->ntests; i++) {
			struct test_case *t = &r->tests[i];

			if (t->binary == b && t->selected && t->state != TEST_FINISHED) {
				test_finish(t, OUTCOME_NOTRUN, why);
				n++;
			}
		}
		free(why);
	}
	free(level);
	free(failed);
	return n;
}
