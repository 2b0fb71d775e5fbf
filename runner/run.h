/*
 * run.h - the runner's data model: the binaries given on the command line,
 * the test cases collected from them, and what happened to each.
 *
 * A test case is created by collection (collect.c), scheduled by the
 * balancer (through dispatch.c), and filled in when its RESULT arrives or
 * when the run ends without it (then it is NOTRUN with a reason).  Every
 * collected test ends with exactly one outcome: the reports rely on it.
 */
#ifndef BALRUN_RUN_H
#define BALRUN_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "adapter.h"
#include "configured.h"
#include "strvec.h"
#include "outcome.h"
#include "proto.h"
#include "strbuf.h"
#include "strpool.h"

/*
 * A test command: a binary named on the command line (then only program is
 * set), or a test a build system registered (CTest, meson), with its
 * properties translated: how to run it, how to judge it whole, how to
 * schedule it, and which tests it needs first.  Owned by its binary.
 */
struct test_command {
	char *name;                 /* the registered test's name; NULL for the command line's */
	const char *origin;         /* "CTest", "meson": for messages; NULL: the command line */
	char *program;              /* what runs, as registered or given (not yet resolved) */
	struct strvec args;         /* its arguments */
	char *cwd;                  /* its working directory; NULL: balrun's */
	struct strvec env;          /* environment changes: "NAME=value" sets, "NAME" unsets */
	double timeout;             /* its own time limit in seconds; 0: none */
	uint32_t judge;             /* INV_* (proto.h): WILL_FAIL, its own skip status */
	int64_t skip_code;          /* with INV_SKIP_CODE (-1: no status means skip) */
	struct strvec pass_regex, fail_regex, skip_regex;
	const char *framework;      /* the adapter to run it with (a name in adapters/adapter.c);
	                               NULL: the first that recognises the binary */
	char *unrunnable;           /* why it cannot run (a missing working directory or required
	                               file): reported not run, as its runner does; NULL: runnable */
	unsigned disabled : 1;      /* registered but not to run (CTest DISABLED) */
	unsigned serial : 1;        /* nothing may run beside it (RUN_SERIAL, meson is_parallel) */
	unsigned whole : 1;         /* one test even if its framework could be split */
	unsigned weight;            /* worker slots it takes (CTest PROCESSORS); 0: 1 */
	struct strvec locks;        /* CTest RESOURCE_LOCK */
	struct strvec labels;       /* CTest LABELS, meson suites */
	struct strvec fixtures_setup, fixtures_cleanup, fixtures_required;
	struct strvec depends;      /* registered names of tests it runs after */
};

void test_command_init(struct test_command *c);
void test_command_release(struct test_command *c);

struct binary {
	struct test_command cmd; /* how it runs (only cmd.program for the command line's) */
	char *arg;             /* as given on the command line, or the registered program */
	char *abspath;         /* what workers execute */
	char *id;              /* path relative to the repository root (stable across machines), or the
	                          registered test's name */
	const struct adapter *adapter; /* its framework (adapters/adapter.h) */
	const struct conf_framework *conf; /* with ADAPTER_CONFIG: its [framework] section of
	                          .balrun.conf (adapters/configured.h; owned by the caller) */
	char *preload;         /* LD_PRELOAD value for cmocka binaries, "" otherwise */
	char *note;            /* why it is run the way it is, or NULL */
	double overhead;       /* cached invocation overhead, seconds; < 0 unknown */
	char *markers;         /* its "balrun_markers" ELF section (markers.h), or NULL */
	size_t markers_len;
	/*
	 * Its scopes: cmocka group calls (one per call, in run order, a repeated
	 * group name shown as "name#2"), Criterion suites.  test_case.scope
	 * indexes them.  None for plain binaries.
	 */
	char **scopes;
	size_t nscopes;
};

/*
 * How finely a binary's tests are spread over the workers (--dist, the
 * dist marker): each case on its own (pytest-xdist's load), each scope (a
 * cmocka group, a Criterion suite) as one unit (loadscope), or the whole
 * binary as one unit (loadfile).
 */
