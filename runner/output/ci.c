/*
 * ci.c - output for the CI system the run is in (--ci-output); see ci.h
 * and docs/report-ci.md.
 *
 * GitHub Actions: one `::error file=F,line=L,title=ID::MESSAGE` workflow
 * command per test that failed, crashed, timed out or did not run, the
 * file and line taken from the first "name.c:123" in its message, else in
 * its output; and a markdown summary appended to $GITHUB_STEP_SUMMARY
 * (counts, failures, slowest tests, balance).  (GitLab CI's collapsed
 * sections are the report's: report.c.)  Elsewhere nothing changes.
 */
#define _GNU_SOURCE
#include "ci.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report-internal.h"
#include "util.h"

/* ---- GitHub: annotations ---- */

/* s as a workflow command's data (property: also ':' and ','). */
static const char *gh_escape(struct strbuf *sb, const char *s, size_t n, int property)
{
	strbuf_reset(sb);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%' || c == '\r' || c == '\n' || (property && (c == ':' || c == ',')))
			strbuf_addf(sb, "%%%02X", c);
		else
			strbuf_addch(sb, (char)c);
	}
	return sb->buf;
}

/*
 * The path of a source file as GitHub wants it: relative to the workspace.
 * A relative one is taken from balrun's directory (where the frameworks'
 * relative paths start) and resolved when it exists.
 */
static void location_path(struct strbuf *file, const char *p, size_t len)
{
	const char *ws = getenv("GITHUB_WORKSPACE");
	char *given = xstrndup(p, len), *joined, *real;
	char cwd[4096];

	joined = given[0] == '/' || !getcwd(cwd, sizeof(cwd)) ? xstrdup(given) :
		 xasprintf("%s/%s", cwd, given);
	real = realpath(joined, NULL);
	strbuf_reset(file);
	strbuf_adds(file, real ? real : given);
	if (ws && *ws && starts_with(file->buf, ws) && file->buf[strlen(ws)] == '/') {
		char *rest = xstrdup(file->buf + strlen(ws) + 1);

		strbuf_reset(file);
		strbuf_adds(file, rest);
		free(rest);
	}
	free(real);
	free(joined);
	free(given);
}

/* The first "path.c:123" (.c .h .cc .cpp .cxx .hpp) in s[0..n): its path into file, its line. */
static int find_location(const char *s, size_t n, struct strbuf *file, long *line)
{
	static const char *const ext[] = { ".c:", ".h:", ".cc:", ".cpp:", ".cxx:", ".hpp:" };

	for (size_t i = 0; i < n; i++) {
		for (size_t e = 0; e < ARRAY_SIZE(ext); e++) {
			size_t el = strlen(ext[e]), start = i;

			if (i + el >= n || memcmp(s + i, ext[e], el) || !isdigit((unsigned char)s[i + el]))
				continue;
			while (start > 0 && !isspace((unsigned char)s[start - 1]) && s[start - 1] != '[' &&
			       s[start - 1] != '(' && s[start - 1] != '"' && s[start - 1] != '\'')
				start--;
			*line = strtol(s + i + el, NULL, 10);
			location_path(file, s + start, i + el - 1 - start);
			return 0;
		}
	}
	return -1;
}

void ci_github_annotations(FILE *out, const struct run *r)
{
	struct strbuf file = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT, shown = STRBUF_INIT;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		const char *msg = t->message ? t->message : outcome_name(t->outcome);
		long line = 0;
		int located;

		if (!t->selected || !outcome_is_failure(t->outcome))
			continue;
		located = !find_location(msg, strlen(msg), &file, &line) ||
			  (t->output && !find_location(t->output, t->output_len, &file, &line));
		fputs("::error ", out);
		if (located)
			fprintf(out, "file=%s,line=%ld,", gh_escape(&a, file.buf, file.len, 1), line);
		run_display(t->id, &shown);
		fprintf(out, "title=%s %s::", gh_escape(&a, shown.buf, shown.len, 1), outcome_name(t->outcome));
		fprintf(out, "%s\n", gh_escape(&b, msg, strlen(msg), 0));
	}
	strbuf_release(&file);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&shown);
}

/* ---- GitHub: the step summary ---- */

