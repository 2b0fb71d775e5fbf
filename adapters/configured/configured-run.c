/*
 * configured-run.c - the worker's side of a framework taught in
 * .balrun.conf: run an invocation's cases with its run command
 * (inv->command, placeholders expanded here) and read their results as
 * inv->results says:
 *
 *   exitcode  one process per case ({names} is that one case), judged as
 *             a plain test (worker/judge.h): exit 0 PASS, 77 SKIP, other
 *             exits FAIL, a signal CRASH, past its limit TIMEOUT
 *   tap       one process for the batch; a test point whose description is
 *             a selected case's name is its result (ok PASS, ok # SKIP
 *             SKIP, not ok FAIL, not ok # TODO PASS, ok # TODO FAIL); the
 *             lines before a point are that case's output, the '#' lines
 *             right after it too (the first one after "not ok" becomes its
 *             message); each point re-arms the time limit for the next case
 *   junit     one process for the batch, then its {junit} file: a
 *             <testcase> is the result of the selected case named by its
 *             name, or its classname or suite and name joined by '.', '/'
 *             or "::"; the process's time limit is the sum of its cases'
 *
 * A case without a result when the process is over (configured_settle):
 *   - the process ended as expected (exit 0, or non-zero with a failed
 *     case to explain it) or bailed out: NOT RUN, saying so;
 *   - it crashed, timed out or exited non-zero unexplained, with one case
 *     left (or a batch of one): that case is charged (CRASH, TIMEOUT, FAIL);
 *   - with several left: none is charged; they are not reported, so the
 *     coordinator runs them again (alone once their batches keep dying:
 *     docs/faults.md), and the invocation's error says what happened.
 * All cases reported and the process crashed, timed out or exited non-zero
 * although none failed: a FAULT after the tests, as a serial run fails.
 */
#define _GNU_SOURCE
#include "configured-internal.h"
#include "judge.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct cf_run {
	struct session *s;
	const struct proto_invocation *inv;
	struct child *c;
	struct wtest t;            /* TAP: the held result (index >= 0), until a non-'#' line */
	struct capture pending;    /* TAP: output since the last point: the next case's */
	struct capture all;        /* the whole output, for faults and unreported cases */
	struct strbuf line;        /* TAP: the line being assembled */
	uint64_t last_ns;          /* TAP: when the last point (or the process) came */
	int failed;                /* some case was reported failed */
	int bailed;                /* TAP: "Bail out!" */
	struct strbuf bail;
	const char *missing;       /* "TAP result", "JUnit <testcase>" */
	int junit;                 /* results = junit: no TAP lines, no pending output */
};

/* Index of the unreported case named name[0..len), or -1. */
static int cf_find(const struct cf_run *cr, const char *name, size_t len)
{
	for (size_t i = 0; i < cr->inv->ntests; i++)
		if (strlen(cr->inv->tests[i]) == len && !memcmp(cr->inv->tests[i], name, len) &&
		    !session_seen(cr->s, (int)i))
			return (int)i;
	return -1;
}

static void cf_report(struct cf_run *cr, struct wtest *t)
{
	cr->failed |= outcome_is_failure(t->outcome);
	session_result(cr->s, t);
}

/* ---- tap ---- */

static void cf_tap_flush(struct cf_run *cr)
{
	if (cr->t.index >= 0)
		cf_report(cr, &cr->t);
}

static void cf_tap_point(struct cf_run *cr, const struct tap_line *tl, const char *line, size_t len)
{
	int idx = cf_find(cr, tl->desc, tl->desc_len);
	struct strbuf out = STRBUF_INIT, msg = STRBUF_INIT;
	enum outcome o = OUTCOME_PASS;
	uint64_t now = now_ns();

	if (idx < 0) {	/* not one of ours: output of the next case */
		cf_tap_flush(cr);
		capture_add(&cr->pending, line, len);
		return;
	}
	cf_tap_flush(cr);
	session_start(cr->s, &cr->t, idx);
	capture_render(&cr->pending, &out);
	capture_reset(&cr->pending);
	capture_add(&cr->t.out, out.buf, out.len);
	capture_add(&cr->t.out, line, len);
	if (tl->directive == TAP_DIR_SKIP && tl->ok) {
		o = OUTCOME_SKIP;
		strbuf_addf(&msg, "skipped: %.*s", (int)tl->reason_len, tl->reason);
	} else if (tl->directive == TAP_DIR_TODO) {
		o = tl->ok ? OUTCOME_FAIL : OUTCOME_PASS;
		if (tl->ok)
			strbuf_addf(&msg, "passed, but marked TODO: %.*s", (int)tl->reason_len, tl->reason);
	} else if (!tl->ok) {
		o = OUTCOME_FAIL;
		strbuf_adds(&msg, "not ok");
	}
	wtest_note(&cr->t, o, msg.buf);
	cr->t.duration_ns = driver_elapsed(cr->last_ns, now);
	cr->last_ns = now;
	child_set_timeout(cr->c, session_max_timeout_ms(cr->s));	/* the next case's */
	strbuf_release(&out);
	strbuf_release(&msg);
}

