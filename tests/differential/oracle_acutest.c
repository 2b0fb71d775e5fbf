/*
 * oracle_acutest.c - the serial answer for an acutest binary (mity/acutest;
 * /work/research/frameworks2/FINDINGS.md section 4).
 *
 * Cases: `BIN --list`, "Unit tests:" then "  NAME" per test, in TEST_LIST
 * order (the order a serial run runs them); "#k" on the k-th occurrence of
 * the same name.
 *
 * The serial run: `BIN --xml-output=FILE` alone (every test in a child
 * process of its own), stdout and stderr in separate files.
 *   - The XML report, written when the run ends, has one testcase per
 *     listed test in order: nothing in it passed, <failure /> failed,
 *     <skipped /> skipped.  It is acutest's verdict, the child's exit status
 *     (a child that exit(0)s passed, exit(2) skipped, exit(3) failed).
 *   - stdout tells a crash from a failure: "Test NAME... " starts each
 *     test, in order; "Test interrupted by SIG..." before the next test's
 *     start (or the summary) makes that test crashed.
 *   - No XML report (acutest itself died): the crash lines and the verdicts
 *     on stdout ("[ OK ]", "[ FAILED ]", "[ SKIPPED ]"); a test started with
 *     none is unknown, and so are the tests never started.
 *
 * Evidence of failures outside the tests: acutest killed by a signal, or a
 * non-zero exit with no failed case ("[after tests]").
 */
#define _GNU_SOURCE
#include "oracle.h"
#include "spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct ac_priv {
	char *out, *err, *xml, *xml_arg;
	const char *argv[3];
	char **raw;                /* each case's name without #k */
};

static void ac_parse_list(struct diff_bin *b, struct ac_priv *p, const char *text)
{
	int in_list = 0;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (!in_list)
			in_list = len == 11 && !memcmp(line, "Unit tests:", 11);
		else if (len >= 2 && !memcmp(line, "  ", 2))
			diff_bin_add_raw(b, &p->raw, xstrndup(line + 2, len - 2));
		else
			in_list = 0;
		line = nl ? nl + 1 : NULL;
	}
}

void oracle_acutest_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job)
{
	struct ac_priv *p = calloc(1, sizeof(*p));
	char *lout = xasprintf("%s/list.out", tmpdir), *text;
	const char *largv[] = { b->path, "--list", NULL };
	struct spawn_job list = { .argv = largv, .out_path = lout, .err_path = lout, .limit_s = 30 };

	b->priv = p;
	spawn_one(&list);
	text = slurp(lout, NULL);
	ac_parse_list(b, p, text);
	if (!b->ncases)
		diff_bin_error(b, "`%s --list` (%s) listed no test", b->base, spawn_describe(list.status));
	free(text);
	free(lout);
	p->out = xasprintf("%s/serial.out", tmpdir);
	p->err = xasprintf("%s/serial.err", tmpdir);
	p->xml = xasprintf("%s/serial.xml", tmpdir);
	p->xml_arg = xasprintf("--xml-output=%s", p->xml);
	p->argv[0] = b->path;
	p->argv[1] = p->xml_arg;
	job->argv = p->argv;
	job->out_path = p->out;
	job->err_path = p->err;
	job->limit_s = 120;
}

/* The XML report's outcome of every case into xml[]; 1 if it was written whole. */
static int ac_read_report(struct diff_bin *b, struct ac_priv *p, enum diff_outcome *xml)
{
	char *text = slurp(p->xml, NULL);
	size_t k = 0;

	if (!text || !strstr(text, "</testsuite>")) {
		free(text);
		return 0;
	}
	for (const char *q = strstr(text, "<testcase "); q; q = strstr(q + 1, "<testcase ")) {
		const char *end = strstr(q, "</testcase>");
		const char *fail = strstr(q, "<failure"), *skip = strstr(q, "<skipped");

		if (k >= b->ncases || !end) {
			diff_bin_error(b, "the XML report has more testcases than the listing");
			break;
		}
		xml[k++] = fail && fail < end ? DIFF_FAILED : skip && skip < end ? DIFF_SKIPPED : DIFF_PASSED;
	}
	if (k != b->ncases)
		diff_bin_error(b, "the XML report has %zu testcases, the listing %zu", k, b->ncases);
	free(text);
	return 1;
}

