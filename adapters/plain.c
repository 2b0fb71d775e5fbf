/*
 * plain.c - the plain adapter: any executable (an ELF program, a #!
 * script) is one test.  It is the table's last adapter: it takes whatever
 * no framework claimed, and is never listed.
 *
 * Run with no arguments.  Exit 0 is PASS, exit 77 SKIP (the automake
 * convention), any other exit FAIL ("exit N"), a signal CRASH ("killed by
 * SIGSEGV"); past the time limit the process group is stopped (see child.h)
 * and the test is TIMEOUT with what it printed and the time it ran.
 */
#include "adapter.h"
#include "driver.h"
#include "util.h"

#include <stdio.h>
#include <sys/wait.h>

#define PLAIN_EXIT_SKIP 77

static void plain_output(void *data, const char *buf, size_t len)
{
	struct wtest *t = data;
	capture_add(&t->out, buf, len);
}

static const struct child_ops plain_ops = { .on_output = plain_output };

/* The outcome and message of a finished plain test. */
static void plain_judge(struct wtest *t, const struct child *c, uint64_t timeout_ms)
{
	char what[64];

	proc_describe_status(c->status, what, sizeof(what));
	if (c->timed_out) {
		char msg[96];
		snprintf(msg, sizeof(msg), "timed out after %llu ms (%s)",
			 (unsigned long long)timeout_ms, what);
		wtest_note(t, OUTCOME_TIMEOUT, msg);
	} else if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0) {
		wtest_note(t, OUTCOME_PASS, "");
	} else if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == PLAIN_EXIT_SKIP) {
		wtest_note(t, OUTCOME_SKIP, what);
	} else if (WIFEXITED(c->status)) {
		wtest_note(t, OUTCOME_FAIL, what);
	} else {
		wtest_note(t, OUTCOME_CRASH, what);
	}
}

static void plain_run_batch(struct session *s, const struct proto_invocation *inv)
{
	char *argv[] = { inv->binary, NULL };
	struct strvec env = STRVEC_INIT;
	struct wtest t;
	struct child c;
	char err[512];

	driver_env(&env, inv);
	wtest_init(&t);
	if (child_start(&c, argv, env.v, &plain_ops, &t, err, sizeof(err)) < 0) {
		driver_fail_all(s, inv, err);
		goto out;
	}
	s->active = &c;
	session_start(s, &t, 0);
	child_set_timeout(&c, session_timeout_ms(s, 0));
	child_run(&c);
	s->active = NULL;
	t.duration_ns = driver_elapsed(c.started_ns, c.exited_ns);
	plain_judge(&t, &c, session_timeout_ms(s, 0));
	wtest_usage(&t, &c, 1);
	session_result(s, &t);
	child_release(&c);
out:
	wtest_release(&t);
	strvec_clear(&env);
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
