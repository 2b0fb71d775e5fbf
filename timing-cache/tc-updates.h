/*
 * tc-updates.h - this run's results for the timing cache (internal to
 * timing-cache/), kept compact until tc_save applies them in order.
 *
 * A run of a million tests keeps a million of them, so each is 16 bytes
 * plus its key front-coded against the key before it: one byte for the
 * kind and outcome, two for the length shared with the previous key, then
 * the rest and a NUL.  Consecutive results mostly share "<binary id>::"
 * and more, so a generated suite's ids take about 4 bytes each.  Keys are
 * decoded in order only (tcu_key).
 */
#ifndef BALRUN_TC_UPDATES_H
#define BALRUN_TC_UPDATES_H

#include <stddef.h>
#include <stdint.h>

#include "outcome.h"
#include "strbuf.h"

/* The kinds of update. */
enum tcu_kind {
	TCU_TEST,              /* a test's result: outcome, seconds, rss_kb */
	TCU_OVERHEAD,          /* a binary's invocation overhead, in seconds */
	TCU_FLAGS,             /* a test's flags (TC_FLAG_*), in rss_kb */
	TCU_CPU,               /* a binary's CPU share, in seconds */
};

struct tc_update {
	double seconds;
	uint32_t rss_kb;       /* at most UINT32_MAX (4 TiB); TCU_FLAGS: the flags */
	uint32_t key;          /* offset of its key in the keys */
};

struct tc_updates {
	struct tc_update *v;
	size_t nr, alloc;
	char *keys;            /* front-coded, one after the other */
	size_t keys_len, keys_alloc;
	struct strbuf last_key; /* the last key added, whole */
};

#define TC_UPDATES_INIT { NULL, 0, 0, NULL, 0, 0, STRBUF_INIT }

/* Room for n more updates (their keys grow as they come). */
void tcu_reserve(struct tc_updates *u, size_t n);
/* Queue one update (an empty key is dropped: it cannot be written). */
void tcu_add(struct tc_updates *u, const char *key, enum tcu_kind kind, enum outcome o,
	     double seconds, uint64_t rss_kb);
/*
 * The key of update i, given in key the key of update i - 1 (i = 0: an
 * empty strbuf); key becomes i's, *kind and *o i's kind and outcome.
 */
const char *tcu_key(const struct tc_updates *u, size_t i, struct strbuf *key, enum tcu_kind *kind,
		    enum outcome *o);
/* Forget them all and give the memory back. */
void tcu_clear(struct tc_updates *u);

#endif
