/*
 * order.h - private to balancer/: the items the queue holds and the fixed
 * dispatch order over them.
 *
 * An item is the smallest thing the queue hands out: one test, or a whole
 * same-worker group (its members sorted by binary, then by test index, so
 * each binary's tests are contiguous and run in one invocation).  An item
 * also carries the constraints of its tests: the slots it occupies (1 ..
 * workers; a serial item occupies all of them) and the named locks it holds.
 * Everything that orders, queues or sums work speaks of items.
 *
 * The order is computed once by bal_order_build and never changes: smoke
 * items first (in smoke order), then last run's failures, then exclusive
 * items (serial, or weight >= workers), then the rest, each class longest first with ties broken by the item's first test index.
 * A requeued item therefore goes back "at its place" simply by having queued
 * members again.
 */
#ifndef BALRUN_BALANCER_ORDER_H
#define BALRUN_BALANCER_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "balancer.h"

/* Bits of an item's slots: workers stay below 1 << BAL_SLOT_BITS (balancer_new checks). */
#define BAL_SLOT_BITS 28

/* Priority classes, in dispatch order. */
enum bal_class {
	BAL_CLASS_SMOKE,
	BAL_CLASS_FAILED,
	BAL_CLASS_EXCLUSIVE,    /* occupies every slot (serial): best started while little runs */
	BAL_CLASS_REST,
};

/* 48 bytes: a million tests are a million items. */
struct bal_item {
	uint32_t first, ntests; /* members: the members array [first .. first+ntests) */
	uint32_t test;          /* smallest member index: breaks ties */
	uint32_t binary;        /* the first member's binary: the batching key */
	double est;             /* sum of the members' estimates, overhead excluded */
	uint64_t locks;         /* named locks held while it runs */
	uint32_t slots : BAL_SLOT_BITS; /* 1 .. workers; workers for a serial item */
	unsigned grouped : 1;   /* a same-worker group: never batched with anything (a loose
	                           group, bal_test.loose, is not: it batches like a test) */
	unsigned alone : 1;     /* balancer_isolate: never batched with anything */
	unsigned cls : 2;       /* enum bal_class */
	uint32_t pos;           /* place in the dispatch order; while the order is built, a
	                           smoke item's place among the smoke items */
	uint32_t bin_pos;       /* place in its binary's slice of the order */
	uint32_t nqueued;       /* members queued: the item is queued while > 0 */
};

/* Slots a test occupies on `workers` workers: serial -> all, else its weight (at least 1, at most all). */
uint32_t bal_test_slots(const struct bal_test *t, unsigned workers);

/*
 * Make the items from tests[0..n) (one per ungrouped test, one per group, all
 * queued) into items (room for n) and their members into members[0..n);
 * item_of[t] receives the item of test t.  Choose the smoke items (only
 * single tests of one slot without locks qualify) and the class of every
 * item, and make *order the item indexes in dispatch order (allocated
 * here, one per item).  Fills each item's pos.  Returns the number of items.
 */
size_t bal_order_build(struct bal_item *items, uint32_t *members, uint32_t *item_of,
		       uint32_t **order, const struct bal_test *tests, size_t n,
		       size_t nbinaries, const struct bal_opts *opts);

#endif
