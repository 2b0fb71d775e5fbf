/*
 * test_proto.c - unit tests of the coordinator <-> worker protocol
 * (common/proto.c, common/proto-stream.c).
 *
 * Round trips of every message type with edge values; one stream of several
 * frames fed byte by byte, all at once and through a pipe; every truncation
 * of a valid frame; and a table of hostile frames, each of which must be
 * refused with PROTO_ERROR and a message (run under ASan to see that none of
 * them crashes or leaks).  Hand-made frames are built with msgpack's packer.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <msgpack.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "util.h"

TestSuite(proto, .timeout = 60);
TestSuite(proto_reject, .timeout = 60);

/* ---- helpers ---- */

static int sb_write(void *data, const char *buf, size_t len)
{
	strbuf_add(data, buf, len);
	return 0;
}

/* Decode exactly one message from bytes; fail the test otherwise. */
static void decode_one(const struct strbuf *frame, struct proto_msg *out)
{
	struct proto_reader *r = proto_reader_new();
	char err[256] = "";

	cr_assert_eq(proto_reader_feed(r, frame->buf, frame->len, err, sizeof(err)), PROTO_OK, "%s", err);
	cr_assert_eq(proto_reader_next(r, out, err, sizeof(err)), PROTO_OK, "%s", err);
	struct proto_msg extra;
	cr_assert_eq(proto_reader_next(r, &extra, err, sizeof(err)), PROTO_AGAIN);
	proto_reader_free(r);
}

/* Encode, decode, and check the decoded message encodes to the same bytes. */
static void roundtrip(const struct proto_msg *in, struct proto_msg *out)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	proto_encode(&a, in);
	decode_one(&a, out);
	cr_assert_eq(out->type, in->type);
	proto_encode(&b, out);
	cr_assert_eq(a.len, b.len);
	cr_assert(!memcmp(a.buf, b.buf, a.len), "re-encoding differs");
	strbuf_release(&a);
	strbuf_release(&b);
}

/* Expect frame to be refused with a message containing want. */
static void expect_error(const struct strbuf *frame, const char *want)
{
	struct proto_reader *r = proto_reader_new();
	struct proto_msg m;
	char err[256] = "";
	enum proto_status st = proto_reader_feed(r, frame->buf, frame->len, err, sizeof(err));

	if (st == PROTO_OK)
		st = proto_reader_next(r, &m, err, sizeof(err));
	cr_assert_eq(st, PROTO_ERROR, "accepted a frame that should fail with '%s'", want);
	cr_assert(strstr(err, want), "error '%s' does not mention '%s'", err, want);
	cr_assert(!strchr(err, '\n'), "error is more than one line: '%s'", err);
	err[0] = '\0';
	cr_assert_eq(proto_reader_next(r, &m, err, sizeof(err)), PROTO_ERROR, "reader usable after an error");
	cr_assert_neq(err[0], '\0');
	proto_reader_free(r);
}

static struct proto_msg sample_start(uint32_t unit, uint32_t test)
{
	struct proto_msg m = { .type = PROTO_START };
	m.u.start.unit = unit;
	m.u.start.test = test;
	return m;
}

/* ---- round trips ---- */

Test(proto, hello_roundtrip_with_extreme_pids)
{
	int64_t pids[] = { INT64_MIN, -1, 0, INT64_MAX };

	for (size_t i = 0; i < ARRAY_SIZE(pids); i++) {
		struct proto_msg in = { .type = PROTO_HELLO }, out;
		in.u.hello = (struct proto_hello){ PROTO_VERSION, UINT32_MAX, pids[i] };
		roundtrip(&in, &out);
		cr_assert_eq(out.u.hello.version, PROTO_VERSION);
		cr_assert_eq(out.u.hello.worker_id, UINT32_MAX);
		cr_assert_eq(out.u.hello.pid, pids[i]);
		proto_msg_release(&out);
	}
}

