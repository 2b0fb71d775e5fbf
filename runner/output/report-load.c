/*
 * report-load.c - a --json report read back, for `balrun report`
 * (report-cmd.c); see report.h.
 *
 * The reader of the format report-json.c writes: a binary per distinct
 * "binary" of the tests (the id up to its first "::" in reports that predate
 * the field), a test per entry with what the other reports draw (outcome,
 * times, worker, batch, message, output), and the run's wall time, workers,
 * predicted makespan, per-worker stats and fallbacks.  Earlier attempts,
 * runs alone and runs in context are not read back: the files drawn from
 * it do not show them.  A file that is not such a report is refused with
 * the first thing wrong in it, named.
 */
#include "report.h"

#include <jansson.h>
#include <string.h>

#include "adapter.h"
#include "util.h"
#include "workers.h"

/* The index of the binary named id in r, added if new. */
static uint32_t load_binary(struct run *r, const char *id, size_t n)
{
	struct binary *b;

	for (size_t i = r->nbins; i-- > 0;)
		if (strlen(r->bins[i].id) == n && !memcmp(r->bins[i].id, id, n))
			return (uint32_t)i;
	b = run_add_binary(r);
	b->id = xstrndup(id, n);
	b->arg = xstrdup(b->id);
	b->adapter = adapter_by_name("plain");
	return (uint32_t)(r->nbins - 1);
}

static double load_real(json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

static int load_outcome(const char *name)
{
	for (int i = 0; i < OUTCOME__COUNT; i++)
		if (!strcmp(name, outcome_name((enum outcome)i)))
			return i;
	return -1;
}

static int load_test(struct run *r, json_t *j, size_t index, const char *path, struct strbuf *err)
{
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *bin = json_string_value(json_object_get(j, "binary"));
	const char *outcome = json_string_value(json_object_get(j, "outcome"));
	const char *message = json_string_value(json_object_get(j, "message"));
	json_t *output = json_object_get(j, "output");
	const char *sep;
	struct test_case *t;
	double rss, dispatches;
	int o;

	if (!json_is_object(j) || !id || !outcome) {
		strbuf_addf(err, "%s: test %zu has no \"id\" or \"outcome\"", path, index + 1);
		return -1;
	}
	if ((o = load_outcome(outcome)) < 0) {
		strbuf_addf(err, "%s: test '%s': unknown outcome '%s'", path, id, outcome);
		return -1;
	}
	sep = strstr(id, "::");
	/* reports before "binary" was written: the id up to its first "::" */
	t = run_add_test(r, bin ? load_binary(r, bin, strlen(bin))
				: load_binary(r, id, sep ? (size_t)(sep - id) : strlen(id)), "");
	t->id = (char *)strpool_adds(&r->ids, id);	/* the plain adapter's name was the id */
	t->name = sep ? t->id + (sep + 2 - id) : t->id;
	t->fault = json_is_true(json_object_get(j, "fault"));
	t->state = TEST_FINISHED;
	t->outcome = (enum outcome)o;
	t->duration = load_real(j, "duration_s", 0);
	t->worker = (int)load_real(j, "worker", -1);
	t->start = load_real(j, "start_s", 0);
	t->end = load_real(j, "end_s", 0);
	t->unit = (uint32_t)load_real(j, "unit", 0);
	dispatches = load_real(j, "dispatches", 0);
	t->attempts = dispatches > 0 ? (dispatches < UINT16_MAX ? (uint16_t)dispatches : UINT16_MAX) : 0;
	t->est = load_real(j, "estimate_s", -1);
	t->est_known = t->est >= 0;
	rss = load_real(j, "rss_kb", 0);
	t->rss_kb = rss > 0 ? (rss < UINT32_MAX ? (uint32_t)rss : UINT32_MAX) : 0;
	t->message = message ? xstrdup(message) : NULL;
	if (json_string_length(output)) {
		t->output_len = json_string_length(output);
		t->output = xmalloc(t->output_len + 1);
		memcpy(t->output, json_string_value(output), t->output_len + 1);
	}
	t->output_dropped = (uint64_t)load_real(j, "output_dropped", 0);
	return 0;
}

static void load_stats(struct run *r, json_t *root, struct dispatch_stats *st, unsigned workers)
{
	json_t *ws = json_object_get(root, "worker_stats"), *f;
	size_t i;

	st->wall = load_real(root, "wall_s", 0);
	st->restarts = (unsigned)load_real(root, "restarts", 0);
	st->interrupted = json_is_true(json_object_get(root, "interrupted")) ? 2 : 0;
	if (json_array_size(ws) == workers && workers) {
		st->busy = xcalloc(workers, sizeof(*st->busy));
		st->own = xcalloc(workers, sizeof(*st->own));
		st->units = xcalloc(workers, sizeof(*st->units));
		st->tests = xcalloc(workers, sizeof(*st->tests));
		json_array_foreach(ws, i, f) {
			st->busy[i] = load_real(f, "busy_s", 0);
			st->own[i] = load_real(f, "own_s", 0);
			st->units[i] = (unsigned)load_real(f, "units", 0);
			st->tests[i] = (unsigned)load_real(f, "tests", 0);
		}
	}
	json_array_foreach(json_object_get(root, "fallbacks"), i, f) {
		const char *bin = json_string_value(json_object_get(f, "binary"));
		const char *what = json_string_value(json_object_get(f, "what"));

		if (bin && what)
			dispatch_stats_fallback(st, load_binary(r, bin, strlen(bin)),
						(size_t)load_real(f, "tests", 0), "%s", what);
	}
}

int report_load(const char *path, struct run *r, struct dispatch_stats *st, struct report_opts *o,
		struct strbuf *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *tests, *t;
	size_t i;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	if (!root) {
		strbuf_addf(err, "%s: %s (line %d)", path, jerr.text, jerr.line);
		return -1;
	}
	tests = json_object_get(root, "tests");
	if (!json_is_object(root) || !json_is_integer(json_object_get(root, "version")) ||
	    !json_is_array(tests)) {
		strbuf_addf(err, "%s: not a balrun JSON report (no \"version\" or \"tests\")", path);
		goto out;
	}
	if (json_integer_value(json_object_get(root, "version")) != 1) {
		strbuf_addf(err, "%s: a JSON report of version %lld; this balrun reads version 1", path,
			    (long long)json_integer_value(json_object_get(root, "version")));
		goto out;
	}
	o->workers = (unsigned)load_real(root, "workers", 1);
	if (o->workers > WORKERS_MAX) {
		strbuf_addf(err, "%s: %u workers", path, o->workers);
		goto out;
	}
	o->exit_code = (int)load_real(root, "exit_code", 0);
	o->predicted = load_real(root, "predicted_s", 0);
	json_array_foreach(tests, i, t) {
		if (load_test(r, t, i, path, err))
			goto out;
		if (r->tests[r->ntests - 1].worker >= WORKERS_MAX) {
			strbuf_addf(err, "%s: test '%s': worker %d", path, r->tests[r->ntests - 1].id,
				    r->tests[r->ntests - 1].worker);
			goto out;
		}
		if (r->tests[r->ntests - 1].worker >= (int)o->workers)
			o->workers = (unsigned)r->tests[r->ntests - 1].worker + 1;
	}
	load_stats(r, root, st, o->workers);
	ret = 0;
out:
	json_decref(root);
	return ret;
}
