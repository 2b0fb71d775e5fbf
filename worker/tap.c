/*
 * tap.c - reading a TAP stream as meson reads it; see tap.h.
 *
 * tap_parse_line() mirrors meson's regular expressions by hand (no regex:
 * they are simple, and lines may hold any bytes); struct tap_stream keeps
 * meson's TAPParser state (plan, count, late plan, bail out) and the
 * verdict follows TestRunTAP.parse() and complete().
 */
#include "tap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "proc.h"

/* Room for the list of failing test points and for parse errors in a message. */
#define TAP_LIST_MAX 300

/* Python's \s: what meson's patterns skip and rstrip() removes. */
static int tap_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int tap_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static size_t tap_skip_space(const char *s, size_t i, size_t n)
{
	while (i < n && tap_space(s[i]))
		i++;
	return i;
}

/* Digits at s[*i..n) as a number (saturating); -1 if there are none. */
static long tap_number(const char *s, size_t *i, size_t n)
{
	long v = 0;

	if (*i >= n || !isdigit((unsigned char)s[*i]))
		return -1;
	for (; *i < n && isdigit((unsigned char)s[*i]); (*i)++)
		v = v > 100000000000L ? v : v * 10 + (s[*i] - '0');
	return v;
}

/* Does s[0..n) start with word, in any case? */
static int tap_starts_nocase(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	return n >= w && !strncasecmp(s, word, w);
}

enum tap_directive tap_parse_directive(const char *s, size_t len, const char **reason,
				       size_t *reason_len)
{
	size_t i = tap_skip_space(s, 0, len);
	enum tap_directive d = TAP_DIR_NONE;

	*reason = s + len;
	*reason_len = 0;
	if (i >= len || s[i] != '#')
		return TAP_DIR_NONE;
	i = tap_skip_space(s, i + 1, len);
	if (tap_starts_nocase(s + i, len - i, "skip")) {
		d = TAP_DIR_SKIP;
		for (i += 4; i < len && tap_word(s[i]); i++)   /* "SKIPPED" */
			;
	} else if (tap_starts_nocase(s + i, len - i, "todo") && (i + 4 >= len || !tap_word(s[i + 4]))) {
		d = TAP_DIR_TODO;
		i += 4;
	} else {
		return TAP_DIR_NONE;
	}
	i = tap_skip_space(s, i, len);
	*reason = s + i;
	*reason_len = len - i;
	return d;
}

/* "ok"/"not ok" [number] [description] [directive]; 0 if the line is no test point. */
static int tap_result(const char *s, size_t n, struct tap_line *o)
{
	size_t i, hash, d, e;

	if (n >= 6 && !memcmp(s, "not ok", 6))
		i = 6;
	else if (n >= 2 && !memcmp(s, "ok", 2))
		i = 2;
	else
		return 0;
	o->kind = TAP_RESULT;
	o->ok = i == 2;
	i = tap_skip_space(s, i, n);
	o->number = tap_number(s, &i, n);
	d = tap_skip_space(s, i, n);
	for (hash = d; hash < n && s[hash] != '#'; hash++)
		;
	o->directive = tap_parse_directive(s + hash, n - hash, &o->reason, &o->reason_len);
	if (d < hash && s[d] == '-' && (d + 1 == hash || tap_space(s[d + 1])))
		d = tap_skip_space(s, d + 1, hash);   /* "ok 1 - description" */
	for (e = hash; e > d && tap_space(s[e - 1]); e--)
		;
	o->desc = s + d;
	o->desc_len = e - d;
	return 1;
}

/* "1..N" [directive]. */
static int tap_plan(const char *s, size_t n, struct tap_line *o)
{
	size_t i = 3;

	if (n < 4 || memcmp(s, "1..", 3) || (o->number = tap_number(s, &i, n)) < 0)
		return 0;
	o->kind = TAP_PLAN;
	o->directive = tap_parse_directive(s + i, n - i, &o->reason, &o->reason_len);
	return 1;
}

