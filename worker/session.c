/*
 * session.c - START/RESULT reporting and per-invocation bookkeeping; see
 * session.h.
 */
#include "child.h"
#include "session.h"
#include "sanitizer.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void wtest_init(struct wtest *t)
{
	memset(t, 0, sizeof(*t));
	t->index = -1;
	strbuf_init(&t->message, 0);
	capture_init(&t->out, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
}

void wtest_release(struct wtest *t)
{
	strbuf_release(&t->message);
	capture_release(&t->out);
}

static int session_rank(enum outcome o)
{
	static const int rank[OUTCOME__COUNT] = {
		[OUTCOME_PASS] = 0, [OUTCOME_SKIP] = 1, [OUTCOME_NOTRUN] = 1,
		[OUTCOME_FAIL] = 2, [OUTCOME_TIMEOUT] = 3, [OUTCOME_CRASH] = 4,
	};
	return (unsigned)o < OUTCOME__COUNT ? rank[o] : 0;
}

enum outcome outcome_worst(enum outcome a, enum outcome b)
{
	return session_rank(b) > session_rank(a) ? b : a;
}

/* Keep the first line of msg, without trailing blanks, at most WTEST_MESSAGE_MAX bytes. */
static void session_set_line(struct strbuf *sb, const char *msg)
{
	size_t n = strcspn(msg, "\r\n");

	if (n > WTEST_MESSAGE_MAX)
		n = WTEST_MESSAGE_MAX;
	while (n && (msg[n - 1] == ' ' || msg[n - 1] == '\t'))
		n--;
	strbuf_reset(sb);
	strbuf_add(sb, msg, n);
}

void wtest_note(struct wtest *t, enum outcome o, const char *msg)
{
	int worse = session_rank(o) > session_rank(t->outcome);

	if (!worse && (session_rank(o) < session_rank(t->outcome) || t->message.len))
		return;
	t->outcome = o;
	if (msg && *msg)
		session_set_line(&t->message, msg);
	else if (worse)
		strbuf_reset(&t->message);
}

int wtest_sanitizer(struct wtest *t)
{
	struct strbuf out = STRBUF_INIT, msg = STRBUF_INIT;
	int found;

	capture_render(&t->out, &out);
	found = sanitizer_report(out.buf, out.len, &msg);
	if (found && t->outcome != OUTCOME_TIMEOUT) {
		if (session_rank(t->outcome) < session_rank(OUTCOME_FAIL))
			t->outcome = OUTCOME_FAIL;
		session_set_line(&t->message, msg.buf);
	}
	strbuf_release(&out);
	strbuf_release(&msg);
	return found;
}

void wtest_usage(struct wtest *t, const struct child *c, int single)
{
	if (!c->reaped)
		return;
	t->rss_kb = (uint64_t)c->ru.ru_maxrss;
	if (!single)
		return;
	t->cpu_us = proc_cpu_us(&c->ru);
}

void session_init(struct session *s, int fd, const struct proto_run *run)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->unit = run->unit;
	s->timeout_ms = run->timeout_ms;
	strbuf_init(&s->error, 0);
	strbuf_init(&s->out, 0);
	s->start_index = -1;
}

void session_release(struct session *s)
{
	free(s->reported);
	strbuf_release(&s->error);
	strbuf_release(&s->out);
}

void session_begin(struct session *s, uint32_t index, uint32_t base,
		   const struct proto_invocation *inv)
{
	s->inv = index;
	s->base = base;
	s->ntests = inv->ntests;
	s->timeouts_ms = inv->timeouts_ms;
	free(s->reported);
	s->reported = xcalloc(s->ntests ? s->ntests : 1, 1);
	s->tests_ns = 0;
	strbuf_reset(&s->error);
	s->active = NULL;
	s->start_index = -1;
}

uint64_t session_timeout_ms(const struct session *s, int index)
{
	if (s->timeouts_ms && index >= 0 && (size_t)index < s->ntests)
		return s->timeouts_ms[index];
	return s->timeout_ms;
}

uint64_t session_max_timeout_ms(const struct session *s)
{
	uint64_t max = 0;

	if (!s->timeouts_ms)
		return s->timeout_ms;
	for (size_t i = 0; i < s->ntests; i++) {
		if (!s->timeouts_ms[i])
			return 0;
		if (s->timeouts_ms[i] > max)
			max = s->timeouts_ms[i];
	}
	return max;
}

