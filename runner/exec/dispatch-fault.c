/*
 * dispatch-fault.c - failures outside any test (FAULT messages): a group's
 * setup or teardown that failed or crashed, a hook or destructor that
 * killed the binary after its tests, an exit status that says the binary
 * failed although every test of it passed, a death before the first test.
 *
 * A serial run of the binary fails in each of these cases, so balrun must
 * too: each becomes an entry of its own in the run, next to the tests, with
 * the output captured outside the tests:
 *
 *   <binary id>::<group> [group setup]      <binary id>::[before tests]
 *   <binary id>::<group> [group teardown]   <binary id>::[after tests]
 *
 * (<group> is the binary's scope name: the cmocka group, "name#2" for a
 * repeated one.)  Batches of one binary all run its hooks and fixtures, so
 * the same fault usually comes from several units: the first one's outcome,
 * message and output are kept, and the entry counts the units that hit it.
 * Entries are test_case records with fault set: they are reported, counted
 * and make the exit code like tests, but they are never scheduled, timed or
 * checkpointed.
 *
 * A group setup that failed leaves the group's tests of the unit unrun (the
 * framework skips them, as in a serial run): they end NOT RUN, pointing at
 * the entry.  A death before the first test is only believed from an
 * invocation of one test: a batch may die of being a batch (a selection the
 * framework could not take), and its tests run alone anyway (dispatch.c).
 */
#define _GNU_SOURCE
#include "dispatch-internal.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static const char *const fault_labels[FAULT__COUNT] = {
	[FAULT_BEFORE] = "[before tests]",
	[FAULT_AFTER] = "[after tests]",
	[FAULT_GROUP_SETUP] = "[group setup]",
	[FAULT_GROUP_TEARDOWN] = "[group teardown]",
};

/* The binary of invocation inv of the slot's unit, and how many tests it holds. */
static uint32_t fault_binary(struct dispatcher *d, const struct slot *s, uint32_t inv, size_t *ntests)
{
	uint32_t bin = 0;

	*ntests = 0;
	for (size_t i = 0; i < s->ntests; i++) {
		if (s->inv_of[i] != inv)
			continue;
		bin = dispatch_test(d, s->tests[i])->binary;
		(*ntests)++;
	}
	return bin;
}

/* "bin::group [group setup]", "bin::[after tests]" */
static char *fault_label(const struct binary *b, const struct proto_fault *m)
{
	int grouped = (m->where == FAULT_GROUP_SETUP || m->where == FAULT_GROUP_TEARDOWN) &&
		      m->group >= 0 && (uint64_t)m->group < b->nscopes;

	if (grouped)
		return xasprintf("%s %s", b->scopes[m->group], fault_labels[m->where]);
	return xstrdup(fault_labels[m->where == FAULT_BEFORE ? FAULT_BEFORE : FAULT_AFTER]);
}

/* The entry with this id, or a new one; its index in r->tests. */
static size_t fault_entry(struct dispatcher *d, uint32_t binary, const char *label, int *fresh)
{
	struct run *r = d->r;
	struct test_case *t;
	char *id = xasprintf("%s::%s", r->bins[binary].id, label);

	for (size_t i = 0; i < d->nfaults; i++) {
		if (!strcmp(r->tests[d->faults[i]].id, id)) {
			free(id);
			*fresh = 0;
			return d->faults[i];
		}
	}
	t = run_add_test(r, binary, label);
	test_set_id(r, t, id);
	free(id);
	t->fault = 1;
	ALLOC_GROW(d->faults, d->nfaults + 1, d->faults_alloc);
	d->faults[d->nfaults++] = (uint32_t)(r->ntests - 1);
	*fresh = 1;
	return r->ntests - 1;
}

/* The group's tests of this invocation that got no RESULT did not run: the framework skipped them. */
static void fault_group_not_run(struct dispatcher *d, struct slot *s, const struct proto_fault *m,
				uint32_t binary, const char *id)
{
	char *why = xasprintf("not run: its group setup failed (see %s)", id);

	for (size_t i = 0; i < s->ntests; i++) {
		const struct test_case *t = dispatch_test(d, s->tests[i]);

		if (s->inv_of[i] != m->inv || s->got[i] || s->running == (long)i ||
		    t->binary != binary || t->scope != (uint64_t)m->group)
			continue;
		s->got[i] = 1;
		dispatch_finish_unreported(d, s, i, OUTCOME_NOTRUN, why);
	}
	free(why);
}

void dispatch_fault(struct dispatcher *d, struct slot *s, struct proto_fault *m)
{
	size_t ntests, index;
	uint32_t binary = fault_binary(d, s, m->inv, &ntests);
	char *label;
	struct test_case *t;
	int fresh;

	if (m->where == FAULT_BEFORE && ntests > 1)
		return;   /* the batch may be what died: its tests run alone (dispatch.c) */
	label = fault_label(&d->r->bins[binary], m);
	index = fault_entry(d, binary, label, &fresh);
	free(label);
	t = &d->r->tests[index];
	test_count_attempt(t);
	if (fresh) {
		t->worker = (int)s->id;
		t->start = t->end = dispatch_clock(d);
		test_take_output(t, &m->output, &m->output_len, m->output_dropped);
		test_finish(t, m->outcome, m->message);
		d->st->tests[s->id]++;
		if (d->obs->test_finished)
			d->obs->test_finished(d->obs->data, t);
		dispatch_count_failure(d, t);
		dispatch_fallback(d, binary, 0, "reported a failure outside any test as '%s'", t->id);
	}
	if (m->where == FAULT_GROUP_SETUP && m->group >= 0)
		fault_group_not_run(d, s, m, binary, d->r->tests[index].id);
}
