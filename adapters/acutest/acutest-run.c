/*
 * acutest-run.c - the acutest adapter's run_batch: a batch of acutest
 * tests in one run of the binary, following what it prints.
 *
 *   BIN [registered arguments] --exec=always --verbose=2 --color=never
 *       --xml-output=<a file of the worker's> -- NAME...
 *
 * Names select the first test of exactly that name (acutest-internal.h);
 * acutest runs them in TEST_LIST order, so the worker expects them in the
 * order of their places.  --exec=always: every test in a child process of
 * its own, as a serial run of the whole binary does (acutest runs a lone
 * selected test in-process, where a crash would end the run and global
 * state would outlive the test).
 *
 * What acutest prints (stdout; the child prints its test's lines, the
 * parent the crash line):
 *
 *   Test NAME...<spaces to column 48>        flushed before the test runs
 *   <the test's output>[ OK ]                verdicts end a line:
 *   [ FAILED ]   [ SKIPPED ]                   FAILED comes at the first
 *     f.c:14: a == b... failed                 failed check, SKIPPED at
 *     f.c:16: reason... skipped                TEST_SKIP; the first such
 *                                              indented line is the message
 *     Test interrupted by SIGSEGV.           the child died: CRASH
 *   SUCCESS: No unit tests have failed.      the summary: the run ended
 *   FAILED: 2 of 9 unit tests have failed.
 *
 * A test runs from its "Test NAME... " to the next test's (which may come
 * on the same line when a child exited without a verdict) or the summary.
 * The child's exit status is acutest's verdict (0 passed, 1 failed, 2
 * skipped, anything else a failure in the XML report); a child that
 * exit()s prints no verdict, so such a test's RESULT waits for the XML
 * report, written when the run ends.  The process ending inside a test
 * (a timeout, or acutest itself killed) settles that test as gtest-lines.c
 * does; the rest get no RESULT and run again elsewhere.
 *
 * A name acutest does not know (the binary was rebuilt) makes it refuse
 * the whole command ("Unrecognized unit test 'NAME'", exit 2): that test
 * is reported not run and the batch runs again without it.
 */
#define _GNU_SOURCE
#include "acutest-internal.h"
#include "driver.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ACU_LINE_MAX 8192
#define ACU_XML_MAX (64u << 20)

static const struct {
	const char *tag;
	enum outcome o;
} acu_verdicts[] = {
	{ "[ OK ]", OUTCOME_PASS },
	{ "[ FAILED ]", OUTCOME_FAIL },
	{ "[ SKIPPED ]", OUTCOME_SKIP },
};

struct acu {
	struct session *s;
	const struct proto_invocation *inv;
	struct child *c;
	uint32_t *seq;           /* invocation indexes to run, by place */
	size_t nseq, next;       /* next: the seq index whose "Test NAME... " comes next */
	struct strbuf buf;       /* output not handled yet (an unfinished line) */
	struct strbuf pat;       /* "Test <next name>... " */
	struct wtest t;          /* the running test, or index -1 */
	uint64_t run_ns;
	int verdict;             /* its verdict's outcome + 1, 0 none */
	int crashed, pad;        /* pad: the prefix's padding may still come */
	int in_case;             /* msg holds "Case NAME:" and waits for its failed check */
	struct strbuf msg;       /* its first failure or skip line, or the crash line */
	struct wtest *held;      /* tests whose child exited without a verdict */
	size_t nheld;
	int any_test, ended, failed;
	struct capture outside;  /* output outside the tests, for a FAULT */
	struct strbuf first;     /* the first line outside the tests */
};

/* ---- one test ---- */

static void acu_expect(struct acu *g)
{
	strbuf_reset(&g->pat);
	if (g->next < g->nseq)
		strbuf_addf(&g->pat, "Test %s... ", g->inv->tests[g->seq[g->next]]);
}

