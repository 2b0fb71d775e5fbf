/*
 * tcache.h - the timing cache: what balrun remembers about every test
 * between runs, stored in <dir>/timings (format: docs/timing-cache.md).
 *
 * Per test: smoothed duration (exponentially weighted, not a lifetime mean),
 * spread, last duration, run count, recent outcome history, peak RSS, last
 * run seen.  Per binary: the measured overhead of one invocation.  Per run:
 * its number, time and git commit.
 *
 * Life of a run:
 *   tc_open(dir)          read <dir>/timings (missing = empty).  A damaged or
 *                         foreign file is moved aside to timings.bad-<time>,
 *                         one line of warning is returned, and the run goes on
 *                         with what could be read.
 *   tc_get / tc_binary    look up what is known.
 *   tc_record_test / tc_record_binary   note this run's results (kept as a
 *                         list of updates, not applied to disk yet).
 *   tc_save               under an exclusive lock on <dir>/timings.lock:
 *                         re-read the file (another run may have written it
 *                         meanwhile), apply this run's updates on top, write a
 *                         temp file, fsync, rename over, fsync the directory.
 *                         So concurrent runs never lose each other's timings.
 *                         Stale tests are pruned on the way (tc_set_prune).
 * Besides runs, the cache commands (runner/cache_cmd.c) prune on demand
 * (tc_prune), merge the files of CI shards (tc_merge_files) and read
 * timings committed to git (tc_from_buffer).
 * Errors are returned as -1 with a one-line message; nothing here exits.
 */
#ifndef BALRUN_TCACHE_H
#define BALRUN_TCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "outcome.h"
#include "strbuf.h"

#define TC_FILE_NAME "timings"
#define TC_VERSION 2         /* written; read back to TC_VERSION_OLDEST */
#define TC_VERSION_OLDEST 1
/*
 * Durations above this (about 11.6 days) are absurd: not read (the line is
 * damage), not recorded.  One such value would otherwise set the estimate
 * of every untimed test of its binary.
 */
#define TC_MAX_SECONDS 1e6

struct tc_entry {
	const char *id;        /* test id, owned by the cache */
	double mean;           /* smoothed duration, seconds */
	double spread;         /* smoothed absolute deviation from mean, seconds */
	double last;           /* last recorded duration, seconds */
	uint32_t runs;         /* runs recorded */
	enum outcome last_outcome;
	uint32_t history;      /* last hist_len outcomes, bit i = 1: run i ago failed (bit 0 newest) */
	uint8_t hist_len;      /* 0..32 */
	uint64_t rss_kb;       /* peak RSS of the last run */
	uint32_t seen_run;     /* number of the last run that recorded it */
	int64_t seen_time;     /* epoch seconds of that run */
	uint32_t flags;        /* TC_FLAG_* */
};

/*
 * The test failed apart from the tests before it in its group and passed
 * with them (ORDER-DEPENDENT): later runs keep its group together.  Sticky
 * until the entry is pruned or the flag is cleared by hand.
 */
#define TC_FLAG_ORDER_DEPENDENT 1u

struct tc_run {
	uint32_t number;       /* 1, 2, ... */
	int64_t when;          /* epoch seconds */
	char *commit;          /* hex, or NULL when unknown */
};

struct tc_binary {
	const char *path;      /* binary id (path relative to the repository root) */
	double overhead;       /* smoothed seconds per invocation beyond the tests */
	uint32_t runs;
	/*
	 * Smoothed CPU its invocations use per second of wall time (0.25: its
	 * tests mostly wait; 2: two threads busy), whole thousandths; 0 unknown.
	 */
	double cpu_share;
};

struct timing_cache;

/*
 * Open the cache in dir (created on save if missing).  Never fails for a
 * missing, empty, damaged or foreign file: warn receives a one-line message
 * naming the file and where the old content was kept, and the cache holds
 * whatever valid entries could be read.  Returns NULL only if dir exists but
 * cannot be read (err filled).
 */
struct timing_cache *tc_open(const char *dir, struct strbuf *warn, struct strbuf *err);
/* The same for a cache kept in any file (locked through "<path>.lock"). */
struct timing_cache *tc_open_file(const char *path, struct strbuf *warn, struct strbuf *err);
/*
 * tc_open for a run that copies what it needs of each test into its own
 * records: every test entry is handed to fn (valid during the call only; a
 * test the file holds twice comes twice, the later last) and not kept, so
 * a million tests' table is never built.  tc_get then finds nothing;
 * binaries and runs are kept as usual, and tc_save reads the file again.
 * A damaged file's readable entries are handed to fn and also kept, as
 * tc_open keeps them, for the save to write back.  fn NULL: tc_open.
 */
typedef void tc_test_fn(const struct tc_entry *e, void *data);
struct timing_cache *tc_open_tests(const char *dir, tc_test_fn *fn, void *data,
				   struct strbuf *warn, struct strbuf *err);
