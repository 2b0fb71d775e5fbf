/*
 * strset.h - a set of strings: an open-addressing hash table over whole
 * keys, for deduplicating names and ids in O(1) each.
 *
 * A low-level primitive, like strbuf: it calls nothing above common/.  The
 * set does not own its keys: they must outlive it (or be removed with it).
 * The table doubles at 1/2 load; linear probing.
 */
#ifndef BALRUN_STRSET_H
#define BALRUN_STRSET_H

#include <stddef.h>
#include <stdint.h>

struct strset {
	struct strset_slot {
		uint32_t hash;
		const char *key;      /* NULL: empty */
	} *slots;
	size_t n, cap;            /* keys in it, slots (a power of two, or 0) */
};

#define STRSET_INIT { NULL, 0, 0 }

/* A 32-bit hash of all of s: the hash of the set (and of the timing cache's indexes). */
uint32_t strset_hash(const char *s);
/* Make room for n keys without growing. */
void strset_reserve(struct strset *s, size_t n);
/* Add key (not copied).  1 if it was added, 0 if an equal key was there. */
int strset_add(struct strset *s, const char *key);
/* The equal key in the set, or NULL. */
const char *strset_find(const struct strset *s, const char *key);
void strset_release(struct strset *s);

#endif
