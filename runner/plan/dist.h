/*
 * dist.h - how finely each binary's tests are spread over the workers
 * (--dist, the dist marker, and what the timing cache remembers about
 * order-dependent tests), turned into same-worker groups before planning.
 *
 * A test's mode is its dist marker if it has one, else the run's default
 * (--dist, or [balrun] dist in .balrun.conf; case when neither says).
 *   case    each test on its own (pytest-xdist's --dist load);
 *   group   every scope (a cmocka group call, a Criterion suite) is one unit
 *           on one worker, its tests in the binary's order (loadscope);
 *   binary  the whole binary is one unit (loadfile).
 * A test in case mode whose scope holds a test the timing cache marks
 * ORDER-DEPENDENT (context.h) is treated as group: the run keeps that
 * scope together by itself.  Plain binaries have one test: nothing to do.
 *
 * The groups are ordinary same-worker groups (test_case.group, named in
 * marks->groups as "scope <bin>::<scope>" or "binary <bin>") so the
 * balancer, --plan, --shard and --list --markers treat them like marker
 * groups.  A test that already has a group marker keeps it.
 */
#ifndef BALRUN_DIST_H
#define BALRUN_DIST_H

#include "markers.h"
#include "run.h"

/*
 * Give every test of r its implicit group, if its mode (dflt for tests
 * without a dist marker; DIST_UNSET means case) asks for one.  A scope
 * with a test the cache found order-dependent (test_case.order_dep) is kept
 * together.  Returns the number of scopes kept together because of the
 * cache, for the header line.
 */
size_t dist_apply(struct run *r, struct marker_set *marks, enum dist_mode dflt);

#endif
