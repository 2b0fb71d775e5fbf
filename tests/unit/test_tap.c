/*
 * test_tap.c - worker/tap.c: TAP lines classified as meson classifies them,
 * and the verdict on a whole stream with the process's exit status
 * (meson's TestRunTAP: bad test points, bail out, plan errors, all
 * skipped, a non-zero exit).
 */
#include <criterion/criterion.h>

#include <signal.h>
#include <string.h>

#include "tap.h"

TestSuite(tap);

#define EXIT(n) ((n) << 8)

static struct tap_line parse(const char *s)
{
	struct tap_line l;

	tap_parse_line(s, strlen(s), &l);
	return l;
}

static int text_is(const char *p, size_t n, const char *want)
{
	return n == strlen(want) && !memcmp(p, want, n);
}

Test(tap, result_lines)
{
	struct tap_line l = parse("ok 1 - first passes");

	cr_assert_eq(l.kind, TAP_RESULT);
	cr_assert(l.ok);
	cr_assert_eq(l.number, 1);
	cr_assert(text_is(l.desc, l.desc_len, "first passes"));
	cr_assert_eq(l.directive, TAP_DIR_NONE);

	l = parse("not ok 2 second fails\r");
	cr_assert_eq(l.kind, TAP_RESULT);
	cr_assert(!l.ok);
	cr_assert_eq(l.number, 2);
	cr_assert(text_is(l.desc, l.desc_len, "second fails"));

	l = parse("ok");
	cr_assert_eq(l.kind, TAP_RESULT);
	cr_assert_eq(l.number, -1);
	cr_assert_eq(l.desc_len, 0);

	l = parse("ok 7 /odd/with space - not a separator here");
	cr_assert(text_is(l.desc, l.desc_len, "/odd/with space - not a separator here"));
}

Test(tap, directives)
{
	struct tap_line l = parse("ok 4 # skip no network");

	cr_assert_eq(l.directive, TAP_DIR_SKIP);
	cr_assert(text_is(l.reason, l.reason_len, "no network"));
	cr_assert_eq(l.desc_len, 0);

	l = parse("not ok 5 - todo test fails # TODO not implemented");
	cr_assert_eq(l.directive, TAP_DIR_TODO);
	cr_assert(text_is(l.desc, l.desc_len, "todo test fails"));
	cr_assert(text_is(l.reason, l.reason_len, "not implemented"));

	l = parse("ok 6 x #SKIPPED: later");
	cr_assert_eq(l.directive, TAP_DIR_SKIP);
	cr_assert(text_is(l.reason, l.reason_len, ": later"));

	l = parse("ok 7 x # TODOs are words");   /* TODO must end a word */
	cr_assert_eq(l.directive, TAP_DIR_NONE);
	l = parse("ok 8 foo # bar");
	cr_assert_eq(l.directive, TAP_DIR_NONE);
	cr_assert(text_is(l.desc, l.desc_len, "foo"));
}

Test(tap, other_lines)
{
	struct tap_line l = parse("1..9");

	cr_assert_eq(l.kind, TAP_PLAN);
	cr_assert_eq(l.number, 9);
	l = parse("1..0 # SKIP no database");
	cr_assert_eq(l.kind, TAP_PLAN);
	cr_assert_eq(l.directive, TAP_DIR_SKIP);
	cr_assert(text_is(l.reason, l.reason_len, "no database"));
	l = parse("Bail out!  db gone");
	cr_assert_eq(l.kind, TAP_BAIL);
	cr_assert(text_is(l.reason, l.reason_len, "db gone"));
	cr_assert_eq(parse("TAP version 13").kind, TAP_VERSION);
	cr_assert_eq(parse("# a diagnostic").kind, TAP_COMMENT);
	cr_assert_eq(parse("   ").kind, TAP_COMMENT);
	cr_assert_eq(parse("plain stdout from the program").kind, TAP_UNKNOWN);
	cr_assert_eq(parse("  ok 1 indented").kind, TAP_UNKNOWN);
	cr_assert_eq(parse("1..").kind, TAP_UNKNOWN);
}

/* The verdict on text fed whole, with this wait status; the message into msg. */
static enum outcome verdict(const char *text, int status, struct strbuf *msg)
{
	struct tap_stream t;
	enum outcome o;

	tap_stream_init(&t);
	tap_stream_feed(&t, text, strlen(text));
	strbuf_reset(msg);
	o = tap_stream_verdict(&t, status, msg);
	tap_stream_release(&t);
	return o;
}

static void expect(const char *text, int status, enum outcome want, const char *in_msg)
{
	struct strbuf msg = STRBUF_INIT;
	enum outcome o = verdict(text, status, &msg);

	cr_assert_eq(o, want, "%s: got %s (%s)", text, outcome_tag(o), msg.buf);
	if (in_msg)
		cr_assert(strstr(msg.buf, in_msg), "%s: message '%s' lacks '%s'", text, msg.buf, in_msg);
	else
		cr_assert_str_eq(msg.buf, "", "%s", text);
	strbuf_release(&msg);
}

