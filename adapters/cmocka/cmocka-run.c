/*
 * cmocka-run.c - the cmocka adapter's run_batch: a batch of cmocka tests in
 * one run of an unmodified binary, selected and followed through the
 * preload shim (preload-cmocka.c; the contract is in common/preload.h).
 *
 * The worker writes the batch's "<ordinal> <check>" lines to a selection
 * file and runs the binary with LD_PRELOAD = the invocation's preload list
 * (which holds the shim), BALRUN_PRELOAD_MODE=run, BALRUN_PRELOAD_SELECT = the
 * file and BALRUN_PRELOAD_MARK = a fresh nonce; CMOCKA_MESSAGE_OUTPUT is
 * forced to STDOUT so that cmocka's own lines are there to read.  The shim's
 * events arrive in band, as marker lines in the merged output, exactly where
 * they happened between the test's own bytes; everything else is output.
 *
 * Output attribution.  Output between a test's S and E is that test's.
 * cmocka prints its verdict ("[       OK ] name") after the teardown, so
 * after the E event, followed by "[ RUN      ] next" before the next S; that
 * output is held, and at the next S it is split at its last "[ RUN      ] "
 * line: the part before goes to the ended test, whose RESULT is only then
 * sent, the rest to the new test.  At a group's U (setup begins), W
 * (teardown begins) or Z (group over) the held output goes to the ended test
 * whole.  Output from a group fixture (U..V, W..X) belongs to that fixture:
 * if it fails it is the output of the FAULT; anything else outside the tests
 * is kept for a FAULT of the whole invocation and dropped otherwise.
 *
 * Outcome.  cmocka's verdict line in the held output ("[       OK ]",
 * "[  FAILED  ]", "[  SKIPPED ]", "[  ERROR   ]") is the serial answer and
 * decides; the shim's E event only stands when there is none (see
 * cmk_judge).  The first "[  ERROR   ] --- " line is the message of a FAIL.
 *
 * If the process dies between S and E (abort(), exit(), a signal cmocka does
 * not catch, or the worker's time limit), that test is CRASH ("killed by
 * SIGABRT"), FAIL ("exited with status N during the test") or TIMEOUT, and
 * the rest of the batch gets no RESULT.  If it dies inside a group fixture,
 * that fixture gets a FAULT.  If it dies outside both, or exits non-zero
 * although nothing it ran failed, the invocation gets a FAULT (before or
 * after its tests): that is how a serial run of the binary would fail too.
 */
#define _GNU_SOURCE
#include "cmocka-internal.h"
#include "driver.h"
#include "preload.h"
#include "sanitizer.h"
#include "util.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CMK_RUN_LINE "[ RUN      ] "
#define CMK_ERROR_LINE "[  ERROR   ] --- "
#define CMK_SETUP_ERROR "Could not run test: "
#define CMK_LINE_TAG "[   LINE   ] --- "
#define CMK_FAIL_MSG "ERROR: "
/* Output held between tests beyond this goes to its owner at once. */
#define CMK_BETWEEN_MAX (64u << 10)

enum cmk_state {
	CMK_OUTSIDE,   /* no test: output is held in between */
	CMK_RUNNING,   /* between S and E: output is the test's */
	CMK_ENDED,     /* after E: output is held; the RESULT waits for the next marker */
};

struct cmk {
	struct session *s;
	const struct proto_invocation *inv;
	struct child *c;
	struct wtest t;           /* the running test, or the ended one whose RESULT is held */
	enum cmk_state state;
	uint64_t start_ns;        /* the S stamp */
	int64_t fixture_group;    /* group whose setup (U) or teardown (W) runs now, or -1 */
	enum fault_where fixture; /* FAULT_GROUP_SETUP or FAULT_GROUP_TEARDOWN */
	int any_test;             /* an S was seen */
	int failed;               /* something of this invocation failed (test or fixture) */
	struct strbuf between;    /* output while no test runs */
	struct capture outside;   /* output outside tests and fixtures, for a FAULT */
	struct strbuf first;      /* first output line, for an empty run */
	struct strbuf prefix;     /* "\x1ebalrun-<nonce> " */
	struct strbuf pend;       /* a marker line being assembled (starts with \x1e) */
	struct ordinal_index ix;  /* the invocation's tests by ordinal */
};

