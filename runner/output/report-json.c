/*
 * report-json.c - the machine-readable report (--json); see report.h.  Its
 * format is documented in docs/usage.md; names go through json_name() and
 * output through json_text() (runner/json.h), since jansson takes only
 * UTF-8.
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "report-internal.h"
#include "json.h"

static json_t *test_json(const struct run *r, const struct test_case *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_name(t->id));
	json_object_set_new(o, "binary", json_name(r->bins[t->binary].id));
	if (t->fault)
		json_object_set_new(o, "fault", json_true());
	json_object_set_new(o, "outcome", json_string(outcome_name(t->outcome)));
	json_object_set_new(o, "duration_s", json_real(t->duration));
	json_object_set_new(o, "worker", json_integer(t->worker));
	json_object_set_new(o, "start_s", json_real(t->start));
	json_object_set_new(o, "end_s", json_real(t->end));
	json_object_set_new(o, "unit", json_integer(t->unit));
	json_object_set_new(o, "dispatches", json_integer(t->attempts));
	json_object_set_new(o, "attempts", attempts_json(t));
	if (test_alone(t))
		json_object_set_new(o, "alone", attempts_alone_json(t));
	if (test_context(t))
		json_object_set_new(o, "context", attempt_json(test_context(t)));
	json_object_set_new(o, "estimate_s", t->est_known ? json_real(t->est) : json_null());
	json_object_set_new(o, "rss_kb", json_integer((json_int_t)t->rss_kb));
	json_object_set_new(o, "message", t->message ? json_text(t->message, strlen(t->message)) : json_null());
	json_object_set_new(o, "output", json_text(t->output ? t->output : "", t->output_len));
	json_object_set_new(o, "output_dropped", json_integer((json_int_t)t->output_dropped));
	return o;
}

static json_t *workers_json(const struct dispatch_stats *st, unsigned workers)
{
	json_t *a = json_array();
	for (unsigned i = 0; st->busy && i < workers; i++) {
		json_t *w = json_object();
		json_object_set_new(w, "busy_s", json_real(st->busy[i]));
		json_object_set_new(w, "units", json_integer(st->units[i]));
		json_object_set_new(w, "tests", json_integer(st->tests[i]));
		json_array_append_new(a, w);
	}
	return a;
}

static json_t *fallbacks_json(const struct run *r, const struct dispatch_stats *st)
{
	json_t *a = json_array();

	for (size_t i = 0; i < st->nfallbacks; i++) {
		const struct dispatch_fallback *f = &st->fallbacks[i];
		json_t *j = json_object();

		json_object_set_new(j, "binary", json_name(r->bins[f->binary].id));
		json_object_set_new(j, "what", json_text(f->what, strlen(f->what)));
		json_object_set_new(j, "tests", json_integer((json_int_t)f->tests));
		json_object_set_new(j, "times", json_integer(f->times));
		json_array_append_new(a, j);
	}
	return a;
}

int report_json(const struct run *r, const struct dispatch_stats *st, const struct report_opts *o,
		const char *path, struct strbuf *err)
{
	json_t *root = json_object(), *tests = json_array();
	size_t counts[OUTCOME__COUNT];
	double sum, longest, lb;
	int ret;

	report_counts(r, counts);
	report_totals(r, &sum, &longest);
	lb = sum / (o->workers ? o->workers : 1);
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "exit_code", json_integer(o->exit_code));
	json_object_set_new(root, "wall_s", json_real(st->wall));
	json_object_set_new(root, "workers", json_integer(o->workers));
	json_object_set_new(root, "sum_s", json_real(sum));
	json_object_set_new(root, "lower_bound_s", json_real(longest > lb ? longest : lb));
	json_object_set_new(root, "predicted_s", o->predicted > 0 ? json_real(o->predicted) : json_null());
	json_object_set_new(root, "restarts", json_integer(st->restarts));
	json_object_set_new(root, "interrupted", json_boolean(st->interrupted));
	json_t *c = json_object();
	for (int i = 0; i < OUTCOME__COUNT; i++)
		json_object_set_new(c, outcome_name(i), json_integer((json_int_t)counts[i]));
	json_object_set_new(root, "counts", c);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		if (!t->selected)
			continue;
		json_array_append_new(tests, test_json(r, t));
	}
	json_object_set_new(root, "tests", tests);
	json_object_set_new(root, "worker_stats", workers_json(st, o->workers));
	json_object_set_new(root, "fallbacks", fallbacks_json(r, st));
	ret = json_dump_file(root, path, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	if (ret)
		strbuf_addf(err, "cannot write the JSON report '%s': %s", path, strerror(errno));
	json_decref(root);
	return ret ? -1 : 0;
}
