/*
 * tc-table.h - the in-memory form of the timing cache (internal to
 * timing-cache/): every test entry, binary and run record, with hash
 * indexes for lookup by id or path, and the rules that fold one new result
 * into an entry (smoothing, history).
 *
 * Entries live in growable arrays; two open-addressing hash indexes map a
 * test id / binary path to its position.  Records are removed only by
 * tc_table_compact.  Pointers into the arrays stay valid until the next
 * tc_table_put_*, tc_table_apply_*, tc_table_sort or tc_table_compact call.
 *
 * Every duration kept in a table is a whole number of microseconds
 * (tc_quantize), which is exactly what the file format writes: so a table
 * written and read back is identical, field by field.
 */
#ifndef BALRUN_TC_TABLE_H
#define BALRUN_TC_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "strpool.h"
#include "tcache.h"

/* Smoothing weight of the newest sample in every moving average. */
#define TC_ALPHA 0.3

/* slot.pos is an array index + 1; 0 marks an empty slot. */
struct tc_index {
	struct tc_slot { uint32_t hash, pos; } *slots;
	size_t cap;            /* 0 or a power of two */
	size_t nr;             /* slots in use */
};

struct tc_table {
	struct tc_entry *tests;
	size_t tests_nr, tests_alloc;
	size_t tests_indexed;  /* the first tests_indexed tests are in test_index; the rest were appended */
	struct tc_index test_index;
	struct strpool ids;    /* every test's id (kept when an entry goes, until release) */
	size_t finger;         /* position of the test found last: lookups tend to go in file order */

	struct tc_binary *bins;
	size_t bins_nr, bins_alloc;
	struct tc_index bin_index;

	struct tc_run *runs;   /* in the order first seen */
	size_t runs_nr, runs_alloc;
	uint32_t max_run;      /* highest run number seen, 0 if none */
};

#define TC_TABLE_INIT { 0 }

void tc_table_release(struct tc_table *t);

/* Round seconds to whole microseconds, the precision the file keeps. */
double tc_quantize(double seconds);
/* 1 if seconds is a duration worth keeping: finite, >= 0, not absurd. */
int tc_valid_seconds(double seconds);

/*
 * Lookups try the test after the one found last before the hash index: a
 * run looks its tests up in collection order, which is the file's, and a
 * probe of the index of a million tests misses the cache nearly every time.
 */
struct tc_entry *tc_table_find(const struct tc_table *t, const char *id);
struct tc_binary *tc_table_find_binary(const struct tc_table *t, const char *path);

/*
 * Make room for n more tests (arrays and index) up front, so that loading
 * a large file does not regrow and rehash as it goes.
 */
void tc_table_reserve_tests(struct tc_table *t, size_t n);

/*
 * Loading a big file: append whole test records without looking them up,
 * then index them all in one pass that prefetches the index slots ahead
 * (a lookup per record misses the cache on nearly every probe of a table
 * of a million).  In that pass a later record for an id already in the
 * table replaces the earlier one in its place, as tc_table_put_test would.
 * No other tc_table call may come between the appends and the indexing.
 */
void tc_table_append_test(struct tc_table *t, const char *id, const struct tc_entry *e);
void tc_table_index_appended(struct tc_table *t);

/*
 * Store a whole record (as read from a file).  A later record for the same
 * id, path or run number replaces the earlier one.  The key is copied; the
 * key pointer in *e / *b is ignored.
 */
void tc_table_put_test(struct tc_table *t, const char *id, const struct tc_entry *e);
void tc_table_put_binary(struct tc_table *t, const char *path, const struct tc_binary *b);
void tc_table_put_run(struct tc_table *t, uint32_t number, int64_t when, const char *commit);

/* Epoch seconds of the run record numbered number, or -1 if there is none. */
int64_t tc_table_run_time(const struct tc_table *t, uint32_t number);

/* Copy every record of src into dst (later-wins rules as above). */
void tc_table_merge(struct tc_table *dst, const struct tc_table *src);

/* Sort tests by id, binaries by path and runs by number (canonical order). */
void tc_table_sort(struct tc_table *t);

/*
 * Drop the records whose keep flag is 0 (one flag per test, binary and run,
 * in array order) and re-index the rest.  max_run is left as it is.
 */
void tc_table_compact(struct tc_table *t, const uint8_t *keep_tests, const uint8_t *keep_bins,
		      const uint8_t *keep_runs);

/*
 * Fold one result into the entry for id (created if new) as documented for
 * tc_record_test, marking it seen in run / when.
 */
void tc_table_apply_test(struct tc_table *t, const char *id, enum outcome o,
			 double seconds, uint64_t rss_kb, uint32_t run, int64_t when);
/* Fold one measured overhead into the binary's moving average. */
/*
 * Fold one invocation's CPU share (CPU seconds per wall second) into the
 * binary's: smoothed like a duration, in whole thousandths, at most
 * TC_MAX_CPU_SHARE.
 */
void tc_table_apply_binary_cpu(struct tc_table *t, const char *path, double share);
#define TC_MAX_CPU_SHARE 1000.0

void tc_table_apply_binary(struct tc_table *t, const char *path, double overhead);
/* Set flags on a test (created with no runs if missing). */
void tc_table_flag_test(struct tc_table *t, const char *id, uint32_t flags);

#endif
