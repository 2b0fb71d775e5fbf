/*
 * cache-view.c - the timing cache as a table (cache show) and as JSON
 * (cache export); see cache-view.h.
 *
 * The table is computed in two passes over the selected entries: the first
 * formats every cell only to measure column widths, the second prints
 * (numbers right-aligned, the id last so long ids never break alignment).
 * Entries are sorted by pointer with qsort_r, ties always broken by id so
 * the output is the same on every run.
 */
#define _GNU_SOURCE
#include "cache-view.h"

#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "util.h"

#define CV_COLS 5
#define CV_CELL 40

static const char *const cv_sort_names[] = {
	[CACHE_SORT_DURATION] = "duration", [CACHE_SORT_NAME] = "name",
	[CACHE_SORT_RUNS] = "runs", [CACHE_SORT_PASS_RATE] = "pass-rate",
};

int cache_view_parse_sort(const char *s, enum cache_sort *out, struct strbuf *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(cv_sort_names); i++)
		if (!strcmp(s, cv_sort_names[i])) {
			*out = (enum cache_sort)i;
			return 0;
		}
	strbuf_addf(err, "--sort: '%s' is not one of duration, name, runs, pass-rate", s);
	return -1;
}

/* Pass rate of e in [0, 1], or -1 when no outcome is recorded. */
static double cv_pass_rate(const struct tc_entry *e)
{
	if (!e->hist_len)
		return -1;
	return (double)(e->hist_len - __builtin_popcount(e->history)) / e->hist_len;
}

static int cv_cmp(const void *pa, const void *pb, void *data)
{
	const struct tc_entry *a = *(const struct tc_entry *const *)pa;
	const struct tc_entry *b = *(const struct tc_entry *const *)pb;
	enum cache_sort sort = *(const enum cache_sort *)data;
	double x = 0, y = 0;

	switch (sort) {
	case CACHE_SORT_DURATION: x = b->mean; y = a->mean; break;            /* longest first */
	case CACHE_SORT_RUNS: x = b->runs; y = a->runs; break;                /* most first */
	case CACHE_SORT_PASS_RATE: x = cv_pass_rate(a); y = cv_pass_rate(b);  /* worst first, unknown last */
		x = x < 0 ? 2 : x;
		y = y < 0 ? 2 : y;
		break;
	case CACHE_SORT_NAME: break;
	}
	if (x != y)
		return x < y ? -1 : 1;
	return strcmp(a->id, b->id);
}

static void cv_cells(const struct tc_entry *e, char cells[CV_COLS][CV_CELL])
{
	double rate = cv_pass_rate(e);

	snprintf(cells[0], CV_CELL, "%.3fs", e->mean);
	snprintf(cells[1], CV_CELL, "%.3fs", e->spread);
	snprintf(cells[2], CV_CELL, "%u", (unsigned)e->runs);
	if (rate < 0)
		snprintf(cells[3], CV_CELL, "-");
	else
		snprintf(cells[3], CV_CELL, "%.0f%% of %u", rate * 100, (unsigned)e->hist_len);
	snprintf(cells[4], CV_CELL, "%s", e->runs ? outcome_tag(e->last_outcome) : "-");
}

static int cv_selected(const struct tc_entry *e, char *const *patterns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(e->id, patterns[i]) || !fnmatch(patterns[i], e->id, 0))
			return 1;
	return !n;
}

static void cv_footer(const struct timing_cache *c, size_t shown, size_t total, FILE *out)
{
	size_t nruns;
	const struct tc_run *runs = tc_runs(c, &nruns), *last = NULL;
	char when[32] = "";

	for (size_t i = 0; i < nruns; i++)
		if (runs[i].number == tc_last_run(c))
			last = &runs[i];
	fprintf(out, "%zu of %zu tests in '%s'", shown, total, tc_path(c));
	if (last) {
		time_t t = (time_t)last->when;
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
		fprintf(out, "; last run %u on %s, commit %.12s", (unsigned)last->number, when,
			last->commit ? last->commit : "unknown");
	}
	fputc('\n', out);
}

size_t cache_view_show(const struct timing_cache *c, char *const *patterns, size_t npatterns,
		       enum cache_sort sort, int flaky, FILE *out)
{
	static const char *const heads[CV_COLS] = { "DURATION", "SPREAD", "RUNS", "PASS RATE", "LAST" };
	size_t total, n = 0;
	const struct tc_entry *all = tc_entries(c, &total);
	const struct tc_entry **sel = xcalloc(total + 1, sizeof(*sel));
	char cells[CV_COLS][CV_CELL];
	int width[CV_COLS];

