/*
 * known.h - what the timing cache knows of each collected test, copied into
 * the test (run.h) before anything is selected or planned.
 *
 * A run reads the cache once, as it is loaded, instead of keeping the
 * cache's table beside the tests: for a million tests the table would take
 * more memory than the tests themselves.  Afterwards -k/--lf (select.c),
 * the kept groups (plan/dist.c), -n auto (workers.c) and the plan read the
 * tests' fields:
 *
 *   from the timings the run plans with (the local cache, or --timings-from):
 *     est, est_known   its smoothed duration, if it ever ran
 *     failed_last      its last run failed (it is dispatched early)
 *     order_dep        it was found order-dependent (its group is kept together)
 *     cached_rss_kb    the peak RSS of its last run
 *   from the local cache (where this machine's last run is):
 *     lf_failed        its last run failed (--lf)
 *     passed_last      its last run passed (a smoke test that proves little)
 *
 * The binaries' overheads and CPU shares stay in the cache (tc_binary).
 */
#ifndef BALRUN_KNOWN_H
#define BALRUN_KNOWN_H

#include "run.h"
#include "strbuf.h"
#include "tcache.h"

/* Which fields known_* fills: KNOWN_PLAN, KNOWN_LOCAL or both. */
#define KNOWN_PLAN 1u
#define KNOWN_LOCAL 2u

/*
 * Open the cache in dir as tc_open_tests does and fill the fields in what
 * of r's tests; tests the cache does not know get none.  warn and err and
 * the result as tc_open's.
 */
struct timing_cache *known_open(struct run *r, const char *dir, unsigned what, struct strbuf *warn,
				struct strbuf *err);
/* The same from a cache already open (--timings-from: tc_from_buffer's). */
void known_from(struct run *r, const struct timing_cache *tc, unsigned what);

#endif
