/*
 * tc-ops.c - pruning, newest-wins merging and loading of user-named files;
 * see tc-ops.h for the rules.
 *
 * Pruning marks what to keep in three flag arrays and compacts the table
 * once (tc_table_compact), so it is linear in the table's size: run numbers
 * are looked up by binary search in a sorted copy, binaries through the
 * table's hash index.
 */
#include "tc-ops.h"
#include "tc-file.h"
#include "tc-format.h"
#include "util.h"

#include <string.h>

#define TCO_DAY_S 86400

static int tco_stale(const struct tc_entry *e, uint32_t max_run, uint32_t runs, uint32_t days,
		     int64_t now)
{
	int by_runs = !runs || (uint64_t)e->seen_run + runs <= max_run;
	int by_days = !days || e->seen_time + (int64_t)days * TCO_DAY_S <= now;
	return by_runs && by_days;
}

static int tco_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Mark the run record test e refers to (numbers: sorted run numbers). */
static void tco_mark_run(const struct tc_table *t, const uint32_t *numbers, uint8_t *used,
			 uint32_t run)
{
	const uint32_t *hit = bsearch(&run, numbers, t->runs_nr, sizeof(*numbers), tco_cmp_u32);
	if (hit)
		used[hit - numbers] = 1;
}

/*
 * Set the flag of the binary a test id belongs to ("<binary>::<name>" or
 * "<binary>") to at least value: 1 a test of it was dropped, 2 one is kept.
 * tmp holds the last binary looked up and *b its record (or NULL): tests
 * of one binary come in a row, so most ids need no lookup.
 */
static void tco_mark_binary(const struct tc_table *t, uint8_t *bins, const char *id,
			    uint8_t value, struct strbuf *tmp, const struct tc_binary **b)
{
	const char *sep = strstr(id, "::");
	size_t len = sep ? (size_t)(sep - id) : strlen(id);

	if (!tmp->len || tmp->len != len || memcmp(tmp->buf, id, len)) {
		strbuf_reset(tmp);
		strbuf_add(tmp, id, len);
		*b = tc_table_find_binary(t, tmp->buf);
	}
	if (*b && bins[*b - t->bins] < value)
		bins[*b - t->bins] = value;
}

/* keep_runs[i] for t->runs[i] from the flags of the sorted numbers. */
static void tco_keep_runs(const struct tc_table *t, const uint32_t *numbers, const uint8_t *used,
			  uint8_t *keep_runs)
{
	for (size_t i = 0; i < t->runs_nr; i++) {
		uint32_t n = t->runs[i].number;
		const uint32_t *hit = bsearch(&n, numbers, t->runs_nr, sizeof(*numbers), tco_cmp_u32);
		keep_runs[i] = n == t->max_run || used[hit - numbers];
	}
}

size_t tc_table_prune(struct tc_table *t, uint32_t runs, uint32_t days, int64_t now)
{
	uint8_t *keep_tests = xcalloc(t->tests_nr + 1, 1), *keep_bins = xcalloc(t->bins_nr + 1, 1);
	uint8_t *keep_runs = xcalloc(t->runs_nr + 1, 1), *used = xcalloc(t->runs_nr + 1, 1);
	uint32_t *numbers = xcalloc(t->runs_nr + 1, sizeof(*numbers));
	struct strbuf tmp = STRBUF_INIT;
	const struct tc_binary *bin = NULL;
	size_t dropped = 0;

	for (size_t i = 0; i < t->runs_nr; i++)
		numbers[i] = t->runs[i].number;
	qsort(numbers, t->runs_nr, sizeof(*numbers), tco_cmp_u32);
	for (size_t i = 0; i < t->tests_nr; i++) {
		const struct tc_entry *e = &t->tests[i];
		if ((runs || days) && tco_stale(e, t->max_run, runs, days, now)) {
			tco_mark_binary(t, keep_bins, e->id, 1, &tmp, &bin);
			dropped++;
			continue;
		}
		keep_tests[i] = 1;
		tco_mark_run(t, numbers, used, e->seen_run);
		tco_mark_binary(t, keep_bins, e->id, 2, &tmp, &bin);
	}
	/* A binary goes with its last test; one with no test known stays. */
	for (size_t i = 0; i < t->bins_nr; i++)
		keep_bins[i] = keep_bins[i] != 1;
	tco_keep_runs(t, numbers, used, keep_runs);
	tc_table_compact(t, keep_tests, keep_bins, keep_runs);
	strbuf_release(&tmp);
	free(keep_tests);
	free(keep_bins);
	free(keep_runs);
	free(used);
	free(numbers);
	return dropped;
}

