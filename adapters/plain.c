/*
 * plain.c - the plain adapter: any executable (an ELF program, a #!
 * script) is one test.  It is the table's last adapter: it takes whatever
 * no framework claimed, and is never listed.  A build system's test that
 * cannot be split into cases runs here too, whole, as its runner would.
 *
 * Run with the registered arguments (none for a binary named on the
 * command line).  The verdict is worker/judge.h's: exit 0 PASS, exit 77
 * SKIP (the automake convention, or the registered skip status), any other
 * exit FAIL ("exit N"), a signal CRASH ("killed by SIGSEGV"), with CTest's
 * WILL_FAIL and pass/fail/skip expressions when registered; past the time
 * limit the process group is stopped (see child.h) and the test is TIMEOUT
 * with what it printed and the time it ran.  A failed or crashed test whose
 * output holds a sanitizer's report has the report's summary as its message.
 */
#include "adapter.h"
#include "driver.h"
#include "judge.h"
#include "util.h"

#include <stdio.h>

struct plain {
	struct wtest t;
	struct judge j;
};

static void plain_output(void *data, const char *buf, size_t len)
{
	struct plain *p = data;

	capture_add(&p->t.out, buf, len);
	judge_output(&p->j, buf, len);
}

static const struct child_ops plain_ops = { .on_output = plain_output };

static void plain_run_batch(struct session *s, const struct proto_invocation *inv)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf msg = STRBUF_INIT;
	struct plain p;
	struct child c;
	enum outcome o;

	wtest_init(&p.t);
	if (judge_init(&p.j, inv, &msg)) {
		driver_fail_all(s, inv, msg.buf);
		goto out;
	}
	strvec_push(&argv, inv->binary);
	driver_argv(&argv, inv);
	driver_env(&env, inv);
	if (driver_follow_one(s, inv, &c, argv.v, env.v, &plain_ops, &p, &p.t))
		goto out_judge;
	p.t.duration_ns = driver_elapsed(c.started_ns, c.exited_ns);
	o = judge_verdict(&p.j, &c, session_timeout_ms(s, 0), &msg);
	wtest_note(&p.t, o, msg.buf);
	/* a whole process's verdict is its runner's; a report only says why it failed */
	if (o == OUTCOME_FAIL || o == OUTCOME_CRASH)
		wtest_sanitizer(&p.t);
	wtest_usage(&p.t, &c, 1);
	session_result(s, &p.t);
	child_release(&c);
out_judge:
	judge_release(&p.j);
out:
	wtest_release(&p.t);
	strvec_clear(&argv);
	strvec_clear(&env);
	strbuf_release(&msg);
}

static int plain_recognise(const struct binary_facts *f, const char *id, struct strbuf *note)
{
	(void)id;
	(void)note;
	return f->is_elf || f->is_script;
}

const struct adapter adapter_plain = {
	.name = "plain",
	.flags = ADAPTER_ONE_TEST,
	.recognise = plain_recognise,
	.run_batch = plain_run_batch,
};
