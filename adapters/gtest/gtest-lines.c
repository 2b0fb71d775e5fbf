/*
 * gtest-lines.c - following a GoogleTest process's output, for
 * gtest-run.c (gtest-internal.h).
 *
 * The merged output, line by line (gtest flushes stdout after each of its
 * own lines, so a test's output comes before its verdict):
 *
 *   [----------] 3 tests from Suite           a suite starts
 *   [ RUN      ] Suite.Name                   a test starts
 *   f.cc:12: Failure / Expected ...           the first failure (or skip)
 *   f.cc:13: Skipped / reason                   text is the message
 *   [       OK ] Suite.Name (0 ms)            PASS
 *   [  FAILED  ] Suite.Name[, where GetParam() = 3] (0 ms)    FAIL
 *   [  SKIPPED ] Suite.Name (0 ms)            SKIP
 *   [----------] 3 tests from Suite (0 ms total)   the suite ends
 *   [==========] 3 tests from 1 test suite ran.    the run ended normally
 *
 * A verdict is found anywhere in a line (a test's output without a
 * newline comes before it on the same line).  A test's output runs from
 * its RUN line to its verdict; gtest's own lines stay out of it, its
 * failure text stays in.  The RESULT is sent at the next RUN line or the
 * end (so a process of one test reports its CPU time).
 *
 * Failure text outside a test inside a suite is its SetUpTestSuite (before
 * the suite's first test) or TearDownTestSuite (after its last) failing:
 * gtest then reports the suite's tests SKIPPED and exits 1.  It becomes a
 * FAULT of the suite's scope when the suite ends.
 *
 * The end.  A test without a verdict when the process ends is CRASH
 * (killed by a signal), TIMEOUT (stopped at its limit) or FAIL ("exited
 * with status N during the test", exit(0) included: gtest then skips the
 * rest silently); the rest of the batch gets no RESULT and runs again
 * elsewhere.  Dead or exiting non-zero with no test running and nothing
 * failed, or exiting 0 before the end of the run (gtest's
 * TEST_PREMATURE_EXIT_FILE is still there), is a FAULT.  Tests of a run
 * that ended normally without running them are NOT RUN.
 */
#define _GNU_SOURCE
#include "gtest-internal.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define GT_RUN "[ RUN      ] "
#define GT_SUITE "[----------] "
#define GT_MESSAGE_LINES 8
#define GT_MESSAGE_MAX 300

static const struct {
	const char *tag;
	enum outcome o;
} gt_verdicts[] = {
	{ "[       OK ] ", OUTCOME_PASS },
	{ "[  FAILED  ] ", OUTCOME_FAIL },
	{ "[  SKIPPED ] ", OUTCOME_SKIP },
};

/* gtest's own lines outside tests: not anybody's output. */
static int gt_own_line(const char *text)
{
	static const char *const own[] = {
		"[==========]", "[----------]", "[  PASSED  ]", "[  FAILED  ]", "[  SKIPPED ]",
		"[ DISABLED ]", "Note: Google Test filter", "Note: This is test shard",
		"Running main() from ", " YOU HAVE ", "  YOU HAVE ",
	};
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		if (starts_with(text, own[i]))
			return 1;
	return !*text;
}

