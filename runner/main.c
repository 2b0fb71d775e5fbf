/*
 * main.c - balrun: the sequence, and nothing else.
 *
 *   1. parse the command line and .balrun.conf, decide the worker count
 *      (input/cli.c, config.c, workers.c); find the repository (repo.c);
 *   2. collect test cases from the binaries (collect/, through adapters/)
 *      and select them (input/select.c: -k, --lf; markers, --shard);
 *   3. plan: estimate and order them (plan/, balancer/);
 *   4. run them on the workers (exec/dispatch.c), showing progress
 *      (output/status.c), then check failures in context and run them
 *      alone if asked (exec/context.c, rerun.c);
 *   5. report (output/report.c), then write the timings back, whatever
 *      happened (timing-cache/), with the run's records freed first.
 * `balrun cache ...` goes to cache/cache-cmd.c at once.  Exit codes follow
 * pytest: common/exit-codes.h.  docs/architecture.md draws the whole.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balancer.h"
#include "cache-cmd.h"
#include "report-cmd.h"
#include "plan-input.h"
#include "checkpoint.h"
#include "cli.h"
#include "collect.h"
#include "config.h"
#include "context.h"
#include "depends.h"
#include "dist.h"
#include "dispatch.h"
#include "exit-codes.h"
#include "markers.h"
#include "workers.h"
#include "paths.h"
#include "phases.h"
#include "plan-print.h"
#include "preload.h"
#include "repo.h"
#include "budget.h"
#include "ci.h"
#include "jobserver.h"
#include "known.h"
#include "report.h"
#include "rerun.h"
#include "run.h"
#include "select.h"
#include "shard.h"
#include "sources.h"
#include "status.h"
#include "tcache.h"
#include "timings-git.h"
#include "util.h"

static void print_lines(const char *prefix, const char *text)
{
	const char *s = text;
	while (*s) {
		size_t n = strcspn(s, "\n");
		fprintf(stderr, "%s%.*s\n", prefix, (int)n, s);
		s += n + (s[n] == '\n');
	}
}

/* The local cache, its facts copied into r's tests (what: input/known.h). */
static struct timing_cache *open_cache(const struct options *o, const struct repo_info *repo,
				       struct run *r, unsigned what)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	struct timing_cache *tc;

	if (o->no_cache)
		return NULL;
	tc = known_open(r, o->cache_dir ? o->cache_dir : repo->cache_dir, what, &warn, &err);
	if (tc)
		tc_set_prune(tc, (uint32_t)o->prune_runs, (uint32_t)o->prune_days);
	if (warn.len)
		fprintf(stderr, "balrun: warning: %s\n", warn.buf);
	if (!tc)
		fprintf(stderr, "balrun: warning: %s; running without timings\n", err.buf);
	strbuf_release(&warn);
	strbuf_release(&err);
	return tc;
}

/* Tests that will not run, settled before the run: disabled ones skip, unrunnable ones are not run. */
static void finish_idle(struct run *r)
{
	for (size_t i = 0; i < r->ntests; i++) {
		struct test_case *t = &r->tests[i];
		const struct test_command *c = &r->bins[t->binary].cmd;

		if (!t->selected)
			continue;
		if (c->disabled)
			test_finish(t, OUTCOME_SKIP, "disabled (DISABLED in CTest)");
		else if (c->unrunnable)
			test_finish(t, OUTCOME_NOTRUN, c->unrunnable);
		else if (t->disabled)
			test_finish(t, OUTCOME_SKIP, "disabled in the test source");
	}
}

/* Saved even after an interrupt: the save is atomic and quick, and the timings are worth it. */
static void save_cache(struct timing_cache *tc, struct checkpoint *cp)
{
	struct strbuf err = STRBUF_INIT;
	if (!tc)
		return;
	if (tc_save(tc, &err))
		fprintf(stderr, "balrun: warning: timings not saved: %s\n", err.buf);
	else
		checkpoint_saved(cp);
	strbuf_release(&err);
}

/* Everything one balrun command holds, from parsing its arguments to saving its timings. */
struct balrun {
	struct options o;
	struct repo_info repo;
	struct run r;
	struct timing_cache *tc;
	struct timing_cache *plan_tc;   /* --timings-from REV, or NULL: plan with tc */
	char *worker, *shim;
	unsigned workers;
	struct workers_choice wc;       /* how the worker count was decided (workers.h) */
	struct strvec config_bins;      /* binaries from .balrun.conf when none were given */
	struct conf_frameworks frameworks; /* .balrun.conf's [framework "NAME"] (configured.h) */
	struct marker_set marks;        /* markers.h */
	struct shard shard;             /* --shard; total 0 without */
	size_t kept;                    /* groups kept together: order-dependent last time (dist.h) */
	double predicted;               /* the balancer's predicted makespan; 0: none */
	struct jobserver js;            /* make's or the machine's (exec/budget.h), if open */
	int has_js;
};

