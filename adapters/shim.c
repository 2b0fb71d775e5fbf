/*
 * shim.c - the parts of balrun-preload.so every framework uses; see shim.h
 * and common/preload.h.
 *
 * The selection is read the first time a framework part asks for it: that
 * is before any test of the process runs (a cmocka group call, Criterion's
 * registration), so a test that later closes descriptors or changes
 * directory cannot disturb it.  A process started ahead waits there for
 * the worker's go (shim_hold; common/preload.h).  The output pipe's identity (device and
 * inode of fd 1, else fd 2) is taken at the same moment; a marker is only
 * ever written to a descriptor that is still that pipe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "preload.h"
#include "shim.h"

static struct {
	int loaded;
	char **lines;      /* sorted */
	size_t n;
	char mark[40];     /* the nonce */
	dev_t dev;         /* the output pipe, as fd 1 (or 2) was when loaded */
	ino_t ino;
	int have_pipe;
} shim_sel;

/*
 * Listing: stdout line-buffered, so that a listing printed before the
 * process dies (a destructor that aborts) still reaches balrun whole.
 */
__attribute__((constructor)) static void shim_init(void)
{
	const char *m = shim_mode();

	if (m && (!strcmp(m, "list") || !strcmp(m, "probe")))
		setvbuf(stdout, NULL, _IOLBF, 0);
}

const char *shim_mode(void)
{
	const char *m = getenv(PRELOAD_ENV_MODE);

	if (!m || getenv("BXFI_MAP"))   /* a Criterion test child: never ours to act in */
		return NULL;
	return !strcmp(m, "list") || !strcmp(m, "run") || !strcmp(m, "probe") ? m : NULL;
}

static int shim_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the selection file into shim_sel.lines. */
static void shim_load_lines(const char *path)
{
	FILE *f = path ? fopen(path, "re") : NULL;
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;

	if (!f) {
		fprintf(stderr, "balrun-preload: cannot read the selection '%s': %s\n",
			path ? path : "(unset)", strerror(errno));
		return;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		char **grown;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (shim_sel.n == alloc) {
			alloc = alloc ? 2 * alloc : 256;
			grown = realloc(shim_sel.lines, alloc * sizeof(*grown));
			if (!grown)
				break;
			shim_sel.lines = grown;
		}
		if (!(shim_sel.lines[shim_sel.n] = strdup(line)))
			break;
		shim_sel.n++;
	}
	free(line);
	fclose(f);
	qsort(shim_sel.lines, shim_sel.n, sizeof(*shim_sel.lines), shim_cmp);
}

/*
 * A process started ahead: wait for the worker's byte on PRELOAD_HOLD_FD;
 * at end of file (not needed after all) leave at once, running nothing.
 */
static void shim_hold(void)
{
	const char *h = getenv(PRELOAD_ENV_HOLD);
	char go;
	ssize_t r;

	if (!h || strcmp(h, "1"))
		return;
	do
		r = read(PRELOAD_HOLD_FD, &go, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		_exit(0);
	close(PRELOAD_HOLD_FD);
	unsetenv(PRELOAD_ENV_HOLD);
}

char **shim_selection(size_t *n)
{
	struct stat st;

	if (!shim_sel.loaded) {
		const char *mark;

		shim_hold();
		mark = getenv(PRELOAD_ENV_MARK);
		shim_sel.loaded = 1;
		snprintf(shim_sel.mark, sizeof(shim_sel.mark), "%s", mark ? mark : "");
		if (fstat(1, &st) == 0 || fstat(2, &st) == 0) {
			shim_sel.dev = st.st_dev;
			shim_sel.ino = st.st_ino;
			shim_sel.have_pipe = 1;
		}
		shim_load_lines(getenv(PRELOAD_ENV_SELECT));
	}
	*n = shim_sel.n;
	return shim_sel.lines;
}

/* strcmp of key with line, comparing only line's first field when by_first. */
static int shim_cmp_key(const char *key, const char *line, int by_first)
{
	if (!by_first)
		return strcmp(key, line);
	size_t k = strlen(key), l = strcspn(line, " ");
	int c = strncmp(key, line, k < l ? k : l);

	return c ? c : (k > l) - (k < l);
}

size_t shim_lower_bound(const char *key, int by_first)
{
	size_t lo = 0, hi = shim_sel.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (shim_cmp_key(key, shim_sel.lines[mid], by_first) <= 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

long shim_find(const char *key, int by_first)
{
	size_t k = shim_lower_bound(key, by_first);

	return k < shim_sel.n && !shim_cmp_key(key, shim_sel.lines[k], by_first) ? (long)k : -1;
}

/* fd 1 or 2 if it is still the output pipe, else -1. */
static int shim_mark_fd(void)
{
	struct stat st;

	if (!shim_sel.have_pipe)
		return -1;
	for (int fd = 1; fd <= 2; fd++)
		if (fstat(fd, &st) == 0 && st.st_dev == shim_sel.dev && st.st_ino == shim_sel.ino)
			return fd;
	return -1;
}

void shim_mark(const char *fmt, ...)
{
	char buf[PRELOAD_MARK_MAX];
	int saved = errno, fd, n, k;
	va_list ap;

	fflush(stderr);
	fd = shim_mark_fd();
	if (fd < 0) {
		fflush(stdout);
		goto out;
	}
	n = snprintf(buf, sizeof(buf), "%c" PRELOAD_MARK_TAG "%s ", PRELOAD_MARK_BYTE, shim_sel.mark);
	va_start(ap, fmt);
	k = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || k < 0 || (size_t)(n + k) >= sizeof(buf) - 1) {
		fflush(stdout);
		goto out;
	}
	n += k;
	buf[n++] = '\n';
	if (fd == 1 && fileno(stdout) == 1) {
		/* after what stdout holds, in the same write: one write per marker, not two */
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
		goto out;
	}
	fflush(stdout);
	while (write(fd, buf, (size_t)n) < 0 && errno == EINTR)
		;
out:
	errno = saved;
}

unsigned long long shim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* ---- list records ---- */

static struct {
	char buf[8192];
	size_t len;
} shim_out;

void shim_flush(void)
{
	const char *s = getenv(PRELOAD_ENV_FD);
	int fd = s && *s ? atoi(s) : -1;
	size_t off = 0;

	while (fd >= 0 && off < shim_out.len) {
		ssize_t n = write(fd, shim_out.buf + off, shim_out.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shim_out.len = 0;
}

static void shim_put(char c)
{
	if (shim_out.len == sizeof(shim_out.buf))
		shim_flush();
	shim_out.buf[shim_out.len++] = c;
}

void shim_record(char tag, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	shim_put(tag);
	shim_put(' ');
	for (; *s; s++) {
		if (!PRELOAD_ESCAPED(*s)) {
			shim_put(*s);
			continue;
		}
		shim_put('%');
		shim_put(hex[(unsigned char)*s >> 4]);
		shim_put(hex[(unsigned char)*s & 15]);
	}
	shim_put('\n');
}