/* ---- the selection ---- */

/* Write the selection file; its path into path.  0, or -1 with err. */
static int cmk_write_selection(struct cmk *k, struct strbuf *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int ret;

	ordinal_index_init(&k->ix, k->inv);
	for (size_t i = 0; i < k->ix.n; i++) {
		uint32_t j = k->ix.by[i];
		strbuf_addf(&text, "%010" PRIu64 " %016" PRIx64 "\n", k->inv->ordinals[j], k->inv->checks[j]);
	}
	ret = driver_temp_file("select", text.buf, text.len, path, err);
	strbuf_release(&text);
	return ret;
}

/* ---- where output goes ---- */

static void cmk_capture(struct cmk *k, const char *buf, size_t len)
{
	if (k->t.index >= 0)
		capture_add(&k->t.out, buf, len);
}

/* Held output goes to the ended test, or outside when there is none. */
static void cmk_hand_over(struct cmk *k, const char *buf, size_t len)
{
	if (k->state == CMK_ENDED)
		cmk_capture(k, buf, len);
	else
		capture_add(&k->outside, buf, len);
}

static void cmk_text(struct cmk *k, const char *buf, size_t len)
{
	if (!len)
		return;
	if (!k->first.len && !k->any_test) {
		const char *nl = memchr(buf, '\n', len);
		strbuf_add(&k->first, buf, nl ? (size_t)(nl - buf) : len);
	}
	if (k->state == CMK_RUNNING) {
		cmk_capture(k, buf, len);
		return;
	}
	strbuf_add(&k->between, buf, len);
	if (k->between.len > CMK_BETWEEN_MAX && k->fixture_group < 0) {
		cmk_hand_over(k, k->between.buf, k->between.len);
		strbuf_reset(&k->between);
	}
}

/* Copy the rest of the line at p (up to the newline) into msg. */
static void cmk_line_at(const char *p, const char *end, struct strbuf *msg)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	strbuf_add(msg, p, (size_t)((nl ? nl : end) - p));
}