Test(proto, run_roundtrip_with_many_tests_and_empty_strings)
{
	enum { NTESTS = 5000 };
	char *many[NTESTS], *one[] = { "" };
	struct proto_invocation inv[3] = {
		{ .binary = "/bin/crit", .framework = "criterion", .tests = many, .ntests = NTESTS, .preload = "" },
		{ .binary = "", .framework = "plain", .tests = one, .ntests = 1, .preload = "" },
		{ .binary = "/bin/cm", .framework = "cmocka", .preload = "/usr/lib/libasan.so.8:/x/balrun-preload.so" },
	};
	struct proto_msg in = { .type = PROTO_RUN }, out;

	for (int i = 0; i < NTESTS; i++)
		many[i] = xasprintf("suite%d/test_%d", i % 7, i);
	in.u.run = (struct proto_run){ UINT32_MAX, 0, inv, 3 };
	roundtrip(&in, &out);
	cr_assert_eq(out.u.run.unit, UINT32_MAX);
	cr_assert_eq(out.u.run.timeout_ms, 0);
	cr_assert_eq(out.u.run.ninv, 3);
	cr_assert_eq(out.u.run.inv[0].ntests, NTESTS);
	cr_assert_str_eq(out.u.run.inv[0].tests[4321], many[4321]);
	cr_assert_str_eq(out.u.run.inv[0].framework, "criterion");
	cr_assert_str_eq(out.u.run.inv[1].binary, "");
	cr_assert_str_eq(out.u.run.inv[1].tests[0], "");
	cr_assert_str_eq(out.u.run.inv[2].framework, "cmocka");
	cr_assert_eq(out.u.run.inv[2].ntests, 0);
	cr_assert_str_eq(out.u.run.inv[2].preload, inv[2].preload);
	proto_msg_release(&out);
	for (int i = 0; i < NTESTS; i++)
		free(many[i]);
}

/* timeouts_ms is optional: sent only when set, and then one per test. */
Test(proto, run_per_test_timeouts_are_optional)
{
	char *tests[] = { "s/a", "s/b" };
	uint64_t limits[] = { 1500, 0 };
	struct proto_invocation inv[2] = {
		{ .binary = "/bin/crit", .framework = "criterion", .tests = tests, .ntests = 2, .preload = "",
		  .timeouts_ms = limits },
		{ .binary = "/bin/plain", .framework = "plain", .tests = tests, .ntests = 1, .preload = "" },
	};
	struct proto_msg in = { .type = PROTO_RUN }, out;
	struct strbuf frame = STRBUF_INIT;

	in.u.run = (struct proto_run){ 1, 250, inv, 2 };
	roundtrip(&in, &out);
	cr_assert_eq(out.u.run.timeout_ms, 250);
	cr_assert_not_null(out.u.run.inv[0].timeouts_ms);
	cr_assert_eq(out.u.run.inv[0].timeouts_ms[0], 1500);
	cr_assert_eq(out.u.run.inv[0].timeouts_ms[1], 0);
	cr_assert_null(out.u.run.inv[1].timeouts_ms);
	proto_msg_release(&out);
	/* not set: not on the wire at all, so a version 1 peer sees the RUN it knows */
	in.u.run = (struct proto_run){ 1, 250, &inv[1], 1 };
	proto_encode(&frame, &in);
	cr_assert_null(memmem(frame.buf, frame.len, "timeouts_ms", 11));
	strbuf_release(&frame);
}

Test(proto, start_and_bye_roundtrip)
{
	struct proto_msg in = sample_start(7, UINT32_MAX), out;

	roundtrip(&in, &out);
	cr_assert_eq(out.u.start.unit, 7);
	cr_assert_eq(out.u.start.test, UINT32_MAX);
	proto_msg_release(&out);
	in = (struct proto_msg){ .type = PROTO_BYE };
	roundtrip(&in, &out);
	proto_msg_release(&out);
}

