/*
 * ringbuf.h - a fixed-capacity byte ring buffer, the code under test of
 * example_ringbuf.
 *
 * Writes take what fits and reads take what is there; both return the
 * number of bytes moved.  Capacity is fixed at ringbuf_init().
 */
#ifndef EXAMPLES_RINGBUF_H
#define EXAMPLES_RINGBUF_H

#include <stddef.h>

struct ringbuf {
	unsigned char *data;
	size_t capacity, head, len;	/* head: index of the oldest byte */
};

/* Returns 0, or -1 when out of memory or capacity is 0. */
int ringbuf_init(struct ringbuf *rb, size_t capacity);
void ringbuf_release(struct ringbuf *rb);

size_t ringbuf_write(struct ringbuf *rb, const void *buf, size_t n);
size_t ringbuf_read(struct ringbuf *rb, void *buf, size_t n);
/* Copy up to n bytes without consuming them. */
size_t ringbuf_peek(const struct ringbuf *rb, void *buf, size_t n);

static inline size_t ringbuf_len(const struct ringbuf *rb) { return rb->len; }
static inline size_t ringbuf_space(const struct ringbuf *rb) { return rb->capacity - rb->len; }

#endif
