/*
 * tc-updates.c - this run's results, front-coded; see tc-updates.h.
 */
#include "tc-updates.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* kind and outcome share the first byte of a key */
_Static_assert(OUTCOME__COUNT <= 16, "an outcome fits in 4 bits");

void tcu_reserve(struct tc_updates *u, size_t n)
{
	if (u->nr + n > u->alloc) {
		u->alloc = u->nr + n;
		u->v = xrealloc(u->v, u->alloc * sizeof(*u->v));
	}
}

void tcu_add(struct tc_updates *u, const char *key, enum tcu_kind kind, enum outcome o,
	     double seconds, uint64_t rss_kb)
{
	size_t len = strlen(key), same = 0, n;
	char *p;

	if (!len)
		return;
	while (same < u->last_key.len && same < len && same < UINT16_MAX &&
	       u->last_key.buf[same] == key[same])
		same++;
	n = 3 + len - same + 1;
	if (u->keys_len + n > UINT32_MAX)
		die("timing cache: more than 4 GiB of keys in one run");
	ALLOC_GROW(u->keys, u->keys_len + n, u->keys_alloc);
	p = u->keys + u->keys_len;
	p[0] = (char)((unsigned)kind << 4 | (unsigned)o);
	p[1] = (char)(same & 0xff);
	p[2] = (char)(same >> 8);
	memcpy(p + 3, key + same, len - same + 1);
	ALLOC_GROW(u->v, u->nr + 1, u->alloc);
	u->v[u->nr++] = (struct tc_update){ seconds, rss_kb > UINT32_MAX ? UINT32_MAX : (uint32_t)rss_kb,
					    (uint32_t)u->keys_len };
	u->keys_len += n;
	strbuf_setlen(&u->last_key, same);
	strbuf_add(&u->last_key, key + same, len - same);
}

const char *tcu_key(const struct tc_updates *u, size_t i, struct strbuf *key, enum tcu_kind *kind,
		    enum outcome *o)
{
	const unsigned char *p = (const unsigned char *)u->keys + u->v[i].key;
	size_t same = (size_t)p[1] | (size_t)p[2] << 8;

	*kind = (enum tcu_kind)(p[0] >> 4);
	*o = (enum outcome)(p[0] & 0xf);
	strbuf_setlen(key, same);
	strbuf_adds(key, (const char *)p + 3);
	return key->buf;
}

void tcu_clear(struct tc_updates *u)
{
	free(u->v);
	free(u->keys);
	strbuf_release(&u->last_key);
	*u = (struct tc_updates)TC_UPDATES_INIT;
}
