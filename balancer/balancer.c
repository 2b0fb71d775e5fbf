/*
 * balancer.c - the dispatch queue: which unit an idle worker runs next.
 *
 * Tests move QUEUED -> RUNNING -> FINISHED; a RUNNING test that did not run
 * goes back to QUEUED when its unit ends:
 *
 *   QUEUED --balancer_next--> RUNNING --balancer_observe--> FINISHED
 *      ^                         |
 *      +--balancer_unit_done(notrun)
 *
 * The queue holds items (order.h: a test or a same-worker group); an item is
 * queued while some member is.  The queue is the fixed dispatch order plus
 * the state of every test, so a requeued item is back at its place by
 * construction.  `head` is the first slot of the order that may hold a
 * queued item (everything before it is dispatched); each binary has the
 * same view of its own slice of the order (bin_items), so filling a batch
 * walks only that binary's items from the unit's first item on.  The head
 * moves back only on a requeue.
 *
 * Which item starts a unit is bal_pick_unit's choice (backfill.c): the head
 * if it fits in the free slots and locks, else a later item under the
 * backfilling rule, else nothing (BAL_WAIT).
 *
 * A worker is idle or busy with exactly one unit; a busy worker's `left` is
 * the estimate of its unit not yet observed (the overheads stay in until the
 * unit ends).  The remaining work is queued_work plus every busy worker's
 * left.  The batching rule is in bal_fill_unit.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"
#include "util.h"

/* Guided self-scheduling: a unit takes at most 1/(factor * workers) of what is left. */
#define BAL_GSS_FACTOR 2.0
/*
 * However late in the run, a batch may grow to this many overheads of work,
 * so the overhead is at most a third of a unit (docs/scheduling.md has the
 * simulator sweep behind the 2).
 */
#define BAL_FLOOR_OVERHEADS 2.0
/*
 * A fill passes over at most this many tests that do not fit, then stops:
 * the next ones, a little shorter, may still top the unit up (one invocation
 * fewer), while a longer walk would take the shortest tests from the end of
 * the order, which the last units need for balance (docs/scheduling.md has
 * the simulator sweep behind the 2).
 */
#define BAL_FILL_SKIPS 2
/*
 * The square-root floor: k units of size x on W workers cost k * overhead /
 * W in overheads and risk a tail of about x, so the sum is least near
 * x = sqrt(overhead * remaining / W); the factor 4 leans towards fewer
 * invocations (docs/scheduling.md has the simulator sweep).
 */
#define BAL_SQRT_K 4.0

static void bal_resolve_opts(struct balancer *b, const struct bal_opts *opts,
			     const struct bal_binary *binaries, size_t nbinaries)
{
	size_t i;

	b->opts = *opts;
	if (!b->opts.workers)
		b->opts.workers = 1;
	BAL_BUG_ON(b->opts.workers >= 1u << BAL_SLOT_BITS);
	if (b->opts.default_est <= 0)
		b->opts.default_est = 0.5;
	if (b->opts.default_overhead <= 0)
		b->opts.default_overhead = 0.04;
	if (!b->opts.max_batch)
		b->opts.max_batch = 4096;
	b->nbinaries = nbinaries;
	b->overhead = xcalloc(nbinaries ? nbinaries : 1, sizeof(*b->overhead));
	b->batchable = xcalloc(nbinaries ? nbinaries : 1, sizeof(*b->batchable));
	b->max_batch = xcalloc(nbinaries ? nbinaries : 1, sizeof(*b->max_batch));
	for (i = 0; i < nbinaries; i++) {
		unsigned mb = binaries[i].max_batch;

		b->max_batch[i] = mb && mb < b->opts.max_batch ? mb : b->opts.max_batch;
		b->overhead[i] = binaries[i].overhead >= 0 ? binaries[i].overhead
							   : b->opts.default_overhead;
		b->batchable[i] = binaries[i].batchable;
	}
}

/* Split the order into one slice per binary (a counting sort keeps the order). */
static void bal_index_binaries(struct balancer *b)
{
	size_t nb = b->nbinaries, i;
	size_t *fill = xcalloc(nb + 1, sizeof(*fill));

	b->bin_items = xcalloc(b->nitems ? b->nitems : 1, sizeof(*b->bin_items));
	b->bin_start = xcalloc(nb + 1, sizeof(*b->bin_start));
	for (i = 0; i < b->nitems; i++)
		b->bin_start[b->items[i].binary + 1]++;
	for (i = 0; i < nb; i++)
		b->bin_start[i + 1] += b->bin_start[i];
	for (i = 0; i < nb; i++)
		fill[i] = b->bin_start[i];
	for (i = 0; i < b->nitems; i++) {
		struct bal_item *it = &b->items[b->order[i]];

		it->bin_pos = fill[it->binary];
		b->bin_items[fill[it->binary]++] = b->order[i];
	}
	free(fill);
}

