/*
 * order.h - private to balancer/: the items the queue holds and the fixed
 * dispatch order over them.
 *
 * An item is the smallest thing the queue hands out.  Today an item is one
 * test; a later same-worker group will be one item holding several tests
 * (its cost the sum of theirs), and a weighted or serial test an item with a
 * slot count.  Everything that orders, queues or sums work speaks of items so
 * that those features change order.c and the item, not the queue.
 *
 * The order is computed once by bal_order_build and never changes: smoke
 * items first (in smoke order), then last run's failures, then the rest,
 * each class longest first with ties broken by index.  A requeued item
 * therefore goes back "at its place" simply by being marked queued again.
 */
#ifndef BALRUN_BALANCER_ORDER_H
#define BALRUN_BALANCER_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "balancer.h"

/* Priority classes, in dispatch order. */
enum bal_class {
	BAL_CLASS_SMOKE,
	BAL_CLASS_FAILED,
	BAL_CLASS_REST,
};

/* Where an item is: queued -> running -> finished, or running -> queued on requeue. */
enum bal_item_state {
	BAL_ITEM_QUEUED,
	BAL_ITEM_RUNNING,
	BAL_ITEM_FINISHED,
};

struct bal_item {
	uint32_t test;          /* the one test of this item (item i holds test i) */
	uint32_t binary;
	double est;             /* seconds, overhead excluded */
	enum bal_class cls;
	uint32_t smoke_seq;     /* place among the smoke items (BAL_CLASS_SMOKE only) */
	uint32_t pos;           /* place in the dispatch order */
	uint32_t bin_pos;       /* place in its binary's slice of the order */
	unsigned worker;        /* the worker running it (BAL_ITEM_RUNNING only) */
	enum bal_item_state state;
};

/*
 * Make items[0..n) from tests (one item per test, all queued), choose the
 * smoke items and the class of every item, and write the item indexes in
 * dispatch order into order[0..n).  Fills each item's pos.
 */
void bal_order_build(struct bal_item *items, uint32_t *order,
		     const struct bal_test *tests, size_t n, size_t nbinaries,
		     unsigned smoke, int failed_first);

#endif