/*
 * A read-only cache parsed from buf (for example a file committed to git),
 * named name in messages.  Damage is described in warn; tc_save and the
 * other writers refuse it.  Never fails.
 */
struct timing_cache *tc_from_buffer(const char *name, const char *buf, size_t len,
				    struct strbuf *warn);
void tc_free(struct timing_cache *c);

const struct tc_entry *tc_get(const struct timing_cache *c, const char *id);
const struct tc_binary *tc_binary(const struct timing_cache *c, const char *path);
size_t tc_count(const struct timing_cache *c);
/* Call fn for every entry (in no particular order). */
void tc_each(const struct timing_cache *c, void (*fn)(const struct tc_entry *, void *), void *data);

/* All test entries / binaries as arrays of *nr (in no particular order). */
const struct tc_entry *tc_entries(const struct timing_cache *c, size_t *nr);
const struct tc_binary *tc_binaries(const struct timing_cache *c, size_t *nr);
/* The run records (in no particular order) and the highest run number. */
const struct tc_run *tc_runs(const struct timing_cache *c, size_t *nr);
uint32_t tc_last_run(const struct timing_cache *c);

/*
 * Set the commit (hex, or NULL) and epoch time this run is recorded under;
 * the time is also "now" for pruning (0: the real time).
 */
void tc_set_run_info(struct timing_cache *c, const char *commit, int64_t when);

/*
 * Note one test's result.  Durations of PASS and FAIL runs update the
 * smoothed duration; TIMEOUT raises it to at least seconds; CRASH, SKIP and
 * NOTRUN leave it (but CRASH and TIMEOUT count as failures in the history,
 * SKIP and NOTRUN are not recorded in the history at all).  Results are kept
 * in order until tc_save; tc_get does not see them before.
 */
void tc_record_test(struct timing_cache *c, const char *id, enum outcome o,
		    double seconds, uint64_t rss_kb);
/*
 * Room for n more updates: a run that knows its tests reserves once, so a
 * million results leave no growth slack.  Their keys, front-coded against
 * the one before (a few bytes each), grow as they come.  More updates than
 * reserved still work (the arrays grow).  tc_save gives the memory back.
 */
void tc_reserve_updates(struct timing_cache *c, size_t n);
/* Set flags (TC_FLAG_*) on a test; it is created with no runs if unknown. */
void tc_flag_test(struct timing_cache *c, const char *id, uint32_t flags);
/* Note one measured invocation overhead of a binary. */
void tc_record_binary(struct timing_cache *c, const char *path, double overhead);
/*
 * Note the CPU one invocation of a binary used (user + system seconds of
 * its processes) over its wall time; invocations shorter than
 * TC_CPU_MIN_WALL are too short to say and are not recorded.
 */
void tc_record_binary_cpu(struct timing_cache *c, const char *path, double cpu, double wall);
#define TC_CPU_MIN_WALL 0.01

/*
 * Merge this run's updates into <dir>/timings on disk, atomically, under
 * the lock (waits for other writers, up to a bounded time).  0 or -1 (err).
 * Also updates the in-memory view, which invalidates pointers returned by
 * tc_get / tc_binary.  On failure nothing changes and the updates are kept,
 * so a save can be retried.  Does nothing if no results were recorded.
 */
int tc_save(struct timing_cache *c, struct strbuf *err);

/*
 * Pruning: a test is dropped when it was not seen in the last `runs` runs
 * AND not for `days` days (a rule of 0 is off; both 0: never prune).  Run
 * records no test refers to go too, and a binary goes with its last test.  Every
 * save prunes with the policy set here, by default TC_PRUNE_RUNS and
 * TC_PRUNE_DAYS.
 */
#define TC_PRUNE_RUNS 50
#define TC_PRUNE_DAYS 30
void tc_set_prune(struct timing_cache *c, uint32_t runs, uint32_t days);
/* Prune now, under the lock, with that policy.  0 or -1 (err); *dropped: tests dropped. */
int tc_prune(struct timing_cache *c, size_t *dropped, struct strbuf *err);

/*
 * Merge the timings files at paths into the cache under the lock, the
 * newest record winning per test (greatest seen time, then run number, then
 * record text), and write the result sorted by key.  So merging is
 * associative and commutative, byte for byte.  With replace, the cache's
 * current content is not an input.  A missing, unreadable or foreign file
 * is an error (-1, err, nothing written); a damaged one gives a line in warn
 * and its good records are merged.  Does not prune.
 */
int tc_merge_files(struct timing_cache *c, const char *const *paths, size_t n, int replace,
		   struct strbuf *warn, struct strbuf *err);

/* The directory and file in use. */
const char *tc_dir(const struct timing_cache *c);
const char *tc_path(const struct timing_cache *c);

#endif
