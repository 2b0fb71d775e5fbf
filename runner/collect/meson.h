/*
 * meson.h - import the tests (or the benchmarks) of a meson build
 * directory as `meson test` would run them: `balrun -n auto` in a build
 * directory, or --meson DIR.
 *
 *   cmd, workdir (none: the build directory), env   how it runs
 *   timeout (default 30; 0 or less: none)           its time limit
 *   is_parallel: false                              the serial marker
 *   suite ("project:suite")                         -L, --suite, -k
 *   protocol: exitcode                              0 pass, 77 skip, 99 error
 *   protocol: tap                                   the tap adapter, whole
 *   protocol: gtest                                 the gtest adapter if the
 *                                                   binary is one, else whole
 *   should_fail                                     pass and fail swap (a
 *                                                   crash too; 77, 99 and a
 *                                                   timeout stay)
 * should_fail and the exact environment come from meson itself (meson.c
 * says how); without meson they are approximate and a note says so.
 */
#ifndef BALRUN_MESON_H
#define BALRUN_MESON_H

#include <stddef.h>

#include "collect.h"
#include "run.h"
#include "strbuf.h"

/*
 * The tests of the meson build directory dir (its benchmarks with
 * benchmarks), in meson's order, into *cmds (*n; release each with
 * test_command_release, then free).  Lines for the user go to notes.
 * IMPORT_USAGE (not a meson build directory, or its last configure failed)
 * or IMPORT_ERROR (its introspection cannot be read) with the reason in err.
 */
enum import_status meson_import(const char *dir, int benchmarks, struct test_command **cmds, size_t *n,
				struct strbuf *notes, struct strbuf *err);

#endif
