/*
 * criterion-lines.c - following a Criterion process's output, for
 * criterion-run.c (criterion-internal.h).
 *
 * Following the run: the merged output line by line:
 *
 *   [RUN ] suite::name          a test (or one more parameter of it) starts
 *   [----] f.c:6: Assertion Failed / [----]   text
 *                               the first failed assertion gives the message
 *   [PASS] suite::name: (0.00s)               PASS
 *   [FAIL] suite::name: CRASH!                CRASH
 *   [FAIL] suite::name: Timed out. (1.01s)    TIMEOUT
 *   [FAIL] suite::name: (0.00s)               FAIL
 *   [SKIP] suite::name: reason                SKIP (no [RUN ] if disabled)
 *   [WARN] text, [ERR ] text, [----] Warning! ...
 *                               warnings: Criterion exits 1 for them
 *
 * (with the shim, "name" is the test's ordinal).  A test's output runs from
 * its [RUN ] line to the next [RUN ] line or the end of the process,
 * because Criterion's test children flush their stdout at exit, after the
 * runner printed the verdict.  Criterion's own lines ([RUN ], verdicts,
 * [====], the banner) are left out of it; the [----] assertion lines stay.
 *
 * A test's duration runs from the previous verdict in the batch to its own
 * verdict, so it includes the process Criterion starts for it (tens of ms):
 * that is what running it costs, and what the balancer must plan with.  The
 * batch's first test has no previous verdict: its time runs from its suite's
 * "[====] Running N tests from S:" line, which Criterion prints just before
 * it starts the test's process (from its [RUN ] line if there was none), so
 * that a test costs the same first in a batch as later in it.  So a test's RESULT is sent when the
 * next test starts, or at the end; consecutive [RUN ] lines of one name (a
 * parameterized test) fold into one RESULT: worst outcome, durations summed.
 * [SKIP] lines of tests outside the batch (filtered-out tests) are dropped.
 *
 * Criterion 2.4.1 ignores --timeout (measured: only the .timeout attribute
 * works), so the worker's own limit, armed at each [RUN ] line for the time
 * limit plus CHILD_GRACE_MS, is what stops a hung test.  If the process ends
 * while a test runs, that test is CRASH (or TIMEOUT if the worker stopped it)
 * and the rest of the batch gets no RESULT.
 *
 * Failures outside the tests.  Criterion exits 0 only when no test failed
 * and nothing warned.  A process killed by a signal with no test running (a
 * ReportHook(POST_ALL) or a destructor that aborts), or exiting non-zero
 * although none of its tests failed (a warning, cr_log_error, a test child
 * that crashed in its teardown), gets a FAULT after its tests (before them
 * if none ran), with the output after the last verdict and the warnings.
 */
#define _GNU_SOURCE
#include "criterion-internal.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* ---- which test a line names ---- */

/* Pattern mode: index of "suite::name" (len bytes) among the batch's "suite/name", or -1. */
static int crit_find_name(const struct crit *cr, const char *name, size_t len)
{
	const char *sep = memmem(name, len, "::", 2);
	size_t slen, nlen;
	size_t n = cr->inv->ntests;
	size_t hint = cr->t.index >= 0 ? (size_t)cr->t.index : 0;

	if (!sep)
		return -1;
	slen = (size_t)(sep - name);
	nlen = len - slen - 2;
	for (size_t k = 0; k < n; k++) {
		size_t i = (hint + k) % n;   /* tests mostly come in order */
		const char *t = cr->inv->tests[i];

		if (strlen(t) == slen + 1 + nlen && !memcmp(t, name, slen) && t[slen] == '/' &&
		    !memcmp(t + slen + 1, sep + 2, nlen) && (!cr->in_chunk || cr->in_chunk[i]))
			return (int)i;
	}
	return -1;
}

/* Shim mode: "suite::<ordinal>": the index of the test with that ordinal, or -1. */
static int crit_find_ordinal(const struct crit *cr, const char *name, size_t len)
{
	const char *sep = memmem(name, len, "::", 2);
	char digits[24];
	size_t n;

	if (!sep)
		return -1;
	n = len - (size_t)(sep + 2 - name);
	if (!n || n >= sizeof(digits) || strspn(sep + 2, "0123456789") < n)
		return -1;
	memcpy(digits, sep + 2, n);
	digits[n] = '\0';
	return ordinal_index_find(&cr->ix, strtoull(digits, NULL, 10));
}

