/*
 * test_worker_session.c - worker/session.c: which frames leave the worker.
 * A START still queued when its test's RESULT follows is dropped (half the
 * frames for trivial tests); one already written, or followed by another
 * frame, is kept, so the coordinator always learns which test runs while
 * it runs.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <unistd.h>

#include "proto.h"
#include "session.h"

TestSuite(session);

struct pipe_session {
	int fd[2];
	struct session s;
	struct wtest t;
	struct proto_invocation inv;
};

static void ps_open(struct pipe_session *p)
{
	struct proto_run run = { .unit = 4, .timeout_ms = 0 };

	cr_assert_eq(pipe(p->fd), 0);
	fcntl(p->fd[0], F_SETFL, O_NONBLOCK);
	session_init(&p->s, p->fd[1], &run);
	memset(&p->inv, 0, sizeof(p->inv));
	p->inv.ntests = 3;
	session_begin(&p->s, 0, 10, &p->inv);
	wtest_init(&p->t);
}

/* The frame types written so far, as letters (S, R, F), in order. */
static void ps_frames(struct pipe_session *p, char *out, size_t len)
{
	struct proto_reader *r = proto_reader_new();
	char err[200];
	size_t n = 0;

	cr_assert_eq(session_flush(&p->s), 0);
	if (proto_reader_fill(r, p->fd[0], err, sizeof(err)) == PROTO_ERROR)
		cr_assert_fail("%s", err);
	for (;;) {
		struct proto_msg m;

		if (proto_reader_next(r, &m, err, sizeof(err)) != PROTO_OK)
			break;
		cr_assert_lt(n + 1, len);
		out[n++] = m.type == PROTO_START ? 'S' : m.type == PROTO_RESULT ? 'R'
			   : m.type == PROTO_FAULT ? 'F' : '?';
		if (m.type == PROTO_RESULT)
			cr_assert_eq(m.u.result.unit, 4);
		proto_msg_release(&m);
	}
	out[n] = 0;
	proto_reader_free(r);
}

static void ps_close(struct pipe_session *p)
{
	wtest_release(&p->t);
	session_release(&p->s);
	close(p->fd[0]);
	close(p->fd[1]);
}

Test(session, a_result_replaces_its_queued_start)
{
	struct pipe_session p;
	char frames[16];

	ps_open(&p);
	for (int i = 0; i < 3; i++) {
		session_start(&p.s, &p.t, i);
		session_result(&p.s, &p.t);
	}
	ps_frames(&p, frames, sizeof(frames));
	cr_assert_str_eq(frames, "RRR");
	ps_close(&p);
}

Test(session, a_start_already_written_stays)
{
	struct pipe_session p;
	char frames[16];

	ps_open(&p);
	session_start(&p.s, &p.t, 0);
	session_flush(&p.s);	/* the worker waits for the test: START is out */
	session_result(&p.s, &p.t);
	session_start(&p.s, &p.t, 1);
	ps_frames(&p, frames, sizeof(frames));
	cr_assert_str_eq(frames, "SRS");
	ps_close(&p);
}

Test(session, a_start_followed_by_another_frame_stays)
{
	struct pipe_session p;
	char frames[16];

	ps_open(&p);
	session_start(&p.s, &p.t, 0);
	session_fault(&p.s, FAULT_AFTER, -1, OUTCOME_FAIL, "something outside", NULL);
	session_result(&p.s, &p.t);
	session_start(&p.s, &p.t, 1);
	session_result(&p.s, &p.t);
	ps_frames(&p, frames, sizeof(frames));
	cr_assert_str_eq(frames, "SFRR");
	ps_close(&p);
}
