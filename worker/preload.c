/*
 * preload.c - balrun-preload.so, the cmocka shim (the contract is in
 * common/preload.h).
 *
 * LD_PRELOADed into an unmodified cmocka test binary, it interposes
 * _cmocka_run_group_tests() (reached by the binary through the PLT) and
 * reaches the real one with dlsym(RTLD_NEXT).  With BALRUN_CMOCKA_MODE unset
 * it passes every call through, so it is harmless in any other process.
 *
 * List mode writes "L group/name" per test and runs nothing.  Run mode hands
 * cmocka a copy of the group holding only the selected tests, each with its
 * setup, test and teardown functions replaced by wrappers.  cmocka runs a
 * group's tests one at a time in array order and always calls the setup, so
 * a cursor advanced by the setup wrapper says which test is current:
 *
 *   setup wrapper     settle the previous test if it never ended, emit
 *                     "S <ns> group/name", call the real setup; if that
 *                     fails emit "E <ns> FAIL" (cmocka skips body and teardown)
 *   test wrapper      call the real test; returning means the body passed
 *                     (cmocka failures and skip() longjmp out of it)
 *   teardown wrapper  call the real teardown (cmocka calls it after a failed
 *                     body too), emit "E <ns> PASS" if the body returned and
 *                     the teardown succeeded, else "E <ns> FAIL"
 *   _skip()           emit "E <ns> SKIP" before the real _skip longjmps
 *
 * A test whose teardown never emitted its end (a failure inside the teardown
 * itself longjmps out of the wrapper) gets "E <ns> FAIL" from the next setup
 * wrapper, or after the real group function returns for the last test.
 * A failing group setup emits "G group setup-failed" (cmocka then runs none of
 * the group's tests), a failing group teardown "G group teardown-failed".
 *
 * Each event is formatted into one buffer and written with one write(2) to
 * the fd named by BALRUN_EVENT_FD, after fflush(stdout) and fflush(stderr)
 * and, in run mode, after the reader has emptied the output pipe (polling
 * FIONREAD every 20 us, for at most PRELOAD_DRAIN_WAIT_MS), so that output
 * and events reach the worker in the order they were written.
 *
 * The shim must not link cmocka (the binary brings its own), so it declares
 * its own copy of struct CMUnitTest, as laid out in cmocka 1.1.5's
 * /usr/include/cmocka.h.  Not handled: a program that sets
 * cmocka_set_test_filter() itself (cmocka then leaves tests out of the copy
 * and the cursor no longer matches), and nested group runs from inside a test.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "preload.h"

/* Copy of cmocka 1.1.5's types (cmocka.h: CMUnitTestFunction, CMFixtureFunction, CMUnitTest). */
typedef void (*shim_test_fn)(void **state);
typedef int (*shim_fixture_fn)(void **state);
struct shim_unit_test {
	const char *name;
	shim_test_fn test_func;
	shim_fixture_fn setup_func;
	shim_fixture_fn teardown_func;
	void *initial_state;
};
typedef int (*shim_run_group_fn)(const char *group_name, const struct shim_unit_test *tests,
				 size_t count, shim_fixture_fn group_setup,
				 shim_fixture_fn group_teardown);
typedef void (*shim_skip_fn)(const char *file, int line);

/* Where the current test is: IDLE before its setup, RUNNING until its end event. */
enum shim_test_state { SHIM_IDLE, SHIM_RUNNING, SHIM_ENDED };

/* The group being run (run mode only). */
static struct {
	const char *group;
	const struct shim_unit_test *orig;  /* the selected tests, as the binary defined them */
	size_t count;
	size_t next;                        /* cursor: index of the next test to set up */
	enum shim_test_state state;         /* of test next - 1 */
	int body_returned;
	shim_fixture_fn group_setup, group_teardown;
} shim_run;

static int shim_event_fd(void)
{
	const char *s = getenv(PRELOAD_ENV_FD);
	return s && *s ? atoi(s) : -1;
}

/*
 * Wait until the reader has emptied the pipe that stdout (or stderr) is, so
 * that the event about to be written comes after all output before it.  Not
 * a pipe (a file, a terminal): nothing to wait for.
 */
