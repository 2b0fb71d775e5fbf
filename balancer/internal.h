/*
 * internal.h - private to balancer/ (and to the simulator benchmark and the
 * balancer's tests): the balancer's state, shared by balancer.c (queue and
 * batching), backfill.c (slots, locks, reservations) and plan.c (the
 * simulator), plus the switches only the simulator uses.
 *
 * Slots: a worker is a slot.  A running unit holds `slots` of the N (its
 * head item's; a batch only joins items of equal slots and locks) and its
 * locks; free_slots = N - the slots of running units.  A worker can be idle
 * while no slot is free (another worker runs a unit of weight > 1): that is
 * when balancer_next answers BAL_WAIT although tests are queued.
 */
#ifndef BALRUN_BALANCER_INTERNAL_H
#define BALRUN_BALANCER_INTERNAL_H

#include "order.h"

/* A broken invariant is a bug in the caller or here: stop at once. */
#define BAL_BUG_ON(cond) do { if (cond) abort(); } while (0)

/*
 * What a worker may start when the head of the queue cannot start now
 * (docs/scheduling.md compares them).  Only EASY is used by balrun; the others
 * exist so the simulator can measure it against them.
 */
enum bal_backfill {
	BAL_BACKFILL_EASY,    /* ends before the head's reservation, or uses slots it does not need */
	BAL_BACKFILL_NONE,    /* nothing: wait for the head */
	BAL_BACKFILL_GREEDY,  /* any later unit that fits now (ctest) */
	BAL_BACKFILL_BEFORE,  /* only units that end before the head's reservation */
};

/* Where a test is: queued -> running -> finished, or running -> queued on requeue. */
enum bal_test_state {
	BAL_TEST_QUEUED,
	BAL_TEST_RUNNING,
	BAL_TEST_FINISHED,
};

struct bal_tstate {
	uint32_t worker : BAL_SLOT_BITS; /* the worker running it (BAL_TEST_RUNNING only) */
	unsigned state : 2;     /* enum bal_test_state */
};

struct bal_worker {
	uint32_t *tests;        /* the unit's tests; valid while busy */
	size_t ntests, alloc;
	double left;            /* estimated seconds of the unit not yet observed */
	double start, est;      /* when the unit started, its estimate (overhead included) */
	uint32_t slots;         /* slots the unit holds */
	uint64_t locks;         /* locks the unit holds */
	int busy;
};

/* A running unit's expected end, for reservations (backfill.c). */
struct bal_end {
	double at;
	uint32_t slots;
	uint64_t locks;
};

struct balancer {
	struct bal_opts opts;   /* defaults resolved */
	double *overhead;       /* per binary, resolved; nbinaries entries */
	int *batchable;         /* per binary */
	unsigned *max_batch;    /* per binary: most tests in one unit */
	size_t nbinaries;

	struct bal_item *items;
	size_t nitems;
	uint32_t *members;      /* test indexes, item by item (order.h) */
	uint32_t *item_of;      /* per test: its item */
	struct bal_tstate *tstate; /* per test */
	size_t ntests;
	double *test_est;       /* per test, overhead excluded */
	uint32_t *test_bin;     /* per test */
	uint32_t *order;        /* item indexes in dispatch order */
	size_t head;            /* order[0..head) holds no queued item */
	uint32_t *bin_items;    /* per binary, its items in dispatch order */
	size_t *bin_start;      /* binary b's slice: bin_items[bin_start[b]..bin_start[b+1]) */

	size_t nqueued;         /* queued tests */
	double queued_work;     /* sum of the queued tests' estimates */
	struct bal_worker *workers;
	unsigned nbusy;
	uint32_t free_slots;
	struct bal_end *ends;   /* scratch for reservations, workers entries */
	double now;             /* balancer_set_now */
	int have_clock;         /* balancer_set_now was called */
	enum bal_backfill backfill;
	int stopped;
};

/* The unit to start: the item heading it and the most its estimate may be (overhead included). */
struct bal_pick {
	uint32_t item;
	double cap;
};

/*
 * The head of the queue is order[b->head] (queued).  Choose what the asking
 * worker starts under b->backfill: 1 with *p filled, 0 to wait.
 */
int bal_pick_unit(struct balancer *b, struct bal_pick *p);

/* Items i and j may share a unit (same binary is checked by the caller). */
int bal_batch_compatible(const struct bal_item *a, const struct bal_item *b);

void balancer_set_backfill(struct balancer *b, enum bal_backfill policy);

/* A simulation (plan.c) with everything the public entry points leave at defaults. */
struct bal_sim_opts {
	enum bal_backfill backfill;
	const double *actual;   /* true durations, or NULL for the estimates */
	double *worker_busy;    /* opts->workers entries, or NULL */
	struct bal_plan *plan;  /* receives every unit, or NULL (release with bal_plan_release) */
};
double bal_sim_run(const struct bal_opts *opts, const struct bal_binary *binaries,
		   size_t nbinaries, const struct bal_test *tests, size_t ntests,
		   const struct bal_sim_opts *so);

#endif
