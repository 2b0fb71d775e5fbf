/*
 * test_worker_capture.c - unit tests of the worker's bounded output capture
 * (worker/capture.c): exact below the limits, head + tail + dropped count
 * above them, the same result for any split of the input, and memory that
 * stays at head + tail however much is added.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "strbuf.h"

static void render(const struct capture *c, struct strbuf *out)
{
	strbuf_reset(out);
	capture_render(c, out);
}

Test(capture, below_limits_is_exact)
{
	struct capture c;
	struct strbuf out = STRBUF_INIT;

	capture_init(&c, 4, 4);
	capture_add(&c, "abc", 3);
	capture_add(&c, "defgh", 5);
	render(&c, &out);
	cr_assert_str_eq(out.buf, "abcdefgh");
	cr_assert_eq(capture_dropped(&c), 0);
	cr_assert_eq(capture_len(&c), 8);
	capture_release(&c);
	strbuf_release(&out);
}

Test(capture, keeps_head_and_tail_and_counts_the_middle)
{
	struct capture c;
	struct strbuf out = STRBUF_INIT;

	capture_init(&c, 4, 4);
	capture_add(&c, "0123456789ABCDEF", 16);
	render(&c, &out);
	cr_assert_str_eq(out.buf, "0123CDEF");
	cr_assert_eq(capture_dropped(&c), 8);
	capture_add(&c, "xy", 2);
	render(&c, &out);
	cr_assert_str_eq(out.buf, "0123EFxy");
	cr_assert_eq(capture_dropped(&c), 10);
	capture_release(&c);
	strbuf_release(&out);
}

/* Every chunk size from 1 to 40 gives the same head, tail and count as one add. */
Test(capture, any_split_gives_the_same_result)
{
	char data[300];
	struct strbuf whole = STRBUF_INIT, split = STRBUF_INIT;
	struct capture a, b;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + (i * 7) % 26);
	capture_init(&a, 16, 24);
	capture_add(&a, data, sizeof(data));
	render(&a, &whole);
	for (size_t chunk = 1; chunk <= 40; chunk++) {
		capture_init(&b, 16, 24);
		for (size_t off = 0; off < sizeof(data); off += chunk)
			capture_add(&b, data + off, off + chunk > sizeof(data) ? sizeof(data) - off : chunk);
		render(&b, &split);
		cr_assert_eq(split.len, whole.len, "chunk %zu", chunk);
		cr_assert_eq(memcmp(split.buf, whole.buf, whole.len), 0, "chunk %zu", chunk);
		cr_assert_eq(capture_dropped(&b), sizeof(data) - 40, "chunk %zu", chunk);
		capture_release(&b);
	}
	cr_assert_eq(memcmp(whole.buf, data, 16), 0);
	cr_assert_eq(memcmp(whole.buf + 16, data + sizeof(data) - 24, 24), 0);
	capture_release(&a);
	strbuf_release(&whole);
	strbuf_release(&split);
}

Test(capture, memory_stays_flat)
{
	static char chunk[1 << 16];
	struct capture c;

	memset(chunk, 'z', sizeof(chunk));
	capture_init(&c, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
	for (int i = 0; i < 512; i++)   /* 32 MiB */
		capture_add(&c, chunk, sizeof(chunk));
	cr_assert_eq(capture_len(&c), CAPTURE_HEAD_MAX + CAPTURE_TAIL_MAX);
	cr_assert_eq(capture_dropped(&c), 512ull * sizeof(chunk) - CAPTURE_HEAD_MAX - CAPTURE_TAIL_MAX);
	cr_assert_leq(c.head.alloc, 2 * CAPTURE_HEAD_MAX + 1, "head grew to %zu", c.head.alloc);
	capture_release(&c);
}

Test(capture, reset_forgets_bytes)
{
	struct capture c;
	struct strbuf out = STRBUF_INIT;

	capture_init(&c, 2, 2);
	capture_add(&c, "abcdef", 6);
	capture_reset(&c);
	capture_add(&c, "xyz", 3);
	render(&c, &out);
	cr_assert_str_eq(out.buf, "xyz");
	cr_assert_eq(capture_dropped(&c), 0);
	capture_release(&c);
	strbuf_release(&out);
}