enum tap_kind tap_parse_line(const char *line, size_t len, struct tap_line *out)
{
	memset(out, 0, sizeof(*out));
	out->number = -1;
	out->desc = out->reason = line;
	while (len && tap_space(line[len - 1]))
		len--;
	if (!len || line[0] == '#')
		return out->kind = TAP_COMMENT;
	if (tap_result(line, len, out) || tap_plan(line, len, out))
		return out->kind;
	if (len >= 9 && !memcmp(line, "Bail out!", 9)) {
		size_t i = tap_skip_space(line, 9, len);
		out->reason = line + i;
		out->reason_len = len - i;
		return out->kind = TAP_BAIL;
	}
	if (len > 12 && !memcmp(line, "TAP version ", 12)) {
		size_t i = 12;
		if ((out->number = tap_number(line, &i, len)) >= 0)
			return out->kind = TAP_VERSION;
	}
	return out->kind = TAP_UNKNOWN;
}

/* ---- the stream ---- */

void tap_stream_init(struct tap_stream *t)
{
	memset(t, 0, sizeof(*t));
	t->planned = -1;
	strbuf_init(&t->bail, 0);
	strbuf_init(&t->errors, 0);
	strbuf_init(&t->failures, 0);
	strbuf_init(&t->line, 0);
}

void tap_stream_release(struct tap_stream *t)
{
	strbuf_release(&t->bail);
	strbuf_release(&t->errors);
	strbuf_release(&t->failures);
	strbuf_release(&t->line);
}

static void tap_error(struct tap_stream *t, const char *what)
{
	if (t->errors.len > TAP_LIST_MAX)
		return;
	strbuf_addf(&t->errors, "%s%s", t->errors.len ? "; " : "", what);
}

/* Note a failing test point in the bounded list: "#2 second fails". */
static void tap_note_failure(struct tap_stream *t, const struct tap_line *l, long num)
{
	if (t->failures.len > TAP_LIST_MAX) {
		if (!t->failures_cut)
			strbuf_adds(&t->failures, ", ...");
		t->failures_cut = 1;
		return;
	}
	strbuf_addf(&t->failures, "%s#%ld%s%.*s%s", t->failures.len ? ", " : "", num,
		    l->desc_len ? " " : "", (int)(l->desc_len > 80 ? 80 : l->desc_len), l->desc,
		    l->ok ? " (TODO, but passed)" : "");
}

static void tap_on_result(struct tap_stream *t, const struct tap_line *l)
{
	long num;
	int bad;

	if (t->plan_late && !t->late_test) {
		tap_error(t, "a test point after the plan at the end");
		t->late_test = 1;
	}
	num = ++t->count;
	if (l->number >= 0 && l->number != num) {
		char what[96];
		snprintf(what, sizeof(what), "test point %ld where %ld was due", l->number, num);
		tap_error(t, what);
		num = l->number;
	}
	bad = l->directive == TAP_DIR_TODO ? l->ok : !l->ok;
	t->skipped += l->ok && l->directive == TAP_DIR_SKIP;
	if (bad) {
		t->bad++;
		tap_note_failure(t, l, num);
	}
}

static void tap_on_plan(struct tap_stream *t, const struct tap_line *l)
{
	if (t->planned >= 0) {
		tap_error(t, "more than one plan");
		return;
	}
	t->planned = l->number;
	t->plan_late = t->count > 0;
	t->plan_skip = l->number == 0;
	if (l->directive == TAP_DIR_SKIP) {
		if (l->number > 0)
			tap_error(t, "a SKIP plan with test points");
		t->plan_skip = 1;
		strbuf_reset(&t->bail);   /* the reason, for the message */
		strbuf_add(&t->bail, l->reason, l->reason_len);
	} else if (l->directive == TAP_DIR_TODO) {
		tap_error(t, "a TODO plan");
	}
}

