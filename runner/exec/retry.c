/*
 * retry.c - failed attempts kept for --retries, the FLAKY verdict, and how
 * both are reported; see retry.h.
 *
 * A test's own fields always describe its latest attempt.  Earlier failed
 * attempts live in t->tries (oldest first), each owning its message and
 * output, so the report can show the failure that made a test FLAKY next to
 * the run that passed.
 */
#include "retry.h"

#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "strbuf.h"
#include "util.h"

int retry_wanted(const struct test_case *t, unsigned retries)
{
	return outcome_is_failure(t->outcome) && t->ntries < retries;
}

void retry_keep(struct test_case *t)
{
	struct test_attempt *a;

	ALLOC_GROW(t->tries, t->ntries + 1, t->tries_alloc);
	a = &t->tries[t->ntries++];
	*a = test_move_attempt(t);
	t->state = TEST_PENDING;
	t->outcome = OUTCOME_PASS;
	t->worker = -1;
}

void retry_settle(struct test_case *t)
{
	struct strbuf msg = STRBUF_INIT;
	const struct test_attempt *first;

	if (!t->ntries || t->outcome != OUTCOME_PASS)
		return;
	first = &t->tries[0];
	strbuf_addf(&msg, "passed on attempt %zu; attempt 1 %s", t->ntries + 1, outcome_name(first->outcome));
	if (first->message)
		strbuf_addf(&msg, ": %s", first->message);
	test_finish(t, OUTCOME_FLAKY, msg.buf);
	strbuf_release(&msg);
}

int retry_restore(struct test_case *t)
{
	struct test_attempt *a;

	if (!t->ntries)
		return -1;
	a = &t->tries[--t->ntries];
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

/* t's latest attempt, borrowing its strings. */
static struct test_attempt retry_latest(const struct test_case *t)
{
	return (struct test_attempt){
		.outcome = t->outcome == OUTCOME_FLAKY ? OUTCOME_PASS : t->outcome,
		.duration = t->duration, .start = t->start, .end = t->end, .worker = t->worker,
		.message = t->outcome == OUTCOME_FLAKY ? NULL : t->message, .output = t->output,
		.output_len = t->output_len, .output_dropped = t->output_dropped,
	};
}

void retry_print_attempt(const char *label, const struct test_attempt *a, const struct report_opts *o)
{
	fprintf(o->out, "%s: %s%s%s %.2fs, worker %d%s%s\n", label, status_outcome_color(a->outcome, o->color),
		outcome_tag(a->outcome), o->color ? "\033[0m" : "", a->duration, a->worker,
		a->message ? ": " : "", a->message ? a->message : "");
	report_print_output(o->out, a->output, a->output_len, a->output_dropped);
}

void retry_print_flaky(const struct run *r, const struct report_opts *o)
{
	size_t total = 0;

	for (size_t i = 0; i < r->ntests; i++)
		total += r->tests[i].selected && r->tests[i].outcome == OUTCOME_FLAKY;
	if (!total)
		return;
	struct strbuf shown = STRBUF_INIT;
	fprintf(o->out, "\n== flaky (%zu): failed, then passed when run again ==\n", total);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		struct test_attempt last = retry_latest(t);
		char label[32];

		if (!t->selected || t->outcome != OUTCOME_FLAKY)
			continue;
		fprintf(o->out, "%s--- FLAKY %s%s (passed on attempt %zu)\n",
			status_outcome_color(OUTCOME_FLAKY, o->color), run_display(t->id, &shown), o->color ? "\033[0m" : "",
			t->ntries + 1);
		for (size_t k = 0; k < t->ntries; k++) {
			snprintf(label, sizeof(label), "attempt %zu", k + 1);
			retry_print_attempt(label, &t->tries[k], o);
		}
		snprintf(label, sizeof(label), "attempt %zu", t->ntries + 1);
		retry_print_attempt(label, &last, o);
	}
	strbuf_release(&shown);
}

json_t *retry_attempt_json(const struct test_attempt *a)
{
	json_t *j = json_object();

	json_object_set_new(j, "outcome", json_string(outcome_name(a->outcome)));
	json_object_set_new(j, "duration_s", json_real(a->duration));
	json_object_set_new(j, "worker", json_integer(a->worker));
	json_object_set_new(j, "start_s", json_real(a->start));
	json_object_set_new(j, "end_s", json_real(a->end));
	json_object_set_new(j, "message", a->message ? report_json_text(a->message, strlen(a->message))
						      : json_null());
	json_object_set_new(j, "output", report_json_text(a->output ? a->output : "", a->output_len));
	json_object_set_new(j, "output_dropped", json_integer((json_int_t)a->output_dropped));
	return j;
}

json_t *retry_attempts_json(const struct test_case *t)
{
	json_t *arr = json_array();
	struct test_attempt last = retry_latest(t);

	if (!t->ntries)
		return arr;
	for (size_t k = 0; k < t->ntries; k++)
		json_array_append_new(arr, retry_attempt_json(&t->tries[k]));
	if (t->outcome != OUTCOME_NOTRUN)
		json_array_append_new(arr, retry_attempt_json(&last));
	return arr;
}
