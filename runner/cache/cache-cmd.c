/*
 * cache-cmd.c - the `balrun cache` subcommands; see cache-cmd.h.
 *
 * A table of subcommands says which options each takes and how many
 * arguments; one getopt_long loop parses them all and rejects an option the
 * subcommand does not take.  Each subcommand then opens the cache
 * (--cache-dir, else the repository's shared .balrun/, as for runs) and
 * calls the timing cache: tc_merge_files, tc_prune, tc_record_test +
 * tc_save for imports, or cache-view.c to print.  Every change to the file
 * goes through the cache's lock, so commands and runs can overlap.
 */
#define _GNU_SOURCE
#include "cache-cmd.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache-view.h"
#include "exit-codes.h"
#include "junit.h"
#include "repo.h"
#include "tcache.h"
#include "util.h"

enum {
	CO_SORT = 1 << 0, CO_OUTPUT = 1 << 1, CO_RUNS = 1 << 2, CO_DAYS = 1 << 3,
	CO_FORMAT = 1 << 4, CO_PREFIX = 1 << 5, CO_FLAKY = 1 << 6,
};

struct cache_opts {
	const char *cache_dir, *output, *prefix;
	enum cache_sort sort;
	int sort_given, flaky;  /* --sort was given; --flaky */
	int runs, days;
	char **args;
	size_t nargs;
};

struct cache_sub {
	const char *name;
	unsigned opts;          /* CO_* it accepts (--cache-dir and --help: all) */
	size_t min_args;
	int many;               /* more than min_args arguments allowed */
	int (*run)(const struct cache_sub *, struct cache_opts *);
	const char *usage;
};

static const char cc_usage_text[] =
"usage: balrun cache SUBCOMMAND [options]\n"
"\n"
"  show [--sort duration|name|runs|pass-rate] [--flaky] [PATTERN...]\n"
"                      table of the cached tests (PATTERN: substring or glob);\n"
"                      --flaky: only those whose recent pass rate is below\n"
"                      100%, worst first\n"
"  merge [-o FILE] FILE...\n"
"                      merge timings files (CI shards) into the cache, or into\n"
"                      FILE with -o; per test the newest record wins\n"
"  prune [--runs K] [--days D]\n"
"                      drop tests not seen in the last K runs (default 50) and\n"
"                      not for D days (default 30); 0 turns a rule off\n"
"  export --format json [-o FILE]\n"
"                      the whole cache as JSON\n"
"  import-junit [--prefix STR] FILE...\n"
"                      record the results of JUnit XML files (ctest\n"
"                      --output-junit, Criterion --xml) as one run\n"
"\n"
"Every subcommand takes --cache-dir DIR (default: .balrun/ at the root of the\n"
"git repository, else in the current directory).\n"
"Exit status: 0 done, 1 a file could not be read or written, 4 usage error.\n";

static struct timing_cache *cc_open(const struct cache_opts *o)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	struct repo_info repo = { 0 };
	struct timing_cache *c;

	if (!o->cache_dir) {
		repo_discover(&repo);
		if (repo.note)
			fprintf(stderr, "balrun: note: %s\n", repo.note);
	}
	c = tc_open(o->cache_dir ? o->cache_dir : repo.cache_dir, &warn, &err);
	if (warn.len)
		fprintf(stderr, "balrun: warning: %s\n", warn.buf);
	if (!c)
		fprintf(stderr, "balrun: %s\n", err.buf);
	repo_release(&repo);
	strbuf_release(&warn);
	strbuf_release(&err);
	return c;
}

static int cc_show(const struct cache_sub *sub, struct cache_opts *o)
{
	struct timing_cache *c = cc_open(o);

	if (!c)
		return EXIT_FAILED;
	/* --flaky: worst pass rate first, unless --sort says otherwise */
	cache_view_show(c, o->args, o->nargs, o->flaky && !o->sort_given ? CACHE_SORT_PASS_RATE : o->sort,
			o->flaky, stdout);
	tc_free(c);
	return EXIT_OK;
}

/* Print the warnings (one per line) and the error of a cache operation. */
static int cc_report(int failed, const struct strbuf *warn, const struct strbuf *err)
{
	const char *s = warn->buf;

	while (*s) {
		size_t n = strcspn(s, "\n");
		fprintf(stderr, "balrun: warning: %.*s\n", (int)n, s);
		s += n + (s[n] == '\n');
	}
	if (failed)
		fprintf(stderr, "balrun: %s\n", err->buf);
	return failed ? EXIT_FAILED : EXIT_OK;
}