/* The timings to plan (and split shards) with: --timings-from REV's, else the local cache. */
static const struct timing_cache *balrun_timings(const struct balrun *s)
{
	return s->plan_tc ? s->plan_tc : s->tc;
}

/* Options, config, the worker count and the helper programs.  -1 to go on, else an exit code. */
static int prepare_options(struct balrun *s, int argc, char **argv, struct strbuf *err)
{
	int n;

	switch (cli_parse(&s->o, argc, argv, err)) {
	case CLI_EXIT_OK: return EXIT_OK;
	case CLI_ERROR: fprintf(stderr, "balrun: %s\n", err->buf); return EXIT_USAGE;
	case CLI_RUN: break;
	}
	repo_discover(&s->repo);
	if (config_apply(&s->o, &s->repo, &s->config_bins, &s->frameworks, &s->marks, err) ||
	    (s->o.shard && shard_parse(s->o.shard, &s->shard, err)) ||
	    paths_check_outputs(&s->o, err) ||
	    (n = workers_choose(&s->wc, s->o.workers_given, s->o.workers, s->o.config_workers, err)) < 0) {
		fprintf(stderr, "balrun: %s\n", err->buf);
		return EXIT_USAGE;
	}
	s->workers = (unsigned)n;
	s->shim = paths_helper(PRELOAD_SHIM_NAME, err);
	s->worker = s->shim ? paths_helper("balrun-worker", err) : NULL;
	if (!s->worker) {
		fprintf(stderr, "balrun: %s\n", err->buf);
		return EXIT_INTERNAL;
	}
	if (s->repo.note && s->o.verbose > 0)
		fprintf(stderr, "balrun: note: %s\n", s->repo.note);
	return -1;
}