enum dist_mode {
	DIST_UNSET = 0,        /* no marker: the run's default */
	DIST_CASE,
	DIST_GROUP,
	DIST_BINARY,
};

enum test_state {
	TEST_PENDING = 0,      /* collected, not finished */
	TEST_RUNNING,          /* START seen */
	TEST_FINISHED,         /* outcome final */
};

/*
 * One finished run of a test that was run more than once: an earlier failed
 * attempt (--retries), or its run alone after the parallel phase
 * (--rerun-failed-serially).  Owns message and output.
 */
struct test_attempt {
	enum outcome outcome;
	double duration, start, end;
	int worker;
	char *message;
	char *output;
	size_t output_len;
	uint64_t output_dropped;
};

/*
 * What few tests have: runs besides the latest (a retry, a run in context
 * or alone) and the limits markers give.  NULL in the test until it has one
 * of them, so that a million tests that ran once without markers do not
 * carry it (test_more allocates it).  Owns its attempts.
 */
struct test_more {
	struct test_attempt *context; /* its run in context after the parallel phase (context.h), or NULL */
	struct test_attempt *tries; /* earlier failed attempts, oldest first (retry.h) */
	struct test_attempt *alone; /* its run alone after the parallel phase (rerun.h), or NULL */
	uint32_t ntries, tries_alloc;
	double timeout;        /* its own time limit in seconds (markers/config); 0: --timeout */
	uint64_t locks;        /* from markers: bit i: holds named lock i */
};

struct test_case {
	/* Fields by size, largest first, so that a million of them pack tight (144 bytes). */
	char *id;              /* "<binary id>::<name>", or the binary id for plain tests (in
	                          the run's ids: never freed on its own) */
	const char *name;      /* name the framework knows ("suite/name"); plain: the binary id.
	                          Points into id (its end), which owns it. */
	uint64_t check;        /* cmocka: preload_check() of its group and name (common/preload.h) */
	double duration;       /* seconds, as measured by the worker */
	double start, end;     /* seconds since the run started (coordinator clock) */
	struct test_more *more; /* its other runs and marker limits, or NULL (test_more, test_ntries, ...) */
	char *message;         /* one line, or NULL */
	char *output;          /* captured output, or NULL */
	uint64_t output_dropped;
	double est;            /* estimated seconds when the run started; before planning, the
	                          timing cache's (with est_known) */

	uint32_t binary;
	uint32_t ordinal;      /* its place in the binary's listing (the order a serial run runs it) */
	uint32_t scope;        /* index of its scope in the binary (cmocka group call, Criterion suite) */
	uint32_t scope_rank;   /* tests of its scope before it (by ordinal) */
	int worker;            /* -1 if it never ran */
	uint32_t unit;         /* 1 + the number of the unit (batch) its last run was in, within
	                          its phase; 0: it never ran */
	uint32_t output_len;   /* bytes of output (the worker keeps at most a few hundred KiB) */
	uint32_t rss_kb;       /* peak RSS of its run, from its RESULT (at most UINT32_MAX) */
	uint32_t cached_rss_kb; /* peak RSS of its last run, from the timing cache (known.h) */
	/* From markers (markers.h); 0 means none. */
	uint32_t group;        /* 1 + index of its same-worker group */
	uint32_t level;        /* its phase: after every test of a lower level (plan/depends.h) */
	uint32_t weight;       /* worker slots it occupies */

