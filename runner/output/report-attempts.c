/*
 * report-attempts.c - the sections of tests that ran more than once; see
 * report-internal.h.  A test's own fields describe its latest attempt;
 * earlier ones are in t->more->tries (retries), its run in context in
 * t->more->context, its run alone in t->more->alone.
 */
#include "report-internal.h"

#include <stdio.h>
#include <string.h>

#include "colour.h"
#include "json.h"
#include "strbuf.h"
#include "util.h"

/* t's latest attempt, borrowing its strings. */
static struct test_attempt attempt_latest(const struct test_case *t)
{
	return (struct test_attempt){
		.outcome = t->outcome == OUTCOME_FLAKY ? OUTCOME_PASS : t->outcome,
		.duration = t->duration, .start = t->start, .end = t->end, .worker = t->worker,
		.message = t->outcome == OUTCOME_FLAKY ? NULL : t->message, .output = t->output,
		.output_len = t->output_len, .output_dropped = t->output_dropped,
	};
}

/* "LABEL: FAIL 0.01s, worker 1: message" and the attempt's output. */
static void attempt_print(const char *label, const struct test_attempt *a, const struct report_opts *o)
{
	fprintf(o->out, "%s: %s%s%s %.2fs, worker %d%s%s\n", label, colour_outcome(a->outcome, o->color),
		outcome_tag(a->outcome), colour_reset(o->color), a->duration, a->worker,
		a->message ? ": " : "", a->message ? a->message : "");
	report_print_output(o->out, a->output, a->output_len, a->output_dropped);
}

static size_t attempts_count(const struct run *r, enum outcome o)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ntests; i++)
		n += r->tests[i].selected && r->tests[i].outcome == o;
	return n;
}

void attempts_print_flaky(const struct run *r, const struct report_opts *o)
{
	struct strbuf shown = STRBUF_INIT;
	size_t total = attempts_count(r, OUTCOME_FLAKY);

	if (!total)
		return;
	fprintf(o->out, "\n== flaky (%zu): failed, then passed when run again ==\n", total);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		struct test_attempt last = attempt_latest(t);
		char label[32];

		if (!t->selected || t->outcome != OUTCOME_FLAKY)
			continue;
		fprintf(o->out, "%s--- FLAKY %s%s (passed on attempt %zu)\n",
			colour_outcome(OUTCOME_FLAKY, o->color), run_display(t->id, &shown),
			colour_reset(o->color), (size_t)test_ntries(t) + 1);
		for (size_t k = 0; k < test_ntries(t); k++) {
			snprintf(label, sizeof(label), "attempt %zu", k + 1);
			attempt_print(label, &test_tries(t)[k], o);
		}
		snprintf(label, sizeof(label), "attempt %zu", (size_t)test_ntries(t) + 1);
		attempt_print(label, &last, o);
	}
	strbuf_release(&shown);
}

/* "<bin>::<group>/" and a star: the group as its tests' names start, glob characters escaped. */
static void attempts_group_pattern(const struct binary *b, const struct test_case *t, struct strbuf *out)
{
	const char *scope = b->scopes[t->scope];
	size_t n = strlen(scope);

	if (strncmp(t->name, scope, n) || t->name[n] != '/')
		n = strcspn(t->name, "/");	/* a repeated group shown as "name#2" */
	strbuf_reset(out);
	strbuf_addf(out, "%s::", b->id);
	for (size_t i = 0; i < n; i++) {
		if (strchr("*?[\\", t->name[i]))
			strbuf_addch(out, '\\');
		strbuf_addch(out, t->name[i]);
	}
	strbuf_adds(out, "/*");
}

