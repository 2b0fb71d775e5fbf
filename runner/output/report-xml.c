/*
 * report-xml.c - text for the XML reports (--junit, --timeline): what XML
 * 1.0 can carry, bounded.  See report-internal.h.
 */
#include "report-internal.h"

#include <string.h>

/* Length of the valid UTF-8 character XML allows at s (n bytes left), or 0. */
static size_t xml_char(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
	unsigned long cp;

	if (!len || len > n)
		return 0;
	if (len == 1)
		return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
	cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

const char *report_xml_text(struct strbuf *sb, const char *s, size_t n, size_t max)
{
	strbuf_reset(sb);
	if (n > max) {
		strbuf_addf(sb, "[balrun: the first %zu bytes of the output are left out]\n", n - max);
		s += n - max;
		n = max;
	}
	for (size_t i = 0; i < n;) {
		size_t k = xml_char((const unsigned char *)s + i, n - i);

		if (k) {
			strbuf_add(sb, s + i, k);
			i += k;
		} else {
			strbuf_addf(sb, "\\x%02x", (unsigned char)s[i]);
			i++;
		}
	}
	return sb->buf;
}