/* The test commands (collect/sources.h) and their cases.  -1 to go on, else an exit code. */
static int gather_tests(struct balrun *s, struct strbuf *err, struct strbuf *notes)
{
	struct collect_opts co = { .timeout = s->o.collect_timeout, .shim = s->shim, .repo = &s->repo,
				   .frameworks = &s->frameworks };
	int from_config = s->config_bins.nr && s->o.binaries == s->config_bins.v;
	struct test_command *cmds;
	const char *origin = NULL;
	size_t n = 0;
	int ret = -1;

	switch (sources_gather(&s->o, s->o.binaries, s->o.nbinaries, from_config, &cmds, &n, &origin,
			       notes, err)) {
	case IMPORT_USAGE: print_lines("balrun: ", err->buf); ret = EXIT_USAGE; goto out;
	case IMPORT_ERROR:
		print_lines("balrun: ", err->buf);
		fprintf(stderr, "balrun: interrupted: errors during collection\n");
		ret = EXIT_INTERRUPTED;
		goto out;
	case IMPORT_OK: break;
	}
	if (!n && !strcmp(origin, "binaries")) {
		fprintf(stderr, "balrun: no test binaries given, and the current directory is no CMake, "
			"meson or automake build directory (usage: balrun [options] BINARY...)\n");
		ret = EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		cmds[i].framework = cmds[i].framework ? cmds[i].framework : s->o.framework;
	switch (collect(&s->r, cmds, n, &co, err, notes)) {
	case COLLECT_USAGE: print_lines("balrun: ", err->buf); ret = EXIT_USAGE; goto out;
	case COLLECT_ERROR:
		print_lines("balrun: ", err->buf);
		fprintf(stderr, "balrun: interrupted: errors during collection\n");
		ret = EXIT_INTERRUPTED;
		goto out;
	case COLLECT_OK: break;
	}
	if (!s->r.ntests) {
		fprintf(stderr, "balrun: no tests collected%s%s\n", strcmp(origin, "binaries") ? " from " : "",
			strcmp(origin, "binaries") ? origin : "");
		ret = EXIT_NO_TESTS;
	}
out:
	for (size_t i = 0; i < n; i++)
		test_command_release(&cmds[i]);
	free(cmds);
	return ret;
}

static int prepare(struct balrun *s, int argc, char **argv)
{
	struct strbuf err = STRBUF_INIT, notes = STRBUF_INIT;
	int ret = prepare_options(s, argc, argv, &err);

	if (ret < 0)
		ret = gather_tests(s, &err, &notes);
	malloc_trim(0);	/* the listings' text is gone: give its pages back before planning */
	if (s->o.verbose >= 0)
		print_lines("balrun: note: ", notes.buf);
	strbuf_release(&err);
	strbuf_release(&notes);
	return ret;
}

/* The worker count for the selected tests (workers.h); a warning for a count the machine cannot take. */
static void settle_workers(struct balrun *s)
{
	struct strbuf warn = STRBUF_INIT;

	s->workers = workers_settle(&s->wc, &s->r, balrun_timings(s), &warn);
	if (warn.len && s->o.verbose >= 0)
		fprintf(stderr, "balrun: warning: %s\n", warn.buf);
	strbuf_release(&warn);
}

/*
 * Markers applied to every test, then --shard, then (unless listing) the
 * worker count settled and the weights checked against it.  0, or -1 after
 * printing a usage error.
 */
static int resolve_markers(struct balrun *s, size_t *selected)
{
	struct strbuf err = STRBUF_INIT, warn = STRBUF_INIT;
	int ret = markers_from_commands(&s->marks, &s->r, s->workers, &err) ||
		  markers_resolve(&s->marks, &s->r, &warn, &err);

	if (!ret)
		s->kept = dist_apply(&s->r, &s->marks, (enum dist_mode)s->o.dist);
	if (!ret && s->shard.total) {
		shard_select(&s->shard, &s->r, s->plan_tc ? s->plan_tc : s->tc);
		*selected = s->shard.kept;
	}
	if (!ret && !s->o.list) {
		settle_workers(s);
		ret = markers_check_weight(&s->marks, &s->r, s->workers, &err);
	}
	if (s->o.verbose >= 0)
		print_lines("balrun: warning: ", warn.buf);
	print_lines("balrun: ", err.buf);
	strbuf_release(&err);
	strbuf_release(&warn);
	return ret;
}

/* The run's checkpoint (checkpoint.h); with --resume, tests that passed are finished here. */
static struct checkpoint *start_checkpoint(struct balrun *s, size_t *resumed)
{
	struct strbuf note = STRBUF_INIT;
	struct checkpoint *cp = NULL;

	*resumed = 0;
	if (s->o.no_cache && s->o.resume)
		fprintf(stderr, "balrun: note: --resume: no checkpoint with --no-cache; running every selected test\n");
	if (!s->o.no_cache)
		cp = checkpoint_open(s->o.cache_dir ? s->o.cache_dir : s->repo.cache_dir, &s->r,
				     s->o.resume, s->tc, resumed, &note);
	print_lines("balrun: note: ", note.buf);
	if (*resumed && s->o.verbose >= 0)
		printf("balrun: --resume: %zu tests passed before the interruption; not running them again\n",
		       *resumed);
	strbuf_release(&note);
	return cp;
}

/* What the CI system shows (--ci-output): GitHub annotations and step summary. */
static void report_ci(const struct balrun *s, const struct dispatch_stats *st,
		      const struct report_opts *ro)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	struct strbuf err = STRBUF_INIT;

	if (s->o.ci != CI_GITHUB)
		return;
	fflush(stdout);
	ci_github_annotations(stdout, &s->r);
	if (summary && *summary && ci_github_summary(summary, &s->r, st, ro, &err))
		fprintf(stderr, "balrun: %s\n", err.buf);
	strbuf_release(&err);
}

/* What the run prints before its first test (phases_opts.starting). */
struct run_header {
	struct balrun *s;
	size_t selected;
};

static void print_header(void *data, double predicted, unsigned workers)
{
	struct run_header *h = data;
	struct balrun *s = h->s;
	struct strbuf why = STRBUF_INIT;

	if (!s->predicted)
		s->predicted = predicted;
	if (s->o.verbose < 0)
		return;
	workers_explain(&s->wc, 1, &why);
	report_header(stdout, &s->r, h->selected, workers, why.len ? why.buf : NULL, predicted);
	strbuf_release(&why);
	if (s->kept)
		printf("balrun: keeping %zu group%s together: order-dependent tests in %s last time\n",
		       s->kept, s->kept == 1 ? "" : "s", s->kept == 1 ? "it" : "them");
}

