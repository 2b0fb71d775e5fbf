/*
 * tc-table.c - the in-memory timing cache: arrays of records, open-addressing
 * hash indexes over them, and the smoothing rules; see tc-table.h.
 *
 * An index is a power-of-two array of (hash, position + 1) slots probed
 * linearly and kept at most half full.  It does not store keys: both indexed
 * record types keep their key pointer as their first member, so the index
 * reads the key of position i at array + i * stride.
 *
 * Sorting and compacting move records around, so they rebuild both indexes
 * from scratch (linear in the number of records).
 *
 * Smoothing (alpha = TC_ALPHA): the first duration sets the mean; later ones
 * move it by alpha * (sample - mean), and the spread likewise follows
 * |sample - previous mean|.  A mean of 0 means "no duration known yet".
 */
#include "tc-table.h"
#include "strset.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

_Static_assert(offsetof(struct tc_entry, id) == 0, "index reads the key first");
_Static_assert(offsetof(struct tc_binary, path) == 0, "index reads the key first");

static const char *tc_key_at(const void *array, size_t stride, size_t i)
{
	return *(const char *const *)((const char *)array + i * stride);
}

/* The slot holding key, or the empty slot where it belongs. */
static struct tc_slot *tc_index_probe(const struct tc_index *ix, const char *key,
				      uint32_t hash, const void *array, size_t stride)
{
	size_t mask = ix->cap - 1;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct tc_slot *s = &ix->slots[i];
		if (!s->pos)
			return s;
		if (s->hash == hash && !strcmp(tc_key_at(array, stride, s->pos - 1), key))
			return s;
	}
}

static void tc_index_grow(struct tc_index *ix)
{
	struct tc_slot *old = ix->slots;
	size_t old_cap = ix->cap;

	ix->cap = old_cap ? old_cap * 2 : 64;
	ix->slots = xcalloc(ix->cap, sizeof(*ix->slots));
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].pos)
			continue;
		size_t j = old[i].hash & (ix->cap - 1);
		while (ix->slots[j].pos)
			j = (j + 1) & (ix->cap - 1);
		ix->slots[j] = old[i];
	}
	free(old);
}

/* Make room for n more tests without growing while they are added. */
void tc_table_reserve_tests(struct tc_table *t, size_t n)
{
	size_t want = t->tests_nr + n;

	ALLOC_GROW(t->tests, want, t->tests_alloc);
	while ((want + 1) * 2 > t->test_index.cap)
		tc_index_grow(&t->test_index);
}

/*
 * Position of key in the array indexed by ix, or -1.  With add_at >= 0 a
 * missing key is indexed at that position (the caller appends it there).
 */
static long tc_index_lookup(struct tc_index *ix, const char *key, const void *array,
			    size_t stride, long add_at)
{
	uint32_t hash = strset_hash(key);

	if (!ix->cap) {
		if (add_at < 0)
			return -1;
		tc_index_grow(ix);
	}
	struct tc_slot *s = tc_index_probe(ix, key, hash, array, stride);
	if (s->pos)
		return (long)s->pos - 1;
	if (add_at < 0)
		return -1;
	if ((ix->nr + 1) * 2 > ix->cap) {
		tc_index_grow(ix);
		s = tc_index_probe(ix, key, hash, array, stride);
	}
	s->hash = hash;
	s->pos = (uint32_t)add_at + 1;
	ix->nr++;
	return -1;
}

void tc_table_release(struct tc_table *t)
{
	strpool_release(&t->ids);
	for (size_t i = 0; i < t->bins_nr; i++)
		free((char *)t->bins[i].path);
	for (size_t i = 0; i < t->runs_nr; i++)
		free(t->runs[i].commit);
	free(t->tests);
	free(t->bins);
	free(t->runs);
	free(t->test_index.slots);
	free(t->bin_index.slots);
	memset(t, 0, sizeof(*t));
}

double tc_quantize(double seconds)
{
	return round(seconds * 1e6) / 1e6;
}

int tc_valid_seconds(double seconds)
{
	return isfinite(seconds) && seconds >= 0 && seconds <= TC_MAX_SECONDS;
}

