/*
 * test_retry.c - the attempt bookkeeping of --retries (runner/exec/retry.c)
 * on the run model alone: a failed attempt is kept and the test made ready
 * to run again, a later pass is FLAKY, and a retry that never ran gives the
 * last failure back.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "retry.h"
#include "util.h"

/* A finished attempt of t: outcome, message, output, worker, times. */
static void attempt(struct test_case *t, enum outcome o, const char *msg, const char *out, int worker,
		    double start, double end)
{
	free(t->output);
	t->output = xstrdup(out);
	t->output_len = strlen(out);
	t->worker = worker;
	t->start = start;
	t->end = end;
	t->duration = end - start;
	test_finish(t, o, msg);
}

static struct test_case *one_test(struct run *r)
{
	struct binary *b;

	run_init(r);
	b = run_add_binary(r);
	b->id = xstrdup("bin/t");
	b->adapter = adapter_by_name("criterion");
	return run_add_test(r, 0, "s/flaky");
}

Test(retry, only_failures_within_the_budget_run_again)
{
	struct run r;
	struct test_case *t = one_test(&r);

	attempt(t, OUTCOME_PASS, NULL, "", 0, 0, 1);
	cr_expect(!retry_wanted(t, 2), "a pass is not retried");
	attempt(t, OUTCOME_SKIP, "skipped", "", 0, 0, 1);
	cr_expect(!retry_wanted(t, 2), "a skip is not retried");
	attempt(t, OUTCOME_CRASH, "killed by SIGSEGV", "", 0, 0, 1);
	cr_expect(!retry_wanted(t, 0), "no --retries");
	cr_expect(retry_wanted(t, 1));
	retry_keep(t);
	attempt(t, OUTCOME_TIMEOUT, "timed out", "", 1, 1, 3);
	cr_expect(!retry_wanted(t, 1), "one retry used up");
	cr_expect(retry_wanted(t, 2));
	run_release(&r);
}

Test(retry, a_pass_after_failures_is_flaky_with_every_attempt_kept)
{
	struct run r;
	struct test_case *t = one_test(&r);

	attempt(t, OUTCOME_FAIL, "t.c:3: expected 1", "first output", 1, 0, 0.5);
	retry_keep(t);
	cr_expect_eq(t->state, TEST_PENDING);
	cr_expect_eq(t->worker, -1);
	cr_expect_eq(test_ntries(t), 1);
	cr_expect_eq(test_tries(t)[0].outcome, OUTCOME_FAIL);
	cr_expect_str_eq(test_tries(t)[0].message, "t.c:3: expected 1");
	cr_expect_eq(test_tries(t)[0].output_len, strlen("first output"));
	cr_expect_eq(test_tries(t)[0].worker, 1);
	cr_expect_null(t->output, "the attempt's output moved into tries");
	attempt(t, OUTCOME_PASS, NULL, "second output", 0, 1, 1.25);
	retry_settle(t);
	cr_expect_eq(t->outcome, OUTCOME_FLAKY);
	cr_expect_str_eq(t->message, "passed on attempt 2; attempt 1 failed: t.c:3: expected 1");
	cr_expect_eq(t->duration, 0.25, "the test's own fields are the passing attempt");
	run_release(&r);
}

Test(retry, failing_every_attempt_stays_the_last_failure)
{
	struct run r;
	struct test_case *t = one_test(&r);

	attempt(t, OUTCOME_FAIL, "first", "", 0, 0, 1);
	retry_keep(t);
	attempt(t, OUTCOME_CRASH, "second", "", 0, 1, 2);
	retry_settle(t);
	cr_expect_eq(t->outcome, OUTCOME_CRASH);
	cr_expect_str_eq(t->message, "second");
	run_release(&r);
}

/* The run ended before the retry ran: the test keeps its last failure, not NOT RUN. */
Test(retry, a_retry_that_never_ran_restores_the_failure)
{
	struct run r;
	struct test_case *t = one_test(&r);

	cr_expect_eq(retry_restore(t), -1, "nothing kept");
	attempt(t, OUTCOME_TIMEOUT, "timed out after 1000 ms", "partial", 1, 2, 3);
	retry_keep(t);
	test_finish(t, OUTCOME_NOTRUN, "the run stopped");
	cr_expect_eq(retry_restore(t), 0);
	cr_expect_eq(t->outcome, OUTCOME_TIMEOUT);
	cr_expect_str_eq(t->message, "timed out after 1000 ms");
	cr_expect_eq(t->output_len, strlen("partial"));
	cr_expect_eq(t->worker, 1);
	cr_expect_eq(t->start, 2);
	cr_expect_eq(test_ntries(t), 0);
	run_release(&r);
}

/* The other runs live apart from the record: none until the first retry, then one record. */
Test(retry, other_runs_are_allocated_by_the_first_retry)
{
	struct run r;
	struct test_case *t = one_test(&r);
	struct test_more *m;

	cr_expect_null(t->more, "a test that ran once carries no other runs");
	cr_expect_eq(test_ntries(t), 0);
	cr_expect_null(test_tries(t));
	cr_expect_null(test_context(t));
	cr_expect_null(test_alone(t));
	attempt(t, OUTCOME_FAIL, "first", "out", 0, 0, 1);
	retry_keep(t);
	m = t->more;
	cr_assert_not_null(m);
	cr_expect_eq(test_more(t), m, "allocated once");
	cr_expect_eq(test_ntries(t), 1);
	cr_expect_eq(test_tries(t), m->tries);
	cr_expect_null(test_context(t));
	test_more(t)->alone = xcalloc(1, sizeof(struct test_attempt));
	test_more(t)->alone->message = xstrdup("alone");
	cr_expect_str_eq(test_alone(t)->message, "alone");
	attempt(t, OUTCOME_FAIL, "second", "out", 1, 1, 2);
	cr_expect_eq(retry_restore(t), 0);
	cr_expect_eq(test_ntries(t), 0, "restored: the attempt is back in the test");
	cr_expect_eq(t->more, m, "the record stays (run_release frees it)");
	run_release(&r);
}
