/*
 * cli.c - parse balrun's command line; see cli.h.
 *
 * getopt_long does the splitting; each flag's value is checked here so that
 * a bad value is reported as "balrun: --maxfail: 'x' is not a whole number"
 * and never silently becomes 0.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "markers.h"
#include "tcache.h"
#include "util.h"
#include "workers.h"

#ifndef BALRUN_VERSION
#define BALRUN_VERSION "0.1.0"
#endif

static const char usage_text[] =
"usage: balrun [options] [--] BINARY...\n"
"       balrun [options]     (in a CMake, meson or automake build directory: its\n"
"                            tests)\n"
"       balrun cache show|merge|prune|export|import-junit ...  (balrun cache --help)\n"
"       balrun report RUN.json [--timeline|--junit|--trace FILE]  (balrun report --help)\n"
"\n"
"Run the test cases of Criterion, cmocka and plain test binaries on N worker\n"
"processes, longest first by remembered timings, with a few fast smoke tests\n"
"up front.\n"
"\n"
"Build systems (with no BINARY: the current directory's, if it is one):\n"
"      --ctest DIR       run the tests CTest registered in the CMake build DIR\n"
"  -C, --build-config CFG    the configuration to test (ctest -C, multi-config)\n"
"      --meson DIR       run the tests meson registered in the build DIR\n"
"      --benchmarks      with meson: its benchmarks instead of its tests\n"
"      --automake DIR    run the tests `make check` runs in the automake build DIR\n"
"                        (libtool wrappers are seen through, everywhere)\n"
"      --no-log-compiler automake: run test programs without their LOG_COMPILER,\n"
"                        so that cmocka and Criterion ones split into cases\n"
"  -R, --tests-regex RE  only registered tests whose name matches RE (as ctest)\n"
"  -E, --exclude-regex RE    leave out registered tests whose name matches RE\n"
"  -L, --label-regex RE  only tests with a label (CTest LABELS, meson suite)\n"
"                        matching RE; repeatable: all must match\n"
"      -LE, --label-exclude RE   leave out tests with a label matching RE\n"
"      --suite NAME      meson: only tests of suite NAME (project:suite too)\n"
"      --no-suite NAME   meson: leave out tests of suite NAME\n"
"      --timeout-multiplier X    multiply the time limits the build system\n"
"                        registered by X (as meson test -t; 0: no limits)\n"
"      --framework NAME  run the binaries given with the adapter NAME instead of\n"
"                        the one that recognises them (plain: each whole)\n"
"\n"
"Selection:\n"
"  -k PATTERN            only tests whose id (or label) contains PATTERN or\n"
"                        matches it as a glob; repeatable (any may match);\n"
"                        'not PATTERN' excludes\n"
"      --lf, --last-failed   only the tests that failed last time\n"
"      --ff, --failed-first  last run's failures first (default)\n"
"      --no-ff               no special place for last run's failures\n"
"      --list            print the collected test ids and exit\n"
"\n"
"Running:\n"
"  -n, --workers N|auto  worker processes (default auto: CPUs in the affinity\n"
"                        mask, capped by the cgroup CPU quota and by the memory\n"
"                        the heaviest selected test needs; the environment\n"
"                        variable BALRUN_WORKERS overrides auto)\n"
"  -x, --exitfirst       stop at the first failure (same as --maxfail 1)\n"
"      --maxfail N       stop after N failures; running tests are stopped\n"
"      --timeout SECONDS time limit of each test (default: none)\n"
"      --collect-timeout SECONDS\n"
"                        time limit for listing one binary's tests (default 30)\n"
"      --smoke K         run the K fastest known tests first (default min(N,4));\n"
"                        if 2 or more that passed last time all fail, the\n"
"                        run stops\n"
"      --max-worker-restart N\n"
"                        replace lost workers at most N times (default 4 x N)\n"
"      --resume          after an interrupted run, skip the tests that passed in\n"
"                        it (read from the checkpoint in the cache directory)\n"
"      --retries N       run a test that failed, crashed or timed out again, up\n"
"                        to N times; one that then passes is FLAKY (exit 0)\n"
"      --rerun-failed-serially\n"
"                        after the run, run every failed test again alone, one\n"
"                        at a time, and say which failed only in parallel\n"
"      --dist case|group|binary\n"
"                        spread each test on its own (default), each group or\n"
"                        suite as one unit, or each binary as one unit\n"
"                        (pytest-xdist's load, loadscope, loadfile)\n"
"      --share-machine[=N|auto|no]\n"
"                        run at most N tests (auto: the CPUs) together with the\n"
"                        other runs on this machine that share it; under\n"
"                        make -jN, make's jobserver decides instead\n"
"\n"
"Timings:\n"
"      --cache-dir DIR   where timings live (default .balrun/ at the root of the\n"
"                        git repository, else in the current directory)\n"
"      --no-cache        neither read nor write timings\n"
"      --timings-from REV\n"
"                        plan with the timings committed at git revision REV\n"
"                        (e.g. origin/main); this run's results still go to\n"
"                        the local cache\n"
"      --prune-runs K, --prune-days D\n"
"                        on save, forget tests not seen in the last K runs\n"
"                        (default 50) and for D days (default 30); 0: rule off\n"
"\n"
"Markers, shards, plans (PATTERN: a glob over test ids, bin::suite/name):\n"
"      --group NAME=PATTERN  matching tests form one unit on one worker, in a row\n"
"      --serial PATTERN  matching tests run alone\n"
"      --lock NAME=PATTERN   no two matching tests run at the same time\n"
"      --weight N=PATTERN    matching tests occupy N of the workers\n"
"      --markers         with --list: each test's markers and where they come\n"
"                        from (include/balrun.h, .balrun.conf, the command line)\n"
"      --config FILE     read FILE instead of .balrun.conf at the repository root\n"
"      --no-config       read no config file\n"
"      --shard K/N|ci[/N]  run only shard K of N time-balanced shards (1-based;\n"
"                        ci: from the CI engine's variables, CI_NODE_INDEX/\n"
"                        CI_NODE_TOTAL and the like; docs/ci.md)\n"
"      --plan            print the predicted order, per-worker load and makespan\n"
"                        against the lower bound; run nothing\n"
"\n"
"Output:\n"
"  -v, --verbose         also show passing tests' output\n"
"  -q, --quiet           only failures and the summary\n"
"      --durations N     show the N slowest tests (0: all)\n"
"      --json FILE       write a machine-readable report to FILE\n"
"      --junit FILE      write a JUnit XML report to FILE (for CI)\n"
"      --timeline FILE   a picture of the run: an HTML Gantt chart, a lane per\n"
"                        worker (one self-contained file)\n"
"      --trace FILE      the run as Chrome trace events (Perfetto, chrome://tracing)\n"
"      --ci-output WHERE none, github, gitlab or auto (the default: GitHub\n"
"                        annotations and step summary, GitLab sections)\n"
"      --color WHEN      auto, always or never (NO_COLOR is honoured)\n"
"  -h, --help            this text\n"
"      --version         balrun's version\n"
"\n"
"Exit status: 0 all passed, 1 some failed, 2 interrupted or collection errors,\n"
"3 internal error, 4 usage error, 5 no tests collected.\n"
"See balrun(1) and docs/ for the details.\n";

enum {
	OPT_LF = 256, OPT_FF, OPT_NO_FF, OPT_LIST, OPT_MAXFAIL, OPT_TIMEOUT,
	OPT_COLLECT_TIMEOUT, OPT_SMOKE, OPT_CACHE_DIR, OPT_NO_CACHE, OPT_DURATIONS,
	OPT_JSON, OPT_JUNIT, OPT_TRACE, OPT_TIMELINE, OPT_CI_OUTPUT, OPT_COLOR, OPT_VERSION,
	OPT_TIMINGS_FROM, OPT_PRUNE_RUNS, OPT_PRUNE_DAYS,
	OPT_GROUP, OPT_SERIAL, OPT_LOCK, OPT_WEIGHT, OPT_MARKERS, OPT_PLAN, OPT_SHARD, OPT_CONFIG,
	OPT_NO_CONFIG, OPT_MAX_RESTART, OPT_RESUME, OPT_RETRIES, OPT_RERUN_SERIALLY, OPT_DIST,
	OPT_CTEST, OPT_MESON, OPT_AUTOMAKE, OPT_NO_LOG_COMPILER, OPT_BENCHMARKS, OPT_LABEL_EXCLUDE, OPT_SUITE,
	OPT_NO_SUITE, OPT_FRAMEWORK, OPT_TIMEOUT_MULTIPLIER, OPT_SHARE_MACHINE,
};

static const struct option long_options[] = {
	{ "workers", required_argument, NULL, 'n' },
	{ "exitfirst", no_argument, NULL, 'x' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "lf", no_argument, NULL, OPT_LF },
	{ "last-failed", no_argument, NULL, OPT_LF },
	{ "ff", no_argument, NULL, OPT_FF },
	{ "failed-first", no_argument, NULL, OPT_FF },
	{ "no-ff", no_argument, NULL, OPT_NO_FF },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "maxfail", required_argument, NULL, OPT_MAXFAIL },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "collect-timeout", required_argument, NULL, OPT_COLLECT_TIMEOUT },
	{ "smoke", required_argument, NULL, OPT_SMOKE },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "timings-from", required_argument, NULL, OPT_TIMINGS_FROM },
	{ "prune-runs", required_argument, NULL, OPT_PRUNE_RUNS },
	{ "prune-days", required_argument, NULL, OPT_PRUNE_DAYS },
	{ "durations", required_argument, NULL, OPT_DURATIONS },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "ci-output", required_argument, NULL, OPT_CI_OUTPUT },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "timeline", required_argument, NULL, OPT_TIMELINE },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "max-worker-restart", required_argument, NULL, OPT_MAX_RESTART },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "rerun-failed-serially", no_argument, NULL, OPT_RERUN_SERIALLY },
	{ "dist", required_argument, NULL, OPT_DIST },
	{ "share-machine", optional_argument, NULL, OPT_SHARE_MACHINE },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "lock", required_argument, NULL, OPT_LOCK },
	{ "weight", required_argument, NULL, OPT_WEIGHT },
	{ "markers", no_argument, NULL, OPT_MARKERS },
	{ "plan", no_argument, NULL, OPT_PLAN },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
	{ "ctest", required_argument, NULL, OPT_CTEST },
	{ "meson", required_argument, NULL, OPT_MESON },
	{ "benchmarks", no_argument, NULL, OPT_BENCHMARKS },
	{ "automake", required_argument, NULL, OPT_AUTOMAKE },
	{ "no-log-compiler", no_argument, NULL, OPT_NO_LOG_COMPILER },
	{ "tests-regex", required_argument, NULL, 'R' },
	{ "exclude-regex", required_argument, NULL, 'E' },
	{ "label-regex", required_argument, NULL, 'L' },
	{ "label-exclude", required_argument, NULL, OPT_LABEL_EXCLUDE },
	{ "suite", required_argument, NULL, OPT_SUITE },
	{ "no-suite", required_argument, NULL, OPT_NO_SUITE },
	{ "framework", required_argument, NULL, OPT_FRAMEWORK },
	{ "timeout-multiplier", required_argument, NULL, OPT_TIMEOUT_MULTIPLIER },
	{ "build-config", required_argument, NULL, 'C' },
	{ NULL, 0, NULL, 0 },
};

/* indexed by OPT_GROUP.. in enum order */
static const char *const marker_flags[] = { "--group", "--serial", "--lock", "--weight" };