/* The position of id if it is the test found last or the one after it, else -1. */
static long tc_table_near_finger(const struct tc_table *t, const char *id)
{
	for (size_t pos = t->finger; pos <= t->finger + 1 && pos < t->tests_indexed; pos++)
		if (!strcmp(t->tests[pos].id, id))
			return (long)pos;
	return -1;
}

/* Position of test id, or -1; with add, a missing id is indexed at tests_nr (the caller appends it). */
static long tc_table_locate(struct tc_table *t, const char *id, int add)
{
	long pos = tc_table_near_finger(t, id);

	if (pos < 0)
		pos = tc_index_lookup(&t->test_index, id, t->tests, sizeof(*t->tests),
				      add ? (long)t->tests_nr : -1);
	if (pos >= 0)
		t->finger = (size_t)pos;
	return pos;
}

struct tc_entry *tc_table_find(const struct tc_table *t, const char *id)
{
	/* const for the caller: only the finger moves */
	long pos = tc_table_locate((struct tc_table *)t, id, 0);
	return pos < 0 ? NULL : &t->tests[pos];
}

struct tc_binary *tc_table_find_binary(const struct tc_table *t, const char *path)
{
	long pos = tc_index_lookup((struct tc_index *)&t->bin_index, path, t->bins,
				   sizeof(*t->bins), -1);
	return pos < 0 ? NULL : &t->bins[pos];
}

/* The entry for id, appended with all fields zero if new. */
static struct tc_entry *tc_table_test_slot(struct tc_table *t, const char *id)
{
	long pos = tc_table_locate(t, id, 1);
	if (pos >= 0)
		return &t->tests[pos];
	ALLOC_GROW(t->tests, t->tests_nr + 1, t->tests_alloc);
	struct tc_entry *e = &t->tests[t->tests_nr++];
	t->tests_indexed = t->tests_nr;
	memset(e, 0, sizeof(*e));
	e->id = strpool_adds(&t->ids, id);
	e->last_outcome = OUTCOME_NOTRUN;
	return e;
}

static struct tc_binary *tc_table_binary_slot(struct tc_table *t, const char *path)
{
	long pos = tc_index_lookup(&t->bin_index, path, t->bins, sizeof(*t->bins),
				   (long)t->bins_nr);
	if (pos >= 0)
		return &t->bins[pos];
	ALLOC_GROW(t->bins, t->bins_nr + 1, t->bins_alloc);
	struct tc_binary *b = &t->bins[t->bins_nr++];
	memset(b, 0, sizeof(*b));
	b->path = xstrdup(path);
	return b;
}

void tc_table_append_test(struct tc_table *t, const char *id, const struct tc_entry *e)
{
	ALLOC_GROW(t->tests, t->tests_nr + 1, t->tests_alloc);
	struct tc_entry *dst = &t->tests[t->tests_nr++];
	*dst = *e;
	dst->id = strpool_adds(&t->ids, id);
}

/* How many records ahead tc_table_index_appended prefetches index slots. */
#define TC_PREFETCH_AHEAD 16

void tc_table_index_appended(struct tc_table *t)
{
	size_t from = t->tests_indexed, n = t->tests_nr - from, w = from;
	struct tc_index *ix = &t->test_index;
	uint32_t *hash;

	if (!n)
		return;
	while ((t->tests_nr + 1) * 2 > ix->cap)
		tc_index_grow(ix);
	hash = xmalloc(n * sizeof(*hash));
	for (size_t k = 0; k < n; k++)
		hash[k] = strset_hash(t->tests[from + k].id);
	for (size_t k = 0; k < n; k++) {
		if (k + TC_PREFETCH_AHEAD < n)
			__builtin_prefetch(&ix->slots[hash[k + TC_PREFETCH_AHEAD] & (ix->cap - 1)], 1);
		struct tc_entry *e = &t->tests[from + k];
		struct tc_slot *s = tc_index_probe(ix, e->id, hash[k], t->tests, sizeof(*t->tests));
		if (s->pos) {
			/* an id seen before: this later record wins, in the earlier one's place */
			struct tc_entry *dst = &t->tests[s->pos - 1];
			const char *key = dst->id;
			*dst = *e;
			dst->id = key;
			continue;
		}
		if (from + k != w)
			t->tests[w] = *e;
		s->hash = hash[k];
		s->pos = (uint32_t)w + 1;
		ix->nr++;
		w++;
	}
	free(hash);
	t->tests_nr = t->tests_indexed = w;
}

