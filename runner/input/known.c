/*
 * known.c - the timing cache's facts copied into the collected tests; see
 * known.h.
 *
 * The tests are indexed once by id (open addressing over test indexes,
 * 8 bytes a slot at most half full); each cache entry read is looked up
 * there and, if the run has the test, copied into it.  Entries of tests the
 * run does not have are passed over: the save reads the file again.
 */
#include "known.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "util.h"

struct known_index {
	struct run *r;
	struct known_slot { uint32_t hash, test; } *slots; /* test: index + 1, 0 empty */
	size_t mask;
	unsigned what;
};

static void known_index_build(struct known_index *ix, struct run *r, unsigned what)
{
	size_t cap = 16;

	while (cap < 2 * r->ntests)
		cap *= 2;
	ix->r = r;
	ix->what = what;
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

/* Every test with this id (collection may give two tests one id); calls fill on each. */
static void known_fill(const struct known_index *ix, const struct tc_entry *e)
{
	uint32_t h = strset_hash(e->id);
	int known = e->runs > 0, failed = outcome_is_failure(e->last_outcome);

	for (size_t at = h & ix->mask; ix->slots[at].test; at = (at + 1) & ix->mask) {
		struct test_case *t;

		if (ix->slots[at].hash != h || strcmp((t = &ix->r->tests[ix->slots[at].test - 1])->id, e->id))
			continue;
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
}

static void known_entry(const struct tc_entry *e, void *data)
{
	known_fill(data, e);
}

struct timing_cache *known_open(struct run *r, const char *dir, unsigned what, struct strbuf *warn,
				struct strbuf *err)
{
	struct known_index ix;
	struct timing_cache *tc;

	known_index_build(&ix, r, what);
	tc = tc_open_tests(dir, known_entry, &ix, warn, err);
	free(ix.slots);
	return tc;
}

void known_from(struct run *r, const struct timing_cache *tc, unsigned what)
{
	struct known_index ix;

	known_index_build(&ix, r, what);
	tc_each(tc, known_entry, &ix);
	free(ix.slots);
}