int cli_parse_count(const char *flag, const char *s, int min, int *out, struct strbuf *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s && !*end && v >= min && (errno == ERANGE || v > CLI_COUNT_MAX)) {
		strbuf_addf(err, "%s: '%s' is more than %d", flag, s, CLI_COUNT_MAX);
		return -1;
	}
	if (!*s || *end || errno || v < min) {
		strbuf_addf(err, "%s: '%s' is not a whole number from %d up", flag, s, min);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int cli_parse_share(const char *what, const char *s, int *out, struct strbuf *err)
{
	char *end;
	long v;

	if (!s || !strcmp(s, "auto")) {
		*out = 0;
		return 0;
	}
	if (!strcmp(s, "no")) {
		*out = -1;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*s && !*end && !errno && v >= 1 && v <= CLI_COUNT_MAX) {
		*out = (int)v;
		return 0;
	}
	strbuf_addf(err, "%s: '%s' is not a number from 1 up, auto or no", what, s);
	return -1;
}

static void cli_adapter_names(struct strbuf *sb)
{
	size_t n;
	const struct adapter *const *all = adapter_all(&n);

	for (size_t i = 0, k = 0; i < n; i++)
		if (!(all[i]->flags & ADAPTER_CONFIG))	/* .balrun.conf's [framework] sections choose it */
			strbuf_addf(sb, "%s%s", k++ ? ", " : "", all[i]->name);
}

/* A regular expression for -R, -E, -L, -LE: checked here (POSIX extended, as ctest's). */
static int cli_regex(const char *flag, const char *s, struct strvec *out, struct strbuf *err)
{
	regex_t re;
	int rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB);

	if (rc) {
		char why[128];

		regerror(rc, &re, why, sizeof(why));
		strbuf_addf(err, "%s: '%s' is not a regular expression: %s", flag, s, why);
		return -1;
	}
	regfree(&re);
	strvec_push(out, s);
	return 0;
}

