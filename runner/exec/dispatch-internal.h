/*
 * dispatch-internal.h - what the three files of the dispatch loop share:
 * the worker slot and dispatcher state, and the functions each file offers
 * the others.  Not for use outside runner/dispatch*.c.
 *
 *   dispatch.c       the loop, signals, stopping (-x, smoke, interrupt),
 *                    accounting of finished tests, the public entry point
 *   dispatch-slot.c  a worker slot's life: spawn, send a unit, retire,
 *                    reap, lose (and replace) a worker
 *   dispatch-msg.c   what a worker says: checked, then applied
 *   dispatch-fault.c failures outside the tests (FAULT): entries of their own
 *   dispatch-tokens.c the jobserver's slots (make's, the machine's budget):
 *                    a unit runs only once the run holds one per its weight
 */
#ifndef BALRUN_DISPATCH_INTERNAL_H
#define BALRUN_DISPATCH_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "dispatch.h"
#include "proc.h"
#include "proto.h"

#define HELLO_TIMEOUT_NS   (15ull * 1000000000ull)
#define STOP_GRACE_NS      (5ull * 1000000000ull)
#define TICK_MS            100
/* A test its batches ran on without reaching this often runs alone. */
#define MAX_UNREACHED      2	/* test_case.unreached holds up to 3 */
/* A binary whose tests died this often alone before starting runs no more of them. */
#define MAX_DEAD_ALONE     3

enum slot_state { SLOT_STARTING, SLOT_IDLE, SLOT_BUSY, SLOT_STOPPING, SLOT_DEAD };

struct slot {
	unsigned id;
	enum slot_state state;
	struct proc proc;
	pid_t pgid;
	struct proto_reader *reader;
	uint64_t since_ns;        /* when it entered STARTING or STOPPING */
	/* valid while BUSY */
	uint32_t unit;
	uint32_t *tests;          /* balancer indexes, in the order sent */
	uint32_t *inv_of;         /* tests[i] is in invocation inv_of[i] of the RUN */
	size_t ntests, ninv;
	unsigned char *got;       /* RESULT seen for tests[i] */
	unsigned char *again;     /* tests[i] failed and runs again (--retries): requeue it */
	unsigned char *ctx;       /* tests[i] runs in context: its invocation holds its scope's earlier tests */
	long running;             /* index in tests of the running test, or -1 */
	uint64_t unit_start_ns;
	int smoke;                /* the unit is a smoke test */
	unsigned load;            /* jobserver slots the unit holds (its weight); 0 unless BUSY */
	uint32_t advised;         /* binary + 1 of the last PREPARE during this unit; 0 none */
	unsigned nadvised;        /* PREPAREs sent during this unit */
};

/* The dispatcher's share of a jobserver (dispatch-tokens.c); all zero without one. */
struct dispatch_tokens {
	unsigned want;            /* slots the next unit needs: the last refused unit's weight; 0: 1 */
	int waiting;              /* an idle worker has queued work but no slot: poll the jobserver */
	int failed;               /* the jobserver broke: the run goes on without it */
	uint64_t wait_since;      /* when the current wait began; 0 none */
	uint64_t gather_since;    /* a heavy unit keeps the tokens it got since then; 0 none */
	uint64_t backoff_until;   /* after a gather that timed out: no gathering before then */
	uint64_t recount_at;      /* the machine's budget is recounted no sooner than this */
};

struct dispatcher {
	struct run *r;
	struct balancer *b;
	const uint32_t *map;
	size_t nmap;
	struct timing_cache *tc;
	const struct dispatch_opts *o;
	const struct run_observer *obs;
	struct dispatch_stats *st;
	struct strbuf *err;
	struct slot *slots;
	uint64_t t0;
	uint32_t next_unit;
	unsigned failures;
	int stopping;             /* no more dispatching */
	char *stop_reason;        /* why tests that did not run did not run */
	int fatal;
	unsigned smoke_sent, smoke_done, smoke_failed;
	int smoke_unproven;       /* a smoke test did not pass last time: no verdict on the environment */
	int other_sent;           /* a unit that is no smoke test was sent */
	uint32_t *faults;         /* indexes in r->tests of the FAULT entries added so far */
	size_t nfaults, faults_alloc;
	unsigned *dead_alone;     /* per binary: isolated tests that died before starting */
	unsigned char *started_alone; /* per binary: an isolated test started */
	struct dispatch_tokens tk;
};

/* dispatch.c */
void dispatch_account_unit(struct dispatcher *d, struct slot *s);
double dispatch_clock(const struct dispatcher *d);
void dispatch_count_failure(struct dispatcher *d, const struct test_case *t);
int dispatch_finish_unreported(struct dispatcher *d, struct slot *s, size_t i, enum outcome o,
			       const char *msg);
void dispatch_note(struct dispatcher *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dispatch_reap_orphans(struct dispatcher *d);
void dispatch_remember(struct dispatcher *d, const struct test_case *t, uint64_t rss_kb);
int dispatch_retry(struct dispatcher *d, struct slot *s, size_t i);
/*
 * The unit of slot s is over: settle every test of it without a RESULT
 * (requeue it, run it alone next time, or finish it).  errors: DONE's
 * per-invocation errors; NULL when the worker was lost.
 */
void dispatch_requeue_rest(struct dispatcher *d, struct slot *s, char *const *errors);
/* Note a fallback in the report (dispatch.h): merged with an equal one of the same binary. */
void dispatch_fallback(struct dispatcher *d, uint32_t binary, size_t tests, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void dispatch_smoke_observe(struct dispatcher *d, const struct slot *s, const struct test_case *t);
void dispatch_smoke_sent(struct dispatcher *d, const struct bal_unit *u);
void dispatch_stop(struct dispatcher *d, const char *reason);
struct test_case *dispatch_test(struct dispatcher *d, uint32_t bi);

/* dispatch-slot.c */
void slot_send_unit(struct dispatcher *d, struct slot *s, const struct bal_unit *u);
void dispatch_advise(struct dispatcher *d);
void slot_clear_unit(struct slot *s);
void slot_lost(struct dispatcher *d, struct slot *s, const char *why);
void slot_reap(struct slot *s, int *status);
void slot_retire(struct slot *s);
int slot_spawn(struct dispatcher *d, struct slot *s);

/* dispatch-fault.c */
/* A FAULT from the worker of slot s: recorded as an entry of its own (see there). */
void dispatch_fault(struct dispatcher *d, struct slot *s, struct proto_fault *m);

/* dispatch-msg.c */
void slot_readable(struct dispatcher *d, struct slot *s);

/* dispatch-tokens.c (all of them do nothing without opts.jobserver) */
/* An idle worker is to get queued work: 1 if the run holds the slots for it (tokens taken as needed). */
int tokens_ready(struct dispatcher *d);
/* Charge unit u's weight to slot s: 0, or -1 when the slots are not there (u goes back, the run waits). */
int tokens_charge(struct dispatcher *d, struct slot *s, const struct bal_unit *u);
/* After feeding the workers: give back the tokens no unit holds; recount a starved budget. */
void tokens_settle(struct dispatcher *d);
/* The descriptor to poll for a free token, or -1 (nobody waits, or no jobserver). */
int tokens_poll_fd(const struct dispatcher *d);
/* The run is over: every token back. */
void tokens_release(struct dispatcher *d);

#endif