void tc_table_put_test(struct tc_table *t, const char *id, const struct tc_entry *e)
{
	struct tc_entry *dst = tc_table_test_slot(t, id);
	const char *key = dst->id;
	*dst = *e;
	dst->id = key;
}

void tc_table_put_binary(struct tc_table *t, const char *path, const struct tc_binary *b)
{
	struct tc_binary *dst = tc_table_binary_slot(t, path);
	const char *key = dst->path;
	*dst = *b;
	dst->path = key;
}

void tc_table_put_run(struct tc_table *t, uint32_t number, int64_t when, const char *commit)
{
	struct tc_run *r = NULL;

	/* Runs arrive in increasing order, so only a repeat needs the search. */
	for (size_t i = t->runs_nr; number <= t->max_run && i-- > 0;)
		if (t->runs[i].number == number) {
			r = &t->runs[i];
			free(r->commit);
			break;
		}
	if (!r) {
		ALLOC_GROW(t->runs, t->runs_nr + 1, t->runs_alloc);
		r = &t->runs[t->runs_nr++];
	}
	r->number = number;
	r->when = when;
	r->commit = commit ? xstrdup(commit) : NULL;
	if (number > t->max_run)
		t->max_run = number;
}

int64_t tc_table_run_time(const struct tc_table *t, uint32_t number)
{
	for (size_t i = t->runs_nr; i-- > 0;)
		if (t->runs[i].number == number)
			return t->runs[i].when;
	return -1;
}

void tc_table_merge(struct tc_table *dst, const struct tc_table *src)
{
	for (size_t i = 0; i < src->runs_nr; i++)
		tc_table_put_run(dst, src->runs[i].number, src->runs[i].when, src->runs[i].commit);
	for (size_t i = 0; i < src->bins_nr; i++)
		tc_table_put_binary(dst, src->bins[i].path, &src->bins[i]);
	for (size_t i = 0; i < src->tests_nr; i++)
		tc_table_put_test(dst, src->tests[i].id, &src->tests[i]);
}

/* Rebuild both indexes from the arrays (after records moved or went away). */
static void tc_table_reindex(struct tc_table *t)
{
	free(t->test_index.slots);
	free(t->bin_index.slots);
	memset(&t->test_index, 0, sizeof(t->test_index));
	memset(&t->bin_index, 0, sizeof(t->bin_index));
	t->tests_indexed = 0;
	tc_table_index_appended(t);
	for (size_t i = 0; i < t->bins_nr; i++)
		tc_index_lookup(&t->bin_index, t->bins[i].path, t->bins, sizeof(*t->bins), (long)i);
}

static int tc_cmp_test(const void *a, const void *b)
{
	return strcmp(((const struct tc_entry *)a)->id, ((const struct tc_entry *)b)->id);
}

static int tc_cmp_binary(const void *a, const void *b)
{
	return strcmp(((const struct tc_binary *)a)->path, ((const struct tc_binary *)b)->path);
}

static int tc_cmp_run(const void *a, const void *b)
{
	uint32_t x = ((const struct tc_run *)a)->number, y = ((const struct tc_run *)b)->number;
	return x < y ? -1 : x > y;
}

void tc_table_sort(struct tc_table *t)
{
	if (t->tests_nr)
		qsort(t->tests, t->tests_nr, sizeof(*t->tests), tc_cmp_test);
	if (t->bins_nr)
		qsort(t->bins, t->bins_nr, sizeof(*t->bins), tc_cmp_binary);
	if (t->runs_nr)
		qsort(t->runs, t->runs_nr, sizeof(*t->runs), tc_cmp_run);
	tc_table_reindex(t);
}

/* A dropped test's id stays in the pool until the table is released. */
static void tc_free_test_key(void *e)
{
	(void)e;
}

static void tc_free_binary_key(void *b)
{
	free((char *)((struct tc_binary *)b)->path);
}

static void tc_free_run_commit(void *r)
{
	free(((struct tc_run *)r)->commit);
}

