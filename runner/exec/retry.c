/*
 * retry.c - failed attempts kept for --retries, and the FLAKY verdict; see
 * retry.h.
 *
 * A test's own fields always describe its latest attempt.  Earlier failed
 * attempts live in t->more->tries (oldest first), each owning its message and
 * output, so the report can show the failure that made a test FLAKY next to
 * the run that passed.
 */
#include "retry.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

int retry_wanted(const struct test_case *t, unsigned retries)
{
	return outcome_is_failure(t->outcome) && test_ntries(t) < retries;
}

void retry_keep(struct test_case *t)
{
	struct test_more *m = test_more(t);
	struct test_attempt *a;

	ALLOC_GROW(m->tries, m->ntries + 1, m->tries_alloc);
	a = &m->tries[m->ntries++];
	*a = test_move_attempt(t);
	t->state = TEST_PENDING;
	t->outcome = OUTCOME_PASS;
	t->worker = -1;
}

void retry_settle(struct test_case *t)
{
	struct strbuf msg = STRBUF_INIT;
	const struct test_attempt *first;

	if (!test_ntries(t) || t->outcome != OUTCOME_PASS)
		return;
	first = &test_tries(t)[0];
	strbuf_addf(&msg, "passed on attempt %zu; attempt 1 %s", (size_t)test_ntries(t) + 1,
		    outcome_name(first->outcome));
	if (first->message)
		strbuf_addf(&msg, ": %s", first->message);
	test_finish(t, OUTCOME_FLAKY, msg.buf);
	strbuf_release(&msg);
}

int retry_restore(struct test_case *t)
{
	struct test_attempt *a;

	if (!test_ntries(t))
		return -1;
	a = &t->more->tries[--t->more->ntries];
	free(t->output);
	t->output = a->output;
	t->output_len = a->output_len;
	t->output_dropped = a->output_dropped;
	t->duration = a->duration;
	t->start = a->start;
	t->end = a->end;
	t->worker = a->worker;
	test_finish(t, a->outcome, a->message);
	free(a->message);
	return 0;
}
