/*
 * check-lines.c - reading one Check process (one TCase) for check-run.c:
 * the result lines of Check's log, and Check's own lines in its output.
 *
 * The log.  CK_LOG_FILE_NAME names the event pipe (/dev/fd/N: Check opens
 * its log by path with fopen(..., "w"), which would truncate a regular file
 * but reads a pipe as it is), and Check flushes it after every test:
 *
 *     Running suite S
 *     file:line:R:tcase:test:iteration: message
 *     Results for all suites run:
 *     N%: Checks: C, Failures: F, Errors: E
 *
 * (the last two whatever the verbosity: they say the run got to its end).
 * R is P (passed), F (failed), E (an error: "(after this point) Received
 * signal 11 (Segmentation fault)", "... Test timeout expired", "... Early
 * exit with return value 3") or S (a checked fixture failed).  A TCase
 * name may hold ':' and messages do, so a line is read by finding
 * ":R:<our tcase>:" in it, then the test name, the iteration and ": ".
 * Each result line also goes into the TCase's output, after what the test
 * printed (the worker reads the output dry before the log: child.h).
 *
 * The output.  Check prints "Running suite(s): S" first (" S" again for
 * each further suite of that name) and, when the run ends, its summary
 * "N%: Checks: ..." and the results again (the non-passing ones, or all).
 * These are left out of the output.  One of them is read: an unchecked
 * fixture's failure, "file:line:S:tcase:unchecked_setup:0: message", which
 * Check writes nowhere else (its TCase's tests then never run).
 */
#define _GNU_SOURCE
#include "check-internal.h"
#include "util.h"

#include <ctype.h>
#include <string.h>

/* Test names of a failing TCase kept for its message, at most. */
#define CK_FAILED_MAX 200

/* What follows ":R:tcase:" at p: "test:iteration: message".  1 if it parses. */
static int ck_parse_tail(const char *p, const char *end, struct ck_result *out)
{
	const char *colon = memchr(p, ':', (size_t)(end - p)), *q;

	if (!colon || colon == p)
		return 0;
	out->test = p;
	out->test_len = (size_t)(colon - p);
	for (q = colon + 1; q < end && isdigit((unsigned char)*q); q++)
		;
	if (q == colon + 1 || q + 1 >= end + 1 || q >= end || *q != ':')
		return 0;
	q++;
	if (q < end && *q == ' ')
		q++;
	out->message = q;
	out->message_len = (size_t)(end - q);
	return 1;
}

int ck_parse_result(const char *line, size_t len, const char *tcase, struct ck_result *out)
{
	const char *end = line + len, *p = line;
	size_t tl = strlen(tcase);

	while (p < end && (p = memmem(p, (size_t)(end - p), tcase, tl))) {
		const char *after = p + tl;

		if (p - line >= 3 && p[-1] == ':' && strchr("PFES", p[-2]) && p[-2] && p[-3] == ':' &&
		    after < end && *after == ':' && ck_parse_tail(after + 1, end, out)) {
			out->kind = p[-2];
			return 1;
		}
		p++;
	}
	return 0;
}

enum outcome ck_result_outcome(const struct ck_result *r)
{
	static const char after[] = "(after this point) ";
	const char *m = r->message;
	size_t n = r->message_len;

	if (r->kind == 'P')
		return OUTCOME_PASS;
	if (n >= sizeof(after) - 1 && !memcmp(m, after, sizeof(after) - 1)) {
		m += sizeof(after) - 1;
		n -= sizeof(after) - 1;
	}
	if (n >= 15 && !memcmp(m, "Received signal", 15))
		return OUTCOME_CRASH;
	if (n >= 20 && !memcmp(m, "Test timeout expired", 20))
		return OUTCOME_TIMEOUT;
	return OUTCOME_FAIL;
}

static int ck_rank(enum outcome o)
{
	return o == OUTCOME_CRASH ? 3 : o == OUTCOME_TIMEOUT ? 2 : o == OUTCOME_FAIL ? 1 : 0;
}