/* PREPARE: a RUN's fields under its own type, an invocation with no tests. */
Test(proto, prepare_roundtrip_with_an_invocation_of_no_tests)
{
	char *args[] = { "--verbose" };
	struct proto_invocation inv = {
		.binary = "/bin/t", .framework = "criterion", .preload = "/lib/shim.so",
		.args = args, .nargs = 1, .cwd = "/tmp", .results = "",
	};
	struct proto_msg in = { .type = PROTO_PREPARE }, out;

	in.u.run = (struct proto_run){ 0, 1500, &inv, 1 };
	roundtrip(&in, &out);
	cr_assert_eq(out.type, PROTO_PREPARE);
	cr_assert_eq(out.u.run.timeout_ms, 1500);
	cr_assert_eq(out.u.run.ninv, 1);
	cr_assert_eq(out.u.run.inv[0].ntests, 0);
	cr_assert_null(out.u.run.inv[0].ordinals);
	cr_assert_str_eq(out.u.run.inv[0].binary, "/bin/t");
	cr_assert_str_eq(out.u.run.inv[0].preload, "/lib/shim.so");
	cr_assert_str_eq(out.u.run.inv[0].args[0], "--verbose");
	cr_assert_str_eq(out.u.run.inv[0].cwd, "/tmp");
	proto_msg_release(&out);
}

Test(proto, result_roundtrip_keeps_nul_bytes_and_max_values)
{
	static const char output[] = "line one\n\0\0binary\xff\0tail";
	struct proto_msg in = { .type = PROTO_RESULT }, out;

	for (int o = 0; o < OUTCOME__WIRE; o++) {
		in.u.result = (struct proto_result){
			.unit = 1, .test = 2, .outcome = o, .duration_us = UINT64_MAX,
			.cpu_us = 0, .rss_kb = 123456789, .message = "killed by SIGSEGV",
			.output = (char *)output, .output_len = sizeof(output),
			.output_dropped = UINT64_MAX - 1,
		};
		roundtrip(&in, &out);
		cr_assert_eq(out.u.result.outcome, (enum outcome)o);
		cr_assert_eq(out.u.result.duration_us, UINT64_MAX);
		cr_assert_eq(out.u.result.rss_kb, 123456789);
		cr_assert_eq(out.u.result.output_dropped, UINT64_MAX - 1);
		cr_assert_str_eq(out.u.result.message, "killed by SIGSEGV");
		cr_assert_eq(out.u.result.output_len, sizeof(output));
		cr_assert(!memcmp(out.u.result.output, output, sizeof(output)));
		proto_msg_release(&out);
	}
	in.u.result.output = NULL;
	in.u.result.output_len = 0;
	in.u.result.message = "";
	roundtrip(&in, &out);
	cr_assert_eq(out.u.result.output_len, 0);
	cr_assert_str_eq(out.u.result.output, "");
	cr_assert_str_eq(out.u.result.message, "");
	proto_msg_release(&out);
}

Test(proto, done_roundtrip_with_and_without_invocations)
{
	uint64_t over[] = { 0, UINT64_MAX, 5 }, wall[] = { 7, 8, 9 }, cpu[] = { 1, 0, UINT64_MAX };
	char *errors[] = { "", "exit 3 before any test ran: bad filter", "" };
	struct proto_msg in = { .type = PROTO_DONE }, out;

	in.u.done = (struct proto_done){ 9, 1000, over, errors, 3, wall, cpu };
	roundtrip(&in, &out);
	cr_assert_eq(out.u.done.ninv, 3);
	cr_assert_eq(out.u.done.overhead_us[1], UINT64_MAX);
	cr_assert_str_eq(out.u.done.errors[1], errors[1]);
	cr_assert_eq(out.u.done.inv_wall_us[2], 9);
	cr_assert_eq(out.u.done.cpu_us[2], UINT64_MAX);
	proto_msg_release(&out);
	in.u.done = (struct proto_done){ 9, 0, NULL, NULL, 0, NULL, NULL };
	roundtrip(&in, &out);
	cr_assert_eq(out.u.done.ninv, 0);
	proto_msg_release(&out);
	cr_assert_eq(out.type, 0, "release did not reset the message");
}

/* ---- streams ---- */

