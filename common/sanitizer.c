/*
 * sanitizer.c - find a sanitizer's report in output; see sanitizer.h.
 */
#define _GNU_SOURCE
#include "sanitizer.h"

#include <string.h>

#include "util.h"

/* Opening lines, found anywhere in a line (after "==PID=="). */
static const char *const sanitizer_openers[] = {
	"ERROR: AddressSanitizer:", "ERROR: LeakSanitizer:", "WARNING: ThreadSanitizer:",
	"WARNING: MemorySanitizer:", "ERROR: HWAddressSanitizer:", "ERROR: ThreadSanitizer:",
};
#define SANITIZER_UBSAN ": runtime error: "
#define SANITIZER_SUMMARY "SUMMARY: "

/* The line of buf that holds p: its start and its length. */
static const char *sanitizer_line(const char *buf, const char *end, const char *p, size_t *n)
{
	const char *start = p, *nl;

	while (start > buf && start[-1] != '\n')
		start--;
	nl = memchr(p, '\n', (size_t)(end - p));
	*n = (size_t)((nl ? nl : end) - start);
	return start;
}

static void sanitizer_add_line(struct strbuf *msg, const char *s, size_t n)
{
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	strbuf_add(msg, s, n);
}

int sanitizer_report(const char *buf, size_t len, struct strbuf *msg)
{
	const char *end = buf + len, *first = NULL, *ubsan, *p, *line;
	size_t skip = 0, n;

	for (size_t i = 0; i < ARRAY_SIZE(sanitizer_openers); i++) {
		p = memmem(buf, len, sanitizer_openers[i], strlen(sanitizer_openers[i]));
		if (p && (!first || p < first)) {
			first = p;
			skip = strcspn(sanitizer_openers[i], " ") + 1;   /* past "ERROR: " */
		}
	}
	ubsan = memmem(buf, len, SANITIZER_UBSAN, strlen(SANITIZER_UBSAN));
	if (ubsan && (!first || ubsan < first)) {
		if (msg) {
			line = sanitizer_line(buf, end, ubsan, &n);
			sanitizer_add_line(msg, line, n);
		}
		return 1;
	}
	if (!first)
		return 0;
	if (!msg)
		return 1;
	p = memmem(first, (size_t)(end - first), SANITIZER_SUMMARY, strlen(SANITIZER_SUMMARY));
	if (p) {
		line = sanitizer_line(buf, end, p, &n);
		if (line == p) {
			sanitizer_add_line(msg, p + strlen(SANITIZER_SUMMARY), n - strlen(SANITIZER_SUMMARY));
			return 1;
		}
	}
	line = sanitizer_line(buf, end, first, &n);
	sanitizer_add_line(msg, first + skip, n - (size_t)(first - line) - skip);
	return 1;
}