int gt_find(const struct gt *g, const char *name, size_t len)
{
	size_t lo = 0, hi = g->nby_name;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *t = g->inv->tests[g->by_name[mid]];
		int c = strncmp(t, name, len);

		if (!c)
			c = t[len] ? 1 : 0;
		if (!c)
			return (int)g->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- failure text ---- */

/* "f.cc:12: Failure", "unknown file: Failure", "f.cc:9: Skipped": the location's length. */
static size_t gt_failure_header(const char *text)
{
	size_t n = strlen(text);

	if (n > 9 && (!strcmp(text + n - 9, ": Failure") || !strcmp(text + n - 9, ": Skipped")))
		return n - 9;
	return 0;
}

/* A line of output: the first failure's location and text go into msg. */
static void gt_failure_text(struct gt *g, const char *text, struct strbuf *msg)
{
	size_t loc = gt_failure_header(text);

	if (loc) {
		if (!msg->len) {
			strbuf_add(msg, text, loc);
			g->block = 0;
		} else {
			g->block = -1;
		}
		return;
	}
	if (g->block < 0)
		return;
	text += strspn(text, " ");
	if (!*text || g->block >= GT_MESSAGE_LINES || msg->len >= GT_MESSAGE_MAX) {
		g->block = -1;
		return;
	}
	strbuf_addf(msg, "%s%.*s", g->block++ ? " " : ": ", (int)(GT_MESSAGE_MAX - msg->len), text);
}

/* ---- tests ---- */

/* Send the held RESULT of the last test, if any. */
static void gt_finish(struct gt *g)
{
	if (g->t.index >= 0) {
		g->failed |= outcome_is_failure(g->t.outcome);
		wtest_usage(&g->t, g->c, g->inv->ntests == 1 || g->alone >= 0);
		session_result(g->s, &g->t);
	}
	g->running = g->foreign = 0;
}

/*
 * The sharded run of one test ran name: is it ours?  Its sent name may have
 * "#k" added, and a RUN line shows a name with a newline up to the newline.
 */
static int gt_alone_is(const struct gt *g, const char *name)
{
	const char *sent = g->inv->tests[g->alone];
	size_t n = strlen(name);

	return !strncmp(sent, name, n) && (!sent[n] || sent[n] == '#' || sent[n] == '\n');
}

static int gt_run_index(struct gt *g, const char *name)
{
	struct wtest t;

	if (g->alone < 0)
		return gt_find(g, name, strlen(name));
	if (session_seen(g->s, g->alone))
		return -1;
	if (gt_alone_is(g, name))
		return g->alone;
	wtest_init(&t);
	session_start(g->s, &t, g->alone);
	wtest_note(&t, OUTCOME_NOTRUN, "not run: its place in the listing now holds another test "
		   "(was the binary rebuilt?)");
	session_result(g->s, &t);
	wtest_release(&t);
	return -1;
}

static void gt_on_run(struct gt *g, const char *name)
{
	int idx;

	if (g->running && !g->foreign) {
		g->t.duration_ns = driver_elapsed(g->run_ns, now_ns());
		wtest_note(&g->t, OUTCOME_FAIL, "no verdict from gtest before the next test");
	}
	gt_finish(g);
	idx = gt_run_index(g, name);
	g->running = 1;
	strbuf_reset(&g->name);
	strbuf_adds(&g->name, name);
	g->suite_tests++;
	g->block = -1;
	if (idx < 0 || session_seen(g->s, idx)) {
		g->foreign = 1;
		child_set_timeout(g->c, session_max_timeout_ms(g->s));
		return;
	}
	session_start(g->s, &g->t, idx);
	g->run_ns = now_ns();
	g->any_test = 1;
	g->suite_scope = GT_CHECK_SCOPE(g->inv->checks[idx]);
	strbuf_reset(&g->msg);
	g->block = -1;
	child_set_timeout(g->c, session_timeout_ms(g->s, idx));
}

/* Where in text the verdict of the running test is (its tag), or NULL. */
static const char *gt_verdict_at(const struct gt *g, const char *text, size_t *which)
{
	for (size_t i = 0; i < ARRAY_SIZE(gt_verdicts); i++) {
		size_t tl = strlen(gt_verdicts[i].tag);

		for (const char *p = strstr(text, gt_verdicts[i].tag); p; p = strstr(p + 1, gt_verdicts[i].tag)) {
			const char *rest = p + tl;

			if (strncmp(rest, g->name.buf, g->name.len))
				continue;
			rest += g->name.len;
			if (!*rest || starts_with(rest, " (") || starts_with(rest, ", where ")) {
				*which = i;
				return p;
			}
		}
	}
	return NULL;
}

/* The running test's verdict is in text: 1 if found (the line is handled). */
static int gt_on_verdict(struct gt *g, const char *text)
{
	size_t which;
	const char *p = gt_verdict_at(g, text, &which);
	enum outcome o;

	if (!p)
		return 0;
	if (g->foreign) {
		capture_add(&g->outside, text, (size_t)(p - text));
		g->running = g->foreign = 0;
		return 1;
	}
	capture_add(&g->t.out, text, (size_t)(p - text));
	g->t.duration_ns = driver_elapsed(g->run_ns, now_ns());
	o = gt_verdicts[which].o;
	wtest_note(&g->t, o, o == OUTCOME_PASS ? "" : g->msg.len ? g->msg.buf :
			     o == OUTCOME_FAIL ? "failed" : "");
	g->running = 0;
	child_set_timeout(g->c, session_max_timeout_ms(g->s));	/* between tests: still bounded */
	return 1;
}

/* ---- outside the tests ---- */

/* The suite's SetUpTestSuite or TearDownTestSuite failed: a FAULT of its scope. */
static void gt_suite_fault(struct gt *g)
{
	if (!g->suite_fault)
		return;
	gt_finish(g);
	session_fault(g->s, g->suite_where, g->suite_scope, OUTCOME_FAIL, g->suite_msg.len ?
		      g->suite_msg.buf : "SetUpTestSuite or TearDownTestSuite failed", &g->outside);
	capture_reset(&g->outside);
	g->failed = 1;
	g->suite_fault = 0;
}

static void gt_outside(struct gt *g, const char *raw, size_t len, const char *text)
{
	if (starts_with(text, GT_SUITE) && strstr(text, " from ")) {
		gt_suite_fault(g);	/* the suite ended (or a new one starts) */
		g->in_suite = !strstr(text, " ms total)");
		g->suite_tests = 0;
		g->suite_scope = -1;
		return;
	}
	if (starts_with(text, "[==========] ") && strstr(text, " ran."))
		g->ended = 1;
	if (gt_own_line(text))
		return;
	capture_add(&g->outside, raw, len);
	if (g->in_suite && !g->suite_fault && gt_failure_header(text) &&
	    !strcmp(text + strlen(text) - 9, ": Failure")) {	/* GTEST_SKIP() there skips nothing */
		strbuf_reset(&g->suite_msg);
		g->suite_fault = 1;
		g->suite_where = g->suite_tests ? FAULT_GROUP_TEARDOWN : FAULT_GROUP_SETUP;
	}
	if (g->suite_fault)
		gt_failure_text(g, text, &g->suite_msg);
}

/* Handle the line in g->line (newline included if it had one). */
static void gt_on_line(struct gt *g)
{
	struct strbuf *raw = &g->line;
	char *text = xstrndup(raw->buf, strcspn(raw->buf, "\r\n"));

	if (!g->any_test && !g->first.len && *text && !gt_own_line(text))
		strbuf_adds(&g->first, text);
	if (starts_with(text, GT_RUN)) {
		gt_on_run(g, text + strlen(GT_RUN));
	} else if (g->running && gt_on_verdict(g, text)) {
		;
	} else if (g->running && g->foreign) {
		capture_add(&g->outside, raw->buf, raw->len);
	} else if (g->running) {
		capture_add(&g->t.out, raw->buf, raw->len);
		gt_failure_text(g, text, &g->msg);
	} else {
		gt_outside(g, raw->buf, raw->len, text);
	}
	free(text);
	strbuf_reset(raw);
}

static void gt_output(void *data, const char *buf, size_t len)
{
	struct gt *g = data;

	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) + 1 : len;

		if (g->long_line) {
			capture_add(g->running && !g->foreign ? &g->t.out : &g->outside, buf, n);
			g->long_line = !nl;
		} else if (g->line.len + n > GT_LINE_MAX) {
			n = GT_LINE_MAX - g->line.len;
			strbuf_add(&g->line, buf, n);
			gt_on_line(g);
			g->long_line = 1;
		} else {
			strbuf_add(&g->line, buf, n);
			if (nl)
				gt_on_line(g);
		}
		buf += n;
		len -= n;
	}
}

