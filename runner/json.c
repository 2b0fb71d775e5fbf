/*
 * json.c - JSON strings from arbitrary bytes; see json.h.
 */
#include "json.h"

#include <string.h>

#include "strbuf.h"
#include "util.h"

/* A copy of s with every byte that is not part of valid UTF-8, and every NUL, as '?'. */
static char *json_valid_utf8(const char *s, size_t n)
{
	char *c = xmalloc(n + 1);

	memcpy(c, s, n);
	c[n] = '\0';
	for (size_t i = 0; i < n;) {
		unsigned char b = (unsigned char)c[i];
		size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
		int ok = len && i + len <= n && b != 0;

		for (size_t k = 1; ok && k < len; k++)
			ok = ((unsigned char)c[i + k] >> 6) == 2;
		if (!ok) {
			c[i++] = '?';
			continue;
		}
		i += len;
	}
	return c;
}

json_t *json_text(const char *s, size_t n)
{
	char *clean = json_valid_utf8(s, n);
	json_t *j = json_stringn(clean, n);

	free(clean);
	return j;
}

json_t *json_name(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	strbuf_add_escaped(&sb, s, strlen(s), 0);
	j = json_stringn(sb.buf, sb.len);
	strbuf_release(&sb);
	return j;
}