void tap_stream_line(struct tap_stream *t, const char *line, size_t len)
{
	struct tap_line l;

	t->lineno++;
	switch (tap_parse_line(line, len, &l)) {
	case TAP_RESULT:
		tap_on_result(t, &l);
		break;
	case TAP_PLAN:
		tap_on_plan(t, &l);
		break;
	case TAP_BAIL:
		if (!t->bailed) {
			strbuf_reset(&t->bail);
			strbuf_add(&t->bail, l.reason, l.reason_len > 200 ? 200 : l.reason_len);
		}
		t->bailed = 1;
		break;
	case TAP_VERSION:
		if (t->lineno != 1)
			tap_error(t, "the TAP version is not on the first line");
		else if (l.number < 13)
			tap_error(t, "TAP version below 13");
		break;
	case TAP_UNKNOWN:
		t->unknown++;
		break;
	case TAP_COMMENT:
		break;
	}
}

void tap_stream_feed(struct tap_stream *t, const char *buf, size_t len)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		if (!t->long_line) {
			size_t room = TAP_LINE_MAX - t->line.len;
			strbuf_add(&t->line, buf, n < room ? n : room);
			t->long_line = n >= room;
		}
		if (nl) {
			tap_stream_line(t, t->line.buf, t->line.len);
			strbuf_reset(&t->line);
			t->long_line = 0;
			n++;
		}
		buf += n;
		len -= n;
	}
}

void tap_stream_end(struct tap_stream *t)
{
	char what[96];

	if (t->ended)
		return;
	t->ended = 1;
	if (t->line.len)
		tap_stream_line(t, t->line.buf, t->line.len);
	strbuf_reset(&t->line);
	if (t->bailed || t->planned < 0 || t->count == t->planned)
		return;
	snprintf(what, sizeof(what), "too %s test points (planned %ld, ran %ld)",
		 t->count < t->planned ? "few" : "many", t->planned, t->count);
	tap_error(t, what);
}

/* What the stream alone says, into msg. */
static enum outcome tap_stream_outcome(const struct tap_stream *t, struct strbuf *msg)
{
	if (t->bad)
		strbuf_addf(msg, "%ld of %ld test points failed: %s", t->bad, t->count, t->failures.buf);
	if (t->bailed)
		strbuf_addf(msg, "%sBail out!%s%s", msg->len ? "; " : "", t->bail.len ? " " : "",
			    t->bail.buf);
	if (t->errors.len)
		strbuf_addf(msg, "%sTAP: %s", msg->len ? "; " : "", t->errors.buf);
	if (t->skipped == t->count) {
		if (!msg->len && t->plan_skip && t->bail.len)
			strbuf_addf(msg, "skipped: %s", t->bail.buf);
		else if (!msg->len)
			strbuf_adds(msg, t->count ? "every test point skipped" : "no test points");
		return OUTCOME_SKIP;
	}
	return msg->len ? OUTCOME_FAIL : OUTCOME_PASS;
}

enum outcome tap_stream_verdict(struct tap_stream *t, int status, struct strbuf *msg)
{
	struct strbuf stream = STRBUF_INIT;
	enum outcome o;
	char what[64];

	tap_stream_end(t);
	o = tap_stream_outcome(t, &stream);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		strbuf_add(msg, stream.buf, stream.len);
		strbuf_release(&stream);
		return o;
	}
	proc_describe_status(status, what, sizeof(what));
	if (o == OUTCOME_PASS || !stream.len)
		strbuf_addf(msg, "%s after %ld test point%s%s", what, t->count, t->count == 1 ? "" : "s",
			    o == OUTCOME_PASS && t->count ? ", all passed" : "");
	else
		strbuf_addf(msg, "%s; %s", what, stream.buf);
	strbuf_release(&stream);
	return WIFEXITED(status) ? OUTCOME_FAIL : OUTCOME_CRASH;
}
