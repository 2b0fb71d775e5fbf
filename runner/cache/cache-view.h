/*
 * cache-view.h - what `balrun cache show` and `balrun cache export` print:
 * the timing cache as an aligned table or as JSON (docs/timing-cache.md).
 *
 * Pass rate comes from the outcome history bits: of the last hist_len
 * recorded outcomes (at most 32), the share that were not failures.
 */
#ifndef BALRUN_CACHE_VIEW_H
#define BALRUN_CACHE_VIEW_H

#include <stdio.h>

#include "strbuf.h"
#include "tcache.h"

enum cache_sort { CACHE_SORT_DURATION, CACHE_SORT_NAME, CACHE_SORT_RUNS, CACHE_SORT_PASS_RATE };

/* Parse a --sort value; 0, or -1 with err naming the flag. */
int cache_view_parse_sort(const char *s, enum cache_sort *out, struct strbuf *err);

/*
 * Print the entries whose id contains one of patterns or matches it as a
 * glob (all entries if npatterns is 0), sorted, then one summary line.
 * With flaky, only those whose recent pass rate is below 100% (cache show
 * --flaky).  Returns the number of entries printed.
 */
size_t cache_view_show(const struct timing_cache *c, char *const *patterns, size_t npatterns,
		       enum cache_sort sort, int flaky, FILE *out);

/* Write the whole cache as JSON to out.  0 or -1 (err). */
int cache_view_export_json(const struct timing_cache *c, FILE *out, struct strbuf *err);

#endif
