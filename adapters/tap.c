/*
 * tap.c - the TAP adapter: a program that writes a TAP stream (libtap,
 * a shell script printing "ok 1 - ...", Perl's Test::More) is one test,
 * run whole, whose verdict comes from its stream.  It cannot choose its
 * test points, so it is never listed (ADAPTER_ONE_TEST).
 *
 * It recognises nothing by itself: a TAP stream is only visible when the
 * program runs.  It is chosen with --framework tap (and by build systems
 * that say a test speaks TAP: meson's protocol 'tap', automake's TAP
 * driver).
 *
 * The verdict is meson's (worker/tap.h): FAIL if a test point is "not ok"
 * (without TODO) or "ok # TODO", on "Bail out!", on plan errors (too few or
 * too many test points, a second plan, numbers out of order); SKIP if every
 * test point is a skip (a "1..0 # SKIP" plan, or no test point at all);
 * whatever the stream says, a process that does not exit 0 failed (a
 * signal: CRASH), and past its time limit it is TIMEOUT.  With WILL_FAIL
 * (meson's should_fail) a pass fails and a stream that failed only by its
 * test points passes.  The message names the failing test points; the
 * output keeps the whole stream, TAP lines included.
 */
#include "adapter.h"
#include "driver.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <sys/wait.h>

struct tap_run {
	struct wtest t;
	struct tap_stream stream;
};

static void tap_output(void *data, const char *buf, size_t len)
{
	struct tap_run *r = data;

	capture_add(&r->t.out, buf, len);
	tap_stream_feed(&r->stream, buf, len);
}

static const struct child_ops tap_ops = { .on_output = tap_output };

/* The verdict on the ended process c, into msg. */
static enum outcome tap_verdict(struct tap_run *r, const struct proto_invocation *inv,
				const struct child *c, uint64_t timeout_ms, struct strbuf *msg)
{
	enum outcome o;
	char what[64];

	if (c->timed_out) {
		proc_describe_status(c->status, what, sizeof(what));
		strbuf_addf(msg, "timed out after %llu ms (%s) after %ld test points",
			    (unsigned long long)timeout_ms, what, r->stream.count);
		return OUTCOME_TIMEOUT;
	}
	o = tap_stream_verdict(&r->stream, c->status, msg);
	if (!(inv->judge & INV_WILL_FAIL))
		return o;
	if (o == OUTCOME_PASS) {
		strbuf_adds(msg, "expected to fail (should_fail), but every test point passed");
		return OUTCOME_FAIL;
	}
	if (o == OUTCOME_FAIL && WIFEXITED(c->status) && !WEXITSTATUS(c->status) &&
	    !r->stream.bailed && !r->stream.errors.len) {
		strbuf_reset(msg);
		return OUTCOME_PASS;   /* expected to fail, and its test points did */
	}
	return o;
}

static void tap_run_batch(struct session *s, const struct proto_invocation *inv)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf msg = STRBUF_INIT;
	struct tap_run r;
	struct child c;
	enum outcome o;

	wtest_init(&r.t);
	tap_stream_init(&r.stream);
	strvec_push(&argv, inv->binary);
	driver_argv(&argv, inv);
	driver_env(&env, inv);
	if (!driver_follow_one(s, inv, &c, argv.v, env.v, &tap_ops, &r, &r.t)) {
		r.t.duration_ns = driver_elapsed(c.started_ns, c.exited_ns);
		o = tap_verdict(&r, inv, &c, session_timeout_ms(s, 0), &msg);
		wtest_note(&r.t, o, msg.buf);
		wtest_usage(&r.t, &c, 1);
		session_result(s, &r.t);
		child_release(&c);
	}
	tap_stream_release(&r.stream);
	wtest_release(&r.t);
	strvec_clear(&argv);
	strvec_clear(&env);
	strbuf_release(&msg);
}

/* Never by itself: a TAP producer looks like any program until it runs. */
static int tap_recognise(const struct binary_facts *f, const char *id, struct strbuf *note)
{
	(void)f;
	(void)id;
	(void)note;
	return 0;
}

const struct adapter adapter_tap = {
	.name = "tap",
	.flags = ADAPTER_ONE_TEST,
	.recognise = tap_recognise,
	.run_batch = tap_run_batch,
};
