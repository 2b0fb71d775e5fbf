/*
 * strpool.c - a pool of immutable strings; see strpool.h.
 *
 * Chunks start at 64 KiB and double up to 1 MiB, so a pool of three
 * strings costs little and one of a million strings makes about 40
 * allocations.  A string longer than a chunk gets a chunk of its own.
 */
#include "strpool.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define STRPOOL_FIRST ((size_t)64 << 10)
#define STRPOOL_MAX ((size_t)1 << 20)

struct strpool_chunk {
	struct strpool_chunk *next;
	char data[];
};

/* Start a new chunk with room for at least need bytes. */
static void strpool_grow(struct strpool *p, size_t need)
{
	size_t cap = p->cap ? p->cap * 2 : STRPOOL_FIRST;
	struct strpool_chunk *c;

	if (cap > STRPOOL_MAX)
		cap = STRPOOL_MAX;
	if (cap < need)
		cap = need;
	c = xmalloc(sizeof(*c) + cap);
	c->next = p->chunks;
	p->chunks = c;
	p->used = 0;
	p->cap = cap;
	p->bytes += cap;
}

char *strpool_alloc(struct strpool *p, size_t len)
{
	char *room;

	if (!p->chunks || p->cap - p->used < len + 1)
		strpool_grow(p, len + 1);
	room = p->chunks->data + p->used;
	p->used += len + 1;
	return room;
}

const char *strpool_add(struct strpool *p, const char *s, size_t len)
{
	char *copy = strpool_alloc(p, len);

	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

const char *strpool_adds(struct strpool *p, const char *s)
{
	return strpool_add(p, s, strlen(s));
}

void strpool_release(struct strpool *p)
{
	while (p->chunks) {
		struct strpool_chunk *next = p->chunks->next;
		free(p->chunks);
		p->chunks = next;
	}
	memset(p, 0, sizeof(*p));
}
