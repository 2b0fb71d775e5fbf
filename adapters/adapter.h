/*
 * adapter.h - what balrun needs from a test framework, and the table of the
 * frameworks it knows.
 *
 * A framework is one adapter: one file (plain.c) or one small folder
 * (criterion/, cmocka/, gtest/, acutest/), and one line in the table in adapter.c.  Both
 * programs use it: balrun asks it to recognise a binary and to list its
 * cases (collect/), the worker asks it to run a batch of them (its
 * run_batch).  The five things an adapter does:
 *
 *   recognise      from what the ELF file says (struct binary_facts, read
 *                  without running the binary), whether it is this
 *                  framework's binary and whether it can choose its tests
 *   list_command   how to make the binary list its cases (arguments, and
 *                  the preload shim's mode: common/preload.h)
 *   parse_listing  read that listing: names in the order a serial run runs
 *                  them, their scopes (suite, group), disabled tests
 *   run_batch      in the worker: run some of the binary's cases in one
 *                  invocation, and report each one's start and result
 *                  through the session (worker/session.h, worker/driver.h)
 *   failure lines  inside run_batch: the framework's own lines that say why
 *                  a test failed become its message; its other lines are
 *                  left out of the test's output
 *
 * The worker learns which adapter runs an invocation from its name on the
 * wire (proto_invocation.framework).  docs/architecture.md adds a framework
 * step by step.
 */
#ifndef BALRUN_ADAPTER_H
#define BALRUN_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "strbuf.h"
#include "strvec.h"

struct session;

/*
 * What balrun read from a binary's file (collect/elfprobe.c fills it).
 * Symbols from the dynamic and the static symbol table, by name: defined
 * if either table defines it.
 */
struct binary_facts {
	unsigned is_elf : 1;       /* an ELF executable or PIE */
	unsigned is_script : 1;    /* starts with "#!" */
	struct strvec needed;      /* DT_NEEDED libraries, in order */
	struct strbuf names;       /* symbol names, NUL-separated */
	struct binary_symbol {
		size_t name;           /* offset in names */
		unsigned defined : 1;
	} *symbols;                /* sorted by name, each name once */
	size_t nsymbols, symbols_alloc;
};

enum facts_symbol {
	FACTS_ABSENT = 0,
	FACTS_REFERENCED,          /* named, not defined: another library defines it */
	FACTS_DEFINED,
};

void facts_init(struct binary_facts *f);
void facts_release(struct binary_facts *f);
/* Note a symbol (while reading the file); sort with facts_sort() when done. */
void facts_add_symbol(struct binary_facts *f, const char *name, int defined);
void facts_sort(struct binary_facts *f);
/* 1 if the binary needs a library whose name starts with prefix ("libcmocka.so"). */
int facts_needs(const struct binary_facts *f, const char *prefix);
enum facts_symbol facts_symbol(const struct binary_facts *f, const char *name);
/*
 * Like facts_symbol() for the first symbol whose name starts with prefix
 * (C++ names: "_ZN7testing8internal23MakeAndRegisterTestInfo" whatever its
 * argument types mangle to).
 */
enum facts_symbol facts_symbol_prefix(const struct binary_facts *f, const char *prefix);

/*
 * One binary's listing, in the order a serial run runs its tests: each
 * test's name as the framework knows it ("suite/name", "group/name"), its
 * scope (an index into scopes: the Criterion suite, the cmocka group call)
 * and whether it is disabled in the source.  Names may hold any byte but
 * NUL and may repeat (collect makes the ids unique).
 */
struct listed_test {
	char *name;
	uint32_t scope;
	uint64_t check;            /* with ADAPTER_CHECKS, sent with each test: cmocka:
	                              preload_check(group, name); gtest, acutest: how
	                              the worker selects it (gtest-internal.h,
	                              acutest-internal.h) */
	unsigned disabled : 1;
	unsigned filtered : 1;     /* the registered command would not run it (adopt_command) */
};
struct listing {
	struct listed_test *v;
	size_t n, alloc;
	char **scopes;             /* raw scope names (a cmocka group name may repeat) */
	size_t nscopes, scopes_alloc;
	int no_preload;            /* the shim cannot choose tests here: run without it */
};
/* Append a scope (takes name); later tests belong to it. */
void listing_scope(struct listing *l, char *name);
/* Append a test of the last scope (takes name); returns it. */
struct listed_test *listing_test(struct listing *l, char *name, int disabled);
void listing_release(struct listing *l);