static int run_tests(struct balrun *s, size_t selected, uint32_t levels)
{
	struct dispatch_stats st;
	struct run_observer obs = { 0 };
	struct status_opts so = { .out = stdout, .color = s->o.color, .verbose = s->o.verbose };
	struct report_opts ro = { .out = stdout, .verbose = s->o.verbose, .durations = s->o.durations };
	struct strbuf err = STRBUF_INIT;
	size_t resumed, counts[OUTCOME__COUNT];
	struct checkpoint *cp = start_checkpoint(s, &resumed);
	struct run_header header = { s, selected };
	struct phases_opts po = {
		.o = &s->o, .plan_tc = balrun_timings(s), .tc = s->tc, .levels = levels,
		.starting = print_header, .data = &header,
		.dispatch = { .workers = s->workers, .worker_path = s->worker, .timeout = s->o.timeout,
			      .maxfail = s->o.maxfail, .checkpoint = cp, .retries = (unsigned)s->o.retries,
			      .max_restarts = s->o.max_restarts >= 0 ? (unsigned)s->o.max_restarts :
					      PHASES_DEFAULT_RESTARTS,
			      .drop_passing_output = s->o.verbose <= 0 && !s->o.json && !s->o.junit &&
						     !s->o.timeline && !s->o.retries,
			      .jobserver = s->has_js ? &s->js : NULL },
	};
	struct dispatch_opts dopts = { 0 };
	struct status *status;
	int fatal, code, complete;

	status = status_new(&so);
	status_observer(status, &obs);
	if (s->tc)
		tc_set_run_info(s->tc, s->repo.head, wall_time_s());
	fatal = phases_run(&s->r, &po, &obs, &st, &dopts.workers, &err) != 0;
	status_done(status);
	if (fatal)
		fprintf(stderr, "balrun: internal error: %s\n", err.buf);
	if (!fatal && !st.interrupted && !st.aborted && !st.stopped && !st.smoke_failed) {
		struct context_opts xo = { s->worker, dopts.workers, s->o.timeout, s->o.verbose < 0, s->tc,
					   po.dispatch.jobserver };
		/* the verdicts come in the summary: no line per test of the re-run unless -v */
		struct status_opts xso = { stdout, s->o.color, s->o.verbose > 0 ? 1 : -2 };
		struct status *xstatus = status_new(&xso);
		struct run_observer xobs = { 0 };

		status_observer(xstatus, &xobs);
		if ((fatal = context_rerun(&s->r, &xo, &xobs, &st, &st.interrupted, &err) != 0))
			fprintf(stderr, "balrun: internal error: %s\n", err.buf);
		status_done(xstatus);
		status_free(xstatus);
	}
	report_counts(&s->r, counts);
	complete = !fatal && !st.interrupted && !st.aborted && !counts[OUTCOME_NOTRUN];
	if (s->o.rerun_serially && !fatal && !st.interrupted && !st.aborted) {
		struct rerun_opts rro = { s->worker, s->o.timeout, s->o.verbose < 0, po.dispatch.jobserver };

		if ((fatal = rerun_failed_serially(&s->r, &rro, &obs, &st.interrupted, &err) != 0))
			fprintf(stderr, "balrun: internal error: %s\n", err.buf);
		status_done(status);
	}
	code = report_exit_code(&s->r, &st, fatal);
	ro.color = status_color(status);
	ro.workers = dopts.workers;
	ro.exit_code = code;
	ro.ci = s->o.ci;
	ro.predicted = s->predicted;
	ro.shard = s->o.shard;
	report_print(&s->r, &st, &ro);
	report_ci(s, &st, &ro);
	strbuf_reset(&err);
	if (s->o.json && report_json(&s->r, &st, &ro, s->o.json, &err)) {
		fprintf(stderr, "balrun: %s\n", err.buf);
		if (code == EXIT_OK)
			code = EXIT_INTERNAL;
	}
	strbuf_reset(&err);
	if ((s->o.junit && report_junit(&s->r, &st, s->o.junit, &err)) ||
	    (s->o.trace && report_trace(&s->r, &ro, s->o.trace, &err)) ||
	    (s->o.timeline && report_timeline(&s->r, &st, &ro, s->o.timeline, &err))) {
		fprintf(stderr, "balrun: %s\n", err.buf);
		if (code == EXIT_OK)
			code = EXIT_INTERNAL;
	}
	status_free(status);
	dispatch_stats_release(&st);
	strbuf_release(&err);
	/*
	 * The reports are out and the timings keep their own copy of what they
	 * need: a million tests' records go before the save reads the file.
	 */
	run_release(&s->r);
	save_cache(s->tc, cp);
	checkpoint_close(cp, complete);
	return code;
}

/* The jobserver the run takes its slots from (exec/budget.h).  -1 to go on, else an exit code. */
static int open_budget(struct balrun *s)
{
	struct strbuf warn = STRBUF_INIT, note = STRBUF_INIT, err = STRBUF_INIT;
	int ret = budget_open(&s->js, s->o.share_machine, &warn, &note, &err);

	s->has_js = ret > 0;
	if (ret < 0)
		fprintf(stderr, "balrun: cannot share the machine: %s\n", err.buf);
	print_lines("balrun: warning: ", warn.buf);
	if (s->o.verbose > 0)
		print_lines("balrun: note: ", note.buf);
	strbuf_release(&warn);
	strbuf_release(&note);
	strbuf_release(&err);
	return ret < 0 ? EXIT_USAGE : -1;
}

