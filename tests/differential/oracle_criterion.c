/*
 * oracle_criterion.c - the serial answer for a Criterion 2.4.1 binary.
 *
 * Cases: `BIN --list`, the framework's own listing (run under `stdbuf -oL`,
 * since a binary that dies at exit loses a buffered listing), in its order
 * (the order the serial run runs them): "SUITE: N tests" then one tree line per test
 * ("├── name" / "└── name", or "|-- " / "`-- " in the C locale), disabled
 * tests ending in " (skipped)".  Other lines (a constructor's banner) are
 * ignored; a listing that ends by a signal (a destructor that aborts) still
 * counts.  Case names are "suite/name", as balrun names them.
 *
 * The serial run: `BIN --verbose -Oxml:FILE`, Criterion's default job count.
 *
 * Which report is the oracle (measured, see README.md):
 *   - The XML report, when it was written.  It names every run of every test
 *     in full (a parameterized test or theory once per parameter; they fold
 *     into the worst outcome), and it alone has a verdict for a test whose
 *     per-test .init failed (ERRORED, crash; the verbose log prints none).
 *     PASSED passed, FAILED failed, SKIPPED skipped, ERRORED with
 *     <error type="timeout"> timed out, other ERRORED crashed.
 *   - Criterion writes it only when the run ends normally: a POST_ALL hook
 *     or anything else that kills the runner loses it.  Then the verbose log
 *     on stderr, which streams, is the oracle: "[PASS] s::n: (0.00s)",
 *     "[FAIL] s::n: CRASH!" (crashed), "[FAIL] s::n: Timed out. (..)"
 *     (timed out), "[FAIL] s::n: (..)" (failed), "[SKIP] s::n: reason".
 *     A test with a [RUN ] line and no verdict crashed in its setup or
 *     teardown, or is unknown if the runner died; a test never mentioned is
 *     unknown.
 *   - Whenever both exist they must agree on every test whose verbose
 *     verdicts are whole: a disagreement is an oracle error.
 * The log cuts lines at about 1 KiB, so a long name's line loses its end and
 * the next line is glued on; the log is therefore scanned for its tags
 * anywhere, a name cut short is matched as the prefix of exactly one listed
 * name, and a verdict whose text was cut off is not used for the cross-check.
 *
 * Evidence of a failure outside the tests: the runner killed by a signal
 * ("[before tests]" if no test had started, else "[after tests]"), or a
 * non-zero exit with no failed case ("[after tests]"; cr_log_warn does that).
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

struct crit_case {
	int disabled;
	int runs;                 /* [RUN ] lines seen */
	int verdicts;             /* verdict lines seen */
	int cut;                  /* a verdict's text was cut off */
	enum diff_outcome verbose;
	int in_xml;
	enum diff_outcome xml;
};

struct crit_priv {
	char *out, *err, *xml;
	const char *argv[4];
	char *xml_arg;
	struct crit_case *cc;     /* parallel to b->cases */
};

/* "suite: 12 tests" or "suite: 1 test": the suite name's length, else 0. */
static size_t crit_suite_header(const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	const char *p;

	if (!colon || colon == line || (size_t)(colon - line) + 2 > len || colon[1] != ' ')
		return 0;
	p = colon + 2;
	if (p >= line + len || *p < '0' || *p > '9')
		return 0;
	while (p < line + len && *p >= '0' && *p <= '9')
		p++;
	if ((size_t)(line + len - p) == 5 && !memcmp(p, " test", 5))
		return (size_t)(colon - line);
	if ((size_t)(line + len - p) == 6 && !memcmp(p, " tests", 6))
		return (size_t)(colon - line);
	return 0;
}

static size_t crit_tree_prefix(const char *line, size_t len)
{
	static const char *const prefixes[] = { "├── ", "└── ", "|-- ", "`-- " };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (starts_with_n(line, len, prefixes[i]))
			return strlen(prefixes[i]);
	return 0;
}

