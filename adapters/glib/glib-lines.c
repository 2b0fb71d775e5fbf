/*
 * glib-lines.c - following the TAP output of one GLib process of a batch,
 * for glib-run.c (glib-internal.h).
 *
 * The process runs `BIN ... --tap -k -p T1 -p T2 ...`: each -p is a pass of
 * its own, and GLib ends every pass with a plan line "1..N" (N counts all
 * passes so far).  So pass k is test Tk, from the end of pass k-1 (the
 * first: from the process's first output) to its plan line, and its result
 * is the TAP line GLib prints for it:
 *
 *   ok N PATH                          PASS
 *   ok N PATH # SKIP reason            SKIP (g_test_skip)
 *   not ok N PATH # TODO reason        SKIP (g_test_incomplete: GLib counts it
 *                                      with the skipped tests)
 *   not ok N PATH [- message]          FAIL (g_test_fail, g_test_fail_printf)
 *   Bail out! text                     GLib is about to end the process (a
 *                                      failed g_assert, g_error, a fatal
 *                                      warning): the test FAILs with that text
 *                                      when the process dies in it
 *
 * N is the next number GLib gives, so "ok N " is found even glued to the
 * end of a test's unterminated output.  PATH is printed in the locale's
 * charset (non-ASCII characters may show as '?': gl_name_matches).  A result
 * line at a line start naming another path is GLib's for a test it skipped
 * at balrun's request (-x, glib-run.c): counted, not reported.  A plan line
 * with no result for its pass: the path ran nothing (the binary no longer
 * has it): NOTRUN.  "# random seed", "# Start of X tests" and "# End of X
 * tests" are GLib's own lines and stay out of the output; everything else
 * (the test's own output, g_test_message's "# ..." lines) is the output of
 * the pass it arrives in.
 *
 * When the process ends during a pass, its test is TIMEOUT (the worker
 * stopped it), FAIL with the "Bail out!" text, CRASH (a signal), or FAIL
 * ("exited with status N during the test"); the passes after it get no
 * RESULT.  A process that exits non-zero although none of its tests failed,
 * or dies after them, is a FAULT after its tests.
 */
#define _GNU_SOURCE
#include "driver.h"
#include "glib-internal.h"
#include "tap.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* ---- names ---- */

