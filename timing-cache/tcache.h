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
 * Errors are returned as -1 with a one-line message; nothing here exits.
 */
#ifndef BALRUN_TCACHE_H
#define BALRUN_TCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "outcome.h"
#include "strbuf.h"

#define TC_FILE_NAME "timings"
#define TC_VERSION 1

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
};

struct tc_binary {
	const char *path;      /* binary id (path relative to the repository root) */
	double overhead;       /* smoothed seconds per invocation beyond the tests */
	uint32_t runs;
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
void tc_free(struct timing_cache *c);

const struct tc_entry *tc_get(const struct timing_cache *c, const char *id);
const struct tc_binary *tc_binary(const struct timing_cache *c, const char *path);
size_t tc_count(const struct timing_cache *c);
/* Call fn for every entry (in no particular order). */
void tc_each(const struct timing_cache *c, void (*fn)(const struct tc_entry *, void *), void *data);

/* Set the commit (hex, or NULL) and epoch time this run is recorded under. */
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
/* Note one measured invocation overhead of a binary. */
void tc_record_binary(struct timing_cache *c, const char *path, double overhead);

/*
 * Merge this run's updates into <dir>/timings on disk, atomically, under
 * the lock (waits for other writers, up to a bounded time).  0 or -1 (err).
 * Also updates the in-memory view, which invalidates pointers returned by
 * tc_get / tc_binary.  On failure nothing changes and the updates are kept,
 * so a save can be retried.  Does nothing if no results were recorded.
 */
int tc_save(struct timing_cache *c, struct strbuf *err);

/* The directory and file in use. */
const char *tc_dir(const struct timing_cache *c);

#endif
