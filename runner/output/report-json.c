/*
 * report-json.c - the machine-readable report (--json); see report.h.  Its
 * format is documented in docs/usage.md; names go through json_name() and
 * output through json_text() (runner/json.h), since jansson takes only
 * UTF-8.
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report-internal.h"
#include "json.h"

/*
 * The report is written as it goes, a test at a time, so a million tests
 * cost no tree of a million objects (jansson's took 2.8 GB and most of a
 * minute).  Scalars and plain strings are printed here; anything that needs
 * escaping, and the rare nested values (attempts, counts), go through
 * jansson one value at a time, so the text is what jansson would write.
 */
struct jout {
	FILE *f;
	const char *sep;   /* before the next key */
	const char *join;  /* between keys: the root's one per line, a test's on its line */
};

/* Print v compactly (ASCII only) and drop it. */
static void jout_value(struct jout *j, json_t *v)
{
	if (!v) {
		fputs("null", j->f);
		return;
	}
	json_dumpf(v, j->f, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(v);
}

static void jout_key(struct jout *j, const char *key)
{
	fprintf(j->f, "%s\"%s\": ", j->sep, key);
	j->sep = j->join;
}

/* key and v (dropped; NULL: null). */
static void jout_json(struct jout *j, const char *key, json_t *v)
{
	jout_key(j, key);
	jout_value(j, v);
}

/* s (n bytes) as a JSON string: a name (json_name) or text (json_text). */
static void jout_string(struct jout *j, const char *key, const char *s, size_t n, int name)
{
	size_t i;

	jout_key(j, key);
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			break;
	if (i < n) {
		jout_value(j, name ? json_name(s) : json_text(s, n));
		return;
	}
	putc('"', j->f);
	fwrite(s, 1, n, j->f);
	putc('"', j->f);
}

static void jout_int(struct jout *j, const char *key, long long v)
{
	jout_key(j, key);
	fprintf(j->f, "%lld", v);
}

/* As jansson prints a real: 17 digits, and a point or exponent so that it reads back as one. */
static void jout_real(struct jout *j, const char *key, double v)
{
	char buf[40];

	jout_key(j, key);
	if (!isfinite(v)) {
		fputs("null", j->f);
		return;
	}
	snprintf(buf, sizeof(buf), "%.17g", v);
	fputs(buf, j->f);
	if (!strpbrk(buf, ".eE"))
		fputs(".0", j->f);
}

static void test_json(struct jout *j, const struct run *r, const struct test_case *t)
{
	const char *bin = r->bins[t->binary].id;

	j->sep = "";
	j->join = ", ";
	fputs("  {", j->f);
	jout_string(j, "id", t->id, strlen(t->id), 1);
	jout_string(j, "binary", bin, strlen(bin), 1);
	if (t->fault) {
		jout_key(j, "fault");
		fputs("true", j->f);
	}
	jout_string(j, "outcome", outcome_name(t->outcome), strlen(outcome_name(t->outcome)), 0);
	jout_real(j, "duration_s", t->duration);
	jout_int(j, "worker", t->worker);
	jout_real(j, "start_s", t->start);
	jout_real(j, "end_s", t->end);
	jout_int(j, "unit", t->unit);
	jout_int(j, "dispatches", t->attempts);
	if (test_ntries(t))
		jout_json(j, "attempts", attempts_json(t));
	else
		fputs(", \"attempts\": []", j->f);
	if (test_alone(t))
		jout_json(j, "alone", attempts_alone_json(t));
	if (test_context(t))
		jout_json(j, "context", attempt_json(test_context(t)));
	if (t->est_known)
		jout_real(j, "estimate_s", t->est);
	else
		jout_json(j, "estimate_s", NULL);
	jout_int(j, "rss_kb", (long long)t->rss_kb);
	if (t->message)
		jout_string(j, "message", t->message, strlen(t->message), 0);
	else
		jout_json(j, "message", NULL);
	jout_string(j, "output", t->output ? t->output : "", t->output ? t->output_len : 0, 0);
	jout_int(j, "output_dropped", (long long)t->output_dropped);
	putc('}', j->f);
}

static json_t *workers_json(const struct dispatch_stats *st, unsigned workers)
{
	json_t *a = json_array();
	for (unsigned i = 0; st->busy && i < workers; i++) {
		json_t *w = json_object();
		json_object_set_new(w, "busy_s", json_real(st->busy[i]));
		if (st->own)
			json_object_set_new(w, "own_s", json_real(st->own[i]));
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
	struct jout j = { .f = fopen(path, "w"), .sep = "\n ", .join = ",\n " };
	size_t counts[OUTCOME__COUNT], n = 0;
	double sum, longest, lb;
	json_t *c;

	if (!j.f) {
		strbuf_addf(err, "cannot write the JSON report '%s': %s", path, strerror(errno));
		return -1;
	}
	report_counts(r, counts);
	report_totals(r, &sum, &longest);
	lb = sum / (o->workers ? o->workers : 1);
	putc('{', j.f);
	jout_int(&j, "version", 1);
	jout_int(&j, "exit_code", o->exit_code);
	jout_real(&j, "wall_s", st->wall);
	jout_int(&j, "workers", o->workers);
	jout_real(&j, "sum_s", sum);
	jout_real(&j, "lower_bound_s", longest > lb ? longest : lb);
	if (o->predicted > 0)
		jout_real(&j, "predicted_s", o->predicted);
	else
		jout_json(&j, "predicted_s", NULL);
	jout_int(&j, "restarts", st->restarts);
	jout_json(&j, "interrupted", json_boolean(st->interrupted));
	c = json_object();
	for (int i = 0; i < OUTCOME__COUNT; i++)
		json_object_set_new(c, outcome_name(i), json_integer((json_int_t)counts[i]));
	jout_json(&j, "counts", c);
	jout_key(&j, "tests");
	putc('[', j.f);
	for (size_t i = 0; i < r->ntests; i++) {
		if (!r->tests[i].selected)
			continue;
		fputs(n++ ? ",\n" : "\n", j.f);
		test_json(&j, r, &r->tests[i]);
	}
	fputs(n ? "\n ]" : "]", j.f);
	j.sep = j.join = ",\n ";
	jout_json(&j, "worker_stats", workers_json(st, o->workers));
	jout_json(&j, "fallbacks", fallbacks_json(r, st));
	fputs("\n}\n", j.f);
	if (ferror(j.f) | fclose(j.f)) {
		strbuf_addf(err, "cannot write the JSON report '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
