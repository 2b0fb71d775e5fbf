/*
 * util.h - small helpers shared by every part of balrun.
 *
 * Allocation wrappers that never return NULL (out of memory is not an error a
 * test runner can recover from: it prints one line and exits 3), a growable
 * array macro in the style of git's ALLOC_GROW, a monotonic clock, and
 * EINTR-safe full reads and writes.
 */
#ifndef BALRUN_UTIL_H
#define BALRUN_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

/* Print "balrun: <message>" to stderr and exit with status 3 (internal error). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Make sure array x (with nr used and *alloc slots) has room for n items.
 *   ALLOC_GROW(v, v_nr + 1, v_alloc); v[v_nr++] = item;
 */
#define ALLOC_GROW(x, n, alloc) do { \
		if ((size_t)(n) > (alloc)) { \
			size_t alloc_grow_new = (alloc) ? (alloc) * 2 : 16; \
			if (alloc_grow_new < (size_t)(n)) \
				alloc_grow_new = (size_t)(n); \
			if (alloc_grow_new > SIZE_MAX / sizeof(*(x))) \
				die("ALLOC_GROW: size overflow"); \
			(x) = xrealloc((x), alloc_grow_new * sizeof(*(x))); \
			(alloc) = alloc_grow_new; \
		} \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);
/* CLOCK_REALTIME in seconds since the epoch. */
int64_t wall_time_s(void);

/* write() all of buf, retrying on EINTR and short writes. 0 or -1 (errno). */
int write_full(int fd, const void *buf, size_t len);
/* read() once, retrying on EINTR. Returns what read() returns. */
ssize_t read_retry(int fd, void *buf, size_t len);

/* Set or clear O_NONBLOCK / FD_CLOEXEC. 0 or -1. */
int set_nonblock(int fd, int on);
int set_cloexec(int fd, int on);

/*
 * A time limit in seconds ("30", "0.5", "1e-2"): finite, at least
 * SECONDS_MIN (1 ms: what the worker's clock can enforce, so a positive
 * limit never rounds to "none") and at most SECONDS_MAX.  0, or -1 with why
 * set to the end of a message that starts with the value ("is not a
 * positive number of seconds", "is below ...").
 */
#define SECONDS_MIN 0.001
#define SECONDS_MAX 1e7
int parse_seconds(const char *s, double *out, const char **why);

/* Make dir and its missing parents (mode 0777 less the umask).  0, or -1 with errno. */
int mkdirs(const char *dir);

/* 1 if s starts with prefix. */
int starts_with(const char *s, const char *prefix);

#endif
