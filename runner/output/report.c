/*
 * report.c - what is printed after a run, and the JSON report; see report.h.
 *
 * Sums that describe the run (busy time, lower bound, speedup) are computed
 * here from the tests' own durations: the dispatcher only keeps per-worker
 * counters.
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "rerun.h"
#include "retry.h"
#include "status.h"
#include "util.h"

void report_counts(const struct run *r, size_t counts[OUTCOME__COUNT])
{
	memset(counts, 0, sizeof(size_t) * OUTCOME__COUNT);
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected)
			counts[r->tests[i].outcome]++;
}

static void totals(const struct run *r, double *sum, double *longest)
{
	*sum = *longest = 0;
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		if (!t->selected || t->worker < 0)
			continue;
		*sum += t->duration;
		if (t->duration > *longest)
			*longest = t->duration;
	}
}

void report_print_output(FILE *out, const char *output, size_t len, uint64_t dropped)
{
	if (!len)
		return;
	if (dropped) {
		/* head and tail were kept; the worker put them together */
		fprintf(out, "(output is %llu bytes longer than shown; its middle was left out)\n",
			(unsigned long long)dropped);
	}
	fwrite(output, 1, len, out);
	if (output[len - 1] != '\n')
		fputc('\n', out);
}

static void print_failures(const struct run *r, const struct report_opts *o)
{
	struct strbuf shown = STRBUF_INIT;
	int header = 0;
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		int show = outcome_is_failure(t->outcome) ||
			   (o->verbose > 0 && t->outcome == OUTCOME_PASS && t->output_len);
		if (!t->selected || !show)
			continue;
		if (!header++)
			fprintf(o->out, "\n%s\n", o->verbose > 0 ? "== output ==" : "== failures ==");
		fprintf(o->out, "%s--- %s %s%s (%.2fs, worker %d", status_outcome_color(t->outcome, o->color),
			outcome_tag(t->outcome), run_display(t->id, &shown), o->color ? "\033[0m" : "", t->duration, t->worker);
		if (t->ntries)
			fprintf(o->out, ", failed all %zu attempts", t->ntries + 1);
		fputs(")\n", o->out);
		if (t->message)
			fprintf(o->out, "%s\n", t->message);
		report_print_output(o->out, t->output, t->output_len, t->output_dropped);
	}
	strbuf_release(&shown);
}

static void print_not_run(const struct run *r, const struct report_opts *o)
{
	struct strbuf text = STRBUF_INIT;
	size_t shown = 0, total = 0;
	for (size_t i = 0; i < r->ntests; i++)
		total += r->tests[i].selected && r->tests[i].outcome == OUTCOME_NOTRUN;
	if (!total)
		return;
	fprintf(o->out, "\n== not run (%zu) ==\n", total);
	for (size_t i = 0; i < r->ntests && shown < 20; i++) {
		const struct test_case *t = &r->tests[i];
		if (!t->selected || t->outcome != OUTCOME_NOTRUN)
			continue;
		fprintf(o->out, "%s: %s\n", run_display(t->id, &text), t->message ? t->message : "not run");
		shown++;
	}
	if (total > shown)
		fprintf(o->out, "... and %zu more (see --json for all)\n", total - shown);
	strbuf_release(&text);
}

static int by_duration_desc(const void *a, const void *b)
{
	const struct test_case *x = *(const struct test_case *const *)a;
	const struct test_case *y = *(const struct test_case *const *)b;
	if (x->duration != y->duration)
		return x->duration < y->duration ? 1 : -1;
	return strcmp(x->id, y->id);
}

static void print_durations(const struct run *r, const struct report_opts *o)
{
	const struct test_case **v;
	struct strbuf shown = STRBUF_INIT;
	size_t n = 0, limit;

	if (!o->durations)
		return;
	v = xcalloc(r->ntests ? r->ntests : 1, sizeof(*v));
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected && r->tests[i].worker >= 0)
			v[n++] = &r->tests[i];
	qsort(v, n, sizeof(*v), by_duration_desc);
	limit = o->durations < 0 || (size_t)o->durations > n ? n : (size_t)o->durations;
	fprintf(o->out, "\n== slowest %zu durations ==\n", limit);
	for (size_t i = 0; i < limit; i++)
		fprintf(o->out, "%8.2fs %-7s %s\n", v[i]->duration, outcome_tag(v[i]->outcome),
			run_display(v[i]->id, &shown));
	free(v);
	strbuf_release(&shown);
}

static void print_balance(const struct dispatch_stats *st, const struct report_opts *o)
{
	if (!st->busy || st->wall <= 0)
		return;
	fprintf(o->out, "\n== workers ==\nworker    busy   idle  units  tests\n");
	for (unsigned i = 0; i < o->workers; i++) {
		double idle = 1 - st->busy[i] / st->wall;
		fprintf(o->out, "%6u %6.2fs %5.1f%% %6u %6u\n", i, st->busy[i], idle < 0 ? 0 : idle * 100,
			st->units[i], st->tests[i]);
	}
}