/* Three frames back to back: START 0..2 of unit 4. */
static void three_frames(struct strbuf *sb)
{
	for (uint32_t i = 0; i < 3; i++) {
		struct proto_msg m = sample_start(4, i);
		proto_encode(sb, &m);
	}
}

static void expect_three_starts(struct proto_reader *r)
{
	struct proto_msg m;
	char err[256];

	for (uint32_t i = 0; i < 3; i++) {
		cr_assert_eq(proto_reader_next(r, &m, err, sizeof(err)), PROTO_OK, "frame %u: %s", i, err);
		cr_assert_eq(m.type, PROTO_START);
		cr_assert_eq(m.u.start.test, i);
		proto_msg_release(&m);
	}
	cr_assert_eq(proto_reader_next(r, &m, err, sizeof(err)), PROTO_AGAIN);
}

Test(proto, stream_fed_all_at_once)
{
	struct strbuf sb = STRBUF_INIT;
	struct proto_reader *r = proto_reader_new();
	char err[256];

	three_frames(&sb);
	cr_assert_eq(proto_reader_feed(r, sb.buf, sb.len, err, sizeof(err)), PROTO_OK);
	expect_three_starts(r);
	proto_reader_free(r);
	strbuf_release(&sb);
}

Test(proto, stream_fed_byte_by_byte)
{
	struct strbuf sb = STRBUF_INIT;
	struct proto_reader *r = proto_reader_new();
	struct proto_msg m;
	char err[256];
	uint32_t seen = 0;

	three_frames(&sb);
	for (size_t i = 0; i < sb.len; i++) {
		cr_assert_eq(proto_reader_feed(r, sb.buf + i, 1, err, sizeof(err)), PROTO_OK, "%s", err);
		enum proto_status st = proto_reader_next(r, &m, err, sizeof(err));
		cr_assert(st == PROTO_OK || st == PROTO_AGAIN, "byte %zu: %s", i, err);
		if (st == PROTO_OK) {
			cr_assert_eq(m.u.start.test, seen++);
			proto_msg_release(&m);
		}
	}
	cr_assert_eq(seen, 3);
	proto_reader_free(r);
	strbuf_release(&sb);
}

Test(proto, stream_through_a_pipe_ends_with_eof)
{
	struct strbuf sb = STRBUF_INIT;
	struct proto_reader *r = proto_reader_new();
	char err[256];
	int fds[2];

	three_frames(&sb);
	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write_full(fds[1], sb.buf, sb.len), 0);
	close(fds[1]);
	cr_assert_eq(proto_reader_fill(r, fds[0], err, sizeof(err)), PROTO_OK);
	expect_three_starts(r);
	cr_assert_eq(proto_reader_fill(r, fds[0], err, sizeof(err)), PROTO_EOF);
	close(fds[0]);
	proto_reader_free(r);
	strbuf_release(&sb);
}

Test(proto, fill_on_an_empty_nonblocking_pipe_is_again)
{
	struct proto_reader *r = proto_reader_new();
	char err[256];
	int fds[2];

	cr_assert_eq(pipe2(fds, O_NONBLOCK), 0);
	cr_assert_eq(proto_reader_fill(r, fds[0], err, sizeof(err)), PROTO_AGAIN);
	close(fds[0]);
	close(fds[1]);
	proto_reader_free(r);
}