/* The first line of buf[0..len) that starts with tag, or NULL. */
static const char *cmk_line_starting(const char *buf, size_t len, const char *tag)
{
	size_t tlen = strlen(tag);

	for (const char *p = buf; p && p + tlen <= buf + len; ) {
		if (!memcmp(p, tag, tlen))
			return p;
		p = memchr(p, '\n', len - (size_t)(p - buf));
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

/*
 * The message of a failed test: the first "[  ERROR   ] --- " text, unless
 * it is only a location ("[   LINE   ] --- f.c:9: error: Failure!", as after
 * fail_msg()): then the "ERROR: text" fail_msg printed while the test ran,
 * with the location; else cmocka's "Could not run test: ..." reason.
 */
static void cmk_fail_message(struct wtest *t, const char *buf, size_t len, struct strbuf *msg)
{
	const char *p;

	if ((p = cmk_line_starting(buf, len, CMK_ERROR_LINE)))
		cmk_line_at(p + strlen(CMK_ERROR_LINE), buf + len, msg);
	else if ((p = memmem(buf, len, CMK_SETUP_ERROR, strlen(CMK_SETUP_ERROR))))
		cmk_line_at(p + strlen(CMK_SETUP_ERROR), buf + len, msg);
	if (starts_with(msg->buf, CMK_LINE_TAG)) {
		struct strbuf out = STRBUF_INIT, text = STRBUF_INIT;

		capture_render(&t->out, &out);
		if ((p = cmk_line_starting(out.buf, out.len, CMK_FAIL_MSG)))
			cmk_line_at(p + strlen(CMK_FAIL_MSG), out.buf + out.len, &text);
		if (text.len) {
			strbuf_addf(&text, " (%s)", msg->buf + strlen(CMK_LINE_TAG));
			strbuf_reset(msg);
			strbuf_add(msg, text.buf, text.len);
		}
		strbuf_release(&out);
		strbuf_release(&text);
	}
}

/*
 * cmocka's own verdict for the ended test, from the output it printed after
 * the test's end: the serial answer, so it beats what the shim saw (a leak
 * check or leftover will_return values fail a test after its body returned;
 * skip() in a setup is an error).  The first verdict line wins; without one
 * (the process died first) the shim's outcome stands.
 */
static void cmk_judge(struct wtest *t, const char *buf, size_t len)
{
	static const struct { const char *tag; enum outcome o; } verdicts[] = {
		{ "[       OK ] ", OUTCOME_PASS }, { "[  FAILED  ] ", OUTCOME_FAIL },
		{ "[  SKIPPED ] ", OUTCOME_SKIP }, { "[  ERROR   ] ", OUTCOME_FAIL },
	};
	struct strbuf msg = STRBUF_INIT;
	const char *first = NULL, *p;
	enum outcome o = t->outcome;

	for (size_t i = 0; i < ARRAY_SIZE(verdicts); i++) {
		p = cmk_line_starting(buf, len, verdicts[i].tag);
		if (i == 3)   /* "[  ERROR   ] --- msg" lines are messages, not verdicts */
			while (p && starts_with(p, CMK_ERROR_LINE))
				p = cmk_line_starting(p + 1, len - (size_t)(p + 1 - buf), verdicts[i].tag);
		if (p && (!first || p < first)) {
			first = p;
			o = verdicts[i].o;
		}
	}
	if (!first)
		return;	/* no verdict (the process ended first): what the shim saw stands */
	if (o != OUTCOME_FAIL) {
		t->outcome = o;
		strbuf_reset(&t->message);
		return;
	}
	cmk_fail_message(t, buf, len, &msg);
	t->outcome = OUTCOME_PASS;
	strbuf_reset(&t->message);
	wtest_note(t, OUTCOME_FAIL, msg.len ? msg.buf : "failed");
	strbuf_release(&msg);
}

/* Where the held output splits: at its last "[ RUN      ] " line (whole: at its end). */
static size_t cmk_split(const struct cmk *k, int whole)
{
	const char *p = k->between.buf, *last = NULL;

	if (whole)
		return k->between.len;
	while ((p = memmem(p, k->between.len - (size_t)(p - k->between.buf),
			   CMK_RUN_LINE, strlen(CMK_RUN_LINE)))) {
		if (p == k->between.buf || p[-1] == '\n')
			last = p;
		p++;
	}
	return last ? (size_t)(last - k->between.buf) : k->between.len;
}

/* Hand the held output up to the split to its owner and send the held RESULT. */
static void cmk_finish(struct cmk *k, int whole)
{
	size_t cut = cmk_split(k, whole);

	cmk_hand_over(k, k->between.buf, cut);
	if (k->state == CMK_ENDED && k->t.index >= 0) {
		cmk_judge(&k->t, k->between.buf, cut);
		wtest_sanitizer(&k->t);
	}
	strbuf_remove_front(&k->between, cut);
	if (k->state == CMK_ENDED && k->t.index >= 0) {
		k->failed |= outcome_is_failure(k->t.outcome);
		wtest_usage(&k->t, k->c, k->inv->ntests == 1);
		session_result(k->s, &k->t);
	}
	k->state = CMK_OUTSIDE;
}

/* ---- events ---- */

static void cmk_on_start(struct cmk *k, uint64_t ordinal, uint64_t ns)
{
	cmk_finish(k, 0);
	session_start(k->s, &k->t, ordinal_index_find(&k->ix, ordinal));
	cmk_capture(k, k->between.buf, k->between.len);
	strbuf_reset(&k->between);
	k->state = CMK_RUNNING;
	k->start_ns = ns;
	k->any_test = 1;
	k->fixture_group = -1;
	child_set_timeout(k->c, session_timeout_ms(k->s, k->t.index));
}

static void cmk_on_end(struct cmk *k, uint64_t ordinal, uint64_t ns, const char *what)
{
	int o = outcome_parse(what);

	if (k->state != CMK_RUNNING || k->t.index < 0 || k->inv->ordinals[k->t.index] != ordinal)
		return;
	k->state = CMK_ENDED;
	child_set_timeout(k->c, session_max_timeout_ms(k->s));	/* between tests: still bounded */
	k->t.duration_ns = ns > k->start_ns ? ns - k->start_ns : 0;
	wtest_note(&k->t, o < 0 ? OUTCOME_FAIL : (enum outcome)o, "");
}

/* A group fixture begins (U, W): the held test ends, the fixture's output starts. */
static void cmk_on_fixture(struct cmk *k, uint64_t group, enum fault_where where)
{
	cmk_finish(k, 1);
	capture_add(&k->outside, k->between.buf, k->between.len);
	strbuf_reset(&k->between);
	k->fixture_group = (int64_t)group;
	k->fixture = where;
	child_set_timeout(k->c, session_max_timeout_ms(k->s));
}

static void cmk_fault(struct cmk *k, enum outcome o, const char *msg)
{
	struct capture out;

	capture_init(&out, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
	capture_add(&out, k->between.buf, k->between.len);
	strbuf_reset(&k->between);
	session_fault(k->s, k->fixture, k->fixture_group, o, msg, &out);
	capture_release(&out);
	k->failed = 1;
	k->fixture_group = -1;
	child_set_timeout(k->c, session_max_timeout_ms(k->s));
}

/* The group fixture that began failed (V, X). */
static void cmk_on_fixture_failed(struct cmk *k, uint64_t group, enum fault_where where)
{
	if (k->fixture_group != (int64_t)group || k->fixture != where)
		return;
	cmk_fault(k, OUTCOME_FAIL, where == FAULT_GROUP_SETUP ? "group setup failed"
							       : "group teardown failed");
}

/* The listing and the run disagree on this ordinal: the test was not run. */
static void cmk_on_mismatch(struct cmk *k, uint64_t ordinal)
{
	struct wtest t;

	wtest_init(&t);
	session_start(k->s, &t, ordinal_index_find(&k->ix, ordinal));
	wtest_note(&t, OUTCOME_NOTRUN, "not run: the binary no longer has this test at its place "
		   "in the listing (are its groups run in another order?)");
	session_result(k->s, &t);
	wtest_release(&t);
}

/* A decimal number at *s (no sign, no overflow) and the one space after it; -1 if none. */
static int cmk_number(const char **s, unsigned long long *v)
{
	const char *p = *s;

	*v = 0;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (*v > (ULLONG_MAX - (unsigned)(*p - '0')) / 10)
			return -1;
		*v = *v * 10 + (unsigned)(*p - '0');
	}
	if (*p && *p != ' ')
		return -1;
	*s = *p ? p + 1 : p;
	return 0;
}

/*
 * The fields of an event after its tag: up to two numbers and a word, of
 * which the first 7 bytes are kept ("12 346 PASS"); how many were read.  By hand rather than
 * with sscanf: a million tests make two million events.
 */
static int cmk_fields(const char *s, unsigned long long *a, unsigned long long *b, char what[8])
{
	size_t n;

	if (cmk_number(&s, a))
		return 0;
	if (cmk_number(&s, b))
		return 1;
	n = strcspn(s, " ");
	if (!n)
		return 2;
	if (n > 7)
		n = 7;   /* as sscanf's %7s */
	memcpy(what, s, n);
	what[n] = '\0';
	return 3;
}

/* One marker line, prefix and newline removed: "S 12 345", "E 12 346 PASS", "U 0", ... */
static void cmk_event(struct cmk *k, const char *ev)
{
	char what[8] = "";
	unsigned long long a = 0, b = 0;
	char tag = ev[0];
	int n = ev[0] && ev[1] == ' ' ? cmk_fields(ev + 2, &a, &b, what) : 0;

	if (tag == 'S' && n >= 2)
		cmk_on_start(k, a, b);
	else if (tag == 'E' && n == 3)
		cmk_on_end(k, a, b, what);
	else if ((tag == 'U' || tag == 'W') && n >= 1)
		cmk_on_fixture(k, a, tag == 'U' ? FAULT_GROUP_SETUP : FAULT_GROUP_TEARDOWN);
	else if ((tag == 'V' || tag == 'X') && n >= 1)
		cmk_on_fixture_failed(k, a, tag == 'V' ? FAULT_GROUP_SETUP : FAULT_GROUP_TEARDOWN);
	else if (tag == 'Z' && n >= 1) {
		cmk_finish(k, 1);
		k->fixture_group = -1;
	} else if (tag == 'M' && n >= 1)
		cmk_on_mismatch(k, a);
}

/* A complete candidate line in k->pend: a marker of ours, or output. */
static void cmk_take_line(struct cmk *k)
{
	struct strbuf *p = &k->pend;

	if (p->len > k->prefix.len && p->buf[p->len - 1] == '\n' &&
	    !memcmp(p->buf, k->prefix.buf, k->prefix.len)) {
		p->buf[p->len - 1] = '\0';
		cmk_event(k, p->buf + k->prefix.len);
	} else {
		cmk_text(k, p->buf, p->len);
	}
	strbuf_reset(p);
}

/* Output as it arrives: split out marker lines (any split across reads). */
static void cmk_output(void *data, const char *buf, size_t len)
{
	struct cmk *k = data;

	while (len) {
		if (k->pend.len) {
			const char *nl = memchr(buf, '\n', len);
			size_t n = nl ? (size_t)(nl - buf) + 1 : len;

			if (k->pend.len + n > PRELOAD_MARK_MAX)
				n = PRELOAD_MARK_MAX - k->pend.len;   /* too long: not a marker */
			strbuf_add(&k->pend, buf, n);
			buf += n;
			len -= n;
			if (k->pend.buf[k->pend.len - 1] == '\n' || k->pend.len >= PRELOAD_MARK_MAX)
				cmk_take_line(k);
			continue;
		}
		const char *m = memchr(buf, PRELOAD_MARK_BYTE, len);
		size_t n = m ? (size_t)(m - buf) : len;

		cmk_text(k, buf, n);
		buf += n;
		len -= n;
		if (m) {
			strbuf_addch(&k->pend, *buf);
			buf++;
			len--;
		}
	}
}

static const struct child_ops cmk_ops = { .on_output = cmk_output };

/* ---- the end of the process ---- */

/* The test it was in the middle of. */
static void cmk_settle_test(struct cmk *k, const char *what)
{
	driver_test_died(k->s, &k->t, k->c, k->start_ns, what);
	k->state = CMK_ENDED;
	cmk_finish(k, 1);
}

/* Outcome and line for a death outside the tests. */
static enum outcome cmk_death(const struct child *c, const char *what, const char *where,
			      struct strbuf *msg)
{
	if (c->timed_out) {
		strbuf_addf(msg, "timed out %s (%s)", where, what);
		return OUTCOME_TIMEOUT;
	}
	if (WIFEXITED(c->status)) {
		strbuf_addf(msg, "exited with status %d %s", WEXITSTATUS(c->status), where);
		return OUTCOME_FAIL;
	}
	strbuf_addf(msg, "%s %s", what, where);	/* "killed by SIGABRT in the group teardown" */
	return OUTCOME_CRASH;
}

static void cmk_settle(struct cmk *k)
{
	const struct child *c = k->c;
	struct strbuf msg = STRBUF_INIT;
	char what[64];
	int clean = WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0;

	proc_describe_status(c->status, what, sizeof(what));
	if (k->pend.len)
		cmk_text(k, k->pend.buf, k->pend.len);
	strbuf_reset(&k->pend);
	if (k->state == CMK_RUNNING && k->t.index >= 0) {
		cmk_settle_test(k, what);
	} else if (k->fixture_group >= 0 && !clean) {
		enum outcome o = cmk_death(c, what, k->fixture == FAULT_GROUP_SETUP ?
					   "in the group setup" : "in the group teardown", &msg);
		cmk_fault(k, o, msg.buf);
	} else if (!clean && !child_stop_requested &&
		   (!k->failed || sanitizer_report(k->between.buf, k->between.len, NULL))) {
		/*
		 * Dead or failing outside any test, with nothing of ours failing,
		 * or a sanitizer's report after the tests (LeakSanitizer at exit):
		 * the binary's fault.
		 */
		struct strbuf san = STRBUF_INIT;
		enum outcome o;

		sanitizer_report(k->between.buf, k->between.len, &san);
		cmk_finish(k, 1);
		capture_add(&k->outside, k->between.buf, k->between.len);
		strbuf_reset(&k->between);
		o = cmk_death(c, what, !k->any_test ? "before any test ran" :
			      k->failed ? "after its tests" : "after its tests passed", &msg);
		if (san.len)
			strbuf_addf(&msg, ": %s", san.buf);
		strbuf_release(&san);
		session_fault(k->s, k->any_test ? FAULT_AFTER : FAULT_BEFORE, -1, o, msg.buf, &k->outside);
		k->failed = 1;
	}
	cmk_finish(k, 1);
	if (!k->any_test)
		session_error(k->s, "%s before any test ran%s%s", what,
			      k->first.len ? ": " : "", k->first.buf);
	strbuf_release(&msg);
}

static void cmk_env(struct strvec *env, const struct proto_invocation *inv, const char *select,
		    const char *mark)
{
	driver_env(env, inv);
	strvec_setenv(env, PRELOAD_ENV_MODE, "run");
	strvec_setenv(env, PRELOAD_ENV_SELECT, select);
	strvec_setenv(env, PRELOAD_ENV_MARK, mark);
	strvec_setenv(env, "CMOCKA_MESSAGE_OUTPUT", "STDOUT");
	strvec_setenv(env, "CMOCKA_XML_FILE", "");
}

void cmocka_run_batch(struct session *s, const struct proto_invocation *inv)
{
	struct strbuf select = STRBUF_INIT, err = STRBUF_INIT;
	struct cmk k = { .s = s, .inv = inv, .fixture_group = -1 };
	char mark[17];
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct child c;

	if (!inv->ordinals || !inv->checks) {
		driver_fail_all(s, inv, "internal error: a cmocka invocation without ordinals");
		return;
	}
	wtest_init(&k.t);
	capture_init(&k.outside, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
	strbuf_init(&k.between, 0);
	strbuf_init(&k.first, 0);
	strbuf_init(&k.pend, 0);
	strbuf_init(&k.prefix, 0);
	driver_nonce(mark);
	strbuf_addf(&k.prefix, "%c" PRELOAD_MARK_TAG "%s ", PRELOAD_MARK_BYTE, mark);
	if (cmk_write_selection(&k, &select, &err)) {
		driver_fail_all(s, inv, err.buf);
		goto out;
	}
	cmk_env(&env, inv, select.buf, mark);
	strvec_push(&argv, inv->binary);
	driver_argv(&argv, inv);
	k.c = &c;
	if (!driver_follow(s, inv, &c, argv.v, env.v, &cmk_ops, &k)) {
		cmk_settle(&k);
		child_release(&c);
	}
	strvec_clear(&env);
	strvec_clear(&argv);
	unlink(select.buf);
out:
	wtest_release(&k.t);
	capture_release(&k.outside);
	strbuf_release(&k.between);
	strbuf_release(&k.first);
	strbuf_release(&k.pend);
	strbuf_release(&k.prefix);
	strbuf_release(&select);
	strbuf_release(&err);
	ordinal_index_release(&k.ix);
}
