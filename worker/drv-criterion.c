/*
 * drv-criterion.c - a batch of Criterion tests in one run of the binary.
 *
 * Runs `BIN --filter PATTERN -j1 --verbose [--timeout=S]` (PATTERN is
 * "suite/name", or "@(s/a|s/b)" for several) and follows the merged output
 * line by line:
 *
 *   [RUN ] suite::name          a test (or one more parameter of it) starts
 *   [----] f.c:6: Assertion Failed / [----]   text
 *                               the first failed assertion gives the message
 *   [PASS] suite::name: (0.00s)               PASS
 *   [FAIL] suite::name: CRASH!                CRASH
 *   [FAIL] suite::name: Timed out. (1.01s)    TIMEOUT
 *   [FAIL] suite::name: (0.00s)               FAIL
 *   [SKIP] suite::name: reason                SKIP (no [RUN ] if disabled)
 *
 * A test's output runs from its [RUN ] line to the next [RUN ] line or the
 * end of the process, because Criterion's test children flush their stdout
 * at exit, after the runner printed the verdict.  Criterion's own lines
 * ([RUN ], verdicts, [====], the banner) are left out of it; the [----]
 * assertion lines stay.
 *
 * A test's duration runs from the previous verdict in the batch (the first
 * test: from its [RUN ] line) to its own verdict, so it includes the process
 * Criterion starts for it (tens of ms): that is what running it costs, and
 * what the balancer must plan with.  So a test's RESULT is sent
 * when the next test starts, or at the end; consecutive [RUN ] lines of one
 * name (a parameterized test) fold into one RESULT: worst outcome, durations
 * summed.  [SKIP] lines of tests outside the batch (Criterion lists every
 * filtered-out test as disabled) are dropped.
 *
 * Criterion 2.4.1 ignores --timeout (measured: only the .timeout attribute
 * works), so the worker's own limit, armed at each [RUN ] line for the time
 * limit plus CHILD_GRACE_MS, is what stops a hung test.  If the process ends
 * while a test runs, that test is CRASH (or TIMEOUT if the worker stopped it)
 * and the rest of the batch gets no RESULT.  Lines are assembled up to
 * CRIT_LINE_MAX bytes; the rest of a longer line goes straight to the capture.
 */
#define _GNU_SOURCE
#include "driver.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define CRIT_LINE_MAX 4096

struct crit {
	struct session *s;
	const struct proto_invocation *inv;
	struct child *c;
	struct wtest t;          /* the test whose output is arriving, or index -1 */
	int running;             /* between its [RUN ] line and its verdict */
	uint64_t run_ns;         /* when its time started (see the top of the file) */
	uint64_t verdict_ns;     /* when the last verdict arrived, 0 before the first */
	int any_test;            /* a line about one of our tests was seen */
	int long_line;           /* inside an overlong line */
	struct strbuf line;      /* the line being assembled */
	struct strbuf first;     /* first line that is not the banner */
	struct strbuf where;     /* "f.c:6" of a failed assertion awaiting its text */
	struct strbuf diag;      /* first assertion or signal text of this run of the test */
};

/* Index of the test Criterion calls "suite::name" (len bytes), or -1. */
static int crit_find(const struct crit *cr, const char *name, size_t len)
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
		    !memcmp(t + slen + 1, sep + 2, nlen))
			return (int)i;
	}
	return -1;
}

static void crit_capture(struct crit *cr, const char *buf, size_t len)
{
	if (cr->t.index >= 0)
		capture_add(&cr->t.out, buf, len);
}

/* Send the current test's RESULT, if there is one. */
static void crit_finish(struct crit *cr)
{
	wtest_usage(&cr->t, cr->c, cr->inv->ntests == 1);
	session_result(cr->s, &cr->t);
	cr->running = 0;
}

static void crit_begin_run(struct crit *cr)
{
	uint64_t limit = session_timeout_ms(cr->s, cr->t.index);

	cr->running = 1;
	cr->run_ns = cr->verdict_ns ? cr->verdict_ns : now_ns();
	cr->any_test = 1;
	strbuf_reset(&cr->where);
	strbuf_reset(&cr->diag);
	child_set_timeout(cr->c, limit ? limit + CHILD_GRACE_MS : 0);
}

