/*
 * json.h - text for JSON (jansson takes only UTF-8), shared by the report
 * (output/) and the cache commands (cache/).
 */
#ifndef BALRUN_JSON_H
#define BALRUN_JSON_H

#include <jansson.h>
#include <stddef.h>

/* s (n bytes) as a JSON string, bytes that are not UTF-8 (and NULs) as '?': for output. */
json_t *json_text(const char *s, size_t n);
/* s as a JSON string, bytes that are not UTF-8 as "\xNN" text: for names and ids. */
json_t *json_name(const char *s);

#endif
