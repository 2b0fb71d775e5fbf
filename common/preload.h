/*
 * preload.h - the contract between balrun and its cmocka shim
 * (worker/preload.c, built as balrun-preload.so).
 *
 * cmocka has no command line, so balrun LD_PRELOADs a small library that
 * interposes _cmocka_run_group_tests() (see shared notes/frameworks.md).
 * Tests are known by their ORDINAL: their position among all the tests of
 * all the group runs of one process, in the order main() makes them (group
 * calls in order, each group's tests in array order; entries without a name
 * or without any function, which cmocka drops, not counted).  Ordinals make
 * every test addressable however its name repeats (two groups both named
 * "tests", one test listed twice) and whatever bytes its name holds.
 *
 * BALRUN_CMOCKA_MODE=list   nothing runs; every group call writes, to the
 *                           file descriptor named by BALRUN_EVENT_FD:
 *                              G <group>\n          a group call starts
 *                              T <name>\n           its next test
 *                           names percent-encoded (PRELOAD_ESCAPED).
 * BALRUN_CMOCKA_MODE=run    only the tests listed in the file named by
 *                           BALRUN_CMOCKA_SELECT run ("<ordinal> <check>\n"
 *                           lines, ordinals ascending; check is
 *                           preload_check() of the test's group and name, in
 *                           16 hex digits).  A test whose check differs is
 *                           not run (the listing and this run disagree) and
 *                           reported with a "mismatch" event.  Groups with
 *                           nothing selected are not entered.
 * no mode                   every call passes through: harmless anywhere.
 *
 * Run-mode events travel IN BAND, on the test's own stdout/stderr (the
 * worker merges both into one pipe), as marker lines
 *
 *     \x1e balrun-<mark> <event>\n        (no spaces around \x1e)
 *
 * where <mark> is BALRUN_CMOCKA_MARK, a nonce the worker picks for each run.
 * Before a marker the shim flushes stdout and stderr, so everything the test
 * printed before an event comes before its marker in the pipe, and what it
 * prints after comes after: attribution of output needs no second channel,
 * no waiting and no round trip.  A test that closes or overwrites file
 * descriptors 3 and up cannot disturb it.  The shim writes markers to fd 1
 * if it still is the pipe it was when the first group began, else to fd 2
 * if that is, else nowhere.  Events (ns: CLOCK_MONOTONIC nanoseconds):
 *
 *     S <ordinal> <ns>                test starts (its setup is called)
 *     E <ordinal> <ns> PASS|FAIL|SKIP test ended
 *     U <group ordinal>               the group setup begins
 *     V <group ordinal>               the group setup failed (no test of
 *                                     the group runs)
 *     W <group ordinal>               the group teardown begins
 *     X <group ordinal>               the group teardown failed
 *     Z <group ordinal>               the group call returned
 *     M <ordinal>                     not run: its check does not match
 *
 * Group ordinals count the group calls of the process from 0.
 */
#ifndef BALRUN_PRELOAD_H
#define BALRUN_PRELOAD_H

#include <stdint.h>

#define PRELOAD_ENV_MODE   "BALRUN_CMOCKA_MODE"
#define PRELOAD_ENV_SELECT "BALRUN_CMOCKA_SELECT"
#define PRELOAD_ENV_MARK   "BALRUN_CMOCKA_MARK"
#define PRELOAD_ENV_FD     "BALRUN_EVENT_FD"
/* The fd number the collector puts the list-mode pipe on. */
#define PRELOAD_EVENT_FD   198
#define PRELOAD_SHIM_NAME  "balrun-preload.so"
/* First byte of a marker line, and the text after it up to the nonce. */
#define PRELOAD_MARK_BYTE  '\x1e'
#define PRELOAD_MARK_TAG   "balrun-"
/* Longest marker line, newline included. */
#define PRELOAD_MARK_MAX   128

/*
 * Bytes written as %XX in list records: controls, space, '%', DEL and
 * everything above 0x7f.  Any other byte stands for itself.
 */
#define PRELOAD_ESCAPED(c) ((unsigned char)(c) <= 0x20 || (c) == '%' || (unsigned char)(c) >= 0x7f)

/* FNV-1a over group, a NUL byte and name: what ties an ordinal to its test. */
static inline uint64_t preload_check(const char *group, const char *name)
{
	uint64_t h = 14695981039346656037ull;
	const unsigned char *p;

	for (p = (const unsigned char *)group; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	h *= 1099511628211ull;   /* the NUL between them */
	for (p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h;
}

#endif