static void crit_on_run(struct crit *cr, const char *name, size_t len)
{
	int idx = crit_find(cr, name, len);

	if (idx < 0 || idx != cr->t.index) {
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
	if (idx != cr->t.index || !cr->running) {
		if (idx == cr->t.index || strcmp(tag, "SKIP") || session_seen(cr->s, idx))
			return;
		crit_finish(cr);   /* a disabled test: a verdict with no [RUN ] */
		session_start(cr->s, &cr->t, idx);
		cr->any_test = 1;
	} else {
		cr->t.duration_ns += driver_elapsed(cr->run_ns, cr->verdict_ns);
		cr->running = 0;
		child_set_timeout(cr->c, 0);
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

/* Handle the line in cr->line (newline included if it had one). */
static void crit_on_line(struct crit *cr)
{
	static const char *const verdicts[] = { "PASS", "FAIL", "SKIP" };
	struct strbuf *raw = &cr->line;
	char *text = xstrndup(raw->buf, strcspn(raw->buf, "\r\n"));

	if (!cr->any_test && !cr->first.len && *text && !starts_with(text, "[----] Criterion v"))
		strbuf_adds(&cr->first, text);
	if (starts_with(text, "[RUN ] ")) {
		crit_on_run(cr, text + 7, strlen(text + 7));
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verdicts); i++)
		if (text[0] == '[' && starts_with(text + 1, verdicts[i]) && starts_with(text + 5, "] ")) {
			crit_on_verdict(cr, verdicts[i], text + 7);
			goto out;
		}
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

static const struct child_ops crit_ops = { .on_output = crit_output };

/* The process is gone: settle the test it was running, and an empty run. */
static void crit_settle(struct crit *cr)
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
	}
	crit_finish(cr);
	if (!cr->any_test)
		session_error(cr->s, "%s before any test ran%s%s", what,
			      cr->first.len ? ": " : "", cr->first.buf);
}

/* argv for the batch; pattern and timeout hold the strings it points to. */
static void crit_argv(const struct proto_invocation *inv, uint64_t timeout_ms, char **argv,
		      struct strbuf *pattern, struct strbuf *timeout)
{
	size_t n = 0;

	if (inv->ntests > 1)
		strbuf_adds(pattern, "@(");
	for (size_t i = 0; i < inv->ntests; i++)
		strbuf_addf(pattern, "%s%s", i ? "|" : "", inv->tests[i]);
	if (inv->ntests > 1)
		strbuf_addch(pattern, ')');
	argv[n++] = inv->binary;
	argv[n++] = "--filter";
	argv[n++] = pattern->buf;
	argv[n++] = "-j1";
	argv[n++] = "--verbose";
	if (timeout_ms) {
		strbuf_addf(timeout, "--timeout=%g", (double)timeout_ms / 1000.0);
		argv[n++] = timeout->buf;
	}
	argv[n] = NULL;
}

void drv_criterion_run(struct session *s, const struct proto_invocation *inv)
{
	struct strbuf pattern = STRBUF_INIT, timeout = STRBUF_INIT;
	struct crit cr = { .s = s, .inv = inv };
	char *argv[8];
	char **env = driver_env(inv, NULL);
	struct child c;

	wtest_init(&cr.t);
	strbuf_init(&cr.line, 0);
	strbuf_init(&cr.first, 0);
	strbuf_init(&cr.where, 0);
	strbuf_init(&cr.diag, 0);
	crit_argv(inv, session_max_timeout_ms(s), argv, &pattern, &timeout);
	cr.c = &c;
	if (!driver_follow(s, inv, &c, argv, env, &crit_ops, &cr)) {
		crit_settle(&cr);
		child_release(&c);
	}
	wtest_release(&cr.t);
	strbuf_release(&cr.line);
	strbuf_release(&cr.first);
	strbuf_release(&cr.where);
	strbuf_release(&cr.diag);
	strbuf_release(&pattern);
	strbuf_release(&timeout);
	driver_env_free(env);
}
