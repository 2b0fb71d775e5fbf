/*
 * strbuf.c - growable byte buffer; see strbuf.h.
 */
#include "strbuf.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

char strbuf_empty[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->buf = strbuf_empty;
	sb->len = sb->alloc = 0;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need;
	int fresh = sb->alloc == 0;

	if (extra >= SIZE_MAX - sb->len)
		die("strbuf: size overflow");
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	size_t alloc = sb->alloc ? sb->alloc : 64;
	while (alloc < need)
		alloc = alloc < SIZE_MAX / 2 ? alloc * 2 : need;
	sb->buf = xrealloc(fresh ? NULL : sb->buf, alloc);
	sb->alloc = alloc;
	if (fresh)
		sb->buf[0] = '\0';
}

void strbuf_reset(struct strbuf *sb)
{
	strbuf_setlen(sb, 0);
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (len > sb->len)
		die("BUG: strbuf_setlen beyond length");
	sb->len = len;
	if (sb->alloc)
		sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (!len)
		return;
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;
	strbuf_add(sb, &ch, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		die("strbuf: bad format string");
	if (sb->alloc && (size_t)n < sb->alloc - sb->len) {
		sb->len += n;
		return;
	}
	strbuf_grow(sb, n);
	vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	sb->len += n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_remove_front(struct strbuf *sb, size_t n)
{
	if (n > sb->len)
		die("BUG: strbuf_remove_front beyond length");
	if (!n)
		return;
	memmove(sb->buf, sb->buf + n, sb->len - n);
	strbuf_setlen(sb, sb->len - n);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *r;
	if (len)
		*len = sb->len;
	if (!sb->alloc)
		r = xstrdup("");
	else
		r = sb->buf;
	strbuf_init(sb, 0);
	return r;
}

void strbuf_add_field(struct strbuf *sb, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\\\t\n\r");

		strbuf_add(sb, s, n);
		s += n;
		if (!*s)
			break;
		strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : '\\');
		s++;
	}
}

int strbuf_unescape_field(struct strbuf *out, const char *s)
{
	strbuf_reset(out);
	for (const char *p = s; *p; p++) {
		const char *bs = strchr(p, '\\');

		if (!bs) {
			strbuf_adds(out, p);
			break;
		}
		strbuf_add(out, p, (size_t)(bs - p));
		p = bs + 1;
		switch (*p) {
		case '\\': strbuf_addch(out, '\\'); break;
		case 't': strbuf_addch(out, '\t'); break;
		case 'n': strbuf_addch(out, '\n'); break;
		case 'r': strbuf_addch(out, '\r'); break;
		default: return -1;
		}
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t strbuf_utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3 :
		     (s[0] >> 3) == 30 ? 4 : 0;

	if (!len || len > n || !s[0])
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] >> 6) != 2)
			return 0;
	if (len == 2 && s[0] < 0xc2)
		return 0;   /* overlong */
	return len;
}

void strbuf_add_escaped(struct strbuf *sb, const char *s, size_t len, int flags)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = strbuf_utf8_len(p + i, len - i);

		if (n && (!(flags & STRBUF_ESCAPE_CONTROLS) || (p[i] >= 0x20 && p[i] != 0x7f))) {
			strbuf_add(sb, p + i, n);
			i += n;
			continue;
		}
		if (n && p[i] == '\n')
			strbuf_adds(sb, "\\n");
		else if (n && p[i] == '\r')
			strbuf_adds(sb, "\\r");
		else if (n && p[i] == '\t')
			strbuf_adds(sb, "\\t");
		else
			strbuf_addf(sb, "\\x%02x", p[i]);
		i++;
	}
}