static int cli_seconds(const char *flag, const char *s, double *out, struct strbuf *err)
{
	const char *why;

	if (!parse_seconds(s, out, &why))
		return 0;
	strbuf_addf(err, "%s: '%s' %s", flag, s, why);
	return -1;
}

static int parse_color(const char *s, int *out, struct strbuf *err)
{
	if (!strcmp(s, "auto"))
		*out = -1;
	else if (!strcmp(s, "always"))
		*out = 1;
	else if (!strcmp(s, "never"))
		*out = 0;
	else {
		strbuf_addf(err, "--color: '%s' is not one of auto, always, never", s);
		return -1;
	}
	return 0;
}

/*
 * --ci-output: "none", "github", "gitlab" or "auto" (GITHUB_ACTIONS=true:
 * github; GITLAB_CI=true: gitlab; else none).  0, or -1 if s is none of them.
 */
static int cli_ci_output(const char *s, enum ci_mode *mode)
{
	const char *gh = getenv("GITHUB_ACTIONS"), *gl = getenv("GITLAB_CI");

	if (!strcmp(s, "none"))
		*mode = CI_NONE;
	else if (!strcmp(s, "github"))
		*mode = CI_GITHUB;
	else if (!strcmp(s, "gitlab"))
		*mode = CI_GITLAB;
	else if (!strcmp(s, "auto"))
		*mode = gh && !strcmp(gh, "true") ? CI_GITHUB : gl && !strcmp(gl, "true") ? CI_GITLAB : CI_NONE;
	else
		return -1;
	return 0;
}