static int cc_merge(const struct cache_sub *sub, struct cache_opts *o)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	struct timing_cache *c;
	int code;

	if (o->output) {
		c = tc_open_file(o->output, &warn, &err);
		if (!c)
			return cc_report(1, &warn, &err);
	} else if (!(c = cc_open(o))) {
		return EXIT_FAILED;
	}
	code = cc_report(tc_merge_files(c, (const char *const *)o->args, o->nargs, !!o->output,
					&warn, &err),
			 &warn, &err);
	if (code == EXIT_OK)
		printf("balrun: merged %zu file%s into '%s': %zu tests\n", o->nargs,
		       o->nargs == 1 ? "" : "s", tc_path(c), tc_count(c));
	tc_free(c);
	strbuf_release(&warn);
	strbuf_release(&err);
	return code;
}

static int cc_prune(const struct cache_sub *sub, struct cache_opts *o)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	struct timing_cache *c = cc_open(o);
	size_t before, dropped = 0;
	int code;

	if (!c)
		return EXIT_FAILED;
	before = tc_count(c);
	tc_set_prune(c, (uint32_t)o->runs, (uint32_t)o->days);
	code = cc_report(tc_prune(c, &dropped, &err), &warn, &err);
	if (code == EXIT_OK)
		printf("balrun: pruned %zu of %zu tests from '%s' (kept: seen in the last %d runs "
		       "or %d days; 0 = rule off)\n", dropped, before > dropped ? before : dropped,
		       tc_path(c), o->runs, o->days);
	tc_free(c);
	strbuf_release(&warn);
	strbuf_release(&err);
	return code;
}

static int cc_export(const struct cache_sub *sub, struct cache_opts *o)
{
	struct strbuf err = STRBUF_INIT;
	struct timing_cache *c = cc_open(o);
	FILE *out = stdout;
	int code = EXIT_OK;

	if (!c)
		return EXIT_FAILED;
	if (o->output && !(out = fopen(o->output, "w"))) {
		fprintf(stderr, "balrun: export: cannot create '%s': %s\n", o->output, strerror(errno));
		tc_free(c);
		return EXIT_FAILED;
	}
	if (cache_view_export_json(c, out, &err) || (out != stdout && fclose(out))) {
		fprintf(stderr, "balrun: %s%s'%s'\n", err.buf, err.len ? " to " : "export: cannot write ",
			o->output ? o->output : "stdout");
		code = EXIT_FAILED;
	}
	tc_free(c);
	strbuf_release(&err);
	return code;
}

static int cc_import_junit(const struct cache_sub *sub, struct cache_opts *o)
{
	struct junit_results res = { 0 };
	struct strbuf err = STRBUF_INIT, warn = STRBUF_INIT;
	struct timing_cache *c = NULL;
	int code = EXIT_FAILED;

	for (size_t i = 0; i < o->nargs; i++)
		if (junit_read(o->args[i], o->prefix, &res, &err)) {
			fprintf(stderr, "balrun: import-junit: %s\n", err.buf);
			goto out;
		}
	if (!(c = cc_open(o)))
		goto out;
	for (size_t i = 0; i < res.nr; i++)
		tc_record_test(c, res.v[i].id, res.v[i].outcome, res.v[i].seconds, 0);
	code = cc_report(tc_save(c, &err), &warn, &err);
	if (code == EXIT_OK)
		printf("balrun: imported %zu results from %zu file%s into '%s' (run %u)\n", res.nr,
		       o->nargs, o->nargs == 1 ? "" : "s", tc_path(c), (unsigned)tc_last_run(c));
out:
	tc_free(c);
	junit_results_release(&res);
	strbuf_release(&err);
	strbuf_release(&warn);
	return code;
}

static const struct cache_sub cc_subs[] = {
	{ "show", CO_SORT | CO_FLAKY, 0, 1, cc_show,
	  "show [--sort duration|name|runs|pass-rate] [--flaky] [PATTERN...]" },
	{ "merge", CO_OUTPUT, 1, 1, cc_merge, "merge [-o FILE] FILE..." },
	{ "prune", CO_RUNS | CO_DAYS, 0, 0, cc_prune, "prune [--runs K] [--days D]" },
	{ "export", CO_FORMAT | CO_OUTPUT, 0, 0, cc_export, "export --format json [-o FILE]" },
	{ "import-junit", CO_PREFIX, 1, 1, cc_import_junit, "import-junit [--prefix STR] FILE..." },
};

enum { CO_OPT_CACHE_DIR = 256, CO_OPT_SORT, CO_OPT_RUNS, CO_OPT_DAYS, CO_OPT_FORMAT, CO_OPT_PREFIX,
       CO_OPT_FLAKY };

