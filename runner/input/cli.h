/*
 * cli.h - balrun's command line: parsing into struct options, and --help.
 *
 * Flags follow pytest/xdist habits where they fit (-n, -x, --maxfail, -k,
 * --lf, --ff, --durations).  Parsing never exits: it returns CLI_ERROR with
 * a one-line message naming the flag, and main() turns that into exit 4.
 */
#ifndef BALRUN_CLI_H
#define BALRUN_CLI_H

#include <stddef.h>

#include "strbuf.h"
#include "strvec.h"

/* The CI system output is for (--ci-output; output/ci.h). */
enum ci_mode {
	CI_NONE = 0,
	CI_GITHUB,
	CI_GITLAB,
};

struct options {
	int workers;             /* -n; 0 = auto (workers.h decides) */
	int list;                /* --list: print ids and exit */
	char **keywords;         /* -k patterns (any may match; "not X" excludes) */
	size_t nkeywords, keywords_alloc;
	int last_failed;         /* --lf */
	int failed_first;        /* --ff (default) / --no-ff */
	int maxfail;             /* -x = 1, --maxfail N; 0 = no limit */
	int durations;           /* --durations N; 0 = none, -1 = all */
	double timeout;          /* --timeout SECONDS; 0 = none */
	double collect_timeout;  /* --collect-timeout SECONDS */
	const char *cache_dir;   /* --cache-dir */
	const char *timings_from; /* --timings-from REV: plan with the timings committed at REV */
	int prune_runs, prune_days; /* --prune-runs K / --prune-days D (tc_set_prune) */
	int no_cache;            /* --no-cache: neither read nor write timings */
	int smoke;               /* --smoke K; -1 = default min(N, 4) */
	const char *json;        /* --json FILE */
	const char *junit;        /* --junit FILE: JUnit XML report */
	enum ci_mode ci;          /* --ci-output (default auto: from the environment) */
	const char *trace;        /* --trace FILE: Chrome trace events */
	const char *timeline;     /* --timeline FILE: HTML Gantt chart */
	int verbose;             /* -v: +1, -q: -1 */
	int color;               /* -1 auto, 0 never, 1 always */
	char **binaries;         /* positional arguments */
	size_t nbinaries;
	/* markers, shards, plans, config (docs/markers.md) */
	int workers_given;       /* -n was given: it beats BALRUN_WORKERS and the config file */
	int config_workers;      /* .balrun.conf's workers; -1 none (0 = auto) */
	struct strvec marker_args; /* --group/--serial/--lock/--weight: (flag, value) pairs in order */
	int markers;             /* --markers: --list shows each test's markers */
	int plan;                /* --plan: print the predicted schedule, run nothing */
	const char *shard;       /* --shard K/N or ci; NULL = the whole suite */
	const char *config;      /* --config FILE */
	int no_config;           /* --no-config */
	int max_restarts;        /* --max-worker-restart N; -1 = 4 x workers */
	int resume;              /* --resume: skip what passed in the interrupted run */
	int retries;             /* --retries N: run a failed test again up to N times (docs/flaky.md) */
	int rerun_serially;      /* --rerun-failed-serially: run the failures again, one at a time */
	int dist;                /* --dist: enum dist_mode (run.h); 0 = not given */
	int share_machine;       /* --share-machine: -1 off, 0 auto (the CPUs), N a budget of N
	                            (exec/budget.h); balrun.share-machine when not given */
	int share_given;         /* --share-machine was given: it beats the config file */
	/* build systems (collect/ctest.h, collect/meson.h) */
	const char *ctest_dir;   /* --ctest DIR */
	const char *meson_dir;   /* --meson DIR */
	const char *automake_dir; /* --automake DIR */
	int no_log_compiler;     /* --no-log-compiler: automake programs without LOG_COMPILER */
	const char *framework;   /* --framework NAME: the adapter for the binaries given */
	const char *build_config; /* -C CFG: ctest's -C (multi-config trees) */
	int benchmarks;          /* --benchmarks: meson's benchmarks, not its tests */
	double timeout_multiplier; /* --timeout-multiplier: registered limits times this; 0 none (default 1) */
	struct strvec tests_regex, exclude_regex;  /* -R, -E (the last one counts, as for ctest) */
	struct strvec label_regex, label_exclude;  /* -L (all must match), -LE (any excludes) */
	struct strvec suites, no_suites;           /* --suite, --no-suite (meson) */
	char **argv;             /* the arguments as parsed (-LE spelt out); binaries point into it */
};

enum cli_result {
	CLI_RUN,      /* options filled: go on */
	CLI_EXIT_OK,  /* --help / --version printed: exit 0 */
	CLI_ERROR,    /* err holds one line naming the flag: exit 4 */
};

enum cli_result cli_parse(struct options *o, int argc, char **argv, struct strbuf *err);
void cli_release(struct options *o);

#define CLI_COUNT_MAX 1000000
#define CLI_RETRIES_MAX 20

/*
 * A whole number from min up (at most CLI_COUNT_MAX) for a flag: 0, or -1
 * with "FLAG: 'S' is not a whole number from MIN up" (or "is more than")
 * in err.
 */
int cli_parse_count(const char *flag, const char *s, int min, int *out, struct strbuf *err);

/*
 * --share-machine's value (also balrun.share-machine's; what names it in
 * messages): NULL or "auto" 0 (the CPUs), "no" -1, a number N from 1 up N.
 * 0, or -1 with a one-line err.
 */
int cli_parse_share(const char *what, const char *s, int *out, struct strbuf *err);

#endif