/* Length of the UTF-8 sequence that starts with byte c (1 if c is not a lead byte). */
static size_t gl_utf8_len(unsigned char c)
{
	return c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

int gl_name_matches(const char *expected, const char *shown, size_t len, size_t *used)
{
	size_t e = 0, s = 0, n = strlen(expected);

	while (e < n) {
		if (s < len && shown[s] == expected[e]) {
			e++;
			s++;
		} else if (s < len && shown[s] == '?' && (unsigned char)expected[e] >= 0x80) {
			size_t k = gl_utf8_len((unsigned char)expected[e]);

			for (e++; --k && e < n && ((unsigned char)expected[e] & 0xc0) == 0x80; e++)
				;
			s++;
		} else {
			return 0;
		}
	}
	*used = s;
	return 1;
}

/* ---- passes ---- */

static void gl_output(struct gl_run *g, const char *buf, size_t len)
{
	if (g->pass < g->ntests && !g->result_seen)
		capture_add(&g->t.out, buf, len);
	else
		capture_add(&g->after, buf, len);
}

/* Pass g->pass begins: its test starts, with its own time limit. */
static void gl_begin_pass(struct gl_run *g)
{
	g->result_seen = 0;
	strbuf_reset(&g->bail);
	if (g->pass >= g->ntests) {
		child_set_timeout(g->c, session_max_timeout_ms(g->s));   /* after the tests: still bounded */
		return;
	}
	session_start(g->s, &g->t, g->tests[g->pass]);
	g->pass_ns = now_ns();
	child_set_timeout(g->c, session_timeout_ms(g->s, g->t.index));
}

static void gl_send(struct gl_run *g)
{
	g->failed |= outcome_is_failure(g->t.outcome);
	wtest_usage(&g->t, g->c, g->inv->ntests == 1);
	session_result(g->s, &g->t);
}

/* The result line of the running pass's test: rest is what follows its path. */
static void gl_on_result(struct gl_run *g, int ok, const char *rest, size_t len)
{
	const char *reason;
	size_t rlen;
	enum tap_directive d = tap_parse_directive(rest, len, &reason, &rlen);
	char *why = xstrndup(reason, rlen);

	g->t.duration_ns = driver_elapsed(g->pass_ns, now_ns());
	if (d == TAP_DIR_SKIP)
		wtest_note(&g->t, OUTCOME_SKIP, why);
	else if (d == TAP_DIR_TODO && !ok) {
		free(why);
		why = xasprintf("incomplete%s%.*s", rlen ? ": " : "", (int)rlen, reason);
		wtest_note(&g->t, OUTCOME_SKIP, why);
	} else if (!ok || d == TAP_DIR_TODO) {
		free(why);
		why = len >= 3 && !memcmp(rest, " - ", 3) ? xstrndup(rest + 3, len - 3) : xstrdup("failed");
		wtest_note(&g->t, OUTCOME_FAIL, why);
	}
	free(why);
	g->result_seen = 1;
	gl_send(g);
}

/* The plan line that ends pass g->pass. */
static void gl_on_plan(struct gl_run *g)
{
	if (g->pass >= g->ntests)
		return;
	if (!g->result_seen) {
		g->t.duration_ns = driver_elapsed(g->pass_ns, now_ns());
		wtest_note(&g->t, OUTCOME_NOTRUN, "not run: the binary ran nothing for this path "
			   "(it no longer has this test?)");
		gl_send(g);
	}
	g->pass++;
	gl_begin_pass(g);
}

/*
 * A TAP result line "[not ]ok N ..." in text[0..len) with N == g->tap_next,
 * at the start or (for the expected path only) glued to output: 1 if found,
 * with where it starts (*at), whether it says ok, and the text after the
 * number.
 */
static int gl_find_result(const struct gl_run *g, const char *text, size_t len, size_t *at, int *ok,
			  const char **after)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "ok %ld ", g->tap_next);
	const char *p = text, *end = text + len;

	while ((p = memmem(p, (size_t)(end - p), num, (size_t)n))) {
		size_t pos = (size_t)(p - text);
		int not = pos >= 4 && !memcmp(p - 4, "not ", 4);
		size_t start = not ? pos - 4 : pos, used;
		const char *name = p + n;
		int ours = g->pass < g->ntests && !g->result_seen &&
			   gl_name_matches(g->inv->tests[g->t.index], name, (size_t)(end - name), &used);

		if (ours || start == 0) {
			*at = start;
			*ok = !not;
			*after = name;
			return 1;
		}
		p++;
	}
	return 0;
}

/* A result line: ours (the running pass's test), or one GLib skipped at our request. */
static int gl_try_result(struct gl_run *g, const char *text, size_t len)
{
	const char *after, *end = text + len;
	size_t at, used;
	int ok;

	if (!gl_find_result(g, text, len, &at, &ok, &after))
		return 0;
	g->tap_next++;
	if (at)
		gl_output(g, text, at);
	if (g->pass < g->ntests && !g->result_seen &&
	    gl_name_matches(g->inv->tests[g->t.index], after, (size_t)(end - after), &used) &&
	    (after + used == end || after[used] == ' '))
		gl_on_result(g, ok, after + used, (size_t)(end - after - used));
	return 1;
}

static int gl_is_plan(const char *text, size_t len)
{
	return len > 3 && !memcmp(text, "1..", 3) && strspn(text + 3, "0123456789") == len - 3;
}