static void crit_parse_list(struct diff_bin *b, struct crit_priv *p, const char *text, size_t n)
{
	char *suite = NULL;
	size_t ncap = 0;

	for (const char *line = text; line < text + n;) {
		const char *nl = memchr(line, '\n', (size_t)(text + n - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(text + n - line);
		size_t sl, tp;

		if ((sl = crit_suite_header(line, len))) {
			free(suite);
			suite = xstrndup(line, sl);
		} else if (suite && (tp = crit_tree_prefix(line, len))) {
			const char *name = line + tp;
			size_t nl_len = len - tp;
			int disabled = 0;
			char *full;

			if (nl_len > 10 && !memcmp(name + nl_len - 10, " (skipped)", 10)) {
				nl_len -= 10;
				disabled = 1;
			}
			full = xasprintf("%s/%.*s", suite, (int)nl_len, name);
			diff_bin_add_case(b, full, strlen(full), DIFF_UNKNOWN, NULL);
			free(full);
			if (b->ncases > ncap) {
				ncap = b->ncases * 2;
				p->cc = xrealloc(p->cc, ncap * sizeof(*p->cc));
			}
			memset(&p->cc[b->ncases - 1], 0, sizeof(*p->cc));
			p->cc[b->ncases - 1].disabled = disabled;
		}
		line += len + 1;
	}
	free(suite);
}

void oracle_criterion_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job)
{
	struct crit_priv *p = calloc(1, sizeof(*p));
	char *lout = xasprintf("%s/list.out", tmpdir), *lerr = xasprintf("%s/list.err", tmpdir);
	/* unbuffered: a binary that dies at exit (a destructor) keeps its listing */
	const char *largv[] = { "/usr/bin/stdbuf", "-oL", b->path, "--list", NULL };
	/* stdbuf preloads libstdbuf.so: an ASan binary must let it come first */
	const char *lenv[] = { "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0", NULL };
	struct spawn_job list = { .argv = largv, .env = lenv, .out_path = lout, .err_path = lerr,
				  .limit_s = 30 };
	size_t n;
	char *text;

	b->priv = p;
	if (access(largv[0], X_OK) != 0)
		memmove(largv, largv + 2, 3 * sizeof(*largv));
	spawn_one(&list);
	text = slurp(lout, &n);
	if (text)
		crit_parse_list(b, p, text, n);
	if (!b->ncases)
		diff_bin_error(b, "`%s --list` (%s) listed no test", b->base,
			       spawn_describe(list.status));
	free(text);
	free(lout);
	free(lerr);

	p->out = xasprintf("%s/serial.out", tmpdir);
	p->err = xasprintf("%s/serial.err", tmpdir);
	p->xml = xasprintf("%s/serial.xml", tmpdir);
	p->xml_arg = xasprintf("-Oxml:%s", p->xml);
	p->argv[0] = b->path;
	p->argv[1] = "--verbose";
	p->argv[2] = p->xml_arg;
	job->argv = p->argv;
	job->out_path = p->out;
	job->err_path = p->err;
	job->limit_s = 120;
}

/* The case named "suite/name" (len bytes), or if cut, the one listed name it begins. */
static int crit_match(struct diff_bin *b, const char *name, size_t len, int cut)
{
	int found = -1;

	for (size_t i = 0; i < b->ncases; i++) {
		const char *cn = b->cases[i].name;
		size_t cl = strlen(cn);

		if (cut ? (cl >= len && !memcmp(cn, name, len))
			: (cl == len && !memcmp(cn, name, len))) {
			if (found >= 0)
				return -2;   /* ambiguous */
			found = (int)i;
		}
	}
	return found;
}

/* Where the tagged payload at s ends: a newline, the next Criterion tag, or the end. */
static const char *crit_payload_end(const char *s, const char *end, int *cut)
{
	static const char *const tags[] = { "[RUN ] ", "[PASS] ", "[FAIL] ", "[SKIP] ", "[----] ",
					    "[====] ", "[WARN] ", "[ERR ] ", "[INFO] " };

	for (const char *q = s; q < end; q++) {
		if (*q == '\n') {
			*cut = 0;
			return q;
		}
		if (*q != '[')
			continue;
		for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
			if (starts_with_n(q, (size_t)(end - q), tags[i])) {
				*cut = 1;
				return q;
			}
	}
	*cut = 1;
	return end;
}

/* The outcome of a verdict tag and its text. */
static enum diff_outcome crit_verdict(const char *tag, const char *text, size_t len)
{
	if (!strcmp(tag, "PASS"))
		return DIFF_PASSED;
	if (!strcmp(tag, "SKIP"))
		return DIFF_SKIPPED;
	if (starts_with_n(text, len, "CRASH!"))
		return DIFF_CRASHED;
	if (starts_with_n(text, len, "Timed out."))
		return DIFF_TIMED_OUT;
	return DIFF_FAILED;
}

/* One tagged line of the verbose log: tag is "RUN", "PASS", "FAIL" or "SKIP". */
static void crit_on_tag(struct diff_bin *b, struct crit_priv *p, const char *tag,
			const char *s, const char *e, int cut)
{
	const char *sep = memmem(s, (size_t)(e - s), "::", 2);
	const char *name_end = e, *text = e;
	int name_cut = cut;
	char *name;
	int idx;

	if (!sep)
		return;
	if (strcmp(tag, "RUN")) {
		const char *colon = memchr(sep + 2, ':', (size_t)(e - sep - 2));
		if (colon) {
			name_end = colon;
			name_cut = 0;
			text = colon + 1 + strspn(colon + 1, " ");
			if (text > e)
				text = e;
		}
	}
	name = xasprintf("%.*s/%.*s", (int)(sep - s), s, (int)(name_end - sep - 2), sep + 2);
	idx = crit_match(b, name, strlen(name), name_cut);
	if (idx < 0) {
		diff_bin_error(b, "verbose log: [%s] line for %s test '%.80s'", tag,
			       idx == -2 ? "an ambiguous" : "an unlisted", name);
	} else if (!strcmp(tag, "RUN")) {
		p->cc[idx].runs++;
	} else {
		struct crit_case *c = &p->cc[idx];
		enum diff_outcome o = crit_verdict(tag, text, (size_t)(e - text));

		c->verbose = c->verdicts ? diff_outcome_worst(c->verbose, o) : o;
		c->verdicts++;
		/* a FAIL whose text was cut may have been a crash or a timeout */
		if (!strcmp(tag, "FAIL") && cut && text == e)
			c->cut = 1;
	}
	free(name);
}

static void crit_parse_verbose(struct diff_bin *b, struct crit_priv *p, const char *t, size_t n)
{
	static const char *const tags[] = { "RUN", "PASS", "FAIL", "SKIP" };
	const char *end = t + n;

	for (const char *q = t; q < end; q++) {
		if (*q != '[')
			continue;
		for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
			char full[16];
			int cut;
			const char *s, *e;

			snprintf(full, sizeof(full), "[%-4s] ", tags[i]);
			if (!starts_with_n(q, (size_t)(end - q), full))
				continue;
			s = q + strlen(full);
			e = crit_payload_end(s, end, &cut);
			crit_on_tag(b, p, tags[i], s, e, cut);
			q = e - 1;
			break;
		}
	}
}