static void shim_wait_drained(void)
{
	struct timespec pause = { 0, 20000 };   /* 20 us */
	long waited_ns = 0;

	for (int fd = 1; fd <= 2; fd++) {
		struct stat st;
		int pending;

		if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
			continue;
		while (ioctl(fd, FIONREAD, &pending) == 0 && pending > 0 &&
		       waited_ns < PRELOAD_DRAIN_WAIT_MS * 1000000L) {
			nanosleep(&pause, NULL);
			waited_ns += pause.tv_nsec;
		}
	}
}

/* Write one event line with one write(); wait: order it after the output first. */
__attribute__((format(printf, 2, 3)))
static void shim_emit(int wait, const char *fmt, ...)
{
	char buf[1024];
	int fd = shim_event_fd();
	va_list ap;
	int n;

	if (fd < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	if (wait)
		shim_wait_drained();
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(fd, buf, (size_t)n) < 0)
		return;   /* nobody listening: nothing else to do */
}

static unsigned long long shim_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Emit the current test's end event (once). */
static void shim_end(const char *outcome)
{
	if (shim_run.state != SHIM_RUNNING)
		return;
	shim_run.state = SHIM_ENDED;
	shim_emit(1, "E %llu %s %s/%s", shim_now_ns(), outcome, shim_run.group,
		  shim_run.orig[shim_run.next - 1].name);
}

static int shim_setup(void **state)
{
	const struct shim_unit_test *t;
	int rc = 0;

	shim_end("FAIL");   /* the previous test never reached its teardown wrapper */
	if (shim_run.next >= shim_run.count)
		return -1;      /* cannot happen: cmocka runs exactly our copy */
	t = &shim_run.orig[shim_run.next++];
	shim_run.state = SHIM_RUNNING;
	shim_run.body_returned = 0;
	shim_emit(1, "S %llu %s/%s", shim_now_ns(), shim_run.group, t->name);
	if (t->setup_func)
		rc = t->setup_func(state);
	if (rc)
		shim_end("FAIL");
	return rc;
}

static void shim_test(void **state)
{
	shim_run.orig[shim_run.next - 1].test_func(state);
	shim_run.body_returned = 1;
}

static int shim_teardown(void **state)
{
	const struct shim_unit_test *t = &shim_run.orig[shim_run.next - 1];
	int rc = t->teardown_func ? t->teardown_func(state) : 0;

	shim_end(shim_run.body_returned && !rc ? "PASS" : "FAIL");
	return rc;
}

static int shim_group_setup(void **state)
{
	int rc = shim_run.group_setup(state);

	if (rc)
		shim_emit(1, "G %s setup-failed", shim_run.group);
	return rc;
}

static int shim_group_teardown(void **state)
{
	int rc = shim_run.group_teardown(state);

	if (rc)
		shim_emit(1, "G %s teardown-failed", shim_run.group);
	return rc;
}

/*
 * The selected tests: the newline-separated lines of the list, sorted, so
 * that each test of a group is looked up in O(log n) (a binary of 100,000
 * tests run in batches must not cost batch x group comparisons).
 */
struct shim_wanted {
	char *buf;      /* copy of the list, lines cut at their newlines */
	char **lines;   /* sorted */
	size_t n;
};

static int shim_cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 0, or -1 when out of memory. */
static int shim_wanted_init(struct shim_wanted *w, const char *list)
{
	size_t n = 1;

	memset(w, 0, sizeof(*w));
	w->buf = strdup(list ? list : "");
	for (const char *p = list; p && *p; p++)
		n += *p == '\n';
	w->lines = calloc(n, sizeof(*w->lines));
	if (!w->buf || !w->lines)
		return -1;
	for (char *p = w->buf; *p; ) {
		size_t len = strcspn(p, "\n");
		w->lines[w->n++] = p;
		p += len;
		if (*p)
			*p++ = '\0';
	}
	qsort(w->lines, w->n, sizeof(*w->lines), shim_cmp_line);
	return 0;
}

static void shim_wanted_release(struct shim_wanted *w)
{
	free(w->buf);
	free(w->lines);
}

struct shim_key {
	const char *group, *name;
	size_t glen;
};

/* strcmp("group/name", line) without building the string. */
static int shim_cmp_key(const void *key, const void *elem)
{
	const struct shim_key *k = key;
	const char *line = *(char *const *)elem;
	int c = strncmp(k->group, line, k->glen);

	if (c)
		return c;
	if (line[k->glen] != '/')
		return '/' - (unsigned char)line[k->glen];
	return strcmp(k->name, line + k->glen + 1);
}

