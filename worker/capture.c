/*
 * capture.c - head + tail capture of a test's output; see capture.h.
 *
 * Bytes fill the head until it holds head_max; everything after goes through
 * a ring of tail_max bytes that overwrites its oldest bytes when full.  The
 * dropped count is therefore total - head - ring, with no bookkeeping of its
 * own.
 */
#include "capture.h"
#include "util.h"

#include <string.h>

void capture_init(struct capture *c, size_t head_max, size_t tail_max)
{
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->head, 0);
	c->head_max = head_max;
	c->tail_max = tail_max;
}

void capture_release(struct capture *c)
{
	strbuf_release(&c->head);
	free(c->ring);
	capture_init(c, c->head_max, c->tail_max);
}

void capture_reset(struct capture *c)
{
	strbuf_reset(&c->head);
	c->ring_start = c->ring_len = 0;
	c->total = 0;
}

/* Put len bytes into the ring, keeping only its last tail_max bytes. */
static void capture_ring_add(struct capture *c, const char *p, size_t len)
{
	if (!c->tail_max)
		return;
	if (!c->ring)
		c->ring = xmalloc(c->tail_max);
	if (len >= c->tail_max) {
		memcpy(c->ring, p + len - c->tail_max, c->tail_max);
		c->ring_start = 0;
		c->ring_len = c->tail_max;
		return;
	}
	while (len) {
		size_t end = (c->ring_start + c->ring_len) % c->tail_max;
		size_t room = c->tail_max - end;
		size_t n = len < room ? len : room;

		memcpy(c->ring + end, p, n);
		p += n;
		len -= n;
		c->ring_len += n;
		if (c->ring_len > c->tail_max) {
			c->ring_start = (c->ring_start + c->ring_len - c->tail_max) % c->tail_max;
			c->ring_len = c->tail_max;
		}
	}
}

void capture_add(struct capture *c, const void *buf, size_t len)
{
	const char *p = buf;

	c->total += len;
	if (c->head.len < c->head_max) {
		size_t n = c->head_max - c->head.len;

		if (n > len)
			n = len;
		strbuf_add(&c->head, p, n);
		p += n;
		len -= n;
	}
	if (len)
		capture_ring_add(c, p, len);
}

size_t capture_len(const struct capture *c)
{
	return c->head.len + c->ring_len;
}

uint64_t capture_dropped(const struct capture *c)
{
	return c->total - capture_len(c);
}

void capture_render(const struct capture *c, struct strbuf *out)
{
	size_t first = c->ring_len;

	strbuf_add(out, c->head.buf, c->head.len);
	if (!c->ring_len)
		return;
	if (c->ring_start + first > c->tail_max)
		first = c->tail_max - c->ring_start;
	strbuf_add(out, c->ring + c->ring_start, first);
	strbuf_add(out, c->ring, c->ring_len - first);
}
