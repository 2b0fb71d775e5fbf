/*
 * capture.h - bounded capture of one test's output.
 *
 * A test may print gigabytes; the worker keeps only the first head_max bytes
 * and the last tail_max bytes (64 KiB each by default) and counts the bytes
 * dropped in between, so memory stays flat whatever the test prints.  The
 * head is a strbuf that stops growing at head_max; the tail is a ring buffer
 * of tail_max bytes, allocated on first overflow of the head.
 *
 *   struct capture c;
 *   capture_init(&c, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
 *   capture_add(&c, buf, n);            (any number of times, any split)
 *   capture_render(&c, &out);           head then tail, in order
 *   capture_dropped(&c);                bytes between them that were cut
 *   capture_release(&c);
 */
#ifndef BALRUN_CAPTURE_H
#define BALRUN_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define CAPTURE_HEAD_MAX (64u << 10)
#define CAPTURE_TAIL_MAX (64u << 10)

struct capture {
	struct strbuf head;  /* first bytes, len <= head_max */
	char *ring;          /* NULL until the head is full; then tail_max bytes */
	size_t ring_start;   /* index of the oldest byte in ring */
	size_t ring_len;     /* bytes held in ring, <= tail_max */
	size_t head_max, tail_max;
	uint64_t total;      /* every byte ever added */
};

void capture_init(struct capture *c, size_t head_max, size_t tail_max);
/* Free the memory; c can be initialised again. */
void capture_release(struct capture *c);
/* Forget the bytes but keep the limits (and the memory). */
void capture_reset(struct capture *c);

void capture_add(struct capture *c, const void *buf, size_t len);

/* Bytes held (head plus tail). */
size_t capture_len(const struct capture *c);
/* Bytes added but no longer held. */
uint64_t capture_dropped(const struct capture *c);
/* Append the held bytes, head first then the tail in order, to out. */
void capture_render(const struct capture *c, struct strbuf *out);

#endif