static enum diff_outcome crit_xml_outcome(xmlNode *tc)
{
	xmlChar *status = xmlGetProp(tc, (const xmlChar *)"status");
	enum diff_outcome o = DIFF_FAILED;

	if (status && !strcmp((char *)status, "PASSED"))
		o = DIFF_PASSED;
	else if (status && !strcmp((char *)status, "SKIPPED"))
		o = DIFF_SKIPPED;
	else if (status && !strcmp((char *)status, "ERRORED")) {
		o = DIFF_CRASHED;
		for (xmlNode *c = tc->children; c; c = c->next) {
			xmlChar *type;
			if (c->type != XML_ELEMENT_NODE || strcmp((char *)c->name, "error"))
				continue;
			type = xmlGetProp(c, (const xmlChar *)"type");
			if (type && !strcmp((char *)type, "timeout"))
				o = DIFF_TIMED_OUT;
			xmlFree(type);
		}
	}
	xmlFree(status);
	return o;
}

/* Fold the XML report into the cases; 0 if there was none to read. */
static int crit_parse_xml(struct diff_bin *b, struct crit_priv *p)
{
	xmlDoc *doc = xmlReadFile(p->xml, NULL, XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR |
					   XML_PARSE_NOWARNING);
	xmlNode *root;

	if (!doc)
		return 0;
	root = xmlDocGetRootElement(doc);
	for (xmlNode *ts = root ? root->children : NULL; ts; ts = ts->next) {
		xmlChar *suite;

		if (ts->type != XML_ELEMENT_NODE || strcmp((char *)ts->name, "testsuite"))
			continue;
		suite = xmlGetProp(ts, (const xmlChar *)"name");
		for (xmlNode *tc = ts->children; tc; tc = tc->next) {
			xmlChar *name;
			char *full;
			int idx;

			if (tc->type != XML_ELEMENT_NODE || strcmp((char *)tc->name, "testcase"))
				continue;
			name = xmlGetProp(tc, (const xmlChar *)"name");
			full = xasprintf("%s/%s", suite ? (char *)suite : "", name ? (char *)name : "");
			idx = crit_match(b, full, strlen(full), 0);
			if (idx < 0) {
				diff_bin_error(b, "XML report: testcase '%.80s' is not listed", full);
			} else {
				struct crit_case *c = &p->cc[idx];
				enum diff_outcome o = crit_xml_outcome(tc);

				c->xml = c->in_xml ? diff_outcome_worst(c->xml, o) : o;
				c->in_xml++;
			}
			free(full);
			xmlFree(name);
		}
		xmlFree(suite);
	}
	xmlFreeDoc(doc);
	return 1;
}