/* Every proper prefix of a frame waits for more, and EOF after it is an error. */
Test(proto, every_truncation_waits_then_eof_is_an_error)
{
	char *tests[] = { "s/a", "s/b" };
	uint64_t limits[] = { 5000, 0 };
	struct proto_invocation inv = { .binary = "/bin/t", .framework = "criterion", .tests = tests,
					.ntests = 2, .preload = "", .timeouts_ms = limits };
	struct proto_msg in = { .type = PROTO_RUN };
	struct strbuf sb = STRBUF_INIT;

	in.u.run = (struct proto_run){ 3, 1000, &inv, 1 };
	proto_encode(&sb, &in);
	for (size_t len = 1; len < sb.len; len++) {
		struct proto_reader *r = proto_reader_new();
		struct proto_msg m;
		char err[256] = "";
		int fds[2];

		cr_assert_eq(pipe(fds), 0);
		cr_assert_eq(write_full(fds[1], sb.buf, len), 0);
		close(fds[1]);
		cr_assert_eq(proto_reader_fill(r, fds[0], err, sizeof(err)), PROTO_OK);
		cr_assert_eq(proto_reader_next(r, &m, err, sizeof(err)), PROTO_AGAIN, "prefix %zu", len);
		cr_assert_eq(proto_reader_fill(r, fds[0], err, sizeof(err)), PROTO_ERROR, "prefix %zu", len);
		cr_assert(strstr(err, "end of stream"), "%s", err);
		close(fds[0]);
		proto_reader_free(r);
	}
	strbuf_release(&sb);
}

/* A writer thread for proto_send on a non-blocking pipe. */
struct send_job {
	int fd;
	const struct proto_msg *m;
	int ret;
};

static void *send_thread(void *arg)
{
	struct send_job *j = arg;
	j->ret = proto_send(j->fd, j->m);
	close(j->fd);
	return NULL;
}

Test(proto, send_waits_on_a_full_nonblocking_pipe)
{
	size_t big = 3u << 20;   /* far more than a pipe holds */
	struct proto_msg in = { .type = PROTO_RESULT }, out;
	struct proto_reader *r = proto_reader_new();
	struct send_job job;
	pthread_t th;
	enum proto_status st;
	char err[256];
	int fds[2];

	in.u.result = (struct proto_result){ .unit = 1, .message = "", .output = xmalloc(big),
					     .output_len = big };
	memset(in.u.result.output, 'x', big);
	cr_assert_eq(pipe2(fds, O_NONBLOCK), 0);
	job = (struct send_job){ fds[1], &in, -1 };
	cr_assert_eq(pthread_create(&th, NULL, send_thread, &job), 0);
	cr_assert_eq(set_nonblock(fds[0], 0), 0);
	while ((st = proto_reader_fill(r, fds[0], err, sizeof(err))) == PROTO_OK &&
	       (st = proto_reader_next(r, &out, err, sizeof(err))) == PROTO_AGAIN)
		;
	cr_assert_eq(st, PROTO_OK, "%s", err);
	pthread_join(th, NULL);
	cr_assert_eq(job.ret, 0);
	cr_assert_eq(out.u.result.output_len, big);
	cr_assert(!memcmp(out.u.result.output, in.u.result.output, big));
	proto_msg_release(&out);
	free(in.u.result.output);
	close(fds[0]);
	proto_reader_free(r);
}

Test(proto, send_to_a_closed_pipe_fails_with_epipe)
{
	struct proto_msg m = sample_start(1, 1);
	int fds[2];

	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(pipe(fds), 0);
	close(fds[0]);
	cr_assert_eq(proto_send(fds[1], &m), -1);
	cr_assert_eq(errno, EPIPE);
	close(fds[1]);
}

/* ---- hostile frames ---- */

struct frame {
	struct strbuf sb;
	msgpack_packer pk;
};

static void frame_init(struct frame *f)
{
	strbuf_init(&f->sb, 0);
	msgpack_packer_init(&f->pk, &f->sb, sb_write);
}

static void pk_str(struct frame *f, const char *s)
{
	msgpack_pack_str_with_body(&f->pk, s, strlen(s));
}

/* One entry: key and an unsigned value. */
static void pk_uint(struct frame *f, const char *key, uint64_t v)
{
	pk_str(f, key);
	msgpack_pack_uint64(&f->pk, v);
}

/* Begin a map of n entries whose first entry is "t": type. */
static void frame_begin(struct frame *f, const char *type, size_t n)
{
	frame_init(f);
	msgpack_pack_map(&f->pk, n);
	pk_str(f, "t");
	pk_str(f, type);
}

static void expect_frame_error(struct frame *f, const char *want)
{
	expect_error(&f->sb, want);
	strbuf_release(&f->sb);
}

