/*
 * depends.h - the order a build system asks for between its tests, as
 * CTest defines it, and what a failed fixture setup does to the tests that
 * need it.
 *
 * A registered test (struct test_command) runs after
 *   - the tests named in its DEPENDS (order only: it runs even if they
 *     failed; a name that is not in the run is ignored, as by ctest);
 *   - the setup tests of every fixture it requires (FIXTURES_REQUIRED);
 * and a fixture's cleanup tests run after every test that requires the
 * fixture and after its setups.  Each test gets a level (test_case.level):
 * 0 without prerequisites, else one more than its highest prerequisite;
 * the run goes level by level (exec/phases.h), so every test of a level
 * runs beside any other test of that level, and after all of the levels
 * below.  A test split into cases keeps its level for every case.
 *
 * When a setup test of fixture F fails (any case failed, crashed, timed
 * out or did not run), every test that requires F and has not run yet is
 * not run ("fixture 'F' setup failed"), and counts as failed, as in ctest;
 * F's cleanups still run.
 */
#ifndef BALRUN_DEPENDS_H
#define BALRUN_DEPENDS_H

#include <stdint.h>

#include "run.h"
#include "strbuf.h"

/*
 * Give every test of r its level.  Returns the number of levels (1 when
 * nothing depends on anything), or 0 with err naming a test of a cycle.
 */
uint32_t depends_levels(struct run *r, struct strbuf *err);

/*
 * After the tests of level done ran: the tests above it that require a
 * fixture whose setup failed are finished NOT RUN.  Returns how many.
 */
size_t depends_settle(struct run *r, uint32_t done);

#endif
