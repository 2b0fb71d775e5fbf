/*
 * report-junit.c - the JUnit XML report (--junit FILE); see report.h and
 * docs/report-junit.md.
 *
 * The format is the one CI systems read (GitHub test-reporter actions,
 * GitLab's artifacts:reports:junit, Jenkins, CircleCI): <testsuites>, a
 * <testsuite> per binary (its id), a <testcase> per test with classname =
 * the part of its id before "::" and name = the part after (a test that is
 * a whole binary: both its id).  A failed or timed-out test has <failure>,
 * a crashed one or one that did not run <error>, a skipped one <skipped>;
 * their type is balrun's outcome, their message the test's, and the text
 * of <failure>/<error> the test's output (<system-out> for the others).  Every testcase has <properties>: balrun.outcome (flaky and
 * order-dependent show there; they pass), balrun.worker, balrun.attempts.
 *
 * Text goes through report_xml_text(): output is bounded (its end is kept, where
 * failures are), and bytes XML cannot carry (control characters, invalid
 * UTF-8) become "\xNN", so the file is valid XML whatever a test printed.
 * Written with libxml2's xmlTextWriter into FILE.tmp, renamed over FILE.
 */
#include "report.h"

#include <errno.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "report-internal.h"
#include "util.h"

#define JUNIT_MAX_OUTPUT (64u << 10)   /* bytes of a test's output kept, from its end */

struct junit_writer {
	xmlTextWriterPtr w;
	struct strbuf text;
	int failed;
};

static void junit_attr(struct junit_writer *jw, const char *name, const char *value)
{
	const char *v = report_xml_text(&jw->text, value, strlen(value), JUNIT_MAX_OUTPUT);

	jw->failed |= xmlTextWriterWriteAttribute(jw->w, BAD_CAST name, BAD_CAST v) < 0;
}

static void junit_attrf(struct junit_writer *jw, const char *name, const char *fmt, double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), fmt, v);
	junit_attr(jw, name, buf);
}

static void junit_start(struct junit_writer *jw, const char *element)
{
	jw->failed |= xmlTextWriterStartElement(jw->w, BAD_CAST element) < 0;
}

static void junit_end(struct junit_writer *jw)
{
	jw->failed |= xmlTextWriterEndElement(jw->w) < 0;
}

static void junit_property(struct junit_writer *jw, const char *name, const char *value)
{
	junit_start(jw, "property");
	junit_attr(jw, "name", name);
	junit_attr(jw, "value", value);
	junit_end(jw);
}

/* The element of a test that did not pass (NULL: it passed), and its type. */
static const char *junit_element(enum outcome o)
{
	switch (o) {
	case OUTCOME_FAIL: case OUTCOME_TIMEOUT: return "failure";
	case OUTCOME_CRASH: case OUTCOME_NOTRUN: return "error";
	case OUTCOME_SKIP: return "skipped";
	default: return NULL;
	}
}

static void junit_output(struct junit_writer *jw, const struct test_case *t)
{
	const char *text = report_xml_text(&jw->text, t->output ? t->output : "", t->output_len, JUNIT_MAX_OUTPUT);

	jw->failed |= xmlTextWriterWriteString(jw->w, BAD_CAST text) < 0;
}

static void junit_testcase(struct junit_writer *jw, const struct test_case *t)
{
	const char *sep = strstr(t->id, "::"), *element = junit_element(t->outcome);
	char *cls = sep ? xstrndup(t->id, (size_t)(sep - t->id)) : xstrdup(t->id);
	char buf[32];

	junit_start(jw, "testcase");
	junit_attr(jw, "name", sep ? sep + 2 : t->id);
	junit_attr(jw, "classname", cls);
	junit_attrf(jw, "time", "%.6f", t->duration);
	junit_start(jw, "properties");
	junit_property(jw, "balrun.outcome", outcome_name(t->outcome));
	snprintf(buf, sizeof(buf), "%d", t->worker);
	junit_property(jw, "balrun.worker", buf);
	snprintf(buf, sizeof(buf), "%u", t->attempts);
	junit_property(jw, "balrun.attempts", buf);
	junit_end(jw);
	if (element) {
		junit_start(jw, element);
		junit_attr(jw, "message", t->message ? t->message : outcome_name(t->outcome));
		if (strcmp(element, "skipped")) {	/* a failure's text is its output, as reporters show it */
			junit_attr(jw, "type", outcome_name(t->outcome));
			junit_output(jw, t);
		}
		junit_end(jw);
	}
	if (t->output_len && (!element || !strcmp(element, "skipped"))) {
		junit_start(jw, "system-out");
		junit_output(jw, t);
		junit_end(jw);
	}
	junit_end(jw);
	free(cls);
}