static void acu_begin(struct acu *g)
{
	int idx = (int)g->seq[g->next++];

	acu_expect(g);
	session_start(g->s, &g->t, idx);
	g->run_ns = now_ns();
	g->verdict = g->crashed = g->in_case = 0;
	g->pad = 1;
	g->any_test = 1;
	strbuf_reset(&g->msg);
	child_set_timeout(g->c, session_timeout_ms(g->s, idx));
}

static void acu_result(struct acu *g, enum outcome o, const char *msg)
{
	wtest_note(&g->t, o, msg);
	g->failed |= outcome_is_failure(g->t.outcome);
	wtest_usage(&g->t, g->c, 0);
	session_result(g->s, &g->t);
}

/* The running test ended as its child did (the next test started, or the summary came). */
static void acu_end(struct acu *g)
{
	if (g->t.index < 0)
		return;
	g->t.duration_ns = driver_elapsed(g->run_ns, now_ns());
	if (g->crashed) {
		acu_result(g, OUTCOME_CRASH, g->msg.buf);
	} else if (g->verdict) {
		enum outcome o = (enum outcome)(g->verdict - 1);

		acu_result(g, o, o == OUTCOME_PASS ? "" : g->msg.len ? g->msg.buf :
				 o == OUTCOME_FAIL ? "failed" : "");
	} else {	/* exit() in the child: the XML report will say */
		g->held = xrealloc(g->held, (g->nheld + 1) * sizeof(*g->held));
		g->held[g->nheld++] = g->t;
		wtest_init(&g->t);
	}
	child_set_timeout(g->c, session_max_timeout_ms(g->s));
}

/* ---- lines ---- */

static int acu_summary(const char *text)
{
	return starts_with(text, "SUCCESS: No unit tests have failed.") ||
	       (starts_with(text, "FAILED: ") && strstr(text, " unit test"));
}

/* Where the verdict tag ends the line text[0..len) (a --time suffix may follow), or NULL. */
static const char *acu_verdict_at(const char *text, size_t len, size_t *which)
{
	for (size_t i = 0; i < ARRAY_SIZE(acu_verdicts); i++) {
		size_t tl = strlen(acu_verdicts[i].tag);
		const char *last = NULL;

		for (const char *p = memmem(text, len, acu_verdicts[i].tag, tl); p;
		     p = memmem(p + 1, len - (size_t)(p + 1 - text), acu_verdicts[i].tag, tl))
			last = p;
		if (last && (last + tl == text + len || starts_with(last + tl, "  "))) {
			*which = i;
			return last;
		}
	}
	return NULL;
}

/* An indented line after a verdict: "Case NAME:" then the first failed check (or the skip). */
static void acu_message_line(struct acu *g, const char *text, size_t tlen)
{
	if (!g->msg.len && starts_with(text, "  Case ") && text[tlen - 1] == ':') {
		strbuf_adds(&g->msg, text + 2);
		g->in_case = 1;
	} else if (strstr(text, "... failed") || strstr(text, "... skipped")) {
		strbuf_addf(&g->msg, "%s%s", g->msg.len ? " " : "", text + strspn(text, " "));
		g->in_case = 0;
	}
}

/* A line (or the unfinished text before the next test) of the running test. */
static void acu_test_text(struct acu *g, const char *raw, size_t len, int whole)
{
	char *text = xstrndup(raw, strcspn(raw, "\r\n") < len ? strcspn(raw, "\r\n") : len);
	size_t tlen = strlen(text), which;
	const char *crash = strstr(text, "Test interrupted by ");
	const char *v;

	if (!crash)
		crash = strstr(text, "Test ended in an unexpected way");
	if (crash) {
		size_t before = (size_t)(crash - text);

		while (before && text[before - 1] == ' ')	/* acutest's indent */
			before--;
		capture_add(&g->t.out, raw, before);
		strbuf_reset(&g->msg);
		strbuf_add(&g->msg, crash, strcspn(crash, "."));
		g->crashed = 1;
	} else if (whole && (v = acu_verdict_at(text, tlen, &which))) {
		capture_add(&g->t.out, raw, (size_t)(v - text));
		if (!g->verdict || acu_verdicts[which].o != OUTCOME_PASS)
			g->verdict = (int)acu_verdicts[which].o + 1;
	} else {
		capture_add(&g->t.out, raw, len);
		if (whole && g->verdict && starts_with(text, "  ") && (!g->msg.len || g->in_case))
			acu_message_line(g, text, tlen);
	}
	free(text);
}