/* Keep the elements of array whose flag is set, in order; drop() the others. Returns the count kept. */
static size_t tc_compact_array(void *array, size_t stride, size_t nr, const uint8_t *keep,
			       void (*drop)(void *))
{
	char *a = array;
	size_t n = 0;

	for (size_t i = 0; i < nr; i++) {
		if (!keep[i])
			drop(a + i * stride);
		else if (n++ != i)
			memcpy(a + (n - 1) * stride, a + i * stride, stride);
	}
	return n;
}

/* 1 if all nr flags are set. */
static int tc_all_kept(const uint8_t *keep, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (!keep[i])
			return 0;
	return 1;
}

void tc_table_compact(struct tc_table *t, const uint8_t *keep_tests, const uint8_t *keep_bins,
		      const uint8_t *keep_runs)
{
	/* nothing moves: the indexes stay right (the usual save of a run) */
	if (tc_all_kept(keep_tests, t->tests_nr) && tc_all_kept(keep_bins, t->bins_nr) &&
	    tc_all_kept(keep_runs, t->runs_nr))
		return;
	t->tests_nr = tc_compact_array(t->tests, sizeof(*t->tests), t->tests_nr, keep_tests,
				       tc_free_test_key);
	t->bins_nr = tc_compact_array(t->bins, sizeof(*t->bins), t->bins_nr, keep_bins,
				      tc_free_binary_key);
	t->runs_nr = tc_compact_array(t->runs, sizeof(*t->runs), t->runs_nr, keep_runs,
				      tc_free_run_commit);
	tc_table_reindex(t);
}

/* Move *mean (and *spread, if given) towards sample; first: no earlier sample. */
static void tc_smooth(double *mean, double *spread, double sample, int first)
{
	if (first) {
		*mean = tc_quantize(sample);
		if (spread)
			*spread = 0;
		return;
	}
	if (spread)
		*spread = tc_quantize(*spread + TC_ALPHA * (fabs(sample - *mean) - *spread));
	*mean = tc_quantize(*mean + TC_ALPHA * (sample - *mean));
}

static void tc_push_history(struct tc_entry *e, enum outcome o)
{
	e->history = (e->history << 1) | (outcome_is_failure(o) ? 1u : 0u);
	if (e->hist_len < 32)
		e->hist_len++;
	if (e->hist_len < 32)
		e->history &= (1u << e->hist_len) - 1;
}

void tc_table_apply_test(struct tc_table *t, const char *id, enum outcome o,
			 double seconds, uint64_t rss_kb, uint32_t run, int64_t when)
{
	struct tc_entry *e = tc_table_test_slot(t, id);
	int timed = tc_valid_seconds(seconds);

	e->seen_run = run;
	e->seen_time = when;
	if (o == OUTCOME_NOTRUN || (unsigned)o >= OUTCOME__COUNT)
		return;
	e->runs++;
	e->last_outcome = o;
	if (rss_kb)
		e->rss_kb = rss_kb;
	if (o == OUTCOME_SKIP)
		return;
	tc_push_history(e, o);
	if (!timed)
		return;
	if (o == OUTCOME_PASS || o == OUTCOME_FAIL) {
		tc_smooth(&e->mean, &e->spread, seconds, e->mean == 0);
		e->last = tc_quantize(seconds);
	} else if (o == OUTCOME_TIMEOUT) {
		e->last = tc_quantize(seconds);
		if (e->mean < e->last)
			e->mean = e->last;
	}
}

void tc_table_flag_test(struct tc_table *t, const char *id, uint32_t flags)
{
	tc_table_test_slot(t, id)->flags |= flags;
}

void tc_table_apply_binary_cpu(struct tc_table *t, const char *path, double share)
{
	if (!(share >= 0))
		return;
	if (share > TC_MAX_CPU_SHARE)
		share = TC_MAX_CPU_SHARE;
	struct tc_binary *b = tc_table_binary_slot(t, path);
	if (b->cpu_share > 0)
		share = b->cpu_share + TC_ALPHA * (share - b->cpu_share);
	/* whole thousandths, as the file keeps them; never 0, which means unknown */
	b->cpu_share = fmax(round(share * 1000) / 1000, 0.001);
}

void tc_table_apply_binary(struct tc_table *t, const char *path, double overhead)
{
	if (!tc_valid_seconds(overhead))
		return;
	struct tc_binary *b = tc_table_binary_slot(t, path);
	tc_smooth(&b->overhead, NULL, overhead, b->runs == 0);
	b->runs++;
}