static int crit_find(const struct crit *cr, const char *name, size_t len)
{
	return cr->shim ? crit_find_ordinal(cr, name, len) : crit_find_name(cr, name, len);
}

/* ---- following the output ---- */

static void crit_capture(struct crit *cr, const char *buf, size_t len)
{
	if (cr->t.index >= 0)
		capture_add(&cr->t.out, buf, len);
	if (cr->verdict_ns && !cr->running)
		capture_add(&cr->after, buf, len);
}

/* Send the current test's RESULT, if there is one. */
static void crit_finish(struct crit *cr)
{
	if (cr->t.index >= 0) {
		wtest_sanitizer(&cr->t);   /* a report in its output, even after [PASS] (LSan) */
		cr->failed |= outcome_is_failure(cr->t.outcome);
	}
	wtest_usage(&cr->t, cr->c, cr->inv->ntests == 1);
	session_result(cr->s, &cr->t);
	cr->running = 0;
}

static void crit_begin_run(struct crit *cr)
{
	uint64_t limit = session_timeout_ms(cr->s, cr->t.index);

	cr->running = 1;
	cr->run_ns = cr->verdict_ns ? cr->verdict_ns : cr->suite_ns ? cr->suite_ns : now_ns();
	cr->any_test = 1;
	strbuf_reset(&cr->where);
	strbuf_reset(&cr->diag);
	child_set_timeout(cr->c, limit ? limit + CHILD_GRACE_MS : 0);
}

/*
 * The running test got no verdict line before the next one started:
 * Criterion says so only in a warning ("crashed during its setup or
 * teardown": a failed .init, say), and its own report calls it crashed.
 */
static void crit_no_verdict(struct crit *cr)
{
	if (cr->t.index < 0 || !cr->running)
		return;
	cr->t.duration_ns += driver_elapsed(cr->run_ns, now_ns());
	wtest_note(&cr->t, OUTCOME_CRASH, "crashed during its setup or teardown (no verdict from Criterion)");
	cr->running = 0;
}

static void crit_on_run(struct crit *cr, const char *name, size_t len)
{
	int idx = crit_find(cr, name, len);

	if (cr->shim && !cr->shim_seen) {
		/* the shim did not select: the binary runs every test of its own choosing */
		session_error(cr->s, "balrun's preload shim did not select the tests of this run "
			      "(no marker before the first test)");
		cr->abandoned = 1;
		child_abandon(cr->c);
		return;
	}
	capture_reset(&cr->after);
	if (idx < 0 || idx != cr->t.index) {
		crit_no_verdict(cr);
		crit_finish(cr);
		session_start(cr->s, &cr->t, idx);
	}
	if (cr->t.index >= 0)
		crit_begin_run(cr);
}

/* Outcome and message of a verdict line's text after "suite::name: ". */
static void crit_judge(struct crit *cr, const char *tag, const char *text)
{
	if (!strcmp(tag, "PASS")) {
		wtest_note(&cr->t, OUTCOME_PASS, "");
	} else if (!strcmp(tag, "SKIP")) {
		wtest_note(&cr->t, OUTCOME_SKIP, text);
	} else if (starts_with(text, "CRASH!")) {
		wtest_note(&cr->t, OUTCOME_CRASH, cr->diag.len ? cr->diag.buf : "crashed");
	} else if (starts_with(text, "Timed out.")) {
		wtest_note(&cr->t, OUTCOME_TIMEOUT, text);
	} else {
		if (!cr->diag.len && cr->where.len)
			strbuf_addf(&cr->diag, "%s: Assertion Failed", cr->where.buf);
		wtest_note(&cr->t, OUTCOME_FAIL, cr->diag.len ? cr->diag.buf : "failed");
	}
}