static void expect_raw_error(const char *bytes, size_t len, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, bytes, len);
	expect_error(&sb, want);
	strbuf_release(&sb);
}

Test(proto_reject, garbage_bytes)
{
	expect_raw_error("\xc1", 1, "invalid msgpack byte 0xc1");
	expect_raw_error("\x81\xa1t\xc1", 4, "invalid msgpack byte");
}

Test(proto_reject, frames_that_are_not_maps)
{
	expect_raw_error("\x92\x01\x02", 3, "not a map");
	expect_raw_error("\xc0", 1, "not a map");
	expect_raw_error("\xa5hello", 6, "not a map");
}

Test(proto_reject, map_without_a_string_t)
{
	struct frame f;

	frame_init(&f);
	msgpack_pack_map(&f.pk, 1);
	pk_uint(&f, "unit", 1);
	expect_frame_error(&f, "no string 't' key");
	frame_init(&f);
	msgpack_pack_map(&f.pk, 1);
	pk_uint(&f, "t", 1);
	expect_frame_error(&f, "no string 't' key");
	expect_raw_error("\x80", 1, "no string 't' key");
}

Test(proto_reject, unknown_type_is_shown_printable)
{
	struct frame f;

	frame_begin(&f, "nope", 1);
	expect_frame_error(&f, "unknown type 'nope'");
	frame_init(&f);
	msgpack_pack_map(&f.pk, 1);
	pk_str(&f, "t");
	msgpack_pack_str_with_body(&f.pk, "a\nb\0c", 5);
	expect_frame_error(&f, "unknown type 'a?b?c'");
}

/* A START frame whose "unit" is whatever pack_unit packs. */
static void start_with_unit(struct frame *f, void (*pack_unit)(msgpack_packer *))
{
	frame_begin(f, "start", 3);
	pk_uint(f, "test", 0);
	pk_str(f, "unit");
	pack_unit(&f->pk);
}

static void pack_negative(msgpack_packer *pk) { msgpack_pack_int64(pk, -1); }
static void pack_string(msgpack_packer *pk) { msgpack_pack_str_with_body(pk, "1", 1); }
static void pack_float(msgpack_packer *pk) { msgpack_pack_double(pk, 1.0); }
static void pack_too_big(msgpack_packer *pk) { msgpack_pack_uint64(pk, (uint64_t)UINT32_MAX + 1); }
static void pack_nil(msgpack_packer *pk) { msgpack_pack_nil(pk); }
static void pack_ext(msgpack_packer *pk) { msgpack_pack_ext_with_body(pk, "ab", 2, 7); }

Test(proto_reject, unsigned_fields_of_the_wrong_type_or_range)
{
	void (*packers[])(msgpack_packer *) = { pack_negative, pack_string, pack_float, pack_nil,
						 pack_ext };
	struct frame f;

	for (size_t i = 0; i < ARRAY_SIZE(packers); i++) {
		start_with_unit(&f, packers[i]);
		expect_frame_error(&f, "'unit' is not an unsigned integer");
	}
	start_with_unit(&f, pack_too_big);
	expect_frame_error(&f, "'unit' is out of range (4294967296)");
}

Test(proto_reject, missing_and_duplicate_fields)
{
	struct frame f;

	frame_begin(&f, "start", 2);
	pk_uint(&f, "unit", 0);
	expect_frame_error(&f, "decoding a 'start' message: 'test' is missing");
	frame_begin(&f, "start", 4);
	pk_uint(&f, "unit", 0);
	pk_uint(&f, "test", 0);
	pk_uint(&f, "unit", 1);
	expect_frame_error(&f, "'unit' appears twice");
	frame_begin(&f, "start", 2);
	msgpack_pack_uint32(&f.pk, 5);
	msgpack_pack_uint32(&f.pk, 0);
	expect_frame_error(&f, "a key is not a string");
}