static void bal_build_queue(struct balancer *b, const struct bal_test *tests, size_t ntests)
{
	size_t n1 = ntests ? ntests : 1, i;

	b->ntests = ntests;
	b->items = xcalloc(n1, sizeof(*b->items));
	b->members = xcalloc(n1, sizeof(*b->members));
	b->item_of = xcalloc(n1, sizeof(*b->item_of));
	b->nitems = bal_order_build(b->items, b->members, b->item_of, &b->order, tests, ntests,
				    b->nbinaries, &b->opts);
	/* after the order's sort keys are gone: a million tests plan within less memory */
	b->tstate = xcalloc(n1, sizeof(*b->tstate));
	b->test_est = xcalloc(n1, sizeof(*b->test_est));
	b->test_bin = xcalloc(n1, sizeof(*b->test_bin));
	for (i = 0; i < ntests; i++) {
		b->tstate[i].state = BAL_TEST_QUEUED;
		b->test_est[i] = tests[i].est > 0 ? tests[i].est : 0;
		b->test_bin[i] = tests[i].binary;
		b->queued_work += b->test_est[i];
	}
	b->nqueued = ntests;
}

struct balancer *balancer_new(const struct bal_opts *opts,
			      const struct bal_binary *binaries, size_t nbinaries,
			      const struct bal_test *tests, size_t ntests)
{
	struct balancer *b = xcalloc(1, sizeof(*b));
	size_t i;

	for (i = 0; i < ntests; i++)
		BAL_BUG_ON(tests[i].binary >= nbinaries);
	bal_resolve_opts(b, opts, binaries, nbinaries);
	bal_build_queue(b, tests, ntests);
	bal_index_binaries(b);
	b->workers = xcalloc(b->opts.workers, sizeof(*b->workers));
	b->ends = xcalloc(b->opts.workers, sizeof(*b->ends));
	b->free_slots = b->opts.workers;
	return b;
}

void balancer_free(struct balancer *b)
{
	unsigned w;

	if (!b)
		return;
	for (w = 0; w < b->opts.workers; w++)
		free(b->workers[w].tests);
	free(b->workers);
	free(b->ends);
	free(b->bin_start);
	free(b->bin_items);
	free(b->order);
	free(b->test_bin);
	free(b->test_est);
	free(b->tstate);
	free(b->item_of);
	free(b->members);
	free(b->items);
	free(b->batchable);
	free(b->max_batch);
	free(b->overhead);
	free(b);
}

void balancer_set_now(struct balancer *b, double now)
{
	b->now = now;
	b->have_clock = 1;
}

void balancer_set_backfill(struct balancer *b, enum bal_backfill policy)
{
	b->backfill = policy;
}

/*
 * Move the item's queued members into the worker's unit (only the first of
 * an isolated loose group: its tests then run one per unit, as any isolated
 * test).  Each change of
 * binary inside the unit starts an invocation, whose overhead joins the
 * unit's estimate (the first invocation's is there from balancer_next).
 */
static void bal_take(struct balancer *b, struct bal_worker *w, uint32_t item, unsigned worker)
{
	struct bal_item *it = &b->items[item];
	int one = it->alone && !it->grouped;	/* an isolated loose group: a test per unit */
	size_t i;

	for (i = it->first; i < it->first + it->ntests; i++) {
		uint32_t t = b->members[i];
		struct bal_tstate *ts = &b->tstate[t];

		if (ts->state != BAL_TEST_QUEUED)
			continue;
		ts->state = BAL_TEST_RUNNING;
		ts->worker = worker;
		b->nqueued--;
		b->queued_work -= b->test_est[t];
		if (w->ntests && b->test_bin[w->tests[w->ntests - 1]] != b->test_bin[t])
			w->left += b->overhead[b->test_bin[t]];
		ALLOC_GROW(w->tests, w->ntests + 1, w->alloc);
		w->tests[w->ntests++] = t;
		w->left += b->test_est[t];
		it->nqueued--;
		if (one)
			break;
	}
	if (!b->nqueued || b->queued_work < 0)
		b->queued_work = 0;
}

int bal_batch_compatible(const struct bal_item *a, const struct bal_item *b)
{
	return !a->grouped && !b->grouped && a->slots == b->slots && a->locks == b->locks;
}