/* A verdict line: "[TAG] suite::name: text". */
static void crit_on_verdict(struct crit *cr, const char *tag, const char *rest)
{
	const char *sep = strstr(rest, "::");
	const char *end = sep ? strchr(sep + 2, ':') : NULL;
	const char *text = end ? end + 1 + strspn(end + 1, " ") : "";
	int idx = crit_find(cr, rest, end ? (size_t)(end - rest) : strlen(rest));

	if (idx < 0)
		return;   /* not in this batch */
	cr->verdict_ns = now_ns();
	capture_reset(&cr->after);
	if (idx != cr->t.index || !cr->running) {
		if (idx == cr->t.index || strcmp(tag, "SKIP") || session_seen(cr->s, idx))
			return;
		crit_finish(cr);   /* a disabled test: a verdict with no [RUN ] */
		session_start(cr->s, &cr->t, idx);
		cr->any_test = 1;
	} else {
		cr->t.duration_ns += driver_elapsed(cr->run_ns, cr->verdict_ns);
		cr->running = 0;
		child_set_timeout(cr->c, session_max_timeout_ms(cr->s));	/* between tests: still bounded */
	}
	crit_judge(cr, tag, text);
}

/* "[----] f.c:6: Assertion Failed", then "[----]   text"; or a signal note. */
static void crit_on_diag(struct crit *cr, const char *text)
{
	const char *p;

	if (!cr->running || cr->diag.len)
		return;
	if ((p = strstr(text, ": Assertion Failed")) && !p[strlen(": Assertion Failed")]) {
		strbuf_reset(&cr->where);
		strbuf_add(&cr->where, text, (size_t)(p - text));
	} else if (strstr(text, ": Unexpected signal caught")) {
		strbuf_adds(&cr->diag, text);
	} else if (cr->where.len && (text += strspn(text, " "), *text)) {
		strbuf_addf(&cr->diag, "%s: %s", cr->where.buf, text);
	}
}

/* Criterion's warnings make it exit 1: keep them for a FAULT. */
static void crit_note_warning(struct crit *cr, const char *text)
{
	if (!starts_with(text, "[WARN] ") && !starts_with(text, "[ERR ] ") &&
	    !starts_with(text, "[----] Warning! "))
		return;
	if (cr->warnings.len + strlen(text) < CRIT_WARNINGS_MAX)
		strbuf_addf(&cr->warnings, "%s\n", text);
}

/*
 * Shim mode: the line with "suite::<ordinal>" written back as "suite::name",
 * so that what the user reads names the test (Criterion names it in its
 * warnings).  NULL if the line names no test of ours.
 */
static char *crit_unalias(const struct crit *cr, const char *line)
{
	const char *p = strstr(line, "::"), *s, *e;
	size_t n;
	int idx;

	if (!cr->shim || !p)
		return NULL;
	e = p + 2 + strspn(p + 2, "0123456789");
	for (s = p; s > line && s[-1] != '`' && s[-1] != ' '; s--)
		;
	n = (size_t)(e - s);
	if (e == p + 2 || (idx = crit_find_ordinal(cr, s, n)) < 0)
		return NULL;
	return xasprintf("%.*s%s%s", (int)(s - line), line, cr->inv->tests[idx],
			 e) ;
}

/* Handle the line in cr->line (newline included if it had one). */
static void crit_on_line(struct crit *cr)
{
	static const char *const verdicts[] = { "PASS", "FAIL", "SKIP" };
	struct strbuf *raw = &cr->line;
	char *text = xstrndup(raw->buf, strcspn(raw->buf, "\r\n")), *named;

	if (cr->shim && cr->prefix.len && starts_with(text, cr->prefix.buf)) {
		cr->shim_seen |= text[cr->prefix.len] == 'C';
		goto out;
	}
	if (!cr->any_test && !cr->first.len && *text && !starts_with(text, "[----] Criterion v"))
		strbuf_adds(&cr->first, text);
	if (starts_with(text, "[----] Warning! ") && (named = crit_unalias(cr, text))) {
		free(text);
		text = named;
		strbuf_reset(raw);
		strbuf_addf(raw, "%s\n", text);
	}
	crit_note_warning(cr, text);
	if (starts_with(text, "[RUN ] ")) {
		crit_on_run(cr, text + 7, strlen(text + 7));
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verdicts); i++)
		if (text[0] == '[' && starts_with(text + 1, verdicts[i]) && starts_with(text + 5, "] ")) {
			crit_on_verdict(cr, verdicts[i], text + 7);
			goto out;
		}
	if (starts_with(text, "[====] Running "))
		cr->suite_ns = now_ns();
	if (starts_with(text, "[====] ") || starts_with(text, "[----] Criterion v"))
		goto out;
	crit_capture(cr, raw->buf, raw->len);
	if (starts_with(text, "[----] "))
		crit_on_diag(cr, text + 7);