/* 1 if "group/name" is one of the selected tests. */
static int shim_selected(const struct shim_wanted *w, const char *group, const char *name)
{
	struct shim_key k = { group, name, strlen(group) };

	return bsearch(&k, w->lines, w->n, sizeof(*w->lines), shim_cmp_key) != NULL;
}

static shim_run_group_fn shim_real_run_group(void)
{
	static shim_run_group_fn real;

	if (!real)
		real = (shim_run_group_fn)dlsym(RTLD_NEXT, "_cmocka_run_group_tests");
	if (!real)
		fprintf(stderr, "balrun-preload: cannot find the real _cmocka_run_group_tests\n");
	return real;
}

static int shim_list(const char *group, const struct shim_unit_test *tests, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (tests[i].name)
			shim_emit(0, "L %s/%s", group, tests[i].name);
	return 0;
}

/* The selected tests of the group, wrapped; the originals go to shim_run. */
static size_t shim_select(const char *group, const struct shim_unit_test *tests, size_t count,
			  const struct shim_wanted *w, struct shim_unit_test *copy,
			  struct shim_unit_test *orig)
{
	size_t n = 0;

	for (size_t i = 0; i < count; i++) {
		if (!tests[i].name || !shim_selected(w, group, tests[i].name))
			continue;
		orig[n] = tests[i];
		copy[n] = tests[i];
		copy[n].setup_func = shim_setup;
		copy[n].test_func = tests[i].test_func ? shim_test : NULL;
		copy[n].teardown_func = shim_teardown;
		n++;
	}
	return n;
}

static int shim_run_selected(shim_run_group_fn real, const char *group,
			     const struct shim_unit_test *tests, size_t count,
			     shim_fixture_fn group_setup, shim_fixture_fn group_teardown)
{
	struct shim_unit_test *copy = calloc(count ? count : 1, sizeof(*copy));
	struct shim_unit_test *orig = calloc(count ? count : 1, sizeof(*orig));
	struct shim_wanted w;
	size_t n;
	int rc = 0;

	if (shim_wanted_init(&w, getenv(PRELOAD_ENV_TESTS)) || !copy || !orig) {
		fprintf(stderr, "balrun-preload: out of memory selecting tests of '%s'\n", group);
		rc = -1;
		goto out;
	}
	n = shim_select(group, tests, count, &w, copy, orig);
	if (!n)
		goto out;   /* no test of this group selected: do not enter it */
	memset(&shim_run, 0, sizeof(shim_run));
	shim_run.group = group;
	shim_run.orig = orig;
	shim_run.count = n;
	shim_run.group_setup = group_setup;
	shim_run.group_teardown = group_teardown;
	rc = real(group, copy, n, group_setup ? shim_group_setup : NULL,
		  group_teardown ? shim_group_teardown : NULL);
	shim_end("FAIL");   /* the last test never reached its teardown wrapper */
	memset(&shim_run, 0, sizeof(shim_run));
out:
	shim_wanted_release(&w);
	free(copy);
	free(orig);
	return rc;
}

int _cmocka_run_group_tests(const char *group_name, const struct shim_unit_test *tests,
			    size_t count, shim_fixture_fn group_setup, shim_fixture_fn group_teardown)
{
	const char *mode = getenv(PRELOAD_ENV_MODE);
	shim_run_group_fn real = shim_real_run_group();

	if (mode && !strcmp(mode, "list"))
		return shim_list(group_name, tests, count);
	if (!real)
		return -1;
	if (mode && !strcmp(mode, "run"))
		return shim_run_selected(real, group_name, tests, count, group_setup, group_teardown);
	return real(group_name, tests, count, group_setup, group_teardown);
}

void _skip(const char *file, int line)
{
	shim_skip_fn real = (shim_skip_fn)dlsym(RTLD_NEXT, "_skip");

	if (shim_run.group)
		shim_end("SKIP");
	if (!real) {
		fprintf(stderr, "balrun-preload: cannot find the real _skip\n");
		abort();
	}
	real(file, line);
	abort();   /* the real _skip longjmps and never returns */
}