/* One whole line of the stream (with its newline, if it had one). */
static void cf_tap_line(struct cf_run *cr, const char *line, size_t len)
{
	size_t body = len && line[len - 1] == '\n' ? len - 1 : len;
	struct tap_line tl;

	switch (tap_parse_line(line, body, &tl)) {
	case TAP_RESULT:
		cf_tap_point(cr, &tl, line, len);
		return;
	case TAP_COMMENT:
		if (cr->t.index >= 0 && body && line[0] == '#') {	/* diagnostics of the held point */
			const char *d = line + 1 + strspn(line + 1, " \t");
			size_t dlen = body - (size_t)(d - line);

			capture_add(&cr->t.out, line, len);
			if (cr->t.outcome == OUTCOME_FAIL && !strcmp(cr->t.message.buf, "not ok") && dlen) {
				strbuf_reset(&cr->t.message);
				strbuf_add(&cr->t.message, d, dlen < WTEST_MESSAGE_MAX ? dlen : WTEST_MESSAGE_MAX);
			}
			return;
		}
		break;
	case TAP_BAIL:
		cr->bailed = 1;
		strbuf_reset(&cr->bail);
		strbuf_add(&cr->bail, tl.reason, tl.reason_len);
		break;
	default:
		break;
	}
	cf_tap_flush(cr);
	capture_add(&cr->pending, line, len);
}

static void cf_tap_output(void *data, const char *buf, size_t len)
{
	struct cf_run *cr = data;

	capture_add(&cr->all, buf, len);
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) + 1 : len;

		strbuf_add(&cr->line, buf, n);
		if (nl || cr->line.len >= TAP_LINE_MAX) {
			cf_tap_line(cr, cr->line.buf, cr->line.len);
			strbuf_reset(&cr->line);
		}
		buf += n;
		len -= n;
	}
}

static void cf_all_output(void *data, const char *buf, size_t len)
{
	struct cf_run *cr = data;

	capture_add(&cr->all, buf, len);
}

static const struct child_ops cf_tap_ops = { .on_output = cf_tap_output };
static const struct child_ops cf_junit_ops = { .on_output = cf_all_output };

/* ---- junit ---- */

/* The unreported case a <testcase> names, or -1. */
static int cf_junit_find(const struct cf_run *cr, const struct cf_junit_case *jc)
{
	static const char *const seps[] = { ".", "/", "::" };
	struct strbuf name = STRBUF_INIT;
	int idx = cf_find(cr, jc->name, strlen(jc->name));

	for (size_t k = 0; idx < 0 && k < 2 * ARRAY_SIZE(seps); k++) {
		const char *group = k < ARRAY_SIZE(seps) ? jc->classname : jc->suite;

		if (!*group)
			continue;
		strbuf_reset(&name);
		strbuf_addf(&name, "%s%s%s", group, seps[k % ARRAY_SIZE(seps)], jc->name);
		idx = cf_find(cr, name.buf, name.len);
	}
	strbuf_release(&name);
	return idx;
}

static void cf_junit_report(struct cf_run *cr, const char *path, uint64_t wall_ns,
			    struct strbuf *err)
{
	struct cf_junit_case *v;
	size_t n, untimed = 0;
	uint64_t timed_ns = 0;