static int parse_one(struct options *o, int c, const char *arg, struct strbuf *err)
{
	switch (c) {
	case 'n': o->workers_given = 1; return workers_parse("-n", arg, &o->workers, err);
	case 'x': o->maxfail = 1; return 0;
	case 'v': o->verbose++; return 0;
	case 'q': o->verbose--; return 0;
	case 'k':
		ALLOC_GROW(o->keywords, o->nkeywords + 1, o->keywords_alloc);
		o->keywords[o->nkeywords++] = xstrdup(arg);
		return 0;
	case OPT_LF: o->last_failed = 1; return 0;
	case OPT_FF: o->failed_first = 1; return 0;
	case OPT_NO_FF: o->failed_first = 0; return 0;
	case OPT_LIST: o->list = 1; return 0;
	case OPT_MAXFAIL: return cli_parse_count("--maxfail", arg, 1, &o->maxfail, err);
	case OPT_TIMEOUT: return cli_seconds("--timeout", arg, &o->timeout, err);
	case OPT_COLLECT_TIMEOUT:
		return cli_seconds("--collect-timeout", arg, &o->collect_timeout, err);
	case OPT_SMOKE: return cli_parse_count("--smoke", arg, 0, &o->smoke, err);
	case OPT_CACHE_DIR: o->cache_dir = arg; return 0;
	case OPT_NO_CACHE: o->no_cache = 1; return 0;
	case OPT_TIMINGS_FROM: o->timings_from = arg; return 0;
	case OPT_PRUNE_RUNS: return cli_parse_count("--prune-runs", arg, 0, &o->prune_runs, err);
	case OPT_PRUNE_DAYS: return cli_parse_count("--prune-days", arg, 0, &o->prune_days, err);
	case OPT_DURATIONS:
		if (cli_parse_count("--durations", arg, 0, &o->durations, err))
			return -1;
		if (o->durations == 0)
			o->durations = -1;
		return 0;
	case OPT_JSON: o->json = arg; return 0;
	case OPT_JUNIT: o->junit = arg; return 0;
	case OPT_TRACE: o->trace = arg; return 0;
	case OPT_TIMELINE: o->timeline = arg; return 0;
	case OPT_CI_OUTPUT:
		if (!cli_ci_output(arg, &o->ci))
			return 0;
		strbuf_addf(err, "--ci-output: '%s' is not one of none, github, gitlab, auto", arg);
		return -1;
	case OPT_COLOR: return parse_color(arg, &o->color, err);
	case OPT_MAX_RESTART: return cli_parse_count("--max-worker-restart", arg, 0, &o->max_restarts, err);
	case OPT_RESUME: o->resume = 1; return 0;
	case OPT_RETRIES:
		if (cli_parse_count("--retries", arg, 0, &o->retries, err))
			return -1;
		if (o->retries > CLI_RETRIES_MAX) {
			strbuf_addf(err, "--retries: %s is more than %d (a test that fails that often is "
				    "failing, not flaky)", arg, CLI_RETRIES_MAX);
			return -1;
		}
		return 0;
	case OPT_RERUN_SERIALLY: o->rerun_serially = 1; return 0;
	case OPT_SHARE_MACHINE:
		o->share_given = 1;
		return cli_parse_share("--share-machine", arg, &o->share_machine, err);
	case OPT_DIST:
		if ((o->dist = dist_parse(arg)) > 0)
			return 0;
		strbuf_addf(err, "--dist: '%s' is not one of case, group, binary (or load, loadscope, "
			    "loadfile)", arg);
		return -1;
	case OPT_GROUP: case OPT_SERIAL: case OPT_LOCK: case OPT_WEIGHT:
		/* checked by markers_add_cli, which names the flag */
		strvec_push(&o->marker_args, marker_flags[c - OPT_GROUP]);
		strvec_push(&o->marker_args, arg);
		return 0;
	case OPT_MARKERS: o->markers = o->list = 1; return 0;
	case OPT_PLAN: o->plan = 1; return 0;
	case OPT_SHARD: o->shard = arg; return 0;
	case OPT_CONFIG: o->config = arg; return 0;
	case OPT_NO_CONFIG: o->no_config = 1; return 0;
	case OPT_CTEST: o->ctest_dir = arg; return 0;
	case OPT_MESON: o->meson_dir = arg; return 0;
	case OPT_BENCHMARKS: o->benchmarks = 1; return 0;
	case OPT_AUTOMAKE: o->automake_dir = arg; return 0;
	case OPT_NO_LOG_COMPILER: o->no_log_compiler = 1; return 0;
	case 'C': o->build_config = arg; return 0;
	case 'R': return cli_regex("-R", arg, &o->tests_regex, err);
	case 'E': return cli_regex("-E", arg, &o->exclude_regex, err);
	case 'L': return cli_regex("-L", arg, &o->label_regex, err);
	case OPT_LABEL_EXCLUDE: return cli_regex("-LE", arg, &o->label_exclude, err);
	case OPT_SUITE: strvec_push(&o->suites, arg); return 0;
	case OPT_NO_SUITE: strvec_push(&o->no_suites, arg); return 0;
	case OPT_TIMEOUT_MULTIPLIER: {
		char *end;

		errno = 0;
		o->timeout_multiplier = strtod(arg, &end);
		if (*arg && !*end && !errno && o->timeout_multiplier >= 0 && o->timeout_multiplier <= 1e6)
			return 0;
		strbuf_addf(err, "--timeout-multiplier: '%s' is not a number from 0 to 1000000", arg);
		return -1;
	}
	case OPT_FRAMEWORK:
		if (adapter_by_name(arg) && !(adapter_by_name(arg)->flags & ADAPTER_CONFIG)) {
			o->framework = arg;
			return 0;
		}
		strbuf_addf(err, "--framework: '%s' is not a framework balrun knows (", arg);
		cli_adapter_names(err);
		strbuf_addch(err, ')');
		return -1;
	}
	return -1;
}

