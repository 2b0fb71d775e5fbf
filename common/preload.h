/*
 * preload.h - the contract between balrun and its preload shim,
 * balrun-preload.so (adapters/shim.c, preload-cmocka.c, preload-criterion.c,
 * preload-check.c).
 *
 * One library, loaded into test binaries with LD_PRELOAD, that does nothing
 * unless BALRUN_PRELOAD_MODE says what to do.  In a cmocka binary it
 * interposes _cmocka_run_group_tests() (cmocka has no command line); in a
 * Criterion binary, criterion_register_test() and criterion_run_all_tests()
 * (Criterion's --filter matcher costs seconds per run and crashes on large
 * alternations: see shared notes/frameworks.md).
 *
 * ---- cmocka ----
 *
 * Tests are known by their ORDINAL: their position among all the tests of
 * all the group runs of one process, in the order main() makes them (group
 * calls in order, each group's tests in array order; entries without a name
 * or without any function, which cmocka drops, not counted).  Ordinals make
 * every test addressable however its name repeats (two groups both named
 * "tests", one test listed twice) and whatever bytes its name holds.
 *
 * BALRUN_PRELOAD_MODE=list  nothing runs; every group call writes, to the
 *                           file descriptor named by BALRUN_EVENT_FD:
 *                              G <group>\n          a group call starts
 *                              T <name>\n           its next test
 *                           names percent-encoded (PRELOAD_ESCAPED).
 * BALRUN_PRELOAD_MODE=run   only the tests listed in the file named by
 *                           BALRUN_PRELOAD_SELECT run ("<ordinal> <check>\n"
 *                           lines: the ordinal in 10 digits, check in 16
 *                           hex digits, preload_check() of the test's group
 *                           and name).  A test whose check differs is
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
 * where <mark> is BALRUN_PRELOAD_MARK, a nonce the worker picks for each run.
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
 *
 * ---- Criterion ----
 *
 * BALRUN_PRELOAD_MODE=probe  the first criterion_register_test() call writes
 *                           "P\n" to BALRUN_EVENT_FD: the shim can select
 *                           tests in this binary (its Criterion calls go
 *                           through the PLT); balrun probes with --list.
 * BALRUN_PRELOAD_MODE=run   only the tests listed in BALRUN_PRELOAD_SELECT
 *                           ("<suite/name> <ordinal>\n" lines, ordinal in 10
 *                           digits) are registered, each under the name
 *                           "<ordinal>" (same order within the suite:
 *                           Criterion sorts by name), so that its --verbose
 *                           lines ("[RUN ] suite::0000000012") stay short
 *                           whatever the real name's length.  Entering
 *                           criterion_run_all_tests() writes the marker
 *                           "C <registered> <dropped>" (as above): without
 *                           it the shim did not select.
 * In Criterion's test children (BXFI_MAP set) the shim does nothing.
 *
 * Started ahead (run mode, any framework): with BALRUN_PRELOAD_HOLD=1 in
 * the environment, the first time the shim needs the selection (Criterion:
 * the first registration, after libcriterion's own start-up) it first
 * reads one byte from fd PRELOAD_HOLD_FD.  The worker starts a process
 * this way while another unit runs, and writes that byte (after writing
 * the selection file) when the process's unit comes (worker/held.h).  End
 * of file instead: the process was not needed, and it exits 0 at once,
 * having run nothing.  The shim then closes the fd and drops the variable,
 * so the tests see neither.
 *
 * ---- Check ----
 *
 * Check has no listing, and its suites and TCases exist only inside the
 * binary (libcheck is linked statically).  But srunner_run_all() reads
 * CK_RUN_SUITE and CK_RUN_CASE from the environment and compares them with
 * each suite's and each TCase's name through strcmp(), a libc call the shim
 * can interpose:
 *
 * BALRUN_PRELOAD_MODE=list with CK_RUN_SUITE=PRELOAD_CHECK_SUITE and
 * CK_RUN_CASE=PRELOAD_CHECK_CASE
 *                           the shim writes "P check" to BALRUN_EVENT_FD when
 *                           it loads (it is there), then for every strcmp()
 *                           whose first argument is that CK_RUN_SUITE value
 *                           (by address: the pointer getenv() gave), "S
 *                           <suite>" and answers 0, so that Check goes on to
 *                           the suite's TCases; for every one whose first
 *                           argument is the CK_RUN_CASE value, "C <tcase>"
 *                           and answers "different".  No TCase is chosen, so
 *                           no test, fixture or unchecked fixture runs: the
 *                           records are every suite and, after each, its
 *                           TCases in run order (names percent-encoded as
 *                           PRELOAD_ESCAPED says).
 * In any other mode its strcmp() is libc's.
 */
#ifndef BALRUN_PRELOAD_H
#define BALRUN_PRELOAD_H

#include <stdint.h>

#define PRELOAD_ENV_MODE   "BALRUN_PRELOAD_MODE"
#define PRELOAD_ENV_SELECT "BALRUN_PRELOAD_SELECT"
#define PRELOAD_ENV_MARK   "BALRUN_PRELOAD_MARK"
#define PRELOAD_ENV_FD     "BALRUN_EVENT_FD"
#define PRELOAD_ENV_HOLD   "BALRUN_PRELOAD_HOLD"
/* The fd number of the hold pipe of a process started ahead. */
#define PRELOAD_HOLD_FD    197
/* The fd number the collector puts the list-mode pipe on. */
#define PRELOAD_EVENT_FD   198
#define PRELOAD_SHIM_NAME  "balrun-preload.so"
/* The CK_RUN_SUITE and CK_RUN_CASE values that ask the shim to list a Check binary. */
#define PRELOAD_CHECK_SUITE "balrun-preload:list-suites"
#define PRELOAD_CHECK_CASE  "balrun-preload:list-tcases"
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
