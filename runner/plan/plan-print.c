/*
 * plan-print.c - print a simulated run for --plan; see plan-print.h.
 *
 * Layout (times in seconds from the start of the run):
 *
 *   balrun plan: 12 tests from 2 binaries on 2 workers (8 timed, 4 estimated)
 *   -n auto: 8 CPUs, quota 2, memory for 3 workers at 1.9 GiB each -> 2
 *    unit  worker    start      end  tests  first test
 *       1      w0    0.000    0.050      1  build/t::a/b  [smoke]
 *       2      w1    0.000    2.000      3  build/t::db/a and 2 more  [group db, lock port]
 *   worker      busy   idle  units  tests
 *       w0     5.000     2%      3      7
 *   predicted makespan 5.100s, lower bound 5.000s (1.020x)
 *
 * The -n auto line only when the count came from -n auto.  With --shard, a
 * table of every shard's estimated load comes first.
 */
#include "plan-print.h"

#include <stdarg.h>
#include <string.h>

#include "util.h"

/* Add one tag to "[smoke, group db]". */
__attribute__((format(printf, 2, 3)))
static void plan_tag(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	strbuf_adds(sb, sb->len ? ", " : "[");
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

/* The unit's constraints, from the union of its tests' markers. */
static void plan_unit_tags(const struct run *r, const struct plan_input *in, const struct bal_plan *p,
			   const struct bal_planned_unit *u, const struct plan_print_opts *o,
			   struct strbuf *sb)
{
	uint32_t group = 0, weight = 0;
	uint64_t locks = 0;
	int serial = 0;

	for (size_t i = 0; i < u->ntests; i++) {
		const struct test_case *t = &r->tests[in->map[p->tests[u->first + i]]];
		group = group ? group : t->group;
		weight = t->weight > weight ? t->weight : weight;
		locks |= test_locks(t);
		serial |= t->serial;
	}
	if (u->smoke)
		plan_tag(sb, "smoke");
	if (group && o->marks && group <= o->marks->ngroups)
		plan_tag(sb, "group %s", o->marks->groups[group - 1]);
	if (serial)
		plan_tag(sb, "serial");
	if (weight > 1)
		plan_tag(sb, "weight %u", weight);
	for (size_t i = 0; o->marks && i < o->marks->nlocks; i++)
		if (locks & (UINT64_C(1) << i))
			plan_tag(sb, "lock %s", o->marks->locks[i]);
	if (sb->len)
		strbuf_addch(sb, ']');
}

static void plan_units(const struct run *r, const struct plan_input *in, const struct bal_plan *p,
		       const struct plan_print_opts *o)
{
	struct strbuf tags = STRBUF_INIT, shown = STRBUF_INIT;

	fprintf(o->out, "%5s  %6s  %9s  %9s  %5s  %s\n", "unit", "worker", "start", "end", "tests",
		"first test");
	for (size_t i = 0; i < p->nunits; i++) {
		const struct bal_planned_unit *u = &p->units[i];
		const struct test_case *t = &r->tests[in->map[p->tests[u->first]]];

		strbuf_reset(&tags);
		plan_unit_tags(r, in, p, u, o, &tags);
		fprintf(o->out, "%5zu  %5s%u  %9.3f  %9.3f  %5zu  %s", i + 1, "w", u->worker, u->start,
			u->end, u->ntests, run_display(t->id, &shown));
		if (u->ntests > 1 && o->verbose <= 0)
			fprintf(o->out, " and %zu more", u->ntests - 1);
		fprintf(o->out, "%s%s\n", tags.len ? "  " : "", tags.buf);
		for (size_t j = 1; o->verbose > 0 && j < u->ntests; j++)
			fprintf(o->out, "%45s%s\n", "",
				run_display(r->tests[in->map[p->tests[u->first + j]]].id, &shown));
	}
	strbuf_release(&tags);
	strbuf_release(&shown);
}

static void plan_workers(const struct bal_plan *p, unsigned workers, FILE *out)
{
	fprintf(out, "%6s  %9s  %5s  %5s  %5s\n", "worker", "busy", "idle", "units", "tests");
	for (unsigned w = 0; w < workers; w++) {
		size_t units = 0, tests = 0;
		double busy = p->worker_busy[w];
		for (size_t i = 0; i < p->nunits; i++) {
			if (p->units[i].worker != w)
				continue;
			units++;
			tests += p->units[i].ntests;
		}
		fprintf(out, "%5s%u  %9.3f  %4.0f%%  %5zu  %5zu\n", "w", w, busy,
			p->makespan > 0 ? 100.0 * (p->makespan - busy) / p->makespan : 0.0, units, tests);
	}
}

static void plan_shards(const struct shard *sh, FILE *out)
{
	fprintf(out, "%5s  %9s\n", "shard", "load");
	for (unsigned i = 0; i < sh->total; i++)
		fprintf(out, "%5u  %9.3f%s\n", i + 1, sh->load[i], i + 1 == sh->index ? "  <- this one" : "");
}

/*
 * The simulated schedule into r's tests: each unit's tests one after the
 * other over its span, in proportion to their estimates.
 */
static void plan_fill(struct run *r, const struct plan_input *in, const struct bal_plan *p)
{
	for (size_t i = 0; i < p->nunits; i++) {
		const struct bal_planned_unit *u = &p->units[i];
		double total = 0, at = u->start;

		for (size_t j = 0; j < u->ntests; j++)
			total += in->tests[p->tests[u->first + j]].est;
		for (size_t j = 0; j < u->ntests; j++) {
			struct test_case *t = &r->tests[in->map[p->tests[u->first + j]]];
			double share = total > 0 ? t->est / total : 1.0 / (double)u->ntests;

			t->worker = (int)u->worker;
			t->unit = (uint32_t)i + 1;
			t->duration = t->est;
			t->start = at;
			t->end = at += share * (u->end - u->start);
		}
	}
}

double plan_print(struct run *r, const struct plan_input *in, const struct bal_opts *bo,
		  const struct plan_print_opts *o)
{
	double makespan;
	struct bal_plan p;
	size_t known = 0;

	for (size_t i = 0; i < in->n; i++)
		known += in->tests[i].known;
	bal_plan_make(bo, in->bins, in->nbins, in->tests, in->n, &p);
	fprintf(o->out, "balrun plan: %zu tests from %zu binar%s on %u worker%s (%zu timed, %zu estimated)\n",
		in->n, r->nbins, r->nbins == 1 ? "y" : "ies", bo->workers, bo->workers == 1 ? "" : "s",
		known, in->n - known);
	if (o->workers_why)
		fprintf(o->out, "-n auto: %s\n", o->workers_why);
	if (o->shard && o->shard->total) {
		shard_describe(o->shard, o->out);
		plan_shards(o->shard, o->out);
	}
	plan_units(r, in, &p, o);
	plan_workers(&p, bo->workers, o->out);
	fprintf(o->out, "predicted makespan %.3fs, lower bound %.3fs (%.3fx)\n", p.makespan, p.lower_bound,
		p.lower_bound > 0 ? p.makespan / p.lower_bound : 1.0);
	plan_fill(r, in, &p);
	makespan = p.makespan;
	bal_plan_release(&p);
	return makespan;
}

double plan_show(struct run *r, const struct timing_cache *tc, const struct options *o, unsigned *workers,
		 const struct plan_print_opts *po)
{
	struct plan_input in;
	struct bal_opts bo;
	double makespan;

	plan_input_build(&in, r, tc, *workers, 0, -1);
	plan_input_opts(&in, o, &bo);
	makespan = plan_print(r, &in, &bo, po);
	*workers = bo.workers;
	plan_input_release(&in);
	return makespan;
}
