/*
 * timings-git.h - --timings-from REV: plan with the timing cache committed
 * at another git revision (for example origin/main's .balrun/timings),
 * read with libgit2 without checking anything out.
 *
 * The file read is "<cache dir relative to the repository root>/timings" at
 * REV: .balrun/timings by default, or the --cache-dir given if it lies inside
 * the repository.  Anything that stops it (no repository, an unknown
 * revision, no such file there) is one line on stderr and the run plans with
 * the local timings instead: a cache is never worth failing a run for.
 */
#ifndef BALRUN_TIMINGS_GIT_H
#define BALRUN_TIMINGS_GIT_H

#include "strbuf.h"
#include "tcache.h"

/*
 * A read-only cache holding the timings file at rev, or NULL with one line
 * in why.  cache_dir: the --cache-dir given, or NULL for the default.
 */
struct timing_cache *timings_git_read(const char *rev, const char *cache_dir,
				      struct strbuf *why);

/*
 * timings_git_read for a run: prints why on stderr as one line ("note:"
 * outside a repository, "warning:" otherwise, saying the run plans with the
 * local timings instead).  Returns the cache or NULL.
 */
struct timing_cache *timings_git_for_run(const char *rev, const char *cache_dir);

#endif
