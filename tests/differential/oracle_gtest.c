/*
 * oracle_gtest.c - the serial answer for a GoogleTest 1.12 binary.
 *
 * Cases: `BIN --gtest_list_tests --gtest_output=xml:FILE`, gtest's own
 * listing as XML (names exactly, in the order a serial run runs them):
 * <testsuite name="S"><testcase name="N"/>...  A case is "S.N" as balrun
 * names it, "#k" on the k-th occurrence of the same name; it is disabled
 * when S or N starts with DISABLED_ or holds "/DISABLED_".
 *
 * The serial run: `BIN --gtest_output=xml:FILE` alone, stdout and stderr
 * in separate files, TEST_PREMATURE_EXIT_FILE set.  Which report is the
 * oracle (measured, /work/research/frameworks2/FINDINGS.md section 1):
 *   - The XML report, when it was written (gtest writes it only when its
 *     run ends): a <failure> in a testcase is failed, result="skipped"
 *     skipped, status="notrun" (disabled) skipped, anything else passed.
 *   - stdout, which gtest flushes after each of its lines, always: the k-th
 *     "[ RUN      ] S.N" line is the k-th case that is not disabled, and its
 *     verdict "[       OK ]", "[  FAILED  ]" or "[  SKIPPED ]" + the name
 *     follows before the next RUN line.  A RUN line without a verdict ended
 *     the process: crashed if a signal ended it, failed if exit() did.
 *     Cases after it are unknown; disabled cases are skipped (never run).
 *   - When both exist they must agree on every case (else: an oracle error).
 *
 * Evidence of failures outside the tests: failure text (a line ending in
 * ": Failure") outside the tests inside a suite, which is its
 * SetUpTestSuite ("S [group setup]", before its first RUN line) or its
 * TearDownTestSuite ("S [group teardown]", after its last verdict); the
 * process killed by a signal with no test running, or exiting 0 with
 * TEST_PREMATURE_EXIT_FILE still there ("[after tests]", or "[before
 * tests]" if no test ran); a non-zero exit with no failed case and no suite
 * failure ("[after tests]").
 */
#define _GNU_SOURCE
#include "oracle.h"
#include "spawn.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct gt_priv {
	char *out, *err, *xml, *xml_arg, *premature, *premature_env;
	const char *argv[3], *env[2];
	char **raw;                /* each case's "S.N" without #k */
	int *disabled;
	enum diff_outcome *text;   /* stdout's verdict, DIFF_UNKNOWN if none */
	int last;                  /* the case of the last RUN line, -1 before the first */
	int running;               /* that case if it has no verdict yet, else -1 */
	int ran;                   /* RUN lines seen */
	char *in_suite;            /* the suite running now, NULL between suites */
	int suite_tests;           /* its RUN lines so far */
	int suite_fault;           /* failure text outside its tests seen */
	int any_suite_fault;
};

static int gt_disabled(const char *suite, const char *name)
{
	return !strncmp(suite, "DISABLED_", 9) || strstr(suite, "/DISABLED_") ||
	       !strncmp(name, "DISABLED_", 9) || strstr(name, "/DISABLED_");
}

static void gt_add_case(struct diff_bin *b, struct gt_priv *p, const char *suite, const char *name)
{
	size_t i = b->ncases;

	diff_bin_add_raw(b, &p->raw, xasprintf("%s.%s", suite, name));
	p->disabled = xrealloc(p->disabled, b->ncases * sizeof(*p->disabled));
	p->text = xrealloc(p->text, b->ncases * sizeof(*p->text));
	p->disabled[i] = gt_disabled(suite, name);
	p->text[i] = DIFF_UNKNOWN;
}

static xmlDoc *gt_read_xml(const char *path)
{
	return xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR |
			   XML_PARSE_NOWARNING);
}

