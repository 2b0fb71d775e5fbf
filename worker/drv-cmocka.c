/*
 * drv-cmocka.c - a batch of cmocka tests in one run of an unmodified binary,
 * selected and followed through the preload shim (worker/preload.c).
 *
 * The binary runs with LD_PRELOAD = the invocation's preload list (which
 * holds the shim), BALRUN_CMOCKA_MODE=run, BALRUN_CMOCKA_TESTS = the batch
 * and BALRUN_EVENT_FD = PRELOAD_EVENT_FD, where the worker reads the shim's
 * event lines (see common/preload.h).  Durations come from the shim's
 * CLOCK_MONOTONIC stamps.
 *
 * Output attribution.  Output read while a test runs (between its S and E)
 * is that test's.  cmocka prints its verdict ("[       OK ] name") after the
 * teardown, so after the E event and the next "[ RUN      ] next" line before
 * the next S; that output is held, and at the next S it is split at its last
 * "[ RUN      ] " line: the part before goes to the ended test, whose RESULT
 * is only then sent, the rest to the new test.  A PASS from the shim becomes
 * FAIL if cmocka printed an "[  ERROR   ] --- " line for the test (its leak
 * check runs after the test function returned); the first such line is the
 * message of a FAIL.
 *
 * If the process dies between S and E (abort(), exit(), a signal cmocka does
 * not catch, or the worker's time limit), that test is CRASH ("killed by
 * SIGABRT"), FAIL ("exited with status N during the test") or TIMEOUT, and
 * the rest of the batch gets no RESULT.
 */
#define _GNU_SOURCE
#include "driver.h"
#include "preload.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define CMK_RUN_LINE "[ RUN      ] "
#define CMK_ERROR_LINE "[  ERROR   ] --- "
#define CMK_SETUP_ERROR "Could not run test: "
/* Output held between tests beyond this goes to the ended test at once. */
#define CMK_BETWEEN_MAX (64u << 10)

struct cmk {
	struct session *s;
	const struct proto_invocation *inv;
	struct child *c;
	struct wtest t;           /* the running test, or the ended one whose RESULT is held */
	int running;              /* between S and E */
	uint64_t start_ns;        /* the S stamp */
	int any_test;
	struct strbuf between;    /* output since the last E (or the start) */
	struct strbuf first;      /* first output line, for an empty run */
};

/* Index of "group/name" in the batch, or -1.  Tests mostly come in order: start after the last. */
static int cmk_find(const struct cmk *k, const char *name)
{
	size_t n = k->inv->ntests;
	size_t hint = k->t.index >= 0 ? (size_t)k->t.index : 0;

	for (size_t j = 0; j < n; j++) {
		size_t i = (hint + j) % n;
		if (!strcmp(k->inv->tests[i], name))
			return (int)i;
	}
	return -1;
}

static void cmk_capture(struct cmk *k, const char *buf, size_t len)
{
	if (k->t.index >= 0)
		capture_add(&k->t.out, buf, len);
}

static void cmk_output(void *data, const char *buf, size_t len)
{
	struct cmk *k = data;

	if (!k->first.len && !k->any_test) {
		const char *nl = memchr(buf, '\n', len);
		strbuf_add(&k->first, buf, nl ? (size_t)(nl - buf) : len);
	}
	if (k->running) {
		cmk_capture(k, buf, len);
		return;
	}
	strbuf_add(&k->between, buf, len);
	if (k->between.len > CMK_BETWEEN_MAX) {
		cmk_capture(k, k->between.buf, k->between.len);
		strbuf_reset(&k->between);
	}
}

/* Copy the rest of the line at p (up to the newline) into msg. */
static void cmk_line_at(const char *p, const char *end, struct strbuf *msg)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	strbuf_add(msg, p, (size_t)((nl ? nl : end) - p));
}

/* Settle PASS/FAIL from cmocka's own lines in the captured output. */
static void cmk_judge_output(struct wtest *t)
{
	struct strbuf out = STRBUF_INIT, msg = STRBUF_INIT;
	const char *p;

	if (t->outcome != OUTCOME_PASS && t->outcome != OUTCOME_FAIL)
		return;
	capture_render(&t->out, &out);
	if ((p = memmem(out.buf, out.len, CMK_ERROR_LINE, strlen(CMK_ERROR_LINE))))
		cmk_line_at(p + strlen(CMK_ERROR_LINE), out.buf + out.len, &msg);
	else if (t->outcome == OUTCOME_FAIL &&
		 (p = memmem(out.buf, out.len, CMK_SETUP_ERROR, strlen(CMK_SETUP_ERROR))))
		cmk_line_at(p + strlen(CMK_SETUP_ERROR), out.buf + out.len, &msg);
	if (msg.len || t->outcome == OUTCOME_FAIL)
		wtest_note(t, OUTCOME_FAIL, msg.len ? msg.buf : "failed");
	strbuf_release(&out);
	strbuf_release(&msg);
}

/* Send the held RESULT (if any) with the held output up to "[ RUN      ] " of the next. */
static void cmk_finish(struct cmk *k, int whole)
{
	size_t cut = k->between.len;

	if (!whole) {
		const char *p = k->between.buf, *last = NULL;
		while ((p = memmem(p, k->between.len - (size_t)(p - k->between.buf),
				   CMK_RUN_LINE, strlen(CMK_RUN_LINE)))) {
			if (p == k->between.buf || p[-1] == '\n')
				last = p;
			p++;
		}
		if (last)
			cut = (size_t)(last - k->between.buf);
	}
	cmk_capture(k, k->between.buf, cut);
	strbuf_remove_front(&k->between, cut);
	if (k->t.index >= 0) {
		cmk_judge_output(&k->t);
		wtest_usage(&k->t, k->c, k->inv->ntests == 1);
	}
	session_result(k->s, &k->t);
}

