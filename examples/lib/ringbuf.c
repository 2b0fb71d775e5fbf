/*
 * ringbuf.c - the ring buffer under test (see ringbuf.h).
 *
 * Bytes live in data[head .. head+len) modulo capacity; a copy in or out is
 * at most two memcpy() calls, one on each side of the wrap.
 */
#include <stdlib.h>
#include <string.h>

#include "ringbuf.h"

int ringbuf_init(struct ringbuf *rb, size_t capacity)
{
	rb->data = capacity ? malloc(capacity) : NULL;
	rb->capacity = rb->data ? capacity : 0;
	rb->head = rb->len = 0;
	return rb->data ? 0 : -1;
}

void ringbuf_release(struct ringbuf *rb)
{
	free(rb->data);
	rb->data = NULL;
	rb->capacity = rb->head = rb->len = 0;
}

size_t ringbuf_write(struct ringbuf *rb, const void *buf, size_t n)
{
	size_t tail = (rb->head + rb->len) % rb->capacity, first;

	if (n > ringbuf_space(rb))
		n = ringbuf_space(rb);
	first = rb->capacity - tail < n ? rb->capacity - tail : n;
	memcpy(rb->data + tail, buf, first);
	memcpy(rb->data, (const unsigned char *)buf + first, n - first);
	rb->len += n;
	return n;
}

size_t ringbuf_peek(const struct ringbuf *rb, void *buf, size_t n)
{
	size_t first;

	if (n > rb->len)
		n = rb->len;
	first = rb->capacity - rb->head < n ? rb->capacity - rb->head : n;
	memcpy(buf, rb->data + rb->head, first);
	memcpy((unsigned char *)buf + first, rb->data, n - first);
	return n;
}

size_t ringbuf_read(struct ringbuf *rb, void *buf, size_t n)
{
	n = ringbuf_peek(rb, buf, n);
	rb->head = (rb->head + n) % rb->capacity;
	rb->len -= n;
	return n;
}
