/*
 * sources.h - where the tests of a run come from, before anything is
 * listed:
 *
 *   1. the binaries named on the command line;
 *   2. --ctest DIR, --meson DIR or --automake DIR: the tests a build
 *      system registered (ctest.h, meson.h, automake.h);
 *   3. the binaries .balrun.conf names;
 *   4. none of those: the current directory, if it is a CMake build
 *      directory (CTestTestfile.cmake), a meson one (meson-info/) or an
 *      automake one (a Makefile automake generated).
 *
 * Registered tests are then chosen as their own runner would (-R, -E by
 * name; -L, -LE by label; --suite, --no-suite for meson), and a test that
 * needs a fixture brings the fixture's setup and cleanup tests with it, as
 * ctest does.
 */
#ifndef BALRUN_SOURCES_H
#define BALRUN_SOURCES_H

#include <stddef.h>

#include "cli.h"
#include "collect.h"
#include "run.h"
#include "strbuf.h"

/*
 * The test commands of this run into *cmds (*n; release each with
 * test_command_release, then free), binaries being the command line's (or
 * the config file's; from_config says which).  *origin receives what they
 * are ("binaries", "CTest", "meson").  Lines for the user go to notes.
 */
enum import_status sources_gather(const struct options *o, char *const *binaries, size_t nbinaries,
				  int from_config, struct test_command **cmds, size_t *n,
				  const char **origin, struct strbuf *notes, struct strbuf *err);

/*
 * Keep the registered commands the selection flags choose (moving them
 * to the front; *n shrinks; the rest are released), and add back the
 * setups and cleanups of the fixtures they need.  0, or -1 with err.
 * Exposed for tests.
 */
int sources_select(const struct options *o, struct test_command *cmds, size_t *n, struct strbuf *err);

#endif