static void cmk_on_start(struct cmk *k, uint64_t ns, const char *name)
{
	cmk_finish(k, 0);
	session_start(k->s, &k->t, cmk_find(k, name));
	cmk_capture(k, k->between.buf, k->between.len);
	strbuf_reset(&k->between);
	k->running = 1;
	k->start_ns = ns;
	k->any_test = 1;
	child_set_timeout(k->c, session_timeout_ms(k->s, k->t.index));
}

static void cmk_on_end(struct cmk *k, uint64_t ns, const char *what, const char *name)
{
	int o = outcome_parse(what);

	if (!k->running || k->t.index != cmk_find(k, name))
		return;
	k->running = 0;
	child_set_timeout(k->c, 0);
	k->t.duration_ns = ns > k->start_ns ? ns - k->start_ns : 0;
	wtest_note(&k->t, o < 0 ? OUTCOME_FAIL : (enum outcome)o, "");
}

/* Group setup failed: every test of the group in the batch fails. */
static void cmk_on_group_failed(struct cmk *k, const char *group)
{
	size_t glen = strlen(group);

	cmk_finish(k, 0);
	for (size_t i = 0; i < k->inv->ntests; i++) {
		const char *name = k->inv->tests[i];

		if (strncmp(name, group, glen) || name[glen] != '/' || session_seen(k->s, (int)i))
			continue;
		session_start(k->s, &k->t, (int)i);
		cmk_capture(k, k->between.buf, k->between.len);
		strbuf_reset(&k->between);
		wtest_note(&k->t, OUTCOME_FAIL, "group setup failed");
		session_result(k->s, &k->t);
		k->any_test = 1;
	}
}

/* "S <ns> <group>/<name>", "E <ns> <outcome> <group>/<name>", "G <group> <what>". */
static void cmk_event(void *data, const char *line)
{
	struct cmk *k = data;
	char *end;
	uint64_t ns = strtoull(line + (line[0] ? 2 : 0), &end, 10);

	if (starts_with(line, "S ") && *end == ' ') {
		cmk_on_start(k, ns, end + 1);
	} else if (starts_with(line, "E ") && *end == ' ') {
		char *what = xstrndup(end + 1, strcspn(end + 1, " "));
		const char *name = end + 1 + strlen(what);
		cmk_on_end(k, ns, what, *name ? name + 1 : name);
		free(what);
	} else if (starts_with(line, "G ")) {
		const char *sp = strchr(line + 2, ' ');
		char *group = xstrndup(line + 2, sp ? (size_t)(sp - line - 2) : strlen(line + 2));
		if (sp && !strcmp(sp + 1, "setup-failed"))
			cmk_on_group_failed(k, group);
		else
			session_error(k->s, "group '%s' %s", group, sp ? sp + 1 : "failed");
		free(group);
	}
}

static const struct child_ops cmk_ops = { .on_output = cmk_output, .on_event = cmk_event };

/* The process is gone: settle the test it was in the middle of, and an empty run. */
static void cmk_settle(struct cmk *k)
{
	const struct child *c = k->c;
	char what[64], msg[128];

	proc_describe_status(c->status, what, sizeof(what));
	if (k->t.index >= 0 && k->running) {
		k->t.duration_ns = driver_elapsed(k->start_ns, c->exited_ns);
		if (c->timed_out) {
			snprintf(msg, sizeof(msg), "timed out after %llu ms (%s)",
				 (unsigned long long)session_timeout_ms(k->s, k->t.index), what);
			wtest_note(&k->t, OUTCOME_TIMEOUT, msg);
		} else if (WIFEXITED(c->status)) {
			snprintf(msg, sizeof(msg), "exited with status %d during the test",
				 WEXITSTATUS(c->status));
			wtest_note(&k->t, OUTCOME_FAIL, msg);
		} else {
			wtest_note(&k->t, OUTCOME_CRASH, what);
		}
	}
	k->running = 0;
	cmk_finish(k, 1);
	if (!k->any_test)
		session_error(k->s, "%s before any test ran%s%s", what,
			      k->first.len ? ": " : "", k->first.buf);
}

static char **cmk_env(const struct proto_invocation *inv)
{
	struct strbuf tests = STRBUF_INIT;
	char *set[4];
	char **env;

	strbuf_addf(&tests, PRELOAD_ENV_TESTS "=");
	for (size_t i = 0; i < inv->ntests; i++)
		strbuf_addf(&tests, "%s%s", i ? "\n" : "", inv->tests[i]);
	set[0] = PRELOAD_ENV_MODE "=run";
	set[1] = tests.buf;
	set[2] = xasprintf(PRELOAD_ENV_FD "=%d", PRELOAD_EVENT_FD);
	set[3] = NULL;
	env = driver_env(inv, (const char *const *)set);
	free(set[2]);
	strbuf_release(&tests);
	return env;
}

void drv_cmocka_run(struct session *s, const struct proto_invocation *inv)
{
	char *argv[] = { inv->binary, NULL };
	char **env = cmk_env(inv);
	struct cmk k = { .s = s, .inv = inv };
	struct child c;

	wtest_init(&k.t);
	strbuf_init(&k.between, 0);
	strbuf_init(&k.first, 0);
	k.c = &c;
	if (!driver_follow(s, inv, &c, argv, env, PRELOAD_EVENT_FD, &cmk_ops, &k)) {
		cmk_settle(&k);
		child_release(&c);
	}
	wtest_release(&k.t);
	strbuf_release(&k.between);
	strbuf_release(&k.first);
	driver_env_free(env);
}