/* A result line of the log. */
static void ck_on_result(struct ck_run *k, const struct ck_result *r)
{
	enum outcome o = ck_result_outcome(r);

	k->results++;
	if (o == OUTCOME_PASS)
		return;
	k->failures++;
	if (ck_rank(o) > ck_rank(k->worst)) {
		k->worst = o;
		strbuf_reset(&k->message);
		strbuf_addf(&k->message, "%.*s: %.*s", (int)r->test_len, r->test, (int)r->message_len,
			    r->message);
	}
	if (k->failed.len < CK_FAILED_MAX)
		strbuf_addf(&k->failed, "%s%.*s", k->failed.len ? ", " : "", (int)r->test_len, r->test);
	else if (k->failed.buf[k->failed.len - 1] != '.')
		strbuf_adds(&k->failed, ", ...");
}

static void ck_on_log_line(struct ck_run *k, const char *line, size_t len)
{
	static const char end[] = "Results for all suites run:";
	struct ck_result r;

	if (len == sizeof(end) - 1 && !memcmp(line, end, len))
		k->summary = 1;
	if (len > 14 && !memcmp(line, "Running suite ", 14))
		k->suite_ran = 1;
	if (!ck_parse_result(line, len, k->tcase, &r))
		return;
	ck_on_result(k, &r);
	capture_add(&k->t.out, line, len);
	capture_add(&k->t.out, "\n", 1);
}

/* Check's summary "N%: Checks: ..." in line: where its number starts, or len. */
static size_t ck_summary_at(const char *line, size_t len)
{
	const char *p = memmem(line, len, "%: Checks: ", 11);
	size_t at;

	if (!p)
		return len;
	for (at = (size_t)(p - line); at > 0 && isdigit((unsigned char)line[at - 1]); at--)
		;
	return at < (size_t)(p - line) ? at : len;
}

/* A line of the output (raw: its newline included when it had one). */
static void ck_on_out_line(struct ck_run *k, const char *raw, size_t rawlen)
{
	size_t len = rawlen, at;
	struct ck_result r;

	while (len && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
		len--;
	if ((len >= 17 && !memcmp(raw, "Running suite(s):", 17)) ||
	    (len == strlen(k->suite) + 1 && raw[0] == ' ' && !memcmp(raw + 1, k->suite, len - 1)))
		return;
	if ((at = ck_summary_at(raw, len)) < len) {
		capture_add(&k->t.out, raw, at);
		return;
	}
	if (ck_parse_result(raw, len, k->tcase, &r)) {
		if (!k->unchecked.len && r.test_len == 15 && !memcmp(r.test, "unchecked_setup", 15))
			strbuf_addf(&k->unchecked, "unchecked_setup: %.*s", (int)r.message_len, r.message);
		return;
	}
	capture_add(&k->t.out, raw, rawlen);
}

/* Split buf into lines for on_line, keeping a partial one in sb (overlong ones go out whole). */
static void ck_lines(struct ck_run *k, struct strbuf *sb, int *overlong, const char *buf, size_t len,
		     void (*on_line)(struct ck_run *, const char *, size_t), int out)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) + 1 : len;

		if (*overlong || sb->len + n > CK_LINE_MAX) {
			if (out) {
				capture_add(&k->t.out, sb->buf, sb->len);
				capture_add(&k->t.out, buf, n);
			}
			strbuf_reset(sb);
			*overlong = !nl;
		} else {
			strbuf_add(sb, buf, n);
			if (nl) {
				on_line(k, sb->buf, out ? sb->len : sb->len - 1);
				strbuf_reset(sb);
			}
		}
		buf += n;
		len -= n;
	}
}

static void ck_child_output(void *data, const char *buf, size_t len)
{
	struct ck_run *k = data;

	ck_lines(k, &k->out_line, &k->out_long, buf, len, ck_on_out_line, 1);
}

static void ck_child_events(void *data, const char *buf, size_t len)
{
	struct ck_run *k = data;

	ck_lines(k, &k->log_line, &k->log_long, buf, len, ck_on_log_line, 0);
}

const struct child_ops ck_ops = { .on_output = ck_child_output, .on_events = ck_child_events };

void ck_flush(struct ck_run *k)
{
	if (k->out_line.len)
		ck_on_out_line(k, k->out_line.buf, k->out_line.len);
	if (k->log_line.len)
		ck_on_log_line(k, k->log_line.buf, k->log_line.len);
	strbuf_reset(&k->out_line);
	strbuf_reset(&k->log_line);
}