/* Text raw[0..len) of the output, whole lines unless !whole (the text before a test's start). */
static void acu_text(struct acu *g, const char *raw, size_t len, int whole)
{
	while (len) {
		const char *nl = memchr(raw, '\n', len);
		size_t n = nl ? (size_t)(nl - raw) + 1 : len;
		char *text;

		if (g->pad && g->t.index >= 0) {
			size_t sp = 0;

			while (sp < n && raw[sp] == ' ')
				sp++;
			raw += sp;
			len -= sp;
			n -= sp;
			if (!n)
				continue;
			g->pad = 0;
		}
		text = xstrndup(raw, n - (nl ? 1 : 0));
		if (whole && acu_summary(text)) {
			acu_end(g);
			g->ended = 1;
		} else if (g->t.index >= 0) {
			acu_test_text(g, raw, n, whole || nl);
		} else {
			if (!g->any_test && !g->first.len && *text)
				strbuf_adds(&g->first, text);
			capture_add(&g->outside, raw, n);
		}
		free(text);
		raw += n;
		len -= n;
	}
}

static void acu_output(void *data, const char *buf, size_t len)
{
	struct acu *g = data;

	strbuf_add(&g->buf, buf, len);
	for (;;) {
		const char *at = g->pat.len ? memmem(g->buf.buf, g->buf.len, g->pat.buf, g->pat.len) : NULL;
		const char *nl;
		size_t keep;

		if (at) {
			size_t pos = (size_t)(at - g->buf.buf), plen = g->pat.len;

			acu_text(g, g->buf.buf, pos, 0);
			acu_end(g);
			acu_begin(g);
			strbuf_remove_front(&g->buf, pos + plen);
			continue;
		}
		nl = memrchr(g->buf.buf, '\n', g->buf.len);
		keep = nl ? (size_t)(g->buf.buf + g->buf.len - nl - 1) : g->buf.len;
		if (nl)
			acu_text(g, g->buf.buf, g->buf.len - keep, 1);
		strbuf_remove_front(&g->buf, g->buf.len - keep);
		if (g->buf.len > ACU_LINE_MAX) {	/* a long line: keep what a prefix could start in */
			size_t cut = g->buf.len - (g->pat.len ? g->pat.len : 1);

			acu_text(g, g->buf.buf, cut, 0);
			strbuf_remove_front(&g->buf, cut);
		}
		return;
	}
}

static const struct child_ops acu_ops = { .on_output = acu_output };

/* ---- the end of the process ---- */

/*
 * acutest's XML report: one "<testcase" per listed test, in TEST_LIST order,
 * followed by "<failure />", "<skipped />" or nothing (passed).  The state
 * of each place into states (OUTCOME_NOTRUN: not in the report); 1 if the
 * report was written.
 */
static int acu_read_xml(const char *path, enum outcome *states, size_t nplaces)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, place = 0;
	int in_case = 0, written = 0;

	for (size_t i = 0; i < nplaces; i++)
		states[i] = OUTCOME_NOTRUN;
	while (f && getline(&line, &cap, f) > 0) {
		const char *p = line + strspn(line, " ");

		written |= starts_with(p, "</testsuite>");
		if (starts_with(p, "<testcase ")) {
			in_case = 1;
			if (place < nplaces)
				states[place] = OUTCOME_PASS;
			place++;
		} else if (in_case && place - 1 < nplaces && starts_with(p, "<failure")) {
			states[place - 1] = OUTCOME_FAIL;
		} else if (in_case && place - 1 < nplaces && starts_with(p, "<skipped")) {
			states[place - 1] = OUTCOME_SKIP;
		} else if (starts_with(p, "</testcase>")) {
			in_case = 0;
		}
	}
	free(line);
	if (f)
		fclose(f);
	return written;
}