/* s for a markdown table cell: one line, '|' and '`' escaped, at most 200 bytes. */
static const char *md_cell(struct strbuf *sb, const char *s)
{
	strbuf_reset(sb);
	for (size_t i = 0; s[i] && sb->len < 200; i++) {
		if (s[i] == '\n' || s[i] == '\r')
			strbuf_addch(sb, ' ');
		else if (s[i] == '|' || s[i] == '`' || s[i] == '<' || s[i] == '>')
			strbuf_addf(sb, "&#%d;", s[i]);
		else
			strbuf_addch(sb, s[i]);
	}
	return sb->buf;
}

static int by_duration(const void *a, const void *b)
{
	const struct test_case *x = *(const struct test_case *const *)a, *y = *(const struct test_case *const *)b;

	return x->duration < y->duration ? 1 : x->duration > y->duration ? -1 : 0;
}

static void summary_slowest(FILE *f, const struct run *r, struct strbuf *cell)
{
	const struct test_case **v = xcalloc(r->ntests ? r->ntests : 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected && r->tests[i].worker >= 0)
			v[n++] = &r->tests[i];
	qsort(v, n, sizeof(*v), by_duration);
	if (n)
		fputs("\n### Slowest tests\n\n| test | seconds | worker |\n|---|---:|---:|\n", f);
	for (size_t i = 0; i < n && i < 10; i++)
		fprintf(f, "| `%s` | %.2f | %d |\n", md_cell(cell, v[i]->id), v[i]->duration, v[i]->worker);
	free(v);
}

static void summary_failures(FILE *f, const struct run *r, struct strbuf *cell, struct strbuf *cell2)
{
	size_t shown = 0, total = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];

		if (!t->selected || !outcome_is_failure(t->outcome))
			continue;
		if (!total++)
			fputs("\n### Failures\n\n| test | outcome | message |\n|---|---|---|\n", f);
		if (shown++ < 50)
			fprintf(f, "| `%s` | %s | %s |\n", md_cell(cell, t->id), outcome_name(t->outcome),
				md_cell(cell2, t->message ? t->message : ""));
	}
	if (total > 50)
		fprintf(f, "\n... and %zu more (the JUnit or JSON report has them all)\n", total - 50);
}

int ci_github_summary(const char *path, const struct run *r, const struct dispatch_stats *st,
		      const struct report_opts *o, struct strbuf *err)
{
	struct strbuf cell = STRBUF_INIT, cell2 = STRBUF_INIT;
	size_t counts[OUTCOME__COUNT];
	double sum, longest, lb;
	FILE *f = fopen(path, "a");

	if (!f) {
		strbuf_addf(err, "cannot append to $GITHUB_STEP_SUMMARY '%s': %m", path);
		return -1;
	}
	report_counts(r, counts);
	report_totals(r, &sum, &longest);
	lb = sum / (o->workers ? o->workers : 1);
	fprintf(f, "## balrun: %s\n\n| outcome | tests |\n|---|---:|\n",
		o->exit_code == 0 ? "all passed" : "some tests did not pass");
	for (int i = 0; i < OUTCOME__COUNT; i++)
		if (counts[i])
			fprintf(f, "| %s | %zu |\n", outcome_name(i), counts[i]);
	summary_failures(f, r, &cell, &cell2);
	summary_slowest(f, r, &cell);
	fprintf(f, "\n### Balance\n\n%.2f s of tests on %u workers in %.2f s; lower bound %.2f s%s%s%s.\n\n"
		"| worker | busy s | tests |\n|---:|---:|---:|\n", sum, o->workers, st->wall,
		longest > lb ? longest : lb, o->shard ? " (shard " : "", o->shard ? o->shard : "",
		o->shard ? ")" : "");
	for (unsigned w = 0; st->busy && w < o->workers; w++)
		fprintf(f, "| %u | %.2f | %zu |\n", w, st->busy[w], (size_t)st->tests[w]);
	strbuf_release(&cell);
	strbuf_release(&cell2);
	if (fclose(f)) {
		strbuf_addf(err, "cannot write $GITHUB_STEP_SUMMARY '%s': %m", path);
		return -1;
	}
	return 0;
}