static const struct option cc_long_options[] = {
	{ "cache-dir", required_argument, NULL, CO_OPT_CACHE_DIR },
	{ "sort", required_argument, NULL, CO_OPT_SORT },
	{ "output", required_argument, NULL, 'o' },
	{ "runs", required_argument, NULL, CO_OPT_RUNS },
	{ "days", required_argument, NULL, CO_OPT_DAYS },
	{ "format", required_argument, NULL, CO_OPT_FORMAT },
	{ "prefix", required_argument, NULL, CO_OPT_PREFIX },
	{ "flaky", no_argument, NULL, CO_OPT_FLAKY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Which CO_* bit an option needs (0: every subcommand takes it). */
static unsigned cc_bit(int c)
{
	switch (c) {
	case CO_OPT_SORT: return CO_SORT;
	case 'o': return CO_OUTPUT;
	case CO_OPT_RUNS: return CO_RUNS;
	case CO_OPT_DAYS: return CO_DAYS;
	case CO_OPT_FORMAT: return CO_FORMAT;
	case CO_OPT_PREFIX: return CO_PREFIX;
	case CO_OPT_FLAKY: return CO_FLAKY;
	}
	return 0;
}

static int cc_parse_one(struct cache_opts *o, int c, const char *arg, struct strbuf *err)
{
	switch (c) {
	case CO_OPT_CACHE_DIR: o->cache_dir = arg; return 0;
	case CO_OPT_SORT: o->sort_given = 1; return cache_view_parse_sort(arg, &o->sort, err);
	case CO_OPT_FLAKY: o->flaky = 1; return 0;
	case 'o': o->output = arg; return 0;
	case CO_OPT_RUNS: return cli_parse_count("--runs", arg, 0, &o->runs, err);
	case CO_OPT_DAYS: return cli_parse_count("--days", arg, 0, &o->days, err);
	case CO_OPT_PREFIX: o->prefix = arg; return 0;
	case CO_OPT_FORMAT:
		if (!strcmp(arg, "json"))
			return 0;
		strbuf_addf(err, "--format: '%s' is not a known format (json)", arg);
		return -1;
	}
	return -1;
}

/* Parse the options of sub from argv (argv[0] is its name); 0, 1 (--help) or -1. */
static int cc_parse(const struct cache_sub *sub, struct cache_opts *o, int argc, char **argv,
		    struct strbuf *err)
{
	int c, format = 0, li = -1;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", cc_long_options, &li)) != -1) {
		if (c == 'h')
			return 1;
		if (c == '?' || c == ':') {
			strbuf_addf(err, "unknown option or missing value: '%s'", argv[optind - 1]);
			return -1;
		}
		if (cc_bit(c) && !(sub->opts & cc_bit(c))) {
			strbuf_addf(err, "'%s%s' is not an option of this subcommand", c == 'o' ? "-" : "--",
				    c == 'o' ? "o" : cc_long_options[li].name);
			return -1;
		}
		format |= c == CO_OPT_FORMAT;
		if (cc_parse_one(o, c, optarg, err))
			return -1;
	}
	o->args = argv + optind;
	o->nargs = (size_t)(argc - optind);
	if (o->nargs < sub->min_args || (!sub->many && o->nargs > sub->min_args))
		strbuf_addf(err, "%s", o->nargs < sub->min_args ? "missing FILE arguments"
							   : "takes no arguments");
	else if ((sub->opts & CO_FORMAT) && !format)
		strbuf_addf(err, "--format is required");
	return err->len ? -1 : 0;
}

int cache_cmd_wanted(int argc, char **argv)
{
	return argc > 1 && !strcmp(argv[1], "cache");
}

int cache_cmd_main(int argc, char **argv)
{
	struct cache_opts o = { .sort = CACHE_SORT_DURATION, .runs = TC_PRUNE_RUNS,
				.days = TC_PRUNE_DAYS };
	struct strbuf err = STRBUF_INIT;
	int r;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(cc_usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cc_subs); i++) {
		const struct cache_sub *sub = &cc_subs[i];
		if (strcmp(argv[1], sub->name))
			continue;
		r = cc_parse(sub, &o, argc - 1, argv + 1, &err);
		if (r > 0)
			printf("usage: balrun cache %s\n", sub->usage);
		else if (r < 0)
			fprintf(stderr, "balrun: cache %s: %s (usage: balrun cache %s)\n", sub->name,
				err.buf, sub->usage);
		strbuf_release(&err);
		return r < 0 ? EXIT_USAGE : r > 0 ? EXIT_OK : sub->run(sub, &o);
	}
	fprintf(stderr, "balrun: cache: unknown subcommand '%s' (show, merge, prune, export, "
		"import-junit; see balrun cache --help)\n", argv[1]);
	return EXIT_USAGE;
}