void attempts_print_order_dependent(const struct run *r, const struct report_opts *o)
{
	struct strbuf shown = STRBUF_INIT, pattern = STRBUF_INIT;
	size_t total = attempts_count(r, OUTCOME_ORDERDEP);

	if (!total)
		return;
	fprintf(o->out, "\n== order-dependent (%zu): failed apart from the tests before them in their "
		"group, passed after them ==\n", total);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		struct test_attempt apart = {
			.outcome = t->apart, .duration = t->duration, .worker = t->worker,
			.output = t->output, .output_len = t->output_len,
			.output_dropped = t->output_dropped,
		};

		if (!t->selected || t->outcome != OUTCOME_ORDERDEP || !test_context(t))
			continue;
		fprintf(o->out, "%s--- ORDER %s%s\n", colour_outcome(OUTCOME_ORDERDEP, o->color),
			run_display(t->id, &shown), colour_reset(o->color));
		attempt_print("apart from the tests before it", &apart, o);
		attempt_print("after them, in the binary's order", test_context(t), o);
		attempts_group_pattern(&r->bins[t->binary], t, &pattern);
		fprintf(o->out, "keep its group together: --dist group, or in .balrun.conf\n"
			"    [dist \"group\"]\n            tests = %s\n"
			"(balrun remembers it: later runs keep this group together by themselves)\n",
			run_display(pattern.buf, &shown));
	}
	strbuf_release(&shown);
	strbuf_release(&pattern);
}

/* "failed only in parallel" and the like, from how the alone run ended. */
static const char *attempts_verdict(const struct test_attempt *a)
{
	if (a->outcome == OUTCOME_PASS)
		return "failed only in parallel";
	if (outcome_is_failure(a->outcome))
		return "failed alone too";
	return a->outcome == OUTCOME_SKIP ? "skipped alone" : "not run alone";
}

void attempts_print_alone(const struct run *r, const struct report_opts *o)
{
	struct strbuf shown = STRBUF_INIT;
	size_t parallel_only = 0, total = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_attempt *a = r->tests[i].selected ? test_alone(&r->tests[i]) : NULL;
		total += a != NULL;
		parallel_only += a && a->outcome == OUTCOME_PASS;
	}
	if (!total)
		return;
	fprintf(o->out, "\n== failures run again alone (%zu): %zu failed only in parallel, %zu did not ==\n",
		total, parallel_only, total - parallel_only);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		const struct test_attempt *a = t->selected ? test_alone(t) : NULL;
		int failed = a && a->outcome != OUTCOME_PASS;

		if (!a)
			continue;
		fprintf(o->out, "%s%s%s: %s (alone: %s %.2fs%s%s)\n",
			colour_outcome(failed ? a->outcome : OUTCOME_FLAKY, o->color), attempts_verdict(a),
			colour_reset(o->color), run_display(t->id, &shown), outcome_tag(a->outcome),
			a->duration, a->message && failed ? ": " : "", a->message && failed ? a->message : "");
		if (o->verbose > 0)
			report_print_output(o->out, a->output, a->output_len, a->output_dropped);
	}
	strbuf_release(&shown);
}

json_t *attempt_json(const struct test_attempt *a)
{
	json_t *j = json_object();

	json_object_set_new(j, "outcome", json_string(outcome_name(a->outcome)));
	json_object_set_new(j, "duration_s", json_real(a->duration));
	json_object_set_new(j, "worker", json_integer(a->worker));
	json_object_set_new(j, "start_s", json_real(a->start));
	json_object_set_new(j, "end_s", json_real(a->end));
	json_object_set_new(j, "message", a->message ? json_text(a->message, strlen(a->message)) : json_null());
	json_object_set_new(j, "output", json_text(a->output ? a->output : "", a->output_len));
	json_object_set_new(j, "output_dropped", json_integer((json_int_t)a->output_dropped));
	return j;
}

json_t *attempts_json(const struct test_case *t)
{
	json_t *arr = json_array();
	struct test_attempt last = attempt_latest(t);

	if (!test_ntries(t))
		return arr;
	for (size_t k = 0; k < test_ntries(t); k++)
		json_array_append_new(arr, attempt_json(&test_tries(t)[k]));
	if (t->outcome != OUTCOME_NOTRUN)
		json_array_append_new(arr, attempt_json(&last));
	return arr;
}

json_t *attempts_alone_json(const struct test_case *t)
{
	json_t *j = attempt_json(test_alone(t));

	json_object_set_new(j, "verdict", json_string(attempts_verdict(test_alone(t))));
	return j;
}