/* stdout: which cases crashed, which started, and the verdicts printed. */
static void ac_read_stdout(struct diff_bin *b, struct ac_priv *p, const char *text,
			   enum diff_outcome *seen)
{
	const char *at = text;

	for (size_t k = 0; text && k < b->ncases; k++) {
		char *pat = xasprintf("Test %s... ", p->raw[k]), *next;
		const char *start = strstr(at, pat), *end;
		char *body;

		free(pat);
		if (!start)
			break;	/* never started: unknown */
		start += strlen(p->raw[k]) + 9;
		next = k + 1 < b->ncases ? xasprintf("Test %s... ", p->raw[k + 1]) : NULL;
		end = next ? strstr(start, next) : NULL;
		if (!end)
			end = strstr(start, "\nSUCCESS: ") ? strstr(start, "\nSUCCESS: ") : strstr(start, "\nFAILED: ");
		if (!end)
			end = start + strlen(start);
		free(next);
		body = xstrndup(start, (size_t)(end - start));
		seen[k] = strstr(body, "Test interrupted by ") ? DIFF_CRASHED :
			  strstr(body, "[ FAILED ]") ? DIFF_FAILED : strstr(body, "[ SKIPPED ]") ? DIFF_SKIPPED :
			  strstr(body, "[ OK ]") ? DIFF_PASSED : DIFF_NOT_RUN;	/* NOT_RUN: started, no verdict */
		free(body);
		at = end;
	}
}

void oracle_acutest_finish(struct diff_bin *b, const struct spawn_job *job)
{
	struct ac_priv *p = b->priv;
	enum diff_outcome *xml = calloc(b->ncases + 1, sizeof(*xml));
	enum diff_outcome *seen = calloc(b->ncases + 1, sizeof(*seen));
	char *text = slurp(p->out, NULL);
	int have_xml, any_failed = 0, st = job->status;

	b->status = st;
	b->wall_s = job->wall_s;
	for (size_t i = 0; i < b->ncases; i++)
		xml[i] = seen[i] = DIFF_UNKNOWN;
	ac_read_stdout(b, p, text, seen);
	have_xml = ac_read_report(b, p, xml);
	for (size_t i = 0; i < b->ncases; i++) {
		enum diff_outcome o = seen[i] == DIFF_NOT_RUN ? DIFF_UNKNOWN : seen[i];

		if (have_xml)
			o = seen[i] == DIFF_CRASHED && xml[i] == DIFF_FAILED ? DIFF_CRASHED : xml[i];
		if (have_xml && seen[i] == DIFF_CRASHED && xml[i] != DIFF_FAILED)
			diff_bin_error(b, "'%s': stdout says crashed, the XML report %s", b->cases[i].name,
				       diff_outcome_name(xml[i]));
		b->cases[i].oracle = o;
		any_failed |= diff_outcome_fails(o);
	}
	if (st == SPAWN_TIMED_OUT || st == SPAWN_NOT_STARTED)
		diff_bin_error(b, "serial run %s", spawn_describe(st));
	else if (WIFSIGNALED(st))
		diff_bin_add_evidence(b, FAULT_AFTER, NULL, "acutest %s", spawn_describe(st));
	else if (WEXITSTATUS(st) && !any_failed)
		diff_bin_add_evidence(b, FAULT_AFTER, NULL, "%s with no failed case", spawn_describe(st));
	for (size_t i = 0; i < b->ncases; i++)
		free(p->raw[i]);
	free(p->raw);
	free(text);
	free(xml);
	free(seen);
	free(p->out);
	free(p->err);
	free(p->xml);
	free(p->xml_arg);
	free(p);
	b->priv = NULL;
}
