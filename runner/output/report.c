/*
 * report.c - what is printed after a run, and the JSON report; see report.h.
 *
 * Sums that describe the run (busy time, lower bound, speedup) are computed
 * here from the tests' own durations: the dispatcher only keeps per-worker
 * counters.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report-internal.h"
#include "colour.h"
#include "exit-codes.h"
#include "util.h"

void report_counts(const struct run *r, size_t counts[OUTCOME__COUNT])
{
	memset(counts, 0, sizeof(size_t) * OUTCOME__COUNT);
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected)
			counts[r->tests[i].outcome]++;
}

int report_exit_code(const struct run *r, const struct dispatch_stats *st, int fatal)
{
	size_t counts[OUTCOME__COUNT];

	if (st->interrupted || st->aborted)
		return EXIT_INTERRUPTED;
	if (fatal)
		return EXIT_INTERNAL;
	report_counts(r, counts);
	if (counts[OUTCOME_FAIL] || counts[OUTCOME_CRASH] || counts[OUTCOME_TIMEOUT] || counts[OUTCOME_NOTRUN])
		return EXIT_FAILED;
	return EXIT_OK;
}

void report_header(FILE *out, const struct run *r, size_t selected, unsigned workers, const char *why,
		   double predicted)
{
	size_t known = 0;

	for (size_t i = 0; i < r->ntests; i++)
		known += r->tests[i].selected && r->tests[i].est_known;
	fprintf(out, "balrun: %zu tests from %zu binar%s on %u worker%s%s%s%s; ", selected, r->nbins,
		r->nbins == 1 ? "y" : "ies", workers, workers == 1 ? "" : "s", why ? " (-n auto: " : "",
		why ? why : "", why ? ")" : "");
	if (known)
		fprintf(out, "timings for %zu, about %.1fs expected\n", known, predicted);
	else
		fprintf(out, "no timings yet: longest first from the next run on\n");
}

size_t report_list(FILE *out, const struct run *r)
{
	struct strbuf shown = STRBUF_INIT;
	size_t n = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		if (!r->tests[i].selected)
			continue;
		fprintf(out, "%s%s\n", run_display(r->tests[i].id, &shown),
			r->tests[i].disabled ? " (disabled)" : "");
		n++;
	}
	strbuf_release(&shown);
	return n;
}

void report_totals(const struct run *r, double *sum, double *longest)
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

/* GitLab CI (--ci-output): the k-th failure's output as a collapsed section. */
static void gitlab_section(FILE *out, enum ci_mode mode, const char *what, size_t k)
{
	if (mode == CI_GITLAB)
		fprintf(out, "\033[0Ksection_%s:%ld:balrun_failure_%zu%s\r\033[0K", what,
			(long)time(NULL), k, strcmp(what, "start") ? "" : "[collapsed=true]");
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
		gitlab_section(o->out, o->ci, "start", header);
		fprintf(o->out, "%s--- %s %s%s (%.2fs, worker %d", colour_outcome(t->outcome, o->color),
			outcome_tag(t->outcome), run_display(t->id, &shown), colour_reset(o->color), t->duration, t->worker);
		if (test_ntries(t))
			fprintf(o->out, ", failed all %zu attempts", (size_t)test_ntries(t) + 1);
		fputs(")\n", o->out);
		if (t->message)
			fprintf(o->out, "%s\n", t->message);
		report_print_output(o->out, t->output, t->output_len, t->output_dropped);
		gitlab_section(o->out, o->ci, "end", header);
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
	report_totals(r, &sum, &longest);
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
			counts[order[i]] ? colour_outcome(order[i], o->color) : "", counts[order[i]],
			outcome_name(order[i]), counts[order[i]] ? colour_reset(o->color) : "");
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
	attempts_print_flaky(r, o);
	attempts_print_order_dependent(r, o);
	attempts_print_alone(r, o);
	print_not_run(r, o);
	print_fallbacks(r, st, o);
	print_durations(r, o);
	report_print_totals(r, st, o);
}

void report_print_totals(const struct run *r, const struct dispatch_stats *st, const struct report_opts *o)
{
	if (o->verbose >= 0)
		print_balance(st, o);
	print_counts_line(r, st, o);
	fflush(o->out);
}