out:
	free(text);
	strbuf_reset(raw);
}

static void crit_output(void *data, const char *buf, size_t len)
{
	struct crit *cr = data;

	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) + 1 : len;

		if (cr->long_line) {
			crit_capture(cr, buf, n);
			cr->long_line = !nl;
		} else if (cr->line.len + n > CRIT_LINE_MAX) {
			n = CRIT_LINE_MAX - cr->line.len;
			strbuf_add(&cr->line, buf, n);
			crit_on_line(cr);
			cr->long_line = 1;
		} else {
			strbuf_add(&cr->line, buf, n);
			if (nl)
				crit_on_line(cr);
		}
		buf += n;
		len -= n;
	}
}

const struct child_ops crit_ops = { .on_output = crit_output };

/* ---- the end of a process ---- */

/* A failure outside the tests: dead with no test running, or a non-zero exit nothing explains. */
static void crit_fault(struct crit *cr, const char *what)
{
	const struct child *c = cr->c;
	struct strbuf msg = STRBUF_INIT;
	struct capture out;
	enum outcome o = OUTCOME_FAIL;

	if (child_stop_requested || cr->s->broken || cr->abandoned ||
	    (!c->timed_out && WIFEXITED(c->status) && (!WEXITSTATUS(c->status) || cr->failed)))
		return;
	if (c->timed_out) {
		o = OUTCOME_TIMEOUT;
		strbuf_addf(&msg, "timed out %s (%s)", cr->any_test ? "after its tests" : "before any test ran",
			    what);
	} else if (!WIFEXITED(c->status)) {
		o = OUTCOME_CRASH;
		strbuf_addf(&msg, "%s %s", what, cr->any_test ? "after its tests" : "before any test ran");
	} else {
		strbuf_addf(&msg, "exited with status %d although none of its tests failed%s",
			    WEXITSTATUS(c->status), cr->warnings.len ? " (Criterion counts warnings)" : "");
	}
	capture_init(&out, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
	capture_add(&out, cr->warnings.buf, cr->warnings.len);
	if (capture_len(&cr->after)) {
		struct strbuf after = STRBUF_INIT;

		capture_render(&cr->after, &after);
		capture_add(&out, after.buf, after.len);
		strbuf_release(&after);
	}
	session_fault(cr->s, cr->any_test ? FAULT_AFTER : FAULT_BEFORE, -1, o, msg.buf, &out);
	capture_release(&out);
	strbuf_release(&msg);
}

/* The process is gone: settle the test it was running, an empty run, a fault. */
void crit_settle(struct crit *cr)
{
	char what[64];

	proc_describe_status(cr->c->status, what, sizeof(what));
	if (cr->line.len)
		crit_on_line(cr);
	if (cr->t.index >= 0 && cr->running) {
		cr->t.duration_ns += driver_elapsed(cr->run_ns, cr->c->exited_ns);
		if (cr->c->timed_out) {
			char msg[96];
			snprintf(msg, sizeof(msg), "timed out after %llu ms (%s)",
				 (unsigned long long)session_timeout_ms(cr->s, cr->t.index), what);
			wtest_note(&cr->t, OUTCOME_TIMEOUT, msg);
		} else {
			wtest_note(&cr->t, OUTCOME_CRASH, what);
		}
		crit_finish(cr);
	} else {
		crit_finish(cr);
		crit_fault(cr, what);
	}
	if (!cr->any_test)
		session_error(cr->s, "%s before any test ran%s%s", what,
			      cr->first.len ? ": " : "", cr->first.buf);
}