/* The tests whose child exited without a verdict: as the XML report says, if it came. */
static void acu_settle_held(struct acu *g, const char *xml_path)
{
	size_t nplaces = 0;
	enum outcome *states;
	int have;

	for (size_t i = 0; i < g->nheld; i++) {
		uint32_t place = ACU_CHECK_PLACE(g->inv->checks[g->held[i].index]);

		nplaces = place + 1 > nplaces ? place + 1 : nplaces;
	}
	states = xcalloc(nplaces ? nplaces : 1, sizeof(*states));
	have = g->nheld && acu_read_xml(xml_path, states, nplaces);
	for (size_t i = 0; i < g->nheld; i++) {
		struct wtest *t = &g->held[i];
		enum outcome o = have ? states[ACU_CHECK_PLACE(g->inv->checks[t->index])] : OUTCOME_FAIL;

		if (o == OUTCOME_NOTRUN)
			o = OUTCOME_FAIL;
		wtest_note(t, o, o == OUTCOME_PASS ? "" : o == OUTCOME_SKIP ?
			   "its process exited with status 2 (acutest: skipped)" :
			   "its process exited without a verdict (acutest: failed)");
		g->failed |= outcome_is_failure(t->outcome);
		session_result(g->s, t);
		wtest_release(t);
	}
	free(states);
	free(g->held);
	g->held = NULL;
	g->nheld = 0;
}

/* The process ended inside the running test. */
static void acu_settle_test(struct acu *g, const char *what)
{
	if (g->crashed || g->verdict) {
		acu_end(g);
		return;
	}
	driver_test_died(g->s, &g->t, g->c, g->run_ns, what);
	acu_result(g, g->t.outcome, NULL);
}

static void acu_not_run(struct acu *g, int idx, const char *msg)
{
	struct wtest t;

	wtest_init(&t);
	session_start(g->s, &t, idx);
	wtest_note(&t, OUTCOME_NOTRUN, msg);
	session_result(g->s, &t);
	wtest_release(&t);
}

/* The test acutest refused by name ("Unrecognized unit test 'NAME'"), as a seq index, or -1. */
static int acu_refused(const struct acu *g)
{
	const char *p = strstr(g->first.buf, "Unrecognized unit test '");

	if (g->any_test || !WIFEXITED(g->c->status) || WEXITSTATUS(g->c->status) != 2 || !p)
		return -1;
	p += strlen("Unrecognized unit test '");
	for (size_t i = 0; i < g->nseq; i++) {
		const char *name = g->inv->tests[g->seq[i]];
		size_t n = strlen(name);

		if (!strncmp(p, name, n) && p[n] == '\'')
			return (int)i;
	}
	return -1;
}

/* Settle what the process left; the seq index of a test acutest refused, or -1. */
static int acu_settle(struct acu *g, const char *xml_path)
{
	const struct child *c = g->c;
	char what[64];
	int quiet = child_stop_requested || g->s->broken, refused;

	proc_describe_status(c->status, what, sizeof(what));
	if (g->buf.len)
		acu_text(g, g->buf.buf, g->buf.len, 1);
	strbuf_reset(&g->buf);
	if (g->t.index >= 0)
		acu_settle_test(g, what);
	acu_settle_held(g, xml_path);
	if ((refused = acu_refused(g)) >= 0)
		return refused;
	if (!quiet && g->t.index < 0)
		driver_fault_outside(g->s, c, what, g->any_test, g->failed, NULL, &g->outside);
	for (size_t i = g->next; !quiet && g->ended && i < g->nseq; i++)
		acu_not_run(g, (int)g->seq[i], "not run: acutest did not run it (is it still in the binary?)");
	if (!g->any_test)
		session_error(g->s, "%s before any test ran%s%s", what, g->first.len ? ": " : "",
			      g->first.buf);
	return -1;
}