const struct child_ops gt_ops = { .on_output = gt_output };

/* ---- the end of the process ---- */

/* The running test ended with the process. */
static void gt_settle_test(struct gt *g, const char *what)
{
	driver_test_died(g->s, &g->t, g->c, g->run_ns, what);
	gt_finish(g);
}

/* A run that ended normally did not run these: they are not in the binary (any more). */
static void gt_not_run(struct gt *g)
{
	struct wtest t;

	wtest_init(&t);
	for (size_t i = 0; i < g->inv->ntests; i++) {
		int ours = g->alone >= 0 ? (int)i == g->alone : !GT_CHECK_PLACE(g->inv->checks[i]);

		if (!ours || session_seen(g->s, (int)i))
			continue;
		session_start(g->s, &t, (int)i);
		wtest_note(&t, OUTCOME_NOTRUN, "not run: gtest did not run it (is it still in the binary?)");
		session_result(g->s, &t);
	}
	wtest_release(&t);
}

void gt_settle(struct gt *g, int premature)
{
	const struct child *c = g->c;
	char what[64];
	int quiet = child_stop_requested || g->s->broken, in_test;

	proc_describe_status(c->status, what, sizeof(what));
	if (g->line.len)
		gt_on_line(g);
	in_test = g->running && !g->foreign && g->t.index >= 0;
	if (in_test)
		gt_settle_test(g, what);
	gt_finish(g);
	gt_suite_fault(g);
	if (!quiet && !in_test)
		g->failed |= driver_fault_outside(g->s, c, what, g->any_test, g->failed, premature ?
						  "gtest's TEST_PREMATURE_EXIT_FILE is still there" : NULL,
						  &g->outside);
	if (!quiet && g->ended && WIFEXITED(c->status) && !c->timed_out)
		gt_not_run(g);
	if (!g->any_test)
		session_error(g->s, "%s before any test ran%s%s", what, g->first.len ? ": " : "",
			      g->first.buf);
}