	if (cf_junit_read(path, &v, &n, err))
		return;
	for (size_t i = 0; i < n; i++) {
		if (v[i].time >= 0)
			timed_ns += (uint64_t)(v[i].time * 1e9);
		else
			untimed++;
	}
	for (size_t i = 0; i < n; i++) {
		int idx = cf_junit_find(cr, &v[i]);
		struct wtest *t = &cr->t;

		if (idx < 0)
			continue;
		session_start(cr->s, t, idx);
		wtest_note(t, v[i].outcome, v[i].message ? v[i].message : "");
		capture_add(&t->out, v[i].output.buf, v[i].output.len);
		t->duration_ns = v[i].time >= 0 ? (uint64_t)(v[i].time * 1e9) :
				 driver_elapsed(timed_ns, wall_ns) / untimed;
		cf_report(cr, t);
	}
	cf_junit_free(v, n);
}

/* ---- the end of a batch ---- */

/*
 * The output of a case charged with the process's end into t's: TAP, what
 * came after the last test point; else all of it.
 */
static void cf_give_output(struct cf_run *cr, struct wtest *t)
{
	struct strbuf out = STRBUF_INIT;

	capture_render(cr->junit || !cr->c ? &cr->all : &cr->pending, &out);
	capture_add(&t->out, out.buf, out.len);
	strbuf_release(&out);
}

/* How the process ended, as the outcome of a case it took down (PASS: exit 0). */
static enum outcome cf_end_outcome(const struct child *c)
{
	if (c->timed_out)
		return OUTCOME_TIMEOUT;
	if (!WIFEXITED(c->status))
		return OUTCOME_CRASH;
	return WEXITSTATUS(c->status) ? OUTCOME_FAIL : OUTCOME_PASS;
}

/* Cases without a result, and the process's end: see the top of the file. */
static void cf_settle(struct cf_run *cr, const char *why_missing)
{
	const struct proto_invocation *inv = cr->inv;
	struct child *c = cr->c;
	enum outcome end = cf_end_outcome(c);
	struct strbuf msg = STRBUF_INIT;
	size_t missing = 0, last = 0;
	char st[64];

	proc_describe_status(c->status, st, sizeof(st));
	if (c->timed_out)
		snprintf(st, sizeof(st), "timed out after %llu ms",
			 (unsigned long long)session_max_timeout_ms(cr->s));
	for (size_t i = 0; i < inv->ntests; i++)
		if (!session_seen(cr->s, (int)i))
			missing++, last = i;
	if (!missing && end != OUTCOME_PASS && !(end == OUTCOME_FAIL && cr->failed)) {
		strbuf_addf(&msg, "%s although %s", st, end == OUTCOME_FAIL ? "none of its cases failed" :
			    "every case had its result");
		session_fault(cr->s, FAULT_AFTER, -1, end, msg.buf, &cr->all);
	} else if (missing && (cr->bailed || end == OUTCOME_PASS || (end == OUTCOME_FAIL && cr->failed))) {
		if (cr->bailed)
			strbuf_addf(&msg, "not run: its run bailed out (%s)", cr->bail.buf);
		else
			strbuf_addf(&msg, "not run: its run ended (%s) without a %s for it%s%s", st,
				    cr->missing, why_missing ? ": " : "", why_missing ? why_missing : "");
		for (size_t i = 0; i < inv->ntests; i++) {
			if (session_seen(cr->s, (int)i))
				continue;
			session_start(cr->s, &cr->t, (int)i);
			wtest_note(&cr->t, OUTCOME_NOTRUN, msg.buf);
			session_result(cr->s, &cr->t);
		}
	} else if (missing == 1) {
		session_start(cr->s, &cr->t, (int)last);
		strbuf_addf(&msg, "%s without a %s for it", st, cr->missing);
		wtest_note(&cr->t, end, msg.buf);
		cf_give_output(cr, &cr->t);
		cr->t.duration_ns = driver_elapsed(cr->last_ns, c->exited_ns);
		cf_report(cr, &cr->t);
	} else if (missing) {
		session_error(cr->s, "%s with %zu cases without a %s: they run again", st, missing,
			      cr->missing);
	}
	strbuf_release(&msg);
}

/* ---- running ---- */