	for (size_t i = 0; i < total; i++)
		if (cv_selected(&all[i], patterns, npatterns) &&
		    (!flaky || (cv_pass_rate(&all[i]) >= 0 && cv_pass_rate(&all[i]) < 1)))
			sel[n++] = &all[i];
	qsort_r(sel, n, sizeof(*sel), cv_cmp, &sort);
	for (int k = 0; k < CV_COLS; k++)
		width[k] = (int)strlen(heads[k]);
	for (size_t i = 0; i < n; i++) {
		cv_cells(sel[i], cells);
		for (int k = 0; k < CV_COLS; k++)
			if ((int)strlen(cells[k]) > width[k])
				width[k] = (int)strlen(cells[k]);
	}
	for (int k = 0; k < CV_COLS; k++)
		fprintf(out, "%*s  ", width[k], heads[k]);
	fprintf(out, "TEST\n");
	for (size_t i = 0; i < n; i++) {
		cv_cells(sel[i], cells);
		for (int k = 0; k < CV_COLS; k++)
			fprintf(out, k == CV_COLS - 1 ? "%-*s  " : "%*s  ", width[k], cells[k]);
		fprintf(out, "%s\n", sel[i]->id);
	}
	cv_footer(c, n, total, out);
	free(sel);
	return n;
}

static const char *cv_commit_of(const struct tc_run *runs, size_t nruns, uint32_t number)
{
	for (size_t i = nruns; i-- > 0;)
		if (runs[i].number == number)
			return runs[i].commit;
	return NULL;
}

static json_t *cv_test_json(const struct tc_entry *e, const struct tc_run *runs, size_t nruns)
{
	double rate = cv_pass_rate(e);
	const char *commit = cv_commit_of(runs, nruns, e->seen_run);
	char hist[33];

	for (unsigned i = 0; i < e->hist_len; i++)
		hist[i] = e->history >> i & 1 ? 'F' : 'P';
	hist[e->hist_len] = '\0';
	json_t *o = json_object();
	json_object_set_new(o, "id", json_text(e->id, strlen(e->id)));
	json_object_set_new(o, "mean_s", json_real(e->mean));
	json_object_set_new(o, "spread_s", json_real(e->spread));
	json_object_set_new(o, "last_s", json_real(e->last));
	json_object_set_new(o, "runs", json_integer(e->runs));
	json_object_set_new(o, "last_outcome", e->runs ? json_string(outcome_name(e->last_outcome))
							 : json_null());
	json_object_set_new(o, "history", json_string(hist));
	json_object_set_new(o, "pass_rate", rate < 0 ? json_null() : json_real(rate));
	json_object_set_new(o, "rss_kb", json_integer((json_int_t)e->rss_kb));
	json_object_set_new(o, "seen_run", json_integer(e->seen_run));
	json_object_set_new(o, "seen_time", json_integer(e->seen_time));
	json_object_set_new(o, "seen_commit", commit ? json_string(commit) : json_null());
	return o;
}

static int cv_cmp_entry(const void *pa, const void *pb)
{
	return strcmp((*(const struct tc_entry *const *)pa)->id, (*(const struct tc_entry *const *)pb)->id);
}

static json_t *cv_tests_json(const struct timing_cache *c)
{
	size_t n, nruns;
	const struct tc_entry *all = tc_entries(c, &n);
	const struct tc_run *runs = tc_runs(c, &nruns);
	const struct tc_entry **sorted = xcalloc(n + 1, sizeof(*sorted));
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		sorted[i] = &all[i];
	qsort(sorted, n, sizeof(*sorted), cv_cmp_entry);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, cv_test_json(sorted[i], runs, nruns));
	free(sorted);
	return a;
}

static json_t *cv_runs_json(const struct timing_cache *c)
{
	size_t n;
	const struct tc_run *runs = tc_runs(c, &n);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:i, s:I, s:o}", "number", (int)runs[i].number,
						   "time", (json_int_t)runs[i].when, "commit",
						   runs[i].commit ? json_string(runs[i].commit) : json_null()));
	return a;
}

static json_t *cv_binaries_json(const struct timing_cache *c)
{
	size_t n;
	const struct tc_binary *bins = tc_binaries(c, &n);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "path", json_text(bins[i].path, strlen(bins[i].path)));
		json_object_set_new(o, "overhead_s", json_real(bins[i].overhead));
		json_object_set_new(o, "runs", json_integer(bins[i].runs));
		json_array_append_new(a, o);
	}
	return a;
}

#define CV_EXPORT_VERSION 1

int cache_view_export_json(const struct timing_cache *c, FILE *out, struct strbuf *err)
{
	json_t *root = json_object();
	int ret = 0;

	/* the version of this JSON layout, not of the timings file's (which is TC_VERSION) */
	json_object_set_new(root, "version", json_integer(CV_EXPORT_VERSION));
	json_object_set_new(root, "last_run", json_integer(tc_last_run(c)));
	json_object_set_new(root, "runs", cv_runs_json(c));
	json_object_set_new(root, "binaries", cv_binaries_json(c));
	json_object_set_new(root, "tests", cv_tests_json(c));
	if (json_dumpf(root, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) < 0 ||
	    fputc('\n', out) == EOF) {
		strbuf_adds(err, "export: cannot write the JSON");
		ret = -1;
	}
	json_decref(root);
	return ret;
}
