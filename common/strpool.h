/*
 * strpool.h - a pool of immutable strings: each string added is copied into
 * a big chunk, and all of them go away together when the pool is released.
 *
 * For the many short keys that live as long as their table (a million test
 * ids in the timing cache): one allocation per chunk instead of one per
 * string saves malloc's 8-16 bytes of overhead per string, the time of a
 * malloc and a free each, and keeps neighbours' ids next to each other in
 * memory.  A string cannot be freed on its own; a table that drops entries
 * keeps their bytes until it is released.
 *
 * A low-level primitive, like strbuf: it calls nothing above common/.
 */
#ifndef BALRUN_STRPOOL_H
#define BALRUN_STRPOOL_H

#include <stddef.h>

struct strpool {
	struct strpool_chunk *chunks;   /* newest first */
	size_t used, cap;               /* bytes used and available in the newest chunk */
	size_t bytes;                   /* in all chunks, for reports */
};

#define STRPOOL_INIT { NULL, 0, 0, 0 }

/* A copy of the len bytes at s, NUL-terminated; valid until strpool_release. */
const char *strpool_add(struct strpool *p, const char *s, size_t len);
/* Room for a string of len bytes and its NUL, which the caller writes. */
char *strpool_alloc(struct strpool *p, size_t len);
/* The same for a NUL-terminated string. */
const char *strpool_adds(struct strpool *p, const char *s);
/* Free every string of the pool; p is empty again (and reusable). */
void strpool_release(struct strpool *p);

#endif
