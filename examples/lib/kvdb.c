/*
 * kvdb.c - the key-value database under test (see kvdb.h).
 *
 * Open addressing with linear probing.  A deleted slot keeps a tombstone
 * (key == kvdb_tombstone) so that probe chains stay unbroken; the table is
 * rebuilt, dropping tombstones, when used slots reach 3/4 of its capacity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvdb.h"

struct kvdb_slot {
	char *key;	/* NULL: never used; kvdb_tombstone: deleted */
	char *value;
};

struct kvdb {
	struct kvdb_slot *slots;
	size_t capacity, count, used;	/* used = count + tombstones */
};

static char kvdb_tombstone[1];

static size_t kvdb_hash(const char *key)
{
	size_t h = 1469598103934665603u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211u;
	return h;
}

/* The slot holding key, or else the first free slot of its probe chain. */
static struct kvdb_slot *kvdb_find(const struct kvdb *db, const char *key)
{
	size_t i = kvdb_hash(key) & (db->capacity - 1);
	struct kvdb_slot *free_slot = NULL;

	for (;; i = (i + 1) & (db->capacity - 1)) {
		struct kvdb_slot *slot = &db->slots[i];

		if (!slot->key)
			return free_slot ? free_slot : slot;
		if (slot->key == kvdb_tombstone) {
			if (!free_slot)
				free_slot = slot;
		} else if (!strcmp(slot->key, key)) {
			return slot;
		}
	}
}

static int kvdb_resize(struct kvdb *db, size_t capacity)
{
	struct kvdb old = *db;
	size_t i;

	db->slots = calloc(capacity, sizeof(*db->slots));
	if (!db->slots) {
		*db = old;
		return -1;
	}
	db->capacity = capacity;
	db->used = db->count;
	for (i = 0; i < old.capacity; i++)
		if (old.slots[i].key && old.slots[i].key != kvdb_tombstone)
			*kvdb_find(db, old.slots[i].key) = old.slots[i];
	free(old.slots);
	return 0;
}

struct kvdb *kvdb_open(void)
{
	struct kvdb *db = calloc(1, sizeof(*db));

	if (db && kvdb_resize(db, 16)) {
		free(db);
		return NULL;
	}
	return db;
}

void kvdb_close(struct kvdb *db)
{
	size_t i;

	if (!db)
		return;
	for (i = 0; i < db->capacity; i++) {
		if (db->slots[i].key != kvdb_tombstone)
			free(db->slots[i].key);
		free(db->slots[i].value);
	}
	free(db->slots);
	free(db);
}

int kvdb_put(struct kvdb *db, const char *key, const char *value)
{
	struct kvdb_slot *slot;
	char *copy = strdup(value);

	if (!copy || ((db->used + 1) * 4 >= db->capacity * 3 &&
		      kvdb_resize(db, db->count * 4 >= db->capacity ? db->capacity * 2 : db->capacity))) {
		free(copy);
		return -1;
	}
	slot = kvdb_find(db, key);
	if (slot->key && slot->key != kvdb_tombstone) {
		free(slot->value);
		slot->value = copy;
		return 0;
	}
	if (!slot->key)
		db->used++;
	slot->key = strdup(key);
	if (!slot->key) {
		slot->key = kvdb_tombstone;
		free(copy);
		return -1;
	}
	slot->value = copy;
	db->count++;
	return 0;
}

const char *kvdb_get(const struct kvdb *db, const char *key)
{
	const struct kvdb_slot *slot = kvdb_find(db, key);

	return slot->key && slot->key != kvdb_tombstone ? slot->value : NULL;
}

int kvdb_del(struct kvdb *db, const char *key)
{
	struct kvdb_slot *slot = kvdb_find(db, key);

	if (!slot->key || slot->key == kvdb_tombstone)
		return -1;
	free(slot->key);
	free(slot->value);
	slot->key = kvdb_tombstone;
	slot->value = NULL;
	db->count--;
	return 0;
}

size_t kvdb_count(const struct kvdb *db)
{
	return db->count;
}

int kvdb_save(const struct kvdb *db, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		return -1;
	for (i = 0; i < db->capacity; i++)
		if (db->slots[i].key && db->slots[i].key != kvdb_tombstone)
			fprintf(f, "%s\t%s\n", db->slots[i].key, db->slots[i].value);
	return fclose(f) ? -1 : 0;
}

int kvdb_load(struct kvdb *db, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], *tab;
	int rc = 0;

	if (!f)
		return -1;
	while (!rc && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		if (tab) {
			*tab = '\0';
			rc = kvdb_put(db, line, tab + 1);
		}
	}
	fclose(f);
	return rc;
}
