/*
 * tc-ops.h - whole-table operations of the timing cache (internal to
 * timing-cache/): pruning stale records, merging tables "newest record
 * wins", and loading a file given by the user as it is.
 *
 * Pruning: a test is dropped when it is stale by every rule that is set:
 * not seen in the last `runs` runs (seen_run + runs <= max_run) and not seen
 * for `days` days (seen_time + days * 86400 <= now).  A rule of 0 is off; with
 * both off nothing is dropped.  Run records no kept test refers to are
 * dropped too (the newest one always stays: it carries the run numbering),
 * and a binary goes with its last test (one whose tests were never known
 * stays).  So the file stays
 * proportional to the number of live tests.
 *
 * Merging: for each key the greatest record wins, under a total order
 * (tests: seen_time, then seen_run, then the record's text; binaries: runs,
 * then text; runs: time, then commit).  Taking the maximum under a total
 * order is associative, commutative and idempotent, so with the output
 * sorted (tc_table_sort) merge(a, merge(b, c)) and merge(merge(a, b), c)
 * are the same bytes.
 */
#ifndef BALRUN_TC_OPS_H
#define BALRUN_TC_OPS_H

#include <stdint.h>

#include "strbuf.h"
#include "tc-table.h"

/* Drop stale records as described above; returns the number of tests dropped. */
size_t tc_table_prune(struct tc_table *t, uint32_t runs, uint32_t days, int64_t now);

/* Merge src into dst, the greatest record winning per key. */
void tc_table_merge_newest(struct tc_table *dst, const struct tc_table *src);

/*
 * Read the timings file at path into t (merging newest-wins with what t
 * holds).  A missing or unreadable file, or one that is not a version-1
 * timings file, is an error (-1, err names the file).  Bad lines are
 * skipped and described in warn (one line); the file is never moved.
 */
int tc_table_load(const char *path, struct tc_table *t, struct strbuf *warn, struct strbuf *err);

#endif