/* The listing's cases into b. */
static void gt_parse_list(struct diff_bin *b, struct gt_priv *p, const char *path)
{
	xmlDoc *doc = gt_read_xml(path);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;

	for (xmlNode *ts = root ? root->children : NULL; ts; ts = ts->next) {
		xmlChar *suite;

		if (ts->type != XML_ELEMENT_NODE)
			continue;
		suite = xmlGetProp(ts, (const xmlChar *)"name");
		for (xmlNode *tc = ts->children; suite && tc; tc = tc->next) {
			xmlChar *name = tc->type == XML_ELEMENT_NODE ?
					xmlGetProp(tc, (const xmlChar *)"name") : NULL;
			if (name)
				gt_add_case(b, p, (const char *)suite, (const char *)name);
			xmlFree(name);
		}
		xmlFree(suite);
	}
	if (doc)
		xmlFreeDoc(doc);
}

void oracle_gtest_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job)
{
	struct gt_priv *p = calloc(1, sizeof(*p));
	char *lxml = xasprintf("%s/list.xml", tmpdir), *lout = xasprintf("%s/list.out", tmpdir);
	char *larg = xasprintf("--gtest_output=xml:%s", lxml);
	const char *largv[] = { b->path, "--gtest_list_tests", larg, NULL };
	struct spawn_job list = { .argv = largv, .out_path = lout, .err_path = lout, .limit_s = 30 };

	b->priv = p;
	spawn_one(&list);
	gt_parse_list(b, p, lxml);
	if (!b->ncases)
		diff_bin_error(b, "`%s --gtest_list_tests` (%s) listed no test", b->base,
			       spawn_describe(list.status));
	free(lxml);
	free(lout);
	free(larg);
	p->out = xasprintf("%s/serial.out", tmpdir);
	p->err = xasprintf("%s/serial.err", tmpdir);
	p->xml = xasprintf("%s/serial.xml", tmpdir);
	p->xml_arg = xasprintf("--gtest_output=xml:%s", p->xml);
	p->premature = xasprintf("%s/premature", tmpdir);
	p->premature_env = xasprintf("TEST_PREMATURE_EXIT_FILE=%s", p->premature);
	p->argv[0] = b->path;
	p->argv[1] = p->xml_arg;
	p->env[0] = p->premature_env;
	job->argv = p->argv;
	job->env = p->env;
	job->out_path = p->out;
	job->err_path = p->err;
	job->limit_s = 120;
}

/* ---- stdout ---- */

/* The next case that is not disabled after case k (-1: the first); -1 if none. */
static int gt_next_runnable(const struct diff_bin *b, const struct gt_priv *p, int k)
{
	for (size_t i = (size_t)(k + 1); i < b->ncases; i++)
		if (!p->disabled[i])
			return (int)i;
	return -1;
}

/* A RUN line shows rest: the next runnable case, whose name (its first line) it must show. */
static void gt_on_run(struct diff_bin *b, struct gt_priv *p, const char *rest, size_t len)
{
	int k = gt_next_runnable(b, p, p->last);
	const char *raw = k >= 0 ? p->raw[k] : "";

	p->ran++;
	p->last = p->running = k;
	p->suite_tests++;
	if (k < 0 || strcspn(raw, "\n") != len || memcmp(raw, rest, len))
		diff_bin_error(b, "RUN line %d shows '%.*s', the listing has '%s' there", p->ran,
			       (int)len, rest, raw);
}

/* The running case's verdict in line[0..len), if it is there. */
static void gt_on_verdict(struct gt_priv *p, const char *line, size_t len)
{
	static const struct { const char *tag; enum diff_outcome o; } tags[] = {
		{ "[       OK ] ", DIFF_PASSED }, { "[  FAILED  ] ", DIFF_FAILED },
		{ "[  SKIPPED ] ", DIFF_SKIPPED },
	};
	const char *raw = p->raw[p->running];
	size_t nl = strcspn(raw, "\n");

	for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
		const char *q = memmem(line, len, tags[t].tag, strlen(tags[t].tag));
		const char *rest = q ? q + strlen(tags[t].tag) : NULL;
		size_t left = rest ? (size_t)(line + len - rest) : 0;

		if (!q || left < nl || memcmp(rest, raw, nl))
			continue;
		rest += nl;
		left -= nl;
		if (!left || starts_with_n(rest, left, " (") || starts_with_n(rest, left, ", where ")) {
			p->text[p->running] = tags[t].o;
			p->running = -1;
			return;
		}
	}
}