/* Compare two records by their text: the last tie-break of the total order. */
static int tco_cmp_text(const struct tc_entry *a, const struct tc_entry *b,
			const struct tc_binary *ba, const struct tc_binary *bb)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	int r;

	if (a) {
		tcf_put_test(&x, a);
		tcf_put_test(&y, b);
	} else {
		tcf_put_binary(&x, ba);
		tcf_put_binary(&y, bb);
	}
	r = strcmp(x.buf, y.buf);
	strbuf_release(&x);
	strbuf_release(&y);
	return r;
}

static int tco_newer_test(const struct tc_entry *a, const struct tc_entry *b)
{
	if (a->seen_time != b->seen_time)
		return a->seen_time > b->seen_time;
	if (a->seen_run != b->seen_run)
		return a->seen_run > b->seen_run;
	return tco_cmp_text(a, b, NULL, NULL) > 0;
}

static int tco_newer_binary(const struct tc_binary *a, const struct tc_binary *b)
{
	if (a->runs != b->runs)
		return a->runs > b->runs;
	return tco_cmp_text(NULL, NULL, a, b) > 0;
}

static int tco_newer_run(const struct tc_run *a, const struct tc_run *b)
{
	if (a->when != b->when)
		return a->when > b->when;
	return strcmp(a->commit ? a->commit : "", b->commit ? b->commit : "") > 0;
}

static const struct tc_run *tco_find_run(const struct tc_table *t, uint32_t number)
{
	for (size_t i = t->runs_nr; i-- > 0;)
		if (t->runs[i].number == number)
			return &t->runs[i];
	return NULL;
}

void tc_table_merge_newest(struct tc_table *dst, const struct tc_table *src)
{
	for (size_t i = 0; i < src->runs_nr; i++) {
		const struct tc_run *r = &src->runs[i], *old = tco_find_run(dst, r->number);
		if (!old || tco_newer_run(r, old))
			tc_table_put_run(dst, r->number, r->when, r->commit);
	}
	for (size_t i = 0; i < src->bins_nr; i++) {
		const struct tc_binary *b = &src->bins[i];
		const struct tc_binary *old = tc_table_find_binary(dst, b->path);
		if (!old || tco_newer_binary(b, old))
			tc_table_put_binary(dst, b->path, b);
	}
	for (size_t i = 0; i < src->tests_nr; i++) {
		const struct tc_entry *e = &src->tests[i];
		const struct tc_entry *old = tc_table_find(dst, e->id);
		if (!old || tco_newer_test(e, old))
			tc_table_put_test(dst, e->id, e);
	}
}

int tc_table_load(const char *path, struct tc_table *t, struct strbuf *warn, struct strbuf *err)
{
	struct tc_table one = TC_TABLE_INIT;
	struct strbuf content = STRBUF_INIT;
	struct tcf_damage d;
	struct stat st;
	int r = tcfile_read(path, &content, &st, err), ret = 0;

	if (r > 0)
		strbuf_addf(err, "read '%s': No such file or directory", path);
	if (r)
		goto out;
	if (tcf_parse(content.buf, content.len, &one, &d) < 0) {
		struct strbuf what = STRBUF_INIT;
		tcf_describe(&d, &what);
		if (d.version >= 0 || (d.line == 1 && !one.tests_nr && !one.runs_nr && !one.bins_nr)) {
			strbuf_addf(err, "read '%s': %s", path, what.buf);
			r = -1;
		} else {
			strbuf_addf(warn, "'%s' is damaged (%s); merged its %zu good entries",
				    path, what.buf, one.tests_nr);
		}
		strbuf_release(&what);
	}
	if (!r)
		tc_table_merge_newest(t, &one);
out:
	ret = r ? -1 : 0;
	tc_table_release(&one);
	strbuf_release(&content);
	return ret;
}