/*
 * A value of the preload shim's list records, percent-encoded as
 * PRELOAD_ESCAPED says (common/preload.h), decoded (malloc'd); NULL if it
 * is malformed or would hold a NUL.
 */
char *adapter_unescape(const char *s, size_t n);

/* What a listing process left behind. */
struct listing_output {
	const char *id;            /* the binary, as reports name it */
	const char *out;           /* its stdout and stderr, NUL-terminated */
	size_t out_len;
	const char *events;        /* what the preload shim wrote to its event fd, NUL-terminated */
	size_t events_len;
	int exited_zero;           /* it exited with status 0 */
	const char *status;        /* how it ended, in words ("exit status 1", "SIGABRT") */
};

enum adapter_flags {
	ADAPTER_ONE_TEST = 1 << 0, /* the binary is one test: never listed, runs alone */
	ADAPTER_PRELOAD = 1 << 1,  /* runs with balrun-preload.so (after sanitizer runtimes) */
	ADAPTER_CHECKS = 1 << 2,   /* invocations carry each test's check (proto.h) */
	ADAPTER_CONFIG = 1 << 3,   /* taught in .balrun.conf: listed by its binary's own commands
	                              (configured.h), so no list_command or parse_listing */
};

struct adapter {
	const char *name;          /* "criterion": on the wire, in notes and docs */
	unsigned flags;            /* enum adapter_flags */
	/*
	 * 1 if the binary is this framework's and the adapter can run it.  It
	 * may add a line to note saying why a binary of its framework runs
	 * another way (id names it); the table's next adapter is asked then.
	 */
	int (*recognise)(const struct binary_facts *f, const char *id, struct strbuf *note);
	/*
	 * The listing command: arguments after the binary's path, and the
	 * environment (the shim's mode).  balrun adds LD_PRELOAD, LC_ALL=C and
	 * the event fd.  NULL with ADAPTER_ONE_TEST.
	 */
	void (*list_command)(struct strvec *argv, struct strvec *env);
	/*
	 * Fill l from what the listing left.  A line for the user about how
	 * the binary will run goes to notes.  0, or -1 with why (one line).
	 * NULL with ADAPTER_ONE_TEST.
	 */
	int (*parse_listing)(const struct listing_output *o, struct listing *l, struct strbuf *why,
			     struct strbuf *notes);
	/*
	 * A command a build system registered (CTest, meson) may choose cases
	 * itself, by its arguments or environment (--gtest_filter,
	 * CRITERION_TEST_PATTERN).  After parse_listing (the listing ran with
	 * them), mark the cases it would not run (listed_test.filtered) and
	 * remove from args what balrun's own choice of cases replaces.
	 * Return 1 to run the command whole instead, as its runner would
	 * (why says so, for a note).  NULL: arguments pass through unchanged.
	 */
	int (*adopt_command)(struct strvec *args, struct strvec *env, struct listing *l,
			     struct strbuf *why);
	/*
	 * In the worker: run inv (its tests, in order, in one invocation or
	 * more) and report every test through s.  Never exits, never fails as
	 * a whole: what went wrong goes to session_error() (worker/driver.h).
	 */
	void (*run_batch)(struct session *s, const struct proto_invocation *inv);
	/*
	 * In the worker, may be NULL: start inv's process ahead, held before
	 * its first test (worker/held.h), as run_batch would start it for a
	 * unit of inv's binary whose tests have time limits of timeout_ms (0:
	 * none).  inv has no tests.  It does nothing when it cannot (a binary
	 * whose tests the shim does not select).  The coordinator sends work
	 * ahead (PREPARE) only for binaries of adapters that have one.
	 */
	void (*prestart)(const struct proto_invocation *inv, uint32_t timeout_ms);
};

/*
 * The first adapter in the table that recognises the binary (the last one,
 * plain, takes every executable).  Notes from adapters passed over go to
 * notes, one line each.
 */
const struct adapter *adapter_recognise(const struct binary_facts *f, const char *id,
					struct strbuf *notes);
/* The adapter of that name, or NULL. */
const struct adapter *adapter_by_name(const char *name);
/* The table, for listings and tests: adapters[0..*n). */
const struct adapter *const *adapter_all(size_t *n);

#endif
