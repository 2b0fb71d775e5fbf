/*
 * balancer.c - the dispatch queue: which unit an idle worker runs next.
 *
 * Items (order.h) move QUEUED -> RUNNING -> FINISHED; a RUNNING item that
 * did not run goes back to QUEUED when its unit ends:
 *
 *   QUEUED --balancer_next--> RUNNING --balancer_observe--> FINISHED
 *      ^                         |
 *      +--balancer_unit_done(notrun)
 *
 * The queue is the fixed dispatch order plus the state of every item, so a
 * requeued item is back at its place by construction.  `head` is the first
 * slot of the order that may hold a queued item (everything before it is
 * dispatched); each binary has the same view of its own slice of the order
 * (bin_items), so filling a batch walks only that binary's items from the
 * head on.  The head moves back only on a requeue.
 *
 * A worker is idle or busy with exactly one unit; a busy worker's `left` is
 * the estimate of its unit not yet observed (the overhead stays in until the
 * unit ends).  The remaining work is queued_work plus every busy worker's
 * left.  The batching rule is in bal_fill_unit.
 */
#include <stdlib.h>

#include "order.h"
#include "util.h"

/* A broken invariant is a bug in the caller or here: stop at once. */
#define BAL_BUG_ON(cond) do { if (cond) abort(); } while (0)

/* Guided self-scheduling: a unit takes at most 1/(factor * workers) of what is left. */
#define BAL_GSS_FACTOR 2.0
/*
 * However late in the run, a batch may grow to this many overheads of work,
 * so the overhead is at most a third of a unit (docs/scheduling.md has the
 * simulator sweep behind the 2).
 */
#define BAL_FLOOR_OVERHEADS 2.0

struct bal_worker {
	uint32_t *tests;        /* the unit's tests; valid while busy */
	size_t ntests, alloc;
	double left;            /* estimated seconds of the unit not yet observed */
	int busy;
};

struct balancer {
	struct bal_opts opts;   /* defaults resolved */
	double *overhead;       /* per binary, resolved; nbinaries entries */
	int *batchable;         /* per binary */
	size_t nbinaries;

	struct bal_item *items; /* item i holds test i */
	size_t nitems;
	uint32_t *order;        /* item indexes in dispatch order */
	size_t head;            /* order[0..head) holds no queued item */
	uint32_t *bin_items;    /* per binary, its items in dispatch order */
	size_t *bin_start;      /* binary b's slice: bin_items[bin_start[b]..bin_start[b+1]) */

	size_t nqueued;
	double queued_work;     /* sum of the queued items' estimates */
	struct bal_worker *workers;
	unsigned nbusy;
	int stopped;
};

