/*
 * report-trace.c - the run as Chrome trace events (--trace FILE.json);
 * see report.h and docs/report-trace.md.
 *
 * The JSON Object Format of the Trace Event Format, which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open: one complete event ("ph":
 * "X") per test that ran, on the thread of its worker (pid 1, tid = the
 * worker), from its start to its end on the coordinator's clock in
 * microseconds, named by its id, its category its outcome, its args the
 * outcome, the worker's own measure of its duration and its message.
 * Metadata events name the process "balrun" and each thread "worker N".
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "report-internal.h"

static json_t *trace_meta(const char *what, unsigned tid, const char *name)
{
	json_t *e = json_object(), *args = json_object();

	json_object_set_new(e, "name", json_string(what));
	json_object_set_new(e, "ph", json_string("M"));
	json_object_set_new(e, "pid", json_integer(1));
	json_object_set_new(e, "tid", json_integer(tid));
	json_object_set_new(args, "name", json_string(name));
	json_object_set_new(e, "args", args);
	return e;
}

static json_t *trace_test(const struct test_case *t)
{
	json_t *e = json_object(), *args = json_object();
	double end = t->end > t->start ? t->end : t->start + t->duration;

	json_object_set_new(e, "name", json_name(t->id));
	json_object_set_new(e, "cat", json_string(outcome_name(t->outcome)));
	json_object_set_new(e, "ph", json_string("X"));
	json_object_set_new(e, "ts", json_real(t->start * 1e6));
	json_object_set_new(e, "dur", json_real((end - t->start) * 1e6));
	json_object_set_new(e, "pid", json_integer(1));
	json_object_set_new(e, "tid", json_integer(t->worker));
	json_object_set_new(args, "outcome", json_string(outcome_name(t->outcome)));
	json_object_set_new(args, "duration_s", json_real(t->duration));
	if (t->message)
		json_object_set_new(args, "message", json_text(t->message, strlen(t->message)));
	json_object_set_new(e, "args", args);
	return e;
}

/* Print event e (dropped) into the array, after a comma unless it is the first. */
static void trace_put(FILE *f, json_t *e, size_t *n)
{
	if ((*n)++)
		putc(',', f);
	json_dumpf(e, f, JSON_ENSURE_ASCII | JSON_COMPACT);
	json_decref(e);
}

/* An event at a time: a million tests never make a tree of a million objects. */
int report_trace(const struct run *r, const struct report_opts *o, const char *path, struct strbuf *err)
{
	FILE *f = fopen(path, "w");
	char name[32];
	size_t n = 0;

	if (!f) {
		strbuf_addf(err, "cannot write the trace '%s': %s", path, strerror(errno));
		return -1;
	}
	fputs("{\"traceEvents\":[", f);
	trace_put(f, trace_meta("process_name", 0, "balrun"), &n);
	for (unsigned w = 0; w < o->workers; w++) {
		snprintf(name, sizeof(name), "worker %u", w);
		trace_put(f, trace_meta("thread_name", w, name), &n);
	}
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected && r->tests[i].worker >= 0)
			trace_put(f, trace_test(&r->tests[i]), &n);
	fputs("],\"displayTimeUnit\":\"ms\"}", f);
	if (ferror(f) | fclose(f)) {
		strbuf_addf(err, "cannot write the trace '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