void oracle_criterion_finish(struct diff_bin *b, const struct spawn_job *job)
{
	struct crit_priv *p = b->priv;
	int st = job->status, died = 0, any_run = 0, any_fail = 0, have_xml;
	size_t n;
	char *log = slurp(p->err, &n);

	b->status = st;
	b->wall_s = job->wall_s;
	if (st == SPAWN_TIMED_OUT || st == SPAWN_NOT_STARTED)
		diff_bin_error(b, "serial run %s", spawn_describe(st));
	died = st >= 0 && WIFSIGNALED(st);
	if (log)
		crit_parse_verbose(b, p, log, n);
	have_xml = crit_parse_xml(b, p);
	for (size_t i = 0; i < b->ncases; i++) {
		struct diff_case *dc = &b->cases[i];
		struct crit_case *c = &p->cc[i];

		any_run |= c->runs || c->verdicts;
		if (have_xml) {
			if (!c->in_xml) {
				diff_bin_error(b, "XML report: no testcase for '%.80s'", dc->name);
				continue;
			}
			dc->oracle = c->xml;
			dc->note = xstrdup(c->verdicts ? "XML report, verbose log agrees"
					   : "XML report; the verbose log has no verdict");
			if (c->verdicts && !c->cut && c->verbose != c->xml)
				diff_bin_error(b, "'%.80s': the XML report says %s, the verbose log %s",
					       dc->name, diff_outcome_name(c->xml),
					       diff_outcome_name(c->verbose));
		} else if (c->verdicts) {
			dc->oracle = c->verbose;
			dc->note = xstrdup("verbose log (no XML report)");
		} else if (c->runs && !died) {
			dc->oracle = DIFF_CRASHED;
			dc->note = xstrdup("verbose log: [RUN ] and no verdict (crashed in setup or teardown)");
		} else {
			dc->oracle = DIFF_UNKNOWN;
			dc->note = xstrdup(died ? "the runner died before its verdict" : "never mentioned");
			if (!died)
				diff_bin_error(b, "'%.80s' is listed but the serial run never mentions it",
					       dc->name);
		}
		any_fail |= diff_outcome_fails(dc->oracle);
	}
	if (died)
		diff_bin_add_evidence(b, any_run ? FAULT_AFTER : FAULT_BEFORE, NULL,
				      "the serial runner was %s %s its tests", spawn_describe(st),
				      any_run ? "after" : "before");
	else if (st >= 0 && WEXITSTATUS(st) != 0 && !any_fail)
		diff_bin_add_evidence(b, FAULT_AFTER, NULL, "serial %s with no failed test",
				      spawn_describe(st));
	free(log);
	free(p->out);
	free(p->err);
	free(p->xml);
	free(p->xml_arg);
	free(p->cc);
	free(p);
	b->priv = NULL;
}