/* "[----------] 2 tests from S[, where TypeParam = T]" starts S; "... from S (0 ms total)" ends it. */
static void gt_on_suite(struct gt_priv *p, const char *line, size_t len)
{
	const char *from = (const char *)memmem(line, len, " from ", 6) + 6;
	const char *end = memmem(from, (size_t)(line + len - from), " (", 2);
	const char *where = memmem(from, (size_t)(line + len - from), ", where ", 8);
	int ends = end && memmem(line, len, " ms total)", 10);

	free(p->in_suite);
	p->in_suite = ends ? NULL : xstrndup(from, (size_t)((where ? where : line + len) - from));
	p->suite_tests = p->suite_fault = 0;
}

/* Failure text outside the tests in a suite: its SetUpTestSuite or TearDownTestSuite failed. */
static void gt_on_outside(struct diff_bin *b, struct gt_priv *p, const char *line, size_t len)
{
	int teardown = p->suite_tests > 0;

	if (!p->in_suite || p->suite_fault || len < 9 || memcmp(line + len - 9, ": Failure", 9))
		return;
	p->suite_fault = p->any_suite_fault = 1;
	diff_bin_add_evidence(b, teardown ? FAULT_GROUP_TEARDOWN : FAULT_GROUP_SETUP, p->in_suite,
			      "%s [group %s]", p->in_suite, teardown ? "teardown" : "setup");
}

static void gt_read_stdout(struct diff_bin *b, struct gt_priv *p, const char *text, size_t n)
{
	p->last = p->running = -1;
	for (const char *line = text; line < text + n;) {
		const char *nlp = memchr(line, '\n', (size_t)(text + n - line));
		size_t len = nlp ? (size_t)(nlp - line) : (size_t)(text + n - line);

		if (starts_with_n(line, len, "[ RUN      ] "))
			gt_on_run(b, p, line + 13, len - 13);
		else if (p->running >= 0)
			gt_on_verdict(p, line, len);
		else if (starts_with_n(line, len, "[----------] ") && memmem(line, len, " from ", 6))
			gt_on_suite(p, line, len);
		else
			gt_on_outside(b, p, line, len);
		line += len + 1;
	}
}

/* ---- the XML report ---- */

static enum diff_outcome gt_xml_outcome(xmlNode *tc)
{
	xmlChar *status = xmlGetProp(tc, (const xmlChar *)"status");
	xmlChar *result = xmlGetProp(tc, (const xmlChar *)"result");
	enum diff_outcome o = DIFF_PASSED;

	for (xmlNode *c = tc->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, (const xmlChar *)"failure"))
			o = DIFF_FAILED;
	if (o == DIFF_PASSED && ((status && !xmlStrcmp(status, (const xmlChar *)"notrun")) ||
				 (result && !xmlStrcmp(result, (const xmlChar *)"skipped"))))
		o = DIFF_SKIPPED;
	xmlFree(status);
	xmlFree(result);
	return o;
}

/* The report's outcome of every case into xml[]; 1 if it was written, 0 if not. */
static int gt_read_report(struct diff_bin *b, struct gt_priv *p, enum diff_outcome *xml)
{
	xmlDoc *doc = gt_read_xml(p->xml);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	size_t k = 0;

	if (!doc)
		return 0;
	for (xmlNode *ts = root ? root->children : NULL; ts; ts = ts->next) {
		for (xmlNode *tc = ts->type == XML_ELEMENT_NODE ? ts->children : NULL; tc; tc = tc->next) {
			xmlChar *name, *cls;
			char *full;

			if (tc->type != XML_ELEMENT_NODE)
				continue;
			name = xmlGetProp(tc, (const xmlChar *)"name");
			cls = xmlGetProp(tc, (const xmlChar *)"classname");
			full = xasprintf("%s.%s", cls ? (char *)cls : "", name ? (char *)name : "");
			if (k >= b->ncases || strcmp(full, p->raw[k]))
				diff_bin_error(b, "the XML report's case %zu is '%s', the listing has '%s'",
					       k, full, k < b->ncases ? p->raw[k] : "nothing");
			else
				xml[k] = gt_xml_outcome(tc);
			k++;
			free(full);
			xmlFree(name);
			xmlFree(cls);
		}
	}
	xmlFreeDoc(doc);
	return 1;
}