/* --plan: print the predicted schedule, and draw it with --timeline. */
static int show_plan(struct balrun *s)
{
	struct plan_print_opts po = { stdout, s->o.verbose, &s->shard, &s->marks, NULL };
	struct report_opts ro = { .out = stdout, .planned = 1, .workers = s->workers };
	struct dispatch_stats st = { 0 };
	struct strbuf err = STRBUF_INIT, why = STRBUF_INIT;
	int code = EXIT_OK;

	workers_explain(&s->wc, 0, &why);
	po.workers_why = why.len ? why.buf : NULL;
	ro.predicted = st.wall = plan_show(&s->r, balrun_timings(s), &s->o, &ro.workers, &po);
	if (s->o.timeline && report_timeline(&s->r, &st, &ro, s->o.timeline, &err)) {
		fprintf(stderr, "balrun: %s\n", err.buf);
		code = EXIT_INTERNAL;
	}
	strbuf_release(&err);
	strbuf_release(&why);
	return code;
}

int main(int argc, char **argv)
{
	struct balrun s = { .js = JOBSERVER_INIT };
	struct strbuf note = STRBUF_INIT;
	size_t selected;
	uint32_t levels = 1;
	int code;

	/*
	 * Criterion marks its own test processes with BXFI_MAP; a Criterion
	 * binary started with it set believes it is such a child and aborts.
	 * balrun started from inside a Criterion test (as our own end-to-end
	 * tests do) must not pass it on to listers, workers or tests.
	 */
	unsetenv("BXFI_MAP");
	if (cache_cmd_wanted(argc, argv))
		return cache_cmd_main(argc - 1, argv + 1);
	if (report_cmd_wanted(argc, argv))
		return report_cmd_main(argc - 1, argv + 1);
	run_init(&s.r);
	code = prepare(&s, argc, argv);
	if (code >= 0)
		goto out;
	s.plan_tc = s.o.timings_from ? timings_git_for_run(s.o.timings_from, s.o.cache_dir) : NULL;
	if (s.plan_tc)
		known_from(&s.r, s.plan_tc, KNOWN_PLAN);
	/* --list of ids needs no timings */
	if (!s.o.list || s.o.last_failed || s.o.markers || s.o.shard)
		s.tc = open_cache(&s.o, &s.repo, &s.r, s.plan_tc ? KNOWN_LOCAL : KNOWN_LOCAL | KNOWN_PLAN);
	selected = select_tests(&s.r, s.o.keywords, s.o.nkeywords, s.o.last_failed, &note);
	print_lines("balrun: ", note.buf);
	strbuf_reset(&note);
	if (resolve_markers(&s, &selected) || !(levels = depends_levels(&s.r, &note))) {
		print_lines("balrun: ", note.buf);
		code = EXIT_USAGE;
		goto out;
	}
	if (s.o.list && s.o.markers) {
		markers_print(&s.marks, &s.r, stdout);
		code = selected ? EXIT_OK : EXIT_NO_TESTS;
		goto out;
	}
	if (s.o.list) {
		code = report_list(stdout, &s.r) ? EXIT_OK : EXIT_NO_TESTS;
		goto out;
	}
	if (!selected && s.shard.of) {
		shard_describe(&s.shard, stdout);	/* more shards than tests: nothing to do here */
		code = EXIT_OK;
		goto out;
	}
	if (!selected) {
		fprintf(stderr, "balrun: no tests selected (%zu collected, all deselected)\n", s.r.ntests);
		code = EXIT_NO_TESTS;
		goto out;
	}
	if (s.o.plan) {
		code = show_plan(&s);
		goto out;
	}
	if (s.shard.total && s.o.verbose >= 0)
		shard_describe(&s.shard, stdout);
	finish_idle(&s.r);
	code = open_budget(&s);
	if (code < 0)
		code = run_tests(&s, selected, levels);
out:
	jobserver_close(&s.js);
	strbuf_release(&note);
	tc_free(s.tc);
	tc_free(s.plan_tc);
	run_release(&s.r);
	repo_release(&s.repo);
	cli_release(&s.o);
	free(s.worker);
	free(s.shim);
	strvec_clear(&s.config_bins);
	conf_frameworks_release(&s.frameworks);
	marker_set_release(&s.marks);
	shard_release(&s.shard);
	return code;
}