/* A RESULT frame with everything valid except what the arguments say. */
static void result_frame(struct frame *f, uint64_t outcome, const char *msg, size_t msglen)
{
	frame_begin(f, "result", 10);
	const char *uints[] = { "unit", "test", "duration_us", "cpu_us", "rss_kb", "output_dropped" };
	for (size_t i = 0; i < ARRAY_SIZE(uints); i++)
		pk_uint(f, uints[i], 1);
	pk_uint(f, "outcome", outcome);
	pk_str(f, "message");
	msgpack_pack_str_with_body(&f->pk, msg, msglen);
	pk_str(f, "output");
	msgpack_pack_str_with_body(&f->pk, "o\0k", 3);   /* STR is accepted for output */
}

Test(proto_reject, outcome_out_of_range_and_nul_in_a_string)
{
	struct frame f;
	struct proto_msg m;

	result_frame(&f, OUTCOME__WIRE - 1, "fine", 4);
	decode_one(&f.sb, &m);
	cr_assert_eq(m.u.result.outcome, OUTCOME__WIRE - 1);
	cr_assert_eq(m.u.result.output_len, 3);
	proto_msg_release(&m);
	strbuf_release(&f.sb);
	/* FLAKY is the coordinator's verdict over several runs: no worker may send it */
	result_frame(&f, OUTCOME_FLAKY, "fine", 4);
	expect_frame_error(&f, "'outcome' is out of range (6)");
	/* nor ORDERDEP, the verdict over a run apart and a run in context */
	result_frame(&f, OUTCOME_ORDERDEP, "fine", 4);
	expect_frame_error(&f, "'outcome' is out of range (7)");
	result_frame(&f, OUTCOME__COUNT, "fine", 4);
	expect_frame_error(&f, "'outcome' is out of range (8)");
	result_frame(&f, UINT64_MAX, "fine", 4);
	expect_frame_error(&f, "'outcome' is out of range");
	result_frame(&f, 0, "bad\0one", 7);
	expect_frame_error(&f, "'message' holds a NUL byte");
}

/* A RUN frame with one invocation of the given framework (NULL: an integer instead) and tests packed by fn. */
static void run_frame(struct frame *f, const char *framework, void (*pack_tests)(msgpack_packer *))
{
	frame_begin(f, "run", 4);
	pk_uint(f, "unit", 1);
	pk_uint(f, "timeout_ms", 0);
	pk_str(f, "inv");
	msgpack_pack_array(&f->pk, 1);
	msgpack_pack_map(&f->pk, 5);
	pk_str(f, "binary");
	pk_str(f, "/bin/t");
	if (framework) {
		pk_str(f, "framework");
		pk_str(f, framework);
	} else {
		pk_uint(f, "framework", 1);
	}
	pk_str(f, "preload");
	pk_str(f, "");
	pk_str(f, "tests");
	pack_tests(&f->pk);
	pk_str(f, "future_field");   /* unknown keys are ignored */
	msgpack_pack_array(&f->pk, 2);
	msgpack_pack_map(&f->pk, 0);
	msgpack_pack_double(&f->pk, 2.5);
}

static void pack_two_tests(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_str_with_body(pk, "s/a", 3);
	msgpack_pack_str_with_body(pk, "s/b", 3);
}

static void pack_test_then_int(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 3);
	msgpack_pack_str_with_body(pk, "s/a", 3);
	msgpack_pack_str_with_body(pk, "s/b", 3);
	msgpack_pack_int(pk, 3);
}

Test(proto_reject, run_with_bad_framework_or_bad_test_name)
{
	struct frame f;
	struct proto_msg m;

	run_frame(&f, "cmocka", pack_two_tests);
	decode_one(&f.sb, &m);   /* the valid version, with an unknown key */
	cr_assert_str_eq(m.u.run.inv[0].framework, "cmocka");
	cr_assert_str_eq(m.u.run.inv[0].tests[1], "s/b");
	proto_msg_release(&m);
	strbuf_release(&f.sb);
	run_frame(&f, NULL, pack_two_tests);
	expect_frame_error(&f, "'framework' is not a string");
	run_frame(&f, "plain", pack_test_then_int);
	expect_frame_error(&f, "'tests' is not a string");
	run_frame(&f, "plain", pack_nil);
	expect_frame_error(&f, "'tests' is not an array");
}