static void bal_resolve_opts(struct balancer *b, const struct bal_opts *opts,
			     const struct bal_binary *binaries, size_t nbinaries)
{
	size_t i;

	b->opts = *opts;
	if (!b->opts.workers)
		b->opts.workers = 1;
	if (b->opts.default_est <= 0)
		b->opts.default_est = 0.5;
	if (b->opts.default_overhead <= 0)
		b->opts.default_overhead = 0.04;
	if (!b->opts.max_batch)
		b->opts.max_batch = 256;
	b->nbinaries = nbinaries;
	b->overhead = xcalloc(nbinaries ? nbinaries : 1, sizeof(*b->overhead));
	b->batchable = xcalloc(nbinaries ? nbinaries : 1, sizeof(*b->batchable));
	for (i = 0; i < nbinaries; i++) {
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

struct balancer *balancer_new(const struct bal_opts *opts,
			      const struct bal_binary *binaries, size_t nbinaries,
			      const struct bal_test *tests, size_t ntests)
{
	struct balancer *b = xcalloc(1, sizeof(*b));
	size_t i;

	for (i = 0; i < ntests; i++)
		BAL_BUG_ON(tests[i].binary >= nbinaries);
	bal_resolve_opts(b, opts, binaries, nbinaries);
	b->nitems = ntests;
	b->items = xcalloc(ntests ? ntests : 1, sizeof(*b->items));
	b->order = xcalloc(ntests ? ntests : 1, sizeof(*b->order));
	bal_order_build(b->items, b->order, tests, ntests, nbinaries,
			b->opts.smoke, b->opts.failed_first);
	bal_index_binaries(b);
	b->nqueued = ntests;
	for (i = 0; i < ntests; i++)
		b->queued_work += b->items[i].est;
	b->workers = xcalloc(b->opts.workers, sizeof(*b->workers));
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
	free(b->bin_start);
	free(b->bin_items);
	free(b->order);
	free(b->items);
	free(b->batchable);
	free(b->overhead);
	free(b);
}

static void bal_take(struct balancer *b, struct bal_worker *w, uint32_t item, unsigned worker)
{
	struct bal_item *it = &b->items[item];

	it->state = BAL_ITEM_RUNNING;
	it->worker = worker;
	b->nqueued--;
	b->queued_work -= it->est;
	if (!b->nqueued || b->queued_work < 0)
		b->queued_work = 0;
	ALLOC_GROW(w->tests, w->ntests + 1, w->alloc);
	w->tests[w->ntests++] = it->test;
	w->left += it->est;
}

/*
 * The batching rule.  The unit holds the head item; if its binary is
 * batchable and the head is no smoke test, further queued items of the same
 * binary join it, in dispatch order (the next longest of the same class,
 * then of later classes), while
 *   - the tests' estimates sum to at most the target
 *         target = max(remaining / (GSS_FACTOR * workers), FLOOR * overhead)
 *     where remaining is balancer_remaining() before the unit is taken: it
 *     shrinks as the run goes on so the last units are small, but never
 *     so far that a unit costs mostly overhead;
 *   - the unit has fewer than max_batch tests.
 * The head always goes, so a test at or above the target runs alone.
 * The first test that does not fit ends the fill: the order is longest
 * first, so a test skipped now would be the head of a later unit anyway.
 */
static void bal_fill_unit(struct balancer *b, struct bal_worker *w, uint32_t head,
			  unsigned worker)
{
	const struct bal_item *h = &b->items[head];
	uint32_t bin = h->binary;
	double overhead = b->overhead[bin];
	double target, sum = h->est;
	size_t j;

	target = balancer_remaining(b) / (BAL_GSS_FACTOR * b->opts.workers);
	if (target < BAL_FLOOR_OVERHEADS * overhead)
		target = BAL_FLOOR_OVERHEADS * overhead;
	bal_take(b, w, head, worker);
	if (!b->batchable[bin] || h->cls == BAL_CLASS_SMOKE || h->est >= target)
		return;
	for (j = h->bin_pos + 1; j < b->bin_start[bin + 1]; j++) {
		const struct bal_item *it = &b->items[b->bin_items[j]];

		if (w->ntests >= b->opts.max_batch)
			break;
		if (it->state != BAL_ITEM_QUEUED)
			continue;
		if (sum + it->est > target)
			break;
		sum += it->est;
		bal_take(b, w, b->bin_items[j], worker);
	}
}

/* Move head past dispatched items; 1 if a queued item is left. */
static int bal_find_head(struct balancer *b)
{
	while (b->head < b->nitems && b->items[b->order[b->head]].state != BAL_ITEM_QUEUED)
		b->head++;
	return b->head < b->nitems;
}

enum bal_status balancer_next(struct balancer *b, unsigned worker, struct bal_unit *u)
{
	struct bal_worker *w;
	const struct bal_item *h;

	BAL_BUG_ON(worker >= b->opts.workers);
	w = &b->workers[worker];
	BAL_BUG_ON(w->busy);
	if (b->stopped)
		return BAL_DONE;
	if (!bal_find_head(b))
		return b->nbusy ? BAL_WAIT : BAL_DONE;

	h = &b->items[b->order[b->head]];
	w->ntests = 0;
	w->left = b->overhead[h->binary];
	w->busy = 1;
	b->nbusy++;
	bal_fill_unit(b, w, b->order[b->head], worker);

	u->tests = w->tests;
	u->ntests = w->ntests;
	u->binary = h->binary;
	u->est = w->left;
	u->smoke = h->cls == BAL_CLASS_SMOKE;
	return BAL_UNIT;
}

void balancer_observe(struct balancer *b, unsigned worker, uint32_t test, double seconds)
{
	struct bal_item *it;
	struct bal_worker *w;

	BAL_BUG_ON(worker >= b->opts.workers || test >= b->nitems);
	it = &b->items[test];
	w = &b->workers[worker];
	if (it->state != BAL_ITEM_RUNNING || it->worker != worker)
		return;
	/* Done: its estimate leaves the remaining work (the actual time is in the past). */
	it->state = BAL_ITEM_FINISHED;
	w->left -= it->est;
	if (w->left < 0)
		w->left = 0;
}

static void bal_requeue(struct balancer *b, uint32_t test, unsigned worker)
{
	struct bal_item *it;

	if (test >= b->nitems)
		return;
	it = &b->items[test];
	if (it->state != BAL_ITEM_RUNNING || it->worker != worker)
		return;
	it->state = BAL_ITEM_QUEUED;
	b->nqueued++;
	b->queued_work += it->est;
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
		struct bal_item *it = &b->items[w->tests[i]];

		if (it->state == BAL_ITEM_RUNNING && it->worker == worker)
			it->state = BAL_ITEM_FINISHED;
	}
	w->busy = 0;
	w->left = 0;
	w->ntests = 0;
	b->nbusy--;
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
	size_t i, n = 0;

	for (i = b->head; i < b->nitems; i++)
		if (b->items[b->order[i]].state == BAL_ITEM_QUEUED)
			out[n++] = b->items[b->order[i]].test;
	return n;
}