/* 1 if name (len bytes) is one of balrun's long options. */
static int cli_known_long(const char *name, size_t len)
{
	for (const struct option *opt = long_options; opt->name; opt++)
		if (strlen(opt->name) == len && !strncmp(opt->name, name, len))
			return 1;
	return 0;
}

/* How many long options start with name (len bytes); each one's name goes to list if given. */
static int cli_prefix_of(const char *name, size_t len, struct strbuf *list)
{
	int n = 0;

	for (const struct option *opt = long_options; opt->name; opt++) {
		if (strncmp(opt->name, name, len))
			continue;
		if (list)
			strbuf_addf(list, "%s --%s", n ? "," : "", opt->name);
		n++;
	}
	return n;
}

/*
 * What getopt_long could not take: ':' a missing value, '?' an unknown
 * option.  typed is the argument as given ("--timeout", "--bogus=1", "-z"),
 * optopt the short option for '-z' and clusters.
 */
static void cli_bad_option(int c, const char *typed, struct strbuf *err)
{
	size_t n = strcspn(typed, "=");

	if (c == ':' && starts_with(typed, "--"))
		strbuf_addf(err, "%.*s needs a value (see balrun --help)", (int)n, typed);
	else if (c == ':')
		strbuf_addf(err, "-%c needs a value (see balrun --help)", optopt);
	else if (optopt > 0 && optopt < 128 && !starts_with(typed, "--"))
		strbuf_addf(err, "unknown option '-%c' (see balrun --help)", optopt);
	else if (typed[n] == '=' && cli_known_long(typed + 2, n - 2))
		strbuf_addf(err, "%.*s takes no value (see balrun --help)", (int)n, typed);
	else if (starts_with(typed, "--") && cli_prefix_of(typed + 2, n - 2, NULL) > 1) {
		strbuf_addf(err, "'%.*s' is ambiguous: it could be", (int)n, typed);
		cli_prefix_of(typed + 2, n - 2, err);
	} else
		strbuf_addf(err, "unknown option '%.*s' (see balrun --help)", (int)n, typed);
}