Test(proto_reject, done_with_arrays_of_different_lengths)
{
	struct frame f;

	frame_begin(&f, "done", 5);
	pk_uint(&f, "unit", 1);
	pk_uint(&f, "wall_us", 1);
	pk_str(&f, "errors");
	msgpack_pack_array(&f.pk, 2);
	pk_str(&f, "");
	pk_str(&f, "boom");
	pk_str(&f, "overhead_us");
	msgpack_pack_array(&f.pk, 1);
	msgpack_pack_uint32(&f.pk, 1);
	expect_frame_error(&f, "'overhead_us' has 1 entries, not 2");
}

Test(proto_reject, unknown_keys_are_ignored)
{
	struct frame f;
	struct proto_msg m;

	frame_begin(&f, "start", 5);
	pk_str(&f, "later");
	msgpack_pack_array(&f.pk, 3);
	msgpack_pack_nil(&f.pk);
	msgpack_pack_true(&f.pk);
	msgpack_pack_ext_with_body(&f.pk, "xyz", 3, 1);
	pk_uint(&f, "test", 8);
	pk_uint(&f, "unit", 9);
	pk_str(&f, "");
	msgpack_pack_bin_with_body(&f.pk, "\0", 1);
	decode_one(&f.sb, &m);
	cr_assert_eq(m.type, PROTO_START);
	cr_assert_eq(m.u.start.unit, 9);
	cr_assert_eq(m.u.start.test, 8);
	strbuf_release(&f.sb);
}

Test(proto_reject, oversize_declared_lengths_fail_before_the_data_arrives)
{
	/* str32, bin32 and ext32 headers claiming 4 GB, inside a map. */
	expect_raw_error("\x81\xa1t\xdb\xff\xff\xff\xff", 8, "larger than the");
	expect_raw_error("\x81\xa1t\xc6\xff\xff\xff\xff", 8, "larger than the");
	expect_raw_error("\x81\xa1t\xc9\xff\xff\xff\xff\x01", 9, "larger than the");
	/* 4G-entry array and map: refused before msgpack could allocate them. */
	expect_raw_error("\xdd\xff\xff\xff\xff", 5, "more than the limit");
	expect_raw_error("\xdf\x00\x10\x00\x01", 5, "more than the limit");
}

Test(proto_reject, deep_nesting)
{
	char deep[40];

	memset(deep, 0x91, sizeof(deep));   /* [[[[...]]]] */
	expect_raw_error(deep, sizeof(deep), "nested deeper");
}

/* Chunks of a frame that grows past the limit: refused while still partial. */
Test(proto_reject, partial_frame_beyond_the_limit)
{
	const size_t elem = 16u << 20, chunk = 1u << 20;
	struct proto_reader *r = proto_reader_new();
	char *zeros = xcalloc(1, chunk), err[256] = "";
	unsigned char hdr[6] = { 0x9f, 0xc6, elem >> 24, elem >> 16 & 0xff, elem >> 8 & 0xff,
				 elem & 0xff };   /* array of 15 bin32 of 16 MB */
	size_t fed = 0;
	enum proto_status st = proto_reader_feed(r, hdr, sizeof(hdr), err, sizeof(err));

	for (int e = 0; st == PROTO_OK && e < 15; e++) {
		if (e)
			st = proto_reader_feed(r, hdr + 1, 5, err, sizeof(err));
		for (size_t n = 0; st == PROTO_OK && n < elem; n += chunk, fed += chunk)
			st = proto_reader_feed(r, zeros, chunk, err, sizeof(err));
	}
	cr_assert_eq(st, PROTO_ERROR);
	cr_assert(strstr(err, "larger than the"), "%s", err);
	cr_assert_leq(fed, (size_t)PROTO_MAX_FRAME, "buffered %zu bytes before refusing", fed);
	free(zeros);
	proto_reader_free(r);
}
