/*
 * dist.c - implicit same-worker groups from --dist, dist markers and the
 * order-dependent tests the timing cache remembers; see dist.h.
 *
 * One pass finds the scopes the cache says to keep together, one pass
 * gives each test that needs it the group of its scope or its binary,
 * numbering groups as they are first met (so in collection order, the same
 * on every run).  Per binary, an array indexed by scope holds the group of
 * each scope: no lookups by name.
 */
#include "dist.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A new group name in marks; its test_case.group value (1 + its index). */
static uint32_t dist_group(struct marker_set *marks, char *name)
{
	ALLOC_GROW(marks->groups, marks->ngroups + 1, marks->groups_alloc);
	marks->groups[marks->ngroups++] = name;
	return (uint32_t)marks->ngroups;
}

/* keep[b][s]: scope s of binary b holds a test the cache marks order-dependent. */
static unsigned char **dist_remembered(const struct run *r, size_t *n)
{
	unsigned char **keep = xcalloc(r->nbins ? r->nbins : 1, sizeof(*keep));

	*n = 0;
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		const struct binary *b = &r->bins[t->binary];

		if (t->scope >= b->nscopes || !t->order_dep)
			continue;
		if (!keep[t->binary])
			keep[t->binary] = xcalloc(b->nscopes, 1);
		*n += !keep[t->binary][t->scope];
		keep[t->binary][t->scope] = 1;
	}
	return keep;
}

size_t dist_apply(struct run *r, struct marker_set *marks, enum dist_mode dflt)
{
	size_t remembered;
	unsigned char **keep = dist_remembered(r, &remembered);
	uint32_t **scope_group = xcalloc(r->nbins ? r->nbins : 1, sizeof(*scope_group));
	uint32_t *bin_group = xcalloc(r->nbins ? r->nbins : 1, sizeof(*bin_group));

	for (size_t i = 0; i < r->ntests; i++) {
		struct test_case *t = &r->tests[i];
		const struct binary *b = &r->bins[t->binary];
		enum dist_mode mode = t->dist ? t->dist : dflt;

		if (t->group || (b->adapter->flags & ADAPTER_ONE_TEST))
			continue;
		if (mode == DIST_BINARY) {
			if (!bin_group[t->binary])
				bin_group[t->binary] = dist_group(marks, xasprintf("binary %s", b->id));
			t->group = bin_group[t->binary];
			continue;
		}
		if (t->scope >= b->nscopes ||
		    (mode != DIST_GROUP && !(keep[t->binary] && keep[t->binary][t->scope])))
			continue;
		if (!scope_group[t->binary])
			scope_group[t->binary] = xcalloc(b->nscopes, sizeof(**scope_group));
		if (!scope_group[t->binary][t->scope])
			scope_group[t->binary][t->scope] =
				dist_group(marks, xasprintf("scope %s::%s", b->id, b->scopes[t->scope]));
		t->group = scope_group[t->binary][t->scope];
	}
	for (size_t i = 0; i < r->nbins; i++) {
		free(keep[i]);
		free(scope_group[i]);
	}
	free(keep);
	free(scope_group);
	free(bin_group);
	return remembered;
}