static void options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->failed_first = 1;
	o->collect_timeout = 30;
	o->smoke = -1;
	o->timeout_multiplier = 1;
	o->config_workers = -1;
	o->prune_runs = TC_PRUNE_RUNS;
	o->prune_days = TC_PRUNE_DAYS;
	o->max_restarts = -1;
	o->share_machine = -1;
	o->color = -1;
	cli_ci_output("auto", &o->ci);
}

enum cli_result cli_parse(struct options *o, int argc, char **argv, struct strbuf *err)
{
	int c;

	options_defaults(o);
	/* ctest's two-letter -LE: getopt would read it as -L E */
	o->argv = xcalloc((size_t)argc + 1, sizeof(*o->argv));
	for (int i = 0; i < argc; i++) {
		int after_dashes = 0;
		for (int k = 1; k < i; k++)
			after_dashes |= !strcmp(argv[k], "--");
		o->argv[i] = !after_dashes && !strcmp(argv[i], "-LE") ? "--label-exclude" : argv[i];
	}
	argv = o->argv;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":n:xvqhk:R:E:L:C:", long_options, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		}
		if (c == OPT_VERSION) {
			printf("balrun %s\n", BALRUN_VERSION);
			return CLI_EXIT_OK;
		}
		if (c == ':' || c == '?') {
			cli_bad_option(c, argv[optind - 1], err);
			return CLI_ERROR;
		}
		if (parse_one(o, c, optarg, err))
			return CLI_ERROR;
	}
	o->binaries = argv + optind;
	o->nbinaries = (size_t)(argc - optind);
	return CLI_RUN;
}

void cli_release(struct options *o)
{
	for (size_t i = 0; i < o->nkeywords; i++)
		free(o->keywords[i]);
	free(o->keywords);
	o->keywords = NULL;
	o->nkeywords = o->keywords_alloc = 0;
	strvec_clear(&o->marker_args);
	strvec_clear(&o->tests_regex);
	strvec_clear(&o->exclude_regex);
	strvec_clear(&o->label_regex);
	strvec_clear(&o->label_exclude);
	strvec_clear(&o->suites);
	strvec_clear(&o->no_suites);
	free(o->argv);
	o->argv = NULL;
}