/*
 * The batching rule.  The unit holds its first item (p->item); if that is a
 * single test of a batchable binary and no smoke test, further queued items
 * of the same binary join it, in dispatch order (the next longest of the
 * same class, then of later classes), while
 *   - they are single tests or loose groups with the same slots and locks
 *     (any other group is never batched; a batch must not change what the
 *     unit holds);
 *   - the tests' estimates sum to at most the target
 *         target = max(remaining / (GSS_FACTOR * workers),
 *                      sqrt(SQRT_K * overhead * remaining / workers), FLOOR * overhead)
 *     where remaining is balancer_remaining() before the unit is taken: it
 *     shrinks as the run goes on so the last units are small, but never
 *     so far that a unit costs mostly overhead (bal_unit_target);
 *   - the unit stays within p->cap with its overhead (a backfilled unit
 *     must end before the reservation it fills in front of);
 *   - the unit has at most max_batch tests (or its binary's own max_batch):
 *     a loose group joins whole or not at all, so it stays in one invocation.
 * With one worker there is nothing to balance: the target is unbounded, so
 * a binary's tests share one invocation (up to max_batch and the cap).
 * The first item always goes, so a test at or above the target runs alone,
 * and so does an item marked alone (balancer_isolate), which joins nothing.
 * A test that does not fit is passed over (it heads a later unit: the order
 * is longest first) and shorter ones after it may still join, until the
 * BAL_FILL_SKIPS + 1st test that does not fit ends the fill.
 */
double bal_unit_target(const struct bal_opts *opts, double overhead, double remaining)
{
	double w = opts->workers ? opts->workers : 1, target = remaining / (BAL_GSS_FACTOR * w);
	double balanced;

	if (w == 1)
		return HUGE_VAL;
	if (overhead < 0)
		overhead = opts->default_overhead > 0 ? opts->default_overhead : 0.04;
	balanced = sqrt(BAL_SQRT_K * overhead * remaining / w);
	if (target < balanced)
		target = balanced;
	return target > BAL_FLOOR_OVERHEADS * overhead ? target : BAL_FLOOR_OVERHEADS * overhead;
}

static void bal_fill_unit(struct balancer *b, struct bal_worker *w, const struct bal_pick *p,
			  unsigned worker)
{
	const struct bal_item *h = &b->items[p->item];
	uint32_t bin = h->binary;
	double overhead = b->overhead[bin];
	double target, sum = h->est;
	size_t j, skipped = 0;

	target = bal_unit_target(&b->opts, overhead, balancer_remaining(b));
	if (target > p->cap - overhead)
		target = p->cap - overhead;
	bal_take(b, w, p->item, worker);
	if (!b->batchable[bin] || h->grouped || h->alone || h->cls == BAL_CLASS_SMOKE ||
	    h->est >= target)
		return;
	for (j = h->bin_pos + 1; j < b->bin_start[bin + 1]; j++) {
		const struct bal_item *it = &b->items[b->bin_items[j]];

		if (w->ntests >= b->max_batch[bin])
			break;
		if (!it->nqueued || it->alone || !bal_batch_compatible(h, it))
			continue;
		if (sum + it->est > target || w->ntests + it->nqueued > b->max_batch[bin]) {
			if (++skipped > BAL_FILL_SKIPS)
				break;
			continue;
		}
		sum += it->est;
		bal_take(b, w, b->bin_items[j], worker);
	}
}

/* The binary of the item's first queued member: the unit's first invocation. */
static uint32_t bal_first_queued_binary(const struct balancer *b, const struct bal_item *it)
{
	size_t i;

	for (i = it->first; i < it->first + it->ntests; i++)
		if (b->tstate[b->members[i]].state == BAL_TEST_QUEUED)
			return b->test_bin[b->members[i]];
	return it->binary;
}

/* Move head past dispatched items; 1 if a queued item is left. */
static int bal_find_head(struct balancer *b)
{
	while (b->head < b->nitems && !b->items[b->order[b->head]].nqueued)
		b->head++;
	return b->head < b->nitems;
}

enum bal_status balancer_next(struct balancer *b, unsigned worker, struct bal_unit *u)
{
	struct bal_worker *w;
	const struct bal_item *h;
	struct bal_pick p;

	BAL_BUG_ON(worker >= b->opts.workers);
	w = &b->workers[worker];
	BAL_BUG_ON(w->busy);
	if (b->stopped)
		return BAL_DONE;
	if (!bal_find_head(b))
		return b->nbusy ? BAL_WAIT : BAL_DONE;
	if (!bal_pick_unit(b, &p))
		return BAL_WAIT;

