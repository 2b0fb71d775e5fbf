/*
 * balrun.h - scheduling markers for balrun, written in the test source.
 *
 *   #include <balrun.h>
 *
 *   BALRUN_GROUP("db", "db_*");               same-worker group "db": one unit, one worker
 *   BALRUN_SERIAL("perf*");                   nothing else runs at the same time
 *   BALRUN_LOCK("port-8080", "net/listen_*"); holders of lock "port-8080" never overlap
 *   BALRUN_WEIGHT(4, "heavy*");               occupies 4 of the N worker slots
 *   BALRUN_TIMEOUT(30, "slow*");              this test's time limit, in seconds
 *
 * Each macro goes at file scope, in any file of the test binary (C or C++),
 * any number of times.  The pattern is a shell glob (*, ?, [...]; '*' also
 * matches '/') over the test's name inside this binary: "suite/name" for
 * Criterion, "group/name" for cmocka (the group is the name of the array
 * given to cmocka_run_group_tests).  A plain test binary is one test named
 * by its path: use "*".  See docs/markers.md.
 *
 * How it works: a marker is a constant char array placed in the ELF section
 * "balrun_markers".  No code runs and nothing is registered at start-up:
 * balrun reads the section from the binary file when it collects the tests.
 * A record is a run of NUL-terminated strings with no pointers, so the
 * section needs no relocation and reads the same from a PIE on disk:
 *
 *   "balrun1" KIND ARGUMENT PATTERN "FILE:LINE"     (each followed by '\0')
 *
 * KIND is group, serial, lock, weight or timeout; ARGUMENT is the group or
 * lock name, the weight, the seconds, or "" for serial.  Records are packed
 * (alignment 1); NUL bytes between records are padding.  Weights and seconds
 * are stringified, so they must be literal numbers (or macros expanding to
 * one): BALRUN_WEIGHT(2 * 2, ...) is reported as a bad weight by balrun.
 */
#ifndef BALRUN_PUBLIC_BALRUN_H
#define BALRUN_PUBLIC_BALRUN_H

#define BALRUN__STR2(x) #x
#define BALRUN__STR(x) BALRUN__STR2(x)
#define BALRUN__CAT2(a, b) a##b
#define BALRUN__CAT(a, b) BALRUN__CAT2(a, b)

#if defined(__has_attribute)
#if __has_attribute(retain)
/* keeps the section from --gc-sections as well */
#define BALRUN__RETAIN __attribute__((retain))
#endif
#endif
#ifndef BALRUN__RETAIN
#define BALRUN__RETAIN
#endif

#ifdef __COUNTER__
#define BALRUN__UNIQUE BALRUN__CAT(balrun__marker_, __COUNTER__)
#else
#define BALRUN__UNIQUE BALRUN__CAT(balrun__marker_, __LINE__)
#endif

#define BALRUN__RECORD(kind, arg, pattern) \
	__attribute__((section("balrun_markers"), used, aligned(1))) BALRUN__RETAIN \
	static const char BALRUN__UNIQUE[] = \
		"balrun1\0" kind "\0" arg "\0" pattern "\0" __FILE__ ":" BALRUN__STR(__LINE__)

/* Tests matching pattern form the same-worker group name (one unit, run in a row). */
#define BALRUN_GROUP(name, pattern) BALRUN__RECORD("group", name, pattern)
/* Tests matching pattern run alone: no other test runs at the same time. */
#define BALRUN_SERIAL(pattern) BALRUN__RECORD("serial", "", pattern)
/* Tests matching pattern hold the named lock: no two holders run at once. */
#define BALRUN_LOCK(name, pattern) BALRUN__RECORD("lock", name, pattern)
/* Tests matching pattern occupy weight (a whole number >= 1) of the N worker slots. */
#define BALRUN_WEIGHT(weight, pattern) BALRUN__RECORD("weight", BALRUN__STR(weight), pattern)
/* Tests matching pattern get a time limit of seconds (overrides --timeout). */
#define BALRUN_TIMEOUT(seconds, pattern) BALRUN__RECORD("timeout", BALRUN__STR(seconds), pattern)

#endif
