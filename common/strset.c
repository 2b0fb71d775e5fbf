/*
 * strset.c - a set of strings; see strset.h.
 */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Eight bytes at a time, each word folded in with a multiply and a shift
 * (the mixing steps of SplitMix64), and a final avalanche: ids are 20-100
 * bytes, and hashing them a byte at a time was a tenth of loading a cache
 * of a million tests.
 */
uint32_t strset_hash(const char *s)
{
	size_t len = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15u ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9u;
		h ^= h >> 31;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 0x94d049bb133111ebu;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9u;
	h ^= h >> 32;
	return (uint32_t)h;
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
