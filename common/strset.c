/*
 * strset.c - a set of strings; see strset.h.
 */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

uint32_t strset_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of key, or the empty one where it belongs; cap > 0. */
static struct strset_slot *strset_probe(const struct strset *s, const char *key, uint32_t hash)
{
	size_t mask = s->cap - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct strset_slot *slot = &s->slots[i];

		if (!slot->key || (slot->hash == hash && !strcmp(slot->key, key)))
			return slot;
	}
}

static void strset_resize(struct strset *s, size_t cap)
{
	struct strset_slot *old = s->slots;
	size_t oldcap = s->cap;

	s->slots = xcalloc(cap, sizeof(*s->slots));
	s->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*strset_probe(s, old[i].key, old[i].hash) = old[i];
	free(old);
}

void strset_reserve(struct strset *s, size_t n)
{
	size_t cap = s->cap ? s->cap : 16;

	while (cap < 2 * n)
		cap *= 2;
	if (cap != s->cap)
		strset_resize(s, cap);
}

int strset_add(struct strset *s, const char *key)
{
	uint32_t hash = strset_hash(key);
	struct strset_slot *slot;

	strset_reserve(s, s->n + 1);
	slot = strset_probe(s, key, hash);
	if (slot->key)
		return 0;
	slot->key = key;
	slot->hash = hash;
	s->n++;
	return 1;
}

const char *strset_find(const struct strset *s, const char *key)
{
	return s->cap ? strset_probe(s, key, strset_hash(key))->key : NULL;
}

void strset_release(struct strset *s)
{
	free(s->slots);
	s->slots = NULL;
	s->n = s->cap = 0;
}