static void print_counts_line(const struct run *r, const struct dispatch_stats *st,
			      const struct report_opts *o)
{
	static const enum outcome order[] = { OUTCOME_PASS, OUTCOME_FLAKY, OUTCOME_ORDERDEP, OUTCOME_FAIL,
					      OUTCOME_CRASH, OUTCOME_TIMEOUT,
					      OUTCOME_SKIP, OUTCOME_NOTRUN };
	size_t counts[OUTCOME__COUNT];
	double sum, longest, lb;
	int first = 1;

	report_counts(r, counts);
	totals(r, &sum, &longest);
	lb = sum / (o->workers ? o->workers : 1);
	if (longest > lb)
		lb = longest;
	fprintf(o->out, "\ntest time %.2fs on %u worker%s in %.2fs: speedup %.2fx, lower bound %.2fs (%.0f%%)\n",
		sum, o->workers, o->workers == 1 ? "" : "s", st->wall, st->wall > 0 ? sum / st->wall : 0, lb,
		st->wall > 0 ? 100 * lb / st->wall : 0);
	fputs("== ", o->out);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		if (!counts[order[i]] && order[i] != OUTCOME_PASS)
			continue;
		fprintf(o->out, "%s%s%zu %s%s", first ? "" : ", ",
			counts[order[i]] ? status_outcome_color(order[i], o->color) : "", counts[order[i]],
			outcome_name(order[i]), counts[order[i]] && o->color ? "\033[0m" : "");
		first = 0;
	}
	fprintf(o->out, " in %.2fs ==\n", st->wall);
}

/* Where balrun did something other than run a batch as planned (dispatch.h). */
static void print_fallbacks(const struct run *r, const struct dispatch_stats *st,
			    const struct report_opts *o)
{
	struct strbuf shown = STRBUF_INIT;

	if (!st->nfallbacks)
		return;
	fprintf(o->out, "\n== fallbacks (%zu) ==\n", st->nfallbacks);
	for (size_t i = 0; i < st->nfallbacks; i++) {
		const struct dispatch_fallback *f = &st->fallbacks[i];

		fprintf(o->out, "%s: %s", run_display(r->bins[f->binary].id, &shown), f->what);
		if (f->tests)
			fprintf(o->out, " (%zu test%s)", f->tests, f->tests == 1 ? "" : "s");
		fputc('\n', o->out);
	}
	strbuf_release(&shown);
}

void report_print(const struct run *r, const struct dispatch_stats *st, const struct report_opts *o)
{
	print_failures(r, o);
	retry_print_flaky(r, o);
	context_print(r, o);
	rerun_print(r, o);
	print_not_run(r, o);
	print_fallbacks(r, st, o);
	print_durations(r, o);
	if (o->verbose >= 0)
		print_balance(st, o);
	print_counts_line(r, st, o);
	fflush(o->out);
}

/* jansson refuses invalid UTF-8 (and NULs): such bytes become '?'. */
static char *valid_utf8_copy(const char *s, size_t n)
{
	char *c = xmalloc(n + 1);
	memcpy(c, s, n);
	c[n] = '\0';
	for (size_t i = 0; i < n;) {
		unsigned char b = (unsigned char)c[i];
		size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
		int ok = len && i + len <= n && b != 0;
		for (size_t k = 1; ok && k < len; k++)
			ok = ((unsigned char)c[i + k] >> 6) == 2;
		if (!ok) {
			c[i++] = '?';
			continue;
		}
		i += len;
	}
	return c;
}

static json_t *json_text(const char *s, size_t n)
{
	char *clean = valid_utf8_copy(s, n);
	json_t *j = json_stringn(clean, n);
	free(clean);
	return j;
}

json_t *report_json_text(const char *s, size_t n)
{
	return json_text(s, n);
}

/* A name as JSON: bytes that are not UTF-8 as "\xNN" text (jansson takes only UTF-8). */
static json_t *json_name(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	strbuf_add_escaped(&sb, s, strlen(s), 0);
	j = json_stringn(sb.buf, sb.len);
	strbuf_release(&sb);
	return j;
}

static json_t *test_json(const struct test_case *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_name(t->id));
	if (t->fault)
		json_object_set_new(o, "fault", json_true());
	json_object_set_new(o, "outcome", json_string(outcome_name(t->outcome)));
	json_object_set_new(o, "duration_s", json_real(t->duration));
	json_object_set_new(o, "worker", json_integer(t->worker));
	json_object_set_new(o, "start_s", json_real(t->start));
	json_object_set_new(o, "end_s", json_real(t->end));
	json_object_set_new(o, "dispatches", json_integer(t->attempts));
	json_object_set_new(o, "attempts", retry_attempts_json(t));
	if (t->alone)
		json_object_set_new(o, "alone", rerun_json(t));
	if (t->context)
		json_object_set_new(o, "context", context_json(t));
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
	totals(r, &sum, &longest);
	lb = sum / (o->workers ? o->workers : 1);
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "exit_code", json_integer(o->exit_code));
	json_object_set_new(root, "wall_s", json_real(st->wall));
	json_object_set_new(root, "workers", json_integer(o->workers));
	json_object_set_new(root, "sum_s", json_real(sum));
	json_object_set_new(root, "lower_bound_s", json_real(longest > lb ? longest : lb));
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
		json_array_append_new(tests, test_json(t));
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
