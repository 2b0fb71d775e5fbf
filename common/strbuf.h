/*
 * strbuf.h - a growable, always NUL-terminated byte buffer.
 *
 * Used everywhere instead of ad-hoc realloc.  A strbuf may hold arbitrary
 * bytes (including NULs); buf[len] is always '\0' so that text can be used as
 * a C string directly.  Allocation failure aborts the program (see util.h):
 * callers never check for it.
 *
 *   struct strbuf sb = STRBUF_INIT;
 *   strbuf_addf(&sb, "%s::%s", bin, name);
 *   use(sb.buf);
 *   strbuf_release(&sb);
 */
#ifndef BALRUN_STRBUF_H
#define BALRUN_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

extern char strbuf_empty[];

struct strbuf {
	char *buf;     /* strbuf_empty while alloc == 0, never NULL */
	size_t len;    /* bytes used, not counting the terminating NUL */
	size_t alloc;  /* bytes allocated; 0 means buf is strbuf_empty */
};

#define STRBUF_INIT { strbuf_empty, 0, 0 }

void strbuf_init(struct strbuf *sb, size_t hint);
/* Free the memory and reset to STRBUF_INIT. */
void strbuf_release(struct strbuf *sb);
/* Make room for at least extra more bytes (plus the NUL). */
void strbuf_grow(struct strbuf *sb, size_t extra);
/* Set len to 0 but keep the memory. */
void strbuf_reset(struct strbuf *sb);
/* Shorten to len (len <= sb->len). */
void strbuf_setlen(struct strbuf *sb, size_t len);

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Remove the first n bytes. */
void strbuf_remove_front(struct strbuf *sb, size_t n);

/*
 * Append len bytes of s as text a person or a UTF-8 consumer can take:
 * bytes that are not part of valid UTF-8 (and NUL) become "\xNN"; with
 * STRBUF_ESCAPE_CONTROLS also the control bytes, as \n, \r, \t or \xNN,
 * so the text stays on one line.  Everything else is copied as it is.  For
 * showing names that may hold any byte; never for data read back.
 */
#define STRBUF_ESCAPE_CONTROLS 1
void strbuf_add_escaped(struct strbuf *sb, const char *s, size_t len, int flags);

/*
 * For line-based files: append s with backslash, tab, newline and carriage
 * return written as \\, \t, \n, \r, so that any string fits in one field
 * of one line; strbuf_unescape_field undoes it into out (reset first),
 * returning -1 for a malformed escape.  Lossless, unlike strbuf_add_escaped.
 */
void strbuf_add_field(struct strbuf *sb, const char *s);
int strbuf_unescape_field(struct strbuf *out, const char *s);

/* Give the buffer to the caller (free() it); sb is reset. Never NULL. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

#endif
