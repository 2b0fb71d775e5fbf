/*
 * report-cmd.c - `balrun report`; see report-cmd.h.  Parses its options,
 * checks every output path before reading anything, reads the JSON report
 * back (report-load.c) and hands the run to the same writers a run uses.
 */
#include "report-cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "exit-codes.h"
#include "paths.h"
#include "report.h"

static const char report_usage[] =
"usage: balrun report [options] RUN.json\n"
"\n"
"Draw the reports of a run again from the JSON report it wrote (--json).\n"
"\n"
"  --timeline FILE   the run as an HTML Gantt chart\n"
"  --junit FILE      JUnit XML\n"
"  --trace FILE      Chrome trace events (Perfetto, chrome://tracing)\n"
"  -q, --quiet       print only the counts line\n"
"  -h, --help        this text\n"
"\n"
"Exit status: 0 done, 3 a file could not be written, 4 usage error.\n";

enum { RO_TIMELINE = 256, RO_JUNIT, RO_TRACE };

static const struct option report_options[] = {
	{ "timeline", required_argument, NULL, RO_TIMELINE },
	{ "junit", required_argument, NULL, RO_JUNIT },
	{ "trace", required_argument, NULL, RO_TRACE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct report_cmd {
	const char *files[3];   /* --timeline, --junit, --trace */
	const char *input;
	int quiet;
};

/* 0, 1 (--help) or -1 with err. */
static int report_parse(struct report_cmd *c, int argc, char **argv, struct strbuf *err)
{
	struct options outputs = { 0 };	/* only the files, for paths_check_outputs */
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "qh", report_options, NULL)) != -1) {
		if (opt == 'h')
			return 1;
		if (opt == 'q')
			c->quiet = 1;
		else if (opt >= RO_TIMELINE && opt <= RO_TRACE)
			c->files[opt - RO_TIMELINE] = optarg;
		else {
			strbuf_addf(err, "unknown option or missing value: '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 1) {
		if (argc == optind)
			strbuf_adds(err, "missing RUN.json");
		else
			strbuf_addf(err, "takes one RUN.json, not %d", argc - optind);
		return -1;
	}
	c->input = argv[optind];
	outputs.timeline = c->files[0];
	outputs.junit = c->files[1];
	outputs.trace = c->files[2];
	return paths_check_outputs(&outputs, err);
}

int report_cmd_wanted(int argc, char **argv)
{
	return argc > 1 && !strcmp(argv[1], "report");
}

int report_cmd_main(int argc, char **argv)
{
	struct report_cmd c = { .quiet = 0 };
	struct report_opts o = { .out = stdout };
	struct dispatch_stats st;
	struct strbuf err = STRBUF_INIT;
	struct run r;
	int code = EXIT_OK, p = report_parse(&c, argc, argv, &err);

	if (p) {
		if (p > 0)
			fputs(report_usage, stdout);
		else
			fprintf(stderr, "balrun: report: %s (see balrun report --help)\n", err.buf);
		strbuf_release(&err);
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	}
	run_init(&r);
	if (report_load(c.input, &r, &st, &o, &err)) {
		fprintf(stderr, "balrun: report: %s\n", err.buf);
		code = EXIT_USAGE;
		goto out;
	}
	o.verbose = c.quiet ? -1 : 0;
	report_print_totals(&r, &st, &o);
	if ((c.files[0] && report_timeline(&r, &st, &o, c.files[0], &err)) ||
	    (c.files[1] && report_junit(&r, &st, c.files[1], &err)) ||
	    (c.files[2] && report_trace(&r, &o, c.files[2], &err))) {
		fprintf(stderr, "balrun: report: %s\n", err.buf);
		code = EXIT_INTERNAL;
	}
out:
	dispatch_stats_release(&st);
	run_release(&r);
	strbuf_release(&err);
	return code;
}