/* ---- the answer ---- */

/* The process's end outside any test: evidence of a failure there. */
static void gt_process_evidence(struct diff_bin *b, struct gt_priv *p, int any_failed)
{
	int st = b->status;
	enum diff_fault where = p->ran ? FAULT_AFTER : FAULT_BEFORE;

	if (p->running >= 0 || st == SPAWN_TIMED_OUT || st == SPAWN_NOT_STARTED)
		return;
	if (WIFSIGNALED(st))
		diff_bin_add_evidence(b, where, NULL, "%s outside any test", spawn_describe(st));
	else if (!WEXITSTATUS(st) && access(p->premature, F_OK) == 0)
		diff_bin_add_evidence(b, where, NULL, "exit 0 before the end of its run "
				      "(TEST_PREMATURE_EXIT_FILE is there)");
	else if (WEXITSTATUS(st) && !any_failed && !p->any_suite_fault)
		diff_bin_add_evidence(b, where, NULL, "%s with no failed case", spawn_describe(st));
}

/* Case i's answer from stdout alone. */
static enum diff_outcome gt_text_outcome(const struct diff_bin *b, const struct gt_priv *p, size_t i)
{
	if (p->disabled[i])
		return DIFF_SKIPPED;
	if ((int)i != p->running)
		return p->text[i];
	if (b->status == SPAWN_TIMED_OUT || b->status == SPAWN_NOT_STARTED)
		return DIFF_UNKNOWN;
	return WIFSIGNALED(b->status) ? DIFF_CRASHED : DIFF_FAILED;
}

static void gt_priv_free(struct diff_bin *b, struct gt_priv *p)
{
	for (size_t i = 0; i < b->ncases; i++)
		free(p->raw[i]);
	free(p->raw);
	free(p->in_suite);
	free(p->disabled);
	free(p->text);
	free(p->out);
	free(p->err);
	free(p->xml);
	free(p->xml_arg);
	free(p->premature);
	free(p->premature_env);
	free(p);
	b->priv = NULL;
}

void oracle_gtest_finish(struct diff_bin *b, const struct spawn_job *job)
{
	struct gt_priv *p = b->priv;
	enum diff_outcome *xml = calloc(b->ncases + 1, sizeof(*xml));
	size_t n = 0;
	char *text = slurp(p->out, &n);
	int have_xml, any_failed = 0;

	b->status = job->status;
	b->wall_s = job->wall_s;
	if (text)
		gt_read_stdout(b, p, text, n);
	for (size_t i = 0; i < b->ncases; i++)
		xml[i] = DIFF_UNKNOWN;
	have_xml = gt_read_report(b, p, xml);
	for (size_t i = 0; i < b->ncases; i++) {
		enum diff_outcome o = gt_text_outcome(b, p, i);

		if (have_xml && o != DIFF_UNKNOWN && o != xml[i])
			diff_bin_error(b, "'%s': stdout says %s, the XML report %s", b->cases[i].name,
				       diff_outcome_name(o), diff_outcome_name(xml[i]));
		b->cases[i].oracle = have_xml ? xml[i] : o;
		any_failed |= diff_outcome_fails(b->cases[i].oracle);
	}
	gt_process_evidence(b, p, any_failed);
	if (b->status == SPAWN_TIMED_OUT)
		diff_bin_error(b, "serial run timed out");
	free(text);
	free(xml);
	unlink(p->premature);
	gt_priv_free(b, p);
}
