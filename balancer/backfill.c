/*
 * backfill.c - slots, locks and reservations: which item starts the unit an
 * idle worker asks for (bal_pick_unit).
 *
 * An item fits now when its slots are free (slots <= free_slots) and no
 * running unit holds one of its locks.  The head of the queue starts as soon
 * as it fits.  When it does not, it gets a reservation: the earliest time R
 * at which, if every running unit ends at its expected end, enough slots
 * and all its locks are free.  The expected end of a running unit is
 * start + est, or now if it is overdue; it is recomputed at every call, so
 * a unit that ends early or late moves R with it.
 *
 * EASY backfilling (Lifka, 1995): a worker that cannot start the head takes
 * the first later item (in dispatch order) that fits now and either
 *   - is expected to end by R (now + its unit's estimate <= R; the unit's
 *     batch is capped to stay within that), or
 *   - needs no more slots than the head leaves spare at R ("extra": the
 *     slots free at R minus the head's) and holds none of the head's locks,
 *     so it may run past R without delaying the head.
 * Otherwise it waits (BAL_WAIT).  Neither kind of backfill moves R later,
 * so with accurate estimates the head starts at its reservation: a serial
 * or weighted test is never overtaken forever.  Each later item becomes the
 * head in turn, so no item starves; a wrong estimate delays the head by at
 * most the overrun of the units it waits for.
 *
 * Until the caller has given a clock (balancer_set_now), "ends by R" cannot
 * be judged, so only the extra-slot rule applies.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

static uint64_t bf_held_locks(const struct balancer *b)
{
	uint64_t locks = 0;
	unsigned w;

	for (w = 0; w < b->opts.workers; w++)
		if (b->workers[w].busy)
			locks |= b->workers[w].locks;
	return locks;
}

static int bf_fits(const struct balancer *b, const struct bal_item *it, uint64_t held)
{
	return it->slots <= b->free_slots && !(it->locks & held);
}

/* Running units by expected end (insertion sort: there are at most `workers` of them). */
static size_t bf_sorted_ends(struct balancer *b)
{
	size_t n = 0, i;
	unsigned w;

	for (w = 0; w < b->opts.workers; w++) {
		const struct bal_worker *wk = &b->workers[w];
		struct bal_end e;

		if (!wk->busy)
			continue;
		e.at = wk->start + wk->est > b->now ? wk->start + wk->est : b->now;
		e.slots = wk->slots;
		e.locks = wk->locks;
		for (i = n++; i > 0 && b->ends[i - 1].at > e.at; i--)
			b->ends[i] = b->ends[i - 1];
		b->ends[i] = e;
	}
	return n;
}

/*
 * The head's reservation: the earliest expected end after which its slots
 * and locks are free; *extra receives the slots free then beyond the head's.
 * Units ending at the same instant are released together.
 */
static double bf_reserve(struct balancer *b, const struct bal_item *h, uint32_t *extra)
{
	size_t n = bf_sorted_ends(b), i, j;
	uint32_t free_slots = b->free_slots;

	for (i = 0; i < n; i = j) {
		uint64_t still_held = 0;

		for (j = i; j < n && b->ends[j].at == b->ends[i].at; j++)
			free_slots += b->ends[j].slots;
		for (size_t k = j; k < n; k++)
			still_held |= b->ends[k].locks;
		if (free_slots >= h->slots && !(still_held & h->locks)) {
			*extra = free_slots - h->slots;
			return b->ends[i].at;
		}
	}
	/* Unreachable: once every unit has ended, all slots and locks are free. */
	*extra = 0;
	return n ? b->ends[n - 1].at : b->now;
}

/* Estimate of a unit made of this item alone: its members' work plus one overhead per binary. */
static double bf_item_cost(const struct balancer *b, const struct bal_item *it)
{
	double cost = 0;
	size_t i;

	for (i = it->first; i < it->first + it->ntests; i++) {
		uint32_t t = b->members[i];

		if (b->tstate[t].state != BAL_TEST_QUEUED)
			continue;
		if (i == it->first || b->test_bin[b->members[i - 1]] != b->test_bin[t])
			cost += b->overhead[b->test_bin[t]];
		cost += b->test_est[t];
	}
	return cost;
}

/* EASY (and its "ends before R only" variant): see the top of this file. */
static int bf_pick_easy(struct balancer *b, const struct bal_item *h, uint64_t held,
			struct bal_pick *p)
{
	uint32_t extra;
	double r = bf_reserve(b, h, &extra);
	int use_extra = b->backfill == BAL_BACKFILL_EASY;
	int use_time = b->have_clock;
	size_t i;

	for (i = b->head + 1; i < b->nitems; i++) {
		const struct bal_item *it = &b->items[b->order[i]];

		if (!it->nqueued || !bf_fits(b, it, held))
			continue;
		if (use_extra && it->slots <= extra && !(it->locks & h->locks)) {
			p->item = b->order[i];
			p->cap = INFINITY;
			return 1;
		}
		if (use_time && b->now + bf_item_cost(b, it) <= r) {
			p->item = b->order[i];
			p->cap = r - b->now;
			return 1;
		}
	}
	return 0;
}

int bal_pick_unit(struct balancer *b, struct bal_pick *p)
{
	const struct bal_item *h = &b->items[b->order[b->head]];
	uint64_t held = bf_held_locks(b);
	size_t i;

	p->cap = INFINITY;
	if (bf_fits(b, h, held)) {
		p->item = b->order[b->head];
		return 1;
	}
	switch (b->backfill) {
	case BAL_BACKFILL_NONE:
		return 0;
	case BAL_BACKFILL_GREEDY:
		for (i = b->head + 1; i < b->nitems; i++) {
			const struct bal_item *it = &b->items[b->order[i]];

			if (it->nqueued && bf_fits(b, it, held)) {
				p->item = b->order[i];
				return 1;
			}
		}
		return 0;
	case BAL_BACKFILL_EASY:
	case BAL_BACKFILL_BEFORE:
		return bf_pick_easy(b, h, held, p);
	}
	return 0;
}