static void cf_run_exitcode(struct cf_run *cr, struct strvec *env)
{
	const struct proto_invocation *inv = cr->inv;
	struct strbuf msg = STRBUF_INIT;

	for (size_t i = 0; i < inv->ntests && !cr->s->broken && !child_stop_requested; i++) {
		struct conf_subst sub = { .bin = inv->binary, .names = &inv->tests[i], .nnames = 1 };
		struct strvec argv = STRVEC_INIT;
		struct judge j;
		struct child c;
		enum outcome o;

		conf_command_expand(inv->command, inv->ncommand, &sub, &argv);
		strbuf_reset(&msg);
		if (judge_init(&j, inv, &msg)) {
			driver_fail_all(cr->s, inv, msg.buf);
			strvec_clear(&argv);
			break;
		}
		if (driver_follow_test(cr->s, inv, &c, argv.v, env->v, &cf_junit_ops, cr, &cr->t,
				       (int)i, session_timeout_ms(cr->s, (int)i))) {
			judge_release(&j);
			strvec_clear(&argv);
			break;
		}
		judge_output(&j, cr->all.head.buf, cr->all.head.len);
		o = judge_verdict(&j, &c, session_timeout_ms(cr->s, (int)i), &msg);
		wtest_note(&cr->t, o, msg.buf);
		cf_give_output(cr, &cr->t);
		capture_reset(&cr->all);
		cr->t.duration_ns = driver_elapsed(c.started_ns, c.exited_ns);
		wtest_usage(&cr->t, &c, 1);
		session_result(cr->s, &cr->t);
		child_release(&c);
		judge_release(&j);
		strvec_clear(&argv);
	}
	strbuf_release(&msg);
}

/* The sum of the cases' time limits, 0 (none) if one has none. */
static uint64_t cf_sum_timeouts(const struct session *s)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < s->ntests; i++) {
		uint64_t t = session_timeout_ms(s, (int)i);
		if (!t)
			return 0;
		sum += t;
	}
	return sum;
}

static void cf_run_batch(struct cf_run *cr, struct strvec *env, int junit)
{
	const struct proto_invocation *inv = cr->inv;
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	struct conf_subst sub = { .bin = inv->binary, .names = inv->tests, .nnames = inv->ntests };
	struct strvec argv = STRVEC_INIT;
	struct child c;

	if (junit && driver_temp_file("junit", "", 0, &path, &err)) {
		driver_fail_all(cr->s, inv, err.buf);
		goto out;
	}
	sub.junit = path.buf;
	conf_command_expand(inv->command, inv->ncommand, &sub, &argv);
	cr->c = &c;
	cr->last_ns = now_ns();
	if (driver_follow_test(cr->s, inv, &c, argv.v, env->v, junit ? &cf_junit_ops : &cf_tap_ops,
			       cr, NULL, 0, junit ? cf_sum_timeouts(cr->s) : session_max_timeout_ms(cr->s)))
		goto out;
	if (cr->line.len)
		cf_tap_line(cr, cr->line.buf, cr->line.len);
	cf_tap_flush(cr);
	if (junit)
		cf_junit_report(cr, path.buf, driver_elapsed(c.started_ns, c.exited_ns), &err);
	if (!cr->s->broken)
		cf_settle(cr, err.len ? err.buf : NULL);
	child_release(&c);
out:
	cr->c = NULL;
	if (junit && path.len)
		unlink(path.buf);
	strvec_clear(&argv);
	strbuf_release(&path);
	strbuf_release(&err);
}

void configured_run_batch(struct session *s, const struct proto_invocation *inv)
{
	struct cf_run cr = { .s = s, .inv = inv };
	enum conf_results kind = conf_results_parse(inv->results);
	struct strvec env = STRVEC_INIT;

	if (!inv->ncommand || kind == CONF_RESULTS_NONE) {
		driver_fail_all(s, inv, "no run command or results kind for a configured framework "
				"(balrun and balrun-worker differ?)");
		return;
	}
	wtest_init(&cr.t);
	capture_init(&cr.pending, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
	capture_init(&cr.all, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
	strbuf_init(&cr.line, 0);
	strbuf_init(&cr.bail, 0);
	cr.missing = kind == CONF_RESULTS_JUNIT ? "JUnit <testcase>" : "TAP result";
	cr.junit = kind == CONF_RESULTS_JUNIT;
	driver_env(&env, inv);
	if (kind == CONF_RESULTS_EXITCODE)
		cf_run_exitcode(&cr, &env);
	else
		cf_run_batch(&cr, &env, kind == CONF_RESULTS_JUNIT);
	strvec_clear(&env);
	wtest_release(&cr.t);
	capture_release(&cr.pending);
	capture_release(&cr.all);
	strbuf_release(&cr.line);
	strbuf_release(&cr.bail);
}
