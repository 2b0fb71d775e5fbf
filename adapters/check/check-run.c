/*
 * check-run.c - the Check adapter's run_batch: one process per TCase of
 * the invocation, in order, followed by check-lines.c.
 *
 * A process runs the binary with its registered arguments and:
 *
 *   CK_RUN_SUITE, CK_RUN_CASE  the case's suite and TCase (check.c): Check
 *                              runs every TCase of that name in every suite
 *                              of that name, and nothing else
 *   CK_LOG_FILE_NAME           /dev/fd/CHILD_EVENT_FD, the event pipe: one
 *                              result line per test, flushed as it ends
 *   CK_VERBOSITY=normal        so that stdout carries the failure of an
 *                              unchecked fixture (Check writes it nowhere
 *                              else) and the summary
 *   no CK_XML_LOG_FILE_NAME, CK_TAP_LOG_FILE_NAME
 *                              parallel processes would overwrite one file
 *
 * CK_FORK, the tag variables and CK_TIMEOUT_MULTIPLIER stay as the test's
 * environment has them, as in a serial run: forking (the default) a crash,
 * an exit or Check's own time limit is a result line; with CK_FORK=no it
 * ends the process.
 *
 * The TCase's verdict, the first that applies:
 *   balrun's time limit passed          TIMEOUT
 *   an unchecked fixture failed         FAIL "unchecked_setup: message"
 *   result lines other than P           the worst of them (CRASH for "Received
 *                                       signal", TIMEOUT for Check's "Test
 *                                       timeout expired", else FAIL), with the
 *                                       first such line's "test: message" and
 *                                       the names of the other failing tests
 *   no summary: the process ended       CRASH (a signal) or FAIL (an exit)
 *     inside the run                    after N results
 *   no suite ran                        NOTRUN: the binary has no such TCase
 *                                       (any more)
 *   no result line at all               SKIP: the tags left every test out, or
 *                                       the TCase has none
 *   otherwise                           PASS
 * A process that exits non-zero after a summary with no failure is a FAULT
 * after its TCase.
 */
#define _GNU_SOURCE
#include "check-internal.h"
#include "driver.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* The process ended before Check's summary: a crash or an exit inside the run. */
static void ck_settle_cut(struct ck_run *k, const char *what)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%s before Check's summary (after %ld test result%s)", what,
		 k->results, k->results == 1 ? "" : "s");
	wtest_note(&k->t, WIFSIGNALED(k->c->status) ? OUTCOME_CRASH : OUTCOME_FAIL, msg);
}

/* The worst result line's message, with the names of the tests that failed when there are several. */
static void ck_settle_failures(struct ck_run *k)
{
	struct strbuf msg = STRBUF_INIT;

	strbuf_add(&msg, k->message.buf, k->message.len);
	if (k->failures > 1)
		strbuf_addf(&msg, " (%ld results not passed: %s)", k->failures, k->failed.buf);
	wtest_note(&k->t, k->worst, msg.buf);
	strbuf_release(&msg);
}

static void ck_settle(struct ck_run *k)
{
	const struct child *c = k->c;
	int clean = WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0;
	char what[64], msg[160];

	proc_describe_status(c->status, what, sizeof(what));
	k->t.duration_ns = driver_elapsed(c->started_ns, c->exited_ns);
	if (c->timed_out) {
		snprintf(msg, sizeof(msg), "timed out after %llu ms (after %ld test result%s)",
			 (unsigned long long)session_timeout_ms(k->s, k->index), k->results,
			 k->results == 1 ? "" : "s");
		wtest_note(&k->t, OUTCOME_TIMEOUT, msg);
	} else if (k->unchecked.len) {
		wtest_note(&k->t, OUTCOME_FAIL, k->unchecked.buf);
	} else if (k->failures) {
		ck_settle_failures(k);
	} else if (!k->summary) {
		ck_settle_cut(k, what);
	} else if (!k->suite_ran) {
		wtest_note(&k->t, OUTCOME_NOTRUN, "Check ran no suite for it: the binary has no such TCase");
	} else if (!k->results) {
		wtest_note(&k->t, OUTCOME_SKIP, "no test of the TCase ran (CK_INCLUDE_TAGS or "
			   "CK_EXCLUDE_TAGS left them out, or it has none)");
	}
	wtest_usage(&k->t, c, 1);
	session_result(k->s, &k->t);
	if (!clean && k->summary && !k->failures && !k->unchecked.len && !c->timed_out &&
	    !child_stop_requested && !k->s->broken) {
		snprintf(msg, sizeof(msg), "%s after Check's summary although none of its tests failed",
			 what);
		session_fault(k->s, FAULT_AFTER, -1, WIFEXITED(c->status) ? OUTCOME_FAIL : OUTCOME_CRASH,
			      msg, NULL);
	}
}

static void ck_run_init(struct ck_run *k, struct session *s, const struct proto_invocation *inv,
			int index, struct child *c)
{
	memset(k, 0, sizeof(*k));
	k->s = s;
	k->inv = inv;
	k->c = c;
	k->index = index;
	k->worst = OUTCOME_PASS;
	check_split(inv->tests[index], inv->checks ? inv->checks[index] : 0, &k->suite, &k->tcase);
	wtest_init(&k->t);
	strbuf_init(&k->message, 0);
	strbuf_init(&k->failed, 0);
	strbuf_init(&k->unchecked, 0);
	strbuf_init(&k->out_line, 0);
	strbuf_init(&k->log_line, 0);
}

static void ck_run_release(struct ck_run *k)
{
	wtest_release(&k->t);
	strbuf_release(&k->message);
	strbuf_release(&k->failed);
	strbuf_release(&k->unchecked);
	strbuf_release(&k->out_line);
	strbuf_release(&k->log_line);
	free(k->suite);
	free(k->tcase);
}

/* One TCase, one process.  0, or -1 if the binary could not start (the invocation has failed). */
static int ck_run_tcase(struct session *s, const struct proto_invocation *inv, int index,
			struct strvec *env)
{
	struct strvec argv = STRVEC_INIT;
	struct ck_run k;
	struct child c;
	int ret;

	ck_run_init(&k, s, inv, index, &c);
	strvec_setenv(env, "CK_RUN_SUITE", k.suite);
	strvec_setenv(env, "CK_RUN_CASE", k.tcase);
	strvec_push(&argv, inv->binary);
	driver_argv(&argv, inv);
	ret = driver_follow_test(s, inv, &c, argv.v, env->v, &ck_ops, &k, &k.t, index,
				 session_timeout_ms(s, index));
	if (!ret) {
		ck_flush(&k);
		ck_settle(&k);
		child_release(&c);
	}
	ck_run_release(&k);
	strvec_clear(&argv);
	return ret;
}

void check_run_batch(struct session *s, const struct proto_invocation *inv)
{
	struct strvec env = STRVEC_INIT;
	char log[32];

	driver_env(&env, inv);
	snprintf(log, sizeof(log), "/dev/fd/%d", CHILD_EVENT_FD);
	strvec_setenv(&env, "CK_LOG_FILE_NAME", log);
	strvec_setenv(&env, "CK_VERBOSITY", "normal");
	strvec_unsetenv(&env, "CK_XML_LOG_FILE_NAME");
	strvec_unsetenv(&env, "CK_TAP_LOG_FILE_NAME");
	for (size_t i = 0; i < inv->ntests; i++) {
		if (s->broken || child_stop_requested)
			break;
		if (ck_run_tcase(s, inv, (int)i, &env))
			break;
	}
	strvec_clear(&env);
}