	h = &b->items[p.item];
	w->ntests = 0;
	w->left = b->overhead[bal_first_queued_binary(b, h)];
	w->busy = 1;
	b->nbusy++;
	bal_fill_unit(b, w, &p, worker);
	w->start = b->now;
	w->est = w->left;
	w->slots = h->slots;
	w->locks = h->locks;
	b->free_slots -= h->slots;

	u->tests = w->tests;
	u->ntests = w->ntests;
	u->binary = b->test_bin[w->tests[0]];
	u->est = w->left;
	u->smoke = h->cls == BAL_CLASS_SMOKE;
	u->guarded = h->locks || h->slots != 1;
	return BAL_UNIT;
}

int balancer_predict(struct balancer *b, unsigned *worker, uint32_t *test)
{
	const struct bal_item *h;
	double first = HUGE_VAL;
	unsigned w;
	size_t i;

	if (b->stopped || !bal_find_head(b))
		return 0;
	for (w = 0; w < b->opts.workers; w++) {
		const struct bal_worker *bw = &b->workers[w];

		if (!bw->busy)
			return 0;	/* an idle worker gets the head, whenever it may */
		if (bw->start + bw->est < first) {
			first = bw->start + bw->est;
			*worker = w;
		}
	}
	h = &b->items[b->order[b->head]];
	if (h->locks || h->slots != 1)
		return 0;
	for (i = h->first; i < h->first + h->ntests; i++)
		if (b->tstate[b->members[i]].state == BAL_TEST_QUEUED) {
			*test = b->members[i];
			return 1;
		}
	return 0;
}

void balancer_observe(struct balancer *b, unsigned worker, uint32_t test, double seconds)
{
	struct bal_tstate *ts;
	struct bal_worker *w;

	(void)seconds;
	BAL_BUG_ON(worker >= b->opts.workers || test >= b->ntests);
	ts = &b->tstate[test];
	w = &b->workers[worker];
	if (ts->state != BAL_TEST_RUNNING || ts->worker != worker)
		return;
	/* Done: its estimate leaves the remaining work (the actual time is in the past). */
	ts->state = BAL_TEST_FINISHED;
	w->left -= b->test_est[test];
	if (w->left < 0)
		w->left = 0;
}

static void bal_requeue(struct balancer *b, uint32_t test, unsigned worker)
{
	struct bal_tstate *ts;
	struct bal_item *it;

	if (test >= b->ntests)
		return;
	ts = &b->tstate[test];
	if (ts->state != BAL_TEST_RUNNING || ts->worker != worker)
		return;
	ts->state = BAL_TEST_QUEUED;
	it = &b->items[b->item_of[test]];
	it->nqueued++;
	b->nqueued++;
	b->queued_work += b->test_est[test];
	if (it->pos < b->head)
		b->head = it->pos;
}

void balancer_unit_done(struct balancer *b, unsigned worker,
			const uint32_t *notrun, size_t nnotrun)
{
	struct bal_worker *w;
	size_t i;

	BAL_BUG_ON(worker >= b->opts.workers);
	w = &b->workers[worker];
	if (!w->busy)
		return;
	for (i = 0; i < nnotrun; i++)
		bal_requeue(b, notrun[i], worker);
	/* Whatever ran without a reported time is finished all the same. */
	for (i = 0; i < w->ntests; i++) {
		struct bal_tstate *ts = &b->tstate[w->tests[i]];

		if (ts->state == BAL_TEST_RUNNING && ts->worker == worker)
			ts->state = BAL_TEST_FINISHED;
	}
	b->free_slots += w->slots;
	w->busy = 0;
	w->left = 0;
	w->ntests = 0;
	w->slots = 0;
	w->locks = 0;
	b->nbusy--;
}

void balancer_isolate(struct balancer *b, uint32_t test)
{
	BAL_BUG_ON(test >= b->ntests);
	b->items[b->item_of[test]].alone = 1;
}

void balancer_stop(struct balancer *b)
{
	b->stopped = 1;
}

double balancer_remaining(const struct balancer *b)
{
	double sum = b->queued_work;
	unsigned w;

	for (w = 0; w < b->opts.workers; w++)
		if (b->workers[w].busy)
			sum += b->workers[w].left;
	return sum;
}

size_t balancer_queued(const struct balancer *b)
{
	return b->nqueued;
}

size_t balancer_queued_tests(const struct balancer *b, uint32_t *out)
{
	size_t i, j, n = 0;

	for (i = b->head; i < b->nitems; i++) {
		const struct bal_item *it = &b->items[b->order[i]];

		for (j = it->first; it->nqueued && j < it->first + it->ntests; j++)
			if (b->tstate[b->members[j]].state == BAL_TEST_QUEUED)
				out[n++] = b->members[j];
	}
	return n;
}