	uint8_t state;         /* enum test_state */
	uint8_t outcome;       /* enum outcome */
	uint8_t apart;         /* enum outcome: ORDERDEP: how its run apart from its context ended */
	uint8_t dist;          /* enum dist_mode: from a dist marker; DIST_UNSET: the run's default */
	uint16_t attempts;     /* units it was handed out in (retries included; at most UINT16_MAX) */
	unsigned unreached : 2; /* units that ran on without reaching it, up to MAX_UNREACHED (dispatch.c) */
	unsigned disabled : 1; /* disabled in the source (Criterion .disabled): skipped, never run */
	unsigned selected : 1; /* survived -k / --lf: will be run */
	unsigned fault : 1;    /* no test: a failure outside the tests (FAULT), added while running */
	unsigned isolated : 1; /* runs alone: its batch ended before any test ran */
	unsigned in_context : 1; /* its last run had every test of its scope before it, in one
	                          invocation: a failure there is no artefact of the split */
	unsigned est_known : 1;
	unsigned serial : 1;   /* from markers: runs alone */
	/* What the timing cache knows of it (input/known.h); est and est_known too. */
	unsigned passed_last : 1; /* the local cache's last run of it passed */
	unsigned lf_failed : 1; /* the local cache's last run of it failed (--lf) */
	unsigned failed_last : 1; /* the planning timings' last run of it failed */
	unsigned order_dep : 1; /* the planning timings found it order-dependent */
};

struct run {
	struct binary *bins;
	size_t nbins, bins_alloc;
	struct test_case *tests;
	size_t ntests, tests_alloc;
	struct strpool ids;    /* the tests' ids: one allocation per chunk, not per test */
};

void run_init(struct run *r);
void run_release(struct run *r);
struct binary *run_add_binary(struct run *r);
struct test_case *run_add_test(struct run *r, uint32_t binary, const char *name);
/* Room for exactly more tests beyond those added (a listing's: no growth slack). */
void run_reserve_tests(struct run *r, size_t more);
/*
 * s as a person sees it, on one line (strbuf_add_escaped with controls):
 * s itself when nothing needs escaping, else scratch's text.
 */
const char *run_display(const char *s, struct strbuf *scratch);
/*
 * A copy of test t (of another run over the same binaries) added to r: its
 * identity (binary, name, ordinal, scope, check) and time limit, nothing of
 * how it ran.  For runs after the run (exec/scratch.h).
 */
struct test_case *run_copy_test(struct run *r, const struct test_case *t);
/* Give t (of r) the id id (copied), keeping its name (which lives next to it). */
void test_set_id(struct run *r, struct test_case *t, const char *id);
/* t's other runs, allocated (empty) on first use. */
struct test_more *test_more(struct test_case *t);
/* Readers: what t->more holds, or none when t ran once. */
static inline uint32_t test_ntries(const struct test_case *t)
{
	return t->more ? t->more->ntries : 0;
}
static inline const struct test_attempt *test_tries(const struct test_case *t)
{
	return t->more ? t->more->tries : NULL;
}
static inline const struct test_attempt *test_context(const struct test_case *t)
{
	return t->more ? t->more->context : NULL;
}
static inline const struct test_attempt *test_alone(const struct test_case *t)
{
	return t->more ? t->more->alone : NULL;
}
static inline double test_timeout(const struct test_case *t)
{
	return t->more ? t->more->timeout : 0;
}
static inline uint64_t test_locks(const struct test_case *t)
{
	return t->more ? t->more->locks : 0;
}
/* One more unit t was handed out in (attempts stops at its largest value). */
static inline void test_count_attempt(struct test_case *t)
{
	t->attempts += t->attempts < UINT16_MAX;
}
/* Mark a test finished with an outcome and a message (copied; may be NULL). */
void test_finish(struct test_case *t, enum outcome o, const char *message);
/* Free what an attempt owns. */
void test_attempt_release(struct test_attempt *a);
/*
 * How t's latest run ended, as an attempt that takes over t's message and
 * output (t keeps neither).  The caller stores it (retries, --rerun-failed-
 * serially, the run in context).
 */
struct test_attempt test_move_attempt(struct test_case *t);
/* Make *output (len bytes, dropped cut from its middle) t's output; *output becomes NULL. */
void test_take_output(struct test_case *t, char **output, size_t *len, uint64_t dropped);

#endif
