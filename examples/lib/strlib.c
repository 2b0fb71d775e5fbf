/*
 * strlib.c - the string library under test (see strlib.h).
 *
 * It has one known bug, kept on purpose so that the example suite has a real
 * failure: str_trim() treats only spaces as blanks, not tabs.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "strlib.h"

char *str_trim(char *s)
{
	size_t start = 0, end = strlen(s);

	while (s[start] == ' ')
		start++;
	while (end > start && s[end - 1] == ' ')
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}

size_t str_count_fields(const char *s, char sep)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == sep;
	return n;
}

int str_field(const char *s, char sep, size_t index, char *out, size_t size)
{
	const char *end;
	size_t len;

	for (; index > 0; index--) {
		s = strchr(s, sep);
		if (!s)
			return -1;
		s++;
	}
	end = strchr(s, sep);
	len = end ? (size_t)(end - s) : strlen(s);
	if (len >= size)
		len = size - 1;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

bool str_starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool str_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

char *str_upper(char *s)
{
	for (char *p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

char *str_lower(char *s)
{
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

char *str_replace_all(const char *s, const char *from, const char *to)
{
	size_t from_len = strlen(from), to_len = strlen(to), count = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)); p += from_len)
		count++;
	out = malloc(strlen(s) + count * to_len - count * from_len + 1);
	if (!out)
		return NULL;
	for (o = out; (p = strstr(s, from)); s = p + from_len) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, to_len);
		o += to_len;
	}
	strcpy(o, s);
	return out;
}