Test(tap, verdicts_of_the_stream)
{
	expect("1..3\nok 1\nok 2 - b\nok 3 # SKIP c\n", EXIT(0), OUTCOME_PASS, NULL);
	expect("ok 1\nok 2\n1..2\n", EXIT(0), OUTCOME_PASS, NULL);            /* late plan */
	expect("ok 1\nok 2\n", EXIT(0), OUTCOME_PASS, NULL);                  /* no plan */
	expect("1..2\nok 1\nnot ok 2 - second fails\n", EXIT(0), OUTCOME_FAIL,
	       "1 of 2 test points failed: #2 second fails");
	expect("1..2\nok 1\nnot ok 2 # TODO later\n", EXIT(0), OUTCOME_PASS, NULL);
	expect("1..2\nok 1\nok 2 - x # TODO later\n", EXIT(0), OUTCOME_FAIL, "#2 x (TODO, but passed)");
	expect("1..2\nok 1\nnot ok 2 # SKIP no\n", EXIT(0), OUTCOME_FAIL, "#2");
	expect("1..0 # SKIP no database\n", EXIT(0), OUTCOME_SKIP, "skipped: no database");
	expect("1..2\nok 1 # skip a\nok 2 # skip b\n", EXIT(0), OUTCOME_SKIP, "every test point skipped");
	expect("", EXIT(0), OUTCOME_SKIP, "no test points");
	expect("hello\n", EXIT(0), OUTCOME_SKIP, "no test points");
	expect("1..3\nok 1\nBail out! db gone\n", EXIT(0), OUTCOME_FAIL, "Bail out! db gone");
	expect("1..3\nok 1\n", EXIT(0), OUTCOME_FAIL, "too few test points (planned 3, ran 1)");
	expect("1..1\nok 1\nok 2\n", EXIT(0), OUTCOME_FAIL, "too many test points (planned 1, ran 2)");
	expect("ok 1\n1..2\nok 2\n", EXIT(0), OUTCOME_FAIL, "a test point after the plan at the end");
	expect("1..2\n1..2\nok 1\nok 2\n", EXIT(0), OUTCOME_FAIL, "more than one plan");
	expect("1..2\nok 2\nok 1\n", EXIT(0), OUTCOME_FAIL, "test point 2 where 1 was due");
	expect("ok 1\nTAP version 13\n", EXIT(0), OUTCOME_FAIL, "not on the first line");
	expect("TAP version 13\n1..1\nok 1\nnoise\n", EXIT(0), OUTCOME_PASS, NULL);
	expect("1..1\nok 1", EXIT(0), OUTCOME_PASS, NULL);                    /* no last newline */
}

Test(tap, verdicts_with_the_exit_status)
{
	expect("1..2\nok 1\nok 2\n", EXIT(1), OUTCOME_FAIL, "exit 1 after 2 test points, all passed");
	expect("1..2\nok 1\nnot ok 2\n", EXIT(1), OUTCOME_FAIL, "exit 1; 1 of 2 test points failed");
	expect("1..0 # SKIP x\n", EXIT(77), OUTCOME_FAIL, "exit 77");
	expect("1..3\nok 1\n", SIGSEGV, OUTCOME_CRASH, "killed by SIGSEGV");
}

Test(tap, pieces_of_any_size_give_the_same_answer)
{
	static const char text[] = "TAP version 13\n1..3\nok 1 - a\nnot ok 2 - b\r\nok 3 # TODO c\n";
	struct tap_stream t;
	struct strbuf msg = STRBUF_INIT, whole = STRBUF_INIT;

	verdict(text, EXIT(0), &whole);
	tap_stream_init(&t);
	for (size_t i = 0; i < sizeof(text) - 1; i++)
		tap_stream_feed(&t, text + i, 1);
	cr_assert_eq(tap_stream_verdict(&t, EXIT(0), &msg), OUTCOME_FAIL);
	cr_assert_str_eq(msg.buf, whole.buf);
	cr_assert_eq(t.count, 3);
	cr_assert_eq(t.bad, 2);
	tap_stream_release(&t);
	strbuf_release(&msg);
	strbuf_release(&whole);
}

Test(tap, a_long_line_is_read_on_its_start)
{
	struct tap_stream t;
	struct strbuf msg = STRBUF_INIT;
	char *big = malloc(TAP_LINE_MAX * 2);

	memset(big, 'x', TAP_LINE_MAX * 2);
	memcpy(big, "not ok 1 - ", 11);
	tap_stream_init(&t);
	tap_stream_feed(&t, "1..2\n", 5);
	tap_stream_feed(&t, big, TAP_LINE_MAX * 2);
	tap_stream_feed(&t, "\nok 2\n", 6);
	cr_assert_eq(tap_stream_verdict(&t, EXIT(0), &msg), OUTCOME_FAIL);
	cr_assert_eq(t.count, 2);
	cr_assert_lt(msg.len, 512);
	tap_stream_release(&t);
	strbuf_release(&msg);
	free(big);
}