/* Frames queued past this are written at once. */
#define SESSION_OUT_MAX 65536

int session_flush(struct session *s)
{
	int failed;

	/* once told to stop, report nothing: tests cut short were not run */
	if (s->broken || child_stop_requested || !s->out.len) {
		strbuf_reset(&s->out);
		s->start_index = -1;
		return s->broken ? -1 : 0;
	}
	failed = proto_write_all(s->fd, s->out.buf, s->out.len) != 0;
	strbuf_reset(&s->out);
	s->start_index = -1;
	if (!failed)
		return 0;
	fprintf(stderr, "balrun-worker: sending to the coordinator: %s\n", strerror(errno));
	s->broken = 1;
	if (s->active)
		child_abandon(s->active);
	return -1;
}

void session_idle(void *data)
{
	session_flush(data);
}

static void session_send(struct session *s, const struct proto_msg *m)
{
	s->start_index = -1;	/* a START is replaced only while it is the last frame */
	if (s->broken || child_stop_requested)
		return;
	proto_encode(&s->out, m);
	if (s->out.len >= SESSION_OUT_MAX)
		session_flush(s);
}

int session_seen(const struct session *s, int index)
{
	return index >= 0 && (size_t)index < s->ntests && s->reported[index];
}

void session_start(struct session *s, struct wtest *t, int index)
{
	struct proto_msg m = { .type = PROTO_START };

	t->index = -1;
	if (index < 0 || (size_t)index >= s->ntests || s->reported[index])
		return;
	s->reported[index] = 1;
	t->index = index;
	t->outcome = OUTCOME_PASS;
	strbuf_reset(&t->message);
	capture_reset(&t->out);
	t->duration_ns = t->cpu_us = t->rss_kb = 0;
	m.u.start.unit = s->unit;
	m.u.start.test = s->base + (uint32_t)index;
	s->start_at = s->out.len;
	session_send(s, &m);
	s->start_index = s->out.len > s->start_at ? index : -1;
}

void session_result(struct session *s, struct wtest *t)
{
	struct proto_msg m = { .type = PROTO_RESULT };
	struct strbuf out = STRBUF_INIT;

	if (t->index < 0)
		return;
	/*
	 * A START still queued right before this RESULT tells the coordinator
	 * nothing: the test is over before it could read it (docs/protocol.md).
	 * Trivial tests start and end between two writes: half the frames.
	 */
	if (s->start_index == t->index && s->out.len >= s->start_at)
		strbuf_setlen(&s->out, s->start_at);
	s->start_index = -1;
	capture_render(&t->out, &out);
	m.u.result = (struct proto_result){
		.unit = s->unit, .test = s->base + (uint32_t)t->index,
		.outcome = t->outcome, .duration_us = t->duration_ns / 1000,
		.cpu_us = t->cpu_us, .rss_kb = t->rss_kb, .message = t->message.buf,
		.output = out.buf, .output_len = out.len,
		.output_dropped = capture_dropped(&t->out),
	};
	session_send(s, &m);
	s->tests_ns += t->duration_ns;
	strbuf_release(&out);
	t->index = -1;
}

void session_fault(struct session *s, enum fault_where where, int64_t group, enum outcome o,
		   const char *msg, const struct capture *out)
{
	struct proto_msg m = { .type = PROTO_FAULT };
	struct strbuf text = STRBUF_INIT, line = STRBUF_INIT;

	if (out)
		capture_render(out, &text);
	session_set_line(&line, msg);
	m.u.fault = (struct proto_fault){
		.unit = s->unit, .inv = s->inv, .where = where, .group = group, .outcome = o,
		.message = line.buf, .output = text.buf, .output_len = text.len,
		.output_dropped = out ? capture_dropped(out) : 0,
	};
	session_send(s, &m);
	strbuf_release(&text);
	strbuf_release(&line);
}

void session_error(struct session *s, const char *fmt, ...)
{
	struct strbuf line = STRBUF_INIT;
	va_list ap;

	if (s->error.len)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	session_set_line(&s->error, line.buf);
	strbuf_release(&line);
}
