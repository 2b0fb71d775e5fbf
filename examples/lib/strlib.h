/*
 * strlib.h - a small string library, the code under test of example_strlib.
 *
 * Functions work in place or into a caller's buffer and never allocate,
 * except str_replace_all(), whose result the caller frees.
 */
#ifndef EXAMPLES_STRLIB_H
#define EXAMPLES_STRLIB_H

#include <stdbool.h>
#include <stddef.h>

/* Remove leading and trailing blanks from s in place; returns s. */
char *str_trim(char *s);

/* Number of fields in s separated by sep ("a,,b" has three). */
size_t str_count_fields(const char *s, char sep);

/*
 * Copy field number index (from 0) of s into out (at most size - 1 bytes,
 * NUL-terminated); returns 0, or -1 when there is no such field.
 */
int str_field(const char *s, char sep, size_t index, char *out, size_t size);

bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);

/* Upper- or lower-case ASCII letters of s in place; returns s. */
char *str_upper(char *s);
char *str_lower(char *s);

/* A new string: s with every from replaced by to (from must not be ""). */
char *str_replace_all(const char *s, const char *from, const char *to);

#endif
