/*
 * proto.h - the coordinator <-> worker protocol: msgpack frames over pipes.
 *
 * This is the only place that knows the wire format; docs/protocol.md is its
 * description for humans.  Each message is one msgpack map with a "t" key
 * naming its type.  Unknown keys are ignored (so a newer peer may add
 * fields); missing required keys, wrong types, oversize frames and garbage
 * are errors that the reader reports without crashing.
 *
 *   worker -> coordinator: HELLO (once, first), START, RESULT, FAULT, DONE
 *   coordinator -> worker: RUN, BYE
 *
 * A worker starts, sends HELLO {version}, then loops: wait for RUN or BYE;
 * for RUN, sends START before each test and RESULT after it, then DONE.
 * Tests of the unit without a RESULT when DONE arrives were not run (the
 * coordinator puts them back in the queue).  BYE or EOF makes it exit.
 *
 * Test indexes in START and RESULT count across the whole unit: invocation
 * 0's tests first, then invocation 1's, and so on.  A FAULT reports a
 * failure outside every test of an invocation (a group setup or teardown, a
 * hook or destructor after the tests, a death before the first test).
 */
#ifndef BALRUN_PROTO_H
#define BALRUN_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "outcome.h"
#include "strbuf.h"

#define PROTO_VERSION 6
/* A frame larger than this is an error (protects the coordinator's memory). */
#define PROTO_MAX_FRAME (64u << 20)
/* An array or map with more entries than this is an error (same reason). */
#define PROTO_MAX_ITEMS (1u << 20)

enum proto_type {
	PROTO_HELLO = 1,
	PROTO_RUN,
	PROTO_START,
	PROTO_RESULT,
	PROTO_DONE,
	PROTO_BYE,
	PROTO_FAULT,
	PROTO_PREPARE,           /* a RUN's fields (u.run): the unit this worker likely runs next */
};

/* Where a failure outside the tests happened (FAULT). */
enum fault_where {
	FAULT_BEFORE = 0,        /* before the invocation's first test started */
	FAULT_AFTER,             /* after its tests (hooks, destructors, exit status) */
	FAULT_GROUP_SETUP,       /* the setup of a group (group = its ordinal) */
	FAULT_GROUP_TEARDOWN,    /* the teardown of a group */
	FAULT__COUNT
};

struct proto_hello {
	uint32_t version;        /* PROTO_VERSION of the sender */
	uint32_t worker_id;
	int64_t pid;
};

/* One run of one test binary inside a unit. */
struct proto_invocation {
	char *binary;            /* path as the coordinator can exec it */
	char *framework;         /* the adapter that runs it: "plain", "criterion", "cmocka"
	                            (adapters/adapter.h) */
	char **tests;            /* framework-level names ("suite/name"); plain: 1 entry, the id */
	size_t ntests;
	char *preload;           /* LD_PRELOAD value for this binary ("" = none); cmocka:
	                            the shim, after any sanitizer runtime the binary needs */
	uint64_t *timeouts_ms;   /* optional (NULL: not sent): per test, ntests entries, its
	                            time limit in ms (0 none); replaces the RUN's timeout_ms */
	uint64_t *ordinals;      /* optional (cmocka: required): per test, its ordinal in the
	                            binary's listing (common/preload.h) */
	uint64_t *checks;        /* optional (cmocka, gtest, acutest: required): per test, what
	                            its adapter lists with it (cmocka: preload_check() of its
	                            group and name; adapters/adapter.h listed_test.check) */
	/*
	 * The command as a build system registered it (CTest, meson), or as
	 * balrun runs it by default: all empty for a binary named on the
	 * command line.
	 */
	char **args;             /* arguments after the adapter's own (the registered command's) */
	size_t nargs;
	char *cwd;               /* working directory; "" or NULL: the worker's */
	char **env;              /* environment changes, in order: "NAME=value" sets, "NAME" unsets */
	size_t nenv;
	uint32_t judge;          /* INV_* flags: how a whole process's end is judged */
	int64_t skip_code;       /* with INV_SKIP_CODE: this exit status is SKIP (-1: none) */
	char **pass_regex;       /* a line matching one of these: PASS (CTest PASS_REGULAR_EXPRESSION) */
	size_t npass_regex;
	char **fail_regex;       /* ... FAIL (FAIL_REGULAR_EXPRESSION) */
	size_t nfail_regex;
	char **skip_regex;       /* ... SKIP (SKIP_REGULAR_EXPRESSION) */
	size_t nskip_regex;
	/* A framework taught in .balrun.conf (framework "configured", adapters/configured.h): */
	char **command;          /* its run command's words, placeholders unexpanded */
	size_t ncommand;
	char *results;           /* how its results are read: "exitcode", "tap", "junit" */
};

