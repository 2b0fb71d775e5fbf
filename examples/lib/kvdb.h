/*
 * kvdb.h - a tiny key-value "database", the code under test of example_kvdb
 * and example_kvdb_persist.
 *
 * Keys and values are strings, copied in.  A database lives in memory (an
 * open-addressing hash table that doubles when 3/4 full) and can be saved to
 * and loaded from a text file of "key\tvalue" lines.  Functions take a
 * non-NULL database: they do not check.
 */
#ifndef EXAMPLES_KVDB_H
#define EXAMPLES_KVDB_H

#include <stddef.h>

struct kvdb;

struct kvdb *kvdb_open(void);
void kvdb_close(struct kvdb *db);

/* Insert or replace; returns 0, or -1 when out of memory. */
int kvdb_put(struct kvdb *db, const char *key, const char *value);
/* The value stored under key (owned by db), or NULL. */
const char *kvdb_get(const struct kvdb *db, const char *key);
/* Returns 0, or -1 when key is absent. */
int kvdb_del(struct kvdb *db, const char *key);
size_t kvdb_count(const struct kvdb *db);

/* Save to / load into db from path; 0, or -1 with errno set. */
int kvdb_save(const struct kvdb *db, const char *path);
int kvdb_load(struct kvdb *db, const char *path);

#endif