/* GLib's own lines that are no test's output. */
static int gl_is_framework(const char *text, size_t len)
{
	if (len >= 2 && text[len - 1] == 's' && (starts_with(text, "# Start of ") ||
						starts_with(text, "# End of ")))
		return len > 6 && !memcmp(text + len - 6, " tests", 6);
	return starts_with(text, "# random seed: ");
}

/* One whole line (with its newline, if it had one). */
static void gl_on_line(struct gl_run *g, const char *raw, size_t rawlen)
{
	size_t len = rawlen;
	char *text;

	while (len && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
		len--;
	text = xstrndup(raw, len);
	if (gl_is_plan(text, len))
		gl_on_plan(g);
	else if (starts_with(text, "Bail out!") && g->pass < g->ntests && !g->result_seen)
		strbuf_adds(&g->bail, text[9] ? text + 9 + strspn(text + 9, " ") : "Bail out!");
	else if (!gl_is_framework(text, len) && !gl_try_result(g, text, len))
		gl_output(g, raw, rawlen);
	free(text);
}

static void gl_child_output(void *data, const char *buf, size_t len)
{
	struct gl_run *g = data;

	if (!g->begun) {
		g->begun = 1;
		gl_begin_pass(g);
	}
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) + 1 : len;

		if (g->long_line) {
			gl_output(g, buf, n);
			g->long_line = !nl;
		} else if (g->line.len + n > GL_LINE_MAX) {
			gl_output(g, g->line.buf, g->line.len);
			gl_output(g, buf, n);
			strbuf_reset(&g->line);
			g->long_line = !nl;
		} else {
			strbuf_add(&g->line, buf, n);
			if (nl) {
				gl_on_line(g, g->line.buf, g->line.len);
				strbuf_reset(&g->line);
			}
		}
		buf += n;
		len -= n;
	}
}

const struct child_ops gl_ops = { .on_output = gl_child_output };

/* ---- the end of the process ---- */

/* The process ended during the running pass: its test is charged. */
static void gl_settle_test(struct gl_run *g, const char *what)
{
	const struct child *c = g->c;

	if (g->bail.len && !c->timed_out) {
		g->t.duration_ns = driver_elapsed(g->pass_ns, c->exited_ns);
		wtest_note(&g->t, OUTCOME_FAIL, g->bail.buf);
	} else {
		driver_test_died(g->s, &g->t, c, g->pass_ns, what);
	}
	gl_send(g);
}

/* Dead, or a non-zero exit, with nothing of ours failing: a failure outside the tests. */
static void gl_fault(struct gl_run *g, const char *what)
{
	const struct child *c = g->c;
	struct strbuf msg = STRBUF_INIT;
	enum outcome o = c->timed_out ? OUTCOME_TIMEOUT : WIFEXITED(c->status) ? OUTCOME_FAIL
									     : OUTCOME_CRASH;

	if (c->timed_out)
		strbuf_addf(&msg, "timed out after its tests (%s)", what);
	else if (WIFEXITED(c->status))
		strbuf_addf(&msg, "exited with status %d although none of its tests failed",
			    WEXITSTATUS(c->status));
	else
		strbuf_addf(&msg, "%s after its tests", what);
	session_fault(g->s, FAULT_AFTER, -1, o, msg.buf, &g->after);
	strbuf_release(&msg);
}

void gl_settle(struct gl_run *g)
{
	const struct child *c = g->c;
	int clean = !c->timed_out && WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0;
	char what[64];

	proc_describe_status(c->status, what, sizeof(what));
	if (g->line.len)
		gl_on_line(g, g->line.buf, g->line.len);
	strbuf_reset(&g->line);
	if (!g->begun)
		session_error(g->s, "%s before any test ran (no output)", what);
	else if (g->pass < g->ntests && !g->result_seen)
		gl_settle_test(g, what);
	else if (!clean && !g->failed && !child_stop_requested && !g->s->broken)
		gl_fault(g, what);
}