/* ---- running ---- */

static void acu_argv(const struct acu *g, struct strvec *argv, const char *xml_path)
{
	strvec_push(argv, g->inv->binary);
	driver_argv(argv, g->inv);
	strvec_push(argv, "--exec=always");
	strvec_push(argv, "--verbose=2");
	strvec_push(argv, "--color=never");
	strvec_pushf(argv, "--xml-output=%s", xml_path);
	strvec_push(argv, "--");
	for (size_t i = 0; i < g->nseq; i++)
		strvec_push(argv, g->inv->tests[g->seq[i]]);
}

/* Run the tests of g->seq in one process.  The seq index of a test acutest refused, or -1. */
static int acu_run_process(struct acu *g)
{
	struct strbuf xml = STRBUF_INIT, err = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct child c;
	int refused = -1;

	if (driver_temp_file("acutest-xml", "", 0, &xml, &err)) {
		driver_fail_all(g->s, g->inv, err.buf);
		goto out;
	}
	acu_argv(g, &argv, xml.buf);
	driver_env(&env, g->inv);
	g->next = 0;
	g->any_test = g->ended = g->failed = 0;
	strbuf_reset(&g->first);
	capture_reset(&g->outside);
	acu_expect(g);
	g->c = &c;
	if (!driver_follow(g->s, g->inv, &c, argv.v, env.v, &acu_ops, g)) {
		refused = acu_settle(g, xml.buf);
		child_release(&c);
	}
	g->c = NULL;
	unlink(xml.buf);
out:
	strvec_clear(&argv);
	strvec_clear(&env);
	strbuf_release(&xml);
	strbuf_release(&err);
	return refused;
}

static int acu_cmp_places(const void *a, const void *b, void *data)
{
	const uint64_t *checks = data;
	uint32_t pa = ACU_CHECK_PLACE(checks[*(const uint32_t *)a]);
	uint32_t pb = ACU_CHECK_PLACE(checks[*(const uint32_t *)b]);

	return pa < pb ? -1 : pa > pb;
}

/* The selectable tests into g->seq by place; the others are reported not run. */
static void acu_plan(struct acu *g)
{
	const struct proto_invocation *inv = g->inv;

	g->seq = xcalloc(inv->ntests ? inv->ntests : 1, sizeof(*g->seq));
	for (size_t i = 0; i < inv->ntests; i++) {
		if (inv->checks[i] & ACU_CHECK_UNREACHABLE)
			acu_not_run(g, (int)i, "not run: an earlier test has the same name, and acutest "
				    "selects only the first test of a name");
		else
			g->seq[g->nseq++] = (uint32_t)i;
	}
	qsort_r(g->seq, g->nseq, sizeof(*g->seq), acu_cmp_places, inv->checks);
}

void acutest_run_batch(struct session *s, const struct proto_invocation *inv)
{
	struct acu g = { .s = s, .inv = inv };

	if (!inv->checks) {
		driver_fail_all(s, inv, "internal error: an acutest invocation without checks");
		return;
	}
	wtest_init(&g.t);
	strbuf_init(&g.buf, 0);
	strbuf_init(&g.pat, 0);
	strbuf_init(&g.msg, 0);
	strbuf_init(&g.first, 0);
	capture_init(&g.outside, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
	acu_plan(&g);
	while (g.nseq && !s->broken && !child_stop_requested) {
		int refused = acu_run_process(&g);

		if (refused < 0)
			break;
		acu_not_run(&g, (int)g.seq[refused], "not run: acutest does not know this test any more "
			    "(was the binary rebuilt?)");
		memmove(&g.seq[refused], &g.seq[refused + 1], (g.nseq - (size_t)refused - 1) * sizeof(*g.seq));
		g.nseq--;
	}
	free(g.seq);
	wtest_release(&g.t);
	strbuf_release(&g.buf);
	strbuf_release(&g.pat);
	strbuf_release(&g.msg);
	strbuf_release(&g.first);
	capture_release(&g.outside);
}