/* Counts of one suite (the tests of binary b, or all with b == UINT32_MAX). */
static void junit_counts(const struct run *r, uint32_t b, size_t *tests, size_t *failures,
			 size_t *errors, size_t *skipped, double *time)
{
	*tests = *failures = *errors = *skipped = 0;
	*time = 0;
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		const char *e = junit_element(t->outcome);

		if (!t->selected || (b != UINT32_MAX && t->binary != b))
			continue;
		(*tests)++;
		*time += t->duration;
		*failures += e && !strcmp(e, "failure");
		*errors += e && !strcmp(e, "error");
		*skipped += e && !strcmp(e, "skipped");
	}
}

/* A suite's counts; its time is the sum of its tests' (the root's is the run's wall time). */
static void junit_suite_attrs(struct junit_writer *jw, const struct run *r, uint32_t b, double wall)
{
	size_t tests, failures, errors, skipped;
	double time;

	junit_counts(r, b, &tests, &failures, &errors, &skipped, &time);
	junit_attrf(jw, "tests", "%.0f", (double)tests);
	junit_attrf(jw, "failures", "%.0f", (double)failures);
	junit_attrf(jw, "errors", "%.0f", (double)errors);
	junit_attrf(jw, "skipped", "%.0f", (double)skipped);
	junit_attrf(jw, "time", "%.6f", b == UINT32_MAX ? wall : time);
}

static void junit_document(struct junit_writer *jw, const struct run *r, const struct dispatch_stats *st)
{
	jw->failed |= xmlTextWriterStartDocument(jw->w, NULL, "UTF-8", NULL) < 0;
	junit_start(jw, "testsuites");
	junit_attr(jw, "name", "balrun");
	junit_suite_attrs(jw, r, UINT32_MAX, st->wall);
	for (uint32_t b = 0; b < r->nbins; b++) {
		size_t n = 0;

		for (size_t i = 0; i < r->ntests; i++)
			n += r->tests[i].selected && r->tests[i].binary == b;
		if (!n)
			continue;
		junit_start(jw, "testsuite");
		junit_attr(jw, "name", r->bins[b].id);
		junit_suite_attrs(jw, r, b, 0);
		for (size_t i = 0; i < r->ntests; i++)
			if (r->tests[i].selected && r->tests[i].binary == b)
				junit_testcase(jw, &r->tests[i]);
		junit_end(jw);
	}
	junit_end(jw);
	jw->failed |= xmlTextWriterEndDocument(jw->w) < 0;
}

int report_junit(const struct run *r, const struct dispatch_stats *st, const char *path,
		 struct strbuf *err)
{
	char *tmp = xasprintf("%s.tmp", path);
	struct junit_writer jw = { xmlNewTextWriterFilename(tmp, 0), STRBUF_INIT, 0 };
	int ret = 0;

	if (!jw.w) {
		strbuf_addf(err, "cannot write the JUnit report '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	xmlTextWriterSetIndent(jw.w, 1);
	junit_document(&jw, r, st);
	xmlFreeTextWriter(jw.w);	/* flushes and closes */
	if (jw.failed || rename(tmp, path)) {
		strbuf_addf(err, "cannot write the JUnit report '%s': %s", path,
			    jw.failed ? "write failed" : strerror(errno));
		unlink(tmp);
		ret = -1;
	}
	strbuf_release(&jw.text);
	free(tmp);
	return ret;
}
