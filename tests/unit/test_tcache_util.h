/*
 * test_tcache_util.h - helpers shared by the timing cache tests: temporary
 * directories, whole-file reads and writes, and open/save wrappers that fail
 * the current Criterion test on error.
 */
#ifndef BALRUN_TEST_TCACHE_UTIL_H
#define BALRUN_TEST_TCACHE_UTIL_H

#include <stddef.h>

#include "strbuf.h"
#include "tcache.h"

/* A fresh empty directory under /tmp (free() the name). */
char *tt_tempdir(void);
/* Remove dir and everything in it. */
void tt_rmrf(const char *dir);

/*
 * The per-test fixture every tcache test file uses: a fresh temporary
 * directory (tt_dir) and the timings path in it (tt_file), no injected
 * fault; all removed again afterwards.
 *   TestSuite(name, .init = tt_setup, .fini = tt_teardown);
 */
extern char *tt_dir, *tt_file;
void tt_setup(void);
void tt_teardown(void);
/* "<dir>/<name>" (free() it). */
char *tt_path(const char *dir, const char *name);

void tt_write(const char *path, const void *data, size_t len);
void tt_write_str(const char *path, const char *text);
/* The whole file into out (reset first); 0, or -1 if it cannot be read. */
int tt_read(const char *path, struct strbuf *out);
/* How many names in dir start with prefix. */
int tt_count_names(const char *dir, const char *prefix);
/* The first name in dir starting with prefix, as a full path, or NULL. */
char *tt_find_name(const char *dir, const char *prefix);

/* tc_open that must succeed; warn may be NULL (then a warning fails the test). */
struct timing_cache *tt_open(const char *dir, struct strbuf *warn);
/* tc_save that must succeed. */
void tt_save(struct timing_cache *c);
/*
 * Record one new result in c, save, free c, and check that the cache read
 * back from disk has expect_count entries.
 */
void tt_save_one_more(struct timing_cache *c, size_t expect_count);

/* Fail the test unless every field of a and b is the same. */
void tt_assert_same_entry(const struct tc_entry *a, const struct tc_entry *b);
/* Fail the test unless c and the cache read back from disk hold the same entries. */
void tt_assert_matches_disk(const struct timing_cache *c);

#endif