/* proto_invocation.judge (worker/judge.h applies them) */
enum {
	INV_WILL_FAIL = 1 << 0,    /* pass and fail swap (CTest WILL_FAIL, meson should_fail, XFAIL_TESTS) */
	INV_SKIP_CODE = 1 << 1,    /* skip_code replaces the default skip status 77 */
	INV_INVERT_CRASH = 1 << 2, /* with INV_WILL_FAIL, death by a signal is the expected failure too
	                              (meson, automake; CTest counts a crash as failed anyway) */
	INV_HARD_ERROR = 1 << 3,   /* exit 99 is an error, whatever else (meson, automake) */
};

struct proto_run {
	uint32_t unit;           /* coordinator's unit number, echoed back */
	uint32_t timeout_ms;     /* per test; 0 = none */
	struct proto_invocation *inv;
	size_t ninv;
};

struct proto_start {
	uint32_t unit;
	uint32_t test;           /* index across the unit */
};

struct proto_result {
	uint32_t unit;
	uint32_t test;
	enum outcome outcome;
	uint64_t duration_us;    /* wall time of the test */
	uint64_t cpu_us;         /* user+system CPU, 0 if unknown */
	uint64_t rss_kb;         /* peak RSS, 0 if unknown */
	char *message;           /* one line: "killed by SIGSEGV", "Timed out", ... ("" if none) */
	char *output;            /* captured stdout+stderr, head and tail (may hold NULs) */
	size_t output_len;
	uint64_t output_dropped; /* bytes cut from the middle of the output */
};

struct proto_fault {
	uint32_t unit;
	uint32_t inv;            /* index of the invocation in the RUN */
	enum fault_where where;
	int64_t group;           /* the group's ordinal for the GROUP kinds, else -1 */
	enum outcome outcome;    /* FAIL, CRASH or TIMEOUT */
	char *message;           /* one line: "group setup failed", "killed by SIGABRT", ... */
	char *output;            /* captured output from outside the tests: head and tail */
	size_t output_len;
	uint64_t output_dropped;
};

struct proto_done {
	uint32_t unit;
	uint64_t wall_us;        /* whole unit */
	uint64_t *overhead_us;   /* per invocation: its wall time minus its tests' durations */
	char **errors;           /* per invocation: "" or one line on why it went wrong as a
	                            whole ("exit 3 before any test ran: <first output line>") */
	size_t ninv;
	uint64_t *inv_wall_us;   /* per invocation: its wall time */
	uint64_t *cpu_us;        /* per invocation: user + system CPU of its processes (and
	                            every descendant they waited for) */
};

struct proto_msg {
	enum proto_type type;
	union {
		struct proto_hello hello;
		struct proto_run run;
		struct proto_start start;
		struct proto_result result;
		struct proto_done done;
		struct proto_fault fault;
	} u;
};

/* Append one encoded frame to out. */
void proto_encode(struct strbuf *out, const struct proto_msg *m);
/* Free what a decoded message owns; m can be reused afterwards. */
void proto_msg_release(struct proto_msg *m);

/*
 * Incremental reader: feed it bytes as they arrive (any split), take whole
 * messages out.
 */
struct proto_reader;
struct proto_reader *proto_reader_new(void);
void proto_reader_free(struct proto_reader *r);

enum proto_status {
	PROTO_OK = 0,     /* *m filled; call again for more */
	PROTO_AGAIN,      /* no whole message buffered yet */
	PROTO_EOF,        /* proto_reader_fill saw end of file, nothing buffered */
	PROTO_ERROR,      /* err says why; the stream is unusable */
};

/* Copy len bytes into the reader. PROTO_OK, or PROTO_ERROR if over PROTO_MAX_FRAME. */
enum proto_status proto_reader_feed(struct proto_reader *r, const void *buf, size_t len,
				    char *err, size_t errlen);
/*
 * read() once from fd (non-blocking or not) into the reader.
 * PROTO_OK (read something), PROTO_AGAIN (EAGAIN), PROTO_EOF (end of file;
 * PROTO_ERROR instead if a partial frame is left), PROTO_ERROR (read error).
 */
enum proto_status proto_reader_fill(struct proto_reader *r, int fd, char *err, size_t errlen);
/* Take the next whole message out: PROTO_OK, PROTO_AGAIN or PROTO_ERROR. */
enum proto_status proto_reader_next(struct proto_reader *r, struct proto_msg *m,
				    char *err, size_t errlen);

/* Encode m and write it all to fd (blocking). 0 or -1 (errno set). */
int proto_send(int fd, const struct proto_msg *m);
/* Write len bytes of encoded frames (proto_encode) as proto_send does.  0, or -1 with errno. */
int proto_write_all(int fd, const char *p, size_t len);

#endif
