/*
 * known.c - the timing cache's facts copied into the collected tests; see
 * known.h.
 *
 * Each cache entry read is matched to the run's test of that id and, if the
 * run has it, copied into it; entries of tests the run does not have are
 * passed over (the save reads the file again).  The file keeps the order
 * in which a run recorded its tests, which is mostly the order the next
 * run collects them in: so the test after the last one matched is tried
 * first, and only an entry that is not that one builds (once) and asks an
 * index of the tests by id (open addressing over test indexes, 8 bytes a
 * slot, at most half full).  A run's ids are unique (collection gives each
 * binary one id and each of its cases one name).
 */
#include "known.h"

#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "util.h"

struct known_index {
	struct run *r;
	unsigned what;
	size_t next;           /* the test after the last one matched */
	struct known_slot { uint32_t hash, test; } *slots; /* test: index + 1, 0 empty; NULL: not built */
	size_t mask;
};

static void known_index_build(struct known_index *ix)
{
	struct run *r = ix->r;
	size_t cap = 16;

	while (cap < 2 * r->ntests)
		cap *= 2;
	ix->mask = cap - 1;
	ix->slots = xcalloc(cap, sizeof(*ix->slots));
	for (size_t i = 0; i < r->ntests; i++) {
		uint32_t h = strset_hash(r->tests[i].id);
		size_t at = h & ix->mask;

		while (ix->slots[at].test)
			at = (at + 1) & ix->mask;
		ix->slots[at] = (struct known_slot){ h, (uint32_t)i + 1 };
	}
}

/* The run's test of e's id, or NULL. */
static struct test_case *known_find(struct known_index *ix, const char *id)
{
	struct run *r = ix->r;
	uint32_t h;

	if (ix->next < r->ntests && !strcmp(r->tests[ix->next].id, id))
		return &r->tests[ix->next++];
	if (!ix->slots)
		known_index_build(ix);
	h = strset_hash(id);
	for (size_t at = h & ix->mask; ix->slots[at].test; at = (at + 1) & ix->mask) {
		uint32_t i = ix->slots[at].test - 1;

		if (ix->slots[at].hash == h && !strcmp(r->tests[i].id, id)) {
			ix->next = i + 1;
			return &r->tests[i];
		}
	}
	return NULL;
}

/* tc_test_fn: e's facts into the run's test of its id, if there is one. */
static void known_fill(const struct tc_entry *e, void *data)
{
	struct known_index *ix = data;
	struct test_case *t = known_find(ix, e->id);
	int known = e->runs > 0, failed = outcome_is_failure(e->last_outcome);

	if (!t)
		return;
	if (ix->what & KNOWN_PLAN) {
		t->est = known ? e->mean : 0;
		t->est_known = known;
		t->failed_last = failed;
		t->order_dep = !!(e->flags & TC_FLAG_ORDER_DEPENDENT);
		t->cached_rss_kb = e->rss_kb > UINT32_MAX ? UINT32_MAX : (uint32_t)e->rss_kb;
	}
	if (ix->what & KNOWN_LOCAL) {
		t->lf_failed = failed;
		t->passed_last = known && e->last_outcome == OUTCOME_PASS;
	}
}

struct timing_cache *known_open(struct run *r, const char *dir, unsigned what, struct strbuf *warn,
				struct strbuf *err)
{
	struct known_index ix = { r, what, 0, NULL, 0 };
	struct timing_cache *tc;

	tc = tc_open_tests(dir, known_fill, &ix, warn, err);
	free(ix.slots);
	return tc;
}

void known_from(struct run *r, const struct timing_cache *tc, unsigned what)
{
	struct known_index ix = { r, what, 0, NULL, 0 };

	tc_each(tc, known_fill, &ix);
	free(ix.slots);
}
